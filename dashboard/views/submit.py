"""The upload page's logic: template bytes, one submission from uploaded bytes, and its report.

No Streamlit here. The file goes through the loader's public door
(``loaders.ingest.submit_file``): the bytes are written to a temporary file
that keeps the name the department gave it, so the submission records that
name. ``DatabaseBusy`` and ``UsageError`` pass through for the page to explain.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import polars as pl
from streamlit import column_config as cc

from auth import roles
from auth.accounts import Account
from dashboard.markdown import plain
from loaders.errors import RowError
from loaders.ingest import SubmitResult, submit_file
from loaders.limits import file_label
from loaders.reading import EXTENSIONS
from loaders.template import write_template

# The formats named on the page. The uploader itself takes any file (type=None): a .docx, a .pdf or an .xlsb
# then reaches the loader, which says in Vietnamese what it found and how to save it, where Streamlit's own
# filter would refuse it with an English tooltip.
UPLOAD_TYPES = tuple(ext.lstrip(".") for ext in EXTENSIONS)  # csv, txt, xlsx, xls, ods, parquet, json
_NAME_BYTES = 255  # the longest file name Linux stores; Windows allows 255 UTF-16 units, up to 765 bytes
SUBMITTED_BY = "dashboard"  # without an account (tests, scripts); with one, the loader records its username
REPORT_COLUMNS = ("row", "column", "value", "message")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_name(name: str) -> str:
    """The upload's own file name as it can be saved and recorded: no folder part (a browser may send
    ``C:\\...\\x.xlsx``), control characters visible, NFC, and at most 255 bytes (a long Vietnamese name from
    Windows is shortened before its extension)."""
    base = file_label(PureWindowsPath(PurePosixPath(name or "").name).name).strip()
    if base in ("", ".", ".."):
        return "upload"
    if len(base.encode("utf-8")) <= _NAME_BYTES:
        return base
    stem, dot, suffix = base.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = base, ""
    tail = f"….{suffix}" if suffix else "…"
    room = _NAME_BYTES - len(tail.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore") + tail


def template_name(department: str, today: dt.date) -> str:
    """``mau_nop_so_lieu_STC_2026-11-26.xlsx``: the department and the day in the name."""
    return f"mau_nop_so_lieu_{department}_{today.isoformat()}.xlsx"


def template_bytes(department: str, db_path: str | os.PathLike | None, today: dt.date) -> bytes:
    """The department's .xlsx template (loaders.template), as bytes for a download button."""
    with tempfile.TemporaryDirectory(prefix="template_") as folder:
        out = Path(folder) / template_name(department, today)
        write_template(department, out, db_path, today)
        return out.read_bytes()


def submit_bytes(
    name: str,
    data: bytes,
    department: str,
    db_path: str | os.PathLike | None,
    now: dt.datetime,
    account: Account | None = None,
) -> SubmitResult:
    """Submit uploaded bytes through ``loaders.ingest.submit_file``, under the upload's own name.

    With an ``account`` the loader checks the owner rule on its write connection and records the
    account as the submitter (PermissionDenied when it may not submit for ``department``).
    """
    with tempfile.TemporaryDirectory(prefix="upload_") as folder:
        path = Path(folder) / safe_name(name)
        path.write_bytes(data)
        return submit_file(path, department, db_path=db_path, submitted_by=SUBMITTED_BY, now=now, account=account)


def own_department(account: Account | None) -> str | None:
    """The department a submitter's account submits for (upper-case), or None."""
    code = (account.department or "").strip().upper() if account is not None else ""
    return code or None


def refusal(account: Account | None, lang: str, t: Callable[..., str]) -> str:
    """Why this session cannot submit, and what to do: the role's refusal plus the way to log in."""
    return roles.denied(account, "submit").message(lang) + " " + t("submit.login_hint")


def submission_time(today: dt.date, clock: dt.datetime | None = None) -> dt.datetime:
    """Now, on the dashboard's day (``INDICATORS_TODAY`` pins it): periods are judged against that day."""
    clock = clock or dt.datetime.now()
    return dt.datetime.combine(today, clock.time().replace(microsecond=0))


@dataclass
class Outcome:
    """What the page keeps of one submission between reruns (plain data, no file bytes)."""

    department: str
    file_name: str
    status: str  # accepted | unchanged | rejected
    rows: int
    new_rows: int = 0
    revised_rows: int = 0
    submission_id: int | None = None
    errors: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, result: SubmitResult, department: str, file_name: str) -> Outcome:
        return cls(
            department=department,
            file_name=safe_name(file_name),
            status=result.status,
            rows=result.rows,
            new_rows=result.new_rows,
            revised_rows=result.revised_rows,
            submission_id=result.submission_id,
            errors=[_error_dict(e) for e in result.errors],
        )


