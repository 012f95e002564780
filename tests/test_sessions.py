"""Login sessions: a reload or a new tab keeps its user until logout, expiry or a disabled account."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import db
from auth import passwords, sessions
from auth.accounts import add_account, disable_account, enable_account, get_account, set_password, set_role

T0 = datetime(2026, 11, 27, 8, 0, 0)


@pytest.fixture
def dbpath(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    path = tmp_path / "indicators.duckdb"
    with db.write(path) as con:
        con.execute("INSERT INTO departments VALUES ('FIN', 'Sở Tài chính', 'Finance')")
    add_account(path, "lanhdao", "leader", "a-long-enough-passphrase")
    return path


def test_a_session_resumes_its_account_and_only_the_hash_is_stored(dbpath):
    account = get_account(dbpath, "lanhdao")
    token = sessions.open_session(dbpath, account, now=T0)
    assert len(token) >= 40
    assert sessions.resume(dbpath, token, now=T0 + timedelta(hours=1)).username == "lanhdao"
    with db.read(dbpath) as con:
        stored = con.execute("SELECT token_hash FROM login_sessions").fetchall()
    assert stored and token not in {row[0] for row in stored}


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 5000])
def test_unknown_tokens_resume_nothing(dbpath, token):
    sessions.open_session(dbpath, get_account(dbpath, "lanhdao"), now=T0)
    assert sessions.resume(dbpath, token, now=T0) is None


def test_a_session_ends_at_logout_after_its_lifetime_and_with_a_disabled_account(dbpath):
    account = get_account(dbpath, "lanhdao")
    closed = sessions.open_session(dbpath, account, now=T0)
    sessions.close_session(dbpath, closed)
    assert sessions.resume(dbpath, closed, now=T0) is None

    token = sessions.open_session(dbpath, account, now=T0)
    assert sessions.resume(dbpath, token, now=T0 + sessions.LIFETIME - timedelta(seconds=1)) is not None
    assert sessions.resume(dbpath, token, now=T0 + sessions.LIFETIME) is None

    live = sessions.open_session(dbpath, account, now=datetime.now())
    disable_account(dbpath, "lanhdao")
    assert sessions.resume(dbpath, live) is None


def test_expired_sessions_are_dropped_when_a_new_one_opens(dbpath):
    account = get_account(dbpath, "lanhdao")
    sessions.open_session(dbpath, account, now=T0)
    sessions.open_session(dbpath, account, now=T0 + sessions.LIFETIME + timedelta(minutes=1))
    with db.read(dbpath) as con:
        assert con.execute("SELECT count(*) FROM login_sessions").fetchone()[0] == 1


def test_a_file_that_is_not_this_systems_database_is_reported_not_resumed(tmp_path):
    import duckdb

    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).close()  # a DuckDB file without our tables
    with pytest.raises(db.DatabaseDamaged):
        sessions.resume(path, "some-token")


# ---------------------------------------------------------------- a copied cookie dies with the account's change
# The cookie holds the token; whoever has a copy of it calls exactly sessions.resume(token).


def _copied_cookie(dbpath) -> str:
    token = sessions.open_session(dbpath, get_account(dbpath, "lanhdao"))
    assert sessions.resume(dbpath, token) is not None  # the copy works while nothing changed
    return token


def test_a_password_change_ends_every_session_of_the_account(dbpath):
    tokens = [_copied_cookie(dbpath), _copied_cookie(dbpath)]
    set_password(dbpath, "lanhdao", "another-long-passphrase", actor="quantri")
    assert [sessions.resume(dbpath, token) for token in tokens] == [None, None]


def test_a_role_or_department_change_ends_every_session_of_the_account(dbpath):
    token = _copied_cookie(dbpath)
    set_role(dbpath, "lanhdao", "analyst", actor="quantri")
    assert sessions.resume(dbpath, token) is None
    token = _copied_cookie(dbpath)
    set_role(dbpath, "lanhdao", "submitter", department="FIN", actor="quantri")
    assert sessions.resume(dbpath, token) is None


def test_a_session_does_not_come_back_after_disable_then_enable(dbpath):
    token = _copied_cookie(dbpath)
    disable_account(dbpath, "lanhdao", actor="quantri")
    enable_account(dbpath, "lanhdao", actor="quantri")
    assert sessions.resume(dbpath, token) is None
    assert sessions.resume(dbpath, _copied_cookie(dbpath)).username == "lanhdao"  # a new login works


def test_other_accounts_keep_their_sessions(dbpath):
    add_account(dbpath, "phantich", "analyst", "a-long-enough-passphrase")
    theirs = sessions.open_session(dbpath, get_account(dbpath, "phantich"))
    set_password(dbpath, "lanhdao", "another-long-passphrase")
    assert sessions.resume(dbpath, theirs).username == "phantich"
