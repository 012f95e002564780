"""Computed composites: a 0–100 score from weighted components.

For each period of the composite's frequency, each component's value is its
latest value whose period ends within the composite's period (the same period
when the frequencies match).

A component's score (0–100)
    With direction up or down and a target for the year: its achievement of
    the plan for its own period, capped at 100: a flow against its period's
    share of the year's target (target ÷ periods per year), a ytd figure
    against the plan to date (``rules.plan``), a level against the target
    (down: target ÷ value), so that tỷ đồng and % become comparable.
    Otherwise it is scaled over ``[valid_min, valid_max]``, a missing bound
    taken from the min/max of the component's own province history (a
    computed composite inside another is already a 0–100 score: its default
    range is 0–100); a range of zero width scores 50. Direction ``down`` scores
    ``100 − scaled``; ``target`` scores ``100 − |value − target| ÷ width × 100``
    (no target: no score). Scores are clipped to 0–100.

The composite
    A component's contribution is ``score × weight ÷ sum of weights``; the
    composite value is the sum of contributions, only for periods where every
    component has a score. A submitted value for the composite wins over the
    computed one.

Examples (``tests/test_rules_composites.py``): two components of weight 1,
one scored 80 against its plan and one 60 over its range: the composite is 70.
"""

from __future__ import annotations

import polars as pl

from rules import calendar

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

CONTRIBUTION_SCHEMA = {
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

RANGE_SOURCES = ("target", "valid_range", "history", "mixed")


def _composite_periods(values: pl.DataFrame) -> pl.DataFrame:
    """Each component period's last day mapped to the composite period holding it (few distinct pairs)."""
    rows = []
    for end, frequency in values.select("component_end", "composite_frequency").unique().iter_rows():
        p = calendar.containing(end, frequency)
        rows.append(
            {
                "component_end": end,
                "composite_frequency": frequency,
                "period": str(p),
                "period_start": p.start,
                "period_end": p.end,
            }
        )
    schema = {
        "component_end": pl.Date,
        "composite_frequency": pl.String,
        "period": pl.String,
        "period_start": pl.Date,
        "period_end": pl.Date,
    }
    return pl.DataFrame(rows, schema=schema)


def contributions(
    series: pl.DataFrame, meta: pl.DataFrame, components: pl.DataFrame, targets: pl.DataFrame
) -> pl.DataFrame:
    """Each computed composite's components, scored 0–100 and weighted, per composite period.

    series: province series holding the components. meta: the catalogue (code,
    frequency, value_type, direction, valid_min, valid_max). components:
    composite_code, component_code, weight. targets: indicator_code, year, value.
    Columns: CONTRIBUTION_SCHEMA (range_source: target | valid_range | history |
    mixed; complete: every component of that composite period has a score).
    """
    if components.is_empty():
        return pl.DataFrame(schema=CONTRIBUTION_SCHEMA)
    freq = meta.select(pl.col("code").alias("composite_code"), pl.col("frequency").alias("composite_frequency"))
    props = meta.select(
        pl.col("code").alias("component_code"),
        "direction",
        "valid_min",
        "valid_max",
        pl.col("value_type").alias("component_value_type"),
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
    values = (
        values.join(_composite_periods(values), on=["component_end", "composite_frequency"], how="left")
        .sort("component_end")
        .group_by("composite_code", "component_code", "period", maintain_order=True)
        .last()
    )
    # One row per composite period and component, so a missing component shows as null.
    grid = values.select("composite_code", "period", "period_start", "period_end").unique()
    grid = grid.join(comps, on="composite_code", how="inner")
    facts = calendar.period_facts(values.get_column("component_period").unique().to_list()).select(
        pl.col("period").alias("component_period"), "per_year", "share"
    )
    df = (
        grid.join(
            values.select("composite_code", "component_code", "period", "component_period", "value"),
            on=["composite_code", "component_code", "period"],
            how="left",
        )
        .join(facts, on="component_period", how="left")
        .join(history.rename({"indicator_code": "component_code"}), on="component_code", how="left")
        .with_columns(year=pl.col("component_period").str.slice(0, 4).cast(pl.Int32, strict=False))
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
    df = df.with_columns(
        lo=pl.coalesce("valid_min", "hist_min"),
        hi=pl.coalesce("valid_max", "hist_max"),
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
    # The plan for the component's own period: a flow's share of the year's target, a ytd
    # figure's plan to date (rules.plan), a level's target.
    expected = (
        pl.when(pl.col("component_value_type") == "flow")
        .then(pl.col("target") / pl.col("per_year"))
        .when(pl.col("component_value_type") == "ytd")
        .then(pl.col("target") * pl.col("share"))
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
    out = df.select(list(CONTRIBUTION_SCHEMA)).cast(CONTRIBUTION_SCHEMA)
    return out.sort("composite_code", "period_start", "component_code")


def values_of(contribs: pl.DataFrame) -> pl.DataFrame:
    """Composite series from contributions: complete periods only, in SERIES_SCHEMA columns."""
    return (
        contribs.filter(pl.col("complete"))
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


def with_composites(
    series: pl.DataFrame, meta: pl.DataFrame, components: pl.DataFrame, targets: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The series with computed composites added (nested ones in order), and all their contributions."""
    series = series.select(list(SERIES_SCHEMA)).cast(SERIES_SCHEMA)
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
        part = contributions(series, meta, components.filter(pl.col("composite_code").is_in(list(ready))), targets)
        parts.append(part)
        computed = values_of(part).join(series, on=["indicator_code", "period"], how="anti")
        series = pl.concat([series, computed]).sort("indicator_code", "period_start")
        pending -= ready
    return series, (pl.concat(parts) if parts else pl.DataFrame(schema=CONTRIBUTION_SCHEMA))