def _error_dict(error: RowError | dict) -> dict:
    if isinstance(error, dict):
        return error
    return {
        "row": error.row,
        "column": error.column,
        "value": error.value,
        "message_vi": error.message_vi,
        "message_en": error.message_en,
    }


def report_frame(errors: Sequence[RowError | dict], lang: str) -> pl.DataFrame:
    """The validation report as a table: row, column, value, message (in the UI language), sheet order."""
    rows = [_error_dict(e) for e in errors]
    message = "message_en" if lang == "en" else "message_vi"
    frame = pl.DataFrame(
        {
            "row": [r.get("row") for r in rows],
            "column": [r.get("column") for r in rows],
            "value": [None if r.get("value") is None else str(r.get("value")) for r in rows],
            "message": [r.get(message) or r.get("message_vi") or "" for r in rows],
        },
        schema={"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String},
    )
    return frame.sort("row", nulls_last=False, maintain_order=True)


READABLE_REPORT_ROWS = 200  # up to this many problems the report is a plain table whose messages wrap


def report_display(report: pl.DataFrame, t: Callable[..., str]) -> pl.DataFrame:
    """The report as read on screen: headings in the UI language, an empty cell said in words."""
    return report.select(
        pl.col("row").cast(pl.String).fill_null("–").alias(t("ui.row")),
        pl.col("column").fill_null("–").alias(t("ui.column")),
        pl.col("value").fill_null(t("submit.empty_cell")).alias(t("ui.value")),
        pl.col("message").alias(t("ui.message")),
    )


def headline(outcome: Outcome, t: Callable[..., str], num: Callable[[int], str]) -> tuple[str, str]:
    """The kind of box (success | info | error) and its one-line headline."""
    if outcome.status == "rejected" and outcome.rows == 0:  # no row could be read (db.queries: unreadable)
        return "error", t("submit.unreadable", file=outcome.file_name)
    if outcome.status == "rejected":
        return "error", t("submit.rejected", file=plain(outcome.file_name), n=num(len(outcome.errors)))
    if outcome.status == "unchanged":
        return "info", t("submit.unchanged", file=plain(outcome.file_name), rows=num(outcome.rows))
    return "success", t(
        "submit.accepted",
        file=plain(outcome.file_name),
        rows=num(outcome.rows),
        new=num(outcome.new_rows),
        revised=num(outcome.revised_rows),
    )


# --------------------------------------------------------------------------- tables and links


def report_columns(t: Callable[..., str]) -> dict[str, Any]:
    """Headings of the validation report."""
    return {
        "row": cc.NumberColumn(t("ui.row"), format="%d", width=70),
        "column": cc.TextColumn(t("ui.column"), width=140),
        "value": cc.TextColumn(t("ui.value"), width=140),
        "message": cc.TextColumn(t("ui.message")),
    }


def recent_table(submissions: pl.DataFrame, t: Callable[..., str]) -> pl.DataFrame:
    """The department's latest files: when, which file, accepted or rejected, and what they brought."""
    status = {"accepted": t("ui.accepted"), "rejected": t("ui.rejected")}
    return submissions.select(
        "submitted_at",
        "file_name",
        pl.when(pl.col("unreadable"))
        .then(pl.lit(t("ui.unreadable")))
        .otherwise(pl.col("status").replace_strict(status, default=pl.col("status"), return_dtype=pl.String))
        .alias("status"),
        "rows",
        "new_rows",
        "revised_rows",
        "n_errors",
        "submitted_by",
    )


def recent_columns(t: Callable[..., str]) -> dict[str, Any]:
    return {
        "submitted_at": cc.DatetimeColumn(t("ui.submitted_at"), format="DD/MM/YYYY HH:mm"),
        "file_name": cc.TextColumn(t("submit.col.file"), width="medium"),
        "status": cc.TextColumn(t("ui.status")),
        "rows": cc.NumberColumn(t("submit.col.rows"), format="%d"),
        "new_rows": cc.NumberColumn(t("submit.col.new"), format="%d"),
        "revised_rows": cc.NumberColumn(t("submit.col.revised"), format="%d"),
        "n_errors": cc.NumberColumn(t("submit.col.errors"), format="%d"),
        "submitted_by": cc.TextColumn(t("submit.col.submitted_by")),
    }


def links_line(t: Callable[..., str], lang: str, department: str) -> str:
    """Where the new figures show: overview, the department's page, the explorer filtered to it."""
    from dashboard.links import href

    links = [
        (t("submit.see_overview"), href("", lang)),
        (t("submit.see_department"), href("department", lang, code=department)),
        (t("submit.see_explorer"), href("explorer", lang, department=department)),
    ]
    return t("submit.visible_now") + " " + " · ".join(f"[{text}]({url})" for text, url in links)
