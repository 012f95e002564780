"""The demo generator: deterministic, consistent, inside the ranges, with the intended warnings."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import polars as pl
import pytest

import settings
from loaders import demo
from rules import calendar as periods
from schema.catalogue import Catalogue, load_catalogue

TODAY = dt.date(2026, 11, 26)
SEED = 2025


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(settings.CATALOGUE_FILE, settings.DEPARTMENTS_FILE, settings.LOCALITIES_FILE)


@pytest.fixture(scope="module")
def batches(catalogue: Catalogue) -> list[demo.DemoBatch]:
    return demo.generate(catalogue, TODAY, SEED)


@pytest.fixture(scope="module")
def roles(catalogue: Catalogue) -> demo.DemoPlan:
    return demo.plan(catalogue, TODAY, SEED)


@pytest.fixture(scope="module")
def final(batches: list[demo.DemoBatch]) -> pl.DataFrame:
    return demo.final_values(batches)


def _province(final: pl.DataFrame, catalogue: Catalogue, code: str) -> pl.DataFrame:
    """The province value per period as the dashboard would compute it."""
    ind = catalogue.by_code[code]
    rows = final.filter(pl.col("indicator_code") == code)
    if ind.level == "province" or ind.aggregation == "none":
        rows = rows.filter(pl.col("locality_code") == "")
        return rows.select("period", "value")
    agg = pl.col("value").sum() if ind.aggregation == "sum" else pl.col("value").mean()
    return rows.group_by("period").agg(agg.alias("value"))


def test_same_seed_same_batches(catalogue: Catalogue, batches: list[demo.DemoBatch]) -> None:
    again = demo.generate(catalogue, TODAY, SEED)
    assert [(b.department, b.file_name, b.submitted_at, b.kind) for b in again] == [
        (b.department, b.file_name, b.submitted_at, b.kind) for b in batches
    ]
    assert all(a.frame.equals(b.frame) for a, b in zip(again, batches, strict=True))
    other = demo.generate(catalogue, TODAY, SEED + 1)
    assert not all(a.frame.equals(b.frame) for a, b in zip(other, batches, strict=False) if a.file_name == b.file_name)


def test_frames_have_the_submission_columns(batches: list[demo.DemoBatch]) -> None:
    for b in batches:
        assert dict(b.frame.schema) == demo.FRAME_SCHEMA
        assert b.frame["value"].is_finite().all()


def _last_period(frame: pl.DataFrame) -> periods.Period:
    return max((periods.parse(p) for p in frame["period"].unique()), key=lambda p: p.start)


def test_one_file_per_department_and_period(catalogue: Catalogue, batches: list[demo.DemoBatch]) -> None:
    regular = [b for b in batches if b.kind == "regular"]
    names = [b.file_name for b in regular]
    assert len(names) == len(set(names))
    bundles = 0
    for b in regular:
        owners = {catalogue.by_code[c].owner for c in b.frame["indicator_code"].unique()}
        assert owners == {b.department}
        if b.file_name.endswith(f"_{demo.WEEKLY_BUNDLE}.xlsx"):
            # A month's workbook of weekly figures, only for weeks more than a year old.
            bundles += 1
            month = b.file_name.split("_")[1]
            for text in b.frame["period"].unique():
                week = periods.parse(text)
                assert week.frequency == "weekly"
                assert (week.start + dt.timedelta(days=3)).strftime("%Y-%m") == month
                assert week.end < TODAY - dt.timedelta(days=365)
        else:
            assert b.frame["period"].n_unique() == 1
            assert b.file_name == f"{b.department}_{b.frame['period'][0]}.xlsx"
    assert bundles > 0
    weekly = {
        b.frame["period"][0] for b in regular if "-W" in b.frame["period"][0] and b.frame["period"].n_unique() == 1
    }
    assert len(weekly) >= 50  # the last year's weeks keep their own files


def test_values_inside_valid_ranges(catalogue: Catalogue, final: pl.DataFrame) -> None:
    for (code,), rows in final.partition_by("indicator_code", as_dict=True).items():
        ind = catalogue.by_code[code]
        values = rows["value"].to_numpy()
        if ind.valid_min is not None:
            assert values.min() >= ind.valid_min, code
        if ind.valid_max is not None:
            assert values.max() <= ind.valid_max, code
        if ind.unit == "%" and ind.value_type == "rate":
            assert values.min() >= 0 and values.max() <= 100, code


def test_ytd_is_monotone_within_each_year(catalogue: Catalogue, final: pl.DataFrame) -> None:
    ytd = [i.code for i in catalogue.indicators if i.value_type == "ytd" and i.code in set(final["indicator_code"])]
    assert ytd
    for code in ytd:
        rows = final.filter(pl.col("indicator_code") == code).with_columns(
            year=pl.col("period").str.slice(0, 4), start=pl.col("period").map_elements(_start, return_dtype=pl.Date)
        )
        steps = rows.sort("locality_code", "start").with_columns(
            step=pl.col("value").diff().over("locality_code", "year")
        )
        assert steps["step"].drop_nulls().min() >= -1e-9, code


def _start(text: str) -> dt.date:
    return periods.parse(text).start


def test_commune_indicators_cover_all_localities(catalogue: Catalogue, final: pl.DataFrame) -> None:
    codes = {loc.code for loc in catalogue.localities}
    assert len(codes) == 99
    for ind in catalogue.indicators:
        rows = final.filter(pl.col("indicator_code") == ind.code)
        if rows.is_empty():
            continue
        per_period = rows.filter(pl.col("locality_code") != "").group_by("period").agg(pl.col("locality_code"))
        province = rows.filter(pl.col("locality_code") == "")
        if ind.level == "commune":
            assert all(set(localities) == codes for localities in per_period["locality_code"]), ind.code
            assert province.height == (per_period.height if ind.aggregation == "none" else 0), ind.code
        else:
            assert per_period.is_empty() and province.height == rows.height, ind.code


def test_commune_sums_and_means_match_the_intended_province_value(catalogue: Catalogue, seed: int = SEED) -> None:
    roles = demo.plan(catalogue, TODAY, seed)
    base = demo._base_weights(catalogue, seed)
    checked = Counter()
    for ind in catalogue.indicators:
        if ind.level != "commune" or ind.code in roles.gaps or ind.components:
            continue
        periods_list = periods.between(periods.Period(2022, ind.frequency, 1), periods.parse(roles.latest[ind.code]))
        rng = demo._rng(seed, "series", ind.code)
        series = demo._series(
            ind,
            periods_list,
            roles.statuses.get(ind.code),
            roles.status_year[ind.code],
            ind.code in roles.worsening,
            rng,
        )
        matrix = demo._commune_matrix(series, base, rng)
        tolerance = 0.5 * 10.0**-series.decimals + 1e-6
        if ind.aggregation == "sum":
            np.testing.assert_allclose(matrix.sum(axis=1), series.values, atol=tolerance, err_msg=ind.code)
        elif ind.aggregation == "mean":
            np.testing.assert_allclose(matrix.mean(axis=1), series.values, atol=tolerance, err_msg=ind.code)
        checked[ind.aggregation] += 1
    assert checked["sum"] >= 2 and checked["mean"] >= 2


def test_sum_indicators_add_up_in_the_submitted_rows(catalogue: Catalogue, final: pl.DataFrame) -> None:
    """For 'none' the province row submitted equals the communes' total for counted quantities."""
    for ind in catalogue.indicators:
        if ind.level != "commune" or ind.aggregation != "none" or ind.unit == "%":
            continue
        rows = final.filter(pl.col("indicator_code") == ind.code)
        if rows.is_empty():
            continue
        communes = rows.filter(pl.col("locality_code") != "").group_by("period").agg(pl.col("value").sum())
        province = rows.filter(pl.col("locality_code") == "").select("period", pl.col("value").alias("province"))
        joined = communes.join(province, on="period")
        assert joined.height == province.height
        assert (joined["value"] - joined["province"]).abs().max() < 1e-6, ind.code


