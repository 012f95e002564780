"""The department page's logic: chooser, its indicators and their status, its files, timeliness, what falls due.

Pure functions over polars frames (no Streamlit calls), in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, numbers
from dashboard.components import href, status_label
from dashboard.i18n import label, t, vi_sort_key
from dashboard.views.indicator import (
    MISSING,
    Table,
    Tile,
    decimals_for,
    fit_width,
    fmt_datetime,
    name_of,
    period_label,
    right_aligned,
)
from rules import calendar as P
from rules.evaluate import STATUS_SEVERITY, STATUSES

# --------------------------------------------------------------------------- the chooser


def resolve(departments: pl.DataFrame, wanted: str | None) -> dict[str, Any] | None:
    """The department row of a code given in any case, or None."""
    code = (wanted or "").strip().upper()
    found = departments.filter(pl.col("code") == code) if code else departments.clear()
    return found.row(0, named=True) if found.height else None


def options(departments: pl.DataFrame, lang: str) -> tuple[list[str], dict[str, str]]:
    """Department codes in Vietnamese order of their names (``""`` first, for none) and their labels."""
    rows = sorted(departments.iter_rows(named=True), key=lambda r: vi_sort_key(name_of(r, lang)))
    names = {"": t("department.choose_placeholder", lang)} | {r["code"]: name_of(r, lang) for r in rows}
    return ["", *(r["code"] for r in rows)], names


def overview_table(summary: pl.DataFrame, lang: str) -> Table:
    """Every department (evaluation.department_summary): link, name, indicators per status, on time %."""
    cols = {
        "link": t("ui.open", lang),
        "name": t("ui.department", lang),
        "indicators": t("ui.indicators", lang),
        **{s: label("status", s, lang) for s in ("on_track", "at_risk", "off_track", "late", "no_data")},
        "on_time_pct": t("department.on_time_pct", lang),
        "worst": t("department.worst_status", lang),
    }
    rows = sorted(summary.iter_rows(named=True), key=lambda r: vi_sort_key(name_of(r, lang)))
    display = pl.DataFrame(
        [
            {
                cols["link"]: href("department", lang, code=r["department"]),
                cols["name"]: name_of(r, lang),
                cols["indicators"]: str(r["indicators"]),
                **{cols[s]: str(r[s]) if r[s] else "" for s in ("on_track", "at_risk", "off_track", "late", "no_data")},
                cols["on_time_pct"]: numbers.fmt_percent(r["on_time_pct"], lang, 0),
                cols["worst"]: status_label(r["worst_status"], lang),
            }
            for r in rows
        ],
        schema={c: pl.String for c in cols.values()},
        orient="row",
    )
    download = (
        pl.DataFrame(rows).select(
            pl.col("department").alias(t("ui.code", lang)),
            pl.col("name_vi" if lang == "vi" else "name_en").alias(cols["name"]),
            pl.col("indicators").alias(cols["indicators"]),
            *[pl.col(s).alias(label("status", s, lang)) for s in STATUSES],
            pl.col("expected").alias(t("ui.expected", lang)),
            pl.col("received").alias(t("ui.received", lang)),
            pl.col("on_time").alias(t("ui.on_time", lang)),
            pl.col("on_time_pct").alias(cols["on_time_pct"]),
        )
        if rows
        else display
    )
    numeric = [cols[k] for k in ("indicators", "on_track", "at_risk", "off_track", "late", "no_data", "on_time_pct")]
    return Table(display, download, right_aligned(*numeric))


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


def tiles(latest: pl.DataFrame, detail: pl.DataFrame, lang: str) -> list[Tile]:
    """Indicators, then how many are on track, at risk, off track, late; the share of periods sent on time."""
    counts = {s: latest.filter(pl.col("status") == s).height for s in STATUSES}
    out = [Tile(t("ui.indicators", lang), str(latest.height))]
    for status in ("on_track", "at_risk", "off_track", "late"):
        out.append(Tile(status_label(status, lang), str(counts[status]), help=t(f"status_help.{status}", lang)))
    expected = detail.height
    on_time = int(detail.get_column("on_time").sum()) if expected else 0
    pct = numbers.fmt_percent(on_time / expected * 100, lang, 0) if expected else MISSING
    out.append(
        Tile(
            t("department.on_time_pct", lang),
            pct,
            help=t("department.on_time_help", lang, on_time=on_time, expected=expected),
        )
    )
    return out


def indicators_table(latest: pl.DataFrame, lang: str) -> Table:
    """The department's indicators, worst status first: link, code, name, group, period, value, % of plan,
    status, trend."""
    cols = {
        "link": t("ui.open", lang),
        "status": t("ui.status", lang),
        "code": t("ui.code", lang),
        "name": t("ui.name", lang),
        "value": t("ui.latest_value", lang),
        "period": t("ui.latest_period", lang),
        "pct": t("ui.pct_of_plan", lang),
        "trend": t("ui.trend", lang),
        "group": t("ui.group", lang),
    }
    data = status_order(latest)
    rows = []
    for r in data.iter_rows(named=True):
        dec = decimals_for([r["value"]])
        rows.append(
            {
                cols["link"]: href("indicator", lang, code=r["code"]),
                cols["status"]: status_label(r["status"], lang),
                cols["code"]: r["code"],
                cols["name"]: name_of(r, lang),
                cols["value"]: numbers.fmt_value(r["value"], r["unit"], lang, dec),
                cols["period"]: period_label(r["period"], lang),
                cols["pct"]: numbers.fmt_percent(r["pct_of_plan"], lang, 1),
                cols["trend"]: label("trend", r["trend"], lang) if r["trend"] else MISSING,
                cols["group"]: label("group", r["group"], lang),
            }
        )
    display = pl.DataFrame(rows, schema={c: pl.String for c in cols.values()}, orient="row")
    download = data.select(
        pl.col("code").alias(cols["code"]),
        pl.col("name_vi" if lang == "vi" else "name_en").alias(cols["name"]),
        pl.col("group").alias(cols["group"]),
        pl.col("period").alias(cols["period"]),
        pl.col("value").alias(cols["value"]),
        pl.col("unit").alias(t("ui.unit", lang)),
        pl.col("target").alias(t("ui.target", lang)),
        pl.col("pct_of_plan").alias(cols["pct"]),
        pl.col("status").alias(cols["status"]),
        pl.col("trend").alias(cols["trend"]),
    )
    return Table(display, download, right_aligned(cols["value"], cols["pct"]))


def status_chart(latest: pl.DataFrame, name: str, lang: str, as_of: date, demo: bool) -> alt.TopLevelMixin:
    """The department's indicators by group and status (charts.status_by_group_chart)."""
    counts = latest.group_by("group", "status").agg(pl.len().cast(pl.Int64).alias("count"))
    labels = charts.chart_text(t("department.status_chart_title", lang, name=name), lang, as_of=as_of, demo=demo)
    # counts are whole: no 0,2 steps on the axis
    return fit_width(charts.status_by_group_chart(counts, labels)).configure_axisX(tickMinStep=1)


