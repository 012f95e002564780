"""The rules through rules.evaluate on small hand-made stores: statuses, year to date, comparisons, aggregation,
composites, timeliness, quality. Each store is built from code into a database file and read back as the pages read it."""

from datetime import date, datetime

import polars as pl
import pytest

from db import queries
from rules import calendar as P
from rules import composites, evaluate, quality, tally, timeliness
from tests.fixtures_db import Obs, Rejected, at, build, indicator, late_by, monthly, series

TODAY = date(2025, 4, 20)  # March 2025 is the latest monthly period past its due date (15 April)


def _latest(path, today, codes=None):
    return evaluate.latest(queries.load_store(path), today, codes)


def _series(path, code, today):
    return evaluate.series_of(queries.load_store(path), code, today)


def _breakdown(path, code, period):
    return evaluate.breakdown(queries.load_store(path), code, period)


def _detail(path, today, since=None):
    s = queries.load_store(path)
    return timeliness.detail(s.catalogue, s.first_submissions, timeliness.Window(since, today))


def _row(frame: pl.DataFrame, code: str) -> dict:
    rows = frame.filter(pl.col("code") == code).to_dicts()
    assert len(rows) == 1, f"expected one row for {code}, got {len(rows)}"
    return rows[0]


def _frame_case(direction, value, target, on_track=100.0, at_risk=90.0, value_type="stock", period="2025-03"):
    """evaluate_frame on one province value, as a table row."""
    p = P.parse(period)
    series_ = pl.DataFrame(
        {
            "indicator_code": ["X"],
            "period": [period],
            "period_start": [p.start],
            "period_end": [p.end],
            "value": [float(value)],
        }
    )
    meta = pl.DataFrame(
        {
            "code": ["X"],
            "value_type": [value_type],
            "direction": [direction],
            "on_track_pct": [on_track],
            "at_risk_pct": [at_risk],
        }
    )
    targets = pl.DataFrame(
        {"indicator_code": ["X"] if target is not None else [], "year": [p.year] if target is not None else []},
        schema={"indicator_code": pl.String, "year": pl.Int32},
    ).with_columns(value=pl.lit(target, dtype=pl.Float64))
    return evaluate.evaluate(series_, meta, targets).to_dicts()[0]


# --------------------------------------------------------------------------- status thresholds, as a table

STATUS_CASES = [
    # direction, value, target, on_track, at_risk, pct_of_plan, status
    ("up", 100, 100, 100, 90, 100.0, "on_track"),
    ("up", 120, 100, 100, 90, 120.0, "on_track"),
    ("up", 99.9, 100, 100, 90, 99.9, "at_risk"),
    ("up", 90, 100, 100, 90, 90.0, "at_risk"),
    ("up", 89.9, 100, 100, 90, 89.9, "off_track"),
    ("down", 100, 100, 100, 90, 100.0, "on_track"),
    ("down", 80, 100, 100, 90, 125.0, "on_track"),
    ("down", 100, 90, 100, 90, 90.0, "at_risk"),
    ("down", 100, 89.9, 100, 90, 89.9, "off_track"),
    ("down", 1000, 999, 100, 90, 99.9, "at_risk"),
    ("target", 100, 100, 100, 90, 100.0, "on_track"),
    ("target", 105, 100, 100, 90, 95.0, "at_risk"),
    ("target", 95, 100, 100, 90, 95.0, "at_risk"),
    ("target", 110, 100, 100, 90, 90.0, "at_risk"),
    ("target", 110.1, 100, 100, 90, 89.9, "off_track"),
    ("target", 350, 100, 100, 90, 0.0, "off_track"),  # closeness is floored at 0
    ("target", 97, 100, 97, 90, 97.0, "on_track"),
    ("up", 95, 100, 95, 80, 95.0, "on_track"),  # custom thresholds
    ("up", 94.9, 100, 95, 80, 94.9, "at_risk"),
    ("up", 80, 100, 95, 80, 80.0, "at_risk"),
    ("up", 79.9, 100, 95, 80, 79.9, "off_track"),
]


@pytest.mark.parametrize(("direction", "value", "target", "on", "risk", "pct", "status"), STATUS_CASES)
def test_status_thresholds(direction, value, target, on, risk, pct, status):
    row = _frame_case(direction, value, target, on, risk)
    assert row["pct_of_plan"] == pytest.approx(pct)
    assert row["pct_of_target"] == pytest.approx(pct)  # a stock's plan to date is the year's target
    assert row["target_status"] == status


