"""The upload page: smoke in both languages, a rejected file's report, an accepted file seen everywhere at once.

Every test that submits writes to its own copy of the demo database (INDICATORS_DB
points at the copy for the test and back at the shared one afterwards).
"""

from __future__ import annotations

import datetime as dt
import io
import threading

import openpyxl
import polars as pl
import pytest
import streamlit as st
import xlsxwriter
from streamlit.testing.v1 import AppTest

import db
import settings
from auth.accounts import Account, get_account
from auth.errors import PermissionDenied
from dashboard.login import SESSION_KEY
from dashboard.views import explorer as explorer_view
from dashboard.views import submit as view
from db import queries
from loaders.errors import RowError
from loaders.reading import read_submission
from rules import evaluate
from tests.markdown_text import seen

PAGE = str(settings.ROOT / "app_pages" / "submit.py")
TODAY = dt.date(2026, 11, 26)
BAD_NAME = "STC_thang_10_2026.xlsx"
GOOD_NAME = "STC_thang_11_2026.csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Twelve rows, twelve different problems (CONTRACT §3)
BAD_ROWS = [
    ("IN-01", "2026-10", "", "1.234"),  # ambiguous number
    ("IN-01", "2026-Q4", "", 5000),  # period of the wrong frequency
    ("IN-10", "2025", "", 20),  # another department's indicator
    ("IN-03", "2027-01", "", 300),  # a future period
    ("IN-03", "2026-09", "", ""),  # no value
    ("IN-05", "2026-Q3", "", -5),  # below the valid range
    ("OU-05", "2026-10", "", 120),  # a commune indicator without a locality
    ("OU-05", "2026-10", "99999", 12),  # unknown locality
    ("XX-99", "2026-10", "", 1),  # unknown indicator
    ("PR-01", "2026-W45", "", "abc"),  # not a number
    ("IN-06", "Tháng 13/2026", "", 1000),  # unreadable period
    ("CP-01", "2025", "", 150),  # above the valid range
]
GOOD_CSV = (  # new values only (November is not reported yet): written in one click
    "Mã chỉ số;Kỳ báo cáo;Mã địa bàn;Giá trị;Ghi chú\nIN-01;2026-11;;5.123,4;ước tính\nIN-03;2026-11;;410,5;\n"
).encode()
REVISING_CSV = (  # two new values and one revision of a published value (October's 7.874,4)
    "Mã chỉ số;Kỳ báo cáo;Mã địa bàn;Giá trị;Ghi chú\n"
    "IN-01;2026-11;;5.123,4;ước tính\n"
    "IN-03;2026-11;;410,5;\n"
    "IN-01;2026-10;;6000,5;số chính thức\n"
).encode()


def bad_xlsx() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Số liệu")
    for col, header in enumerate(["Mã chỉ số", "Kỳ báo cáo", "Mã địa bàn", "Giá trị"]):
        sheet.write_string(0, col, header)
    for r, row in enumerate(BAD_ROWS, start=1):
        for col, cell in enumerate(row):
            if cell == "":
                continue
            (sheet.write_number if isinstance(cell, int | float) else sheet.write_string)(r, col, cell)
    book.close()
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _app(account: str | None = None, **params: str) -> AppTest:
    """The page, read anonymously or by a demo account (its username: 'stc' submits for STC)."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if account is not None:
        at.session_state[SESSION_KEY] = get_account(settings.db_path(), account)
    return at


def _upload(at: AppTest, name: str, data: bytes, mime: str) -> AppTest:
    at.file_uploader(key="submit_file").set_value((name, data, mime)).run()
    assert not at.exception
    at.button(key="submit_send").click().run()
    assert not at.exception
    return at


def _frame(at: AppTest, *columns: str):
    """The first table holding every one of ``columns`` (pandas); AppTest does not give a table's key."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _observations(path) -> int:
    return int(queries.explorer_count(path, queries.ExplorerFilters())["n"][0])


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_submit_page_renders_in_both_languages(demo_db, lang):
    at = _app(lang=lang).run()
    assert not at.exception
    assert at.selectbox(key="qp_department").value == ""
    assert at.info and ("Chọn đơn vị" if lang == "vi" else "Choose the submitting department") in at.info[0].value
    # an anonymous reader may read the template and the files, not submit
    assert not at.get("file_uploader")
    assert at.warning and ("đăng nhập" if lang == "vi" else "log in") in at.warning[0].value.lower()
    at = _app(lang=lang, department="STC").run()
    assert not at.exception
    assert at.selectbox(key="qp_department").value == "STC"
    assert at.dataframe and len(at.dataframe[0].value) > 0  # the department's recent submissions


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_submitter_submits_for_its_own_department_only(demo_db, lang):
    at = _app("stc", lang=lang, department="SYT").run()  # an address naming another department
    assert not at.exception and not at.warning
    box = at.selectbox(key="qp_department")
    assert box.value == "STC" and box.options == [
        "Sở Tài chính (STC)" if lang == "vi" else "Department of Finance (STC)"
    ]
    assert box.disabled
    assert at.query_params.get("department") in ("STC", ["STC"])
    assert len(at.get("file_uploader")) == 1
    assert at.button(key="submit_send").disabled  # nothing to send before a file


