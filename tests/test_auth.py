"""Accounts, passwords, lockout, roles, the owner rule, the command line and the Streamlit gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import db
import settings
from auth import accounts, audit, passwords, roles
from auth.accounts import ANONYMOUS, Account
from auth.errors import (
    AccountDisabled,
    AccountError,
    LoginFailed,
    LoginThrottled,
    PasswordPolicyError,
    PermissionDenied,
)

PASSWORD = "đúng-mật-khẩu-2025"
T0 = datetime(2026, 3, 2, 8, 0, 0)


# Tests that must see the production argon2 parameters; the others use cheap ones to stay fast.
_REAL_HASHING = {"test_hash_is_argon2id_and_the_password_is_never_stored", "test_production_hasher_parameters"}


@pytest.fixture(autouse=True)
def _fast_hashing(request, monkeypatch) -> None:
    if request.node.originalname in _REAL_HASHING:
        return
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    passwords._dummy_hash.cache_clear()
    request.addfinalizer(passwords._dummy_hash.cache_clear)


@pytest.fixture
def dbpath(tmp_path: Path) -> Path:
    """A fresh database with two departments and no accounts."""
    path = tmp_path / "indicators.duckdb"
    with db.write(path) as con:
        con.execute("INSERT INTO departments VALUES ('FIN', 'Sở Tài chính', 'Finance'), ('HEA', 'Sở Y tế', 'Health')")
    return path


def _raw_accounts(path: Path) -> list[tuple]:
    with db.read(path) as con:
        return con.execute("SELECT * FROM accounts").fetchall()


# ---------------------------------------------------------------- passwords


def test_hash_is_argon2id_and_the_password_is_never_stored(dbpath: Path) -> None:
    accounts.add_account(dbpath, "fin.staff", "submitter", PASSWORD, department="FIN", actor="test")
    rows = _raw_accounts(dbpath)
    assert len(rows) == 1
    with db.read(dbpath) as con:
        stored = con.execute("SELECT password_hash FROM accounts").fetchone()[0]
        audit_text = " ".join(str(r) for r in con.execute("SELECT * FROM audit_log").fetchall())
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in str(rows) and PASSWORD not in audit_text
    assert PASSWORD.encode() not in dbpath.read_bytes()
    assert passwords.verify_password(stored, PASSWORD)
    assert not passwords.verify_password(stored, PASSWORD + "x")


def test_production_hasher_parameters() -> None:
    """argon2id with at least RFC 9106's low-memory profile (t=3, 64 MiB)."""
    from argon2 import Type
    from argon2.low_level import ARGON2_VERSION

    params = passwords._hasher
    assert params.type is Type.ID
    assert params.time_cost >= 3 and params.memory_cost >= 65536
    assert passwords.hash_password(PASSWORD).startswith(f"$argon2id$v={ARGON2_VERSION}$m={params.memory_cost},")


def test_two_hashes_of_one_password_differ_and_junk_hashes_fail() -> None:
    first, second = passwords.hash_password(PASSWORD), passwords.hash_password(PASSWORD)
    assert first != second  # salted
    assert not passwords.verify_password("not-a-hash", PASSWORD)
    assert not passwords.verify_password(None, PASSWORD)
    assert not passwords.needs_rehash(first)
    assert passwords.needs_rehash("not-a-hash")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("123456789", False),  # 9 characters
        ("1234567890", True),  # 10
        (" " * 12, False),
        ("fin.staff", False),
        ("FIN.STAFF!", True),  # differs from the username
        ("x" * 1025, False),
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    if ok:
        passwords.check_policy(password, "fin.staff")
    else:
        with pytest.raises(PasswordPolicyError) as caught:
            passwords.check_policy(password, "fin.staff")
        assert caught.value.message_vi and caught.value.message_en


def test_weak_password_is_refused_and_nothing_written(dbpath: Path) -> None:
    with pytest.raises(PasswordPolicyError):
        accounts.add_account(dbpath, "leader1", "leader", "short")
    assert _raw_accounts(dbpath) == []