# --------------------------------------------------------------------------- what falls due next


def due_next(latest: pl.DataFrame, catalogue: pl.DataFrame, today: date) -> pl.DataFrame:
    """Per submitted indicator (computed composites left out): the first period still missing and its due date.

    The first missing period is the one after the latest value (the next due one when there is none yet);
    it is overdue when its due date is before ``today``. Sorted by due date, overdue first.
    Columns: code, name_vi, name_en, frequency, period, due_date, days_left (negative: days overdue),
    overdue, status.
    """
    computed = set(catalogue.filter(pl.col("components").list.len() > 0).get_column("code").to_list())
    days = dict(catalogue.select("code", "deadline_days").iter_rows())
    rows = []
    for r in latest.filter(~pl.col("code").is_in(list(computed))).iter_rows(named=True):
        last = P.parse(r["period"]) if r["period"] else None
        first_missing = P.shift(last, 1) if last else P.parse(r["next_period"]) if r["next_period"] else None
        if first_missing is None:
            continue
        due = P.due_date(first_missing, int(days.get(r["code"]) or 0))
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
    schema = {
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
    return pl.DataFrame(rows, schema=schema, orient="row").sort("due_date", "code")


def due_text(days_left: int, lang: str) -> str:
    """``🔴 Quá hạn 15 ngày`` / ``Hôm nay`` / ``Còn 4 ngày``."""
    if days_left < 0:
        return "🔴 " + t("department.overdue_days", lang, n=-days_left)
    if days_left == 0:
        return "🟠 " + t("department.due_today", lang)
    return ("🟡 " if days_left <= 7 else "") + t("department.days_left", lang, n=days_left)


def due_table(due: pl.DataFrame, lang: str) -> Table:
    cols = {
        "link": t("ui.open", lang),
        "state": t("department.due_state", lang),
        "due": t("ui.deadline", lang),
        "period": t("ui.period", lang),
        "code": t("ui.code", lang),
        "name": t("ui.name", lang),
        "frequency": t("ui.frequency", lang),
    }
    rows = [
        {
            cols["link"]: href("indicator", lang, code=r["code"]),
            cols["code"]: r["code"],
            cols["name"]: name_of(r, lang),
            cols["frequency"]: label("frequency", r["frequency"], lang),
            cols["period"]: period_label(r["period"], lang),
            cols["due"]: numbers.fmt_date(r["due_date"], lang),
            cols["state"]: due_text(r["days_left"], lang),
        }
        for r in due.iter_rows(named=True)
    ]
    display = pl.DataFrame(rows, schema={c: pl.String for c in cols.values()}, orient="row")
    download = due.select(
        pl.col("code").alias(cols["code"]),
        pl.col("name_vi" if lang == "vi" else "name_en").alias(cols["name"]),
        pl.col("frequency").alias(cols["frequency"]),
        pl.col("period").alias(cols["period"]),
        pl.col("due_date").alias(cols["due"]),
        pl.col("days_left").alias(t("department.days_left_column", lang)),
        pl.col("overdue").alias(t("department.overdue", lang)),
    )
    return Table(display, download, {})


# --------------------------------------------------------------------------- submissions


def submissions_table(subs: pl.DataFrame, lang: str) -> Table:
    """The department's files, newest first: when, file, accepted or rejected, rows, new, revised, problems."""
    cols = {
        "at": t("ui.submitted_at", lang),
        "file": t("indicator.file", lang),
        "status": t("department.result", lang),
        "rows": t("department.rows", lang),
        "new": t("department.new_rows", lang),
        "revised": t("department.revised_rows", lang),
        "errors": t("department.errors", lang),
        "by": t("indicator.submitted_by", lang),
    }
    accepted, rejected = "✅ " + t("ui.accepted", lang), "❌ " + t("ui.rejected", lang)
    rows = [
        {
            cols["at"]: fmt_datetime(r["submitted_at"], lang),
            cols["file"]: r["file_name"],
            cols["status"]: accepted if r["status"] == "accepted" else rejected,
            cols["rows"]: numbers.fmt_number(r["rows"], lang),
            cols["new"]: numbers.fmt_number(r["new_rows"], lang),
            cols["revised"]: numbers.fmt_number(r["revised_rows"], lang) if r["revised_rows"] else "",
            cols["errors"]: numbers.fmt_number(r["n_errors"], lang) if r["n_errors"] else "",
            cols["by"]: r["submitted_by"] or MISSING,
        }
        for r in subs.iter_rows(named=True)
    ]
    display = pl.DataFrame(rows, schema={c: pl.String for c in cols.values()}, orient="row")
    download = subs.select(
        pl.col("id").alias(t("ui.submission", lang)),
        pl.col("submitted_at").alias(cols["at"]),
        pl.col("file_name").alias(cols["file"]),
        pl.col("status").alias(cols["status"]),
        pl.col("rows").alias(cols["rows"]),
        pl.col("new_rows").alias(cols["new"]),
        pl.col("revised_rows").alias(cols["revised"]),
        pl.col("n_errors").alias(cols["errors"]),
        pl.col("submitted_by").alias(cols["by"]),
    )
    return Table(display, download, right_aligned(cols["rows"], cols["new"], cols["revised"], cols["errors"]))


def submissions_summary(subs: pl.DataFrame, lang: str) -> str:
    """``182 tệp: 181 được tiếp nhận, 1 bị từ chối; lần gần nhất 23/11/2026 11:08.``"""
    accepted = subs.filter(pl.col("status") == "accepted").height
    latest = fmt_datetime(subs.get_column("submitted_at").max(), lang) if subs.height else MISSING
    return t(
        "department.submissions_summary", lang, n=subs.height, accepted=accepted, rejected=subs.height - accepted,
        latest=latest,
    )  # fmt: skip


def errors_table(errors: pl.DataFrame, lang: str) -> Table:
    """One rejected file's problems: row, column, value found, message in the reader's language."""
    message = "message_vi" if lang == "vi" else "message_en"
    display = errors.select(
        pl.col("row").cast(pl.String).fill_null("").alias(t("ui.row", lang)),
        pl.col("column").fill_null("").alias(t("ui.column", lang)),
        pl.col("value").fill_null("").alias(t("ui.value", lang)),
        pl.col(message).fill_null("").alias(t("ui.message", lang)),
    )
    return Table(display, display, right_aligned(t("ui.row", lang)))


# --------------------------------------------------------------------------- timeliness


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def timeliness_grid(
    detail: pl.DataFrame, catalogue: pl.DataFrame, today: date, lang: str, months: int = 12
) -> pl.DataFrame:
    """Indicators × month of the due date, for the last ``months`` months: on time, late or missing.

    Periods of every frequency are put in the month their value was due, so one grid holds weekly and
    yearly indicators alike; ``cell_text`` is received/expected. Columns as charts.timeliness_heatmap
    reads them: department (the indicator's code), department_label, period (month), status, cell_text.
    """
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)
    names = {r["code"]: f"{r['code']} · {name_of(r, lang)}" for r in catalogue.iter_rows(named=True)}
    recent = detail.filter(pl.col("due_date") >= first)
    if recent.is_empty():
        return pl.DataFrame(
            schema={"department": pl.String, "department_label": pl.String, "period": pl.String,
                    "status": pl.String, "cell_text": pl.String}
        )  # fmt: skip
    counts = (
        recent.with_columns(period=pl.col("due_date").dt.strftime("%Y-%m"))
        .group_by("indicator_code", "period")
        .agg(
            pl.len().cast(pl.Int64).alias("expected"),
            pl.col("received").sum().cast(pl.Int64).alias("received"),
            pl.col("on_time").sum().cast(pl.Int64).alias("on_time"),
        )
    )
    cells = charts.timeliness_cells(counts)
    return cells.select(
        pl.col("indicator_code").alias("department"),
        pl.col("indicator_code").replace_strict(names, default=pl.col("indicator_code")).alias("department_label"),
        "period",
        "status",
        "cell_text",
    ).sort("department", "period")


