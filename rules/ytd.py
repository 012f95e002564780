"""Year to date (lũy kế): what the year has brought so far.

``flow`` (a period's own amount): the sum of the year's periods up to and
including this one (the ISO year for weeks), over the periods that have a
value; ``ytd_complete`` is false when an earlier period of that year has no
value, so the sum is short. ``ytd`` indicators are submitted already
cumulative, and ``stock`` and ``rate`` ones are levels: their year to date is
the value itself.

Examples (``tests/test_rules_ytd.py``):

| value type | values Jan, Feb, Mar | year to date in March | complete |
| --- | --- | --- | --- |
| flow | 10, 20, 30 | 60 | yes |
| flow | 10, (none), 30 | 40 | no |
| ytd | 10, 30, 60 | 60 | yes |
| rate | 5, 6, 7 | 7 | yes |
"""

from __future__ import annotations

import polars as pl


def year_to_date(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ytd and ytd_complete to rows of indicator_code, value_type, year, index, value (sorted by period)."""
    flow = pl.col("value_type") == "flow"
    return frame.with_columns(
        ytd=pl.when(flow).then(pl.col("value").cum_sum().over("indicator_code", "year")).otherwise(pl.col("value")),
        ytd_complete=pl.when(flow)
        .then(pl.col("value").cum_count().over("indicator_code", "year") == pl.col("index"))
        .otherwise(True),
    )
