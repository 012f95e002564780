"""Explanations asked and answered (đề nghị giải trình): the two writes, through the one write door.

A leader (or an administrator) asks the department that owns an indicator to
explain its figure for a period, with a note and a due date (``ask``); an
account of that department answers once, in text (``answer``). Each write
re-reads the acting account inside the transaction (an account disabled or
moved since its session began is refused), checks the right (``auth.roles``:
``ask``, ``answer`` for the owner department only) and writes its audit row
with the change, or the refusal's audit row, in the same door. Where a
request stands (open, overdue, answered) is ``rules.explanations``; the reads
are ``db.queries.explanations``.

Texts are kept as given, in Unicode NFC, control characters other than line
breaks made spaces, at most ``NOTE_MAX`` / ``ANSWER_MAX`` characters; pages
show them as text, never as Markdown or HTML.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

import db
import settings
from auth import roles
from auth.accounts import Account, fetch
from auth.errors import PermissionDenied
from db.audit import record
from loaders.errors import UsageError, vi_count
from rules import calendar

ASKED = "explanation_asked"
ANSWERED = "explanation_answered"
DENIED = "explanation_denied"
NOTE_MAX = 2_000
ANSWER_MAX = 4_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Request:
    """One request as written: its id, what it asks of whom, by when."""

    id: int
    indicator_code: str
    period: str
    department: str
    due_date: date


def clean_text(text: str | None, most: int, what_vi: str, what_en: str) -> str:
    """Text as stored: NFC, line breaks kept, other control characters made spaces; UsageError when empty or long."""
    cleaned = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n")).strip()
    cleaned = _CONTROL.sub(" ", cleaned)
    if not cleaned:
        raise UsageError(f"Chưa nhập {what_vi}.", f"The {what_en} is empty.")
    if len(cleaned) > most:
        raise UsageError(
            f"{what_vi.capitalize()} dài {vi_count(len(cleaned))} ký tự; tối đa {vi_count(most)}.",
            f"The {what_en} is {len(cleaned):,} characters long; at most {most:,}.",
        )
    return cleaned


def _allowed(
    con: duckdb.DuckDBPyConnection, account: Account | None, action: str, target: str, detail: dict
) -> tuple[Account | None, PermissionDenied | None]:
    """The acting account as it stands now (read through the writer's connection) and, when it may not ``action``
    ('ask' or 'answer'), the refusal, already audited: the caller commits the audit row and raises it after."""
    current = account if account is None or account.anonymous else fetch(con, account.username)
    try:
        roles.check_can(current, action)
    except PermissionDenied as exc:
        record(con, None if account is None else account.username, DENIED, target, {**detail, "reason": exc.message_en})
        return current, exc
    return current, None


def ask(
    path: str | os.PathLike | None,
    account: Account | None,
    code: str,
    period: str,
    note: str,
    due: date,
    now: datetime | None = None,
) -> Request:
    """A leader's request to the indicator's owner; returns it. UsageError for a bad indicator, period, note or due
    date; PermissionDenied (audited) for an account that may not ask."""
    now = now or settings.now()  # the pinned day in tests, as submissions
    code = (code or "").strip().upper()
    text = clean_text(note, NOTE_MAX, "nội dung đề nghị", "request")
    if due < now.date():
        raise UsageError(
            f"Hạn trả lời {due:%d/%m/%Y} đã qua; chọn từ hôm nay trở đi.",
            f"The due date {due:%d/%m/%Y} has passed; choose today or later.",
        )
    request = None
    with db.transaction(path) as con:  # a refusal leaves the door normally, so that its audit row is committed
        actor, refused = _allowed(con, account, "ask", code, {"indicator": code, "period": period})
        if refused is None:
            request = _insert(con, actor, code, period, text, due, now)
    if refused is not None:
        raise refused
    return request


def _insert(
    con: duckdb.DuckDBPyConnection, actor: Account, code: str, period: str, note: str, due: date, now: datetime
) -> Request:
    found = con.execute("SELECT owner, frequency FROM indicators WHERE code = $code", {"code": code}).fetchone()
    if found is None:
        raise UsageError(f"Không có chỉ số mã {code}.", f"No indicator with code {code}.")
    owner, frequency = found
    parsed = calendar.parse(period or "")
    if parsed is None or parsed.frequency != frequency or parsed.start > now.date():
        raise UsageError(
            f"'{period}' không phải một kỳ báo cáo của chỉ số {code}.",
            f"'{period}' is not a reporting period of indicator {code}.",
        )
    canonical = str(parsed)
    row = con.execute(
        "INSERT INTO explanations (id, indicator_code, period, department, note, due_date, asked_by, asked_at) "
        "VALUES (nextval('explanation_ids'), $code, $period, $department, $note, $due, $by, $at) RETURNING id",
        {"code": code, "period": canonical, "department": owner, "note": note, "due": due, "by": actor.username,
         "at": now},
    ).fetchone()  # fmt: skip
    request = Request(int(row[0]), code, canonical, owner, due)
    detail = {"request_id": request.id, "indicator": code, "period": canonical, "department": owner, "due_date": due}
    record(con, actor.username, ASKED, code, detail, at=now)
    return request


def answer(
    path: str | os.PathLike | None,
    account: Account | None,
    request_id: int,
    text: str,
    now: datetime | None = None,
) -> Request:
    """The owner department's answer to one request, once; returns the request. UsageError for an unknown request,
    one already answered or an empty text; PermissionDenied (audited) for an account not of that department."""
    now = now or settings.now()  # the pinned day in tests, as submissions
    body = clean_text(text, ANSWER_MAX, "nội dung trả lời", "answer")
    request = None
    with db.transaction(path) as con:  # a refusal leaves the door normally, so that its audit row is committed
        found = con.execute(
            "SELECT indicator_code, period, department, due_date, answered_at FROM explanations WHERE id = $id",
            {"id": int(request_id)},
        ).fetchone()
        if found is None:
            raise UsageError(f"Không có đề nghị giải trình số {request_id}.", f"No request number {request_id}.")
        code, period, department, due, answered_at = found
        detail = {"request_id": int(request_id), "indicator": code, "period": period, "department": department}
        actor, refused = _allowed(con, account, "answer", code, detail)
        if refused is None:
            try:
                roles.check_can_answer(actor, department)
            except PermissionDenied as exc:
                record(con, actor.username, DENIED, code, {**detail, "reason": exc.message_en})
                refused = exc
        if refused is None:
            if answered_at is not None:
                raise UsageError(
                    f"Đề nghị giải trình số {request_id} đã được trả lời.", f"Request {request_id} is already answered."
                )
            con.execute(
                "UPDATE explanations SET answer = $answer, answered_by = $by, answered_at = $at WHERE id = $id",
                {"answer": body, "by": actor.username, "at": now, "id": int(request_id)},
            )
            record(con, actor.username, ANSWERED, code, {**detail, "late": now.date() > due}, at=now)
            request = Request(int(request_id), code, period, department, due)
    if refused is not None:
        raise refused
    return request