@pytest.mark.parametrize("username", ["phantich", "lanhdao", "quantri"])
def test_other_roles_cannot_submit(demo_db, username):
    at = _app(username, department="STC").run()
    assert not at.exception
    assert not at.get("file_uploader")
    assert at.warning and username in at.warning[0].value


def test_department_choice_goes_to_the_address(demo_db):
    at = _app().run()
    at.selectbox(key="qp_department").select("SYT").run()
    assert not at.exception
    assert at.query_params.get("department") in ("SYT", ["SYT"])


def test_a_bad_file_is_reported_and_nothing_is_written(demo_copy):
    before = _observations(demo_copy)
    rejected_before = queries.submissions(demo_copy, "STC", "rejected").height
    at = _upload(_app("stc").run(), BAD_NAME, bad_xlsx(), XLSX)
    assert at.error and seen(at.error[0].value) == f"Tệp bị từ chối: 12 lỗi ({BAD_NAME})"
    report = next(
        d.value
        for d in at.dataframe
        if d.key == "submit_report" or "Dòng" in d.value.columns or "Row" in d.value.columns
    )
    assert list(report.columns) == ["Dòng", "Cột", "Giá trị", "Nội dung"]
    assert len(report) == 12
    assert list(report["Dòng"]) == [str(r) for r in range(2, 14)]  # spreadsheet rows, the header is row 1
    assert set(report["Cột"]) == {"Mã chỉ số", "Kỳ báo cáo", "Mã địa bàn", "Giá trị"}
    assert "1.234" in set(report["Giá trị"]) and "(trống)" in set(report["Giá trị"])
    assert any("không rõ nghĩa" in m for m in report["Nội dung"])  # messages in Vietnamese
    # nothing written, the rejection recorded under the file's own name
    assert _observations(demo_copy) == before
    rejected = queries.submissions(demo_copy, "STC", "rejected")
    assert rejected.height == rejected_before + 1
    assert rejected["file_name"][0] == BAD_NAME and rejected["n_errors"][0] == 12


def test_the_report_is_in_english_in_the_english_page(demo_copy):
    at = _upload(_app("stc", lang="en").run(), BAD_NAME, bad_xlsx(), XLSX)
    assert seen(at.error[0].value) == f"File rejected: 12 problems ({BAD_NAME})"
    report = next(
        d.value
        for d in at.dataframe
        if d.key == "submit_report" or "Dòng" in d.value.columns or "Row" in d.value.columns
    )
    assert list(report.columns) == ["Row", "Column", "Value", "Message"]
    assert any("ambiguous" in m.lower() for m in report["Message"])


