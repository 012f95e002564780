"""The audit log: logins and failures with actor and time, records inside the writer's transaction, reading."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import db
from auth import accounts, audit, passwords
from auth.errors import LoginFailed, LoginThrottled

PASSWORD = "mật-khẩu-đủ-dài-42"
T0 = datetime(2026, 3, 2, 8, 0, 0)


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def dbpath(tmp_path: Path) -> Path:
    path = tmp_path / "indicators.duckdb"
    with db.write(path) as con:
        con.execute("INSERT INTO departments VALUES ('FIN', 'Sở Tài chính', 'Finance')")
    accounts.add_account(path, "fin.staff", "submitter", PASSWORD, department="FIN", actor="cli:root", now=T0)
    return path


def _rows(path: Path) -> list[dict]:
    frame = audit.read_audit(path, limit=10_000)
    return list(reversed(frame.to_dicts()))  # oldest first


def test_login_and_failures_are_recorded_with_actor_and_time(dbpath: Path) -> None:
    accounts.authenticate(dbpath, "fin.staff", PASSWORD, T0 + timedelta(minutes=1))
    with pytest.raises(LoginFailed):
        accounts.authenticate(dbpath, "FIN.staff", "wrong-password", T0 + timedelta(minutes=2))
    with pytest.raises(LoginFailed):
        accounts.authenticate(dbpath, "ghost", "wrong-password", T0 + timedelta(minutes=3))
    rows = _rows(dbpath)
    got = [(r["actor"], r["action"], r["logged_at"]) for r in rows]
    assert got == [
        ("cli:root", "account_added", T0),
        ("fin.staff", "login", T0 + timedelta(minutes=1)),
        ("fin.staff", "login_failed", T0 + timedelta(minutes=2)),
        ("ghost", "login_failed", T0 + timedelta(minutes=3)),
    ]
    details = [json.loads(r["detail"]) for r in rows]
    assert details[1] == {"method": "password", "client": "local"}
    assert details[2] == {"reason": "wrong_password", "client": "local"}
    assert details[3] == {"reason": "unknown_user", "client": "local"}
    assert all(PASSWORD not in (r["detail"] or "") for r in rows)


def test_held_back_attempts_are_recorded_with_their_client(dbpath: Path) -> None:
    for _ in range(4):
        with pytest.raises(LoginFailed):
            accounts.authenticate(dbpath, "fin.staff", "wrong-password", T0, client="203.0.113.9")
    with pytest.raises(LoginThrottled):
        accounts.authenticate(dbpath, "fin.staff", "wrong-password", T0, client="203.0.113.9")
    with pytest.raises(LoginThrottled):
        accounts.authenticate(dbpath, "fin.staff", PASSWORD, T0 + timedelta(minutes=5), client="203.0.113.9")
    failed = audit.read_audit(dbpath, action="login_failed")
    assert failed.height == 6
    assert json.loads(failed["detail"][0]) == {"reason": "throttled", "client": "203.0.113.9"}  # newest first
    assert failed["logged_at"][0] == T0 + timedelta(minutes=5)
    assert json.loads(failed["detail"][1]) == {"reason": "wrong_password", "client": "203.0.113.9"}


def test_disabled_and_oidc_logins_are_recorded(dbpath: Path) -> None:
    accounts.add_account(dbpath, "boss", "admin", None, email="boss@bacninh.gov.vn", now=T0)
    accounts.login_with_identity(dbpath, "Boss@BacNinh.gov.vn", T0)
    with pytest.raises(accounts.AccountError):
        accounts.login_with_identity(dbpath, "stranger@example.com", T0)
    accounts.disable_account(dbpath, "fin.staff", actor="boss", now=T0)
    with pytest.raises(accounts.AccountDisabled):
        accounts.authenticate(dbpath, "fin.staff", PASSWORD, T0)
    rows = [(r["actor"], r["action"], json.loads(r["detail"]) if r["detail"] else None) for r in _rows(dbpath)]
    assert ("boss", "login", {"method": "oidc", "email": "boss@bacninh.gov.vn"}) in rows
    assert ("stranger@example.com", "login_failed", {"reason": "unknown_identity", "method": "oidc"}) in rows
    assert ("boss", "account_disabled", None) in rows
    assert ("fin.staff", "login_failed", {"reason": "disabled", "client": "local"}) in rows


def test_record_belongs_to_the_writers_transaction(dbpath: Path) -> None:
    before = audit.read_audit(dbpath).height
    with db.write(dbpath) as con:
        con.begin()
        audit.record(con, "fin.staff", "submission", "FIN", {"rows": 3})
        con.rollback()
    assert audit.read_audit(dbpath).height == before
    with db.write(dbpath) as con:
        con.begin()
        first = audit.record(con, "fin.staff", "submission", "FIN", {"note": 'Quý III/2025 – "đã rà soát"'})
        second = audit.record(con, None, "revision", "FIN")
        con.commit()
    assert second > first
    rows = audit.read_audit(dbpath, action=["submission", "revision"])
    assert rows["id"].to_list() == [second, first]
    assert json.loads(rows["detail"][1]) == {"note": 'Quý III/2025 – "đã rà soát"'}
    assert rows["actor"][0] is None and rows["detail"][0] is None


def test_record_refuses_an_empty_action(dbpath: Path) -> None:
    with db.write(dbpath) as con, pytest.raises(ValueError):
        audit.record(con, "x", "", None)


def test_hostile_actor_text_is_shortened_and_bound(dbpath: Path) -> None:
    hostile = "x'); DELETE FROM audit_log; --" * 20
    with pytest.raises(LoginFailed):
        accounts.authenticate(dbpath, hostile, "whatever-password", T0)
    rows = _rows(dbpath)
    assert rows[0]["action"] == "account_added"  # nothing deleted
    assert len(rows[-1]["actor"]) <= 200
    assert audit.read_audit(dbpath, actor="x' OR '1'='1").height == 0


def test_read_audit_filters(dbpath: Path) -> None:
    accounts.authenticate(dbpath, "fin.staff", PASSWORD, T0 + timedelta(days=1))
    with pytest.raises(LoginFailed):
        accounts.authenticate(dbpath, "fin.staff", "wrong-password", T0 + timedelta(days=2))
    assert audit.read_audit(dbpath, action="login")["logged_at"].to_list() == [T0 + timedelta(days=1)]
    assert audit.read_audit(dbpath, actor="cli:root")["action"].to_list() == ["account_added"]
    since = audit.read_audit(dbpath, since=T0 + timedelta(days=1))
    assert since["action"].to_list() == ["login_failed", "login"]
    assert audit.read_audit(dbpath, limit=1)["action"].to_list() == ["login_failed"]
    assert audit.read_audit(dbpath, limit=0).height == 1  # clamped to at least one row
    assert list(audit.read_audit(dbpath).columns) == list(audit.AUDIT_COLUMNS)


@pytest.mark.parametrize(
    ("kwargs", "where", "params"),
    [
        ({}, None, {"limit": 500}),
        ({"action": "login"}, "list_contains($actions, action)", {"actions": ["login"], "limit": 500}),
        ({"action": ["a", "b"], "limit": 10**9}, "list_contains", {"actions": ["a", "b"], "limit": audit.MAX_LIMIT}),
        ({"actor": "x'--"}, "actor = $actor", {"actor": "x'--", "limit": 500}),
        ({"since": T0, "target": "FIN"}, "target = $target AND logged_at >= $since", None),
    ],
)
def test_audit_query_binds_every_value(kwargs: dict, where: str | None, params: dict | None) -> None:
    sql, bound = audit.audit_query(**kwargs)
    for value in kwargs.values():
        if isinstance(value, str):
            assert value not in sql
    if where is None:
        assert " WHERE " not in sql
    else:
        assert where in sql
    if params is not None:
        assert bound == params
    assert sql.endswith("ORDER BY logged_at DESC, id DESC LIMIT $limit")
