"""Take a department's file: check it without any lock, then store it whole or not at all (CONTRACT §3).

Two steps, shared by the command line and the upload page:

* ``preview_file`` reads the file, checks every row against the catalogue and
  looks up the current value of every key the file touches. It holds no lock
  while reading and checking: it glances at the database twice, read-only, for
  the catalogue and then for the current values, so a large file being checked
  blocks neither readers nor other writers. Nothing is written, not even a
  submission record: ``submit --check`` is a preview.
* ``commit`` enters the write door (``db.transaction``) and, inside it,
  rechecks what the preview relied on: the department and the account, the
  catalogue the rows were checked against, and the current value of every key
  the file touches (current values change only together with a new
  submission row, so when no submission was recorded since the preview the
  per-key comparison is skipped). If any changed since the preview (the
  catalogue was replaced, or someone revised one of those values meanwhile),
  nothing is written and ``StalePreview`` names what changed, so the caller
  checks again.
  Otherwise the rows are merged: keys whose value changed are replaced in
  ``observations`` (rows equal to the current value are no-ops), every new or
  changed value is appended to ``observation_history`` (a revised one with the
  submission's reason), and the submission and its audit rows are recorded.

``submit_file`` is both steps at once; when its preview went stale it checks
the file again (never under the lock) and tries again. A rejected file is
recorded with its report and writes no value. A file whose rows all equal the
current values, or whose hash the department already had accepted, is
``unchanged`` and writes nothing at all.

Versions are ordered by commit: ``submitted_at`` is taken inside the lock,
when the values become current, and never earlier than a previous commit's (a
clock set back, or a fixed clock in tests, cannot reorder the history; equal
times are ordered by submission id, which is also taken inside the lock).
``received_at`` keeps the time the file arrived.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import duckdb
import polars as pl

import db
import settings
from auth.accounts import Account, fetch
from auth.audit import SUBMISSION_DENIED
from auth.errors import PermissionDenied
from auth.roles import authorize_submission, check_can_submit
from db import audit
from loaders import limits
from loaders.errors import (
    Change,
    FileUnreadable,
    ReadError,
    RowError,
    StalePreview,
    UsageError,
    en_count,
    en_number,
    os_reason,
    vi_count,
    vi_number,
)
from loaders.reading import SubmissionFrame, frame_from_polars, read_submission
from loaders.validation import Reference, load_reference, validate
from rules.calendar import label_of

_OBSERVATION_COLUMNS = (
    "indicator_code, period, period_start, period_end, locality_code, value, note, "
    "department, submission_id, submitted_at"
)
_SAME_KEY = "o.indicator_code = s.indicator_code AND o.period = s.period AND o.locality_code = s.locality_code"
_KEY_COLUMNS = ["indicator_code", "period", "locality_code"]
ATTEMPTS = 3  # submit_file: checks of the file before it gives up on a database that keeps changing under it
REASON_MAX = 1_000  # characters of a revision's reason
_LISTED_CHANGES = 50  # values named in a StalePreview


@dataclass(frozen=True)
class Revision:
    """A published value the file changes (CONTRACT §4 ``revisions``)."""

    indicator_code: str
    period: str
    locality_code: str  # '' for the province
    old_value: float
    new_value: float

    def to_dict(self) -> dict:
        return asdict(self)


_REVISION_SCHEMA = {
    "indicator_code": pl.Utf8,
    "period": pl.Utf8,
    "locality_code": pl.Utf8,
    "old_value": pl.Float64,
    "new_value": pl.Float64,
}


@dataclass
class SubmitResult:
    """The outcome of one submission (or of its check: then nothing was written and submission_id is None)."""

    status: str  # accepted | unchanged | rejected
    rows: int  # data rows in the file (blank rows not counted)
    new_rows: int = 0  # keys that had no value before
    revised_rows: int = 0  # keys whose value changed
    submission_id: int | None = None  # the recorded submission (for 'unchanged': the earlier one, if any)
    errors: list[RowError] = field(default_factory=list)
    revised_values: pl.DataFrame | None = None  # columns of Revision, file order; None: no revision

    @property
    def revisions(self) -> list[Revision]:
        """Every published value the file changed (or would change), old and new, in file order."""
        if self.revised_values is None:
            return []
        return [Revision(*row) for row in self.revised_values.iter_rows()]

    def to_dict(self) -> dict:
        """The JSON report of CONTRACT §4."""
        return {
            "status": self.status,
            "rows": self.rows,
            "new_rows": self.new_rows,
            "revised_rows": self.revised_rows,
            "submission_id": self.submission_id,
            "errors": [e.to_dict() for e in self.errors],
            "revisions": [] if self.revised_values is None else self.revised_values.to_dicts(),
        }


@dataclass
class Preview:
    """A checked file and what committing it would do; nothing was written and no lock is held.

    ``staged`` holds the rows to store with the value each key had when the file was checked
    (``seen_value``, ``seen_submission``: null for a new key); ``commit`` writes only if that is
    still so, and if the catalogue is still ``reference``.
    """

    department: str
    file_name: str
    file_hash: str
    received_at: dt.datetime
    rows: int
    errors: list[RowError] = field(default_factory=list)
    submitted_by: str | None = None
    username: str | None = None  # the account whose owner rule commit checks again
    earlier: int | None = None  # the accepted submission of the same file, if any
    staged: pl.DataFrame | None = None
    reference: Reference | None = None
    db_path: str | os.PathLike | None = None
    clock: dt.datetime | None = None  # a fixed commit time (tests, replays); None: the clock at commit
    last_submission: int | None = None  # the newest submission id when the current values were read

    @property
    def new_rows(self) -> int:
        """Keys that have no value yet."""
        return 0 if self.staged is None else int(self.staged["seen_submission"].null_count())

    @property
    def revised_rows(self) -> int:
        """Keys whose published value the file changes."""
        return 0 if self.staged is None else self._revised().height

    @property
    def status(self) -> str:
        """What submitting the file now would report: accepted, unchanged or rejected."""
        if self.errors:
            return "rejected"
        if self.earlier is not None or self.new_rows + self.revised_rows == 0:
            return "unchanged"
        return "accepted"

    def _revised(self) -> pl.DataFrame:
        assert self.staged is not None
        return self.staged.filter(pl.col("seen_submission").is_not_null() & (pl.col("value") != pl.col("seen_value")))

    def revised_values(self) -> pl.DataFrame:
        """Every published value the file changes, in file order: indicator_code, period, locality_code,
        old_value, new_value."""
        if self.staged is None:
            return pl.DataFrame(schema=_REVISION_SCHEMA)
        return self._revised().select(
            "indicator_code", "period", "locality_code", old_value="seen_value", new_value="value"
        )

    def revised_notes(self) -> list[str]:
        """The notes the file gives on its revised rows: distinct, non-empty, in file order."""
        if self.staged is None or not self.revised_rows:
            return []
        notes = self._revised()["note"].drop_nulls().str.strip_chars()
        return [n for n in notes.unique(maintain_order=True).to_list() if n]

    @property
    def revisions(self) -> list[Revision]:
        """The same, as Revision records."""
        return [Revision(*row) for row in self.revised_values().iter_rows()]

    def new_values(self) -> pl.DataFrame:
        """The values for keys that have none yet: indicator_code, period, locality_code, value, note."""
        columns = ["indicator_code", "period", "locality_code", "value", "note"]
        if self.staged is None:
            return pl.DataFrame(schema={c: pl.Float64 if c == "value" else pl.Utf8 for c in columns})
        return self.staged.filter(pl.col("seen_submission").is_null()).select(columns)

    def result(self) -> SubmitResult:
        """The report ``submit`` would give now (``--check``): nothing recorded, so no submission id."""
        status = self.status
        return SubmitResult(
            status,
            self.rows,
            self.new_rows if status == "accepted" else 0,
            self.revised_rows if status == "accepted" else 0,
            self.earlier if status == "unchanged" else None,
            list(self.errors),
            self.revised_values() if status == "accepted" and self.revised_rows else None,
        )


class _Arrow:
    """Hands a polars frame to DuckDB through the Arrow C stream (no pyarrow import, no copy)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


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
    found = next(iter(con.execute("SELECT code FROM departments WHERE code = ?", [code]).fetchall()), None)
    if found is None:
        codes = ", ".join(r[0] for r in con.execute("SELECT code FROM departments ORDER BY code").fetchall())
        raise UsageError(
            f"Không có sở/ngành mã '{department}'. Các mã hợp lệ: {codes or '(chưa có, hãy chạy init)'}.",
            f"No department with code '{department}'. Valid codes: {codes or '(none yet: run init)'}.",
        )
    return found[0]


