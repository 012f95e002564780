"""Evaluation: what each indicator's figures mean against plan, last period and last year.

No Streamlit here. The public functions take the database path and an explicit
``today`` (never ``date.today()``) and return polars frames; the rules live in
pure functions over frames (``evaluate_frame``, ``composite_contributions``,
``status_counts``, ``department_summary``, ...) that the tests call directly.
Everything works on province series (one value per indicator and period);
commune values are read only for one indicator at a time (``queries.commune_values``).

Rules, where the issue left a choice:

Province value
    The submitted province row (``locality_code = ''``) when there is one;
    otherwise, for aggregation ``sum`` or ``mean``, the sum or the plain
    (unweighted) mean of the communes' values for that period. Aggregation
    ``none`` means the province value is submitted: nothing is computed.

Year to date (``ytd``, lũy kế)
    ``flow``: the sum of the year's periods up to and including this one
    (ISO year for weeks), over the periods that have a value; ``ytd_complete``
    is false when an earlier period of the year is missing. ``ytd`` indicators
    are already cumulative and ``stock``/``rate`` ones are levels: their ytd is
    the value itself.

Previous period and same period last year
    ``rules.calendar.shift(p, -1)`` and ``same_period_last_year(p)`` (week 53
    compares with week 52 of a 52-week year). Changes are absolute and in % of
    the earlier value's magnitude (null when it is 0). ``change_yoy_ytd_pct``
    compares year-to-date figures (lũy kế so với cùng kỳ).

% of target
    ``pct_of_target`` is the % of the year's plan (% kế hoạch năm) as reports
    print it: the basis (ytd for flows, the value otherwise) against the year's
    target. Flow and ytd amounts grow through the year, so judging them against
    the whole year's target would make every one look off track until
    December; the **status uses ``pct_of_plan``**, the same ratio against the
    plan to date: ``target x elapsed share`` (month 3 of 12 expects 25 % of the
    year; week 10 of 52 expects 10/52). For stock and rate indicators, and for
    annual ones, the two are equal.
    Direction ``up``: basis / target; ``down``: target / basis, so 100 % means on
    plan and more is better; ``target``: closeness, ``100 - |basis - target| /
    |target| x 100``, floored at 0 (5 % away from the target gives 95 %).
    Where a ratio means nothing (``up`` with a target <= 0, ``down`` with a basis
    <= 0, ``target`` with a target of 0) the pct is null and the status is
    ``on_track`` when the target is met (up: basis >= target, down: basis <=
    target, target: equal) and ``off_track`` otherwise.

Status
    ``on_track`` when pct_of_plan >= the indicator's ``on_track_pct``,
    ``at_risk`` when >= ``at_risk_pct``, ``off_track`` below (a 1e-9 tolerance
    absorbs float noise, so exactly 100 % is on track). With no target for the
    period's year the status is ``no_target``: no plan, no judgement; the trend
    and the ``worsening`` flag still warn. ``target_status`` holds this result.
    The latest row's ``status`` then lets the calendar override it: ``no_data``
    when the indicator never had a value; ``late`` when it has reported before
    but has nothing for the latest overdue period or later. Overdue means the
    due date (period end + ``deadline_days``) is before ``today``: this is
    ``latest_due(frequency, deadline_days, today - 1 day)``, because a value
    accepted on the due date itself is on time (as in ``timeliness``), so it
    is not late that morning. An indicator that has never reported is
    ``no_data``, not late (it may not be operating yet; ``timeliness`` with
    ``since`` counts it as missing).
    Note for ``target`` indicators: with the default thresholds (100/90) any
    distance from the target is at risk; the catalogue should set them (e.g. 97/90).

Trend
    Over the last three periods p-2, p-1, p (consecutive by the calendar): the
    move from the earliest available of p-2/p-1 to p, judged by direction. The
    compared figure is the value (``up``/``down``; for ``ytd`` indicators the
    annualised value, value / elapsed share, since the raw figure resets each
    January), or the closeness to target (``target``, null without a target).
    A move of less than ``TREND_TOLERANCE_PCT`` (1 % of the earlier value; 1
    point of closeness) is ``stable``. ``worsening`` is ``trend == 'worsening'``.

Computed composites
    For each period of the composite's frequency, each component's value is its
    latest value whose period ends within the composite's period (the same
    period when the frequencies match). A component with direction up or down
    and a target for the year scores its achievement of the plan for that
    period, capped at 100: a flow against target / periods per year, a ytd
    figure against the plan to date, a level against the target (down:
    target / value), so that tỷ đồng and % become comparable. Otherwise it is
    scaled to 0-100 over
    ``[valid_min, valid_max]``, a missing bound taken from the min/max of the
    component's own province history (a computed composite inside another is
    already a 0-100 score: its default range is 0-100); a range of zero width
    scores 50. Direction ``down`` scores ``100 - scaled``; ``target`` scores
    ``100 - |value - target| / width x 100`` (no target: no score). Scores are clipped to 0-100, the
    contribution is ``score x weight / sum of weights`` and the composite value
    is the sum of contributions, only for periods where every component has a
    score. A submitted value for the composite wins over the computed one.

Timeliness
    Expected periods per indicator (computed composites excluded: nobody
    submits them) run from its first period with any accepted value (or the
    period holding ``since``, when given) to the latest overdue period (as for
    ``late`` above); periods sent before they are overdue are not counted. Received: any
    accepted value (any locality) for the period; on time: the first one was
    accepted on or before the due date (period end + ``deadline_days``).

Outliers
    Robust z-score against the indicator's own province history: ``0.6745 (x -
    median) / MAD``; when MAD is 0, ``(x - median) / (1.2533 x mean absolute
    deviation)``; flagged when |z| > 3.5, only with at least
    ``OUTLIER_MIN_HISTORY`` values.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, timedelta

import polars as pl

from dashboard import queries
from rules import calendar as P

Path = str | os.PathLike | None

STATUSES = ("on_track", "at_risk", "off_track", "no_target", "no_data", "late")
# How bad each status is, worst first: a department's worst status, sort orders.
STATUS_SEVERITY = ("off_track", "late", "at_risk", "no_data", "no_target", "on_track")
TRENDS = ("improving", "stable", "worsening")
GROUPS = ("input", "process", "output", "outcome", "composite")
TREND_TOLERANCE_PCT = 1.0
OUTLIER_Z = 3.5
OUTLIER_MIN_HISTORY = 6
SPARKLINE_POINTS = 12
_EPS = 1e-9
_PER_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "annual": 1}
_INTERVAL = {"weekly": "1w", "monthly": "1mo", "quarterly": "3mo", "half_yearly": "6mo", "annual": "1y"}

SERIES_SCHEMA = {
    "indicator_code": pl.String,
    "period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value": pl.Float64,
    "computed": pl.Boolean,
    "n_localities": pl.Int32,
    "submitted_at": pl.Datetime("us"),
}


# --------------------------------------------------------------------------- periods


def period_keys(periods: Iterable[str]) -> pl.DataFrame:
    """Calendar facts for each distinct canonical period (the few distinct ones, not the rows).

    Columns: period, frequency, year, index, per_year, share (index / per_year),
    prev_period, prev2_period, yoy_period, next_period.
    """
    rows = []
    for text in sorted(set(periods)):
        p = P.parse(text)
        if p is None:
            continue
        per_year = P.weeks_in(p.year) if p.frequency == "weekly" else _PER_YEAR[p.frequency]
        rows.append(
            {
                "period": text,
                "frequency": p.frequency,
                "year": p.year,
                "index": p.index,
                "per_year": per_year,
                "share": p.index / per_year,
                "prev_period": str(P.shift(p, -1)),
                "prev2_period": str(P.shift(p, -2)),
                "yoy_period": str(P.same_period_last_year(p)),
                "next_period": str(P.shift(p, 1)),
            }
        )
    schema = {
        "period": pl.String,
        "frequency": pl.String,
        "year": pl.Int32,
        "index": pl.Int32,
        "per_year": pl.Int32,
        "share": pl.Float64,
        "prev_period": pl.String,
        "prev2_period": pl.String,
        "yoy_period": pl.String,
        "next_period": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _period_text(start: pl.Expr, frequency: str) -> pl.Expr:
    """Canonical period text from the period's first day, vectorised."""
    year = start.dt.year().cast(pl.String)
    month = start.dt.month()
    match frequency:
        case "annual":
            return year
        case "half_yearly":
            return year + "-H" + ((month - 1) // 6 + 1).cast(pl.String)
        case "quarterly":
            return year + "-Q" + ((month - 1) // 3 + 1).cast(pl.String)
        case "monthly":
            return year + "-" + month.cast(pl.String).str.zfill(2)
        case _:
            return start.dt.iso_year().cast(pl.String) + "-W" + start.dt.week().cast(pl.String).str.zfill(2)


def expected_periods(frame: pl.DataFrame) -> pl.DataFrame:
    """Every period from first_start to last_start for each row, vectorised by frequency.

    Input columns: indicator_code, frequency, deadline_days, first_start, last_start
    (period first days). Output columns: the input's indicator_code, frequency,
    deadline_days, plus period, period_start, period_end, due_date.
    """
    parts = []
    for frequency, interval in _INTERVAL.items():
        sub = frame.filter((pl.col("frequency") == frequency) & (pl.col("first_start") <= pl.col("last_start")))
        if sub.is_empty():
            continue
        sub = sub.with_columns(period_start=pl.date_ranges("first_start", "last_start", interval)).explode(
            "period_start"
        )
        end = (
            pl.col("period_start") + timedelta(days=6)
            if frequency == "weekly"
            else pl.col("period_start").dt.offset_by(interval) - timedelta(days=1)
        )
        parts.append(
            sub.select(
                "indicator_code",
                "frequency",
                "deadline_days",
                _period_text(pl.col("period_start"), frequency).alias("period"),
                "period_start",
                end.alias("period_end"),
            )
        )
    schema = {
        "indicator_code": pl.String,
        "frequency": pl.String,
        "deadline_days": pl.Int32,
        "period": pl.String,
        "period_start": pl.Date,
        "period_end": pl.Date,
    }
    if not parts:
        return pl.DataFrame(schema=schema | {"due_date": pl.Date})
    out = pl.concat([p.cast(schema) for p in parts])
    return out.with_columns(due_date=pl.col("period_end") + pl.duration(days=pl.col("deadline_days")))


def _due_frame(meta: pl.DataFrame, today: date) -> pl.DataFrame:
    """Latest overdue period (due date before today) and the next one, per (frequency, deadline_days)."""
    rows = []
    yesterday = today - timedelta(days=1)
    for frequency, days in meta.select("frequency", "deadline_days").unique().iter_rows():
        due = P.latest_due(frequency, days, yesterday)
        nxt = P.shift(due, 1)
        rows.append(
            {
                "frequency": frequency,
                "deadline_days": days,
                "due_period": str(due),
                "due_period_start": due.start,
                "due_date": P.due_date(due, days),
                "next_period": str(nxt),
                "next_due_date": P.due_date(nxt, days),
            }
        )
    schema = {
        "frequency": pl.String,
        "deadline_days": pl.Int32,
        "due_period": pl.String,
        "due_period_start": pl.Date,
        "due_date": pl.Date,
        "next_period": pl.String,
        "next_due_date": pl.Date,
    }
    return pl.DataFrame(rows, schema=schema)


# --------------------------------------------------------------------------- the rules, as pure functions


def _ratio_pct(basis: pl.Expr, ref: pl.Expr, direction: pl.Expr) -> pl.Expr:
    """Percent of plan by direction; null where the ratio means nothing."""
    up = pl.when(ref > 0).then(basis / ref * 100)
    down = pl.when(basis > 0).then(ref / basis * 100)
    near = pl.when(ref != 0).then((100 - (basis - ref).abs() / ref.abs() * 100).clip(lower_bound=0))
    return (
        pl.when(direction == "up")
        .then(up)
        .when(direction == "down")
        .then(down)
        .when(direction == "target")
        .then(near)
        .otherwise(None)
    )


def _met(basis: pl.Expr, ref: pl.Expr, direction: pl.Expr) -> pl.Expr:
    return (
        pl.when(direction == "up")
        .then(basis >= ref)
        .when(direction == "down")
        .then(basis <= ref)
        .otherwise(basis == ref)
    )


def _status(pct: pl.Expr, target: pl.Expr, met: pl.Expr, on_track: pl.Expr, at_risk: pl.Expr) -> pl.Expr:
    return (
        pl.when(target.is_null())
        .then(pl.lit("no_target"))
        .when(pct.is_null())
        .then(pl.when(met).then(pl.lit("on_track")).otherwise(pl.lit("off_track")))
        .when(pct >= on_track - _EPS)
        .then(pl.lit("on_track"))
        .when(pct >= at_risk - _EPS)
        .then(pl.lit("at_risk"))
        .otherwise(pl.lit("off_track"))
    )


def _change_pct(new: pl.Expr, old: pl.Expr) -> pl.Expr:
    return pl.when(old != 0).then((new - old) / old.abs() * 100)


def _trend(first: pl.Expr, last: pl.Expr, direction: pl.Expr) -> pl.Expr:
    """improving / stable / worsening from the earlier to the later comparable figure."""
    diff = last - first
    oriented = pl.when(direction == "down").then(-diff).otherwise(diff)
    relative = (
        pl.when(direction == "target")
        .then(oriented)  # closeness is already in points of percent
        .when(first != 0)
        .then(oriented / first.abs() * 100)
        .otherwise(pl.when(oriented > 0).then(float("inf")).when(oriented < 0).then(float("-inf")).otherwise(0.0))
    )
    return (
        pl.when(first.is_null() | last.is_null())
        .then(None)
        .when(relative.abs() < TREND_TOLERANCE_PCT)
        .then(pl.lit("stable"))
        .when(relative > 0)
        .then(pl.lit("improving"))
        .otherwise(pl.lit("worsening"))
    )


def evaluate_frame(series: pl.DataFrame, meta: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """Evaluate every (indicator, period) row of a province series; the rules of the module docstring.

    series: indicator_code, period, period_start, period_end, value (+ computed,
    n_localities, submitted_at, kept). meta: the catalogue (code, value_type,
    direction, on_track_pct, at_risk_pct). targets: indicator_code, year, value.
    Columns added: frequency, year, index, share, ytd, ytd_complete, prev_period,
    prev_value, change_prev, change_prev_pct, yoy_period, yoy_value, change_yoy,
    change_yoy_pct, yoy_ytd, change_yoy_ytd_pct, target, plan_to_date,
    pct_of_target, pct_of_plan, target_status, trend, worsening.
    """
    rules = meta.select(
        pl.col("code").alias("indicator_code"), "value_type", "direction", "on_track_pct", "at_risk_pct"
    )
    keys = period_keys(series.get_column("period").unique().to_list())
    df = (
        series.join(rules, on="indicator_code", how="inner")
        .join(keys.drop("next_period"), on="period", how="inner")
        .sort("indicator_code", "period_start")
    )
    flow = pl.col("value_type") == "flow"
    df = df.with_columns(
        ytd=pl.when(flow).then(pl.col("value").cum_sum().over("indicator_code", "year")).otherwise(pl.col("value")),
        ytd_complete=pl.when(flow)
        .then(pl.col("value").cum_count().over("indicator_code", "year") == pl.col("index"))
        .otherwise(True),
    )
    own = df.select("indicator_code", "period", "value", "ytd")
    df = (
        df.join(
            own.select("indicator_code", pl.col("period").alias("prev_period"), pl.col("value").alias("prev_value")),
            on=["indicator_code", "prev_period"],
            how="left",
        )
        .join(
            own.select(
                "indicator_code",
                pl.col("period").alias("yoy_period"),
                pl.col("value").alias("yoy_value"),
                pl.col("ytd").alias("yoy_ytd"),
            ),
            on=["indicator_code", "yoy_period"],
            how="left",
        )
        .join(
            targets.select("indicator_code", pl.col("year").cast(pl.Int32), pl.col("value").alias("target")),
            on=["indicator_code", "year"],
            how="left",
        )
    )
    paced = pl.col("value_type").is_in(["flow", "ytd"])
    share = pl.when(paced).then(pl.col("share")).otherwise(1.0)
    basis = pl.when(flow).then(pl.col("ytd")).otherwise(pl.col("value"))
    direction = pl.col("direction")
    df = df.with_columns(
        change_prev=pl.col("value") - pl.col("prev_value"),
        change_prev_pct=_change_pct(pl.col("value"), pl.col("prev_value")),
        change_yoy=pl.col("value") - pl.col("yoy_value"),
        change_yoy_pct=_change_pct(pl.col("value"), pl.col("yoy_value")),
        change_yoy_ytd_pct=_change_pct(pl.col("ytd"), pl.col("yoy_ytd")),
        plan_to_date=pl.col("target") * share,
        pct_of_target=_ratio_pct(basis, pl.col("target"), direction),
        pct_of_plan=_ratio_pct(basis, pl.col("target") * share, direction),
        _met=_met(basis, pl.col("target") * share, direction),
        _comparable=pl.when(direction == "target")
        .then(_ratio_pct(basis, pl.col("target") * share, direction))
        .when(pl.col("value_type") == "ytd")
        .then(pl.col("value") / pl.col("share"))
        .otherwise(pl.col("value")),
    )
    df = df.with_columns(
        target_status=_status(
            pl.col("pct_of_plan"), pl.col("target"), pl.col("_met"), pl.col("on_track_pct"), pl.col("at_risk_pct")
        )
    )
    comparable = df.select("indicator_code", "period", "_comparable")
    df = df.join(
        comparable.rename({"period": "prev_period", "_comparable": "_c1"}),
        on=["indicator_code", "prev_period"],
        how="left",
    ).join(
        comparable.rename({"period": "prev2_period", "_comparable": "_c2"}),
        on=["indicator_code", "prev2_period"],
        how="left",
    )
    df = df.with_columns(trend=_trend(pl.coalesce("_c2", "_c1"), pl.col("_comparable"), direction))
    df = df.with_columns(worsening=(pl.col("trend") == "worsening").fill_null(False))
    return df.drop("_met", "_comparable", "_c1", "_c2", "prev2_period", "per_year", "on_track_pct", "at_risk_pct")


def composite_contributions(
    series: pl.DataFrame, meta: pl.DataFrame, components: pl.DataFrame, targets: pl.DataFrame
) -> pl.DataFrame:
    """Each computed composite's components, scored 0-100 and weighted, per composite period.

    series: province series holding the components. meta: the catalogue (code,
    frequency, direction, valid_min, valid_max). components: composite_code,
    component_code, weight. Columns: composite_code, period, period_start,
    period_end, component_code, component_period, value, lo, hi, range_source
    (valid_range | history | mixed), target, weight, score, contribution, complete
    (every component of that composite period has a score).
    """
    out_schema = {
        "composite_code": pl.String,
        "period": pl.String,
        "period_start": pl.Date,
        "period_end": pl.Date,
        "component_code": pl.String,
        "component_period": pl.String,
        "value": pl.Float64,
        "lo": pl.Float64,
        "hi": pl.Float64,
        "range_source": pl.String,
        "target": pl.Float64,
        "weight": pl.Float64,
        "score": pl.Float64,
        "contribution": pl.Float64,
        "complete": pl.Boolean,
    }
    if components.is_empty():
        return pl.DataFrame(schema=out_schema)
    freq = meta.select(pl.col("code").alias("composite_code"), pl.col("frequency").alias("composite_frequency"))
    props = meta.select(
        pl.col("code").alias("component_code"),
        "direction",
        "valid_min",
        "valid_max",
        pl.col("value_type").alias("component_value_type")
        if "value_type" in meta.columns
        else pl.lit("rate").alias("component_value_type"),
        pl.col("frequency").alias("component_frequency"),
    )
    comps = components.join(freq, on="composite_code", how="inner").join(props, on="component_code", how="inner")
    comps = comps.with_columns(total_weight=pl.col("weight").sum().over("composite_code"))
    history = series.group_by("indicator_code").agg(
        pl.col("value").min().alias("hist_min"), pl.col("value").max().alias("hist_max")
    )
    values = series.select(
        pl.col("indicator_code").alias("component_code"),
        pl.col("period").alias("component_period"),
        pl.col("period_end").alias("component_end"),
        "value",
    ).join(comps.select("composite_code", "component_code", "composite_frequency"), on="component_code")
    # Map each component period to the composite period holding its last day (few distinct pairs).
    pairs = values.select("component_end", "composite_frequency").unique()
    mapped = pl.DataFrame(
        [
            {
                "component_end": end,
                "composite_frequency": f,
                "period": str(p := P.containing(end, f)),
                "period_start": p.start,
                "period_end": p.end,
            }
            for end, f in pairs.iter_rows()
        ],
        schema={
            "component_end": pl.Date,
            "composite_frequency": pl.String,
            "period": pl.String,
            "period_start": pl.Date,
            "period_end": pl.Date,
        },
    )
    values = (
        values.join(mapped, on=["component_end", "composite_frequency"], how="left")
        .sort("component_end")
        .group_by("composite_code", "component_code", "period", maintain_order=True)
        .last()
    )
    # One row per composite period and component, so a missing component shows as null.
    grid = values.select("composite_code", "period", "period_start", "period_end").unique()
    grid = grid.join(comps, on="composite_code", how="inner")
    df = (
        grid.join(
            values.select("composite_code", "component_code", "period", "component_period", "component_end", "value"),
            on=["composite_code", "component_code", "period"],
            how="left",
        )
        .join(history.rename({"indicator_code": "component_code"}), on="component_code", how="left")
        .with_columns(year=pl.col("period").str.slice(0, 4).cast(pl.Int32))
        .join(
            targets.select(
                pl.col("indicator_code").alias("component_code"),
                pl.col("year").cast(pl.Int32),
                pl.col("value").alias("target"),
            ),
            on=["component_code", "year"],
            how="left",
        )
    )
    lo = pl.coalesce("valid_min", "hist_min")
    hi = pl.coalesce("valid_max", "hist_max")
    df = df.with_columns(
        lo=lo,
        hi=hi,
        range_source=pl.when(pl.col("target").is_not_null())
        .then(pl.lit("target"))
        .when(pl.col("valid_min").is_not_null() & pl.col("valid_max").is_not_null())
        .then(pl.lit("valid_range"))
        .when(pl.col("valid_min").is_null() & pl.col("valid_max").is_null())
        .then(pl.lit("history"))
        .otherwise(pl.lit("mixed")),
    )
    width = pl.col("hi") - pl.col("lo")
    scaled = pl.when(width > 0).then((pl.col("value") - pl.col("lo")) / width * 100).otherwise(50.0)
    near = pl.when(width > 0).then(100 - (pl.col("value") - pl.col("target")).abs() / width * 100).otherwise(50.0)
    by_range = (
        pl.when(pl.col("direction") == "down")
        .then(100 - scaled.clip(0, 100))
        .when(pl.col("direction") == "target")
        .then(pl.when(pl.col("target").is_not_null()).then(near))
        .otherwise(scaled)
    )
    # Where the component has a plan for the year, its score is its achievement of the plan
    # for that period: a flow's share of the year's target, a ytd figure against the plan to
    # date, a level against the target. Amounts in tỷ đồng and rates in % become comparable.
    per_year = pl.col("component_frequency").replace_strict(
        {**_PER_YEAR, "weekly": 52}, return_dtype=pl.Float64, default=1.0
    )
    expected = (
        pl.when(pl.col("component_value_type") == "flow")
        .then(pl.col("target") / per_year)
        .when(pl.col("component_value_type") == "ytd")
        .then(pl.col("target") * pl.col("component_end").dt.ordinal_day() / 365.0)
        .otherwise(pl.col("target"))
    )
    by_target = (
        pl.when(pl.col("direction") == "down")
        .then(pl.when(pl.col("value") > 0).then(expected / pl.col("value") * 100))
        .when(pl.col("direction") == "up")
        .then(pl.when(expected > 0).then(pl.col("value") / expected * 100))
    )
    score = pl.when(pl.col("value").is_null()).then(None).otherwise(pl.coalesce(by_target, by_range))
    df = df.with_columns(score=score.clip(0, 100))
    df = df.with_columns(
        contribution=pl.col("score") * pl.col("weight") / pl.col("total_weight"),
        complete=pl.col("score").is_not_null().all().over("composite_code", "period"),
    )
    return df.select(list(out_schema)).cast(out_schema).sort("composite_code", "period_start", "component_code")


def composite_values(contributions: pl.DataFrame) -> pl.DataFrame:
    """Composite series from contributions: complete periods only, in SERIES_SCHEMA columns."""
    return (
        contributions.filter(pl.col("complete"))
        .group_by("composite_code", "period", "period_start", "period_end")
        .agg(pl.col("contribution").sum().alias("value"))
        .select(
            pl.col("composite_code").alias("indicator_code"),
            "period",
            "period_start",
            "period_end",
            "value",
            computed=pl.lit(True),
            n_localities=pl.lit(None, dtype=pl.Int32),
            submitted_at=pl.lit(None, dtype=pl.Datetime("us")),
        )
        .cast(SERIES_SCHEMA)
        .sort("indicator_code", "period_start")
    )


def _with_composites(
    series: pl.DataFrame, meta: pl.DataFrame, components: pl.DataFrame, targets: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The series with computed composites added (nested ones in order), and all contributions."""
    series = series.cast(SERIES_SCHEMA)
    pending = set(components.get_column("composite_code").to_list())
    # A computed composite is a 0-100 score already: that is its range as a component of another.
    is_computed = pl.col("code").is_in(list(pending))
    meta = meta.with_columns(
        valid_min=pl.when(is_computed).then(pl.col("valid_min").fill_null(0.0)).otherwise(pl.col("valid_min")),
        valid_max=pl.when(is_computed).then(pl.col("valid_max").fill_null(100.0)).otherwise(pl.col("valid_max")),
    )
    parts = []
    while pending:
        inner = components.filter(pl.col("composite_code").is_in(list(pending)))
        ready = pending - set(inner.filter(pl.col("component_code").is_in(list(pending)))["composite_code"].to_list())
        if not ready:  # a cycle; the catalogue check refuses these
            break
        contrib = composite_contributions(
            series, meta, components.filter(pl.col("composite_code").is_in(list(ready))), targets
        )
        parts.append(contrib)
        computed = composite_values(contrib)
        # A submitted value for the composite wins over the computed one.
        computed = computed.join(series, on=["indicator_code", "period"], how="anti")
        series = pl.concat([series, computed]).sort("indicator_code", "period_start")
        pending -= ready
    contributions = (
        pl.concat(parts) if parts else composite_contributions(series.clear(), meta, components.clear(), targets)
    )
    return series, contributions


def status_counts(evaluated: pl.DataFrame) -> pl.DataFrame:
    """Indicators per status in each of the five groups (every group and status present).

    Input: evaluate_latest's frame (group, status). Columns: group, total, and one
    count column per status (on_track, at_risk, off_track, no_target, no_data, late).
    """
    counts = evaluated.group_by("group").agg(
        pl.len().cast(pl.Int64).alias("total"),
        *[(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUSES],
    )
    base = pl.DataFrame({"group": list(GROUPS)})
    out = base.join(counts, on="group", how="left").fill_null(0)
    return out.select("group", "total", *STATUSES)


def timeliness_by_department(detail: pl.DataFrame) -> pl.DataFrame:
    """Aggregate timeliness_detail to department and period.

    Columns: department, frequency, period, period_start, expected, received,
    on_time, late (received after the due date), missing, on_time_pct.
    """
    return (
        detail.group_by("department", "frequency", "period", "period_start")
        .agg(
            pl.len().cast(pl.Int64).alias("expected"),
            pl.col("received").sum().cast(pl.Int64).alias("received"),
            pl.col("on_time").sum().cast(pl.Int64).alias("on_time"),
        )
        .with_columns(
            late=pl.col("received") - pl.col("on_time"),
            missing=pl.col("expected") - pl.col("received"),
            on_time_pct=pl.col("on_time") / pl.col("expected") * 100,
        )
        .sort("department", "period_start", "period")
    )


def department_summary(
    evaluated: pl.DataFrame, timeliness_detail_frame: pl.DataFrame, departments: pl.DataFrame
) -> pl.DataFrame:
    """Every department: its indicators per status and its submissions' timeliness.

    Inputs: evaluate_latest, timeliness_detail and queries.departments frames.
    Columns: department, name_vi, name_en, indicators, on_track, at_risk, off_track,
    no_target, no_data, late, worsening, expected, received, on_time, on_time_pct
    (of expected periods), received_pct, worst_status (STATUS_SEVERITY order; null
    without indicators).
    """
    per_status = evaluated.group_by(pl.col("owner").alias("department")).agg(
        pl.len().cast(pl.Int64).alias("indicators"),
        *[(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUSES],
        pl.col("worsening").sum().cast(pl.Int64).alias("worsening"),
        pl.col("status")
        .replace_strict({s: i for i, s in enumerate(STATUS_SEVERITY)}, return_dtype=pl.Int32)
        .min()
        .alias("_worst"),
    )
    timely = timeliness_detail_frame.group_by("department").agg(
        pl.len().cast(pl.Int64).alias("expected"),
        pl.col("received").sum().cast(pl.Int64).alias("received"),
        pl.col("on_time").sum().cast(pl.Int64).alias("on_time"),
    )
    counts = ["indicators", *STATUSES, "worsening", "expected", "received", "on_time"]
    out = (
        departments.select(pl.col("code").alias("department"), "name_vi", "name_en")
        .join(per_status, on="department", how="left")
        .join(timely, on="department", how="left")
        .with_columns(pl.col(counts).fill_null(0))
        .with_columns(
            on_time_pct=pl.when(pl.col("expected") > 0).then(pl.col("on_time") / pl.col("expected") * 100),
            received_pct=pl.when(pl.col("expected") > 0).then(pl.col("received") / pl.col("expected") * 100),
            worst_status=pl.col("_worst").replace_strict(
                dict(enumerate(STATUS_SEVERITY)), default=None, return_dtype=pl.String
            ),
        )
    )
    return out.drop("_worst").sort("department")


def robust_z(series: pl.DataFrame, min_history: int = OUTLIER_MIN_HISTORY) -> pl.DataFrame:
    """Robust z-score of each value against its indicator's whole series (null when too short or flat).

    Columns: the series' columns plus n, median, mad, z.
    """
    med = pl.col("value").median().over("indicator_code")
    df = series.with_columns(n=pl.len().over("indicator_code"), median=med)
    df = df.with_columns(
        mad=(pl.col("value") - pl.col("median")).abs().median().over("indicator_code"),
        _mean_ad=(pl.col("value") - pl.col("median")).abs().mean().over("indicator_code"),
    )
    dev = pl.col("value") - pl.col("median")
    z = (
        pl.when(pl.col("n") < min_history)
        .then(None)
        .when(pl.col("mad") > 0)
        .then(0.6745 * dev / pl.col("mad"))
        .when(pl.col("_mean_ad") > 0)
        .then(dev / (1.253314 * pl.col("_mean_ad")))
    )
    return df.with_columns(z=z).drop("_mean_ad")


# --------------------------------------------------------------------------- reading the store


def _closure(codes: Iterable[str], components: pl.DataFrame) -> set[str]:
    """The codes and, for composites, every component beneath them."""
    wanted = {c.strip().upper() for c in codes}
    edges: dict[str, list[str]] = {}
    for composite, component in components.select("composite_code", "component_code").iter_rows():
        edges.setdefault(composite, []).append(component)
    todo = list(wanted)
    while todo:
        for child in edges.get(todo.pop(), []):
            if child not in wanted:
                wanted.add(child)
                todo.append(child)
    return wanted


def _store(path: Path, codes: Iterable[str] | None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Catalogue, targets, components and province series (composites computed) for the codes."""
    meta = queries.catalogue(path)
    comps = queries.components(path)
    tg = queries.targets(path)
    fetch = None if codes is None else sorted(_closure(codes, comps))
    series = queries.province_series(path, fetch)
    series, contributions = _with_composites(series, meta, comps, tg)
    return meta, tg, series, contributions


def _upper(codes: Iterable[str] | None) -> list[str] | None:
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
    "frequency",
    "value_type",
    "direction",
    "aggregation",
    "stage",
    "position",
    "period",
    "period_start",
    "period_end",
    "value",
    "computed",
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
)


def evaluate_latest(path: Path, today: date, codes: Iterable[str] | None = None) -> pl.DataFrame:
    """One row per indicator (catalogue order) at its latest period with a value, judged as of `today`.

    Columns: LATEST_COLUMNS. Indicators without any value have null figures and
    status no_data. due_period/due_date: the latest period already due and its due
    date; days_overdue: days since the first missed due date (late rows only);
    next_period/next_due_date: what falls due next; sparkline: the last
    SPARKLINE_POINTS values, oldest first.
    """
    meta, tg, series, _ = _store(path, codes)
    if (wanted := _upper(codes)) is not None:
        meta = meta.filter(pl.col("code").is_in(wanted))
        series = series.filter(pl.col("indicator_code").is_in(wanted))
    evaluated = evaluate_frame(series, meta, tg)
    latest = evaluated.filter(pl.col("period_start") == pl.col("period_start").max().over("indicator_code"))
    spark = series.group_by("indicator_code").agg(pl.col("value").sort_by("period_start").tail(SPARKLINE_POINTS))
    spark = spark.rename({"value": "sparkline"})
    keys = period_keys(latest.get_column("period").to_list()).select("period", "next_period")
    latest = latest.join(keys.rename({"next_period": "_first_missing"}), on="period", how="left")
    due = _due_frame(meta, today)
    out = (
        meta.join(
            latest.drop("frequency", "value_type", "direction").rename({"indicator_code": "code"}),
            on="code",
            how="left",
        )
        .join(due, on=["frequency", "deadline_days"], how="left")
        .join(spark.rename({"indicator_code": "code"}), on="code", how="left")
    )
    first_missing_due = _first_missing_due(out)
    out = out.join(first_missing_due, on=["_first_missing", "deadline_days"], how="left")
    has_data = pl.col("value").is_not_null()
    is_late = has_data & (pl.col("period_start") < pl.col("due_period_start"))
    out = out.with_columns(is_late=is_late)
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
    )
    return out.select(LATEST_COLUMNS).sort("position", "code")


def _first_missing_due(frame: pl.DataFrame) -> pl.DataFrame:
    """Due date of the period after each latest one (the first that may be missing)."""
    rows = []
    for text, days in frame.select("_first_missing", "deadline_days").drop_nulls().unique().iter_rows():
        period = P.parse(text)
        rows.append({"_first_missing": text, "deadline_days": days, "_missing_due": P.due_date(period, days)})
    schema = {"_first_missing": pl.String, "deadline_days": pl.Int32, "_missing_due": pl.Date}
    return pl.DataFrame(rows, schema=schema)


SERIES_COLUMNS = (
    "code",
    "period",
    "period_start",
    "period_end",
    "value",
    "computed",
    "n_localities",
    "ytd",
    "ytd_complete",
    "prev_value",
    "change_prev",
    "change_prev_pct",
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


def evaluate_series(path: Path, code: str, today: date) -> pl.DataFrame:
    """One indicator, every period with a value up to `today`, oldest first.

    `status` is the target status of that period (lateness belongs to the latest
    row only); first_submitted_at/on_time tell whether the first accepted value came
    by the due date (null for computed composites). Columns: SERIES_COLUMNS.
    """
    code = code.strip().upper()
    meta, tg, series, _ = _store(path, [code])
    series = series.filter((pl.col("indicator_code") == code) & (pl.col("period_start") <= today))
    one = meta.filter(pl.col("code") == code)
    evaluated = evaluate_frame(series, one, tg)
    days = one.get_column("deadline_days").first() if one.height else 0
    first = queries.first_submissions(path, [code]).select("period", "first_submitted_at")
    out = (
        evaluated.join(first, on="period", how="left")
        .with_columns(due_date=pl.col("period_end") + timedelta(days=int(days or 0)))
        .with_columns(
            on_time=pl.when(pl.col("first_submitted_at").is_not_null()).then(
                pl.col("first_submitted_at").dt.date() <= pl.col("due_date")
            ),
            status=pl.col("target_status"),
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


def composite_breakdown(path: Path, code: str, period: str) -> pl.DataFrame:
    """A computed composite's components for one period: value, 0-100 score, weight and contribution.

    share_pct is the component's share of the composite value. Empty when the code
    is not a computed composite or the period has no component value. Columns:
    BREAKDOWN_COLUMNS.
    """
    code = code.strip().upper()
    meta, _, _, contributions = _store(path, [code])
    rows = contributions.filter((pl.col("composite_code") == code) & (pl.col("period") == period.strip()))
    names = meta.select(pl.col("code").alias("component_code"), "name_vi", "name_en", "unit", "direction")
    total = pl.col("contribution").sum()
    rows = rows.join(names, on="component_code", how="left").with_columns(
        share_pct=pl.when(total > 0).then(pl.col("contribution") / total * 100)
    )
    return rows.select(BREAKDOWN_COLUMNS).sort("component_code")


TIMELINESS_DETAIL_COLUMNS = (
    "indicator_code",
    "department",
    "frequency",
    "period",
    "period_start",
    "period_end",
    "due_date",
    "received",
    "first_submitted_at",
    "on_time",
    "days_late",
)


def timeliness_detail(
    path: Path, today: date, since: date | None = None, codes: Iterable[str] | None = None
) -> pl.DataFrame:
    """Every expected (indicator, period) up to the latest due one, received or not, on time or not.

    days_late: days after the due date that the first value came (0 when on time),
    or, when nothing came, days from the due date to `today`. Columns:
    TIMELINESS_DETAIL_COLUMNS.
    """
    meta = queries.catalogue(path, codes).filter(pl.col("components").list.len() == 0)
    first = queries.first_submissions(path, codes)
    starts = first.group_by("indicator_code").agg(pl.col("period_start").min().alias("first_start"))
    due = _due_frame(meta, today)
    frame = (
        meta.select(
            pl.col("code").alias("indicator_code"), pl.col("owner").alias("department"), "frequency", "deadline_days"
        )
        .join(
            due.select("frequency", "deadline_days", pl.col("due_period_start").alias("last_start")),
            on=["frequency", "deadline_days"],
        )
        .join(starts, on="indicator_code", how="left")
    )
    if since is not None:
        since_starts = pl.DataFrame(
            {"frequency": list(_INTERVAL), "_since": [P.containing(since, f).start for f in _INTERVAL]}
        )
        frame = frame.join(since_starts, on="frequency").with_columns(first_start=pl.col("_since")).drop("_since")
    frame = frame.filter(pl.col("first_start").is_not_null())
    expected = expected_periods(frame).join(frame.select("indicator_code", "department"), on="indicator_code")
    out = expected.join(
        first.select("indicator_code", "period", "first_submitted_at"), on=["indicator_code", "period"], how="left"
    )
    submitted_on = pl.col("first_submitted_at").dt.date()
    out = out.with_columns(
        received=pl.col("first_submitted_at").is_not_null(),
        on_time=(submitted_on <= pl.col("due_date")).fill_null(False),
        days_late=pl.when(pl.col("first_submitted_at").is_null())
        .then((pl.lit(today) - pl.col("due_date")).dt.total_days())
        .otherwise((submitted_on - pl.col("due_date")).dt.total_days().clip(lower_bound=0)),
    )
    return out.select(TIMELINESS_DETAIL_COLUMNS).sort("department", "indicator_code", "period_start")


def timeliness(path: Path, today: date, since: date | None = None) -> pl.DataFrame:
    """Expected, received and on-time values per department and period (see timeliness_by_department)."""
    return timeliness_by_department(timeliness_detail(path, today, since))


OUTLIER_COLUMNS = (
    "indicator_code",
    "name_vi",
    "name_en",
    "owner",
    "unit",
    "period",
    "period_start",
    "value",
    "computed",
    "n",
    "median",
    "mad",
    "z",
)


def outliers(
    path: Path, threshold: float = OUTLIER_Z, min_history: int = OUTLIER_MIN_HISTORY, codes: Iterable[str] | None = None
) -> pl.DataFrame:
    """Province values whose robust z-score against their own history exceeds `threshold`, largest first.

    Columns: OUTLIER_COLUMNS.
    """
    meta, _, series, _ = _store(path, codes)
    if (wanted := _upper(codes)) is not None:
        series = series.filter(pl.col("indicator_code").is_in(wanted))
    scored = robust_z(series, min_history).filter(pl.col("z").abs() > threshold)
    names = meta.select(pl.col("code").alias("indicator_code"), "name_vi", "name_en", "owner", "unit")
    out = scored.join(names, on="indicator_code", how="left")
    return out.select(OUTLIER_COLUMNS).sort(pl.col("z").abs(), descending=True)


_NO_SOURCE = ("", "-", "—", "?", "n/a", "na", "tbd", "chưa có", "chưa xác định")

GAP_COLUMNS = (
    "code",
    "name_vi",
    "name_en",
    "group",
    "owner",
    "stage",
    "source",
    "no_data",
    "no_target",
    "no_source",
    "target_years",
    "n_values",
    "last_period_start",
)


def catalogue_gaps(path: Path, today: date) -> pl.DataFrame:
    """Indicators with a gap: no value at all, no target for `today`'s year, or no named source.

    A computed composite has data when some period has every component. n_values
    counts current values at any level. Columns: GAP_COLUMNS.
    """
    meta = queries.catalogue(path)
    cover = queries.coverage(path)
    composites = meta.filter(pl.col("components").list.len() > 0).get_column("code").to_list()
    with_composite_data: list[str] = []
    if composites:
        _, _, series, _ = _store(path, composites)
        with_composite_data = series.filter(pl.col("computed")).get_column("indicator_code").unique().to_list()
    out = meta.join(
        cover.select(pl.col("indicator_code").alias("code"), "n_values", "last_period_start"), on="code", how="left"
    ).with_columns(
        pl.col("n_values").fill_null(0),
        target_years=pl.col("targets").list.eval(pl.element().struct.field("year")),
    )
    out = out.with_columns(
        no_data=(pl.col("n_values") == 0) & ~pl.col("code").is_in(with_composite_data),
        no_target=~pl.col("target_years").list.contains(today.year),
        no_source=pl.col("source").fill_null("").str.strip_chars().str.to_lowercase().is_in(list(_NO_SOURCE)),
    )
    return out.filter(pl.col("no_data") | pl.col("no_target") | pl.col("no_source")).select(GAP_COLUMNS)
