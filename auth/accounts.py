"""Local accounts: creation, disabling, passwords, login with lockout, and the OpenID Connect mapping.

Every SQL value is bound. Password hashes never leave this module: an ``Account`` does not carry one.
Password checks (argon2, ~0.1 s) run before the writer's lock is taken, so a login holds the lock only
for the few milliseconds its counter update and audit row take.
"""

from __future__ import annotations

import os
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

import db
from auth import audit, passwords, throttle
from auth.errors import AccountDisabled, AccountError, AuthError, LoginFailed, LoginThrottled

ROLES = ("leader", "analyst", "submitter", "admin")

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_RESERVED = {"anonymous"}
_COLUMNS = "username, role, department, display_name, email, disabled, created_at"


@dataclass(frozen=True)
class Account:
    """Who is acting: a row of ``accounts`` without its password hash, or the anonymous reader."""

    username: str
    role: str
    department: str | None = None
    display_name: str | None = None
    email: str | None = None
    disabled: bool = False
    created_at: datetime | None = None
    anonymous: bool = False

    @property
    def label(self) -> str:
        """The name to show: the display name, else the username."""
        return self.display_name or self.username


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


def _check_department(role: str, department: str | None) -> str | None:
    """A submitter belongs to one department; no other role has one."""
    dept = (department or "").strip().upper() or None
    if role == "submitter" and dept is None:
        raise AccountError(
            "Tài khoản cán bộ nộp số liệu (submitter) cần thuộc một sở, ngành (--department trên dòng lệnh).",
            "A submitter account needs a department (--department on the command line).",
        )
    if role != "submitter" and dept is not None:
        raise AccountError(
            f"Chỉ cán bộ nộp số liệu (submitter) thuộc một sở, ngành; vai trò '{role}' không có sở, ngành.",
            f"Only submitter accounts belong to a department; the role '{role}' has none.",
        )
    return dept


def _known_department(con: duckdb.DuckDBPyConnection, dept: str | None) -> None:
    if dept is not None and con.execute("SELECT 1 FROM departments WHERE code = $d", {"d": dept}).fetchone() is None:
        raise AccountError(f"Không có sở, ngành mã '{dept}'.", f"Unknown department '{dept}'.")


def _unknown_account(username: str) -> AccountError:
    return AccountError(f"Không có tài khoản '{username}'.", f"No account '{username}'.")


# ---------------------------------------------------------------- database helpers


