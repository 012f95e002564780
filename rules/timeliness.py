"""Timeliness: which values were due, which came, which came on time, within a stated window.

Expected
    Every period of a submitted indicator (computed composites excluded: nobody
    submits them) from its first period with any accepted value up to the
    latest period already overdue (``calendar.overdue_on``: its due date, the
    period's end + ``deadline_days``, is before today). Periods sent before they
    are overdue are not counted yet.

On time (đúng hạn)
    The first accepted value for the period (any locality; a later revision
    does not change it) was accepted on or before the due date. A group of
    periods (a cell of the grid: one indicator, one month) is ``missing`` when
    anything due in it is missing, else ``late`` when anything came late, else
    ``on_time``; ``not_due`` when nothing was due (``verdicts``).

The window
    Every figure of timeliness counts the expected periods whose due date lies
    in a window, and every screen states it: by default the year so far
    (``year_window``: due from 1 January of today's year to yesterday). Within a
    window an indicator that has never reported counts every due period as
    missing.

Examples (``tests/test_rules_timeliness.py``): a monthly indicator with a
15-day deadline whose September value came on 15 October is on time; on 16
October, late; nothing by 20 November: missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from rules import calendar

DETAIL_SCHEMA = {
    "indicator_code": pl.String,
    "department": pl.String,
    "frequency": pl.String,
    "period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "due_date": pl.Date,
    "received": pl.Boolean,
    "first_submitted_at": pl.Datetime("us"),
    "on_time": pl.Boolean,
    "days_late": pl.Int64,
}


@dataclass(frozen=True)
class Window:
    """Expected periods whose due date is on or after ``since`` (None: from the indicator's first value)."""

    since: date | None
    today: date


def year_window(today: date) -> Window:
    """The default window: values due since 1 January of today's year."""
    return Window(date(today.year, 1, 1), today)


def whole_history(today: date) -> Window:
    """Every period since each indicator's first value."""
    return Window(None, today)


def detail(catalogue: pl.DataFrame, first_submissions: pl.DataFrame, window: Window) -> pl.DataFrame:
    """Every expected (indicator, period) in the window, received or not, on time or not.

    catalogue: code, owner, frequency, deadline_days, components. first_submissions:
    indicator_code, period, period_start, first_submitted_at. days_late: days after
    the due date that the first value came (0 when on time), or, when nothing came,
    days from the due date to today. Columns: DETAIL_SCHEMA, by department,
    indicator and period.
    """
    meta = catalogue.filter(pl.col("components").list.len() == 0)
    starts = first_submissions.group_by("indicator_code").agg(pl.col("period_start").min().alias("first_start"))
    due = calendar.due_periods(meta.select("frequency", "deadline_days").iter_rows(), window.today)
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
    if window.since is not None:
        # A period due on or after `since` ends after since - deadline, so it starts after since - deadline - a year:
        # generate from there (aligned to each frequency's periods) and keep those due in the window below.
        earliest = window.since - timedelta(days=int(frame.get_column("deadline_days").max() or 0) + 366)
        aligned = pl.DataFrame(
            {
                "frequency": list(calendar.FREQUENCIES),
                "_from": [calendar.containing(earliest, f).start for f in calendar.FREQUENCIES],
            }
        )
        frame = frame.join(aligned, on="frequency").with_columns(first_start=pl.col("_from")).drop("_from")
    frame = frame.filter(pl.col("first_start").is_not_null())
    expected = calendar.expected_periods(frame)
    if window.since is not None:
        expected = expected.filter(pl.col("due_date") >= window.since)
    expected = expected.join(frame.select("indicator_code", "department"), on="indicator_code")
    out = expected.join(
        first_submissions.select("indicator_code", "period", "first_submitted_at"),
        on=["indicator_code", "period"],
        how="left",
    )
    submitted_on = pl.col("first_submitted_at").dt.date()
    out = out.with_columns(
        received=pl.col("first_submitted_at").is_not_null(),
        on_time=(submitted_on <= pl.col("due_date")).fill_null(False),
        days_late=pl.when(pl.col("first_submitted_at").is_null())
        .then((pl.lit(window.today) - pl.col("due_date")).dt.total_days())
        .otherwise((submitted_on - pl.col("due_date")).dt.total_days().clip(lower_bound=0)),
    )
    out = out.select(list(DETAIL_SCHEMA)).cast(DETAIL_SCHEMA)
    return out.sort("department", "indicator_code", "period_start")


def shares(frame: pl.DataFrame, *by: str) -> pl.DataFrame:
    """Expected, received, on time, late, missing and on_time_pct (of expected) per group of ``by`` columns."""
    grouped = frame.group_by(*by) if by else frame.group_by(pl.lit(1).alias("_all"))
    out = grouped.agg(
        pl.len().cast(pl.Int64).alias("expected"),
        pl.col("received").sum().cast(pl.Int64).alias("received"),
        pl.col("on_time").sum().cast(pl.Int64).alias("on_time"),
    ).with_columns(
        late=pl.col("received") - pl.col("on_time"),
        missing=pl.col("expected") - pl.col("received"),
        on_time_pct=pl.when(pl.col("expected") > 0).then(pl.col("on_time") / pl.col("expected") * 100),
        received_pct=pl.when(pl.col("expected") > 0).then(pl.col("received") / pl.col("expected") * 100),
    )
    return out.drop("_all") if not by else out.sort(*by)


def verdicts(counts: pl.DataFrame) -> pl.DataFrame:
    """One verdict per group of periods from its counts (expected, received, on_time): missing, late, on_time or
    not_due; ``cell_text`` is received/expected. Other columns pass through."""
    expected, received, on_time = (pl.col(c).fill_null(0) for c in ("expected", "received", "on_time"))
    return counts.with_columns(
        pl.when(expected == 0)
        .then(pl.lit("not_due"))
        .when(received < expected)
        .then(pl.lit("missing"))
        .when(on_time < received)
        .then(pl.lit("late"))
        .otherwise(pl.lit("on_time"))
        .alias("status"),
        pl.when(expected > 0).then(received.cast(pl.Utf8) + pl.lit("/") + expected.cast(pl.Utf8)).alias("cell_text"),
    )