def test_a_good_file_is_accepted_and_seen_everywhere_at_once(demo_copy):
    version = db.data_version(demo_copy)
    explorer_before = AppTest.from_file(str(settings.ROOT / "app_pages" / "explorer.py"), default_timeout=60)
    explorer_before.query_params.update({"indicator": "IN-01", "from": "2026-10", "view": "data"})
    explorer_before.run()  # warms the cache at the old data version
    assert set(explorer_before.dataframe[0].value["period_label"]) == {"Tháng 10/2026"}

    at = _upload(_app("stc").run(), GOOD_NAME, GOOD_CSV, "text/csv")
    assert not at.get("text_area") and not at.warning  # new values only: nothing to confirm
    assert at.success and seen(at.success[0].value) == f"Đã tiếp nhận tệp {GOOD_NAME}: 2 dòng (2 mới, 0 sửa đổi)."
    assert [m.value for m in at.metric][:3] == ["2", "2", "0"]
    assert db.data_version(demo_copy) != version
    # the figures are in the store...
    rows = queries.explorer(demo_copy, explorer_view.build_filters(codes=["IN-01"], month_from="2026-10"), limit=None)
    assert dict(zip(rows["period"], rows["value"], strict=True)) == {"2026-11": 5123.4, "2026-10": 7874.4}
    latest = evaluate.latest(queries.load_store(demo_copy), TODAY, ["IN-01"])  # what the overview shows
    assert latest.select("period", "value").row(0) == ("2026-11", 5123.4)
    # ...and the pages read them at once (the cache is keyed by the data version; nothing was cleared)
    explorer_after = AppTest.from_file(str(settings.ROOT / "app_pages" / "explorer.py"), default_timeout=60)
    explorer_after.query_params.update({"indicator": "IN-01", "from": "2026-10", "view": "data"})
    explorer_after.run()
    assert set(explorer_after.dataframe[0].value["period_label"]) == {"Tháng 10/2026", "Tháng 11/2026"}
    overview = AppTest.from_file(str(settings.ROOT / "app_pages" / "overview.py"), default_timeout=60).run()
    assert not overview.exception
    # the department's list shows the new file, under its own name, first
    assert _frame(at, "file_name", "submitted_by")["file_name"].iloc[0] == GOOD_NAME
    # sending the same file again changes nothing
    at.button(key="submit_send").click().run()
    assert not at.exception
    assert at.info and at.info[0].value.startswith("Không có gì thay đổi")
    assert queries.submissions(demo_copy, "STC", "accepted")["file_name"].to_list().count(GOOD_NAME) == 1


def test_a_busy_database_is_a_clear_message(demo_copy, monkeypatch):
    def busy(*args, **kwargs):
        raise db.DatabaseBusy("Cơ sở dữ liệu đang bận. Vui lòng thử lại sau ít phút.", "The database is busy.")

    monkeypatch.setattr(view, "preview_bytes", busy)
    at = _upload(_app("stc").run(), GOOD_NAME, GOOD_CSV, "text/csv")
    assert at.error and "đang bận" in at.error[0].value
    assert not at.success


def test_an_unreadable_file_is_a_report_not_a_traceback(demo_copy):
    at = _upload(_app("stc").run(), "hong.xlsx", b"\x00\x01 not a workbook", XLSX)
    assert at.error and at.error[0].value.startswith("Không đọc được tệp")
    assert len(at.dataframe[-1].value) >= 1


# --------------------------------------------------------------------------- view functions


def test_preview_bytes_writes_nothing_and_commit_keeps_the_upload_name_and_the_account(demo_copy):
    before = (_observations(demo_copy), queries.submissions(demo_copy).height)
    preview = view.preview_bytes(GOOD_NAME, REVISING_CSV, "stc", demo_copy, get_account(demo_copy, "stc"))
    assert (preview.status, preview.rows, preview.new_rows, preview.revised_rows) == ("accepted", 3, 2, 1)
    assert view.needs_confirmation(preview) and view.default_reason(preview) == "số chính thức"
    assert (_observations(demo_copy), queries.submissions(demo_copy).height) == before  # a check writes nothing
    result = view.commit(preview, "Số chính thức của Kho bạc")
    assert (result.status, result.new_rows, result.revised_rows) == ("accepted", 2, 1)
    latest = queries.submissions(demo_copy, "STC", limit=1).row(0, named=True)
    assert latest["file_name"] == GOOD_NAME and latest["submitted_by"] == "stc"
    assert latest["submitted_at"].date() == TODAY  # the commit's own time, on the dashboard's day
    again = view.preview_bytes(GOOD_NAME, REVISING_CSV, "STC", demo_copy)
    assert again.status == "unchanged" and not view.needs_confirmation(again)