def clean_reason(reason: str | None) -> str | None:
    """A revision's reason as stored: NFC, control characters other than line breaks and tabs made spaces.

    UsageError past ``REASON_MAX`` characters; None when empty.
    """
    text = unicodedata.normalize("NFC", (reason or "").replace("\r\n", "\n")).strip()
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", " ", text)
    if len(text) > REASON_MAX:
        raise UsageError(
            f"Lý do sửa đổi dài {vi_count(len(text))} ký tự; tối đa {vi_count(REASON_MAX)}.",
            f"The reason for the revision is {len(text):,} characters long; at most {REASON_MAX:,}.",
        )
    return text or None


STORED_PROBLEMS = 1_000


def _stored(error: RowError) -> RowError:
    """A problem as the record keeps it: the value cut to STORED_VALUE_CHARS, control characters visible."""
    return error if error.value is None else replace(error, value=limits.shown(error.value, limits.STORED_VALUE_CHARS))


def stored_report(errors: list[RowError]) -> list[RowError]:
    """What the submissions table keeps of a report: the first problems and, past them, one line with the count.

    The person who sent the file gets every problem (CONTRACT §3); the record keeps enough to say why, so a
    50 MB file of bad rows cannot grow the database by hundreds of megabytes. A value is kept up to
    ``limits.STORED_VALUE_CHARS`` characters (a 100 MB cell is never stored whole).
    """
    if len(errors) <= STORED_PROBLEMS:
        return [_stored(e) for e in errors]
    more, total, kept = len(errors) - STORED_PROBLEMS, len(errors), STORED_PROBLEMS
    summary = RowError(
        None,
        None,
        None,
        f"… và {vi_count(more)} lỗi khác (tổng {vi_count(total)}); chỉ lưu {vi_count(kept)} lỗi đầu.",
        f"… and {en_count(more, 'more problem')} ({total:,} in all); only the first {kept:,} are kept.",
    )
    return [*(_stored(e) for e in errors[:STORED_PROBLEMS]), summary]


