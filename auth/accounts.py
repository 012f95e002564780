"""Local accounts: creation, disabling, passwords, login with lockout, and the OpenID Connect mapping.

Every SQL value is bound. Password hashes never leave this module: an ``Account`` does not carry one.
Password checks (argon2, ~0.1 s) run before the writer's lock is taken, so a login holds the lock only
for the few milliseconds its counter update and audit row take.
"""

from __future__ import annotations

import math
import os
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

import db
from auth import audit, passwords
from auth.errors import AccountDisabled, AccountError, AccountLocked, AuthError, LoginFailed

ROLES = ("leader", "analyst", "submitter", "admin")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_RESERVED = {"anonymous"}
_COLUMNS = "username, role, department, display_name, email, disabled, failed_attempts, locked_until, created_at"


@dataclass(frozen=True)
class Account:
    """Who is acting: a row of ``accounts`` without its password hash, or the anonymous reader."""

    username: str
    role: str
    department: str | None = None
    display_name: str | None = None
    email: str | None = None
    disabled: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = None
    created_at: datetime | None = None
    anonymous: bool = False

    @property
    def label(self) -> str:
        """The name to show: the display name, else the username."""
        return self.display_name or self.username

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


# A visitor when reading needs no login: reads like a leader, exports and submits nothing (see roles.can).
ANONYMOUS = Account(username="anonymous", role="leader", display_name="—", anonymous=True)


# ---------------------------------------------------------------- normalising and checking input


def normalise_username(username: str) -> str:
    """Usernames are matched case-insensitively and stored lower-case."""
    return (username or "").strip().lower()


def normalise_email(email: str | None) -> str | None:
    return (email or "").strip().lower() or None


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.match(name) or name in _RESERVED:
        raise AccountError(
            f"Tên đăng nhập '{username[:70]}' không hợp lệ: 2–64 ký tự a-z, 0-9, dấu chấm, gạch dưới, gạch ngang.",
            f"Invalid username '{username[:70]}': 2-64 characters a-z, 0-9, dot, underscore, hyphen.",
        )
    return name


def _check_role(role: str) -> str:
    value = (role or "").strip().lower()
    if value not in ROLES:
        raise AccountError(
            f"Vai trò '{role}' không hợp lệ; chọn một trong: {', '.join(ROLES)}.",
            f"Unknown role '{role}'; choose one of: {', '.join(ROLES)}.",
        )
    return value


def _check_email(email: str | None) -> str | None:
    value = normalise_email(email)
    if value is not None and (len(value) > 254 or not _EMAIL.match(value)):
        raise AccountError(f"Địa chỉ email '{email}' không hợp lệ.", f"Invalid email address '{email}'.")
    return value


def _check_display_name(display_name: str | None) -> str | None:
    value = (display_name or "").strip() or None
    if value is not None and (len(value) > 200 or _CONTROL.search(value)):
        raise AccountError(
            "Tên hiển thị quá dài hoặc chứa ký tự điều khiển.",
            "The display name is too long or holds control characters.",
        )
    return value


def _unknown_account(username: str) -> AccountError:
    return AccountError(f"Không có tài khoản '{username}'.", f"No account '{username}'.")


# ---------------------------------------------------------------- database helpers


def _row_to_account(row: tuple) -> Account:
    username, role, department, display_name, email, disabled, failed, locked_until, created_at = row
    return Account(
        username=username,
        role=role,
        department=department,
        display_name=display_name,
        email=email,
        disabled=bool(disabled),
        failed_attempts=int(failed or 0),
        locked_until=locked_until,
        created_at=created_at,
    )


def fetch(con: duckdb.DuckDBPyConnection, username: str) -> Account | None:
    """The account ``username`` read through ``con`` (use the writer's connection to check inside a write)."""
    row = con.execute(
        f"SELECT {_COLUMNS} FROM accounts WHERE username = $u", {"u": normalise_username(username)}
    ).fetchone()
    return None if row is None else _row_to_account(row)


def _fetch_with_hash(con: duckdb.DuckDBPyConnection, username: str) -> tuple[Account, str | None] | None:
    row = con.execute(f"SELECT {_COLUMNS}, password_hash FROM accounts WHERE username = $u", {"u": username}).fetchone()
    return None if row is None else (_row_to_account(row[:-1]), row[-1])


def _transaction(path: str | os.PathLike | None) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """The write door: everything inside commits together or not at all; a missing database is refused."""
    return db.transaction(path)


# ---------------------------------------------------------------- administration


