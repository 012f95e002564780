"""Evaluation: every figure the leadership sees for an indicator, from the store, by the rules.

This module only composes the rules of ``rules.calendar`` (previous period,
same period last year, due dates), ``rules.ytd``, ``rules.plan`` (plan to
date, the two plan percentages, status), ``rules.trend`` and
``rules.composites``; it adds no rule of its own except the calendar's word
on the latest row:

Late and no data
    An indicator that never had a value is ``no_data``. One that has reported
    before but has nothing for the latest overdue period (``calendar.overdue_on``)
    or later is ``late``, whatever its plan status (``target_status`` keeps
    that). ``days_overdue`` counts from the due date of the first missing period.

Changes
    Against the previous period (``prev_*``: ``calendar.shift(p, -1)``; for a
    year-to-date figure only within the same year, see ``rules.trend``) and the
    same period last year (``yoy_*``); in percent of the earlier value's
    magnitude (empty when it is 0). ``change_yoy_ytd_pct`` compares the years
    to date (lũy kế so với cùng kỳ).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from rules import calendar, plan, trend, ytd
from rules.store import Store

STATUSES = ("on_track", "at_risk", "off_track", "no_target", "no_data", "late")
STATUS_SEVERITY = ("off_track", "late", "at_risk", "no_data", "no_target", "on_track")  # worst first
GROUPS = ("input", "process", "output", "outcome", "composite")
SPARKLINE_POINTS = 12


def evaluate(series: pl.DataFrame, catalogue: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """Every (indicator, period) row of a province series with its figures.

    series: indicator_code, period, period_start, period_end, value (other columns
    kept). catalogue: code, value_type, direction, on_track_pct, at_risk_pct.
    targets: indicator_code, year, value. Columns added: frequency, year, index,
    share, ytd, ytd_complete, prev_period, prev_value, change_prev,
    change_prev_pct, yoy_period, yoy_value, change_yoy, change_yoy_pct, yoy_ytd,
    change_yoy_ytd_pct, target, plan_to_date, pct_of_target, pct_of_plan,
    target_status, trend, worsening.
    """
    rules = catalogue.select(
        pl.col("code").alias("indicator_code"), "value_type", "direction", "on_track_pct", "at_risk_pct"
    )
    facts = calendar.period_facts(series.get_column("period").unique().to_list()).drop("next_period", "per_year")
    df = (
        series.join(rules, on="indicator_code", how="inner")
        .join(facts, on="period", how="inner")
        .sort("indicator_code", "period_start")
    )
    # A year to date starts again each January: its previous period lies in the same year or there is none.
    same_year = pl.col("prev_period").str.slice(0, 4) == pl.col("year").cast(pl.String)
    df = df.with_columns(prev_period=pl.when((pl.col("value_type") != "ytd") | same_year).then(pl.col("prev_period")))
    df = ytd.year_to_date(df)
    df = df.join(
        targets.select("indicator_code", pl.col("year").cast(pl.Int32), pl.col("value").alias("target")),
        on=["indicator_code", "year"],
        how="left",
    )
    df = plan.judge(df)
    own = df.select("indicator_code", "period", "value", "ytd", "pct_of_plan")
    df = df.join(
        own.select(
            "indicator_code",
            pl.col("period").alias("prev_period"),
            pl.col("value").alias("prev_value"),
            pl.col("pct_of_plan").alias("_prev_pct_of_plan"),
        ),
        on=["indicator_code", "prev_period"],
        how="left",
    ).join(
        own.select(
            "indicator_code",
            pl.col("period").alias("yoy_period"),
            pl.col("value").alias("yoy_value"),
            pl.col("ytd").alias("yoy_ytd"),
        ),
        on=["indicator_code", "yoy_period"],
        how="left",
    )
    direction = pl.col("direction")
    df = df.with_columns(
        change_prev=pl.col("value") - pl.col("prev_value"),
        change_prev_pct=trend.change_pct(pl.col("value"), pl.col("prev_value")),
        change_yoy=pl.col("value") - pl.col("yoy_value"),
        change_yoy_pct=trend.change_pct(pl.col("value"), pl.col("yoy_value")),
        change_yoy_ytd_pct=trend.change_pct(pl.col("ytd"), pl.col("yoy_ytd")),
        trend=trend.trend(
            trend.compared(pl.col("prev_value"), pl.col("_prev_pct_of_plan"), direction),
            trend.compared(pl.col("value"), pl.col("pct_of_plan"), direction),
            direction,
        ),
    )
    df = df.with_columns(worsening=(pl.col("trend") == "worsening").fill_null(False))
    return df.drop("_prev_pct_of_plan", "on_track_pct", "at_risk_pct")


def _wanted(codes: Iterable[str] | None) -> list[str] | None:
    return None if codes is None else sorted({c.strip().upper() for c in codes})


LATEST_COLUMNS = (
    "code",
    "name_vi",
    "name_en",
    "group",
    "field",
    "owner",
    "owner_name_vi",
    "owner_name_en",
    "unit",
    "source",
    "unit_en",
    "source_en",
    "frequency",
    "value_type",
    "direction",
    "aggregation",
    "level",
    "stage",
    "position",
    "period",
    "period_start",
    "period_end",
    "value",
    "computed",
    "n_localities",
    "submitted_at",
    "ytd",
    "ytd_complete",
    "prev_period",
    "prev_value",
    "change_prev",
    "change_prev_pct",
    "yoy_period",
    "yoy_value",
    "change_yoy",
    "change_yoy_pct",
    "yoy_ytd",
    "change_yoy_ytd_pct",
    "target",
    "plan_to_date",
    "pct_of_target",
    "pct_of_plan",
    "on_track_pct",
    "at_risk_pct",
    "target_status",
    "status",
    "trend",
    "worsening",
    "is_late",
    "due_period",
    "due_date",
    "days_overdue",
    "next_period",
    "next_due_date",
    "sparkline",
    "as_of",
)


def latest(store: Store, today: date, codes: Iterable[str] | None = None) -> pl.DataFrame:
    """One row per indicator (catalogue order) at its latest period with a value, judged as of ``today``.

    Columns: LATEST_COLUMNS. Indicators without any value have empty figures and
    status no_data. due_period/due_date: the latest period already overdue and its
    due date; next_period/next_due_date: what falls due after it; days_overdue:
    days since the due date of the first missing period (late rows only);
    sparkline: the last SPARKLINE_POINTS values, oldest first; as_of: the date of
    the data (``Store.as_of``), the same on every row.
    """
    meta, series = store.catalogue, store.series
    if (wanted := _wanted(codes)) is not None:
        meta = meta.filter(pl.col("code").is_in(wanted))
        series = series.filter(pl.col("indicator_code").is_in(wanted))
    evaluated = evaluate(series, meta, store.targets)
    last = evaluated.filter(pl.col("period_start") == pl.col("period_start").max().over("indicator_code"))
    spark = series.group_by("indicator_code").agg(
        pl.col("value").sort_by("period_start").tail(SPARKLINE_POINTS).alias("sparkline")
    )
    after = calendar.period_facts(last.get_column("period").to_list()).select(
        "period", pl.col("next_period").alias("_first_missing")
    )
    last = last.join(after, on="period", how="left")
    due = calendar.due_periods(meta.select("frequency", "deadline_days").iter_rows(), today)
    out = (
        meta.drop("targets", "components")
        .join(
            last.drop("frequency", "value_type", "direction").rename({"indicator_code": "code"}),
            on="code",
            how="left",
        )
        .join(due, on=["frequency", "deadline_days"], how="left")
        .join(spark.rename({"indicator_code": "code"}), on="code", how="left")
        .join(_due_of_first_missing(last, meta), on="code", how="left")
    )
    has_data = pl.col("value").is_not_null()
    out = out.with_columns(is_late=has_data & (pl.col("period_start") < pl.col("due_period_start")))
    out = out.with_columns(
        status=pl.when(~has_data)
        .then(pl.lit("no_data"))
        .when(pl.col("is_late"))
        .then(pl.lit("late"))
        .otherwise(pl.col("target_status")),
        days_overdue=pl.when(pl.col("is_late")).then((pl.lit(today) - pl.col("_missing_due")).dt.total_days()),
        worsening=pl.col("worsening").fill_null(False),
        computed=pl.col("computed").fill_null(False),
        sparkline=pl.col("sparkline").fill_null([]),
        as_of=pl.lit(store.as_of, dtype=pl.Date),
    )
    # the English unit and source are optional in a catalogue (a frame built without them reads them as empty)
    out = out.with_columns(pl.lit(None, pl.String).alias(c) for c in ("unit_en", "source_en") if c not in out.columns)
    return out.select(LATEST_COLUMNS).sort("position", "code")


def _due_of_first_missing(last: pl.DataFrame, meta: pl.DataFrame) -> pl.DataFrame:
    """Each indicator's first possibly missing period (the one after its latest) and that period's due date."""
    days = dict(meta.select("code", "deadline_days").iter_rows())
    rows = []
    for code, text in last.select("indicator_code", "_first_missing").iter_rows():
        period = calendar.parse(text) if text else None
        if period is not None:
            rows.append({"code": code, "_missing_due": calendar.due_date(period, int(days.get(code) or 0))})
    return pl.DataFrame(rows, schema={"code": pl.String, "_missing_due": pl.Date})


SERIES_COLUMNS = (
    "code",
    "period",
    "period_start",
    "period_end",
    "value",
    "computed",
    "n_localities",
    "submitted_at",
    "ytd",
    "ytd_complete",
    "prev_period",
    "prev_value",
    "change_prev",
    "change_prev_pct",
    "yoy_period",
    "yoy_value",
    "change_yoy",
    "change_yoy_pct",
    "yoy_ytd",
    "change_yoy_ytd_pct",
    "target",
    "plan_to_date",
    "pct_of_target",
    "pct_of_plan",
    "status",
    "trend",
    "worsening",
    "due_date",
    "first_submitted_at",
    "on_time",
)


def series_of(store: Store, code: str, today: date) -> pl.DataFrame:
    """One indicator, every period with a value up to ``today``, oldest first.

    ``status`` is the plan status of that period (lateness belongs to the latest row
    only); ``submitted_at`` is when the value in force was accepted (a revision's own
    time); ``first_submitted_at``/``on_time`` tell whether the period's first value
    (any locality) came by its due date (``rules.timeliness``; empty for computed composites,
    which nobody submits).
    Columns: SERIES_COLUMNS.
    """
    code = code.strip().upper()
    one = store.catalogue.filter(pl.col("code") == code)
    series = store.series.filter((pl.col("indicator_code") == code) & (pl.col("period_start") <= today))
    evaluated = evaluate(series, one, store.targets)
    days = int(one.get_column("deadline_days").first() or 0) if one.height else 0
    first = store.first_submissions.filter(pl.col("indicator_code") == code).select("period", "first_submitted_at")
    out = (
        evaluated.join(first, on="period", how="left")
        .with_columns(due_date=pl.col("period_end") + pl.duration(days=days), status=pl.col("target_status"))
        .with_columns(
            on_time=pl.when(pl.col("first_submitted_at").is_not_null()).then(
                pl.col("first_submitted_at").dt.date() <= pl.col("due_date")
            )
        )
        .rename({"indicator_code": "code"})
    )
    return out.select(SERIES_COLUMNS).sort("period_start")


BREAKDOWN_COLUMNS = (
    "composite_code",
    "period",
    "component_code",
    "name_vi",
    "name_en",
    "unit",
    "direction",
    "weight",
    "component_period",
    "value",
    "lo",
    "hi",
    "range_source",
    "target",
    "score",
    "contribution",
    "share_pct",
    "complete",
)


def breakdown(store: Store, code: str, period: str) -> pl.DataFrame:
    """A computed composite's components for one period: value, 0–100 score, weight and contribution.

    share_pct is the component's share of the composite value. Empty when the code
    is not a computed composite or the period has no component value. Columns:
    BREAKDOWN_COLUMNS.
    """
    code = code.strip().upper()
    rows = store.contributions.filter((pl.col("composite_code") == code) & (pl.col("period") == period.strip()))
    names = store.catalogue.select(pl.col("code").alias("component_code"), "name_vi", "name_en", "unit", "direction")
    total = pl.col("contribution").sum()
    rows = rows.join(names, on="component_code", how="left").with_columns(
        share_pct=pl.when(total > 0).then(pl.col("contribution") / total * 100)
    )
    return rows.select(BREAKDOWN_COLUMNS).sort("component_code")
