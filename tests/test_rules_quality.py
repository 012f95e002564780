"""rules.quality: the docstring's outlier example."""

import polars as pl
import pytest

from rules import quality


def test_the_docstring_example():
    values = [10, 11, 10, 12, 11, 10, 40]
    frame = pl.DataFrame({"indicator_code": ["X"] * 7, "value": [float(v) for v in values]})
    scored = quality.robust_z(frame)
    assert scored["median"][0] == 11 and scored["mad"][0] == 1
    assert scored["z"][-1] == pytest.approx(0.6745 * 29)
    assert (scored["z"].abs() > quality.OUTLIER_Z).to_list() == [False] * 6 + [True]


def test_too_short_a_history_is_not_judged():
    frame = pl.DataFrame({"indicator_code": ["X"] * 5, "value": [1.0, 1.0, 1.0, 1.0, 100.0]})
    assert quality.robust_z(frame)["z"].null_count() == 5
