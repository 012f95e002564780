"""rules.ytd: the docstring's table."""

import polars as pl
import pytest

from rules import ytd


@pytest.mark.parametrize(
    ("value_type", "values", "expected", "complete"),
    [
        ("flow", [10, 20, 30], 60, True),
        ("flow", [10, None, 30], 40, False),
        ("ytd", [10, 30, 60], 60, True),
        ("rate", [5, 6, 7], 7, True),
    ],
)
def test_the_docstring_table(value_type, values, expected, complete):
    rows = [(m, v) for m, v in zip((1, 2, 3), values, strict=True) if v is not None]
    frame = pl.DataFrame(
        {
            "indicator_code": ["X"] * len(rows),
            "value_type": [value_type] * len(rows),
            "year": [2025] * len(rows),
            "index": [m for m, _ in rows],
            "value": [float(v) for _, v in rows],
        }
    )
    march = ytd.year_to_date(frame).row(-1, named=True)
    assert march["ytd"] == expected and march["ytd_complete"] is complete


def test_a_new_year_starts_again():
    frame = pl.DataFrame(
        {"indicator_code": ["X"] * 3, "value_type": ["flow"] * 3, "year": [2024, 2025, 2025], "index": [12, 1, 2],
         "value": [100.0, 5.0, 7.0]}
    )  # fmt: skip
    assert ytd.year_to_date(frame)["ytd"].to_list() == [100.0, 5.0, 12.0]