def test_login_rehashes_a_weak_hash(dbpath: Path) -> None:
    accounts.add_account(dbpath, "leader1", "leader", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with db.write(dbpath) as con:
        con.execute("UPDATE accounts SET password_hash = ? WHERE username = 'leader1'", [weak])
    accounts.authenticate(dbpath, "leader1", PASSWORD, T0)
    with db.read(dbpath) as con:
        stored = con.execute("SELECT password_hash FROM accounts").fetchone()[0]
    assert stored != weak and not passwords.needs_rehash(stored)


# ---------------------------------------------------------------- creating accounts


def test_submitter_needs_a_known_department_and_others_none(dbpath: Path) -> None:
    with pytest.raises(AccountError):
        accounts.add_account(dbpath, "s1", "submitter", PASSWORD)
    with pytest.raises(AccountError):
        accounts.add_account(dbpath, "s1", "submitter", PASSWORD, department="NOPE")
    with pytest.raises(AccountError):
        accounts.add_account(dbpath, "l1", "leader", PASSWORD, department="FIN")
    with pytest.raises(AccountError):
        accounts.add_account(dbpath, "x1", "superuser", PASSWORD)
    assert _raw_accounts(dbpath) == []
    created = accounts.add_account(dbpath, " S1 ", "Submitter", PASSWORD, department=" fin ")
    assert (created.username, created.role, created.department) == ("s1", "submitter", "FIN")


@pytest.mark.parametrize("bad", ["a", "anonymous", "has space", "x'; DROP TABLE accounts; --", "é" * 3, "a" * 65])
def test_bad_usernames_are_refused(dbpath: Path, bad: str) -> None:
    with pytest.raises(AccountError):
        accounts.add_account(dbpath, bad, "leader", PASSWORD)
    assert _raw_accounts(dbpath) == []


def test_duplicate_username_and_email_are_refused(dbpath: Path) -> None:
    accounts.add_account(dbpath, "a1", "analyst", PASSWORD, email="Analyst@BacNinh.gov.vn")
    with pytest.raises(AccountError):
        accounts.add_account(dbpath, "A1", "leader", PASSWORD)
    with pytest.raises(AccountError):
        accounts.add_account(dbpath, "a2", "leader", PASSWORD, email="analyst@bacninh.gov.vn")
    assert [a.username for a in accounts.list_accounts(dbpath)] == ["a1"]
    found = accounts.account_for_email(dbpath, " ANALYST@bacninh.gov.vn ")
    assert found is not None and found.username == "a1"
    assert accounts.account_for_email(dbpath, "other@bacninh.gov.vn") is None
    assert accounts.account_for_email(dbpath, None) is None


def test_oidc_only_account_has_no_password_and_cannot_log_in_locally(dbpath: Path) -> None:
    with pytest.raises(AccountError):
        accounts.add_account(dbpath, "oidc1", "leader", None)  # no email
    accounts.add_account(dbpath, "oidc1", "leader", None, email="leader@bacninh.gov.vn")
    with pytest.raises(LoginFailed):
        accounts.authenticate(dbpath, "oidc1", "", T0)
    assert accounts.login_with_identity(dbpath, "Leader@BacNinh.gov.vn", T0).username == "oidc1"
    with pytest.raises(AccountError) as caught:
        accounts.login_with_identity(dbpath, "stranger@example.com", T0)
    assert "stranger@example.com" in caught.value.message_en


# ---------------------------------------------------------------- logging in


def test_unknown_user_and_wrong_password_give_the_same_message(dbpath: Path, monkeypatch) -> None:
    accounts.add_account(dbpath, "leader1", "leader", PASSWORD)
    spent: list[str] = []
    real = passwords._verify_dummy
    monkeypatch.setattr(passwords, "_verify_dummy", lambda pw: (spent.append(pw), real(pw)))
    with pytest.raises(LoginFailed) as unknown:
        accounts.authenticate(dbpath, "nobody", PASSWORD, T0)
    assert spent == [PASSWORD]  # an unknown user still costs one argon2 check
    with pytest.raises(LoginFailed) as wrong:
        accounts.authenticate(dbpath, "leader1", "wrong-password-123", T0)
    assert type(unknown.value) is type(wrong.value)
    assert (unknown.value.message_vi, unknown.value.message_en) == (wrong.value.message_vi, wrong.value.message_en)
    assert "nobody" not in unknown.value.message_en


def test_success_returns_the_account_case_insensitively(dbpath: Path) -> None:
    accounts.add_account(dbpath, "fin.staff", "submitter", PASSWORD, department="FIN", display_name="Nguyễn Văn A")
    account = accounts.authenticate(dbpath, "  FIN.Staff ", PASSWORD, T0)
    assert (account.username, account.role, account.department, account.label) == (
        "fin.staff",
        "submitter",
        "FIN",
        "Nguyễn Văn A",
    )


def test_five_failures_hold_the_name_back_and_the_hold_ends_fifteen_minutes_later(dbpath: Path) -> None:
    accounts.add_account(dbpath, "leader1", "leader", PASSWORD)
    for attempt in range(1, 5):
        with pytest.raises(LoginFailed):
            accounts.authenticate(dbpath, "leader1", f"wrong-password-{attempt}", T0)
    with pytest.raises(LoginThrottled) as held:
        accounts.authenticate(dbpath, "leader1", "wrong-password-5", T0)
    assert held.value.minutes == 15
    # Held back: even the right password is refused until the failures are 15 minutes old.
    with pytest.raises(LoginThrottled) as still:
        accounts.authenticate(dbpath, "leader1", PASSWORD, T0 + timedelta(minutes=14, seconds=1))
    assert still.value.minutes == 1
    account = accounts.authenticate(dbpath, "leader1", PASSWORD, T0 + timedelta(minutes=15))
    assert account.username == "leader1"


def test_a_success_resets_this_clients_failures(dbpath: Path) -> None:
    accounts.add_account(dbpath, "leader1", "leader", PASSWORD)
    for _ in range(2):
        for _ in range(4):
            with pytest.raises(LoginFailed):
                accounts.authenticate(dbpath, "leader1", "wrong-password", T0)
        accounts.authenticate(dbpath, "leader1", PASSWORD, T0)


def test_disabled_account_cannot_log_in_until_enabled(dbpath: Path) -> None:
    accounts.add_account(dbpath, "leader1", "leader", PASSWORD)
    accounts.disable_account(dbpath, "leader1", actor="admin")
    with pytest.raises(AccountDisabled):
        accounts.authenticate(dbpath, "leader1", PASSWORD, T0)
    with pytest.raises(LoginFailed) as wrong:  # a wrong password says nothing about the account
        accounts.authenticate(dbpath, "leader1", "wrong-password", T0)
    assert not isinstance(wrong.value, AccountDisabled)
    with pytest.raises(AccountDisabled):
        accounts.add_account(dbpath, "oidc1", "leader", None, email="l@bacninh.gov.vn")
        accounts.disable_account(dbpath, "oidc1")
        accounts.login_with_identity(dbpath, "l@bacninh.gov.vn", T0)
    accounts.enable_account(dbpath, "leader1", actor="admin")
    assert accounts.authenticate(dbpath, "leader1", PASSWORD, T0).username == "leader1"


def test_set_password_replaces_the_old_one_and_lifts_a_hold(dbpath: Path) -> None:
    accounts.add_account(dbpath, "leader1", "leader", PASSWORD)
    for _ in range(5):
        with pytest.raises((LoginFailed, LoginThrottled)):
            accounts.authenticate(dbpath, "leader1", "wrong-password", T0)
    accounts.set_password(dbpath, "leader1", "một mật khẩu mới hơn", actor="admin")
    with pytest.raises(LoginFailed):
        accounts.authenticate(dbpath, "leader1", PASSWORD, T0)
    assert accounts.authenticate(dbpath, "leader1", "một mật khẩu mới hơn", T0).username == "leader1"
    with pytest.raises(AccountError):
        accounts.set_password(dbpath, "nobody", "một mật khẩu mới hơn")


def test_a_hostile_username_is_bound_not_run(dbpath: Path) -> None:
    accounts.add_account(dbpath, "leader1", "leader", PASSWORD)
    with pytest.raises(LoginFailed):
        accounts.authenticate(dbpath, "x' OR '1'='1", "' OR '1'='1", T0)
    with pytest.raises(LoginFailed):
        accounts.authenticate(dbpath, "leader1' --", PASSWORD, T0)
    assert [a.username for a in accounts.list_accounts(dbpath)] == ["leader1"]


# ---------------------------------------------------------------- roles


def _acct(role: str, department: str | None = None, **kw) -> Account:
    return Account(username=f"u_{role}", role=role, department=department, **kw)


MATRIX = [
    # role,     read,  export, submit, admin, ask,  answer
    ("leader", True, True, False, False, True, False),  # leaders copy charts into reports and ask for explanations
    ("analyst", True, True, False, False, False, False),
    ("submitter", True, False, True, False, False, True),  # a department answers what it is asked
    ("admin", True, True, False, True, True, False),
]


@pytest.mark.parametrize(("role", "read", "export", "submit", "admin", "ask", "answer"), MATRIX)
def test_roles_matrix(role: str, read: bool, export: bool, submit: bool, admin: bool, ask: bool, answer: bool) -> None:
    account = _acct(role, "FIN" if role == "submitter" else None)
    got = {action: roles.can(account, action) for action in roles.ACTIONS}
    expected = {"read": read, "export": export, "submit": submit, "admin": admin, "ask": ask, "answer": answer}
    assert got == expected


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        (ANONYMOUS, {"read", "export"}),
        (None, set()),
        (_acct("admin", disabled=True), set()),
        (_acct("unknown-role"), set()),
    ],
)
def test_anonymous_none_disabled_and_unknown_roles(account: Account | None, expected: set[str]) -> None:
    assert {a for a in roles.ACTIONS if roles.can(account, a)} == expected


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        roles.can(_acct("admin"), "delete")


