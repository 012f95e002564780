"""/audit: admins only; rows read as sentences in both languages; filters by date, action, account, department;
the download is the filtered rows through the common export code (issue 9 item 5)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import db
import settings
from auth import accounts, audit
from auth.accounts import get_account
from dashboard.login import SESSION_KEY
from dashboard.views import audit as view

PAGE = str(settings.ROOT / "app_pages" / "audit.py")
DAY = datetime(2027, 1, 5, 9, 30)  # after the demo's last day: only these rows


def _run(account=None, **params) -> AppTest:
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if account is not None:
        at.session_state[SESSION_KEY] = account
    return at.run()


def _table(at: AppTest):
    return next(df.value for df in at.dataframe if "detail" in df.value.columns)


@pytest.fixture
def logged(demo_copy):
    """The demo's log plus a day of hand-made events with known details."""
    with db.write(demo_copy) as con:
        audit.record(
            con,
            "quantri",
            audit.ROLE_CHANGED,
            "syt",
            {"role": ["submitter", "analyst"], "department": ["SYT", None]},
            DAY,
        )
        audit.record(
            con, "lanhdao", audit.LOGIN_FAILED, "lanhdao", {"reason": "wrong_password", "client": "10.0.0.7"}, DAY
        )
        audit.record(con, None, audit.ACCOUNT_DISABLED, "stc", None, DAY)
        audit.record(con, "cli:root", audit.PASSWORD_CHANGED, "phantich", None, DAY)
        audit.record(con, "phantich", audit.EXPORT, "bang.csv", {"format": "csv", "rows": 1234}, DAY)
    return demo_copy


def test_an_anonymous_reader_is_refused(demo_db):
    at = _run()
    assert not at.exception
    assert at.error and "quản trị" in at.error[0].value.lower()
    assert not at.dataframe


def test_a_department_account_is_refused(demo_db):
    at = _run(get_account(demo_db, "syt"))
    assert at.error and "cán bộ nộp số liệu" in at.error[0].value and not at.dataframe


def test_rows_read_as_sentences_in_vietnamese(logged):
    at = _run(get_account(logged, "quantri"), **{"from": "2027-01-05", "to": "2027-01-05"})
    assert not at.exception and not at.error
    rows = {r["what"]: r for r in _table(at).to_dict("records")}
    assert rows["Đổi vai trò, sở ngành"]["detail"] == (
        "vai trò: cán bộ nộp số liệu → chuyên viên phân tích; sở, ngành: SYT → —"
    )
    assert rows["Đổi vai trò, sở ngành"]["who"] == "quantri" and rows["Đổi vai trò, sở ngành"]["target"] == "syt"
    assert rows["Đăng nhập không thành công"]["detail"] == "lý do: sai mật khẩu; từ địa chỉ: 10.0.0.7"
    assert rows["Vô hiệu hóa tài khoản"]["who"] == "Máy chủ (dòng lệnh)"  # not None
    assert rows["Đặt lại mật khẩu"]["who"] == "Dòng lệnh trên máy chủ (root)"
    assert rows["Tải dữ liệu xuống"]["detail"] == "định dạng: csv; số dòng: 1.234"
    assert not any(cell.startswith("{") for r in rows.values() for cell in r.values() if isinstance(cell, str))


def test_rows_read_as_sentences_in_english(logged):
    at = _run(get_account(logged, "quantri"), lang="en", **{"from": "2027-01-05", "to": "2027-01-05"})
    rows = {r["what"]: r for r in _table(at).to_dict("records")}
    assert rows["Role or department changed"]["detail"] == "role: submitter → analyst; department: SYT → —"
    assert rows["Account disabled"]["who"] == "Server (command line)"


def test_filters_by_date_action_account_and_department(logged):
    admin = get_account(logged, "quantri")
    day = {"from": "2027-01-05", "to": "2027-01-05"}
    assert len(_table(_run(admin, **day))) == 5
    only = _table(_run(admin, **day, action="export"))
    assert list(only["what"]) == ["Tải dữ liệu xuống"]
    by = _table(_run(admin, **day, actor="lanhdao"))
    assert list(by["what"]) == ["Đăng nhập không thành công"]
    server = _table(_run(admin, **day, actor=audit.NO_ACTOR))
    assert list(server["what"]) == ["Vô hiệu hóa tài khoản"]
    stc = _table(_run(admin, department="STC"))  # the STC account disabled, and every STC submission
    assert "Vô hiệu hóa tài khoản" in set(stc["what"]) and set(stc["department"]) == {"STC"}
    assert "Nộp tệp số liệu" in set(stc["what"])


def test_a_submission_and_a_catalogue_change_read_in_words():
    submission = json.dumps(
        {"submission_id": 7, "file_name": "syt.xlsx", "status": "accepted", "rows": 104, "new_rows": 1,
         "revised_rows": 103, "errors": 0}
    )  # fmt: skip
    assert view.detail_text("submission", submission, "vi") == (
        "Tệp syt.xlsx: đã tiếp nhận 104 dòng (1 mới, 103 sửa đổi); lần nộp số 7"
    )
    catalogue = json.dumps(
        {"indicators": 74, "added": [], "removed": ["X-1"], "changes": [["IN-01", "targets.2026", 62000.0, 65000.0]],
         "changes_total": 1, "file_hash": "ab"}
    )  # fmt: skip
    assert view.detail_text("catalogue_load", catalogue, "vi") == (
        "74 chỉ số; bỏ: X-1; IN-01 · Chỉ tiêu năm 2026: 62.000 → 65.000"
    )
    assert view.detail_text("catalogue_load", catalogue, "en") == (
        "74 indicators; removed: X-1; IN-01 · Target for 2026: 62,000 → 65,000"
    )


def test_the_download_is_the_filtered_rows_through_the_export_code(logged):
    at = _run(get_account(logged, "quantri"), action="export")
    assert [b.label for b in at.get("download_button")] == ["Tải CSV", "Tải Excel (XLSX)"]


def test_an_account_change_made_on_the_page_shows_in_the_log(logged):
    accounts.set_role(logged, "lanhdao", "analyst", actor="quantri", now=datetime(2027, 2, 1, 8, 0))
    rows = _table(_run(get_account(logged, "quantri"), action="role_changed")).to_dict("records")
    assert rows[0]["detail"] == "vai trò: lãnh đạo → chuyên viên phân tích"  # the department did not change
