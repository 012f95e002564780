"""Entry point: builds the demo database on first start, then routes to the pages (CONTRACT §5).

The sidebar's list of pages is drawn here with links that keep the reader's language (Streamlit's own
navigation menu would drop ``?lang=en``).
"""

import streamlit as st

from auth.roles import can
from dashboard import links
from dashboard.bootstrap import ensure_database
from dashboard.i18n import t
from dashboard.login import require_login
from dashboard.state import current_lang

st.set_page_config(page_title="Bộ chỉ số chỉ đạo, điều hành – Bắc Ninh", page_icon="📊", layout="wide")
lang = current_lang()
menu = st.sidebar.container()  # first in the sidebar, filled once the pages the account may open are known
ensure_database(lang)
account = require_login(lang)  # the login screen, or who is reading (anonymous when reading needs no login)


def page(file: str, key: str, url_path: str | None = None, default: bool = False) -> st.Page:
    return st.Page(f"app_pages/{file}", title=t(f"page.{key}", lang), url_path=url_path or key, default=default)


sections = {
    t("nav.leadership", lang): [
        page("overview.py", "overview", url_path="", default=True),
        page("input.py", "input"),
        page("process.py", "process"),
        page("output.py", "output"),
        page("outcome.py", "outcome"),
        page("composite.py", "composite"),
        page("present.py", "present"),
    ],
    t("nav.analysis", lang): [
        page("indicator.py", "indicator"),
        page("department.py", "department"),
        page("explorer.py", "explorer"),
        page("quality.py", "quality"),
        page("catalogue.py", "catalogue"),
    ],
    t("nav.data", lang): [page("submit.py", "submit")] + ([page("audit.py", "audit")] if can(account, "admin") else []),
}
chosen = st.navigation(sections, position="hidden")
for title, pages in sections.items():
    menu.caption(title)
    for item in pages:
        menu.page_link(item, query_params=links.query(lang) or None)
chosen.run()