@pytest.mark.parametrize(
    ("account", "department", "allowed"),
    [
        (_acct("submitter", "FIN"), "FIN", True),
        (_acct("submitter", "FIN"), " fin ", True),
        (_acct("submitter", "FIN"), "HEA", False),
        (_acct("submitter", "FIN"), "", False),
        (_acct("submitter", None), "FIN", False),
        (_acct("submitter", "FIN", disabled=True), "FIN", False),
        (_acct("admin"), "FIN", False),
        (_acct("analyst"), "FIN", False),
        (_acct("leader"), "FIN", False),
        (ANONYMOUS, "FIN", False),
        (None, "FIN", False),
    ],
)
def test_check_can_submit(account: Account | None, department: str, allowed: bool) -> None:
    if allowed:
        roles.check_can_submit(account, department)
    else:
        with pytest.raises(PermissionDenied) as caught:
            roles.check_can_submit(account, department)
        assert caught.value.message_vi and caught.value.message_en


def test_authorize_submission_rereads_the_account_where_data_is_written(dbpath: Path) -> None:
    accounts.add_account(dbpath, "fin.staff", "submitter", PASSWORD, department="FIN")
    session_copy = accounts.authenticate(dbpath, "fin.staff", PASSWORD, T0)
    with db.write(dbpath) as con:
        roles.authorize_submission(con, session_copy.username, "FIN")
        with pytest.raises(PermissionDenied):
            roles.authorize_submission(con, session_copy.username, "HEA")
        with pytest.raises(PermissionDenied):
            roles.authorize_submission(con, "nobody", "FIN")
    accounts.disable_account(dbpath, "fin.staff")
    roles.check_can_submit(session_copy, "FIN")  # the stale session copy still says yes ...
    with db.write(dbpath) as con, pytest.raises(PermissionDenied):
        roles.authorize_submission(con, session_copy.username, "FIN")  # ... the database says no
    denied = audit.read_audit(dbpath, action="submission_denied")
    assert denied["actor"].to_list() == ["fin.staff", "nobody", "fin.staff"]
    assert denied["target"].to_list() == ["FIN", "FIN", "HEA"]


