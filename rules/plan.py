"""Plan and status: what a figure is judged against, and the verdict.

The basis
    What is compared with the plan: a flow's year to date (lũy kế); for every
    other value type (ytd, stock, rate) the value itself.

Plan to date (kế hoạch đến kỳ), ``plan_to_date``
    Amounts that build up through the year (value types ``flow`` and ``ytd``):
    the year's target × the elapsed share of the year (month 9: 9/12, week 10
    of 52: 10/52), so that a flow is not off track every month until December.
    Levels and rates (``stock``, ``rate``): the year's target itself.

% of the year's target (% kế hoạch năm), ``pct_of_target``, and % of the plan to date (% kế hoạch đến kỳ), ``pct_of_plan``
    The basis against the year's target, and against the plan to date. For
    stock and rate indicators, and annual periods, they are equal. By direction:
    ``up`` basis / reference × 100; ``down`` reference / basis × 100 (100 means
    on plan, more is better: a ceiling of 1,5 % with 1,8 % reached scores 83,3);
    ``target`` closeness, 100 − |basis − reference| / |reference| × 100, floored
    at 0. Where the ratio means nothing (``up`` with a reference <= 0, ``down``
    with a basis <= 0, ``target`` with a reference of 0) the percentage is empty
    and the status says whether the plan is met (up: basis >= reference; down:
    basis <= reference; target: equal).

Status (``target_status``)
    No target for the period's year: ``no_target`` (no plan, no judgement).
    Otherwise on the % of the plan to date: ``on_track`` at the indicator's
    on-track threshold or above (default 100), ``at_risk`` at its at-risk
    threshold or above (default 90), ``off_track`` below; a 1e-9 tolerance
    absorbs float noise, so exactly 100 % is on track. Lateness (``late``,
    ``no_data``) is the calendar's word, added in ``rules.evaluate``.

Examples (``tests/test_rules_plan.py``):

| direction | basis | reference | thresholds | pct | status |
| --- | --- | --- | --- | --- | --- |
| up | 95 | 100 | 100 / 90 | 95 | at_risk |
| up | 89.9 | 100 | 100 / 90 | 89,9 | off_track |
| down | 1.8 | 1.5 | 100 / 90 | 83,3 | off_track |
| target | 12.6 | 12 | 97 / 90 | 95 | at_risk |
| up | 5 | -2 | 100 / 90 | (none) | on_track (met) |
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

ON_TRACK_PCT = 100.0
AT_RISK_PCT = 90.0
PACED_VALUE_TYPES = ("flow", "ytd")  # amounts that build up through the year
_EPS = 1e-9


def thresholds(on_track: float | None = None, at_risk: float | None = None) -> tuple[float, float]:
    """An indicator's thresholds in % of plan, the defaults where the catalogue leaves them empty."""
    on = ON_TRACK_PCT if on_track is None or _missing(on_track) else float(on_track)
    risk = AT_RISK_PCT if at_risk is None or _missing(at_risk) else float(at_risk)
    return on, risk


def _missing(x: float) -> bool:
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


# --------------------------------------------------------------------------- the rule, as polars expressions


def basis(value: pl.Expr, ytd: pl.Expr, value_type: pl.Expr) -> pl.Expr:
    """What is judged: a flow's year to date, else the value."""
    return pl.when(value_type == "flow").then(ytd).otherwise(value)


def plan_to_date(target: pl.Expr, share: pl.Expr, value_type: pl.Expr) -> pl.Expr:
    """The year's target × the elapsed share for flows and ytd figures; the target itself otherwise."""
    return pl.when(value_type.is_in(list(PACED_VALUE_TYPES))).then(target * share).otherwise(target)


def pct(basis: pl.Expr, reference: pl.Expr, direction: pl.Expr) -> pl.Expr:
    """Percent of plan by direction; null where the ratio means nothing."""
    up = pl.when(reference > 0).then(basis / reference * 100)
    down = pl.when(basis > 0).then(reference / basis * 100)
    near = pl.when(reference != 0).then((100 - (basis - reference).abs() / reference.abs() * 100).clip(lower_bound=0))
    return (
        pl.when(direction == "up")
        .then(up)
        .when(direction == "down")
        .then(down)
        .when(direction == "target")
        .then(near)
        .otherwise(None)
    )


def met(basis: pl.Expr, reference: pl.Expr, direction: pl.Expr) -> pl.Expr:
    """Whether the plan is met, for where the ratio means nothing."""
    return (
        pl.when(direction == "up")
        .then(basis >= reference)
        .when(direction == "down")
        .then(basis <= reference)
        .otherwise(basis == reference)
    )


