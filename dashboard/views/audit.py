"""/audit read as sentences: who, what, when, on what, the detail as a readable change. No Streamlit here.

The audit log stores action codes and JSON details (auth/audit.py); this turns each row into words in the
reader's language: the command line is named as such (not ``None``), an account change reads
``vai trò: lãnh đạo → chuyên viên phân tích``, a catalogue change lists its attributes old → new.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import polars as pl

from auth.audit import NO_ACTOR
from auth.roles import ROLE_NAMES
from dashboard.i18n import has, t
from dashboard.numbers import fmt_number
from dashboard.views.catalogue_admin import attribute_name, value_text

COLUMNS = ("when", "who", "what", "target", "department", "detail")
MOST_CHANGES = 8  # a catalogue change lists this many attributes, then "and N more"
NONE = "—"


# ---------------------------------------------------------------- the filters


def date_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """From the start of ``start`` to the end of ``end`` (both days included), for the audit query."""
    since = None if start is None else datetime.combine(start, time.min)
    until = None if end is None else datetime.combine(end + timedelta(days=1), time.min)
    return since, until


def parse_day(text: str | None) -> date | None:
    """A day from the address (``2026-11-26``); None when absent or unreadable."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# ---------------------------------------------------------------- words


def actor_text(actor: str | None, lang: str) -> str:
    """Who: the account, the server's command line (``None`` or ``cli:NAME``), or the demo generator."""
    if actor is None or actor in ("cli", NO_ACTOR):
        return t("audit.who_cli", lang)
    if actor.startswith("cli:"):
        return t("audit.who_cli_user", lang, user=actor[4:])
    if actor == "demo":
        return t("audit.who_demo", lang)
    return actor


def action_text(action: str, lang: str) -> str:
    """What, in words; an action this page does not know yet shows its code."""
    key = f"audit.do.{action}"
    return t(key, lang) if has(key) else action


def _role(role: str | None, lang: str) -> str:
    if role is None:
        return NONE
    vi, en = ROLE_NAMES.get(role, (role, role))
    return en if lang == "en" else vi


def _value(key: str, value: Any, lang: str) -> str:
    if value is None or value == "":
        return NONE
    if key == "role":
        return _role(value, lang)
    if isinstance(value, bool):
        return t("ui.yes" if value else "ui.no", lang)
    if isinstance(value, int | float):
        return fmt_number(value, lang)
    if key == "reason" and has(f"audit.reason.{value}"):
        return t(f"audit.reason.{value}", lang)
    if key == "method" and has(f"audit.method.{value}"):
        return t(f"audit.method.{value}", lang)
    if key == "client" and value in ("local", "cli"):
        return t(f"audit.client_{value}", lang)
    if key == "status" and has(f"audit.status.{value}"):
        return t(f"audit.status.{value}", lang)
    if isinstance(value, list):
        return ", ".join(_value(key, v, lang) for v in value) or NONE
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(k, v, lang)}" for k, v in value.items())
    return str(value)


def _key(key: str, lang: str) -> str:
    return t(f"audit.key.{key}", lang) if has(f"audit.key.{key}") else key


_FIRST = ("role", "department", "reason", "method", "client", "file_name", "format", "rows")


def _pairs(detail: dict[str, Any], lang: str, skip: tuple[str, ...] = ()) -> str:
    """``key: value; …`` in words, the telling keys first; a value [old, new] reads ``old → new`` (left out when
    it did not change)."""
    keys = [k for k in _FIRST if k in detail] + [k for k in detail if k not in _FIRST]
    parts = []
    for key in keys:
        value = detail[key]
        if key in skip:
            continue
        if key in ("role", "department") and isinstance(value, list) and len(value) == 2:
            if value[0] != value[1]:
                parts.append(f"{_key(key, lang)}: {_value(key, value[0], lang)} → {_value(key, value[1], lang)}")
        elif value not in (None, "", []):  # an empty attribute says nothing
            parts.append(f"{_key(key, lang)}: {_value(key, value, lang)}")
    return "; ".join(parts)


def _catalogue(detail: dict[str, Any], lang: str) -> str:
    parts = [t("audit.catalogue_size", lang, n=fmt_number(detail.get("indicators", 0), lang))]
    for kind in ("added", "removed"):
        if detail.get(kind):
            parts.append(f"{t(f'audit.catalogue_{kind}', lang)}: {', '.join(detail[kind])}")
    changes = detail.get("changes") or []
    for code, field, old, new in changes[:MOST_CHANGES]:
        name = attribute_name(field, lang)
        parts.append(f"{code} · {name}: {value_text(field, _back(old), lang)} → {value_text(field, _back(new), lang)}")
    more = int(detail.get("changes_total", len(changes))) - min(len(changes), MOST_CHANGES)
    if more > 0:
        parts.append(t("audit.more_changes", lang, n=fmt_number(more, lang)))
    if not (detail.get("added") or detail.get("removed") or changes) and "changes" in detail:
        parts.append(t("audit.catalogue_same", lang))
    return "; ".join(parts)


def _back(value: Any) -> Any:
    """JSON turned the components' tuples into lists: back to what value_text reads."""
    if isinstance(value, list):
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return value


def _submission(detail: dict[str, Any], lang: str) -> str:
    key = f"audit.submission_{detail.get('status')}"
    if not has(key):
        raise KeyError(key)
    return t(
        key,
        lang,
        file=detail.get("file_name", NONE),
        rows=fmt_number(detail.get("rows", 0), lang),
        new=fmt_number(detail.get("new_rows", 0), lang),
        revised=fmt_number(detail.get("revised_rows", 0), lang),
        errors=fmt_number(detail.get("errors", 0), lang),
        id=detail.get("submission_id", NONE),
    )


def _rejected(detail: dict[str, Any], lang: str) -> str:
    problems = detail.get("problems") or []
    first = f": {problems[0]}" if problems else ""
    return t("audit.problems", lang, n=fmt_number(len(problems), lang)) + first


_BY_ACTION: dict[str, Callable[[dict[str, Any], str], str]] = {
    "catalogue_load": _catalogue,
    "submission": _submission,
    "catalogue_rejected": _rejected,
}


def detail_text(action: str, detail: str | None, lang: str) -> str:
    """The detail of one row in words (never raw JSON); empty when there is none."""
    if not detail:
        return ""
    try:
        value = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(value, dict):
        return _value("", value, lang)
    describe = _BY_ACTION.get(action)
    if describe is not None:
        try:
            return describe(value, lang)
        except (KeyError, TypeError, ValueError):  # an older row of another shape: the plain listing below
            pass
    return _pairs(value, lang, skip=("file_hash", "catalogue_load_id"))


def readable(log: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The audit rows as a reader sees them: when, who, what, on what, department, detail in words."""
    rows = [
        {
            "when": r["logged_at"],
            "who": actor_text(r["actor"], lang),
            "what": action_text(r["action"], lang),
            "target": r["target"] or "",
            "department": r.get("department") or "",
            "detail": detail_text(r["action"], r["detail"], lang),
        }
        for r in log.iter_rows(named=True)
    ]
    schema = {"when": pl.Datetime("us"), **{c: pl.String for c in COLUMNS[1:]}}
    return pl.DataFrame(rows, schema=schema)


def column_names(lang: str) -> dict[str, str]:
    """The column headings in the reader's language (also the downloaded file's)."""
    return {c: t(f"audit.col_{c}", lang) for c in COLUMNS}