@pytest.mark.parametrize(
    ("direction", "value", "target", "status"),
    [
        ("up", 5, 0, "on_track"),  # a ratio against 0 means nothing: met or not
        ("up", -2, 0, "off_track"),
        ("up", -0.5, -1, "on_track"),
        ("down", 0, 0, "on_track"),
        ("down", 0, 5, "on_track"),
        ("down", -1, -2, "off_track"),
        ("target", 0, 0, "on_track"),
        ("target", 1, 0, "off_track"),
    ],
)
def test_a_meaningless_ratio_falls_back_to_met_or_not(direction, value, target, status):
    row = _frame_case(direction, value, target)
    assert row["pct_of_plan"] is None
    assert row["target_status"] == status


def test_exactly_on_plan_survives_float_noise():
    # 0.4 x 9/12 is 0.30000000000000004 in floats: 0.3 by September is still exactly on plan.
    row = _frame_case("up", 0.3, 0.4, value_type="ytd", period="2025-09")
    assert row["pct_of_plan"] == pytest.approx(100.0)
    assert row["target_status"] == "on_track"


def test_without_a_target_the_status_is_no_target():
    row = _frame_case("up", 50, None)
    assert row["target"] is None and row["pct_of_target"] is None
    assert row["target_status"] == "no_target"


# --------------------------------------------------------------------------- through the database


@pytest.fixture
def path(tmp_path):
    return tmp_path / "eval.duckdb"


def test_status_thresholds_through_evaluate_latest(path):
    build(
        path,
        [
            indicator("EXACT"),
            indicator("JUST_UNDER"),
            indicator("NINETY"),
            indicator("BELOW"),
            indicator("DOWN", direction="down"),
            indicator("CUSTOM", on_track_pct=95.0, at_risk_pct=80.0),
        ],
        [
            Obs("EXACT", "2025-03", 100),
            Obs("JUST_UNDER", "2025-03", 99.9),
            Obs("NINETY", "2025-03", 90),
            Obs("BELOW", "2025-03", 89.9),
            Obs("DOWN", "2025-03", 110),
            Obs("CUSTOM", "2025-03", 95),
        ],
        targets={c: {2025: 100} for c in ("EXACT", "JUST_UNDER", "NINETY", "BELOW", "CUSTOM")} | {"DOWN": {2025: 99}},
    )
    out = _latest(path, TODAY)
    assert dict(out.select("code", "status").iter_rows()) == {
        "EXACT": "on_track",
        "JUST_UNDER": "at_risk",
        "NINETY": "at_risk",
        "BELOW": "off_track",
        "DOWN": "at_risk",  # 99 / 110 = 90 %
        "CUSTOM": "on_track",
    }
    assert _row(out, "DOWN")["pct_of_target"] == pytest.approx(90.0)
    assert out.columns == list(evaluate.LATEST_COLUMNS)


def test_flow_year_to_date_and_pace(path):
    build(
        path,
        [indicator("REV", value_type="flow"), indicator("GAP", value_type="flow")],
        monthly("REV", 2024, [10] * 12)
        + monthly("REV", 2025, [10, 20, 27])
        + [Obs("GAP", "2025-01", 10), Obs("GAP", "2025-03", 30)],
        targets={"REV": {2025: 240}, "GAP": {2025: 120}},
    )
    s = _series(path, "REV", TODAY)
    assert s.filter(pl.col("period").str.starts_with("2025"))["ytd"].to_list() == [10, 30, 57]
    assert s.filter(pl.col("period") == "2024-12")["ytd"].item() == 120  # a year's ytd runs to December...
    march = s.row(by_predicate=pl.col("period") == "2025-03", named=True)
    assert march["ytd_complete"]
    assert march["pct_of_target"] == pytest.approx(57 / 240 * 100)  # % of the year's plan
    assert march["plan_to_date"] == pytest.approx(60)  # a quarter of the year's target
    assert march["pct_of_plan"] == pytest.approx(95.0)
    assert march["status"] == "at_risk"
    assert march["yoy_ytd"] == 30 and march["change_yoy_ytd_pct"] == pytest.approx(90.0)
    jan = s.row(by_predicate=pl.col("period") == "2025-01", named=True)
    assert jan["ytd"] == 10  # ...and starts again in January
    gap = _series(path, "GAP", TODAY).row(by_predicate=pl.col("period") == "2025-03", named=True)
    assert gap["ytd"] == 40 and not gap["ytd_complete"]


