"""The audit log: who did what, when. Written inside the writer's transaction, read by the admin page."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl

import db
from db.audit import now as now  # the audit clock and the one writer of audit rows, re-exported
from db.audit import record as record

# Actions this package writes; other modules add theirs ('submission', 'revision', 'catalogue_change', ...).
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOCKED = "locked"
LOGOUT = "logout"
ACCOUNT_ADDED = "account_added"
ACCOUNT_DISABLED = "account_disabled"
ACCOUNT_ENABLED = "account_enabled"
PASSWORD_CHANGED = "password_changed"
ROLE_CHANGED = "role_changed"
EXPORT = "export"
EXPORT_DENIED = "export_denied"
BACKUP = "backup"
RESTORE = "restore"
SUBMISSION_DENIED = "submission_denied"

MAX_LIMIT = 10_000
NO_ACTOR = "(server)"  # the actor filter's name for rows without one (the server's own command line)
AUDIT_COLUMNS = ("id", "logged_at", "actor", "action", "target", "detail", "department")


# Each row with the department it concerns: the target when it is a department (submissions), else the department
# of the account it targets (account changes, logins), else the department of the account that acted.
_ROWS = (
    "SELECT a.id, a.logged_at, a.actor, a.action, a.target, CAST(a.detail AS VARCHAR) AS detail, "
    "coalesce(d.code, t.department, u.department) AS department FROM audit_log a "
    "LEFT JOIN departments d ON d.code = a.target "
    "LEFT JOIN accounts t ON t.username = a.target "
    "LEFT JOIN accounts u ON u.username = a.actor"
)


def audit_query(
    action: str | Sequence[str] | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
    target: str | None = None,
    until: datetime | None = None,
    department: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """The SQL and bound parameters for ``read_audit``: newest first, filters optional (``until`` excluded)."""
    where: list[str] = []
    params: dict[str, Any] = {"limit": max(1, min(int(limit), MAX_LIMIT))}
    if action:
        params["actions"] = [action] if isinstance(action, str) else list(action)
        where.append("list_contains($actions, action)")
    if actor == NO_ACTOR:
        where.append("actor IS NULL")
    elif actor:
        params["actor"] = actor
        where.append("actor = $actor")
    if target:
        params["target"] = target
        where.append("target = $target")
    if since is not None:
        params["since"] = since
        where.append("logged_at >= $since")
    if until is not None:
        params["until"] = until
        where.append("logged_at < $until")
    if department:
        params["department"] = department
        where.append("department = $department")
    sql = f"SELECT {', '.join(AUDIT_COLUMNS)} FROM ({_ROWS})"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql + " ORDER BY logged_at DESC, id DESC LIMIT $limit", params


def read_audit(
    path: str | os.PathLike | None = None,
    action: str | Sequence[str] | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
    target: str | None = None,
    until: datetime | None = None,
    department: str | None = None,
) -> pl.DataFrame:
    """Audit rows, newest first: id, logged_at, actor, action, target, detail (JSON text), department."""
    sql, params = audit_query(action, actor, since, limit, target, until, department)
    return db.query(sql, params, path)


def audit_choices(path: str | os.PathLike | None = None) -> pl.DataFrame:
    """Every action and actor the log holds (for the page's filters): columns kind ('action'|'actor'), value."""
    return db.query(
        "SELECT DISTINCT 'action' AS kind, action AS value FROM audit_log "
        "UNION SELECT DISTINCT 'actor', coalesce(actor, $none) FROM audit_log ORDER BY kind, value",
        {"none": NO_ACTOR},
        path,
    )