# -- step 1: the check, without a lock ------------------------------------------------------------


def _unreadable(path: Path, exc: OSError) -> FileUnreadable:
    vi, en = os_reason(exc)
    return FileUnreadable(
        f"Không đọc được tệp {path.name}: {vi}. Không có gì được ghi.",
        f"Cannot read the file {path.name}: {en}. Nothing was written.",
    )


def _existing_file(path: Path) -> Path:
    if path.is_dir():
        raise UsageError(
            f"{path} là một thư mục; hãy chỉ ra tệp cần nộp.", f"{path} is a folder; name the file to submit."
        )
    if not path.is_file():
        raise UsageError(f"Không tìm thấy tệp {path}.", f"File not found: {path}.")
    return path


def _same_file_accepted(con: duckdb.DuckDBPyConnection, department: str, digest: str) -> int | None:
    return con.execute(
        "SELECT max(id) FROM submissions WHERE department = ? AND file_hash = ? AND status = 'accepted'",
        [department, digest],
    ).fetchall()[0][0]


def _with_current(con: duckdb.DuckDBPyConnection, clean: pl.DataFrame) -> pl.DataFrame:
    """The checked rows, in file order (``_order``), with the current value and submission of each key.

    Only positions and numbers come back from the database (``fetchnumpy``: no pyarrow import, no strings),
    and are scattered into the rows here; a key without a value keeps nulls.
    """
    staged = clean.with_row_index("_order")
    con.register("_clean", _Arrow(staged.select("_order", *_KEY_COLUMNS)))
    try:
        found = con.execute(
            f"SELECT s._order, o.value, o.submission_id FROM _clean s JOIN observations o ON {_SAME_KEY}"
        ).fetchnumpy()
    finally:
        con.unregister("_clean")
    seen_value = pl.repeat(None, staged.height, dtype=pl.Float64, eager=True)
    seen_submission = pl.repeat(None, staged.height, dtype=pl.Int64, eager=True)
    if len(found["_order"]):
        seen_value = seen_value.scatter(found["_order"], found["value"])
        seen_submission = seen_submission.scatter(found["_order"], found["submission_id"])
    return staged.with_columns(seen_value.alias("seen_value"), seen_submission.alias("seen_submission"))


