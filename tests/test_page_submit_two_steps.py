"""/submit in two steps (issue 9 items 1, 2, 4, 7): what is due, the preview, the confirmation, the reason, races.

Each test writes to its own copy of the demo database (``demo_copy``); the day is 26/11/2026. STC's
IN-01 (Thu ngân sách, tỷ đồng, monthly, due 10 days after the month) is published for October 2026 at
7.874,4 and not yet for November.
"""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import db
import settings
from auth.accounts import add_account
from dashboard.views import submit as view
from db import queries
from tests.markdown_text import seen
from tests.test_page_submit import GOOD_NAME, REVISING_CSV, TODAY, _app, _frame, _observations, _upload

IN01 = "Thu ngân sách nhà nước trên địa bàn"
IN01_EN = "State budget revenue collected in the province"


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _revise(value: str, note: str = "") -> bytes:
    return f"Mã chỉ số;Kỳ báo cáo;Mã địa bàn;Giá trị;Ghi chú\nIN-01;2026-10;;{value};{note}\n".encode()


def _current(path, code: str = "IN-01", period: str = "2026-10") -> float:
    found = db.query(
        "SELECT value FROM observations WHERE indicator_code = $c AND period = $p AND locality_code = ''",
        {"c": code, "p": period},
        path,
    )
    return found["value"][0]


def _written(path) -> tuple:
    """Everything a submission could write: values, history, submissions, audit rows."""
    counts = db.query(
        "SELECT (SELECT count(*) FROM observations) AS o, (SELECT count(*) FROM observation_history) AS h, "
        "(SELECT count(*) FROM submissions) AS s, (SELECT count(*) FROM audit_log WHERE action <> 'download') AS a",
        None,
        path,
    )
    return counts.row(0)


def _confirm(at: AppTest, reason: str | None = None) -> AppTest:
    if reason is not None:
        at.text_area(key="submit_reason").input(reason).run()
    at.button(key="submit_confirm").click().run()
    assert not at.exception
    return at


# --------------------------------------------------------------------------- the two steps


def test_a_revision_is_previewed_and_written_only_once_confirmed_with_a_reason(demo_copy):
    before, version = _written(demo_copy), db.data_version(demo_copy)
    at = _upload(_app("stc").run(), GOOD_NAME, REVISING_CSV, "text/csv")
    # the preview: nothing written, the revision named old -> new, the confirmation counts it
    assert seen(at.warning[0].value) == f"Tệp {GOOD_NAME} sẽ sửa 1 giá trị đã công bố. Chưa có gì được ghi."
    assert [m.value for m in at.metric][:3] == ["3", "2", "1"]
    revisions = _frame(at, "Đang công bố", "Giá trị mới")
    assert revisions.values.tolist() == [
        ["IN-01", "Tháng 10/2026", "Toàn tỉnh", "7.874,4 tỷ đồng", "6.000,5 tỷ đồng", "−1.873,9 tỷ đồng", IN01]
    ]
    assert at.button(key="submit_confirm").label == "Xác nhận sửa 1 giá trị đã công bố và ghi 2 giá trị mới"
    assert at.text_area(key="submit_reason").value == "số chính thức"  # the row's note, offered
    assert (_written(demo_copy), db.data_version(demo_copy)) == (before, version)
    # a reason is required
    at = _confirm(at, "  ")
    assert at.error and at.error[0].value.startswith("Hãy ghi lý do sửa đổi")
    assert _written(demo_copy) == before and _current(demo_copy) == 7874.4
    # confirmed: written, with the reason kept in the history and shown with it
    at = _confirm(at, "Số chính thức của Kho bạc Nhà nước")
    assert seen(at.success[0].value) == f"Đã tiếp nhận tệp {GOOD_NAME}: 3 dòng (2 mới, 1 sửa đổi)."
    assert "Lý do sửa đổi đã lưu cùng các giá trị: Số chính thức của Kho bạc Nhà nước" in [c.value for c in at.caption]
    assert not at.get("text_area") and _current(demo_copy) == 6000.5
    history = queries.history(demo_copy, "IN-01", "", True).filter(period="2026-10").sort("version")
    assert history["value"].to_list() == [7874.4, 6000.5]
    assert history["reason"].to_list() == [None, "Số chính thức của Kho bạc Nhà nước"]
    page = AppTest.from_file(str(settings.ROOT / "app_pages" / "indicator.py"), default_timeout=60)
    page.query_params["code"] = "IN-01"
    page.run()
    shown = _frame(page, "Lý do sửa đổi", "Giá trị trước")
    assert "Số chính thức của Kho bạc Nhà nước" in set(shown["Lý do sửa đổi"])


def test_a_preview_cancelled_writes_nothing(demo_copy):
    before = _written(demo_copy)
    at = _upload(_app("stc").run(), GOOD_NAME, REVISING_CSV, "text/csv")
    at.button(key="submit_cancel").click().run()
    assert at.info and at.info[-1].value == "Đã huỷ: không có gì được ghi."
    assert not at.get("text_area") and _written(demo_copy) == before


