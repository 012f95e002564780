"""What each role may do, and the owner rule the loader checks where data is written.

| role      | read | export | submit                 | admin | ask an explanation | answer one          |
| --------- | ---- | ------ | ---------------------- | ----- | ------------------ | ------------------- |
| leader    | yes  | yes    | no                     | no    | yes                | no                  |
| analyst   | yes  | yes    | no                     | no    | no                 | no                  |
| submitter | yes  | no     | own department only    | no    | no                 | own department only |
| admin     | yes  | yes    | no: one owner per data | yes   | yes                | no                  |
| anonymous | yes  | yes    | no                     | no    | no                 | no                  |

Leaders export: they copy charts and tables into their reports. Department accounts submit and read; the files
they download are their own templates and reports, not the province's tables. Anonymous readers exist only where
reading needs no login: what anyone may read, anyone may download.

Admins manage the catalogue and the accounts but do not submit data: every value then has exactly one
owner, the department account that sent it. An admin who must load a department's file does it from the
command line on the server (``python -m loaders submit FILE --department CODE``), where the loader still
checks that every row belongs to that department. A disabled account may do nothing.

Explanations (đề nghị giải trình, ``loaders.explanations``): leaders and admins ask the department that owns an
indicator; only that department's accounts answer, as only they submit its data.
"""

from __future__ import annotations

import os
from typing import Any

import duckdb

import db
from auth import audit
from auth.accounts import Account, fetch
from auth.errors import PermissionDenied

ACTIONS = ("read", "export", "submit", "admin", "ask", "answer")

PERMISSIONS: dict[str, frozenset[str]] = {
    "leader": frozenset({"read", "export", "ask"}),
    "analyst": frozenset({"read", "export"}),
    "submitter": frozenset({"read", "submit", "answer"}),
    "admin": frozenset({"read", "export", "admin", "ask"}),
}

ROLE_NAMES = {
    "leader": ("lãnh đạo", "leader"),
    "analyst": ("chuyên viên phân tích", "analyst"),
    "submitter": ("cán bộ nộp số liệu", "submitter"),
    "admin": ("quản trị viên", "administrator"),
}

_ACTION_NAMES = {
    "read": ("xem dữ liệu", "read the data"),
    "export": ("tải dữ liệu xuống", "export data"),
    "submit": ("nộp số liệu", "submit data"),
    "admin": ("quản trị danh mục và tài khoản", "manage the catalogue and accounts"),
    "ask": ("đề nghị giải trình", "ask for an explanation"),
    "answer": ("trả lời đề nghị giải trình", "answer a request for an explanation"),
}


def can(account: Account | None, action: str) -> bool:
    """True when ``account`` may perform ``action`` ('read', 'export', 'submit', 'admin')."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
    if account is None or account.disabled:
        return False
    if account.anonymous:
        # Only where reading needs no login: what anyone may read, anyone may download.
        return action in ("read", "export")
    return action in PERMISSIONS.get(account.role, frozenset())


def denied(account: Account | None, action: str) -> PermissionDenied:
    """The bilingual refusal for ``account`` attempting ``action``."""
    vi, en = _ACTION_NAMES.get(action, (action, action))
    if account is None or account.anonymous:
        return PermissionDenied(
            f"Cần đăng nhập bằng tài khoản có quyền {vi}.",
            f"Log in with an account allowed to {en}.",
        )
    if account.disabled:
        return PermissionDenied("Tài khoản đã bị vô hiệu hóa.", "This account is disabled.")
    role_vi, role_en = ROLE_NAMES.get(account.role, (account.role, account.role))
    return PermissionDenied(
        f"Tài khoản '{account.username}' ({role_vi}) không có quyền {vi}.",
        f"The account '{account.username}' ({role_en}) is not allowed to {en}.",
    )


def check_can(account: Account | None, action: str) -> None:
    """Raise PermissionDenied unless ``account`` may perform ``action``."""
    if not can(account, action):
        raise denied(account, action)


def check_can_submit(account: Account | None, department: str) -> None:
    """Raise PermissionDenied unless ``account`` is an enabled submitter of ``department``."""
    check_can(account, "submit")
    assert account is not None
    wanted = (department or "").strip().upper()
    own = (account.department or "").strip().upper()
    if not own or own != wanted:
        raise PermissionDenied(
            f"Tài khoản '{account.username}' chỉ được nộp số liệu của {own or '(không có sở, ngành)'}, "
            f"không được nộp cho {wanted or '(trống)'}.",
            f"The account '{account.username}' may only submit for {own or '(no department)'}, "
            f"not for {wanted or '(empty)'}.",
        )


def check_can_answer(account: Account | None, department: str) -> None:
    """Raise PermissionDenied unless ``account`` is an enabled account of ``department`` that may answer."""
    check_can(account, "answer")
    assert account is not None
    wanted = (department or "").strip().upper()
    own = (account.department or "").strip().upper()
    if not own or own != wanted:
        raise PermissionDenied(
            f"Tài khoản '{account.username}' chỉ trả lời đề nghị giải trình gửi {own or '(không có sở, ngành)'}, "
            f"không trả lời thay {wanted or '(trống)'}.",
            f"The account '{account.username}' may only answer requests sent to {own or '(no department)'}, "
            f"not for {wanted or '(empty)'}.",
        )


def authorize_submission(con: duckdb.DuckDBPyConnection, username: str, department: str) -> None:
    """The owner rule at the point of writing: re-read the account through the writer's connection.

    Call on the submission's write connection before anything is written, so an account disabled or moved
    to another department after its session started cannot write, whatever the page sent. A refusal is
    audited ('submission_denied') and raised as PermissionDenied; called in autocommit (as the loader does
    before its own transaction) the audit row stays, inside a caller's transaction it goes with a rollback.
    """
    account = fetch(con, username)
    try:
        if account is None:
            raise PermissionDenied(f"Không có tài khoản '{username}'.", f"No account '{username}'.")
        check_can_submit(account, department)
    except PermissionDenied as exc:
        audit.record(con, username, audit.SUBMISSION_DENIED, department, {"reason": exc.message_en})
        raise


def record_export(
    path: str | os.PathLike | None,
    account: Account | None,
    file_name: str,
    detail: dict[str, Any] | None = None,
    right: str | None = "export",
) -> None:
    """A download, checked on the server at the moment it is made and audited either way.

    ``right`` is the right the file needs ('export' for the province's charts and tables; None for a file that is
    the user's own, such as the report of the file they uploaded). The account is re-read through the writer's
    connection, so a session opened before its account was disabled or lost the right exports nothing. Raises
    PermissionDenied when refused; the refusal is recorded too. Every download of the dashboard passes here
    (dashboard/downloads.py).
    """
    with db.write(path) as con:
        current = account if account is None or account.anonymous else fetch(con, account.username)
        actor = None if account is None else account.username
        allowed = can(current, right) if right is not None else current is not None and not current.disabled
        if not allowed:
            exc = denied(current, right or "read")
            audit.record(con, actor, audit.EXPORT_DENIED, file_name, {**(detail or {}), "reason": exc.message_en})
            raise exc
        audit.record(con, actor, audit.EXPORT, file_name, detail)