def test_ytd_and_stock_values_are_their_own_year_to_date(path):
    build(
        path,
        [
            indicator("CUM", value_type="ytd"),
            indicator("LVL", value_type="stock"),
            indicator("RATE", value_type="rate"),
        ],
        monthly("CUM", 2025, [30, 55, 90]) + monthly("LVL", 2025, [5, 6, 7]) + monthly("RATE", 2025, [1, 2, 3]),
        targets={"CUM": {2025: 400}, "LVL": {2025: 7}, "RATE": {2025: 4}},
    )
    out = _latest(path, TODAY)
    cum = _row(out, "CUM")
    assert cum["ytd"] == 90
    assert cum["pct_of_target"] == pytest.approx(22.5)
    assert cum["pct_of_plan"] == pytest.approx(90.0)  # 400 x 3/12 = 100 expected by March
    assert cum["status"] == "at_risk"
    assert _row(out, "LVL")["ytd"] == 7 and _row(out, "LVL")["pct_of_plan"] == pytest.approx(100)
    assert _row(out, "RATE")["pct_of_plan"] == pytest.approx(75) and _row(out, "RATE")["status"] == "off_track"


def test_down_flow_is_judged_against_the_plan_to_date(path):
    build(
        path,
        [indicator("ACC", value_type="flow", direction="down")],
        monthly("ACC", 2025, [40, 40, 45]),
        targets={"ACC": {2025: 480}},  # at most 480 a year: 120 by March
    )
    row = _row(_latest(path, TODAY), "ACC")
    assert row["ytd"] == 125
    assert row["pct_of_plan"] == pytest.approx(120 / 125 * 100)
    assert row["status"] == "at_risk"


def test_previous_period_and_same_period_last_year_monthly_and_quarterly(path):
    build(
        path,
        [indicator("M"), indicator("Q", frequency="quarterly")],
        monthly("M", 2024, [100, 100, 80])
        + monthly("M", 2025, [100, 110, 100])
        + series("Q", {"2024-Q1": 50, "2024-Q2": 40, "2025-Q1": 60, "2025-Q2": 50}),
    )
    m = _row(_latest(path, TODAY), "M")
    assert (m["period"], m["prev_period"], m["yoy_period"]) == ("2025-03", "2025-02", "2024-03")
    assert m["prev_value"] == 110 and m["change_prev"] == -10
    assert m["change_prev_pct"] == pytest.approx(-10 / 110 * 100)
    assert m["yoy_value"] == 80 and m["change_yoy"] == 20 and m["change_yoy_pct"] == pytest.approx(25.0)
    q = _series(path, "Q", date(2025, 9, 1))
    q2 = q.row(by_predicate=pl.col("period") == "2025-Q2", named=True)
    assert q2["prev_value"] == 60 and q2["yoy_value"] == 40 and q2["change_yoy_pct"] == pytest.approx(25.0)


def test_weeks_across_a_53_week_year(path):
    assert P.weeks_in(2026) == 53
    build(
        path,
        [indicator("W", frequency="weekly", value_type="flow", deadline_days=3)],
        series("W", {"2025-W01": 5, "2025-W52": 7, "2026-W01": 10, "2026-W52": 20, "2026-W53": 30, "2027-W01": 40}),
    )
    s = _series(path, "W", date(2027, 2, 1))
    w53 = s.row(by_predicate=pl.col("period") == "2026-W53", named=True)
    assert w53["prev_value"] == 20
    assert w53["yoy_value"] == 7  # week 53 compares with week 52 of a 52-week year
    assert w53["ytd"] == 60  # W01 + W52 + W53 of ISO year 2026
    w1 = s.row(by_predicate=pl.col("period") == "2027-W01", named=True)
    assert w1["prev_value"] == 30  # the week before 2027-W01 is 2026-W53
    assert w1["yoy_value"] == 10
    assert w1["ytd"] == 40  # a new ISO year starts the sum again
    assert P.same_period_last_year(P.parse("2026-W01")) == P.parse("2025-W01")