def test_round_to_totals_is_exact() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, (50, 99))
    totals = np.round(x.sum(axis=1), 1)
    rounded = demo.round_to_totals(x * totals[:, None] / x.sum(axis=1, keepdims=True), totals, 1)
    np.testing.assert_allclose(rounded.sum(axis=1), totals, atol=1e-6)
    assert np.all(np.abs(rounded * 10 - np.round(rounded * 10)) < 1e-6)


def test_data_up_to_latest_due_except_gaps_and_late(
    catalogue: Catalogue, final: pl.DataFrame, roles: demo.DemoPlan
) -> None:
    assert 2 <= len(roles.gaps) <= 3
    assert 2 <= len(roles.late) <= 3
    present = set(final["indicator_code"])
    for ind in catalogue.indicators:
        if ind.components or ind.code in roles.gaps:
            assert ind.code not in present, ind.code
            continue
        reported = sorted(
            periods.parse(p) for p in final.filter(pl.col("indicator_code") == ind.code)["period"].unique()
        )
        due = periods.latest_due(ind.frequency, ind.deadline_days, TODAY)
        assert reported[0] == periods.Period(2022, ind.frequency, 1), ind.code
        expected_last = periods.shift(due, -roles.late.get(ind.code, 0))
        assert reported[-1] == expected_last, ind.code
        assert reported == periods.between(reported[0], reported[-1]), ind.code  # no holes