def _last_submission(con: duckdb.DuckDBPyConnection) -> int | None:
    return con.execute("SELECT max(id) FROM submissions").fetchall()[0][0]


def _owner_rule(con: duckdb.DuckDBPyConnection, username: str, department: str) -> None:
    """The owner rule without recording anything (a check writes nothing); commit records a refusal."""
    account = fetch(con, username)
    if account is None:
        raise PermissionDenied(f"Không có tài khoản '{username}'.", f"No account '{username}'.")
    check_can_submit(account, department)


def preview_file(
    path: str | os.PathLike,
    department: str,
    *,
    db_path: str | os.PathLike | None = None,
    submitted_by: str | None = None,
    now: dt.datetime | None = None,
    account: Account | None = None,
) -> Preview:
    """Read and check a department's file and say what it would change; writes nothing, holds no lock.

    UsageError for a missing file or an unknown department, FileUnreadable when the file cannot be read,
    PermissionDenied when ``account`` may not submit for ``department``. ``now`` fixes the clock (the
    day periods are judged against, the receipt and the commit time); by default the wall clock.
    """
    path = _existing_file(Path(path))
    received_at = now or settings.now()
    today = now.date() if now is not None else settings.today()
    try:
        digest = file_hash(path)
        frame: SubmissionFrame | None = read_submission(path)
        problems: list[RowError] = []
    except ReadError as exc:
        frame, problems = None, exc.errors
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    username = account.username if account is not None else None
    preview = Preview(
        department=department,
        file_name=limits.file_label(path.name),  # any name: bytes that are not UTF-8, an escape, a long name
        file_hash=digest,
        received_at=received_at,
        rows=0 if frame is None else frame.rows,
        errors=problems,
        submitted_by=username or submitted_by,
        username=username,
        db_path=db_path,
        clock=now,
    )
    with db.read(db_path) as con:  # a glimpse: the department, the account, the catalogue
        preview.department = known_department(con, department)
        if username is not None:
            _owner_rule(con, username, preview.department)
        if frame is None:
            return preview
        preview.earlier = _same_file_accepted(con, preview.department, digest)
        if preview.earlier is not None:
            return preview
        preview.reference = load_reference(con)
    checked = validate(frame, preview.department, preview.reference, today)  # the long part: no connection open
    preview.rows, preview.errors = checked.rows, checked.errors
    if not checked.errors:
        with db.read(db_path) as con:  # a second glimpse: the current value of every key the file touches
            preview.last_submission = _last_submission(con)
            preview.staged = _with_current(con, checked.clean)
    return preview


# -- step 2: the write, inside the door -----------------------------------------------------------


def _vi_number(value: float | None) -> str:
    return "(chưa có)" if value is None else vi_number(value)


def _en_number(value: float | None) -> str:
    return "(none)" if value is None else en_number(value)