def add_account(
    path: str | os.PathLike | None,
    username: str,
    role: str,
    password: str | None,
    department: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
    actor: str | None = None,
    now: datetime | None = None,
) -> Account:
    """Create an account. A submitter needs a known department, other roles none.

    ``password=None`` makes an account that can only log in through OpenID Connect (it needs an email).
    """
    name = _check_username(username)
    role_value = _check_role(role)
    email_value = _check_email(email)
    display = _check_display_name(display_name)
    dept = (department or "").strip().upper() or None
    if role_value == "submitter" and dept is None:
        raise AccountError(
            "Tài khoản vai trò 'submitter' cần --department (mã sở, ngành).",
            "A 'submitter' account needs --department (a department code).",
        )
    if role_value != "submitter" and dept is not None:
        raise AccountError(
            f"Chỉ tài khoản 'submitter' thuộc một sở, ngành; vai trò '{role_value}' không có --department.",
            f"Only 'submitter' accounts belong to a department; role '{role_value}' takes no --department.",
        )
    if password is None:
        if email_value is None:
            raise AccountError(
                "Tài khoản không mật khẩu (chỉ đăng nhập qua OpenID Connect) cần --email.",
                "An account without a password (OpenID Connect login only) needs --email.",
            )
        password_hash = None
    else:
        passwords.check_policy(password, name)
        password_hash = passwords.hash_password(password)
    at = now or audit.now()
    with _transaction(path) as con:
        if (
            dept is not None
            and con.execute("SELECT 1 FROM departments WHERE code = $d", {"d": dept}).fetchone() is None
        ):
            raise AccountError(f"Không có sở, ngành mã '{dept}'.", f"Unknown department '{dept}'.")
        if fetch(con, name) is not None:
            raise AccountError(f"Tài khoản '{name}' đã tồn tại.", f"The account '{name}' already exists.")
        if email_value is not None:
            other = con.execute("SELECT username FROM accounts WHERE lower(email) = $e", {"e": email_value}).fetchone()
            if other is not None:
                raise AccountError(
                    f"Email {email_value} đã gắn với tài khoản '{other[0]}'.",
                    f"The email {email_value} already belongs to the account '{other[0]}'.",
                )
        con.execute(
            "INSERT INTO accounts (username, display_name, role, department, password_hash, email, disabled, "
            "failed_attempts, locked_until, created_at) "
            "VALUES ($u, $display, $role, $dept, $hash, $email, false, 0, NULL, $at)",
            {
                "u": name,
                "display": display,
                "role": role_value,
                "dept": dept,
                "hash": password_hash,
                "email": email_value,
                "at": at,
            },
        )
        audit.record(
            con,
            actor,
            audit.ACCOUNT_ADDED,
            name,
            {"role": role_value, "department": dept, "email": email_value, "password": password_hash is not None},
            at,
        )
        created = fetch(con, name)
    assert created is not None
    return created


def _update(
    path: str | os.PathLike | None,
    username: str,
    set_sql: str,
    params: dict[str, Any],
    actor: str | None,
    action: str,
    now: datetime | None,
) -> Account:
    name = normalise_username(username)
    at = now or audit.now()
    with _transaction(path) as con:
        if fetch(con, name) is None:
            raise _unknown_account(name)
        con.execute(f"UPDATE accounts SET {set_sql} WHERE username = $u", {**params, "u": name})
        audit.record(con, actor, action, name, None, at)
        updated = fetch(con, name)
    assert updated is not None
    return updated


def disable_account(
    path: str | os.PathLike | None, username: str, actor: str | None = None, now: datetime | None = None
) -> Account:
    """Disable an account: it can no longer log in (existing sessions lose it at their next check)."""
    return _update(path, username, "disabled = true", {}, actor, audit.ACCOUNT_DISABLED, now)


def enable_account(
    path: str | os.PathLike | None, username: str, actor: str | None = None, now: datetime | None = None
) -> Account:
    """Enable an account again; this also lifts a lockout."""
    return _update(
        path,
        username,
        "disabled = false, failed_attempts = 0, locked_until = NULL",
        {},
        actor,
        audit.ACCOUNT_ENABLED,
        now,
    )


def set_password(
    path: str | os.PathLike | None,
    username: str,
    password: str,
    actor: str | None = None,
    now: datetime | None = None,
) -> Account:
    """Set a new password (policy checked); this also lifts a lockout."""
    name = normalise_username(username)
    passwords.check_policy(password, name)
    password_hash = passwords.hash_password(password)
    return _update(
        path,
        name,
        "password_hash = $hash, failed_attempts = 0, locked_until = NULL",
        {"hash": password_hash},
        actor,
        audit.PASSWORD_CHANGED,
        now,
    )


def list_accounts(path: str | os.PathLike | None = None) -> list[Account]:
    """Every account, by username."""
    with db.read(path) as con:
        rows = con.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY username").fetchall()
    return [_row_to_account(r) for r in rows]


def has_accounts(path: str | os.PathLike | None = None) -> bool:
    """True when at least one account exists."""
    with db.read(path) as con:
        return con.execute("SELECT count(*) FROM accounts").fetchone()[0] > 0


def get_account(path: str | os.PathLike | None, username: str) -> Account | None:
    """The account ``username``, or None."""
    with db.read(path) as con:
        return fetch(con, username)


def account_for_email(path: str | os.PathLike | None, email: str | None) -> Account | None:
    """The account whose email is ``email`` (case-insensitive), or None when none or several match."""
    value = normalise_email(email)
    if value is None:
        return None
    with db.read(path) as con:
        rows = con.execute(f"SELECT {_COLUMNS} FROM accounts WHERE lower(email) = $e", {"e": value}).fetchall()
    return _row_to_account(rows[0]) if len(rows) == 1 else None


