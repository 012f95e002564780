"""Explanations asked and answered (đề nghị giải trình): where a request stands on a given day.

A leader asks the department that owns an indicator to explain its figure for a
period, with a note and a due date; the department answers in text. A request
is in exactly one of three states on a day:

answered (đã trả lời)
    It has an answer, whenever it came. ``late_answer`` tells an answer given
    after the due date (the day it came, against the due date).
overdue (quá hạn)
    No answer, and the due date lies before the day: an answer on its due
    date is on time, as a file accepted on its due date is (``rules.calendar``).
open (đang chờ trả lời)
    No answer, and the due date is the day or later.

| due date | answered on | day | state | late answer |
| --- | --- | --- | --- | --- |
| 10/11/2026 | – | 09/11/2026 | open | – |
| 10/11/2026 | – | 10/11/2026 | open | – |
| 10/11/2026 | – | 11/11/2026 | overdue | – |
| 10/11/2026 | 10/11/2026 | 20/11/2026 | answered | no |
| 10/11/2026 | 12/11/2026 | 20/11/2026 | answered | yes |

Counts are the requests per state (``counts``), overall and per department
(``by_department``), with ``waiting`` = open + overdue.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

STATES = ("open", "overdue", "answered")


def state(due: date, answered_at: date | datetime | None, day: date) -> str:
    """The state of one request on ``day`` (see the table above)."""
    if answered_at is not None:
        return "answered"
    return "overdue" if due < day else "open"


def with_state(requests: pl.DataFrame, day: date) -> pl.DataFrame:
    """Requests (columns due_date, answered_at, at least) with ``state`` and ``late_answer`` added, as of ``day``."""
    answered = pl.col("answered_at").is_not_null()
    return requests.with_columns(
        state=pl.when(answered)
        .then(pl.lit("answered"))
        .when(pl.col("due_date") < pl.lit(day, dtype=pl.Date))
        .then(pl.lit("overdue"))
        .otherwise(pl.lit("open")),
        late_answer=pl.when(answered).then(pl.col("answered_at").cast(pl.Date) > pl.col("due_date")),
    )


def counts(requests: pl.DataFrame, day: date) -> dict[str, int]:
    """Requests per state on ``day``, plus ``waiting`` (open + overdue) and ``total``."""
    states = with_state(requests, day).get_column("state").to_list() if requests.height else []
    out = {s: states.count(s) for s in STATES}
    out["waiting"] = out["open"] + out["overdue"]
    out["total"] = len(states)
    return out


def by_department(requests: pl.DataFrame, day: date) -> pl.DataFrame:
    """Requests per state for each department asked (only those with requests), most overdue first.

    Columns: department, open, overdue, answered, waiting, total.
    """
    schema = {"department": pl.String, **{c: pl.Int64 for c in (*STATES, "waiting", "total")}}
    if requests.is_empty():
        return pl.DataFrame(schema=schema)
    judged = with_state(requests, day)
    out = judged.group_by("department").agg(
        *[(pl.col("state") == s).sum().cast(pl.Int64).alias(s) for s in STATES],
        pl.len().cast(pl.Int64).alias("total"),
    )
    out = out.with_columns(waiting=pl.col("open") + pl.col("overdue"))
    return out.select(list(schema)).sort(["overdue", "waiting", "department"], descending=[True, True, False])
