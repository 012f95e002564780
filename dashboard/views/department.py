"""The department page's logic: chooser, its indicators and their status, what falls due, its files, timeliness.

Pure functions over polars frames (no Streamlit calls), in the reader's language. Figures come from
``dashboard.figures`` and timeliness from ``rules.timeliness`` in the window every screen states.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, figures, numbers
from dashboard.charts import Stamp
from dashboard.frames import each
from dashboard.i18n import label, localized, t, vi_sort_key
from dashboard.links import href
from dashboard.markdown import plain
from dashboard.tables import Column, Table, build
from dashboard.views.audit import actor_text
from dashboard.views.indicator import Tile, fit_width
from rules import calendar, timeliness
from rules.evaluate import STATUS_SEVERITY, STATUSES

SHOWN_STATUSES = ("on_track", "at_risk", "off_track", "late", "no_data")

# --------------------------------------------------------------------------- the chooser


def resolve(departments: pl.DataFrame, wanted: str | None) -> dict[str, Any] | None:
    """The department row of a code given in any case, or None."""
    code = (wanted or "").strip().upper()
    found = departments.filter(pl.col("code") == code) if code else departments.clear()
    return found.row(0, named=True) if found.height else None


def options(departments: pl.DataFrame, lang: str) -> tuple[list[str], dict[str, str]]:
    """Department codes in Vietnamese order of their names (``""`` first, for none) and their labels."""
    rows = sorted(departments.iter_rows(named=True), key=lambda r: vi_sort_key(localized(r, "name", lang)))
    names = {"": t("department.choose_placeholder", lang)} | {r["code"]: localized(r, "name", lang) for r in rows}
    return ["", *(r["code"] for r in rows)], names


def on_time_title(since: date | None, lang: str) -> str:
    """The on-time figure's name with its window, the same on every screen."""
    if since is None:
        return t("figures.on_time", lang)
    return t("figures.on_time_window", lang, since=figures.date(since, lang))


def overview_table(summary: pl.DataFrame, since: date | None, lang: str) -> Table:
    """Every department (rules.tally.departments): link, name, indicators per status, on time in the window."""
    columns = [
        Column("link", "ui.open", "link"),
        Column("name", "ui.department"),
        Column("indicators", "ui.indicators", "count"),
        *[Column(s, title=label("status", s, lang), kind="count") for s in SHOWN_STATUSES],
        Column("on_time_pct", title=on_time_title(since, lang), kind="percent"),
        Column("worst_status", "department.worst_status", "status"),
    ]
    rows = sorted(summary.iter_rows(named=True), key=lambda r: vi_sort_key(localized(r, "name", lang)))
    for r in rows:
        r["link"] = href("department", lang, code=r["department"])
        r["name"] = localized(r, "name", lang)
    return build(rows, columns, lang)


# --------------------------------------------------------------------------- one department


def own_codes(catalogue: pl.DataFrame, department: str) -> tuple[str, ...]:
    """The codes of the indicators a department owns, in catalogue order."""
    return tuple(catalogue.filter(pl.col("owner") == department).get_column("code").to_list())


def status_order(latest: pl.DataFrame) -> pl.DataFrame:
    """Worst status first (STATUS_SEVERITY), then catalogue order."""
    rank = {s: i for i, s in enumerate(STATUS_SEVERITY)}
    return (
        latest.with_columns(_r=pl.col("status").replace_strict(rank, default=len(rank), return_dtype=pl.Int32))
        .sort("_r", "position")
        .drop("_r")
    )


def tiles(latest: pl.DataFrame, detail: pl.DataFrame, since: date | None, lang: str) -> list[Tile]:
    """Indicators, then how many are on track, at risk, off track, late; the share of periods sent on time in the
    window (``rules.timeliness.shares``)."""
    counts = {s: latest.filter(pl.col("status") == s).height for s in STATUSES}
    out = [Tile(t("ui.indicators", lang), str(latest.height))]
    for status in ("on_track", "at_risk", "off_track", "late"):
        out.append(Tile(label("status", status, lang), str(counts[status]), help=t(f"status_help.{status}", lang)))
    share = timeliness.shares(detail).row(0, named=True) if detail.height else None
    out.append(
        Tile(
            on_time_title(since, lang),
            figures.percent(share["on_time_pct"], lang) if share else numbers.MISSING,
            help=t(
                "figures.on_time_window_help",
                lang,
                since=figures.date(since, lang),
                on_time=share["on_time"] if share else 0,
                expected=share["expected"] if share else 0,
            ),
        )
    )
    return out


INDICATORS = (
    Column("link", "ui.open", "link"),
    Column("status", "ui.status", "status"),
    Column("code", "ui.code", "code"),
    Column("name", "ui.name"),
    Column("value", "ui.latest_value", "value"),
    Column("period", "ui.latest_period", "period"),
    Column("pct_of_plan", "figures.pct_of_plan", "percent"),
    Column("trend", "ui.trend", "trend"),
    Column("group_name", "ui.group"),
)


