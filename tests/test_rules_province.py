"""rules.province: the docstring's table, in SQL (through the store's series) and in frames alike."""

import duckdb
import polars as pl
import pytest

from rules import province


def _rows(aggregation: str, province_value: float | None, communes: list[float]) -> pl.DataFrame:
    rows = [("X", "2025", "07210", v, aggregation) for v in communes]
    if province_value is not None:
        rows.append(("X", "2025", "", province_value, aggregation))
    return pl.DataFrame(
        rows, schema=["indicator_code", "period", "locality_code", "value", "aggregation"], orient="row"
    ).with_columns(period_start=pl.lit(None, pl.Date), period_end=pl.lit(None, pl.Date))


CASES = [
    # aggregation, submitted province value, communes, the province value, made from communes
    ("sum", None, [3, 4, 5], 12.0, True),
    ("mean", None, [3, 4, 5], 4.0, True),
    ("mean", 4.5, [3, 4, 5], 4.5, False),
    ("none", None, [3, 4, 5], None, None),
    ("none", 7.0, [], 7.0, False),
]


@pytest.mark.parametrize(("aggregation", "submitted", "communes", "expected", "made"), CASES)
def test_the_rule_in_sql(aggregation, submitted, communes, expected, made):
    rows = _rows(aggregation, submitted, communes)
    con = duckdb.connect()
    con.register("rows_", rows.to_arrow())
    computed = con.sql(province.computed_sql("rows_")).pl()
    if made:
        assert computed["value"].to_list() == [pytest.approx(expected)]
        assert computed["n_localities"].to_list() == [len(communes)]
    else:
        assert computed.is_empty()  # submitted, or nothing to make it from


@pytest.mark.parametrize(("aggregation", "submitted", "communes", "expected", "made"), CASES)
def test_the_rule_in_frames(aggregation, submitted, communes, expected, made):
    if made:
        assert province.from_communes(communes, aggregation) == pytest.approx(expected)
        frame = pl.DataFrame({"value": [float(v) for v in communes], "aggregation": [aggregation] * len(communes)})
        got = frame.select(province.from_communes_expr(pl.col("value"), pl.col("aggregation"))).item()
        assert got == pytest.approx(expected)
    elif aggregation == "none":
        assert province.from_communes(communes, aggregation) is None


@pytest.mark.parametrize(
    ("level", "aggregation", "takes"),
    [("province", "none", True), ("commune", "none", True), ("commune", "sum", False), ("commune", "mean", False)],
)
def test_which_rows_take_a_province_value(level, aggregation, takes):
    assert bool(province.takes_province_value(level, aggregation)) is takes
    frame = pl.DataFrame({"level": [level], "aggregation": [aggregation]})
    assert frame.select(province.takes_province_value(pl.col("level"), pl.col("aggregation"))).item() is takes
