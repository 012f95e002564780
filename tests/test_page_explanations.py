"""A request for an explanation on the pages: the leader asks on the indicator page, the owner department answers on
its page (and sees it on /submit), and the answer shows on the indicator page, on its slide and in the overview's
counts; other accounts get no form."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from auth.accounts import get_account
from dashboard.i18n import t
from dashboard.login import SESSION_KEY
from db import queries

NOTE = "Đề nghị làm rõ vì sao vốn DDI quý III thấp hơn quý II <b>ngay</b>"
ANSWER = "Hai dự án lớn lùi sang quý IV; dự kiến cả năm đạt 95 % kế hoạch."


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _app(page: str, account: str | None, **params: str) -> AppTest:
    at = AppTest.from_file(str(settings.ROOT / "app_pages" / f"{page}.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    if account is not None:
        at.session_state[SESSION_KEY] = get_account(settings.db_path(), account)
    return at


def _html(at: AppTest) -> str:
    # st.html elements, and raw HTML blocks of st.markdown (a slide) with the references dashboard.markdown.inert_html
    # wrote for Markdown's characters read back (the escaping of outside text stays)
    slides = [re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), m.value) for m in at.markdown]
    return "\n".join([h.value for h in at.html] + slides)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_a_request_goes_from_the_leader_to_the_owner_and_back(demo_copy):
    # the leader asks on the indicator page
    at = _app("indicator", "lanhdao", code="IN-05").run()
    assert not at.exception
    assert at.selectbox(key="ask_period").value == "2026-Q3"  # the latest period first
    at.text_area(key="ask_note").input(NOTE)
    _button(at, t("explanations.ask_send", "vi")).click().run()
    assert not at.exception
    asked = queries.explanations(demo_copy, ["IN-05"])
    assert asked.height == 1 and asked["note"][0] == NOTE and asked["department"][0] == "STC"
    assert any("Sở Tài chính" in s.value for s in at.success)
    assert "&lt;b&gt;ngay&lt;/b&gt;" in _html(at) and "Đang chờ trả lời" in _html(at)

    # another department sees it on STC's page but may not answer; STC's account answers there
    st.cache_data.clear()
    other = _app("department", "syt", code="STC").run()
    assert not other.exception and not other.text_area
    at = _app("department", "stc", code="STC").run()
    assert not at.exception
    assert at.tabs[1].label == t("explanations.tab", "vi", waiting=1)
    request = int(asked["id"][0])
    at.text_area(key=f"answer_text_department_{request}").input(ANSWER)
    _button(at, t("explanations.answer_send", "vi")).click().run()
    assert not at.exception
    assert queries.explanations(demo_copy)["answer"][0] == ANSWER

    # the answer on the indicator page, on the slide, and in the overview's counts
    st.cache_data.clear()
    page = _html(_app("indicator", "lanhdao", code="IN-05").run())
    assert ANSWER in page and "Đã trả lời" in page
    slide = _app("present", None, by="codes", codes="IN-05").run()
    assert not slide.exception
    assert f"Giải trình (Quý III/2026): {ANSWER}" in _html(slide)
    overview = _app("overview", None).run()
    assert "0 đang chờ trả lời (trong đó 0 quá hạn), 1 đã trả lời" in _html(overview)


def test_the_owner_sees_open_requests_on_submit_and_others_get_no_form(demo_copy):
    from datetime import date

    from loaders import explanations as write

    # asked on 10/11, due 20/11: overdue on 26/11
    lead = get_account(demo_copy, "lanhdao")
    write.ask(demo_copy, lead, "IN-01", "2026-10", NOTE, date(2026, 11, 20), settings.now().replace(day=10))
    at = _app("submit", "stc").run()
    assert not at.exception
    assert "Quá hạn trả lời" in _html(at) and at.text_area  # STC answers here too
    analyst = _app("indicator", "phantich", code="IN-01").run()
    assert not analyst.exception and not analyst.text_area  # an analyst reads, does not ask
    assert "Quá hạn trả lời" in _html(analyst)
    overview = _html(_app("overview", None).run())
    assert "1 đang chờ trả lời (trong đó 1 quá hạn), 0 đã trả lời" in overview
    assert "department?code=STC" in overview


def test_the_report_pack_is_offered_to_those_who_export_for_the_view_on_screen(demo_db):
    keys = sorted(b.key for b in _app("overview", "lanhdao").run().get("download_button"))
    assert keys == ["docx_report_all", "pdf_report_all", "pptx_report_all"]
    department = _app("department", "phantich", code="SYT").run()
    assert {"docx_report_syt", "pdf_report_syt", "pptx_report_syt"} <= {
        b.key for b in department.get("download_button")
    }
    assert not [b for b in _app("overview", "stc").run().get("download_button") if "report" in b.key]  # no export