def test_province_value_from_communes_by_aggregation(path):
    build(
        path,
        [
            indicator("SUM", level="commune", aggregation="sum"),
            indicator("MEAN", level="commune", aggregation="mean"),
            indicator("NONE", level="commune", aggregation="none"),
            indicator("NONE_SUBMITTED", level="commune", aggregation="none"),
            indicator("SUM_SUBMITTED", level="commune", aggregation="sum"),
        ],
        [
            Obs("SUM", "2025-03", 5, "07210"),
            Obs("SUM", "2025-03", 7, "09187"),
            Obs("SUM", "2025-03", 3, "07537"),
            Obs("MEAN", "2025-03", 5, "07210"),
            Obs("MEAN", "2025-03", 8, "09187"),
            Obs("NONE", "2025-03", 5, "07210"),
            Obs("NONE_SUBMITTED", "2025-03", 5, "07210"),
            Obs("NONE_SUBMITTED", "2025-03", 42, ""),
            Obs("SUM_SUBMITTED", "2025-03", 5, "07210"),
            Obs("SUM_SUBMITTED", "2025-03", 100, ""),
        ],
    )
    out = _latest(path, TODAY)
    assert _row(out, "SUM")["value"] == 15 and _row(out, "SUM")["computed"]
    assert _row(out, "MEAN")["value"] == 6.5
    assert _row(out, "NONE")["value"] is None and _row(out, "NONE")["status"] == "no_data"
    assert _row(out, "NONE_SUBMITTED")["value"] == 42 and not _row(out, "NONE_SUBMITTED")["computed"]
    assert _row(out, "SUM_SUBMITTED")["value"] == 100  # a submitted province value wins
    ps = queries.province_series(path, ["sum"])
    assert ps.to_dicts()[0] | {"submitted_at": None} == {
        "indicator_code": "SUM",
        "period": "2025-03",
        "period_start": date(2025, 3, 1),
        "period_end": date(2025, 3, 31),
        "value": 15.0,
        "computed": True,
        "n_localities": 3,
        "submitted_at": None,
    }


def test_late_no_data_and_on_time(path):
    build(
        path,
        [
            indicator("CURRENT"),
            indicator("BEHIND"),
            indicator("NEVER"),
            indicator("EARLY"),
            indicator("Y", frequency="annual", deadline_days=90),
        ],
        monthly("CURRENT", 2025, [1, 2, 3])
        + monthly("BEHIND", 2025, [1, 2])
        + monthly("EARLY", 2025, [1, 2, 3, 4], at=at(date(2025, 4, 19)))
        + [Obs("Y", "2024", 9)],
        targets={"CURRENT": {2025: 3}, "BEHIND": {2025: 1}},
    )
    out = _latest(path, TODAY)
    cur = _row(out, "CURRENT")
    assert (cur["status"], cur["is_late"], cur["due_period"], cur["due_date"]) == (
        "on_track",
        False,
        "2025-03",
        date(2025, 4, 15),
    )
    assert (cur["next_period"], cur["next_due_date"]) == ("2025-04", date(2025, 5, 15))
    behind = _row(out, "BEHIND")
    assert behind["status"] == "late" and behind["is_late"]
    assert behind["target_status"] == "on_track"  # the last figure's own judgement is kept
    assert behind["period"] == "2025-02" and behind["value"] == 2
    assert behind["days_overdue"] == 5  # March was due on 15 April
    never = _row(out, "NEVER")
    assert (never["status"], never["is_late"], never["value"]) == ("no_data", False, None)
    assert _row(out, "EARLY")["period"] == "2025-04" and not _row(out, "EARLY")["is_late"]
    assert _row(out, "Y")["status"] == "no_target" and _row(out, "Y")["due_period"] == "2024"


def test_a_value_is_not_late_on_its_due_date(path):
    build(path, [indicator("M")], monthly("M", 2025, [1, 2]))
    on_due_day = _row(_latest(path, date(2025, 4, 15)), "M")
    assert (on_due_day["status"], on_due_day["next_due_date"]) == ("no_target", date(2025, 4, 15))
    day_after = _row(_latest(path, date(2025, 4, 16)), "M")
    assert day_after["status"] == "late" and day_after["days_overdue"] == 1


@pytest.mark.parametrize(
    ("direction", "values", "trend"),
    [
        # the move from the previous period (February) to the latest (March), by direction
        ("up", [100, 100, 102], "improving"),
        ("up", [100, 105, 99], "worsening"),
        ("up", [100, 120, 100.5], "worsening"),  # -16.3 % on February, whatever January was
        ("up", [200, 100, 100.9], "stable"),  # +0.9 %: less than 1 %
        ("down", [100, 100, 102], "worsening"),
        ("down", [100, 90, 80], "improving"),
        ("down", [50, 100, 90], "improving"),  # lower than February, though higher than January
        ("up", [0, 0, 1], "improving"),  # from 0: the sign decides
    ],
)
def test_trend_is_the_move_against_the_previous_period_by_direction(path, direction, values, trend):
    build(path, [indicator("T", direction=direction)], monthly("T", 2025, values))
    row = _row(_latest(path, TODAY), "T")
    assert row["prev_period"] == "2025-02" and row["prev_value"] == values[1]
    assert row["trend"] == trend
    assert row["worsening"] == (trend == "worsening")
    assert row["sparkline"] == values


def test_trend_for_a_target_direction_follows_closeness(path):
    build(
        path,
        [indicator("CPI", direction="target")],
        monthly("CPI", 2025, [6.0, 5.0, 4.2]),
        targets={"CPI": {2025: 4.0}},
    )
    row = _row(_latest(path, TODAY), "CPI")
    assert row["trend"] == "improving"  # closeness 75 -> 95 although the value falls
    assert row["pct_of_plan"] == pytest.approx(95.0)