# ---------------------------------------------------------------- command line


def _cli(*args: str, password: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("INDICATORS_PASSWORD", "INDICATORS_DB")}
    if password is not None:
        env["INDICATORS_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "auth", *args],
        cwd=settings.ROOT,
        env=env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_add_disable_enable_list(dbpath: Path) -> None:
    db_arg = ("--db", str(dbpath))
    done = _cli(
        *db_arg, "accounts", "add", "fin.staff", "--role", "submitter", "--department", "FIN", password=PASSWORD
    )
    assert done.returncode == 0, done.stderr
    assert "fin.staff" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    done = _cli(
        *db_arg, "accounts", "add", "boss", "--role", "admin", "--email", "boss@bacninh.gov.vn", password=PASSWORD
    )
    assert done.returncode == 0, done.stderr

    listed = _cli(*db_arg, "accounts", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["username"]: r for r in json.loads(listed.stdout)}
    assert rows["fin.staff"]["role"] == "submitter" and rows["fin.staff"]["department"] == "FIN"
    assert rows["fin.staff"]["status"] == "active" and rows["boss"]["email"] == "boss@bacninh.gov.vn"
    assert accounts.authenticate(dbpath, "fin.staff", PASSWORD, T0).role == "submitter"

    assert _cli("accounts", "disable", "fin.staff", "--db", str(dbpath)).returncode == 0  # --db after the command
    listed = _cli(*db_arg, "accounts", "list")
    assert listed.returncode == 0
    assert any(line.startswith("fin.staff") and "disabled" in line for line in listed.stdout.splitlines())
    with pytest.raises(AccountDisabled):
        accounts.authenticate(dbpath, "fin.staff", PASSWORD, T0)

    assert _cli(*db_arg, "accounts", "enable", "fin.staff").returncode == 0
    assert _cli(*db_arg, "accounts", "passwd", "fin.staff", password="mật khẩu thứ hai").returncode == 0
    assert accounts.authenticate(dbpath, "fin.staff", "mật khẩu thứ hai", T0).username == "fin.staff"


@pytest.mark.parametrize(
    ("args", "password", "code"),
    [
        (("accounts", "add", "x1", "--role", "boss"), PASSWORD, 2),  # unknown role
        (("accounts", "add", "x1", "--role", "submitter", "--department", "NOPE"), PASSWORD, 2),
        (("accounts", "add", "x1", "--role", "submitter"), PASSWORD, 2),  # no department
        (("accounts", "add", "x1", "--role", "leader"), "short", 2),  # weak password
        (("accounts", "add", "x1", "--role", "leader"), None, 2),  # no password, no terminal
        (("accounts", "add", "x1", "--role", "leader", "--password", PASSWORD), PASSWORD, 2),  # never an argument
        (("accounts", "add", "bad name", "--role", "leader"), PASSWORD, 2),
        (("accounts", "disable", "nobody"), None, 2),
        (("accounts", "frobnicate"), None, 2),
        (("accounts",), None, 2),
        ((), None, 2),
        (("--db",), None, 2),
    ],
)
def test_cli_bad_input_gives_a_message_and_no_traceback(
    dbpath: Path, args: tuple[str, ...], password: str | None, code: int
) -> None:
    done = _cli("--db", str(dbpath), *args, password=password) if args != ("--db",) else _cli(*args)
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.strip()
    assert _raw_accounts(dbpath) == []


def test_cli_on_a_missing_database_fails_without_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    done = _cli("--db", str(missing), "accounts", "add", "x1", "--role", "leader", password=PASSWORD)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "loaders init" in done.stderr
    assert not missing.exists()


def test_cli_duplicate_account_is_a_usage_error(dbpath: Path) -> None:
    assert _cli("--db", str(dbpath), "accounts", "add", "a1", "--role", "leader", password=PASSWORD).returncode == 0
    again = _cli("--db", str(dbpath), "accounts", "add", "A1", "--role", "leader", password=PASSWORD)
    assert again.returncode == 2 and "a1" in again.stderr and "Traceback" not in again.stderr


def test_cli_plugs_into_another_parser(dbpath: Path, capsys) -> None:
    """What loaders/cli.py will do: register the group on its own subparsers, then hand over."""
    import argparse

    from auth import cli

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", dest="db_top")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init")
    cli.register(sub)
    args = parser.parse_args(["--db", str(dbpath), "accounts", "list", "--json"])
    assert cli.handles(args)
    assert cli.run(args) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert not cli.handles(parser.parse_args(["init"]))