def status(pct_of_plan: pl.Expr, target: pl.Expr, is_met: pl.Expr, on_track: pl.Expr, at_risk: pl.Expr) -> pl.Expr:
    """on_track / at_risk / off_track / no_target from the % of the plan to date and the thresholds."""
    return (
        pl.when(target.is_null())
        .then(pl.lit("no_target"))
        .when(pct_of_plan.is_null())
        .then(pl.when(is_met).then(pl.lit("on_track")).otherwise(pl.lit("off_track")))
        .when(pct_of_plan >= on_track - _EPS)
        .then(pl.lit("on_track"))
        .when(pct_of_plan >= at_risk - _EPS)
        .then(pl.lit("at_risk"))
        .otherwise(pl.lit("off_track"))
    )


def judge(frame: pl.DataFrame) -> pl.DataFrame:
    """Add plan_to_date, pct_of_target, pct_of_plan and target_status to rows holding the rule's inputs.

    Input columns: value, ytd, value_type, direction, target (the year's; null when
    none), share (elapsed share of the year), on_track_pct, at_risk_pct (null: the
    defaults).
    """
    on = pl.col("on_track_pct").fill_null(ON_TRACK_PCT)
    risk = pl.col("at_risk_pct").fill_null(AT_RISK_PCT)
    judged = basis(pl.col("value"), pl.col("ytd"), pl.col("value_type"))
    plan = plan_to_date(pl.col("target"), pl.col("share"), pl.col("value_type"))
    direction = pl.col("direction")
    out = frame.with_columns(
        plan_to_date=plan,
        pct_of_target=pct(judged, pl.col("target"), direction),
        pct_of_plan=pct(judged, plan, direction),
        _met=met(judged, plan, direction),
    )
    return out.with_columns(
        target_status=status(pl.col("pct_of_plan"), pl.col("target"), pl.col("_met"), on, risk)
    ).drop("_met")


def judge_values(
    values: Sequence[float | None],
    target: float | None,
    direction: str,
    on_track_pct: float | None = None,
    at_risk_pct: float | None = None,
) -> list[str | None]:
    """The status of each of several levels against one target (a commune's rate against the province's plan).

    The same rule as ``judge`` for stock and rate values; None where a value is missing.
    """
    on, risk = thresholds(on_track_pct, at_risk_pct)
    frame = pl.DataFrame(
        {"value": [None if v is None or _missing(v) else float(v) for v in values]}, schema={"value": pl.Float64}
    ).with_columns(
        ytd=pl.col("value"),
        value_type=pl.lit("rate"),
        direction=pl.lit(direction),
        target=pl.lit(target, dtype=pl.Float64),
        share=pl.lit(1.0),
        on_track_pct=pl.lit(on),
        at_risk_pct=pl.lit(risk),
    )
    judged = judge(frame).with_columns(
        target_status=pl.when(pl.col("value").is_null()).then(None).otherwise(pl.col("target_status"))
    )
    return judged.get_column("target_status").to_list()


# --------------------------------------------------------------------------- the same rule drawn in values


def status_bands(
    target: float | None, direction: str = "up", on_track_pct: float | None = None, at_risk_pct: float | None = None
) -> list[tuple[str, float, float]]:
    """The value ranges in which ``judge`` gives each status for one reference: ``[(status, low, high), ...]``.

    For drawing only (a chart's coloured bands); the status itself always comes
    from ``judge``. up: on track from ``reference × on%``, at risk from
    ``reference × risk%``; down: on track up to ``reference ÷ on%``, at risk up to
    ``reference ÷ risk%``; target: on track within ``(100 − on)%`` of the reference
    either side, at risk within ``(100 − risk)%``. Where the ratio means nothing
    (up or down with a reference <= 0) only met / not met is drawn.
    """
    if target is None or _missing(target):
        return []
    on, risk = (x / 100.0 for x in thresholds(on_track_pct, at_risk_pct))
    tgt, inf = float(target), math.inf
    if direction == "down":
        if tgt <= 0:
            return [("on_track", -inf, tgt), ("off_track", tgt, inf)]
        bands = [("on_track", -inf, tgt / on), ("at_risk", tgt / on, tgt / risk), ("off_track", tgt / risk, inf)]
    elif direction == "target":
        d_on, d_risk = abs(tgt) * max(0.0, 1 - on), abs(tgt) * max(0.0, 1 - risk)
        bands = [
            ("off_track", -inf, tgt - d_risk),
            ("at_risk", tgt - d_risk, tgt - d_on),
            ("on_track", tgt - d_on, tgt + d_on),
            ("at_risk", tgt + d_on, tgt + d_risk),
            ("off_track", tgt + d_risk, inf),
        ]
    else:
        if tgt <= 0:
            return [("off_track", -inf, tgt), ("on_track", tgt, inf)]
        bands = [("off_track", -inf, tgt * risk), ("at_risk", tgt * risk, tgt * on), ("on_track", tgt * on, inf)]
    return [(s, lo, hi) for s, lo, hi in bands if hi > lo]
