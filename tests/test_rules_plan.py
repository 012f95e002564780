"""rules.plan: the docstring's table of examples, the plan to date, and the bands drawn from the same rule."""

import math

import polars as pl
import pytest

from rules import plan


def _judge(value, target, direction="up", value_type="stock", share=1.0, ytd=None, on=None, risk=None) -> dict:
    frame = pl.DataFrame(
        {
            "value": [float(value)],
            "ytd": [float(value if ytd is None else ytd)],
            "value_type": [value_type],
            "direction": [direction],
            "target": [None if target is None else float(target)],
            "share": [share],
            "on_track_pct": [on],
            "at_risk_pct": [risk],
        },
        schema_overrides={"target": pl.Float64, "on_track_pct": pl.Float64, "at_risk_pct": pl.Float64},
    )
    return plan.judge(frame).row(0, named=True)


@pytest.mark.parametrize(
    ("direction", "basis", "reference", "on", "risk", "pct", "status"),
    [
        ("up", 95, 100, 100, 90, 95.0, "at_risk"),
        ("up", 89.9, 100, 100, 90, 89.9, "off_track"),
        ("down", 1.8, 1.5, 100, 90, 1.5 / 1.8 * 100, "off_track"),
        ("target", 12.6, 12, 97, 90, 95.0, "at_risk"),
        ("up", 5, -2, 100, 90, None, "on_track"),  # a ratio against a negative plan means nothing: met
    ],
)
def test_the_docstring_table(direction, basis, reference, on, risk, pct, status):
    row = _judge(basis, reference, direction, on=on, risk=risk)
    assert row["pct_of_plan"] == (None if pct is None else pytest.approx(pct))
    assert row["target_status"] == status


def test_a_flow_is_judged_on_its_year_to_date_against_the_plan_to_date():
    # September of a flow: 700 so far of a 1,200 plan; the plan to date is 1,200 x 9/12 = 900
    row = _judge(80, 1200, value_type="flow", share=9 / 12, ytd=700)
    assert row["plan_to_date"] == pytest.approx(900)
    assert row["pct_of_target"] == pytest.approx(700 / 1200 * 100)  # % kế hoạch năm: 58.3
    assert row["pct_of_plan"] == pytest.approx(700 / 900 * 100)  # % kế hoạch đến kỳ: 77.8
    assert row["target_status"] == "off_track"


def test_a_level_is_judged_against_the_whole_target_whatever_the_month():
    row = _judge(95, 100, value_type="rate", share=3 / 12)
    assert row["plan_to_date"] == 100 and row["pct_of_plan"] == row["pct_of_target"] == pytest.approx(95)


def test_defaults_and_no_target():
    assert plan.thresholds(None, None) == (100.0, 90.0)
    assert plan.thresholds(95, float("nan")) == (95.0, 90.0)
    assert _judge(50, None)["target_status"] == "no_target"


@pytest.mark.parametrize("direction", ["up", "down", "target"])
@pytest.mark.parametrize("target", [10.0, 250.0])
def test_the_bands_drawn_are_the_statuses_judged(direction, target):
    """Every value inside a band of status_bands gets that status from judge (the same rule, drawn)."""
    on, risk = 97.0, 85.0
    for status, lo, hi in plan.status_bands(target, direction, on, risk):
        finite_lo = lo if math.isfinite(lo) else target * -2
        finite_hi = hi if math.isfinite(hi) else target * 4
        for x in (finite_lo + (finite_hi - finite_lo) * f for f in (0.1, 0.5, 0.9)):
            assert plan.judge_values([x], target, direction, on, risk) == [status], (direction, x)


def test_judge_values_keeps_missing_values_missing():
    assert plan.judge_values([0.9, None, 1.5], 1.0, "down") == ["on_track", None, "off_track"]