# ---------------------------------------------------------------- the Streamlit gate


def _gate_app() -> None:
    import streamlit as st

    from dashboard.login import require_login, require_role

    lang = st.query_params.get("lang", "en")
    account = require_login(lang)
    st.markdown(f"hello {account.username} {account.role}")
    action = st.query_params.get("need")
    if action:
        require_role(account, action, lang)
        st.markdown("ACCESS-GRANTED")


@pytest.fixture
def gate(dbpath: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("INDICATORS_DB", str(dbpath))
    monkeypatch.delenv("INDICATORS_REQUIRE_LOGIN", raising=False)
    accounts.add_account(dbpath, "fin.staff", "submitter", PASSWORD, department="FIN", email="fin@bacninh.gov.vn")
    at = AppTest.from_function(_gate_app, default_timeout=30)
    at.secrets["app"] = {"require_login": True}  # isolates the test from any real secrets.toml
    return at


def _texts(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(e.value for e in at.error)


def _log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


def test_gate_shows_the_login_form_and_nothing_else(gate: AppTest) -> None:
    gate.run()
    assert not gate.exception
    assert gate.title[0].value == "Log in"
    assert "hello" not in _texts(gate)


def test_gate_wrong_password_then_right_password_then_logout(gate: AppTest) -> None:
    gate.run()
    _log_in(gate, "fin.staff", "wrong-password")
    assert not gate.exception
    assert [e.value for e in gate.error] == ["Wrong username or password."]
    assert "hello" not in _texts(gate)
    _log_in(gate, "fin.staff", PASSWORD)
    assert not gate.exception
    assert "hello fin.staff submitter" in _texts(gate)
    assert gate.session_state["account"].username == "fin.staff"
    gate.sidebar.button(key="logout_button").click().run()
    assert "hello" not in _texts(gate)
    assert gate.title[0].value == "Log in"


def test_gate_shows_the_lockout_message(gate: AppTest) -> None:
    gate.query_params["lang"] = "vi"
    gate.run()
    for _ in range(5):
        _log_in(gate, "fin.staff", "wrong-password")
    assert "thử lại sau 15 phút" in gate.error[0].value
    _log_in(gate, "fin.staff", PASSWORD)
    assert "thử lại sau 15 phút" in gate.error[0].value and "hello" not in _texts(gate)


def test_gate_require_role(gate: AppTest) -> None:
    gate.query_params["need"] = "export"
    gate.run()
    _log_in(gate, "fin.staff", PASSWORD)
    assert "hello fin.staff" in _texts(gate)
    assert "ACCESS-GRANTED" not in _texts(gate)
    assert "not allowed to export data" in gate.error[0].value


def test_gate_anonymous_reading_when_login_is_not_required(gate: AppTest, monkeypatch) -> None:
    monkeypatch.setenv("INDICATORS_REQUIRE_LOGIN", "false")
    gate.query_params["need"] = "read"
    gate.run()
    assert not gate.exception
    assert "hello anonymous leader" in _texts(gate) and "ACCESS-GRANTED" in _texts(gate)
    gate.query_params["need"] = "export"  # what anyone may read, anyone may download
    gate.run()
    assert "ACCESS-GRANTED" in _texts(gate) and not gate.error
    gate.query_params["need"] = "submit"
    gate.run()
    assert "ACCESS-GRANTED" not in _texts(gate) and gate.error


def test_gate_setting_from_secrets_and_typos_fail_closed(gate: AppTest, monkeypatch) -> None:
    gate.secrets["app"] = {"require_login": False}
    gate.run()
    assert "hello anonymous" in _texts(gate)
    monkeypatch.setenv("INDICATORS_REQUIRE_LOGIN", "flase")  # a typo never opens the dashboard
    gate.run()
    assert "hello" not in _texts(gate)


def test_gate_disabling_an_account_ends_its_session(gate: AppTest, dbpath: Path, monkeypatch) -> None:
    gate.run()
    _log_in(gate, "fin.staff", PASSWORD)
    assert "hello fin.staff" in _texts(gate)
    accounts.disable_account(dbpath, "fin.staff")
    monkeypatch.setattr("dashboard.login._RECHECK_SECONDS", 0.0)
    gate.run()
    assert "hello" not in _texts(gate)


def _oidc(at: AppTest, user: dict) -> AppTest:
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-secret",
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://example.invalid/.well-known/openid-configuration",
    }
    at.user = user
    return at.run()


def test_gate_oidc_maps_the_email_to_the_local_account(gate: AppTest) -> None:
    _oidc(gate, {"is_logged_in": True, "email": "FIN@bacninh.gov.vn", "email_verified": True})
    assert not gate.exception
    assert "hello fin.staff submitter" in _texts(gate)


def test_gate_oidc_unknown_email_gets_an_explanation_and_no_access(gate: AppTest) -> None:
    _oidc(gate, {"is_logged_in": True, "email": "stranger@example.com"})
    assert not gate.exception
    assert "hello" not in _texts(gate)
    assert "stranger@example.com has no account here" in gate.error[0].value


def test_gate_oidc_unverified_email_and_not_logged_in(gate: AppTest) -> None:
    _oidc(gate, {"is_logged_in": True, "email": "fin@bacninh.gov.vn", "email_verified": False})
    assert "hello" not in _texts(gate) and "not verified" in gate.error[0].value
    _oidc(gate, {"is_logged_in": False})
    assert "hello" not in _texts(gate)
    assert gate.button(key="oidc_login_button").label == "Log in with your work account"


def test_gate_explains_how_to_create_the_first_account(tmp_path: Path, monkeypatch) -> None:
    empty = tmp_path / "empty.duckdb"
    with db.write(empty):
        pass
    monkeypatch.setenv("INDICATORS_DB", str(empty))
    monkeypatch.delenv("INDICATORS_REQUIRE_LOGIN", raising=False)
    at = AppTest.from_function(_gate_app, default_timeout=30)
    at.secrets["app"] = {"require_login": True}
    at.run()
    assert not at.exception
    assert "python -m auth accounts add admin --role admin" in at.info[0].value