def timeliness_chart(grid: pl.DataFrame, name: str, lang: str, as_of: date, demo: bool) -> alt.TopLevelMixin:
    labels = charts.chart_text(
        t("department.timeliness_title", lang),
        lang,
        as_of=as_of,
        demo=demo,
        extra=[name, t("department.timeliness_note", lang)],
        names={"department": t("ui.indicator", lang)},
    )
    return fit_width(charts.timeliness_heatmap(grid, labels))


def timeliness_table(detail: pl.DataFrame, lang: str) -> Table:
    """Every expected period, newest due first: indicator, period, due date, received at, on time, days late."""
    cols = {
        "link": t("ui.open", lang),
        "code": t("ui.code", lang),
        "period": t("ui.period", lang),
        "due": t("ui.deadline", lang),
        "received": t("department.first_received", lang),
        "state": t("ui.status", lang),
        "days_late": t("department.days_late", lang),
    }
    data = detail.sort(["due_date", "indicator_code"], descending=[True, False])
    rows = []
    for r in data.iter_rows(named=True):
        state = "on_time" if r["on_time"] else ("late" if r["received"] else "missing")
        icon = {"on_time": "🟢", "late": "🟡", "missing": "🔴"}[state]
        rows.append(
            {
                cols["link"]: href("indicator", lang, code=r["indicator_code"]),
                cols["code"]: r["indicator_code"],
                cols["period"]: period_label(r["period"], lang),
                cols["due"]: numbers.fmt_date(r["due_date"], lang),
                cols["received"]: fmt_datetime(r["first_submitted_at"], lang),
                cols["state"]: f"{icon} {label('timeliness', state, lang)}",
                cols["days_late"]: str(r["days_late"]) if r["days_late"] else "",
            }
        )
    display = pl.DataFrame(rows, schema={c: pl.String for c in cols.values()}, orient="row")
    download = data.select(
        pl.col("indicator_code").alias(cols["code"]),
        pl.col("period").alias(cols["period"]),
        pl.col("due_date").alias(cols["due"]),
        pl.col("first_submitted_at").alias(cols["received"]),
        pl.col("received").alias(t("ui.received", lang)),
        pl.col("on_time").alias(t("ui.on_time", lang)),
        pl.col("days_late").alias(cols["days_late"]),
    )
    return Table(display, download, right_aligned(cols["days_late"]))


def overdue_sentence(due: pl.DataFrame, lang: str) -> str | None:
    """``2 chỉ số quá hạn báo cáo: IN-05 (Quý III/2026), …`` or None when nothing is overdue."""
    late = due.filter(pl.col("overdue"))
    if late.is_empty():
        return None
    items = ", ".join(f"{r['code']} ({period_label(r['period'], lang)})" for r in late.iter_rows(named=True))
    return t("department.overdue_sentence", lang, n=late.height, items=items)


def department_name(row: Mapping[str, Any], lang: str) -> str:
    return name_of(row, lang)
