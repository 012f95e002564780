"""The upload page's logic: the template and what is due, the two steps of a submission, and their reports.

No Streamlit here. The file goes through the loader's public doors: ``preview_bytes`` checks it
(``loaders.ingest.preview_file``: nothing written, no lock held) under the name the department
gave it, and ``commit`` writes it (``loaders.ingest.commit``: only if every value the preview saw
is still current, else ``StalePreview``). The page keeps the preview between the two steps
(``Pending``). ``DatabaseBusy`` and ``UsageError`` pass through for the page to explain.
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
from auth.errors import PermissionDenied
from dashboard import numbers
from dashboard.i18n import label
from dashboard.markdown import plain
from loaders import ingest
from loaders import template as templates
from loaders.errors import Change, RowError, StalePreview
from loaders.ingest import Preview, SubmitResult
from loaders.limits import file_label
from loaders.reading import EXTENSIONS
from rules import calendar

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


def due_template(
    db_path: str | os.PathLike | None, department: str, today: dt.date, period: str | None = None
) -> templates.Template:
    """The department's template on ``today``: each key's next period due, or the ``period`` chosen."""
    chosen = templates.parse_periods([period], today) if period else None
    return templates.build(department, db_path, today, chosen)


def template_bytes(template: templates.Template) -> bytes:
    """A built template as .xlsx bytes for a download button (the same rows the page shows)."""
    with tempfile.TemporaryDirectory(prefix="template_") as folder:
        out = Path(folder) / template_name(template.department, template.today)
        templates.write_workbook(template, out)
        return out.read_bytes()


def period_options(frequencies: Sequence[str], today: dt.date) -> list[str]:
    """The periods a department may ask its template for: "" (each key's due period), then, per frequency it
    reports in (shortest first), the running period and those before it, newest first."""
    options = [""]
    for frequency in calendar.FREQUENCIES:
        if frequency in frequencies:
            options += [str(p) for p in templates.period_choices(frequency, today)]
    return options


def preview_bytes(
    name: str, data: bytes, department: str, db_path: str | os.PathLike | None, account: Account | None = None
) -> Preview:
    """Check uploaded bytes (``loaders.ingest.preview_file``) under the upload's own name; nothing is written.

    With an ``account`` the owner rule is checked; a refusal is recorded in the audit log, as the
    command line records it, and PermissionDenied raised. The commit time is taken later, inside the lock.
    """
    with tempfile.TemporaryDirectory(prefix="upload_") as folder:
        path = Path(folder) / safe_name(name)
        path.write_bytes(data)
        try:
            return ingest.preview_file(path, department, db_path=db_path, submitted_by=SUBMITTED_BY, account=account)
        except PermissionDenied as exc:
            if account is not None:
                ingest.record_refusal(db_path, account.username, department, exc)
            raise


def commit(preview: Preview, reason: str | None = None) -> SubmitResult:
    """Write a checked file (``loaders.ingest.commit``): StalePreview, nothing written, if a value it saw changed."""
    return ingest.commit(preview, reason)


def needs_confirmation(preview: Preview) -> bool:
    """A file that would change published values is written only once confirmed with a reason; a file of new
    values only (or one that is rejected or changes nothing) has nothing to confirm."""
    return preview.status == "accepted" and preview.revised_rows > 0


@dataclass
class Pending:
    """A checked file waiting for its confirmation: the preview, and the bytes to check it again if it goes stale."""

    department: str
    file_name: str
    data: bytes
    preview: Preview
    stale: list[Change] | None = None  # what changed since the previous preview of this file (shown once)
    stale_total: int = 0
    catalogue_changed: bool = False

    @classmethod
    def of(cls, preview: Preview, name: str, data: bytes, stale: StalePreview | None = None) -> Pending:
        return cls(
            department=preview.department,
            file_name=safe_name(name),
            data=data,
            preview=preview,
            stale=None if stale is None else list(stale.changes),
            stale_total=0 if stale is None else stale.total,
            catalogue_changed=stale is not None and not stale.changes,
        )


def default_reason(preview: Preview) -> str:
    """The reason offered for a revision: the notes the file gives on its revised rows (the first five)."""
    return "; ".join(preview.revised_notes()[:5])[: ingest.REASON_MAX]


def own_department(account: Account | None) -> str | None:
    """The department a submitter's account submits for (upper-case), or None."""
    code = (account.department or "").strip().upper() if account is not None else ""
    return code or None


def refusal(account: Account | None, lang: str, t: Callable[..., str]) -> str:
    """Why this session cannot submit, and what to do: the role's refusal plus the way to log in."""
    return roles.denied(account, "submit").message(lang) + " " + t("submit.login_hint")


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
    reason: str | None = None  # the reason given for its revisions

    @classmethod
    def of(cls, result: SubmitResult, department: str, file_name: str, reason: str | None = None) -> Outcome:
        return cls(
            department=department,
            file_name=safe_name(file_name),
            status=result.status,
            rows=result.rows,
            new_rows=result.new_rows,
            revised_rows=result.revised_rows,
            submission_id=result.submission_id,
            errors=[_error_dict(e) for e in result.errors],
            reason=ingest.clean_reason(reason) if result.revised_rows else None,
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


def count(t: Callable[..., str], key: str, n: int, num: Callable[[int], str]) -> str:
    """A count with its noun in the reader's language: ``3 dòng``, ``1 row``, ``2 rows`` (``key.one``/``key.other``)."""
    return t(f"{key}.{'one' if n == 1 else 'other'}", n=num(n))


def headline(outcome: Outcome, t: Callable[..., str], num: Callable[[int], str]) -> tuple[str, str]:
    """The kind of box (success | info | error) and its one-line headline."""
    if outcome.status == "rejected" and outcome.rows == 0:  # no row could be read (db.queries: unreadable)
        return "error", t("submit.unreadable", file=plain(outcome.file_name))
    rows = count(t, "submit.n_rows", outcome.rows, num)
    if outcome.status == "rejected":
        return "error", t(
            "submit.rejected", file=plain(outcome.file_name), n=count(t, "submit.n_problems", len(outcome.errors), num)
        )
    if outcome.status == "unchanged":
        return "info", t("submit.unchanged", file=plain(outcome.file_name), rows=rows)
    return "success", t(
        "submit.accepted",
        file=plain(outcome.file_name),
        rows=rows,
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


def recent_table(submissions: pl.DataFrame, t: Callable[..., str], lang: str = "vi") -> pl.DataFrame:
    """The department's latest files: when, which file, accepted or rejected, what they brought, and who sent
    them (an account, or the server's command line named as such)."""
    from dashboard.views.audit import actor_text  # here: audit's imports lead back to this module

    status = {"accepted": t("ui.accepted"), "rejected": t("ui.rejected")}
    who = pl.Series("submitted_by", [actor_text(a, lang) for a in submissions["submitted_by"]], dtype=pl.String)
    submissions = submissions.with_columns(who)
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


# --------------------------------------------------------------------------- what is due, what a file changes

SHOWN_VALUES = 500  # revisions and new values listed on screen; the full list downloads


def _places(x: float) -> int:
    """The decimals a submitted number has (up to six): 91.234 -> 3, 1200.0 -> 0."""
    return next((p for p in range(7) if abs(x * 10**p - round(x * 10**p)) < 1e-9 * max(1.0, abs(x) * 10**p)), 6)


def exact(x: float | None, unit: str | None, lang: str) -> str:
    """A submitted value as written, every decimal it has (up to six), in the reader's style: 91,234 stays 91,234
    (a revision from 91,23 to 91,234 must not read as no change)."""
    return numbers.MISSING if x is None else numbers.fmt_value(x, unit, lang, _places(x))


def _change(old: float, new: float, unit: str | None, lang: str) -> str:
    places = max(_places(old), _places(new))
    return numbers.fmt_change(round(new - old, places), lang, places, unit=unit)


def _names(catalogue: pl.DataFrame, lang: str) -> dict[str, tuple[str, str | None]]:
    name = "name_en" if lang == "en" else "name_vi"
    return {r["code"]: (r[name] or r["name_vi"], r["unit"]) for r in catalogue.iter_rows(named=True)}


def _place(code: str | None, places: dict[str, str], t: Callable[..., str]) -> str:
    return places.get(code, code) if code else t("ui.province")


def revisions_display(
    revised: pl.DataFrame, catalogue: pl.DataFrame, localities: pl.DataFrame, lang: str, t: Callable[..., str]
) -> pl.DataFrame:
    """Each published value a file changes, as read on screen (the first ``SHOWN_VALUES``): code, period,
    locality, the value in force, the new value, the change (units, every decimal as submitted), and the
    indicator's name last, so that the figures stay in view on a narrow screen."""
    names, places = _names(catalogue, lang), dict(localities.select("code", "name").iter_rows())
    rows = []
    for code, period, locality, old, new in revised.head(SHOWN_VALUES).iter_rows():
        name, unit = names.get(code, (code, None))
        rows.append(
            (
                code,
                calendar.label_of(period, lang),
                _place(locality, places, t),
                exact(old, unit, lang),
                exact(new, unit, lang),
                _change(old, new, unit, lang),
                name,
            )
        )
    headers = [
        t("ui.code"),
        t("ui.period"),
        t("ui.locality"),
        t("submit.rev.old"),
        t("submit.rev.new"),
        t("submit.rev.change"),
        t("ui.name"),
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(headers, pl.String), orient="row")


def new_values_display(
    new: pl.DataFrame, catalogue: pl.DataFrame, localities: pl.DataFrame, lang: str, t: Callable[..., str]
) -> pl.DataFrame:
    """The values for keys that have none yet, as read on screen (the first ``SHOWN_VALUES``)."""
    names, places = _names(catalogue, lang), dict(localities.select("code", "name").iter_rows())
    rows = []
    for code, period, locality, value, note in new.head(SHOWN_VALUES).iter_rows():
        name, unit = names.get(code, (code, None))
        rows.append(
            (
                code,
                calendar.label_of(period, lang),
                _place(locality, places, t),
                exact(value, unit, lang),
                note or "",
                name,
            )
        )
    headers = [t("ui.code"), t("ui.period"), t("ui.locality"), t("ui.value"), t("ui.note"), t("ui.name")]
    return pl.DataFrame(rows, schema=dict.fromkeys(headers, pl.String), orient="row")


def changes_display(
    changes: Sequence[Change], catalogue: pl.DataFrame, localities: pl.DataFrame, lang: str, t: Callable[..., str]
) -> pl.DataFrame:
    """The values that changed since a preview: what the preview saw and what is current now."""
    names, places = _names(catalogue, lang), dict(localities.select("code", "name").iter_rows())
    rows = []
    for c in changes:
        name, unit = names.get(c.indicator_code, (c.indicator_code, None))
        rows.append(
            (
                c.indicator_code,
                calendar.label_of(c.period, lang),
                _place(c.locality_code, places, t),
                exact(c.seen_value, unit, lang) if c.seen_value is not None else t("submit.stale.none"),
                exact(c.current_value, unit, lang) if c.current_value is not None else t("submit.stale.none"),
                name,
            )
        )
    headers = [
        t("ui.code"),
        t("ui.period"),
        t("ui.locality"),
        t("submit.stale.seen"),
        t("submit.stale.now"),
        t("ui.name"),
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(headers, pl.String), orient="row")


def confirm_label(preview: Preview, t: Callable[..., str], num: Callable[[int], str]) -> str:
    """The confirmation names how many published values it changes: «Xác nhận sửa 103 giá trị đã công bố»."""
    revised = count(t, "submit.n_published", preview.revised_rows, num)
    if preview.new_rows:
        return t("submit.confirm_with_new", revised=revised, new=count(t, "submit.n_new", preview.new_rows, num))
    return t("submit.confirm", revised=revised)


def due_table(template: templates.Template, lang: str, t: Callable[..., str]) -> pl.DataFrame:
    """What the template holds, one line per indicator: the period(s) due, the due date (overdue said), the rows,
    and the last value reported (the province's, else how many communes reported which period)."""
    groups: dict[str, list[templates.Row]] = {}
    for row in template.rows:
        groups.setdefault(row.indicator_code, []).append(row)
    num = lambda n: numbers.fmt_number(n, lang, 0)  # noqa: E731
    out = []
    for code, rows in groups.items():
        first = rows[0]
        name = first.name_en if lang == "en" and first.name_en else first.name_vi
        by_period: dict[calendar.Period, int] = {}
        for row in rows:
            by_period[row.period] = by_period.get(row.period, 0) + 1
        if len(by_period) == 1:
            periods_text = calendar.label(first.period, lang)
        else:
            periods_text = "; ".join(
                t("submit.due.rows_in", period=calendar.label(p, lang), rows=count(t, "submit.n_rows", n, num))
                for p, n in sorted(by_period.items())
            )
        due = min(row.due for row in rows)
        due_text = numbers.fmt_date(due, lang)
        if due < template.today:
            due_text = t("submit.due.overdue", date=due_text)
        out.append(
            (
                code,
                periods_text,
                due_text,
                num(len(rows)),
                _last_text(rows, lang, t, num),
                label("frequency", first.frequency, lang),
                name,
            )
        )
    for u in template.up_to_date:
        name = u.name_en if lang == "en" and u.name_en else u.name_vi
        last = _last(u.last_period, u.province_value, u.unit, u.localities, lang, t, num)
        done = t("submit.due.up_to_date")
        out.append((u.indicator_code, done, "", num(0), last, label("frequency", u.frequency, lang), name))
    headers = [
        t("ui.code"),
        t("submit.due.period"),
        t("submit.due.date"),
        t("submit.due.rows"),
        t("submit.due.last"),
        t("submit.due.frequency"),
        t("ui.name"),
    ]
    return pl.DataFrame(out, schema=dict.fromkeys(headers, pl.String), orient="row")


def _last_text(rows: list[templates.Row], lang: str, t: Callable[..., str], num: Callable[[int], str]) -> str:
    """The last value reported for an indicator's rows: the province's, else how many communes reported it."""
    province = next((r for r in rows if r.locality_code == ""), None)
    if province is not None and province.last_period is not None:
        return _last(province.last_period, province.last_value, province.unit, 0, lang, t, num)
    reported = [r.last_period for r in rows if r.locality_code and r.last_period is not None]
    if not reported:
        return t("submit.due.never")
    latest = max(reported)
    return _last(latest, None, None, sum(1 for p in reported if p == latest), lang, t, num)


def _last(
    period: calendar.Period,
    value: float | None,
    unit: str | None,
    localities: int,
    lang: str,
    t: Callable[..., str],
    num: Callable[[int], str],
) -> str:
    """``Tháng 10/2026: 7.874,4 tỷ đồng`` for a province value, ``Tháng 10/2026 (99 xã, phường)`` for communes."""
    if value is not None:
        return f"{calendar.label(period, lang)}: {exact(value, unit, lang)}"
    return t("submit.due.communes", period=calendar.label(period, lang), n=num(localities))