def _row_to_account(row: tuple) -> Account:
    username, role, department, display_name, email, disabled, created_at = row
    return Account(
        username=username,
        role=role,
        department=department,
        display_name=display_name,
        email=email,
        disabled=bool(disabled),
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
    dept = _check_department(role_value, department)
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
        _known_department(con, dept)
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


def _end_sessions(con: duckdb.DuckDBPyConnection, username: str) -> None:
    from auth.sessions import end_all  # auth.sessions imports this module

    end_all(con, username)


def _keep_an_admin(con: duckdb.DuckDBPyConnection, account: Account) -> None:
    """Refuse a change that would leave no enabled administrator (nobody could manage accounts on the web)."""
    if account.role != "admin" or account.disabled:
        return
    others = con.execute(
        "SELECT count(*) FROM accounts WHERE role = 'admin' AND NOT disabled AND username <> $u",
        {"u": account.username},
    ).fetchone()[0]
    if not others:
        raise AccountError(
            f"'{account.username}' là quản trị viên duy nhất còn hoạt động; hãy cấp quyền quản trị cho tài khoản khác "
            "trước.",
            f"'{account.username}' is the only enabled administrator; make another account an administrator first.",
        )


def _update(
    path: str | os.PathLike | None,
    username: str,
    set_sql: str,
    params: dict[str, Any],
    actor: str | None,
    action: str,
    now: datetime | None,
    end_sessions: bool,
    check: Any = None,
) -> Account:
    """Change one account in one transaction with its audit row; ``end_sessions`` logs it out everywhere.

    ``check(con, account)`` may refuse the change (raise) or return the audit detail.
    """
    name = normalise_username(username)
    at = now or audit.now()
    with _transaction(path) as con:
        before = fetch(con, name)
        if before is None:
            raise _unknown_account(name)
        detail = check(con, before) if check is not None else None
        con.execute(f"UPDATE accounts SET {set_sql} WHERE username = $u", {**params, "u": name})
        if end_sessions:
            _end_sessions(con, name)
        throttle.lift(con, name)
        audit.record(con, actor, action, name, detail, at)
        updated = fetch(con, name)
    assert updated is not None
    return updated


def disable_account(
    path: str | os.PathLike | None, username: str, actor: str | None = None, now: datetime | None = None
) -> Account:
    """Disable an account: it can no longer log in, and every session it has ends now."""
    return _update(
        path,
        username,
        "disabled = true",
        {},
        actor,
        audit.ACCOUNT_DISABLED,
        now,
        True,
        lambda con, a: _keep_an_admin(con, a),
    )


def enable_account(
    path: str | os.PathLike | None, username: str, actor: str | None = None, now: datetime | None = None
) -> Account:
    """Enable an account again (its old sessions stay ended); this also lifts a hold on failed logins."""
    return _update(path, username, "disabled = false", {}, actor, audit.ACCOUNT_ENABLED, now, False)


def set_password(
    path: str | os.PathLike | None,
    username: str,
    password: str,
    actor: str | None = None,
    now: datetime | None = None,
) -> Account:
    """Set a new password (policy checked): every session of the account ends, a hold on failed logins is lifted."""
    name = normalise_username(username)
    passwords.check_policy(password, name)
    password_hash = passwords.hash_password(password)
    return _update(
        path, name, "password_hash = $hash", {"hash": password_hash}, actor, audit.PASSWORD_CHANGED, now, True
    )


def set_role(
    path: str | os.PathLike | None,
    username: str,
    role: str,
    department: str | None = None,
    actor: str | None = None,
    now: datetime | None = None,
) -> Account:
    """Give an account another role or department: every session it has ends (it logs in again with its new rights)."""
    role_value = _check_role(role)
    dept = _check_department(role_value, department)

    def check(con: duckdb.DuckDBPyConnection, before: Account) -> dict[str, Any]:
        _known_department(con, dept)
        if before.role == role_value and before.department == dept:
            raise AccountError(
                f"Tài khoản '{before.username}' đã có vai trò và sở, ngành này.",
                f"The account '{before.username}' already has this role and department.",
            )
        if role_value != "admin":
            _keep_an_admin(con, before)
        return {"role": [before.role, role_value], "department": [before.department, dept]}

    return _update(
        path,
        username,
        "role = $role, department = $dept",
        {"role": role_value, "dept": dept},
        actor,
        audit.ROLE_CHANGED,
        now,
        True,
        check,
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


def failed_logins(path: str | os.PathLike | None = None, now: datetime | None = None) -> dict[str, int]:
    """Failed logins per name in the current throttling window (auth/throttle.py), for the accounts page."""
    with db.read(path) as con:
        present = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'login_attempts'").fetchone()
        return throttle.failures_now(con, now or audit.now()) if present[0] else {}


DEMO_ACTOR = "demo"  # who `python -m loaders init --demo` records as having created its accounts


def demo_accounts(path: str | os.PathLike | None = None) -> list[Account]:
    """The enabled accounts the demo created (their password is published): the login page names them."""
    with db.read(path) as con:
        rows = con.execute(
            f"SELECT {_COLUMNS} FROM accounts WHERE NOT disabled AND username IN "
            "(SELECT target FROM audit_log WHERE action = $added AND actor = $demo) ORDER BY username",
            {"added": audit.ACCOUNT_ADDED, "demo": DEMO_ACTOR},
        ).fetchall()
    return [_row_to_account(r) for r in rows]


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


def authenticate(
    path: str | os.PathLike | None,
    username: str,
    password: str,
    now: datetime | None = None,
    client: str | None = None,
) -> Account:
    """Check a local login and return the account; raise LoginFailed, LoginThrottled or AccountDisabled.

    ``client`` is the client's address (None: the server itself). Unknown user and wrong password raise the same
    LoginFailed after the same argon2 work; a name held back by failed logins (auth/throttle.py) raises the same
    LoginThrottled whether or not an account has it. Every attempt is audited with its client.
    """
    at = now or audit.now()
    name = normalise_username(username)[:64]
    where = throttle.client_key(client)
    password = password or ""
    with _transaction(path) as con:  # a write: the tables exist even in a file older than login_attempts
        delay = throttle.wait(throttle.recent(con, name, where, at), at)
        if delay is not None:
            audit.record(con, name, audit.LOGIN_FAILED, name, {"reason": "throttled", "client": where}, at)
        found = None if delay is not None else _fetch_with_hash(con, name)
    if delay is not None:
        raise LoginThrottled(throttle.minutes(delay))  # before the password: a held-back try proves nothing
    password_hash = None if found is None else found[1]
    if len(password) > passwords.MAX_LENGTH:
        passwords.verify_password(None, password[: passwords.MAX_LENGTH])
        ok = False
    else:
        ok = passwords.verify_password(password_hash, password)  # None: the same time on a throw-away hash
    new_hash = passwords.hash_password(password) if ok and passwords.needs_rehash(password_hash or "") else None

    error: AuthError | None = None
    with _transaction(path) as con:
        current = fetch(con, name)  # the row may have changed while the password was checked
        if ok and current is not None and current.disabled:
            audit.record(con, name, audit.LOGIN_FAILED, name, {"reason": "disabled", "client": where}, at)
            error = AccountDisabled()
        elif ok and current is not None:
            con.execute(
                "UPDATE accounts SET password_hash = coalesce($hash, password_hash) WHERE username = $u",
                {"hash": new_hash, "u": name},
            )
            throttle.note(con, name, where, True, at)
            audit.record(con, name, audit.LOGIN, name, {"method": "password", "client": where}, at)
        else:
            throttle.note(con, name, where, False, at)
            reason = "wrong_password" if current is not None else "unknown_user"
            audit.record(con, name, audit.LOGIN_FAILED, name, {"reason": reason, "client": where}, at)
            delay = throttle.wait(throttle.recent(con, name, where, at), at)
            error = LoginFailed() if delay is None else LoginThrottled(throttle.minutes(delay))
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