def test_trend_needs_the_previous_period(path):
    build(
        path,
        [indicator("ONE"), indicator("TWO"), indicator("GAP")],
        [Obs("ONE", "2025-03", 5), Obs("GAP", "2025-01", 5), Obs("GAP", "2025-03", 50)]
        + monthly("TWO", 2025, [10, 5], 2),
    )
    out = _latest(path, TODAY)
    assert _row(out, "ONE")["trend"] is None and not _row(out, "ONE")["worsening"]
    assert _row(out, "TWO")["trend"] == "worsening"
    gap = _row(out, "GAP")  # February is missing: no previous value, no change, no trend
    assert (gap["prev_value"], gap["change_prev_pct"], gap["trend"]) == (None, None, None)


def test_a_year_to_date_figure_has_no_previous_period_across_january(path):
    build(
        path,
        [indicator("YTD", value_type="ytd")],
        [Obs("YTD", "2024-12", 1200), Obs("YTD", "2025-01", 90)],
    )
    row = _row(_latest(path, date(2025, 2, 1)), "YTD")
    assert (row["prev_period"], row["prev_value"], row["change_prev_pct"], row["trend"]) == (None, None, None, None)


# --------------------------------------------------------------------------- composites


def _composite_db(path, **extra):
    build(
        path,
        [
            indicator("A", valid_min=0.0, valid_max=200.0),
            indicator("B", direction="down", valid_min=0.0, valid_max=50.0),
            indicator("C"),  # no range: its own history gives it
            indicator("IDX", group="composite", unit="điểm"),
        ],
        monthly("A", 2025, [100, 150]) + monthly("B", 2025, [20, 10]) + monthly("C", 2025, [10, 20, 30]),
        components={"IDX": [("A", 0.5), ("B", 0.3), ("C", 0.2)]},
        **extra,
    )


def test_composite_scores_and_contributions_by_hand(path):
    _composite_db(path)
    b = composite = _breakdown(path, "idx", "2025-02")
    assert composite.columns == list(evaluate.BREAKDOWN_COLUMNS)
    by = {r["component_code"]: r for r in b.to_dicts()}
    # A: 150 on [0, 200] = 75; B: 10 on [0, 50] = 20, lower is better so 80; C: 20 on its history [10, 30] = 50.
    assert by["A"]["score"] == pytest.approx(75) and by["A"]["contribution"] == pytest.approx(37.5)
    assert by["B"]["score"] == pytest.approx(80) and by["B"]["contribution"] == pytest.approx(24)
    assert by["C"]["score"] == pytest.approx(50) and by["C"]["contribution"] == pytest.approx(10)
    assert (by["A"]["range_source"], by["C"]["range_source"]) == ("valid_range", "history")
    assert (by["C"]["lo"], by["C"]["hi"]) == (10, 30)
    assert sum(r["share_pct"] for r in by.values()) == pytest.approx(100)
    s = _series(path, "IDX", TODAY)
    assert s["period"].to_list() == ["2025-01", "2025-02"]  # March lacks A and B
    assert s["value"].to_list() == pytest.approx([25 + 18 + 0, 71.5])  # Jan: 50, 60, 0
    assert s["computed"].to_list() == [True, True]
    march = _breakdown(path, "IDX", "2025-03")
    assert not march["complete"].any() and march.filter(pl.col("component_code") == "A")["score"].item() is None


def test_composite_in_evaluate_latest_with_target(path):
    _composite_db(path, targets={"IDX": {2025: 65}})
    row = _row(_latest(path, TODAY), "IDX")
    assert row["period"] == "2025-02" and row["value"] == pytest.approx(71.5)
    assert row["status"] == "late"  # March is past due and A, B have no March value
    assert row["target_status"] == "on_track"


def test_composite_from_monthly_components_at_quarterly_frequency_and_nested(path):
    build(
        path,
        [
            indicator("A", valid_min=0.0, valid_max=100.0),
            indicator("T", direction="target", valid_min=0.0, valid_max=10.0),
            indicator("QIDX", group="composite", frequency="quarterly"),
            indicator("TOP", group="composite", frequency="quarterly", valid_min=0.0, valid_max=100.0),
            indicator("D", frequency="quarterly", valid_min=0.0, valid_max=100.0),
        ],
        monthly("A", 2025, [10, 20, 40]) + monthly("T", 2025, [1, 2, 5]) + [Obs("D", "2025-Q1", 20)],
        components={"QIDX": [("A", 0.5), ("T", 0.5)], "TOP": [("QIDX", 0.5), ("D", 0.5)]},
        targets={"T": {2025: 4}},
    )
    b = _breakdown(path, "QIDX", "2025-Q1")
    by = {r["component_code"]: r for r in b.to_dicts()}
    assert by["A"]["component_period"] == "2025-03" and by["A"]["score"] == pytest.approx(40)
    assert by["T"]["score"] == pytest.approx(90)  # 1 away from 4 on a width of 10
    top = _breakdown(path, "TOP", "2025-Q1")
    assert top["contribution"].sum() == pytest.approx(0.5 * 65 + 0.5 * 20)