def test_the_english_page_counts_in_english(demo_copy):
    at = _upload(_app("stc", lang="en").run(), "one.csv", _revise("7000"), "text/csv")
    assert seen(at.warning[0].value) == "one.csv would revise 1 published value. Nothing has been written yet."
    assert at.button(key="submit_confirm").label == "Confirm: revise 1 published value"
    assert _frame(at, "Published", "New value").values.tolist() == [
        ["IN-01", "Oct 2026", "Whole province", "7,874.4 tỷ đồng", "7,000 tỷ đồng", "−874.4 tỷ đồng", IN01_EN]
    ]
    assert at.text_area(key="submit_reason").value == ""  # no note in the file: nothing offered
    at = _confirm(at, "Official figure")
    assert seen(at.success[0].value) == "Accepted one.csv: 1 row (0 new, 1 revised)."
    bad = _upload(_app("stc", lang="en").run(), "bad.csv", _revise("abc"), "text/csv")
    assert seen(bad.error[0].value) == "File rejected: 1 problem (bad.csv)"


# --------------------------------------------------------------------------- races (item 7)


def test_two_people_of_one_department_revising_one_value_from_stale_previews(demo_copy):
    add_account(demo_copy, "ketoan.stc", "submitter", "mat-khau-dai-du-12", department="STC", actor="test")
    lan = _upload(_app("stc").run(), "lan.csv", _revise("7000"), "text/csv")
    minh = _upload(_app("ketoan.stc").run(), "minh.csv", _revise("8000"), "text/csv")
    for at, new in ((lan, "7.000 tỷ đồng"), (minh, "8.000 tỷ đồng")):  # both saw October's 7.874,4
        assert _frame(at, "Đang công bố", "Giá trị mới").values.tolist()[0][3:5] == [
            "7.874,4 tỷ đồng",
            new,
        ]
    assert seen(_confirm(lan, "Lan: số chính thức").success[0].value).startswith("Đã tiếp nhận tệp lan.csv")
    before = _written(demo_copy)
    minh = _confirm(minh, "Minh: số của Cục Thuế")
    # the second confirmation wrote nothing: it says what changed since its preview and asks again
    assert _written(demo_copy) == before and _current(demo_copy) == 7000.0
    assert not minh.success
    assert minh.error[0].value.startswith("Từ lúc tệp được kiểm tra, 1 giá trị mà tệp này chạm tới đã được thay đổi")
    assert _frame(minh, "Lúc kiểm tra", "Hiện nay").values.tolist() == [
        ["IN-01", "Tháng 10/2026", "Toàn tỉnh", "7.874,4 tỷ đồng", "7.000 tỷ đồng", IN01]
    ]
    assert _frame(minh, "Đang công bố", "Giá trị mới").values.tolist()[0][3:5] == ["7.000 tỷ đồng", "8.000 tỷ đồng"]
    assert minh.button(key="submit_confirm").label == "Xác nhận sửa 1 giá trị đã công bố"
    assert minh.text_area(key="submit_reason").value == "Minh: số của Cục Thuế"  # what was typed is kept
    # confirmed again, on the fresh figures
    minh = _confirm(minh)
    assert seen(minh.success[0].value).startswith("Đã tiếp nhận tệp minh.csv") and _current(demo_copy) == 8000.0
    history = queries.history(demo_copy, "IN-01", "", True).filter(period="2026-10").sort("version")
    assert history.select("value", "previous_value", "submitted_by", "reason").rows() == [
        (7874.4, None, "demo", None),
        (7000.0, 7874.4, "stc", "Lan: số chính thức"),
        (8000.0, 7000.0, "ketoan.stc", "Minh: số của Cục Thuế"),
    ]


def test_a_new_value_that_appeared_since_the_check_turns_into_a_revision_to_confirm(demo_copy, monkeypatch):
    """A file of new values only is written in one click, unless a colleague filled the key meanwhile."""
    november = "Mã chỉ số;Kỳ báo cáo;Giá trị\nIN-01;2026-11;5000\n".encode()
    real_commit = view.commit

    def colleague_first(preview, reason=None):
        if preview.file_name == "mine.csv" and not getattr(colleague_first, "done", False):
            colleague_first.done = True  # the colleague's file lands between this check and this write
            other = view.preview_bytes("other.csv", november.replace(b"5000", b"4900"), "STC", demo_copy)
            real_commit(other)
        return real_commit(preview, reason)

    monkeypatch.setattr(view, "commit", colleague_first)
    at = _upload(_app("stc").run(), "mine.csv", november, "text/csv")
    assert _current(demo_copy, period="2026-11") == 4900.0  # the colleague's value stands
    assert at.error[0].value.startswith("Từ lúc tệp được kiểm tra, 1 giá trị")
    assert _frame(at, "Lúc kiểm tra", "Hiện nay").values.tolist()[0][3:5] == ["(chưa có)", "4.900 tỷ đồng"]
    assert at.button(key="submit_confirm").label == "Xác nhận sửa 1 giá trị đã công bố"
    _confirm(at, "Số đúng là 5.000")
    assert _current(demo_copy, period="2026-11") == 5000.0


