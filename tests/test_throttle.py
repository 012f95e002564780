"""Login throttling that nobody can turn against someone else (issue 13 item 7).

The rules of auth/throttle.py, written out by hand: over 15 minutes, 20 failures from one client hold that
client back for every name; 5 failures for one name from one client hold that client back for that name; 5
failures for one name from anywhere hold back the clients that have not logged in to that name in 30 days.
A name counts whether or not an account has it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import db
from auth import accounts, passwords, throttle
from auth.errors import AuthError, LoginFailed, LoginThrottled

PASSWORD = "mật-khẩu-phó-chủ-tịch-2026"
T0 = datetime(2026, 11, 27, 8, 0, 0)
OFFICE = "10.12.0.5"  # where the Vice Chairman logs in from
ATTACKER = "203.0.113.9"


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def dbpath(tmp_path: Path) -> Path:
    path = tmp_path / "indicators.duckdb"
    with db.write(path):
        pass
    accounts.add_account(path, "lanhdao", "leader", PASSWORD, now=T0 - timedelta(days=2))
    accounts.authenticate(path, "lanhdao", PASSWORD, T0 - timedelta(days=1), client=OFFICE)  # his usual address
    return path


def _fail(path: Path, name: str, client: str, at: datetime, times: int = 1) -> list[AuthError]:
    seen = []
    for _ in range(times):
        with pytest.raises(AuthError) as caught:
            accounts.authenticate(path, name, "a-wrong-guess-123", at, client=client)
        seen.append(caught.value)
    return seen


# ---------------------------------------------------------------- the rule, as a table


def _at(*minutes: int) -> tuple[datetime, ...]:
    return tuple(T0 + timedelta(minutes=m) for m in minutes)


NOW = T0 + timedelta(minutes=10)
WAIT_CASES = [
    # name failures (all clients), from this client, from this client (all names), known client -> wait (minutes)
    ((), (), (), False, None),
    (_at(0, 1, 2, 3), _at(0, 1, 2, 3), _at(0, 1, 2, 3), False, None),  # four: may try
    (_at(0, 1, 2, 3, 4), _at(0, 1, 2, 3, 4), _at(0, 1, 2, 3, 4), False, 5),  # the first expires at 15
    (_at(0, 1, 2, 3, 4), _at(0, 1, 2, 3, 4), _at(0, 1, 2, 3, 4), True, 5),  # known, but these are its own failures
    (_at(0, 1, 2, 3, 4), (), (), True, None),  # someone else's failures do not hold a known client back
    (_at(0, 1, 2, 3, 4), (), (), False, 5),  # ... but do hold back a client new to the name
    (_at(0, 1, 2, 3, 4, 5, 6), (), (), False, 7),  # seven failures: below five again when the third expires
    ((), (), _at(*range(20)), True, 5),  # a client that tried 20 names is held back for every name
    ((), (), _at(*range(19)), False, None),
]


@pytest.mark.parametrize(("names", "pair", "client", "known", "minutes"), WAIT_CASES)
def test_wait_rule(names, pair, client, known, minutes) -> None:
    delay = throttle.wait(throttle.Recent(names, pair, client, known), NOW)
    assert (None if delay is None else delay / timedelta(minutes=1)) == minutes


def test_minutes_round_up() -> None:
    assert throttle.minutes(timedelta(seconds=1)) == 1
    assert throttle.minutes(timedelta(minutes=14, seconds=1)) == 15


# ---------------------------------------------------------------- through authenticate


def test_an_attacker_elsewhere_cannot_lock_the_owner_out_of_his_usual_address(dbpath: Path) -> None:
    for n in range(30):  # thirty addresses, five guesses each: 150 failures for his name
        _fail(dbpath, "lanhdao", f"198.51.100.{n}", T0, times=5)
    assert accounts.authenticate(dbpath, "lanhdao", PASSWORD, T0 + timedelta(minutes=1), client=OFFICE).role == "leader"


def test_an_attacker_is_held_back_after_five_guesses_even_with_the_right_password(dbpath: Path) -> None:
    answers = _fail(dbpath, "lanhdao", ATTACKER, T0, times=5)
    assert [type(a) for a in answers] == [LoginFailed] * 4 + [LoginThrottled]
    with pytest.raises(LoginThrottled):
        accounts.authenticate(dbpath, "lanhdao", PASSWORD, T0 + timedelta(minutes=1), client=ATTACKER)
    # a new address is held back too while the name is under attack; his own address is not
    with pytest.raises(LoginThrottled):
        accounts.authenticate(dbpath, "lanhdao", PASSWORD, T0 + timedelta(minutes=1), client="192.0.2.77")
    assert accounts.authenticate(dbpath, "lanhdao", PASSWORD, T0 + timedelta(minutes=1), client=OFFICE)


def test_known_and_unknown_names_get_the_same_answers(dbpath: Path) -> None:
    def answers(name: str, client: str) -> list[tuple[str, str, str]]:
        seen = _fail(dbpath, name, client, T0, times=7)
        return [(type(a).__name__, a.message_vi, a.message_en) for a in seen]

    known, unknown = answers("lanhdao", "192.0.2.1"), answers("khongcoai", "192.0.2.2")
    assert known == unknown
    assert [kind for kind, _, _ in known] == ["LoginFailed"] * 4 + ["LoginThrottled"] * 3
    assert "lanhdao" not in " ".join(vi + en for _, vi, en in known)


def test_a_client_trying_many_names_is_held_back_for_every_name(dbpath: Path) -> None:
    for n in range(20):
        _fail(dbpath, f"ten{n:02d}", ATTACKER, T0 + timedelta(seconds=n))
    with pytest.raises(LoginThrottled):
        accounts.authenticate(dbpath, "lanhdao", PASSWORD, T0 + timedelta(minutes=1), client=ATTACKER)
    assert accounts.authenticate(dbpath, "lanhdao", PASSWORD, T0 + timedelta(minutes=1), client=OFFICE)


def test_a_held_back_try_checks_no_password_and_does_not_extend_the_wait(dbpath: Path, monkeypatch) -> None:
    _fail(dbpath, "lanhdao", ATTACKER, T0, times=5)
    checked: list[str] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: (checked.append(p), real(h, p))[1])
    for minute in (1, 5, 14):
        with pytest.raises(LoginThrottled) as held:
            accounts.authenticate(dbpath, "lanhdao", PASSWORD, T0 + timedelta(minutes=minute), client=ATTACKER)
        assert held.value.minutes == 15 - minute
    assert checked == []
    assert accounts.authenticate(dbpath, "lanhdao", PASSWORD, T0 + timedelta(minutes=15), client=ATTACKER)


def test_an_administrator_lifts_the_hold(dbpath: Path) -> None:
    _fail(dbpath, "lanhdao", ATTACKER, T0, times=5)
    accounts.set_password(dbpath, "lanhdao", "một-mật-khẩu-mới-hơn", actor="quantri", now=T0)
    assert accounts.authenticate(dbpath, "lanhdao", "một-mật-khẩu-mới-hơn", T0 + timedelta(minutes=1), client=ATTACKER)


# ---------------------------------------------------------------- through the login page


def _gate_app() -> None:
    import streamlit as st

    from dashboard.login import require_login

    account = require_login("en")
    st.markdown(f"hello {account.username}")


def test_the_login_page_throttles_by_the_clients_address(dbpath: Path, monkeypatch) -> None:
    monkeypatch.setenv("INDICATORS_DB", str(dbpath))
    monkeypatch.delenv("INDICATORS_REQUIRE_LOGIN", raising=False)
    where = {"address": ATTACKER}
    monkeypatch.setattr("dashboard.login.client_address", lambda: where["address"])

    def attempt(password: str) -> AppTest:
        at = AppTest.from_function(_gate_app, default_timeout=30)
        at.secrets["app"] = {"require_login": True}
        at.run()
        at.text_input(key="login_username").input("lanhdao")
        at.text_input(key="login_password").input(password)
        return at.button(key="login_submit").click().run()

    for _ in range(5):
        at = attempt("a-wrong-guess-123")
    assert "Too many failed login attempts" in at.error[0].value
    where["address"] = OFFICE
    at = attempt(PASSWORD)
    assert not at.error and "hello lanhdao" in " ".join(m.value for m in at.markdown)