def test_submitted_composite_value_wins_and_plain_indicator_has_no_breakdown(path):
    build(
        path,
        [indicator("A", valid_min=0.0, valid_max=10.0), indicator("IDX", group="composite")],
        [Obs("A", "2025-03", 5), Obs("IDX", "2025-03", 99)],
        components={"IDX": [("A", 1.0)]},
    )
    assert _row(_latest(path, TODAY), "IDX")["value"] == 99
    assert _breakdown(path, "A", "2025-03").is_empty()


def test_composite_contributions_is_a_pure_table_function():
    meta = pl.DataFrame(
        {
            "code": ["X", "Y", "K"],
            "frequency": ["annual"] * 3,
            "value_type": ["rate"] * 3,
            "direction": ["up", "down", "up"],
            "valid_min": [0.0, 0.0, None],
            "valid_max": [10.0, 10.0, None],
        }
    )
    s = pl.DataFrame(
        {
            "indicator_code": ["X", "Y"],
            "period": ["2024", "2024"],
            "period_start": [date(2024, 1, 1)] * 2,
            "period_end": [date(2024, 12, 31)] * 2,
            "value": [4.0, 4.0],
        }
    )
    comps = pl.DataFrame({"composite_code": ["K", "K"], "component_code": ["X", "Y"], "weight": [0.25, 0.75]})
    tg = pl.DataFrame(schema={"indicator_code": pl.String, "year": pl.Int32, "value": pl.Float64})
    out = composites.contributions(s, meta, comps, tg)
    assert out.select("component_code", "score", "contribution").rows() == [("X", 40.0, 10.0), ("Y", 60.0, 45.0)]
    assert composites.values_of(out)["value"].to_list() == [55.0]


def test_components_with_a_plan_score_their_achievement_of_it():
    # A monthly flow in tỷ đồng (plan 1,200 a year: 100 a month) and a rate, lower is better (plan 2 %).
    meta = pl.DataFrame(
        {
            "code": ["REV", "POOR", "K"],
            "frequency": ["monthly", "monthly", "monthly"],
            "value_type": ["flow", "rate", "rate"],
            "direction": ["up", "down", "up"],
            "valid_min": [0.0, 0.0, None],
            "valid_max": [100000.0, 100.0, None],
        }
    )
    s = pl.DataFrame(
        {
            "indicator_code": ["REV", "POOR"],
            "period": ["2025-03", "2025-03"],
            "period_start": [date(2025, 3, 1)] * 2,
            "period_end": [date(2025, 3, 31)] * 2,
            "value": [80.0, 4.0],
        }
    )
    comps = pl.DataFrame({"composite_code": ["K", "K"], "component_code": ["REV", "POOR"], "weight": [0.5, 0.5]})
    tg = pl.DataFrame({"indicator_code": ["REV", "POOR"], "year": [2025, 2025], "value": [1200.0, 2.0]})
    out = composites.contributions(s, meta, comps, tg.cast({"year": pl.Int32}))
    assert out.select("component_code", "score", "range_source").rows() == [
        ("POOR", 50.0, "target"),
        ("REV", 80.0, "target"),
    ]
    assert composites.values_of(out)["value"].to_list() == [65.0]


# --------------------------------------------------------------------------- summaries, timeliness, outliers, gaps


def test_status_counts_has_every_group_and_status(path):
    build(
        path,
        [indicator("A", group="input"), indicator("B", group="input"), indicator("C", group="outcome")],
        [Obs("A", "2025-03", 100), Obs("B", "2025-03", 50)],
        targets={"A": {2025: 100}, "B": {2025: 100}},
    )
    counts = tally.status_counts(_latest(path, TODAY))
    assert counts["group"].to_list() == list(evaluate.GROUPS)
    assert counts.columns == ["group", "total", *evaluate.STATUSES]
    row = counts.row(by_predicate=pl.col("group") == "input", named=True)
    assert (row["total"], row["on_track"], row["off_track"]) == (2, 1, 1)
    assert counts.row(by_predicate=pl.col("group") == "outcome", named=True)["no_data"] == 1
    assert counts.row(by_predicate=pl.col("group") == "process", named=True)["total"] == 0


