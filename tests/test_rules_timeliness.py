"""rules.timeliness: the docstring's example, the window, and the verdict of a group of periods."""

from datetime import date, datetime

import polars as pl
import pytest

from rules import timeliness


def _catalogue(deadline: int = 15) -> pl.DataFrame:
    return pl.DataFrame(
        {"code": ["M"], "owner": ["STC"], "frequency": ["monthly"], "deadline_days": [deadline], "components": [[]]},
        schema_overrides={"components": pl.List(pl.Struct({"code": pl.String, "weight": pl.Float64}))},
    )


def _first(*rows: tuple[str, datetime]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_code": ["M"] * len(rows),
            "period": [p for p, _ in rows],
            "period_start": [date(int(p[:4]), int(p[5:]), 1) for p, _ in rows],
            "first_submitted_at": [at for _, at in rows],
        }
    )


@pytest.mark.parametrize(
    ("received", "today", "received_flag", "on_time"),
    [
        (datetime(2026, 10, 15, 16, 0), date(2026, 11, 20), True, True),  # on the due date
        (datetime(2026, 10, 16, 8, 0), date(2026, 11, 20), True, False),  # a day late
    ],
)
def test_the_docstring_example(received, today, received_flag, on_time):
    first = _first(("2026-08", datetime(2026, 9, 10)), ("2026-09", received))
    detail = timeliness.detail(_catalogue(), first, timeliness.whole_history(today))
    september = detail.filter(pl.col("period") == "2026-09").row(0, named=True)
    assert september["due_date"] == date(2026, 10, 15)
    assert (september["received"], september["on_time"]) == (received_flag, on_time)
    october = detail.filter(pl.col("period") == "2026-10").row(0, named=True)  # due 15 November: missing on the 20th
    assert (october["received"], october["days_late"]) == (False, 5)


def test_the_window_counts_what_was_due_in_it():
    first = _first(("2025-11", datetime(2025, 12, 1)), ("2025-12", datetime(2026, 1, 20)))
    detail = timeliness.detail(_catalogue(), first, timeliness.year_window(date(2026, 3, 1)))
    # due since 1 January 2026: December 2025 (due 15 January) and January 2026 (due 15 February)
    assert detail["period"].to_list() == ["2025-12", "2026-01"]
    shares = timeliness.shares(detail).row(0, named=True)
    assert (shares["expected"], shares["received"], shares["on_time"], shares["missing"]) == (2, 1, 0, 1)
    assert shares["on_time_pct"] == 0.0


@pytest.mark.parametrize(
    ("expected", "received", "on_time", "verdict", "text"),
    [(4, 4, 4, "on_time", "4/4"), (4, 3, 3, "missing", "3/4"), (2, 2, 1, "late", "2/2"), (0, 0, 0, "not_due", None)],
)
def test_the_verdict_of_a_group(expected, received, on_time, verdict, text):
    row = timeliness.verdicts(pl.DataFrame({"expected": [expected], "received": [received], "on_time": [on_time]}))
    assert row.select("status", "cell_text").row(0) == (verdict, text)
