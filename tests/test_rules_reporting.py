"""rules.reporting: a report's period, the day it is judged on, and the values it stands on (the docstring's table)."""

from datetime import date, datetime

import pytest

from db import queries
from rules import calendar, evaluate, reporting
from rules.store import Store
from tests.fixtures_db import Obs, build, indicator

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("asked", "period", "values_up_to", "judged"),
    [
        (None, "2026-11", date(2026, 11, 30), date(2026, 11, 26)),
        ("2026-10", "2026-10", date(2026, 10, 31), date(2026, 10, 31)),
        ("2026-Q3", "2026-Q3", date(2026, 9, 30), date(2026, 9, 30)),
        ("2026", "2026", date(2026, 12, 31), date(2026, 11, 26)),
        ("2026-H1", "2026-H1", date(2026, 6, 30), date(2026, 6, 30)),
    ],
)
def test_the_docstring_table(asked, period, values_up_to, judged):
    got = reporting.report_period(asked, TODAY)
    assert str(got) == period
    assert got.end == values_up_to
    assert reporting.judged_on(got, TODAY) == judged


@pytest.mark.parametrize("asked", ["2026-12", "2027", "Tháng 10/2026", "2026-13", "soon"])
def test_a_future_or_unreadable_period_has_no_report(asked):
    with pytest.raises(reporting.NoSuchPeriod):
        reporting.report_period(asked, TODAY)


def _store(path, months=("2026-08", "2026-09", "2026-10")) -> Store:
    """One monthly stock (deadline 15 days), values for ``months``, submitted on 20/11/2026."""
    build(path, [indicator("M")], [Obs("M", m, float(i), at=datetime(2026, 11, 20, 9)) for i, m in enumerate(months)])
    return queries.load_store(path)


def test_the_cut_keeps_periods_that_end_by_the_report_period_and_the_date_of_the_data(tmp_path):
    store = _store(tmp_path / "db.duckdb")
    cut = reporting.cut(store, calendar.parse("2026-09"))
    assert cut.series["period"].to_list() == ["2026-08", "2026-09"]
    assert cut.as_of == store.as_of == date(2026, 11, 20)  # values as they stand now: the same date of the data
    assert reporting.cut(store, calendar.parse("2026-11")).series.height == 3


def test_a_past_month_does_not_count_as_late_what_fell_due_after_it(tmp_path):
    store = _store(tmp_path / "db.duckdb", ("2026-08", "2026-09"))
    # today (26/11) October's value (due 15/11) is missing: late on the pages
    assert evaluate.latest(store, TODAY)["status"][0] == "late"
    # the report of September is judged on 30/09, when nothing after August was due yet
    september = calendar.parse("2026-09")
    row = evaluate.latest(reporting.cut(store, september), reporting.judged_on(september, TODAY)).row(0, named=True)
    assert (row["period"], row["status"]) == ("2026-09", "no_target")
