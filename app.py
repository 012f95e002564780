"""Entry point: checks the database, routes to the pages (CONTRACT §5), then lets the login gate in.

The pages are registered before the gate runs, so a link opened while logged out keeps its page and query
string through the login. The administrators' pages are registered for everyone but listed only for
administrators, so typing their address gets a refusal that says why instead of the overview. The sidebar's
list of pages is drawn here with links that keep the reader's language (Streamlit's own navigation menu would
drop ``?lang=en``).
"""

import streamlit as st

from auth.roles import can
from dashboard import layout, links
from dashboard.bootstrap import database_guard, ensure_database
from dashboard.i18n import t
from dashboard.login import require_login
from dashboard.state import current_lang

st.set_page_config(page_title="Bộ chỉ số chỉ đạo, điều hành – Bắc Ninh", page_icon="📊", layout="wide")
lang = current_lang()
st.sidebar.html(layout.STYLE)  # every screen size, from a tablet up (dashboard/layout.py)
menu = st.sidebar.container()  # first in the sidebar, filled once the pages the account may open are known


def page(file: str, key: str, url_path: str | None = None, default: bool = False) -> st.Page:
    return st.Page(f"app_pages/{file}", title=t(f"page.{key}", lang), url_path=url_path or key, default=default)


admin_pages = [page("audit.py", "audit"), page("accounts.py", "accounts")]
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
    t("nav.data", lang): [page("submit.py", "submit"), *admin_pages],
}

with database_guard(lang):  # a missing, damaged or busy database: the bilingual message, never a crash
    ensure_database(lang)
    chosen = st.navigation(sections, position="hidden")  # the address names the page, before and after a login
    account = require_login(lang)  # the login screen (at the same address), or who is reading
    for title, pages in sections.items():
        menu.caption(title)
        for item in pages:
            if can(account, "admin") or not any(item is admin for admin in admin_pages):
                menu.page_link(item, query_params=links.query(lang) or None)
    chosen.run()
