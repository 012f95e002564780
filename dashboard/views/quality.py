"""The data-quality page's logic: timeliness rolled up to a calendar grid, rejections, outliers, gaps.

Pure functions over the frames of ``evaluation`` and ``queries`` (no Streamlit
calls), so the tests call them directly.

Timeliness comes per department, frequency and reporting period
(``evaluation.timeliness``). Weekly, monthly, quarterly and annual periods do
not share one grid, so each expected value is counted in the calendar month,
quarter or year in which its period ends (the end decides when it falls due):
a cell reads "received / expected" for everything that department owed for
periods ending in that month, quarter or year.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
from streamlit import column_config as cc

from dashboard import numbers
from dashboard.frames import each
from dashboard.links import href
from dashboard.views.explorer import ALL, month_bounds
from rules import calendar as periods
from rules import timeliness

GRAINS: dict[str, str] = {"month": "monthly", "quarter": "quarterly", "year": "annual"}
COUNTS = ("expected", "received", "on_time", "late", "missing")
MAX_REPORTS = 20  # rejected files whose whole report is listed (newest first)


def in_range(day: pl.Expr, month_from: str | None, month_to: str | None) -> pl.Expr:
    """Whether a date column lies in the months chosen (``all`` means no bound)."""
    start, end = month_bounds(month_from), month_bounds(month_to)
    cond = pl.lit(True)
    if start:
        cond = cond & (day >= start[0])
    if end:
        cond = cond & (day <= end[1])
    return cond


def window(month_from: str | None, today: date) -> timeliness.Window:
    """The timeliness window of the months chosen: values due from the first month's first day."""
    start = month_bounds(month_from)
    return timeliness.Window(start[0] if start else None, today)


def selected(
    detail: pl.DataFrame, departments: Sequence[str] = (), month_from: str | None = None, month_to: str | None = None
) -> pl.DataFrame:
    """rules.timeliness.detail rows of the departments chosen whose due date lies in the months chosen."""
    frame = detail.filter(in_range(pl.col("due_date"), month_from, month_to))
    return frame.filter(pl.col("department").is_in(list(departments))) if departments else frame


def rollup(detail: pl.DataFrame, grain: str = "quarter") -> pl.DataFrame:
    """Timeliness per department and calendar month, quarter or year of the due date (``rules.timeliness.shares``).

    Input: ``selected`` rows. Columns: department, period (canonical text of the calendar period), period_start,
    expected, received, on_time, late, missing, received_pct, on_time_pct.
    """
    frequency = GRAINS[grain]
    days = detail.get_column("due_date").unique().to_list()
    buckets = {d: periods.containing(d, frequency) for d in days}
    frame = detail.with_columns(
        period=pl.col("due_date").replace_strict({d: str(b) for d, b in buckets.items()}, return_dtype=pl.String),
        period_start=pl.col("due_date").replace_strict({d: b.start for d, b in buckets.items()}, return_dtype=pl.Date),
    )
    out = timeliness.shares(frame, "department", "period", "period_start")
    return out.select("department", "period", "period_start", *COUNTS, "received_pct", "on_time_pct").sort(
        "department", "period_start"
    )


def totals(detail: pl.DataFrame) -> dict[str, float | None]:
    """The whole selection: expected, received, on time, and the shares received and on time (%)."""
    if detail.is_empty():
        return {"expected": 0, "received": 0, "on_time": 0, "received_pct": None, "on_time_pct": None}
    return (
        timeliness.shares(detail)
        .select("expected", "received", "on_time", "received_pct", "on_time_pct")
        .row(0, named=True)
    )


def department_label(names: Mapping[str, str]) -> pl.Expr:
    return pl.col("department").replace_strict(dict(names), default=pl.col("department"), return_dtype=pl.String)


def _period_labels(frame: pl.DataFrame, lang: str) -> pl.Expr:
    labels = {text: periods.label_of(text, lang) for text in frame["period"].unique().to_list()}
    return pl.col("period").replace_strict(labels, default=pl.col("period"), return_dtype=pl.String)


def heatmap_frame(rolled: pl.DataFrame, names: Mapping[str, str], lang: str) -> pl.DataFrame:
    """The heatmap's input (charts.timeliness_heatmap): labels plus the counts of each cell."""
    return rolled.select(
        "department",
        department_label(names).alias("department_label"),
        "period",
        _period_labels(rolled, lang).alias("period_label"),
        "expected",
        "received",
        "on_time",
    )


