"""The queries the indicator and department pages added: commune periods and the files behind an indicator."""

from datetime import datetime

import pytest

from db import queries as q
from tests.fixtures_db import Obs, build, indicator

HOSTILE = "x' OR '1'='1'; DROP TABLE observations; --"


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    file = tmp_path_factory.mktemp("pages_b") / "q.duckdb"
    return build(
        file,
        [
            indicator("GRDP", group="outcome", owner="STC", unit="%"),
            indicator("POOR", group="outcome", owner="SYT", level="commune", aggregation="mean"),
        ],
        [
            Obs("GRDP", "2025-01", 8.0, at=datetime(2025, 2, 5, 9)),
            Obs("GRDP", "2025-02", 8.5, at=datetime(2025, 3, 5, 9)),
            Obs("GRDP", "2025-02", 8.7, at=datetime(2025, 4, 1, 10), note="số chính thức"),  # revises February
            Obs("POOR", "2024", 2.0, "07210", at=datetime(2025, 2, 10, 8)),
            Obs("POOR", "2024", 3.0, "09187", at=datetime(2025, 2, 10, 8)),
            Obs("POOR", "2025", 1.5, "07210", at=datetime(2026, 2, 10, 8)),
            Obs("POOR", "2025", 1.0, "", at=datetime(2026, 2, 10, 8)),  # a province row is not a commune period
        ],
        localities=[("07210", "Bắc Giang", "phuong"), ("09187", "Kinh Bắc", "phuong")],
    )


def test_commune_periods_newest_first_with_counts(path):
    got = q.commune_periods(path, "poor")  # any case
    assert got.columns == ["period", "period_start", "n_localities"]
    assert got["period"].to_list() == ["2025", "2024"]
    assert got["n_localities"].to_list() == [1, 2]


def test_commune_periods_of_a_province_indicator_or_unknown_code_are_empty(path):
    assert q.commune_periods(path, "GRDP").is_empty()
    assert q.commune_periods(path, HOSTILE).is_empty()
    assert q.commune_periods(path, "NOPE").is_empty()


def test_indicator_submissions_one_row_per_file_newest_first(path):
    got = q.indicator_submissions(path, "grdp")
    assert got.columns == [
        "submission_id", "department", "file_name", "submitted_at", "submitted_by",
        "n_values", "n_revised", "n_current", "n_periods", "first_period", "last_period",
    ]  # fmt: skip
    assert got["submitted_at"].to_list() == sorted(got["submitted_at"].to_list(), reverse=True)
    newest = got.row(0, named=True)
    assert (newest["n_values"], newest["n_revised"], newest["n_current"]) == (1, 1, 1)
    assert newest["first_period"] == newest["last_period"] == "2025-02"
    revised = got.filter(got["first_period"] == "2025-02").sort("submitted_at")
    assert revised["n_current"].to_list() == [0, 1]  # the first February value is no longer in force
    assert set(got["department"]) == {"STC"}


def test_indicator_submissions_counts_commune_rows_and_periods(path):
    got = q.indicator_submissions(path, "POOR").sort("submitted_at")
    assert got["n_values"].to_list() == [2, 2]
    assert got["n_periods"].to_list() == [1, 1]


def test_indicator_submissions_binds_the_code(path):
    assert q.indicator_submissions(path, HOSTILE).is_empty()
    assert q.commune_values(path, "GRDP", "2025-01").height == 2  # the table is still there