def test_the_owner_rule_is_checked_where_the_file_is_written(demo_copy):
    before = _observations(demo_copy)
    # a session that still believes 'syt' submits for STC (say, moved since it logged in): the loader re-reads it
    stale = Account(username="syt", role="submitter", department="STC")
    with pytest.raises(PermissionDenied):
        view.preview_bytes(GOOD_NAME, GOOD_CSV, "STC", demo_copy, stale)
    assert _observations(demo_copy) == before
    assert queries.submissions(demo_copy, "STC", limit=1)["file_name"][0] != GOOD_NAME
    denied = db.query("SELECT actor FROM audit_log WHERE action = 'submission_denied'", None, demo_copy)
    assert "syt" in denied["actor"].to_list()  # the refusal is on record, as the command line records it


def test_a_refused_session_is_a_clear_message_on_the_page(demo_copy):
    at = _app("stc").run()
    at.session_state[SESSION_KEY] = Account(username="syt", role="submitter", department="STC")
    at.session_state["account_checked_at"] = 10**12  # keep the stale account for this run
    at = _upload(at.run(), GOOD_NAME, GOOD_CSV, "text/csv")
    assert at.error and "syt" in at.error[0].value and not at.success


def test_own_department_and_refusal():
    assert view.own_department(Account(username="a", role="submitter", department=" stc ")) == "STC"
    assert view.own_department(Account(username="a", role="analyst")) is None
    assert view.own_department(None) is None
    text = view.refusal(None, "en", lambda key: "HINT")
    assert text.startswith("Log in") and text.endswith("HINT")


def test_commit_waits_then_gives_up_while_another_writer_holds_the_file(demo_copy, monkeypatch):
    monkeypatch.setattr(settings, "LOCK_TIMEOUT_SECONDS", 0.3)
    preview = view.preview_bytes(GOOD_NAME, GOOD_CSV, "STC", demo_copy)
    holding, release = threading.Event(), threading.Event()

    def writer():
        with db.write(demo_copy, timeout=5):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(db.DatabaseBusy):
            view.commit(preview)
    finally:
        release.set()
        thread.join()
    assert queries.submissions(demo_copy, "STC", limit=1)["file_name"][0] != GOOD_NAME  # nothing recorded


def test_template_is_the_departments_workbook(demo_db, tmp_path):
    data = view.template_bytes(view.due_template(demo_db, "STC", TODAY))
    assert data[:2] == b"PK"
    path = tmp_path / view.template_name("STC", TODAY)
    path.write_bytes(data)
    assert path.name == "mau_nop_so_lieu_STC_2026-11-26.xlsx"
    frame = read_submission(path)
    codes = set(frame.data["indicator_code"].to_list())
    assert "IN-01" in codes and "IN-10" not in codes  # its own indicators only
    assert openpyxl.load_workbook(path, read_only=True).sheetnames[0] == "Số liệu"


def test_safe_name_drops_folders():
    assert view.safe_name("C:\\Users\\ke toan\\STC_thang_10.xlsx") == "STC_thang_10.xlsx"
    assert view.safe_name("../../etc/passwd") == "passwd"
    assert view.safe_name("") == "upload" and view.safe_name("..") == "upload"


def test_safe_name_keeps_any_name_an_office_computer_makes():
    assert view.safe_name("BaoCao_[SYT]_2025 (bản cuối) #1 ~$ @!%^&+=,;{}'`.xlsx") == (
        "BaoCao_[SYT]_2025 (bản cuối) #1 ~$ @!%^&+=,;{}'`.xlsx"
    )
    assert view.safe_name("a\x00b\x1b[31m.csv") == "a\u2400b\u241b[31m.csv"  # NUL cannot be saved, ESC never shown raw
    windows = "Báo cáo " + "số liệu rất dài " * 20 + ".xls"  # 328 characters: Windows allows it, Linux does not
    short = view.safe_name(windows)
    assert len(short.encode()) <= 255 and short.startswith("Báo cáo số liệu") and short.endswith("….xls")