# --------------------------------------------------------------------------- what is due, the template (item 2)


def test_the_page_shows_what_is_due_and_its_template_brings_only_new_values(demo_copy, tmp_path):
    at = _app("stc").run()
    due = _frame(at, "Kỳ trong mẫu", "Hạn nộp")
    in01 = due[due["Mã"] == "IN-01"].iloc[0].to_dict()
    assert in01 == {
        "Mã": "IN-01",
        "Kỳ trong mẫu": "Tháng 11/2026",  # October is reported: November, due 10/12/2026
        "Hạn nộp": "10/12/2026",
        "Số dòng": "1",
        "Đã nộp gần nhất": "Tháng 10/2026: 7.874,4 tỷ đồng",
        "Tần suất": "Hằng tháng",
        "Tên chỉ số": IN01,
    }
    ou05 = due[due["Mã"] == "OU-05"].iloc[0]
    assert (ou05["Số dòng"], ou05["Đã nộp gần nhất"]) == ("99", "Tháng 10/2026 (99 xã, phường)")
    assert at.get("download_button")[0].label == "Tải mẫu nhập liệu (Excel, 107 dòng)"
    # the department fills the template as downloaded (the button serves view.template_bytes of what is shown)
    path = tmp_path / view.template_name("STC", TODAY)
    path.write_bytes(view.template_bytes(view.due_template(demo_copy, "STC", TODAY)))
    book = openpyxl.load_workbook(path)
    sheet = book["Số liệu"]
    header = [c.value for c in sheet[1]]
    last, value = header.index("Số đã nộp gần nhất") + 1, header.index("Giá trị") + 1
    for r in range(2, sheet.max_row + 1):
        sheet.cell(r, value).value = sheet.cell(r, last).value  # the same figure again, as a new period's value
    book.save(path)
    at = _upload(at, path.name, path.read_bytes(), view.XLSX_MIME)
    assert not at.get("text_area"), [w.value for w in at.warning]  # nothing to confirm
    assert seen(at.success[0].value) == f"Đã tiếp nhận tệp {path.name}: 107 dòng (107 mới, 0 sửa đổi)."
    # the next template offers the periods after those
    after = _frame(_app("stc").run(), "Kỳ trong mẫu", "Hạn nộp")
    assert after[after["Mã"] == "IN-01"].values.tolist() == [
        ["IN-01", "Chưa có kỳ mới", "", "0", "Tháng 11/2026: 7.874,4 tỷ đồng", "Hằng tháng", IN01]  # no December
    ]


def test_a_period_chosen_on_the_page(demo_db):
    at = _app("stc").run()
    box = at.selectbox(key="submit_period")
    assert box.value == "" and box.options[:3] == [
        "Kỳ đến hạn, chưa nộp, của từng chỉ số",
        "Tuần 48/2026",
        "Tuần 47/2026",
    ]
    at = box.select("2026-10").run()
    assert not at.exception
    due = _frame(at, "Kỳ trong mẫu", "Hạn nộp")
    assert set(due["Kỳ trong mẫu"]) == {"Tháng 10/2026"}  # the monthly indicators only
    assert set(due["Hạn nộp"]) == {"10/11/2026 (đã quá hạn)"}
    assert due[due["Mã"] == "IN-01"]["Đã nộp gần nhất"].iloc[0] == "Tháng 10/2026: 7.874,4 tỷ đồng"
    assert at.get("download_button")[0].label == "Tải mẫu nhập liệu (Excel, 102 dòng)"


# --------------------------------------------------------------------------- who submitted (item 4)


def test_the_command_lines_user_is_named_never_none(demo_copy, tmp_path):
    data = tmp_path / "stc_thang_11.csv"
    data.write_bytes(_revise("7000").replace(b"2026-10", b"2026-11"))
    env = {**os.environ, "INDICATORS_DB": str(demo_copy), "INDICATORS_TODAY": TODAY.isoformat()}
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "submit", str(data), "--department", "STC"],
        cwd=settings.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    recorded = queries.submissions(demo_copy, "STC", limit=1)["submitted_by"][0]
    assert recorded.startswith("cli:")  # the server's user, as /audit names the command line
    recent = _frame(_app("stc").run(), "file_name", "submitted_by")
    assert recent["submitted_by"].iloc[0] == f"Dòng lệnh trên máy chủ ({recorded[4:]})"
    assert "None" not in set(recent["submitted_by"])
    assert _observations(demo_copy) > 0