def indicators_table(latest: pl.DataFrame, lang: str) -> Table:
    """The department's indicators, worst status first, their figures as on every page."""
    data = status_order(latest)
    data = data.with_columns(
        link=each(data, "code", lambda c: href("indicator", lang, code=c)),
        name=pl.col("name_vi" if lang == "vi" else "name_en"),
        group_name=each(data, "group", lambda g: label("group", g, lang)),
    )
    return build(data, INDICATORS, lang)


def status_chart(latest: pl.DataFrame, name: str, stamp: Stamp) -> alt.TopLevelMixin:
    """The department's indicators by group and status (charts.status_by_group_chart)."""
    counts = latest.group_by("group", "status").agg(pl.len().cast(pl.Int64).alias("count"))
    labels = stamp.text(t("department.status_chart_title", stamp.lang, name=name))
    # counts are whole: no 0,2 steps on the axis
    return fit_width(charts.status_by_group_chart(counts, labels)).configure_axisX(tickMinStep=1)


# --------------------------------------------------------------------------- what falls due next


DUE_SCHEMA = {
    "code": pl.String,
    "name_vi": pl.String,
    "name_en": pl.String,
    "frequency": pl.String,
    "period": pl.String,
    "due_date": pl.Date,
    "days_left": pl.Int64,
    "overdue": pl.Boolean,
    "status": pl.String,
}


def due_next(latest: pl.DataFrame, catalogue: pl.DataFrame, today: date) -> pl.DataFrame:
    """Per submitted indicator (computed composites left out): the first period still missing and its due date.

    The first missing period is the one after the latest value (the next due one when there is none yet);
    it is overdue when its due date is before ``today``. Sorted by due date, overdue first. Columns: DUE_SCHEMA
    (days_left negative: days overdue).
    """
    computed = set(catalogue.filter(pl.col("components").list.len() > 0).get_column("code").to_list())
    days = dict(catalogue.select("code", "deadline_days").iter_rows())
    rows = []
    for r in latest.filter(~pl.col("code").is_in(list(computed))).iter_rows(named=True):
        last = calendar.parse(r["period"]) if r["period"] else None
        first_missing = calendar.shift(last, 1) if last else calendar.parse(r["next_period"] or "")
        if first_missing is None:
            continue
        due = calendar.due_date(first_missing, int(days.get(r["code"]) or 0))
        rows.append(
            {
                "code": r["code"],
                "name_vi": r["name_vi"],
                "name_en": r["name_en"],
                "frequency": r["frequency"],
                "period": str(first_missing),
                "due_date": due,
                "days_left": (due - today).days,
                "overdue": due < today,
                "status": r["status"],
            }
        )
    return pl.DataFrame(rows, schema=DUE_SCHEMA, orient="row").sort("due_date", "code")


def due_text(days_left: int, lang: str) -> str:
    """``Quá hạn 15 ngày`` / ``Hôm nay`` / ``Còn 4 ngày``."""
    if days_left < 0:
        return t("department.overdue_days", lang, n=-days_left)
    if days_left == 0:
        return t("department.due_today", lang)
    return t("department.days_left", lang, n=days_left)


DUE = (
    Column("link", "ui.open", "link"),
    Column("state", "department.due_state"),
    Column("due_date", "ui.deadline", "date"),
    Column("period", "ui.period", "period"),
    Column("code", "ui.code", "code"),
    Column("name", "ui.name"),
    Column("frequency_name", "ui.frequency"),
)


def due_table(due: pl.DataFrame, lang: str) -> Table:
    data = due.with_columns(
        link=each(due, "code", lambda c: href("indicator", lang, code=c)),
        state=each(due, "days_left", lambda d: due_text(d, lang)),
        name=pl.col("name_vi" if lang == "vi" else "name_en"),
        frequency_name=each(due, "frequency", lambda f: label("frequency", f, lang)),
    )
    return build(data, DUE, lang)


def overdue_sentence(due: pl.DataFrame, lang: str) -> str | None:
    """``2 chỉ số quá hạn báo cáo: IN-05 (Quý III/2026), …`` (Markdown, codes made plain) or None when nothing is
    overdue."""
    late = due.filter(pl.col("overdue"))
    if late.is_empty():
        return None
    items = ", ".join(f"{plain(r['code'])} ({figures.period(r['period'], lang)})" for r in late.iter_rows(named=True))
    return t("department.overdue_sentence", lang, n=late.height, items=items)


# --------------------------------------------------------------------------- submissions


SUBMISSIONS = (
    Column("submitted_at", "ui.submitted_at", "datetime"),
    Column("file_name", "indicator.file"),
    Column("result", "department.result"),
    Column("rows", "department.rows", "count"),
    Column("new_rows", "department.new_rows", "count"),
    Column(
        "revised_rows",
        "department.revised_rows",
        "count",
        fmt=lambda x, lang: numbers.fmt_number(x, lang, 0) if x else "",
    ),
    Column("n_errors", "department.errors", "count", fmt=lambda x, lang: numbers.fmt_number(x, lang, 0) if x else ""),
    Column("submitted_by", "indicator.submitted_by"),
)


