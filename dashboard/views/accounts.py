"""/accounts: the local accounts as a table, and the checks around an administrator's change. No Streamlit here.

The changes themselves are auth.accounts' (add, disable, enable, set_password, set_role): each writes its audit
row with the acting administrator, and a password, role or department change or a disable ends every login
session of the account. Before each change the acting account is read again from the database, so a session
whose administrator right was withdrawn a moment ago changes nothing.
"""

from __future__ import annotations

import os

import polars as pl

from auth import accounts, roles, throttle
from auth.accounts import Account
from auth.errors import AccountError
from dashboard.i18n import t

COLUMNS = ("username", "display_name", "role", "department", "email", "status", "created_at")


def role_text(role: str, lang: str) -> str:
    """A role in words: ``submitter`` -> ``cán bộ nộp số liệu``."""
    vi, en = roles.ROLE_NAMES.get(role, (role, role))
    return en if lang == "en" else vi


def status_text(account: Account, failures: int, lang: str) -> str:
    """Active or disabled, and the failed logins of the last 15 minutes when there are any."""
    text = t("accounts.disabled" if account.disabled else "accounts.active", lang)
    if failures:
        text += " · " + t("accounts.failures", lang, n=failures, minutes=int(throttle.WINDOW.total_seconds() // 60))
    return text


def accounts_frame(found: list[Account], failures: dict[str, int], lang: str) -> pl.DataFrame:
    """The accounts as a reader sees them, one row each."""
    rows = [
        {
            "username": a.username,
            "display_name": a.display_name or "",
            "role": role_text(a.role, lang),
            "department": a.department or "",
            "email": a.email or "",
            "status": status_text(a, failures.get(a.username, 0), lang),
            "created_at": a.created_at,
        }
        for a in found
    ]
    schema = {c: pl.String for c in COLUMNS} | {"created_at": pl.Datetime("us")}
    return pl.DataFrame(rows, schema=schema)


def acting_admin(path: str | os.PathLike | None, account: Account | None) -> str:
    """The acting administrator's username, after reading it again: PermissionDenied when no longer one."""
    fresh = None if account is None or account.anonymous else accounts.get_account(path, account.username)
    roles.check_can(fresh, "admin")
    assert fresh is not None
    return fresh.username


def not_yourself(actor: str, username: str, what_vi: str, what_en: str) -> None:
    """An administrator does not disable or demote their own account from the page (a slip would lock them out)."""
    if accounts.normalise_username(username) == actor:
        raise AccountError(
            f"Không thể tự {what_vi} tài khoản của chính mình; nhờ một quản trị viên khác.",
            f"You cannot {what_en} your own account; ask another administrator.",
        )


def same_passwords(first: str, second: str) -> None:
    """The new password typed twice must match."""
    if first != second:
        raise AccountError("Hai lần nhập mật khẩu không khớp.", "The two passwords differ.")
