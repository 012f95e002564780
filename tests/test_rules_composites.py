"""rules.composites: the docstring's example, by hand."""

from datetime import date

import polars as pl
import pytest

from rules import composites


def test_two_components_scored_80_and_60_make_70():
    meta = pl.DataFrame(
        {
            "code": ["REV", "RATE", "IDX"],
            "frequency": ["annual"] * 3,
            "value_type": ["flow", "rate", "rate"],
            "direction": ["up", "up", "up"],
            "valid_min": [None, 0.0, None],
            "valid_max": [None, 50.0, None],
        }
    )
    series = pl.DataFrame(
        {
            "indicator_code": ["REV", "RATE"],
            "period": ["2025", "2025"],
            "period_start": [date(2025, 1, 1)] * 2,
            "period_end": [date(2025, 12, 31)] * 2,
            "value": [800.0, 30.0],  # 800 of a 1,000 plan: 80; 30 over 0-50: 60
        }
    )
    components = pl.DataFrame(
        {"composite_code": ["IDX", "IDX"], "component_code": ["REV", "RATE"], "weight": [1.0, 1.0]}
    )
    targets = pl.DataFrame({"indicator_code": ["REV"], "year": [2025], "value": [1000.0]})
    out = composites.contributions(series, meta, components, targets.cast({"year": pl.Int32}))
    scores = dict(out.select("component_code", "score").iter_rows())
    assert scores == {"RATE": pytest.approx(60.0), "REV": pytest.approx(80.0)}
    assert composites.values_of(out)["value"].to_list() == [pytest.approx(70.0)]
    assert set(out["range_source"]) == {"target", "valid_range"}