# ---------------------------------------------------------------- logging in


def _minutes_left(locked_until: datetime, now: datetime) -> int:
    return max(1, math.ceil((locked_until - now).total_seconds() / 60))


def authenticate(path: str | os.PathLike | None, username: str, password: str, now: datetime | None = None) -> Account:
    """Check a local login and return the account; raise LoginFailed, AccountLocked or AccountDisabled.

    Unknown user and wrong password raise the same LoginFailed after the same argon2 work. Five failures in a
    row lock the account for 15 minutes; a success resets the count. Every attempt is audited.
    """
    at = now or audit.now()
    name = normalise_username(username)
    password = password or ""
    with db.read(path) as con:
        found = _fetch_with_hash(con, name)
    if found is None:
        passwords.verify_password(None, password)  # same time as a real check
        _audit_only(path, name, audit.LOGIN_FAILED, {"reason": "unknown_user"}, at)
        raise LoginFailed()
    account, password_hash = found
    if account.is_locked(at):
        assert account.locked_until is not None
        _audit_only(path, name, audit.LOGIN_FAILED, {"reason": "locked"}, at)
        raise AccountLocked(_minutes_left(account.locked_until, at))
    if len(password) > passwords.MAX_LENGTH:
        passwords.verify_password(None, password[: passwords.MAX_LENGTH])
        ok = False
    else:
        ok = passwords.verify_password(password_hash, password)
    new_hash = passwords.hash_password(password) if ok and passwords.needs_rehash(password_hash or "") else None

    error: AuthError | None = None
    with _transaction(path) as con:
        current = fetch(con, name)  # the row may have changed while the password was checked
        if current is None:
            audit.record(con, name, audit.LOGIN_FAILED, name, {"reason": "unknown_user"}, at)
            error = LoginFailed()
        elif current.is_locked(at):
            assert current.locked_until is not None
            audit.record(con, name, audit.LOGIN_FAILED, name, {"reason": "locked"}, at)
            error = AccountLocked(_minutes_left(current.locked_until, at))
        elif ok and current.disabled:
            audit.record(con, name, audit.LOGIN_FAILED, name, {"reason": "disabled"}, at)
            error = AccountDisabled()
        elif ok:
            con.execute(
                "UPDATE accounts SET failed_attempts = 0, locked_until = NULL, "
                "password_hash = coalesce($hash, password_hash) WHERE username = $u",
                {"hash": new_hash, "u": name},
            )
            audit.record(con, name, audit.LOGIN, name, {"method": "password"}, at)
        else:
            # A lockout that has run out starts the count afresh.
            failures = (0 if current.locked_until is not None else current.failed_attempts) + 1
            locked_until = at + LOCKOUT if failures >= MAX_FAILURES else None
            con.execute(
                "UPDATE accounts SET failed_attempts = $n, locked_until = $until WHERE username = $u",
                {"n": failures, "until": locked_until, "u": name},
            )
            audit.record(con, name, audit.LOGIN_FAILED, name, {"reason": "wrong_password", "failures": failures}, at)
            if locked_until is not None:
                audit.record(con, name, audit.LOCKED, name, {"until": locked_until.isoformat()}, at)
                error = AccountLocked(_minutes_left(locked_until, at))
            else:
                error = LoginFailed()
        fresh = fetch(con, name)
    if error is not None:
        raise error
    assert fresh is not None
    return fresh


def login_with_identity(path: str | os.PathLike | None, email: str | None, now: datetime | None = None) -> Account:
    """Map an OpenID Connect identity (its email) to a local account and audit the login.

    Raises AccountError when no account has that email, AccountDisabled when it is disabled.
    """
    at = now or audit.now()
    value = normalise_email(email)
    account = account_for_email(path, value)
    if account is None:
        _audit_only(path, value or "", audit.LOGIN_FAILED, {"reason": "unknown_identity", "method": "oidc"}, at)
        raise AccountError(
            f"Danh tính {value or '(không có email)'} chưa được cấp tài khoản trong hệ thống. "
            "Đề nghị quản trị viên thêm tài khoản với email này.",
            f"The identity {value or '(no email)'} has no account here. "
            "Ask an administrator to add an account with this email.",
        )
    if account.disabled:
        _audit_only(path, account.username, audit.LOGIN_FAILED, {"reason": "disabled", "method": "oidc"}, at)
        raise AccountDisabled()
    _audit_only(path, account.username, audit.LOGIN, {"method": "oidc", "email": value}, at)
    return account


def record_logout(path: str | os.PathLike | None, account: Account, now: datetime | None = None) -> None:
    """Audit a logout."""
    if not account.anonymous:
        _audit_only(path, account.username, audit.LOGOUT, None, now or audit.now())


def _audit_only(
    path: str | os.PathLike | None, actor: str, action: str, detail: dict[str, Any] | None, at: datetime
) -> None:
    with _transaction(path) as con:
        audit.record(con, actor, action, actor, detail, at)