def _stale_values(changes: list[Change], total: int) -> StalePreview:
    def place(c: Change, lang: str) -> str:
        where = c.locality_code or ("toàn tỉnh" if lang == "vi" else "province")
        return f"{c.indicator_code} {label_of(c.period, lang)} {where}"

    shown = changes[:3]
    vi = "; ".join(f"{place(c, 'vi')}: {_vi_number(c.seen_value)} → {_vi_number(c.current_value)}" for c in shown)
    en = "; ".join(f"{place(c, 'en')}: {_en_number(c.seen_value)} → {_en_number(c.current_value)}" for c in shown)
    more_vi = f" và {vi_count(total - len(shown))} giá trị khác" if total > len(shown) else ""
    more_en = f" and {total - len(shown):,} more" if total > len(shown) else ""
    return StalePreview(
        f"Từ lúc tệp được kiểm tra, {vi_count(total)} giá trị mà tệp này chạm tới đã được thay đổi ({vi}{more_vi}). "
        "Không có gì được ghi. Hãy kiểm tra lại tệp để thấy giá trị hiện tại rồi xác nhận lại.",
        f"Since the file was checked, {en_count(total, 'value')} it touches {'has' if total == 1 else 'have'} "
        f"changed ({en}{more_en}). Nothing "
        "was written. Check the file again to see the current values, then confirm again.",
        changes,
        total,
    )


def _stale_catalogue() -> StalePreview:
    return StalePreview(
        "Danh mục chỉ số đã thay đổi từ lúc tệp được kiểm tra. Không có gì được ghi. Hãy kiểm tra lại tệp.",
        "The catalogue changed since the file was checked. Nothing was written. Check the file again.",
    )


def _same_reference(seen: Reference, now: Reference) -> bool:
    return seen.indicators.equals(now.indicators) and seen.localities.sort().equals(now.localities.sort())


def _changes(con: duckdb.DuckDBPyConnection) -> tuple[list[Change], int]:
    """Keys of the registered ``_staged`` rows whose current value is not the one the preview saw."""
    rows = con.execute(
        f"SELECT s.indicator_code, s.period, s.locality_code, s.seen_value, o.value, count(*) OVER () "
        f"FROM _staged s LEFT JOIN observations o ON {_SAME_KEY} "
        f"WHERE o.submission_id IS DISTINCT FROM s.seen_submission ORDER BY s._order LIMIT {_LISTED_CHANGES}"
    ).fetchall()
    return [Change(*row[:5]) for row in rows], (rows[0][5] if rows else 0)


def _commit_time(con: duckdb.DuckDBPyConnection, fixed: dt.datetime | None) -> dt.datetime:
    """Now, inside the lock; never before the latest recorded submission, so time order is commit order."""
    clock = fixed or settings.now()
    # fetchall, not fetchone: DuckDB 2 refuses to register a frame while a result is unfinished
    last = con.execute("SELECT max(submitted_at) FROM submissions").fetchall()[0][0]
    return clock if last is None or clock >= last else last


def _record(
    con: duckdb.DuckDBPyConnection,
    preview: Preview,
    *,
    status: str,
    submitted_at: dt.datetime,
    new_rows: int = 0,
    revised_rows: int = 0,
    reason: str | None = None,
) -> int:
    """The submissions row and its audit rows; returns the submission id."""
    submission_id = con.execute("SELECT nextval('submission_ids')").fetchone()[0]
    report = json.dumps(
        [
            {"row": e.row, "column": e.column, "value": e.value, "message_vi": e.message_vi, "message_en": e.message_en}
            for e in stored_report(preview.errors)
        ],
        ensure_ascii=False,
    )
    con.execute(
        "INSERT INTO submissions (id, department, file_name, file_hash, submitted_at, submitted_by, status, rows, "
        "new_rows, revised_rows, errors, received_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            submission_id,
            preview.department,
            preview.file_name,
            preview.file_hash,
            submitted_at,
            preview.submitted_by,
            status,
            preview.rows,
            new_rows,
            revised_rows,
            report,
            preview.received_at,
            reason,
        ],
    )
    detail = {
        "submission_id": submission_id,
        "file_name": preview.file_name,
        "status": status,
        "rows": preview.rows,
        "new_rows": new_rows,
        "revised_rows": revised_rows,
        "errors": len(preview.errors),
    }
    audit.record(con, preview.submitted_by, "submission", preview.department, detail, submitted_at)
    if revised_rows:
        revision: dict[str, object] = {"submission_id": submission_id, "count": revised_rows}
        if reason is not None:
            revision["reason"] = reason
        audit.record(con, preview.submitted_by, "revision", preview.department, revision, submitted_at)
    return submission_id