def timeliness_table(rolled: pl.DataFrame, names: Mapping[str, str], lang: str) -> pl.DataFrame:
    """The table under the heatmap: newest period first, then departments A-Z."""
    return rolled.sort(["period_start", "department"], descending=[True, False]).select(
        department_label(names).alias("department_name"),
        _period_labels(rolled, lang).alias("period_label"),
        *COUNTS,
        "on_time_pct",
    )


def timeliness_columns(t: Callable[..., str]) -> dict[str, Any]:
    return {
        "department_name": cc.TextColumn(t("ui.department"), width="large"),
        "period_label": cc.TextColumn(t("ui.period")),
        "expected": cc.NumberColumn(t("ui.expected"), format="%d"),
        "received": cc.NumberColumn(t("ui.received"), format="%d"),
        "on_time": cc.NumberColumn(t("ui.on_time"), format="%d"),
        "late": cc.NumberColumn(t("timeliness.late"), format="%d"),
        "missing": cc.NumberColumn(t("timeliness.missing"), format="%d"),
        "on_time_pct": cc.ProgressColumn(t("quality.on_time_pct"), format="%.0f%%", min_value=0, max_value=100),
    }


# --------------------------------------------------------------------------- rejected files


def rejected(
    submissions: pl.DataFrame,
    departments: Sequence[str] = (),
    month_from: str | None = None,
    month_to: str | None = None,
) -> pl.DataFrame:
    """Files rejected for their content under the filters (department; submitted within the months), newest first.

    An unreadable file (queries.submissions ``unreadable``) is not a rejection of the department's figures.
    """
    frame = submissions.filter((pl.col("status") == "rejected") & ~pl.col("unreadable"))
    if departments:
        frame = frame.filter(pl.col("department").is_in(list(departments)))
    return frame.filter(in_range(pl.col("submitted_at").dt.date(), month_from, month_to)).sort(
        "submitted_at", descending=True
    )


def rejected_table(frame: pl.DataFrame, first_problems: Mapping[int, str], lang: str) -> pl.DataFrame:
    """One row per rejected file: when, who, which file, how many rows and problems, and the first reason."""
    name = "department_name_en" if lang == "en" else "department_name_vi"
    return frame.select(
        "submitted_at",
        pl.coalesce(pl.col(name), pl.col("department")).alias("department_name"),
        "file_name",
        "rows",
        "n_errors",
        pl.col("id").replace_strict(dict(first_problems), default="", return_dtype=pl.String).alias("why"),
    )


def rejected_columns(t: Callable[..., str]) -> dict[str, Any]:
    return {
        "submitted_at": cc.DatetimeColumn(t("ui.submitted_at"), format="DD/MM/YYYY HH:mm"),
        "department_name": cc.TextColumn(t("ui.department")),
        "file_name": cc.TextColumn(t("quality.file")),
        "rows": cc.NumberColumn(t("quality.rows"), format="%d"),
        "n_errors": cc.NumberColumn(t("quality.problems"), format="%d"),
        "why": cc.TextColumn(t("quality.first_problem"), width="large"),
    }


def report(errors: pl.DataFrame, lang: str) -> pl.DataFrame:
    """One rejected file's report: row, column, value, message in the UI language."""
    message = "message_en" if lang == "en" else "message_vi"
    return errors.select("row", "column", "value", pl.coalesce(pl.col(message), pl.col("message_vi")).alias("message"))


def report_title(row: Mapping[str, Any], lang: str, t: Callable[..., str]) -> str:
    """``TKT_2025-12.xlsx · Thống kê tỉnh · 05/01/2026 16:04 · 3 lỗi``."""
    name = row.get("department_name_en" if lang == "en" else "department_name_vi") or row.get("department")
    when: datetime | None = row.get("submitted_at")
    stamp = f"{numbers.fmt_date(when, lang)} {when:%H:%M}" if when else ""
    return t("quality.report_title", file=row["file_name"], department=name, when=stamp, n=row["n_errors"])


# --------------------------------------------------------------------------- outliers


def outliers(
    frame: pl.DataFrame, departments: Sequence[str] = (), month_from: str | None = None, month_to: str | None = None
) -> pl.DataFrame:
    """evaluation.outliers under the filters (owner; period starting within the months)."""
    if departments:
        frame = frame.filter(pl.col("owner").is_in(list(departments)))
    return frame.filter(in_range(pl.col("period_start"), month_from, month_to))