def test_submissions_after_period_end_and_mostly_on_time(catalogue: Catalogue, batches: list[demo.DemoBatch]) -> None:
    late = 0
    regular = [b for b in batches if b.kind == "regular"]
    for b in batches:
        period = _last_period(b.frame) if b.kind != "rejected" else None
        if period is not None:
            assert b.submitted_at.date() > period.end, b.file_name
        assert b.submitted_at.date() <= TODAY
    for b in regular:
        period = _last_period(b.frame)
        deadline = min(catalogue.by_code[c].deadline_days for c in b.frame["indicator_code"].unique())
        late += b.submitted_at.date() > periods.due_date(period, deadline)
    share = late / len(regular)
    assert 0.08 <= share <= 0.25


def test_revisions_replace_estimates(batches: list[demo.DemoBatch]) -> None:
    revisions = [b for b in batches if b.kind == "revision"]
    assert 3 <= len(revisions) <= 8
    by_name = {b.file_name: b for b in batches if b.kind == "regular"}
    for rev in revisions:
        assert (rev.frame["note"] == demo.OFFICIAL_NOTE).all()
        original = by_name[rev.file_name.replace("_so-chinh-thuc", "")]
        assert original.submitted_at < rev.submitted_at
        joined = rev.frame.join(original.frame, on=["indicator_code", "period", "locality_code"], suffix="_est")
        assert joined.height == rev.frame.height
        assert (joined["note_est"] == demo.ESTIMATE_NOTE).all()
        assert (joined["value"] != joined["value_est"]).all()


def test_rejected_files_are_wrong_and_corrected_later(catalogue: Catalogue, batches: list[demo.DemoBatch]) -> None:
    rejected = [b for b in batches if b.kind == "rejected"]
    assert len(rejected) == 3
    regular = {b.file_name: b for b in batches if b.kind == "regular"}
    for bad in rejected:
        good = regular[bad.file_name]
        assert bad.submitted_at < good.submitted_at
        assert not bad.frame.equals(good.frame)


def _achievement(catalogue: Catalogue, final: pl.DataFrame, roles: demo.DemoPlan, code: str) -> float | None:
    """Percent of target in the indicator's latest year; flows and ytd pro rata to the periods reported."""
    ind = catalogue.by_code[code]
    year = roles.status_year[code]
    target = ind.targets.get(year)
    if not target:
        return None
    series = _province(final, catalogue, code).filter(pl.col("period").str.slice(0, 4) == str(year))
    series = series.with_columns(start=pl.col("period").map_elements(_start, return_dtype=pl.Date)).sort("start")
    n = periods.weeks_in(year) if ind.frequency == "weekly" else {"monthly": 12, "quarterly": 4}.get(ind.frequency, 0)
    n = n or {"half_yearly": 2, "annual": 1}[ind.frequency]
    share = series.height / n
    if ind.value_type == "flow":
        value, target = series["value"].sum(), target * share
    elif ind.value_type == "ytd":
        value, target = series["value"][-1], target * share
    else:
        value = series["value"][-1]
    return demo.pct_of_target(ind.direction, value, target)


def test_some_indicators_off_track_and_at_risk(catalogue: Catalogue, final: pl.DataFrame, roles: demo.DemoPlan) -> None:
    statuses = {}
    for code in roles.statuses:
        pct = _achievement(catalogue, final, roles, code)
        if pct is not None:
            statuses[code] = demo.classify(catalogue.by_code[code], pct)
    counts = Counter(statuses.values())
    n = len(statuses)
    assert counts["off_track"] >= 0.12 * n
    assert counts["at_risk"] >= 0.12 * n
    assert counts["on_track"] >= 0.4 * n
    # What was planned is what the data shows, except where a recent slide changed it.
    differ = [c for c in statuses if statuses[c] != roles.statuses[c] and c not in roles.worsening]
    assert not differ, {c: (roles.statuses[c], statuses[c]) for c in differ}