def test_a_long_vietnamese_name_and_an_office_format_through_the_page(demo_copy, tmp_path):
    from office_files import write_xls

    name = "Báo cáo [STC] " + "số liệu tháng 11 " * 15 + ".xls"
    rows = [["Mã chỉ số", "Kỳ báo cáo", "Giá trị", "Ghi chú"], ["IN-01", "2026-11", 5123.4, "ước tính"]]
    data = write_xls(tmp_path / "x.xls", [("Hướng dẫn", [["Điền vào trang sau"]]), ("Số liệu", rows)]).read_bytes()
    at = _upload(_app("stc").run(), name, data, "application/vnd.ms-excel")
    assert at.success, [e.value for e in at.error]
    recorded = queries.submissions(demo_copy, "STC", limit=1)["file_name"][0]
    assert recorded == view.safe_name(name) and recorded.endswith(".xls")


def test_a_refused_format_is_said_in_vietnamese_on_the_page(demo_copy):
    with io.BytesIO() as out:
        import zipfile

        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.bin", b"\x00")
        data = out.getvalue()
    at = _upload(_app("stc").run(), "so_lieu.xlsb", data, "application/octet-stream")
    assert at.error and at.error[0].value.startswith("Không đọc được tệp")
    report = next(d.value for d in at.dataframe if "Nội dung" in d.value.columns)
    message = report["Nội dung"].iloc[0]
    assert ".xlsb" in message and "Lưu thành" in message  # what was found, and how to save it
    assert queries.submissions(demo_copy, "STC", limit=1)["unreadable"][0]  # kept, marked unreadable


def test_report_frame_in_both_languages():
    errors = [
        RowError(5, "Giá trị", None, "Thiếu giá trị.", "No value."),
        {"row": 2, "column": "Kỳ báo cáo", "value": "2030", "message_vi": "Kỳ tương lai", "message_en": "Future"},
        RowError(None, None, None, "Tệp trống.", "Empty file."),
    ]
    vi = view.report_frame(errors, "vi")
    assert vi.columns == list(view.REPORT_COLUMNS)
    assert vi["row"].to_list() == [None, 2, 5]  # file-level problems first, then sheet order
    assert vi["message"].to_list() == ["Tệp trống.", "Kỳ tương lai", "Thiếu giá trị."]
    assert view.report_frame(errors, "en")["message"].to_list() == ["Empty file.", "Future", "No value."]
    shown = view.report_display(vi, lambda key, **kw: {"submit.empty_cell": "(trống)"}.get(key, key))
    assert shown.row(0) == ("–", "–", "(trống)", "Tệp trống.")


def test_headline_for_each_outcome():
    t = lambda key, **kw: f"{key}|{','.join(f'{k}={v}' for k, v in sorted(kw.items()))}"  # noqa: E731
    rejected = view.Outcome("STC", "a.xlsx", "rejected", 3, errors=[{"row": 2}] * 12)
    assert view.headline(rejected, t, str) == ("error", "submit.rejected|file=a.xlsx,n=submit.n_problems.other|n=12")
    accepted = view.Outcome("STC", "a.csv", "accepted", 1, 1, 0, 9)
    assert view.headline(accepted, t, str) == (
        "success",
        "submit.accepted|file=a.csv,new=1,revised=0,rows=submit.n_rows.one|n=1",
    )
    assert view.headline(view.Outcome("STC", "a.csv", "unchanged", 3), t, str)[0] == "info"
    unreadable = view.Outcome("STC", "a.pdf", "rejected", 0, errors=[{"row": None}])
    assert view.headline(unreadable, t, str) == ("error", "submit.unreadable|file=a.pdf")


def test_recent_table_labels_the_status():
    subs = pl.DataFrame(
        {
            "submitted_at": [dt.datetime(2026, 1, 1)],
            "file_name": ["x.xlsx"],
            "status": ["rejected"],
            "rows": [3],
            "new_rows": [0],
            "revised_rows": [0],
            "n_errors": [2],
            "unreadable": [False],
            "submitted_by": ["demo"],
        }
    )
    assert view.recent_table(subs, lambda key: {"ui.rejected": "Bị từ chối"}.get(key, key))["status"][0] == "Bị từ chối"
    unreadable = subs.with_columns(pl.lit(True).alias("unreadable"), pl.lit(0).alias("rows"))
    assert view.recent_table(unreadable, lambda key: key)["status"][0] == "ui.unreadable"
