"""Take a department's file: read, check every row, and store it whole or not at all (CONTRACT §3).

An accepted file is merged in one transaction: keys whose value changed are
replaced in ``observations`` (rows equal to the current value are no-ops),
every new or changed value is appended to ``observation_history``, and the
submission and its audit rows are recorded. A rejected file leaves the
observations untouched and is recorded with its report. A file whose rows
all equal the current values, or whose hash the department already had
accepted, is ``unchanged`` and writes nothing at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

import db
import settings
from auth.accounts import Account
from auth.roles import authorize_submission
from loaders.errors import ReadError, RowError, UsageError, vi_count
from loaders.reading import SubmissionFrame, frame_from_polars, read_submission
from loaders.validation import load_reference, validate

_OBSERVATION_COLUMNS = (
    "indicator_code, period, period_start, period_end, locality_code, value, note, "
    "department, submission_id, submitted_at"
)


@dataclass
class SubmitResult:
    """The outcome of one submission."""

    status: str  # accepted | unchanged | rejected
    rows: int  # data rows in the file (blank rows not counted)
    new_rows: int = 0  # keys that had no value before
    revised_rows: int = 0  # keys whose value changed
    submission_id: int | None = None  # the recorded submission (for 'unchanged': the earlier one, if any)
    errors: list[RowError] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON report of CONTRACT §4."""
        return {
            "status": self.status,
            "rows": self.rows,
            "new_rows": self.new_rows,
            "revised_rows": self.revised_rows,
            "submission_id": self.submission_id,
            "errors": [e.to_dict() for e in self.errors],
        }