def test_worsening_trends_slide_recently(catalogue: Catalogue, final: pl.DataFrame, roles: demo.DemoPlan) -> None:
    assert 1 <= len(roles.worsening) <= 2
    for code in roles.worsening:
        ind = catalogue.by_code[code]
        series = _province(final, catalogue, code)
        series = series.with_columns(start=pl.col("period").map_elements(_start, return_dtype=pl.Date)).sort("start")
        values = series["value"].to_numpy()
        before, after = values[-12:-8].mean(), values[-2:].mean()
        assert (after < before) if ind.direction != "down" else (after > before), code


def test_anchored_on_domain_figures(catalogue: Catalogue, final: pl.DataFrame) -> None:
    if (TODAY - dt.date(2026, 3, 1)).days < 0:
        pytest.skip("2025 is not complete yet on this day")

    def year_total(code: str, year: int) -> float:
        return _province(final, catalogue, code).filter(pl.col("period").str.starts_with(str(year)))["value"].sum()

    def pick(pattern: str) -> str | None:
        return next((i.code for i in catalogue.indicators if pattern in i.name_en.lower()), None)

    retail = pick("retail sales")
    if retail and catalogue.by_code[retail].value_type == "flow":
        months = _province(final, catalogue, retail).filter(
            pl.col("period").is_in([f"2025-{m:02d}" for m in range(1, 10)])
        )
        assert 95_000 <= months["value"].sum() <= 118_000
    budget = pick("state budget revenue collected")
    if budget and catalogue.by_code[budget].value_type == "flow":
        assert year_total(budget, 2025) == pytest.approx(72_500, rel=0.01)
        monthly = _province(final, catalogue, budget).filter(pl.col("period").str.starts_with("2024-"))
        december = monthly.filter(pl.col("period") == "2024-12")["value"][0]
        assert december == monthly["value"].max()  # December peak
    tourists = pick("tourist visits")
    if tourists:
        assert year_total(tourists, 2025) == pytest.approx(6_300_000, rel=0.01)
        monthly = _province(final, catalogue, tourists).filter(pl.col("period").str.starts_with("2024-"))
        spring = monthly.filter(pl.col("period").is_in(["2024-01", "2024-02"]))["value"].mean()
        assert spring > monthly["value"].mean()


def test_pct_of_target_directions() -> None:
    assert demo.pct_of_target("up", 90, 100) == pytest.approx(90)
    assert demo.pct_of_target("down", 125, 100) == pytest.approx(80)
    assert demo.pct_of_target("target", 4.05, 4.5) == pytest.approx(90)
    assert demo.pct_of_target("target", 4.95, 4.5) == pytest.approx(90)


@pytest.mark.slow
def test_load_demo_into_a_database(tmp_path, catalogue: Catalogue) -> None:
    """Through ingest_frame like real files: the store ends up holding exactly what was generated."""
    import db
    from loaders.catalogue_store import load_catalogue_into

    today = dt.date(2023, 9, 30)  # a shorter history keeps the test quick; the full load is the same code
    path = tmp_path / "demo.duckdb"
    load_catalogue_into(path)
    with db.write(path) as con:
        summary = demo.load_demo(con, catalogue, today, SEED)
    batches = demo.generate(catalogue, today, SEED)
    assert summary.submissions == len(batches)
    assert summary.rejected == 3
    assert summary.accepted == summary.submissions - 3
    assert summary.revisions == sum(b.kind == "revision" for b in batches) >= 3
    expected = demo.final_values(batches).select("indicator_code", "period", "locality_code", "value", "note")
    with db.read(path) as con:
        stored = con.sql("SELECT indicator_code, period, locality_code, value, note FROM observations").pl()
        submissions = con.sql("SELECT status, submitted_by, file_name FROM submissions").pl()
        history = con.execute("SELECT count(*) FROM observation_history").fetchall()[0][0]
        audit = con.execute("SELECT detail FROM audit_log WHERE action = 'demo_load'").fetchall()
    key = ["indicator_code", "period", "locality_code"]
    assert stored.sort(key).equals(expected.sort(key))
    assert summary.observations == stored.height
    assert history > stored.height  # the estimates stay in the history
    assert (submissions["submitted_by"] == demo.DEMO_USER).all()
    assert sorted(submissions.filter(pl.col("status") == "rejected")["file_name"]) == sorted(
        b.file_name for b in batches if b.kind == "rejected"
    )
    assert len(audit) == 1 and '"demo": true' in audit[0][0]
