"""Counts over evaluated indicators: by status and group, by department, and the warnings to act on.

Warnings (cảnh báo)
    Indicators off track, late, or worsening against the previous period, the
    most urgent first: off track (lowest % of the plan to date first), then late
    (longest overdue first), then worsening ones (at risk before the rest).

A department's row
    Its indicators per status, how many are worsening, its worst status
    (``STATUS_SEVERITY`` order) and its timeliness within the stated window
    (``rules.timeliness``).
"""

from __future__ import annotations

import polars as pl

from rules import timeliness
from rules.evaluate import GROUPS, STATUS_SEVERITY, STATUSES


def status_counts(evaluated: pl.DataFrame) -> pl.DataFrame:
    """Indicators per status in each of the five groups (every group and status present).

    Input: rules.evaluate.latest rows. Columns: group, total, one count per status.
    """
    counts = evaluated.group_by("group").agg(
        pl.len().cast(pl.Int64).alias("total"),
        *[(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUSES],
    )
    out = pl.DataFrame({"group": list(GROUPS)}).join(counts, on="group", how="left").fill_null(0)
    return out.select("group", "total", *STATUSES)


def tally(evaluated: pl.DataFrame) -> dict[str, int]:
    """Indicators per status, plus ``total`` and ``worsening``."""
    statuses = evaluated.get_column("status").to_list()
    out = {s: statuses.count(s) for s in STATUSES}
    out["total"] = len(statuses)
    out["worsening"] = int(evaluated.get_column("worsening").sum())
    return out


def warnings(evaluated: pl.DataFrame) -> pl.DataFrame:
    """Indicators off track, late or worsening, the most urgent first.

    Columns: the input's, plus ``reason`` (off_track | late | worsening) and ``rank`` (from 1).
    """
    flagged = evaluated.filter(pl.col("status").is_in(["off_track", "late"]) | pl.col("worsening"))
    reason = (
        pl.when(pl.col("status") == "off_track")
        .then(pl.lit("off_track"))
        .when(pl.col("status") == "late")
        .then(pl.lit("late"))
        .otherwise(pl.lit("worsening"))
    )
    severity = (
        pl.when(pl.col("status") == "off_track")
        .then(0)
        .when(pl.col("status") == "late")
        .then(1)
        .when(pl.col("status") == "at_risk")
        .then(2)
        .otherwise(3)
    )
    return (
        flagged.with_columns(reason=reason, _severity=severity)
        .sort(
            ["_severity", "pct_of_plan", "days_overdue", "position"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
        .drop("_severity")
        .with_row_index("rank", offset=1)
    )


def departments(evaluated: pl.DataFrame, timeliness_detail: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """Every department: its indicators per status and its timeliness in the detail's window.

    Inputs: rules.evaluate.latest rows, rules.timeliness.detail rows, departments
    (code, name_vi, name_en). Columns: department, name_vi, name_en, indicators,
    one count per status, worsening, expected, received, on_time, late, missing,
    on_time_pct, received_pct, worst_status (null without indicators).
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
    timely = timeliness.shares(timeliness_detail, "department").drop("on_time_pct", "received_pct")
    counts = ["indicators", *STATUSES, "worsening", "expected", "received", "on_time", "missing"]
    out = (
        names.select(pl.col("code").alias("department"), "name_vi", "name_en")
        .join(per_status, on="department", how="left")
        .join(timely.drop("late"), on="department", how="left")
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