def _merge(con: duckdb.DuckDBPyConnection, preview: Preview, submitted_at: dt.datetime, reason: str | None) -> int:
    """Merge the registered ``_staged`` rows (checked current) into the current values and the history.

    New keys are inserted straight from the Arrow stream (no copy); only the
    revised rows, usually few, are staged in a temporary table. Returns the submission id.
    """
    staged, new_rows, revised_rows = preview.staged.height, preview.new_rows, preview.revised_rows
    submission_id = _record(
        con,
        preview,
        status="accepted",
        submitted_at=submitted_at,
        new_rows=new_rows,
        revised_rows=revised_rows,
        reason=reason,
    )
    params = {"department": preview.department, "submission_id": submission_id, "submitted_at": submitted_at}
    columns = (
        "s.indicator_code, s.period, s.period_start, s.period_end, s.locality_code, s.value, s.note, "
        "$department, $submission_id, $submitted_at"
    )
    if new_rows == staged:  # nothing there yet (a first load, a new period): straight from the Arrow stream
        con.execute(f"INSERT INTO observations ({_OBSERVATION_COLUMNS}) SELECT {columns} FROM _staged s", params)
    elif new_rows:
        con.execute(
            f"INSERT INTO observations ({_OBSERVATION_COLUMNS}) SELECT {columns} FROM _staged s "
            "WHERE s.seen_submission IS NULL",
            params,
        )
    if revised_rows:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _revised AS SELECT * FROM _staged "
            "WHERE seen_submission IS NOT NULL AND value <> seen_value"
        )
        con.execute(f"DELETE FROM observations o USING _revised s WHERE {_SAME_KEY}")
        con.execute(f"INSERT INTO observations ({_OBSERVATION_COLUMNS}) SELECT {columns} FROM _revised s", params)
    con.execute(
        f"INSERT INTO observation_history ({_OBSERVATION_COLUMNS}) SELECT {_OBSERVATION_COLUMNS} FROM observations "
        "WHERE submission_id = $submission_id",
        {"submission_id": submission_id},
    )
    if revised_rows:
        if reason is not None:
            con.execute(
                f"UPDATE observation_history o SET reason = $reason FROM _revised s "
                f"WHERE o.submission_id = $submission_id AND {_SAME_KEY}",
                {"reason": reason, "submission_id": submission_id},
            )
        con.execute("DROP TABLE _revised")
    return submission_id


def _store(
    con: duckdb.DuckDBPyConnection, preview: Preview, submitted_at: dt.datetime, reason: str | None
) -> SubmitResult:
    """Record a rejected preview, or merge an accepted one whose ``_staged`` rows are registered."""
    if preview.status == "rejected":
        submission_id = _record(con, preview, status="rejected", submitted_at=submitted_at)
        return SubmitResult("rejected", preview.rows, submission_id=submission_id, errors=list(preview.errors))
    submission_id = _merge(con, preview, submitted_at, reason)
    revised = preview.revised_values() if preview.revised_rows else None
    return SubmitResult("accepted", preview.rows, preview.new_rows, preview.revised_rows, submission_id, [], revised)


def _commit_on(con: duckdb.DuckDBPyConnection, preview: Preview, reason: str | None) -> SubmitResult:
    """Inside the door: recheck what the preview relied on, then write."""
    known_department(con, preview.department)  # UsageError (nothing written) if it was removed meanwhile
    if preview.username is not None:
        authorize_submission(con, preview.username, preview.department)  # a refusal is audited
    if preview.reference is not None:
        if preview.staged is not None:
            earlier = _same_file_accepted(con, preview.department, preview.file_hash)
            if earlier is not None:  # the same file went in meanwhile (a second click): nothing to do
                return SubmitResult("unchanged", preview.rows, submission_id=earlier)
        if not _same_reference(preview.reference, load_reference(con)):
            raise _stale_catalogue()
    submitted_at = _commit_time(con, preview.clock)
    if preview.staged is None:
        return _store(con, preview, submitted_at, reason)
    con.register("_staged", _Arrow(preview.staged))
    try:
        # Current values change only with a new submission row (in the same transaction): when none was
        # recorded since the preview read them, they are as it saw them, and the per-key check is skipped.
        if _last_submission(con) != preview.last_submission:
            changes, total = _changes(con)
            if total:
                raise _stale_values(changes, total)
        return _store(con, preview, submitted_at, reason)
    finally:
        con.unregister("_staged")


