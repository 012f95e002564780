"""/accounts: administrators add, disable, enable, reset passwords, change roles and departments; every change
audited; a change ends the account's login sessions; nobody else may (issue 9 item 5)."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import db
import settings
from auth import accounts, audit, passwords, sessions
from auth.accounts import get_account
from auth.errors import AccountDisabled, LoginFailed
from dashboard.login import SESSION_KEY

PAGE = str(settings.ROOT / "app_pages" / "accounts.py")
NEW_PASSWORD = "mật-khẩu-mới-của-sở-y-tế"


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


def _run(db_path, username: str | None, **params) -> AppTest:
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if username is not None:
        at.session_state[SESSION_KEY] = get_account(db_path, username)
    return at.run()


def _last(db_path, action: str) -> tuple[str, str, dict | None]:
    row = audit.read_audit(db_path, action=action, limit=1).row(0, named=True)
    return row["actor"], row["target"], json.loads(row["detail"]) if row["detail"] else None


@pytest.mark.parametrize("username", [None, "lanhdao", "phantich", "syt"])
def test_only_administrators_may_open_the_page(demo_copy, username):
    at = _run(demo_copy, username)
    assert not at.exception
    assert at.error and not at.dataframe and not at.text_input


def test_the_table_lists_every_account_in_words(demo_copy):
    at = _run(demo_copy, "quantri")
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert len(table) == len(accounts.list_accounts(demo_copy))
    syt = table[table["username"] == "syt"].iloc[0]
    assert (syt["role"], syt["department"], syt["status"]) == ("cán bộ nộp số liệu", "SYT", "Đang hoạt động")


def test_an_administrator_adds_an_account_and_it_is_audited(demo_copy):
    at = _run(demo_copy, "quantri")
    at.text_input(key="add_username").input("Nguyen.VanA")
    at.text_input(key="add_display_name").input("Nguyễn Văn A")
    at.selectbox(key="add_role").select("submitter")
    at.selectbox(key="add_department").select("SYT")
    at.text_input(key="add_password").input(NEW_PASSWORD)
    at.text_input(key="add_password_again").input(NEW_PASSWORD)
    at.button(key="add_submit").click().run()
    assert not at.exception and not at.error
    assert at.success and "nguyen.vana" in at.success[0].value
    created = get_account(demo_copy, "nguyen.vana")
    assert (created.role, created.department, created.display_name) == ("submitter", "SYT", "Nguyễn Văn A")
    assert accounts.authenticate(demo_copy, "nguyen.vana", NEW_PASSWORD).username == "nguyen.vana"
    actor, target, detail = _last(demo_copy, "account_added")
    assert (actor, target, detail["role"], detail["department"]) == ("quantri", "nguyen.vana", "submitter", "SYT")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"add_username": "x1", "add_password": NEW_PASSWORD, "add_password_again": "khác-hẳn-mật-khẩu"}, "không khớp"),
        ({"add_username": "x2", "add_password": "ngan", "add_password_again": "ngan"}, "ít nhất 10 ký tự"),
        ({"add_username": "syt", "add_password": NEW_PASSWORD, "add_password_again": NEW_PASSWORD}, "đã tồn tại"),
        (
            {"add_username": "bad name", "add_password": NEW_PASSWORD, "add_password_again": NEW_PASSWORD},
            "không hợp lệ",
        ),
    ],
)
def test_a_refused_addition_says_why_in_words_and_writes_nothing(demo_copy, fields, message):
    before = len(accounts.list_accounts(demo_copy))
    at = _run(demo_copy, "quantri")
    for key, value in fields.items():
        at.text_input(key=key).input(value)
    at.button(key="add_submit").click().run()
    assert not at.exception
    assert at.error and message in at.error[0].value
    assert len(accounts.list_accounts(demo_copy)) == before


def test_a_submitter_needs_a_department(demo_copy):
    at = _run(demo_copy, "quantri")
    at.text_input(key="add_username").input("khongso")
    at.selectbox(key="add_role").select("submitter")
    at.text_input(key="add_password").input(NEW_PASSWORD)
    at.text_input(key="add_password_again").input(NEW_PASSWORD)
    at.button(key="add_submit").click().run()
    assert at.error and "cần thuộc một sở, ngành" in at.error[0].value
    assert get_account(demo_copy, "khongso") is None


def test_a_role_change_ends_the_sessions_and_is_audited(demo_copy):
    token = sessions.open_session(demo_copy, get_account(demo_copy, "syt"))
    at = _run(demo_copy, "quantri", user="syt")
    at.selectbox(key="edit_role").select("analyst")
    at.selectbox(key="edit_department").select("")
    at.button(key="role_submit").click().run()
    assert not at.exception and not at.error and at.success
    assert (get_account(demo_copy, "syt").role, get_account(demo_copy, "syt").department) == ("analyst", None)
    assert sessions.resume(demo_copy, token) is None
    assert _last(demo_copy, "role_changed") == (
        "quantri",
        "syt",
        {"role": ["submitter", "analyst"], "department": ["SYT", None]},
    )


def test_a_password_reset_replaces_the_password_and_ends_the_sessions(demo_copy):
    token = sessions.open_session(demo_copy, get_account(demo_copy, "syt"))
    at = _run(demo_copy, "quantri", user="syt")
    at.text_input(key="reset_password").input(NEW_PASSWORD)
    at.text_input(key="reset_password_again").input(NEW_PASSWORD)
    at.button(key="password_submit").click().run()
    assert not at.exception and not at.error and at.success
    with pytest.raises(LoginFailed):
        accounts.authenticate(demo_copy, "syt", "demo-bacninh-2026")
    assert accounts.authenticate(demo_copy, "syt", NEW_PASSWORD).username == "syt"
    assert sessions.resume(demo_copy, token) is None
    assert _last(demo_copy, "password_changed")[:2] == ("quantri", "syt")


def test_disable_then_enable(demo_copy):
    at = _run(demo_copy, "quantri", user="stc")
    at.button(key="disable_submit").click().run()
    assert not at.exception and at.success
    with pytest.raises(AccountDisabled):
        accounts.authenticate(demo_copy, "stc", "demo-bacninh-2026")
    at = _run(demo_copy, "quantri", user="stc")
    assert "Đã vô hiệu hóa" in at.dataframe[0].value.set_index("username").loc["stc", "status"]
    at.button(key="enable_submit").click().run()
    assert not at.exception and at.success
    assert accounts.authenticate(demo_copy, "stc", "demo-bacninh-2026").username == "stc"
    assert [_last(demo_copy, a)[:2] for a in ("account_disabled", "account_enabled")] == [("quantri", "stc")] * 2


def test_an_administrator_cannot_disable_or_demote_their_own_account(demo_copy):
    at = _run(demo_copy, "quantri", user="quantri")
    at.button(key="disable_submit").click().run()
    assert at.error and "chính mình" in at.error[0].value
    at = _run(demo_copy, "quantri", user="quantri")
    at.selectbox(key="edit_role").select("leader")
    at.button(key="role_submit").click().run()
    assert at.error and "chính mình" in at.error[0].value
    assert get_account(demo_copy, "quantri").role == "admin" and not get_account(demo_copy, "quantri").disabled


def test_a_session_whose_admin_right_was_withdrawn_changes_nothing(demo_copy):
    accounts.add_account(demo_copy, "quantri2", "admin", NEW_PASSWORD)
    at = _run(demo_copy, "quantri", user="stc")  # the page was opened as an admin...
    accounts.set_role(demo_copy, "quantri", "leader", actor="quantri2")  # ...then the right was withdrawn
    at.button(key="disable_submit").click().run()
    assert not at.exception
    assert not get_account(demo_copy, "stc").disabled
    with db.read(demo_copy) as con:
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'account_disabled'").fetchone()[0] == 0


def test_the_acting_account_is_read_again_before_a_change(demo_copy):
    from auth.errors import PermissionDenied
    from dashboard.views import accounts as view

    stale = get_account(demo_copy, "quantri")
    accounts.add_account(demo_copy, "quantri2", "admin", NEW_PASSWORD)
    assert view.acting_admin(demo_copy, stale) == "quantri"
    accounts.set_role(demo_copy, "quantri", "leader", actor="quantri2")
    with pytest.raises(PermissionDenied):
        view.acting_admin(demo_copy, stale)
