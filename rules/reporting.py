"""The period of a report (kỳ báo cáo): which values a report stands on and on which day it is judged.

A report is written for a period P (a month, a quarter, a half or a year; a
week too). It shows each indicator at its latest period that **ends by P's last
day**, with the values as they stand now (revisions included: the date of the
data, ``Store.as_of``, is the same as on the pages), judged on the **earlier of
P's last day and today**: what is late, and the plan to date, as they stood
at the end of P. The report of the running month therefore reads exactly as
the pages do today; the report of an earlier month does not count as late
what only fell due after it.

Without a period, a report is for the month that holds today: the pages'
figures, word for word. A period that starts after today has no report.

| today | asked | period | values up to | judged on |
| --- | --- | --- | --- | --- |
| 26/11/2026 | – | ``2026-11`` | 30/11/2026 (all) | 26/11/2026 |
| 26/11/2026 | ``2026-10`` | ``2026-10`` | 31/10/2026 | 31/10/2026 |
| 26/11/2026 | ``2026-Q3`` | ``2026-Q3`` | 30/09/2026 | 30/09/2026 |
| 26/11/2026 | ``2026`` | ``2026`` | 31/12/2026 (all) | 26/11/2026 |
| 26/11/2026 | ``2026-12`` | refused: it starts after today | | |
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from rules import calendar
from rules.calendar import Period
from rules.store import Store


class NoSuchPeriod(ValueError):
    """The text is not a period a report can be written for (not canonical, or in the future)."""


def report_period(text: str | None, today: date) -> Period:
    """The report's period: the canonical ``text`` (``2026-10``, ``2026-Q3``, ``2026-H1``, ``2026``), or the month
    that holds ``today``; NoSuchPeriod when it is not a period or starts after today."""
    if text is None or not text.strip():
        return calendar.containing(today, "monthly")
    found = calendar.parse(text)
    if found is None:
        raise NoSuchPeriod(text)
    if found.start > today:
        raise NoSuchPeriod(text)
    return found


def judged_on(period: Period, today: date) -> date:
    """The day a report of ``period`` is judged on: its last day, or today while it runs."""
    return min(period.end, today)


def cut(store: Store, period: Period) -> Store:
    """The store as a report of ``period`` sees it: the values of periods that end by its last day."""
    last = period.end
    series = store.series.filter(pl.col("period_end") <= last)
    contributions = store.contributions.filter(pl.col("period_end") <= last)
    # first_submissions is only read joined to the series' periods: it needs no cut
    return replace(store, series=series, contributions=contributions)
