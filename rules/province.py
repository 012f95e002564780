"""The province value: which level is submitted, and the province figure made from communes.

Which rows a department submits
    A province-level indicator: one province row (no locality). A commune-level
    one: one row per commune or ward; with aggregation ``none`` the province row
    is submitted too (``takes_province_value``), so a file may hold it.

The province value (``province_series_sql``, ``from_communes``)
    The submitted province row when there is one. Otherwise, for aggregation
    ``sum``, the sum of the communes' values for that period; for ``mean``, their
    plain (unweighted) mean; for ``none`` nothing is computed (the province
    value is submitted, or there is none). A computed value carries the number
    of communes behind it.

Examples (``tests/test_rules_province.py``):

| level | aggregation | province row | communes | province value |
| --- | --- | --- | --- | --- |
| commune | sum | none | 3, 4, 5 | 12 (computed from 3) |
| commune | mean | none | 3, 4, 5 | 4 (computed from 3) |
| commune | mean | 4,5 | 3, 4, 5 | 4,5 (submitted) |
| commune | none | none | 3, 4, 5 | none |
| province | none | 7 | (none) | 7 |
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import polars as pl

PROVINCE = ""  # the locality code of the province in the store
AGGREGATIONS = ("sum", "mean", "none")
_SQL_AGGREGATE = {"sum": "sum", "mean": "avg"}


def takes_province_value(level: Any, aggregation: Any) -> Any:
    """Whether a province row is submitted: a province-level indicator, or aggregation ``none``.

    Works on plain strings and on polars expressions alike.
    """
    return (level == "province") | (aggregation == "none")


def from_communes(values: Sequence[float | None], aggregation: str) -> float | None:
    """The province value made from communes' values: their sum or plain mean; None for ``none`` or no value."""
    present = [float(v) for v in values if v is not None]
    if not present or aggregation not in _SQL_AGGREGATE:
        return None
    return sum(present) if aggregation == "sum" else sum(present) / len(present)


def from_communes_expr(value: pl.Expr, aggregation: pl.Expr) -> pl.Expr:
    """``from_communes`` as an aggregation expression over a group of commune rows."""
    return (
        pl.when(aggregation.first() == "sum")
        .then(value.sum())
        .when(aggregation.first() == "mean")
        .then(value.mean())
        .otherwise(None)
    )


def computed_sql(rows: str, with_bounds: bool = True) -> str:
    """The province rows made from communes, as a SELECT over the relation ``rows`` (the rule in SQL).

    ``rows`` holds indicator_code, period, period_start, period_end, locality_code,
    value and aggregation; a row comes out for each (indicator, period) with commune
    values, aggregation ``sum`` or ``mean`` and no province row in ``rows``. Output
    columns: indicator_code, period, period_start, period_end (null unless
    ``with_bounds``: reading them for millions of commune rows costs), value,
    n_localities.
    """
    bounds = (
        "any_value(c.period_start) AS period_start, any_value(c.period_end) AS period_end"
        if with_bounds
        else "NULL::DATE AS period_start, NULL::DATE AS period_end"
    )
    by_aggregation = " ".join(f"WHEN '{k}' THEN {f}(c.value)" for k, f in _SQL_AGGREGATE.items())
    return f"""
SELECT c.indicator_code, c.period, {bounds},
       CASE any_value(c.aggregation) {by_aggregation} END AS value,
       count(*)::INTEGER AS n_localities
FROM {rows} c
WHERE c.locality_code <> '' AND c.aggregation IN ('sum', 'mean')
  AND NOT EXISTS (
      SELECT 1 FROM {rows} p WHERE p.locality_code = '' AND p.indicator_code = c.indicator_code AND p.period = c.period
  )
GROUP BY c.indicator_code, c.period
"""


# The values in force at a moment: for each key, its latest version committed by then (versions are ordered by
# commit time, then submission id). Compared to the second, as the moment is written in an address.
AS_IT_STOOD = """(
    SELECT indicator_code, period, period_start, period_end, locality_code, value, submitted_at
    FROM observation_history WHERE date_trunc('second', submitted_at) <= $at
    QUALIFY row_number() OVER (
        PARTITION BY indicator_code, period, locality_code ORDER BY submitted_at DESC, submission_id DESC) = 1
)"""


def series_sql(
    codes: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    at: datetime | None = None,
) -> tuple[str, dict[str, object]]:
    """The province series as SQL: submitted province rows, and communes' sums or means where none was submitted.

    Output columns: indicator_code, period, period_start, period_end (null on computed
    rows; callers fill them from the calendar), value, computed, n_localities,
    submitted_at. ``codes`` must be upper-case; ``since``/``until`` bound period_start.
    ``at``: the values as they stood at that moment (``AS_IT_STOOD``), not the current ones.
    """
    params: dict[str, object] = {}
    source = "observations"
    if at is not None:
        source = AS_IT_STOOD
        params["at"] = at
    clauses: list[str] = []
    if codes is not None:
        clauses.append("list_contains($codes, o.indicator_code)")
        params["codes"] = list(codes)
    if since is not None:
        clauses.append("o.period_start >= $since")
        params["since"] = since
    if until is not None:
        clauses.append("o.period_start <= $until")
        params["until"] = until
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    sql = f"""
WITH obs AS (
    SELECT o.indicator_code, o.period, o.period_start, o.period_end, o.locality_code, o.value, o.submitted_at,
           i.aggregation
    FROM {source} o JOIN indicators i ON i.code = o.indicator_code {where}
)
SELECT indicator_code, period, period_start, period_end, value,
       FALSE AS computed, NULL::INTEGER AS n_localities, submitted_at
FROM obs WHERE locality_code = ''
UNION ALL
SELECT indicator_code, period, period_start, period_end, value,
       TRUE AS computed, n_localities, NULL::TIMESTAMP AS submitted_at
FROM ({computed_sql("obs", with_bounds=False)})
"""
    return sql, params
