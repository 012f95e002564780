"""Login sessions of local accounts: a token the browser keeps in a cookie, so a reload keeps its user.

Only the token's sha256 is stored. A session ends at logout, after ``LIFETIME``, and whenever its account's
password, role or department changes or it is disabled (``end_all``, in the same transaction as the change): a
copied cookie dies with them, and enabling the account again does not bring old sessions back.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime, timedelta

import duckdb

import db
from auth.accounts import Account, fetch

COOKIE = "bacninh_session"
LIFETIME = timedelta(hours=12)  # a working day


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(path: str | os.PathLike | None, account: Account, now: datetime | None = None) -> str:
    """A new session for ``account``; returns the token for the cookie. Expired sessions are dropped."""
    token = secrets.token_urlsafe(32)
    now = now or datetime.now()
    with db.transaction(path) as con:
        con.execute("DELETE FROM login_sessions WHERE expires_at <= ?", [now])
        con.execute(
            "INSERT INTO login_sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
            [_digest(token), account.username, now, now + LIFETIME],
        )
    return token


def resume(path: str | os.PathLike | None, token: str | None, now: datetime | None = None) -> Account | None:
    """The account of a live session, or None (unknown, expired, disabled or removed account)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    with db.read(path) as con:
        row = con.execute(
            "SELECT username FROM login_sessions WHERE token_hash = ? AND expires_at > ?",
            [_digest(token), now or datetime.now()],
        ).fetchone()
        account = fetch(con, row[0]) if row else None
    return None if account is None or account.disabled else account


def end_all(con: duckdb.DuckDBPyConnection, username: str) -> int:
    """End every session of ``username`` through the writer's connection (inside the change's transaction)."""
    ended = con.execute("DELETE FROM login_sessions WHERE username = $u RETURNING 1", {"u": username}).fetchall()
    return len(ended)


def close_session(path: str | os.PathLike | None, token: str | None) -> None:
    """End a session (logout)."""
    if token:
        with db.transaction(path) as con:
            con.execute("DELETE FROM login_sessions WHERE token_hash = ?", [_digest(token)])
