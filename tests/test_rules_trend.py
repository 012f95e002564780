"""rules.trend: the docstring's table, as expressions over two figures."""

import polars as pl
import pytest

from rules import trend


@pytest.mark.parametrize(
    ("direction", "previous", "latest", "expected"),
    [
        ("up", 14938.8, 12932.9, "worsening"),
        ("up", 1164, 1757, "improving"),
        ("down", 2.0, 1.8, "improving"),
        ("up", 100, 100.9, "stable"),
        ("target", 95, 97, "improving"),  # closeness to plan, in points
        ("target", 95, 95.5, "stable"),
        ("up", 0, -1, "worsening"),  # from 0 the sign decides
        ("up", None, 5, None),
    ],
)
def test_the_docstring_table(direction, previous, latest, expected):
    frame = pl.DataFrame(
        {"a": [previous], "b": [latest], "d": [direction]}, schema={"a": pl.Float64, "b": pl.Float64, "d": pl.String}
    )
    got = frame.select(trend.trend(pl.col("a"), pl.col("b"), pl.col("d"))).item()
    assert got == expected


def test_change_in_percent_of_the_earlier_magnitude():
    frame = pl.DataFrame({"new": [110.0, -90.0, 5.0], "old": [100.0, -100.0, 0.0]})
    got = frame.select(trend.change_pct(pl.col("new"), pl.col("old"))).to_series().to_list()
    assert got == [pytest.approx(10.0), pytest.approx(10.0), None]