def outliers_table(
    frame: pl.DataFrame,
    names: Mapping[str, str],
    lang: str,
    t: Callable[..., str],
    units: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Each outlier with a link to its indicator, its value against the median of its own history; ``units``: the
    English unit by indicator code (the catalogue's ``unit_en``), used in English."""
    if lang == "en" and units:
        frame = frame.with_columns(
            unit_en=pl.col("indicator_code").replace_strict(dict(units), default=None, return_dtype=pl.String)
        )
    name = "name_en" if lang == "en" else "name_vi"
    fmt = lambda v: numbers.fmt_number(v, lang)  # noqa: E731
    return frame.select(
        each(frame, "indicator_code", lambda c: href("indicator", lang, code=c), "link"),
        pl.coalesce(pl.col(name), pl.col("name_vi")).alias("name"),
        _period_labels(frame, lang).alias("period_label"),
        each(frame, "value", fmt, "value_text"),
        each(frame, "median", fmt, "median_text"),
        (pl.coalesce("unit_en", "unit") if lang == "en" and "unit_en" in frame.columns else pl.col("unit")).alias("unit"),
        each(frame, "z", lambda v: numbers.fmt_number(v, lang, 1), "z"),
        pl.when(pl.col("z") > 0).then(pl.lit(t("quality.high"))).otherwise(pl.lit(t("quality.low"))).alias("side"),
        pl.col("owner").replace_strict(dict(names), default=pl.col("owner"), return_dtype=pl.String).alias("owner"),
    )  # fmt: skip


def outlier_columns(t: Callable[..., str]) -> dict[str, Any]:
    return {
        "link": cc.LinkColumn(t("ui.code"), display_text=r"code=([^&]+)", width="small"),
        "name": cc.TextColumn(t("ui.indicator"), width="medium"),
        "owner": cc.TextColumn(t("ui.department")),
        "period_label": cc.TextColumn(t("ui.period")),
        "value_text": cc.TextColumn(t("ui.value"), alignment="right"),
        "median_text": cc.TextColumn(t("quality.median"), alignment="right", help=t("quality.median_help")),
        "unit": cc.TextColumn(t("ui.unit")),
        "z": cc.TextColumn(t("quality.z"), alignment="right", help=t("quality.z_help")),
        "side": cc.TextColumn(t("quality.side")),
    }


# --------------------------------------------------------------------------- catalogue gaps


def gaps(frame: pl.DataFrame, departments: Sequence[str] = ()) -> pl.DataFrame:
    """evaluation.catalogue_gaps for the departments chosen."""
    return frame.filter(pl.col("owner").is_in(list(departments))) if departments else frame


def gaps_table(
    frame: pl.DataFrame, names: Mapping[str, str], lang: str, label: Callable[[str, str, str], str]
) -> pl.DataFrame:
    """Each indicator with a gap: no data, no target this year, no named source (ticked); owner and stage."""
    name = "name_en" if lang == "en" else "name_vi"
    return frame.select(
        each(frame, "code", lambda c: href("indicator", lang, code=c), "link"),
        pl.coalesce(pl.col(name), pl.col("name_vi")).alias("name"),
        "no_data",
        "no_target",
        "no_source",
        pl.col("owner").replace_strict(dict(names), default=pl.col("owner"), return_dtype=pl.String).alias("owner"),
        each(frame, "stage", lambda s: label("stage", s, lang), "stage"),
    )


def gap_columns(t: Callable[..., str], year: int) -> dict[str, Any]:
    return {
        "link": cc.LinkColumn(t("ui.code"), display_text=r"code=([^&]+)", width="small"),
        "name": cc.TextColumn(t("ui.indicator"), width=320),
        "owner": cc.TextColumn(t("ui.owner")),
        "stage": cc.TextColumn(t("ui.stage")),
        "no_data": cc.CheckboxColumn(t("quality.no_data"), width=100),
        "no_target": cc.CheckboxColumn(t("quality.no_target", year=year), width=120),
        "no_source": cc.CheckboxColumn(t("quality.no_source"), width=100),
    }


def default_range(today: date) -> tuple[str, str]:
    """The default months: from January of last year to the latest."""
    return f"{today.year - 1}-01", ALL
