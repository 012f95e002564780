"""The one writer of audit rows: every module that records who did what calls ``record`` here.

It lives beside the write door (not in ``auth``) so that the database layer (restore), the loaders and
the trust layer all use it without importing upward; ``auth.audit`` re-exports it with the readers.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

_MAX_TEXT = 200  # actor and target may come from hostile input (a typed username): keep them short


def _short(text: str | None) -> str | None:
    return None if text is None else str(text)[:_MAX_TEXT]


def now() -> datetime:
    """The audit clock: the server's local time, without time zone (run the server in Asia/Ho_Chi_Minh)."""
    return datetime.now()


def record(
    con: duckdb.DuckDBPyConnection,
    actor: str | None,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Append one audit row through ``con`` (the writer's connection, inside its transaction); returns its id."""
    if not action or len(action) > 64:
        raise ValueError(f"audit action must be 1-64 characters, got {action!r}")
    payload = None if detail is None else json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)
    row = con.execute(
        "INSERT INTO audit_log (id, logged_at, actor, action, target, detail) "
        "VALUES (nextval('audit_ids'), $at, $actor, $action, $target, $detail) RETURNING id",
        {"at": at or now(), "actor": _short(actor), "action": action, "target": _short(target), "detail": payload},
    ).fetchone()
    return int(row[0])