class _Arrow:
    """Hands a polars frame to DuckDB through the Arrow C stream (no pyarrow import, no copy)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the caller holds a transaction open: in autocommit each statement gets a new id.

    (A failed BEGIN would abort the caller's transaction, so we may not just try one.)
    """
    first = con.execute("SELECT txid_current()").fetchone()[0]
    return con.execute("SELECT txid_current()").fetchone()[0] == first


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Our own transaction, or the caller's when one is already open (the demo generator's)."""
    owned = not _in_transaction(con)
    if owned:
        con.begin()
    try:
        yield
    except BaseException:
        if owned:
            con.rollback()
        raise
    if owned:
        con.commit()


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def known_department(con: duckdb.DuckDBPyConnection, department: str) -> str:
    """The department code as stored (upper-case); UsageError when it is not in the database."""
    code = (department or "").strip().upper()
    found = con.execute("SELECT code FROM departments WHERE code = ?", [code]).fetchone()
    if found is None:
        codes = ", ".join(r[0] for r in con.execute("SELECT code FROM departments ORDER BY code").fetchall())
        raise UsageError(
            f"Không có sở/ngành mã '{department}'. Các mã hợp lệ: {codes or '(chưa có, hãy chạy init)'}.",
            f"No department with code '{department}'. Valid codes: {codes or '(none yet: run init)'}.",
        )
    return found[0]


STORED_PROBLEMS = 1_000


def stored_report(errors: list[RowError]) -> list[RowError]:
    """What the submissions table keeps of a report: the first problems and, past them, one line with the count.

    The person who sent the file gets every problem (CONTRACT §3); the record keeps enough to say why, so a
    50 MB file of bad rows cannot grow the database by hundreds of megabytes.
    """
    if len(errors) <= STORED_PROBLEMS:
        return errors
    more, total, kept = len(errors) - STORED_PROBLEMS, len(errors), STORED_PROBLEMS
    summary = RowError(
        None,
        None,
        None,
        f"… và {vi_count(more)} lỗi khác (tổng {vi_count(total)}); chỉ lưu {vi_count(kept)} lỗi đầu.",
        f"… and {more:,} more problems ({total:,} in all); only the first {kept:,} are kept.",
    )
    return [*errors[:STORED_PROBLEMS], summary]


def _record(
    con: duckdb.DuckDBPyConnection,
    *,
    department: str,
    file_name: str,
    file_hash: str,
    submitted_at: dt.datetime,
    submitted_by: str | None,
    status: str,
    rows: int,
    new_rows: int,
    revised_rows: int,
    errors: list[RowError],
) -> int:
    """The submissions row and its audit rows; returns the submission id."""
    submission_id = con.execute("SELECT nextval('submission_ids')").fetchone()[0]
    report = json.dumps(
        [
            {"row": e.row, "column": e.column, "value": e.value, "message_vi": e.message_vi, "message_en": e.message_en}
            for e in stored_report(errors)
        ],
        ensure_ascii=False,
    )
    con.execute(
        "INSERT INTO submissions (id, department, file_name, file_hash, submitted_at, submitted_by, status, rows, "
        "new_rows, revised_rows, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            submission_id,
            department,
            file_name,
            file_hash,
            submitted_at,
            submitted_by,
            status,
            rows,
            new_rows,
            revised_rows,
            report,
        ],
    )
    detail = {
        "submission_id": submission_id,
        "file_name": file_name,
        "status": status,
        "rows": rows,
        "new_rows": new_rows,
        "revised_rows": revised_rows,
        "errors": len(errors),
    }
    audit = (
        "INSERT INTO audit_log (id, logged_at, actor, action, target, detail) "
        "VALUES (nextval('audit_ids'), ?, ?, ?, ?, ?)"
    )
    con.execute(audit, [submitted_at, submitted_by, "submission", department, json.dumps(detail)])
    if revised_rows:
        revision = {"submission_id": submission_id, "count": revised_rows}
        con.execute(audit, [submitted_at, submitted_by, "revision", department, json.dumps(revision)])
    return submission_id


def _rejected(con: duckdb.DuckDBPyConnection, rows: int, errors: list[RowError], **where: object) -> SubmitResult:
    with _transaction(con):
        submission_id = _record(con, status="rejected", rows=rows, new_rows=0, revised_rows=0, errors=errors, **where)
    return SubmitResult("rejected", rows, submission_id=submission_id, errors=errors)


def ingest_frame(
    con: duckdb.DuckDBPyConnection,
    frame: pl.DataFrame | SubmissionFrame,
    department: str,
    *,
    file_name: str,
    file_hash: str,
    submitted_at: dt.datetime,
    submitted_by: str | None = None,
    today: dt.date | None = None,
    account: Account | None = None,
) -> SubmitResult:
    """Check and store one submission on an open write connection (in its own transaction, or the caller's).

    ``frame`` is a read file, or a polars frame with the contract's columns
    (indicator_code, period, locality_code, value, note; any dtypes).
    """
    department = known_department(con, department)
    if account is not None:
        # The owner rule where data is written: the account is re-read through this write connection.
        authorize_submission(con, account.username, department)
        submitted_by = account.username
    where = {
        "department": department,
        "file_name": file_name,
        "file_hash": file_hash,
        "submitted_at": submitted_at,
        "submitted_by": submitted_by,
    }
    if isinstance(frame, pl.DataFrame):
        try:
            frame = frame_from_polars(frame)
        except ReadError as exc:
            return _rejected(con, 0, exc.errors, **where)
    earlier = con.execute(
        "SELECT max(id) FROM submissions WHERE department = ? AND file_hash = ? AND status = 'accepted'",
        [department, file_hash],
    ).fetchone()[0]
    if earlier is not None:
        return SubmitResult("unchanged", frame.rows, submission_id=earlier)
    checked = validate(frame, department, load_reference(con), today or submitted_at.date())
    if checked.errors:
        return _rejected(con, checked.rows, checked.errors, **where)
    con.register("_staged", _Arrow(checked.clean))
    try:
        with _transaction(con):
            return _merge(con, checked.rows, checked.clean.height, where)
    finally:
        con.unregister("_staged")


_SAME_KEY = "o.indicator_code = s.indicator_code AND o.period = s.period AND o.locality_code = s.locality_code"


def _merge(con: duckdb.DuckDBPyConnection, rows: int, staged: int, where: dict) -> SubmitResult:
    """Merge the registered ``_staged`` rows into the current values and the history.

    New keys are inserted straight from the Arrow stream (no copy); only the
    revised rows, usually few, are staged in a temporary table. Nothing is
    written when no value changes.
    """
    matched, revised_rows = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE o.value <> s.value) FROM _staged s JOIN observations o ON {_SAME_KEY}"
    ).fetchone()
    new_rows = staged - matched
    if new_rows + revised_rows == 0:
        return SubmitResult("unchanged", rows)
    submission_id = _record(
        con, status="accepted", rows=rows, new_rows=new_rows, revised_rows=revised_rows, errors=[], **where
    )
    params = {
        "department": where["department"],
        "submission_id": submission_id,
        "submitted_at": where["submitted_at"],
    }
    columns = (
        "s.indicator_code, s.period, s.period_start, s.period_end, s.locality_code, s.value, s.note, "
        "$department, $submission_id, $submitted_at"
    )
    if revised_rows:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _revised AS SELECT s.* FROM _staged s JOIN observations o ON {_SAME_KEY} "
            "WHERE o.value <> s.value"
        )
    if new_rows == staged:  # nothing there yet (a first load, a new period): straight from the Arrow stream
        con.execute(f"INSERT INTO observations ({_OBSERVATION_COLUMNS}) SELECT {columns} FROM _staged s", params)
    elif new_rows:
        con.execute(
            f"INSERT INTO observations ({_OBSERVATION_COLUMNS}) SELECT {columns} FROM _staged s "
            f"ANTI JOIN observations o ON {_SAME_KEY}",
            params,
        )
    if revised_rows:
        con.execute(f"DELETE FROM observations o USING _revised s WHERE {_SAME_KEY}")
        con.execute(f"INSERT INTO observations ({_OBSERVATION_COLUMNS}) SELECT {columns} FROM _revised s", params)
        con.execute("DROP TABLE _revised")
    con.execute(
        f"INSERT INTO observation_history ({_OBSERVATION_COLUMNS}) SELECT {_OBSERVATION_COLUMNS} FROM observations "
        "WHERE submission_id = $submission_id",
        {"submission_id": submission_id},
    )
    return SubmitResult("accepted", rows, new_rows, revised_rows, submission_id)


def submit_file(
    path: str | os.PathLike,
    department: str,
    *,
    db_path: str | os.PathLike | None = None,
    submitted_by: str | None = None,
    now: dt.datetime | None = None,
    account: Account | None = None,
) -> SubmitResult:
    """Read, check and store one department's file. UsageError for a missing file or unknown department."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"Không tìm thấy tệp {path}.", f"File not found: {path}.")
    submitted_at = now or dt.datetime.now()
    digest = file_hash(path)
    try:
        frame: SubmissionFrame | None = read_submission(path)
        unreadable: list[RowError] = []
    except ReadError as exc:
        frame, unreadable = None, exc.errors
    with db.write(db_path) as con:
        where = {"file_name": path.name, "file_hash": digest, "submitted_at": submitted_at}
        if frame is None:
            code = known_department(con, department)
            if account is not None:
                authorize_submission(con, account.username, code)
                submitted_by = account.username
            return _rejected(con, 0, unreadable, department=code, submitted_by=submitted_by, **where)
        today = settings.today() if now is None else submitted_at.date()
        return ingest_frame(con, frame, department, submitted_by=submitted_by, today=today, account=account, **where)
