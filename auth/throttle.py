"""Login throttling by client and by name, which nobody can turn against someone else.

The rules, over the last ``WINDOW`` (15 minutes); a name counts whether or not an account has it, so the
answer never tells which accounts exist:

| failures counted                                   | limit | who is held back                             |
| -------------------------------------------------- | ----- | -------------------------------------------- |
| from one client, whatever the names                | 20    | that client, for every name                  |
| for one name from one client                       | 5     | that client, for that name                   |
| for one name from every client                     | 5     | clients that have not logged in to that name |
|                                                    |       | in the last ``KNOWN_FOR`` (30 days)          |

So a stranger guessing the Vice Chairman's password is stopped after five tries, a botnet spraying it from many
addresses is stopped at every address it has not logged in from, and the Vice Chairman, logging in from the
address he used before, is not held back by any of it. What is left: someone at the *same* address (one office
behind one router) can hold that name back at that address for 15 minutes.

A held-back attempt is refused before its password is checked (it proves nothing) and does not count as a
failure, so the wait ends 15 minutes after the failures that caused it, however often the door is tried.
An administrator's password reset or enabling lifts every hold on the name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

WINDOW = timedelta(minutes=15)
PER_NAME = 5
PER_CLIENT = 20
KNOWN_FOR = timedelta(days=30)
KEEP_FAILURES = timedelta(days=1)
LOCAL = "local"  # no address: the server's own browser (localhost), or a test
COMMAND_LINE = "cli"
_MAX_CLIENT = 100


def client_key(address: str | None) -> str:
    """The client as stored: its address (shortened), or ``local`` when there is none."""
    text = (address or "").strip()
    return text[:_MAX_CLIENT] if text else LOCAL


@dataclass(frozen=True)
class Recent:
    """The failures that count now: for the name (every client), for the name from this client, from this client."""

    name_failures: tuple[datetime, ...]
    pair_failures: tuple[datetime, ...]
    client_failures: tuple[datetime, ...]
    known_client: bool


def _free_at(failures: tuple[datetime, ...], limit: int) -> datetime | None:
    """When a count at or over ``limit`` drops below it again (the failure that must expire, plus the window)."""
    if len(failures) < limit:
        return None
    ordered = sorted(failures)
    return ordered[len(ordered) - limit] + WINDOW


def wait(recent: Recent, now: datetime) -> timedelta | None:
    """How long this client must wait before trying this name again; None when it may try now."""
    holds = [_free_at(recent.client_failures, PER_CLIENT), _free_at(recent.pair_failures, PER_NAME)]
    if not recent.known_client:
        holds.append(_free_at(recent.name_failures, PER_NAME))
    until = max((h for h in holds if h is not None), default=None)
    return None if until is None or until <= now else until - now


def minutes(delay: timedelta) -> int:
    """A wait in whole minutes, rounded up (at least 1)."""
    return max(1, math.ceil(delay.total_seconds() / 60))


def recent(con: duckdb.DuckDBPyConnection, name: str, client: str, now: datetime) -> Recent:
    """Read the failures that count and whether ``client`` logged in to ``name`` lately."""
    rows = con.execute(
        "SELECT attempted_at, username = $u AS same_name, client = $c AS same_client FROM login_attempts "
        "WHERE NOT ok AND attempted_at > $since AND (username = $u OR client = $c)",
        {"u": name, "c": client, "since": now - WINDOW},
    ).fetchall()
    known = con.execute(
        "SELECT count(*) FROM login_attempts WHERE ok AND username = $u AND client = $c AND attempted_at > $since",
        {"u": name, "c": client, "since": now - KNOWN_FOR},
    ).fetchone()[0]
    return Recent(
        name_failures=tuple(at for at, same_name, _ in rows if same_name),
        pair_failures=tuple(at for at, same_name, same_client in rows if same_name and same_client),
        client_failures=tuple(at for at, _, same_client in rows if same_client),
        known_client=bool(known),
    )


def note(con: duckdb.DuckDBPyConnection, name: str, client: str, ok: bool, now: datetime) -> None:
    """Record one login attempt; a success clears this client's failures for the name. Old rows are dropped."""
    con.execute(
        "DELETE FROM login_attempts WHERE (NOT ok AND attempted_at < $old_failures) OR attempted_at < $old_successes",
        {"old_failures": now - KEEP_FAILURES, "old_successes": now - KNOWN_FOR},
    )
    if ok:
        con.execute("DELETE FROM login_attempts WHERE username = $u AND client = $c", {"u": name, "c": client})
    con.execute(
        "INSERT INTO login_attempts (attempted_at, username, client, ok) VALUES ($at, $u, $c, $ok)",
        {"at": now, "u": name, "c": client, "ok": ok},
    )


def lift(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Forget the failures for ``name`` (an administrator reset its password or enabled it)."""
    con.execute("DELETE FROM login_attempts WHERE username = $u AND NOT ok", {"u": name})


def failures_now(con: duckdb.DuckDBPyConnection, now: datetime) -> dict[str, int]:
    """Failures per name in the current window (for the accounts page)."""
    rows = con.execute(
        "SELECT username, count(*) FROM login_attempts WHERE NOT ok AND attempted_at > $since GROUP BY username",
        {"since": now - WINDOW},
    ).fetchall()
    return {name: int(n) for name, n in rows}
