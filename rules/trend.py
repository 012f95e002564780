"""Trend: the move against the previous period, oriented by the indicator's direction.

The compared figure is the value itself for directions ``up`` and ``down`` (the
same figures as the change against the previous period shown beside the
trend), and the closeness to the plan (``pct_of_plan``, in points) for
direction ``target``, which has no trend without a target. The previous period
is the calendar's ``shift(p, -1)``; for a year-to-date (lũy kế) figure it must
lie in the same year, since the figure starts again each January: January's
year to date has no previous period and no trend.

A move of less than ``TOLERANCE_PCT`` (1 % of the earlier value; 1 point of
closeness for ``target``) is ``stable``; a better one is ``improving``, a worse
one ``worsening``. With an earlier value of 0 the sign of the move decides.
No previous value: no trend.

Examples (``tests/test_rules_trend.py``):

| direction | previous | latest | trend |
| --- | --- | --- | --- |
| up | 14 938,8 | 12 932,9 | worsening (−13,4 %) |
| up | 1 164 | 1 757 | improving (+50,9 %) |
| down | 2,0 | 1,8 | improving |
| up | 100 | 100,9 | stable (+0,9 %) |
| target (closeness) | 95 | 97 | improving (+2 points) |
"""

from __future__ import annotations

import polars as pl

TOLERANCE_PCT = 1.0


def change_pct(new: pl.Expr, old: pl.Expr) -> pl.Expr:
    """A change in percent of the earlier value's magnitude; null when the earlier value is 0."""
    return pl.when(old != 0).then((new - old) / old.abs() * 100)


def trend(earlier: pl.Expr, later: pl.Expr, direction: pl.Expr) -> pl.Expr:
    """improving / stable / worsening from the earlier to the later compared figure (null when one is missing)."""
    diff = later - earlier
    oriented = pl.when(direction == "down").then(-diff).otherwise(diff)
    relative = (
        pl.when(direction == "target")
        .then(oriented)  # closeness is already in points of percent
        .when(earlier != 0)
        .then(oriented / earlier.abs() * 100)
        .otherwise(pl.when(oriented > 0).then(float("inf")).when(oriented < 0).then(float("-inf")).otherwise(0.0))
    )
    return (
        pl.when(earlier.is_null() | later.is_null())
        .then(None)
        .when(relative.abs() < TOLERANCE_PCT)
        .then(pl.lit("stable"))
        .when(relative > 0)
        .then(pl.lit("improving"))
        .otherwise(pl.lit("worsening"))
    )


def compared(value: pl.Expr, pct_of_plan: pl.Expr, direction: pl.Expr) -> pl.Expr:
    """The figure a trend compares: closeness to plan for direction ``target``, else the value."""
    return pl.when(direction == "target").then(pct_of_plan).otherwise(value)