def test_timeliness_expected_received_on_time(path):
    build(
        path,
        [indicator("M", owner="SYT"), indicator("N", owner="SYT", level="commune", aggregation="sum")],
        [
            Obs("M", "2025-01", 1, at=late_by("2025-01", 15, 0)),  # on the due date: on time
            Obs("M", "2025-02", 2, at=late_by("2025-02", 15, 3)),  # three days late
            Obs("M", "2025-01", 1.5, at=late_by("2025-01", 15, 40)),  # a later revision changes nothing
            Obs("N", "2025-03", 4, "07210", at=late_by("2025-03", 15, -1)),
        ],
    )
    detail = _detail(path, TODAY)
    assert detail.columns == list(timeliness.DETAIL_SCHEMA)
    m = detail.filter(pl.col("indicator_code") == "M").select("period", "received", "on_time", "days_late").rows()
    assert m == [("2025-01", True, True, 0), ("2025-02", True, False, 3), ("2025-03", False, False, 5)]
    assert detail.filter(pl.col("indicator_code") == "N")["period"].to_list() == ["2025-03"]  # from its first value
    by_dept = timeliness.shares(_detail(path, TODAY), "department", "frequency", "period", "period_start")
    march = by_dept.row(by_predicate=pl.col("period") == "2025-03", named=True)
    assert (march["department"], march["expected"], march["received"], march["on_time"], march["missing"]) == (
        "SYT",
        2,
        1,
        1,
        1,
    )
    # In a window, every period due in it counts, reported or not: due on or after 10 January 2025
    # takes in December 2024 (due 15 January).
    since = _detail(path, TODAY, since=date(2025, 1, 10))
    assert since.filter(pl.col("indicator_code") == "N")["period"].to_list() == [
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    assert (
        _detail(path, TODAY, since=date(2025, 1, 16)).filter(pl.col("indicator_code") == "N")["period"].to_list()[0]
        == "2025-01"
    )


def test_department_summary(path):
    build(
        path,
        [indicator("M", owner="SYT"), indicator("K", owner="SYT"), indicator("Z", owner="STC")],
        [
            Obs("M", "2025-03", 100, at=late_by("2025-03", 15, 2)),
            Obs("K", "2025-02", 1, at=late_by("2025-02", 15, 0)),
        ],
        targets={"M": {2025: 100}},
    )
    summary = tally.departments(_latest(path, TODAY), _detail(path, TODAY), queries.departments(path))
    syt = summary.row(by_predicate=pl.col("department") == "SYT", named=True)
    assert (syt["indicators"], syt["on_track"], syt["late"], syt["worst_status"]) == (2, 1, 1, "late")
    assert (syt["expected"], syt["received"], syt["on_time"]) == (3, 2, 1)  # K: Feb, Mar; M: Mar
    assert syt["on_time_pct"] == pytest.approx(100 / 3)
    stc = summary.row(by_predicate=pl.col("department") == "STC", named=True)
    assert (stc["indicators"], stc["no_data"], stc["expected"], stc["on_time_pct"]) == (1, 1, 0, None)
    assert summary.row(by_predicate=pl.col("department") == "SCT", named=True)["worst_status"] is None


def test_outliers_by_robust_z_score(path):
    history = [100, 102, 98, 101, 99, 103, 97, 100, 101, 99, 100]
    build(
        path,
        [indicator("O"), indicator("SHORT"), indicator("SMOOTH")],
        monthly("O", 2024, history + [180])
        + monthly("SHORT", 2025, [1, 1, 50])
        + monthly("SMOOTH", 2024, list(range(10, 130, 10))),
    )
    out = quality.outliers(queries.load_store(path))
    assert out.columns == list(quality.OUTLIER_COLUMNS)
    assert out.select("indicator_code", "period").rows() == [("O", "2024-12")]
    row = out.to_dicts()[0]
    assert row["median"] == 100 and row["mad"] == 1
    assert row["z"] == pytest.approx(0.6745 * 80)
    assert quality.outliers(queries.load_store(path), threshold=100).is_empty()


def test_robust_z_falls_back_to_mean_deviation_when_mad_is_zero():
    s = pl.DataFrame({"indicator_code": ["X"] * 8, "value": [10.0] * 7 + [20.0]})
    z = quality.robust_z(s)["z"].to_list()
    assert z[-1] == pytest.approx(10 / (1.253314 * 10 / 8))
    assert z[0] == 0


def test_catalogue_gaps(path):
    build(
        path,
        [
            indicator("OK"),
            indicator("NODATA"),
            indicator("NOTARGET"),
            indicator("NOSOURCE", source=" - "),
            indicator("IDX", group="composite"),
        ],
        [Obs("OK", "2025-03", 1), Obs("NOTARGET", "2025-03", 1), Obs("NOSOURCE", "2025-03", 1)],
        targets={"OK": {2025: 1}, "NODATA": {2025: 1}, "NOSOURCE": {2025: 1}, "IDX": {2025: 1}},
        components={"IDX": [("OK", 1.0)]},
    )
    gaps = quality.gaps(queries.load_store(path), queries.coverage(path), TODAY)
    assert gaps.columns == list(quality.GAP_COLUMNS)
    flags = {r["code"]: (r["no_data"], r["no_target"], r["no_source"]) for r in gaps.to_dicts()}
    assert flags == {
        "NODATA": (True, False, False),
        "NOTARGET": (False, True, False),
        "NOSOURCE": (False, False, True),
    }  # OK and the computed IDX (its component has data) have no gap


def test_rejected_submissions_do_not_count_as_received(path):
    build(
        path,
        [indicator("M")],
        monthly("M", 2025, [1, 2]),
        rejected=[Rejected("STC", datetime(2025, 4, 10, 9), [{"row": 2, "column": "value", "value": "x"}])],
    )
    detail = _detail(path, TODAY)
    assert detail.filter(pl.col("period") == "2025-03")["received"].to_list() == [False]


def test_expected_periods_match_schema_periods():
    frame = pl.DataFrame(
        {
            "indicator_code": ["W", "M", "Q", "H", "Y"],
            "frequency": ["weekly", "monthly", "quarterly", "half_yearly", "annual"],
            "deadline_days": [3, 15, 20, 30, 90],
            "first_start": [
                date(2020, 12, 21),
                date(2024, 11, 1),
                date(2024, 7, 1),
                date(2023, 7, 1),
                date(2022, 1, 1),
            ],
            "last_start": [date(2021, 1, 11), date(2025, 2, 1), date(2025, 4, 1), date(2025, 1, 1), date(2024, 1, 1)],
        }
    )
    out = P.expected_periods(frame)
    for code, frequency, days, first, last in frame.iter_rows():
        want = P.between(P.containing(first, frequency), P.containing(last, frequency))
        got = out.filter(pl.col("indicator_code") == code)
        assert got["period"].to_list() == [str(p) for p in want]
        assert got["period_end"].to_list() == [p.end for p in want]
        assert got["due_date"].to_list() == [P.due_date(p, days) for p in want]
    assert "2020-W53" in out["period"].to_list()


def test_period_facts():
    keys = P.period_facts(["2026-W53", "2025-Q1", "2025", "2025-H2", "2025-03"])
    rows = {r["period"]: r for r in keys.to_dicts()}
    assert (rows["2026-W53"]["yoy_period"], rows["2026-W53"]["next_period"]) == ("2025-W52", "2027-W01")
    assert rows["2026-W53"]["share"] == 1.0
    assert (rows["2025-Q1"]["prev_period"], rows["2025-Q1"]["per_year"]) == ("2024-Q4", 4)
    assert rows["2025-03"]["share"] == 0.25 and rows["2025-H2"]["share"] == 1.0
    assert rows["2025"]["yoy_period"] == "2024"


def test_an_empty_store_gives_empty_frames_with_their_columns(path):
    build(path, [indicator("A"), indicator("IDX", group="composite")], components={"IDX": [("A", 1.0)]})
    latest = _latest(path, TODAY)
    assert latest["status"].to_list() == ["no_data", "no_data"]
    assert latest["sparkline"].to_list() == [[], []]
    assert _series(path, "A", TODAY).columns == list(evaluate.SERIES_COLUMNS)
    assert _series(path, "NOPE", TODAY).is_empty()
    assert _breakdown(path, "IDX", "2025-03").columns == list(evaluate.BREAKDOWN_COLUMNS)
    assert _detail(path, TODAY).is_empty()
    assert _detail(path, TODAY, since=date(2025, 1, 1))["period"].to_list() == [
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
    ]  # in a window, an indicator that never reported misses every period due in it; the computed IDX is not expected
    assert quality.outliers(queries.load_store(path)).is_empty()
    assert tally.status_counts(latest)["no_data"].sum() == 2


def test_evaluate_latest_for_some_codes(path):
    _composite_db(path)
    out = _latest(path, TODAY, codes=["idx", "a"])
    assert out["code"].to_list() == ["A", "IDX"]
    assert _row(out, "IDX")["value"] == pytest.approx(71.5)  # its components were read although not asked for