def commit(preview: Preview, reason: str | None = None) -> SubmitResult:
    """Write a previewed file if what the preview saw is still current; StalePreview (nothing written) if not.

    ``reason`` explains the revisions (kept with each revised value in the history, on the submission
    and in the audit log). An ``unchanged`` preview writes nothing; a rejected one records the
    submission with its report. PermissionDenied (audited) when the account may no longer submit.
    """
    reason = clean_reason(reason)
    if preview.status == "unchanged":
        return preview.result()
    denied: PermissionDenied | None = None
    with db.transaction(preview.db_path) as con:
        try:
            result = _commit_on(con, preview, reason)
        except PermissionDenied as exc:
            denied = exc  # leave the door normally: the refusal's audit row is committed
    if denied is not None:
        raise denied
    return result


def record_refusal(db_path: str | os.PathLike | None, username: str, department: str, exc: PermissionDenied) -> None:
    """A submission the owner rule refused, in the audit log (as ``authorize_submission`` records it at commit)."""
    with db.transaction(db_path) as con:
        audit.record(con, username, SUBMISSION_DENIED, department.strip().upper(), {"reason": exc.message_en})


def submit_file(
    path: str | os.PathLike,
    department: str,
    *,
    db_path: str | os.PathLike | None = None,
    submitted_by: str | None = None,
    now: dt.datetime | None = None,
    account: Account | None = None,
    reason: str | None = None,
) -> SubmitResult:
    """Check and store one department's file (preview, then commit; checked again if the database moved on).

    UsageError for a missing file or unknown department, FileUnreadable when it cannot be read,
    StalePreview when the values it touches kept changing through ``ATTEMPTS`` checks.
    """
    reason = clean_reason(reason)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            preview = preview_file(
                path, department, db_path=db_path, submitted_by=submitted_by, now=now, account=account
            )
        except PermissionDenied as exc:
            assert account is not None  # only the owner rule refuses
            record_refusal(db_path, account.username, department, exc)
            raise
        try:
            return commit(preview, reason)
        except StalePreview:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


# -- on a connection the caller holds (the demo generator) --------------------------------------


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
    reason: str | None = None,
) -> SubmitResult:
    """Check and store one submission on an open write connection (in its own transaction, or the caller's).

    The caller holds the lock, so its ``submitted_at`` is the commit time. ``frame`` is a read file, or a
    polars frame with the contract's columns (indicator_code, period, locality_code, value, note, by key or
    Vietnamese header; any dtypes). ``reason`` explains its revisions, as for ``commit``.
    """
    reason = clean_reason(reason)
    department = known_department(con, department)
    if account is not None:
        # The owner rule where data is written: the account is re-read through this write connection.
        authorize_submission(con, account.username, department)
        submitted_by = account.username
    preview = Preview(department, file_name, file_hash, submitted_at, 0, submitted_by=submitted_by)
    if isinstance(frame, pl.DataFrame):
        try:
            frame = frame_from_polars(frame)
        except ReadError as exc:
            preview.errors = exc.errors
            with db.atomic(con):
                return _store(con, preview, submitted_at, None)
    preview.rows = frame.rows
    preview.earlier = _same_file_accepted(con, department, file_hash)
    if preview.earlier is not None:
        return preview.result()
    checked = validate(frame, department, load_reference(con), today or submitted_at.date())
    preview.rows, preview.errors = checked.rows, checked.errors
    if not checked.errors:
        preview.staged = _with_current(con, checked.clean)
        if preview.status == "unchanged":
            return preview.result()
    with db.atomic(con):
        if preview.staged is None:
            return _store(con, preview, submitted_at, None)
        con.register("_staged", _Arrow(preview.staged))
        try:
            return _store(con, preview, submitted_at, reason)
        finally:
            con.unregister("_staged")