def submissions_table(subs: pl.DataFrame, lang: str) -> Table:
    """The department's files, newest first: when, file, accepted or rejected, rows, new, revised, problems."""
    shown = subs.with_columns(  # an unreadable file is not a rejection of the figures (db.queries.submissions)
        status=pl.when(pl.col("unreadable")).then(pl.lit("unreadable")).otherwise(pl.col("status"))
    )
    data = subs.with_columns(
        result=each(shown, "status", lambda s: t(f"ui.{s}", lang)),
        submitted_by=pl.Series([actor_text(a, lang) for a in subs["submitted_by"]], dtype=pl.String),  # never None
    )
    return build(data, SUBMISSIONS, lang)


def submissions_summary(subs: pl.DataFrame, lang: str) -> str:
    """``182 tệp: 181 được tiếp nhận, 1 bị từ chối; lần gần nhất 23/11/2026 11:08.``"""
    accepted = subs.filter(pl.col("status") == "accepted").height
    unreadable = subs.filter(pl.col("unreadable")).height
    latest = numbers.fmt_datetime(subs.get_column("submitted_at").max(), lang) if subs.height else numbers.MISSING
    return t(
        "department.submissions_summary", lang, n=subs.height, accepted=accepted,
        rejected=subs.height - accepted - unreadable, unreadable=unreadable, latest=latest,
    )  # fmt: skip


ERRORS = (
    Column("row", "ui.row", "count", fmt=lambda x, _: "" if x is None else str(x)),
    Column("column", "ui.column"),
    Column("value", "ui.value"),
    Column("message", "ui.message"),
)


def errors_table(errors: pl.DataFrame, lang: str) -> Table:
    """One rejected file's problems: row, column, value found, message in the reader's language."""
    data = errors.with_columns(message=pl.col("message_vi" if lang == "vi" else "message_en"))
    return build(data, ERRORS, lang)


# --------------------------------------------------------------------------- timeliness


def timeliness_grid(detail: pl.DataFrame, catalogue: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Indicators × month of the due date, in the detail's window: on time, late or missing.

    Periods of every frequency are put in the month their value was due, so one grid holds weekly and
    yearly indicators alike; ``cell_text`` is received/expected. Columns as charts.timeliness_heatmap
    reads them: department (the indicator's code), department_label, period (month), status, cell_text.
    """
    names = {r["code"]: f"{r['code']} · {localized(r, 'name', lang)}" for r in catalogue.iter_rows(named=True)}
    schema = {
        "department": pl.String, "department_label": pl.String, "period": pl.String, "status": pl.String,
        "cell_text": pl.String,
    }  # fmt: skip
    if detail.is_empty():
        return pl.DataFrame(schema=schema)
    counts = timeliness.shares(
        detail.with_columns(period=pl.col("due_date").dt.strftime("%Y-%m")), "indicator_code", "period"
    )
    cells = timeliness.verdicts(counts)
    return cells.select(
        pl.col("indicator_code").alias("department"),
        pl.col("indicator_code").replace_strict(names, default=pl.col("indicator_code")).alias("department_label"),
        "period",
        "status",
        "cell_text",
    ).sort("department", "period")


def timeliness_chart(grid: pl.DataFrame, name: str, since: date | None, stamp: Stamp) -> alt.TopLevelMixin:
    labels = stamp.text(
        t("department.timeliness_title", stamp.lang),
        extra=[name, on_time_title(since, stamp.lang), t("department.timeliness_note", stamp.lang)],
        names={"department": t("ui.indicator", stamp.lang)},
    )
    return fit_width(charts.timeliness_heatmap(grid, labels))


TIMELINESS = (
    Column("link", "ui.open", "link"),
    Column("indicator_code", "ui.code", "code"),
    Column("period", "ui.period", "period"),
    Column("due_date", "ui.deadline", "date"),
    Column("first_submitted_at", "department.first_received", "datetime"),
    Column("state", "ui.status"),
    Column("days_late", "department.days_late", "count", fmt=lambda x, _: str(x) if x else ""),
)


def timeliness_table(detail: pl.DataFrame, lang: str) -> Table:
    """Every expected period in the window, newest due first: indicator, period, due date, received at, on time."""
    data = detail.sort(["due_date", "indicator_code"], descending=[True, False])
    states = [
        label("timeliness", "on_time" if r["on_time"] else ("late" if r["received"] else "missing"), lang)
        for r in data.iter_rows(named=True)
    ]
    data = data.with_columns(
        link=each(data, "indicator_code", lambda c: href("indicator", lang, code=c)),
        state=pl.Series(states, dtype=pl.String),
    )
    return build(data, TIMELINESS, lang)


def department_name(row: Mapping[str, Any], lang: str) -> str:
    return localized(row, "name", lang)
