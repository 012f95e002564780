"""rules.explanations: the docstring's table (open, overdue, answered; late answers) and the counts."""

from datetime import date, datetime

import polars as pl
import pytest

from rules import explanations as rule

DUE = date(2026, 11, 10)


@pytest.mark.parametrize(
    ("answered_on", "day", "state", "late"),
    [
        (None, date(2026, 11, 9), "open", None),
        (None, date(2026, 11, 10), "open", None),  # the due date itself is not overdue
        (None, date(2026, 11, 11), "overdue", None),
        (datetime(2026, 11, 10, 16, 30), date(2026, 11, 20), "answered", False),  # on the due date: on time
        (datetime(2026, 11, 12, 8, 0), date(2026, 11, 20), "answered", True),
    ],
)
def test_the_docstring_table(answered_on, day, state, late):
    assert rule.state(DUE, answered_on, day) == state
    frame = pl.DataFrame(
        {"due_date": [DUE], "answered_at": [answered_on]},
        schema={"due_date": pl.Date, "answered_at": pl.Datetime("us")},
    )
    judged = rule.with_state(frame, day).row(0, named=True)
    assert (judged["state"], judged["late_answer"]) == (state, late)


def _requests() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "department": ["STC", "STC", "SYT", "SYT", "STC"],
            "due_date": [date(2026, 11, 1), date(2026, 12, 1), date(2026, 11, 5), date(2026, 11, 5), date(2026, 11, 2)],
            "answered_at": [None, None, None, datetime(2026, 11, 4), datetime(2026, 11, 3)],
        },
        schema={"department": pl.String, "due_date": pl.Date, "answered_at": pl.Datetime("us")},
    )


def test_counts_on_a_day():
    # on 26/11: STC has one overdue (due 1/11), one open (due 1/12), one answered; SYT one overdue, one answered
    assert rule.counts(_requests(), date(2026, 11, 26)) == {
        "open": 1,
        "overdue": 2,
        "answered": 2,
        "waiting": 3,
        "total": 5,
    }
    assert rule.counts(_requests().clear(), date(2026, 11, 26))["total"] == 0


def test_by_department_most_overdue_first():
    got = rule.by_department(_requests(), date(2026, 11, 26)).to_dicts()
    assert got == [
        {"department": "STC", "open": 1, "overdue": 1, "answered": 1, "waiting": 2, "total": 3},
        {"department": "SYT", "open": 0, "overdue": 1, "answered": 1, "waiting": 1, "total": 2},
    ]
    # on 3/11 nothing of SYT is overdue yet: STC's request due 1/11 is, so STC comes first
    early = rule.by_department(_requests(), date(2026, 11, 3)).to_dicts()
    assert [r["department"] for r in early] == ["STC", "SYT"]
    assert early[1] == {"department": "SYT", "open": 1, "overdue": 0, "answered": 1, "waiting": 1, "total": 2}
