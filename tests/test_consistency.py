"""Every figure reads the same wherever it is shown (issue 8's cross-view test).

For every indicator, its value, period, status, trend, % of plan, % of the year's target, year to date and "as of"
are compared across the overview, its group page, its indicator page, its department page, its slide, the
explorer, the downloads and the evaluation export:

* on the demo database, through the pages themselves (AppTest);
* on a generated catalogue (seeded) holding every frequency, value type, level, aggregation and direction,
  through the views the pages call, and with the evaluation export checked against the plain recomputation
  of ``test_export_evaluation`` (the rules by hand, from the observations and catalogue exports alone).
"""

from __future__ import annotations

import html
import json
import random
import re
from datetime import date, datetime, time, timedelta

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import figures, numbers
from dashboard.charts import Stamp
from dashboard.views import department, group, overview, present
from dashboard.views import explorer as explorer_view
from dashboard.views import indicator as indicator_view
from db import queries
from loaders import export
from rules import calendar, evaluate
from tests import test_export_evaluation as by_hand
from tests.fixtures_db import Obs, build, indicator
from tests.html_tables import rows as html_rows
from tests.pages import run_page

TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _text(markup: str) -> str:
    """The text a reader sees in a block of HTML: tags dropped (a figure may be split in spans to wrap whole)."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def _html(at: AppTest) -> str:
    # st.html elements, and raw HTML blocks of st.markdown (a slide: its inline SVG chart needs it)
    return "\n".join(_text(h.proto.body) for h in [*at.get("html"), *at.get("markdown")])


# --------------------------------------------------------------------------- the demo, through the pages


@pytest.fixture(scope="module")
def demo(demo_db):
    latest = evaluate.latest(queries.load_store(demo_db), TODAY)
    return latest, {r["code"]: figures.of(r, "vi") for r in latest.iter_rows(named=True)}


def test_the_evaluation_export_holds_the_figures_the_pages_show(demo, demo_db):
    latest, _ = demo
    exported = export.evaluation(demo_db, TODAY)
    assert exported["indicator_code"].to_list() == latest["code"].to_list()
    for column in ("period", "value", "target", "pct_of_target", "pct_of_plan", "trend", "status", "as_of"):
        assert exported[column].to_list() == latest[column].to_list(), column


@pytest.mark.parametrize("name", group.GROUPS)
def test_group_pages(demo, demo_db, name):
    latest, texts = demo
    table = [row for h in run_page(name).html for row in html_rows(h.value)]
    assert {row["code"] for row in table} == set(latest.filter(pl.col("group") == name)["code"])
    for row in table:
        f = texts[row["code"]]
        shown = (row["status"], row["period"], row["value"], row["vs_previous"], row["vs_last_year"], row["trend"])
        assert shown == (f.status, f.period, f.value, f.vs_previous, f.vs_last_year, f.trend), row["code"]
        assert row["pct_of_plan"] == f.pct_of_plan, row["code"]  # written as figures writes it (was "127.6 %")


def test_department_pages(demo, demo_db):
    latest, texts = demo
    for owner in sorted(set(latest["owner"])):
        at = run_page("department", code=owner)
        table = [row for h in at.html for row in html_rows(h.value)]
        assert len(table) == latest.filter(pl.col("owner") == owner).height
        for row in table:
            f = texts[row["code"]]
            shown = (row["status"], row["value"], row["period"], row["pct_of_plan"])
            assert shown == (f.status, f.value, f.period, f.pct_of_plan), row["code"]
            assert row["trend"] in (f.trend, "–", "")


def test_the_overview(demo, demo_db):
    latest, texts = demo
    body = _html(run_page("overview"))
    as_of = texts[latest["code"][0]].as_of
    assert f"Số liệu tính đến ngày {as_of}" in body
    warned = overview.warning_rows(latest)
    assert warned.height > 0
    for row in warned.iter_rows(named=True):  # each warning's figures, as on its pages
        f = texts[row["code"]]
        assert f.period in body and f.value in body, row["code"]
        if row["pct_of_plan"] is not None:
            assert f"{f.pct_of_plan} kế hoạch đến kỳ" in body, row["code"]
    for row in latest.filter(pl.col("group") == "composite").iter_rows(named=True):
        f = texts[row["code"]]
        assert f.value in body and f"{f.status} · {f.period}" in body, row["code"]


# One indicator of each kind of the demo: every value type, direction, level and frequency it holds.
SAMPLE = ("IN-01", "IN-05", "IN-07", "PR-02", "PR-08", "PR-10", "OU-05", "OC-03", "OC-10", "OC-14", "CP-10", "OC-12")


@pytest.mark.parametrize("code", SAMPLE)
def test_the_indicator_page_and_its_slide(demo, demo_db, code):
    latest, texts = demo
    f = texts[code]
    row = latest.filter(pl.col("code") == code).row(0, named=True)
    at = run_page("indicator", code=code)
    tiles = {m.label: (m.value, m.delta) for m in at.metric}
    assert tiles[f"Giá trị · {f.period}"][0] == f.value
    assert tiles["Đánh giá"] == (f.status, f.trend or None)
    assert (tiles["Lũy kế từ đầu năm"][0] if row["value_type"] == "flow" else f.ytd) == f.ytd
    of_year, to_date = indicator_view.plan_labels(row, "vi")
    if row["target"] is not None:
        assert tiles[of_year][0] == f.pct_of_target
        if row["value_type"] in ("flow", "ytd"):
            assert tiles[to_date][0] == f.pct_of_plan
    assert next(v for k, (v, _) in tiles.items() if k.startswith("So với kỳ trước")) == f.vs_previous
    assert next(v for k, (v, _) in tiles.items() if k.startswith("So với cùng kỳ")) == f.vs_last_year
    assert f.sentence in _html(at)
    subtitles = [
        s for c in at.get("vega_lite_chart") for s in (json.loads(c.proto.spec).get("title") or {}).get("subtitle", [])
    ]
    assert any(f"Số liệu tính đến {f.as_of}" in s for s in subtitles)

    slide = latest.filter(pl.col("group") == row["group"]).sort("position", "code")["code"].to_list().index(code) + 1
    shown = _html(run_page("present", group=row["group"], slide=str(slide)))
    assert f.status in shown and f.period in shown and f.sentence in shown
    assert f.vs_previous in shown and f.vs_last_year in shown and f.as_of in shown
    if row["target"] is not None:
        assert f.pct_of_target in shown


def test_the_explorer_shows_each_province_value(demo, demo_db):
    latest, texts = demo
    at = run_page("explorer", commune="province", view="data", **{"from": "2026-01"})
    table = at.dataframe[0].value
    shown = {(r["indicator_code"], r["period_label"]): r["value_text"] for r in table.to_dict("records")}
    checked = 0
    for row in latest.filter(pl.col("period_start") >= date(2026, 1, 1)).iter_rows(named=True):
        f = texts[row["code"]]
        if row["computed"] and row["group"] == "composite":
            continue  # computed composites are scores, not values in the store
        number = numbers.fmt_number(row["value"], "vi", numbers.decimals(row["value"]))
        assert shown[(row["code"], f.period)] == number and f.value.startswith(number), row["code"]
        checked += 1
    assert checked > 30


# --------------------------------------------------------------------------- a generated catalogue of every kind

FREQUENCIES = ("weekly", "monthly", "quarterly", "half_yearly", "annual")
VALUE_TYPES = ("flow", "ytd", "stock", "rate")
LEVELS = (("province", "none"), ("commune", "sum"), ("commune", "mean"), ("commune", "none"))
DIRECTIONS = ("up", "down", "target")
PLACES = ("07210", "09187", "07537")


def _generate(path, seed: int = 20261126):
    """Every combination, with targets for some years, gaps, revisions, province rows beside communes."""
    rng = random.Random(seed)
    inds, obs, targets = [], [], {}
    n = 0
    for frequency in FREQUENCIES:
        for value_type in VALUE_TYPES:
            for level, aggregation in LEVELS:
                for direction in DIRECTIONS:
                    n += 1
                    code = f"G{n:03d}"
                    unit = rng.choice(["%", "tỷ đồng", "điểm", "người"])
                    inds.append(
                        indicator(
                            code, frequency=frequency, value_type=value_type, level=level, aggregation=aggregation,
                            direction=direction, unit=unit, group=rng.choice(group.GROUPS[:4]),
                            owner=rng.choice(["STC", "SYT", "SCT"]), deadline_days=rng.choice([5, 15, 30]),
                        )
                    )  # fmt: skip
                    if rng.random() < 0.8:
                        targets[code] = {y: round(rng.uniform(50, 150), 1) for y in (2025, 2026) if rng.random() < 0.85}
                    first = calendar.containing(date(2025, 1, 1), frequency)
                    stop = rng.choice([TODAY, TODAY - timedelta(days=100), TODAY - timedelta(days=20)])
                    last = calendar.containing(stop, frequency)
                    running = 0.0
                    for period in calendar.between(first, last):
                        if rng.random() < 0.08:
                            continue  # a gap
                        base = rng.uniform(5, 20)
                        if value_type == "ytd":
                            running = base if period.index == 1 else running + base
                            base = running
                        at = datetime.combine(period.end + timedelta(days=rng.randint(1, 40)), time(9))
                        text = str(period)
                        if level == "province" or (aggregation != "none" and rng.random() < 0.1):
                            obs.append(Obs(code, text, round(base * 4, 2), "", at=at))
                        if level == "commune":
                            for place in PLACES:
                                obs.append(Obs(code, text, round(base * rng.uniform(0.5, 1.5), 2), place, at=at))
                            if aggregation == "none" and rng.random() < 0.7:
                                obs.append(Obs(code, text, round(base * 3, 2), "", at=at))
                        if rng.random() < 0.03:  # a revision a little later
                            obs.append(Obs(code, text, round(base * 1.1, 2), "" if level == "province" else PLACES[0],
                                           at=at + timedelta(days=3)))  # fmt: skip
    inds.append(indicator("GC01", group="composite", unit="điểm", frequency="quarterly", value_type="rate"))
    inds.append(indicator("GC02", group="composite", unit="điểm", frequency="annual", value_type="rate"))
    components = {"GC01": [("G013", 0.5), ("G030", 0.3), ("G050", 0.2)], "GC02": [("GC01", 0.6), ("G200", 0.4)]}
    return build(path, inds, obs, targets=targets, components=components)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = _generate(tmp_path_factory.mktemp("generated") / "generated.duckdb")
    store = queries.load_store(path)
    return path, store, evaluate.latest(store, TODAY)


def test_the_generated_catalogue_holds_every_kind(generated):
    _, _, latest = generated
    kinds = set(latest.select("frequency", "value_type", "level", "aggregation", "direction").iter_rows())
    assert len(kinds) == len(FREQUENCIES) * len(VALUE_TYPES) * len(LEVELS) * len(DIRECTIONS)
    assert {"on_track", "at_risk", "off_track", "no_target", "late"} <= set(latest["status"])
    assert {"improving", "stable", "worsening"} <= set(latest["trend"].drop_nulls())


def test_the_evaluation_export_agrees_with_the_plain_recomputation(generated, tmp_path):
    path, _, _ = generated
    catalogue = {r["code"]: r for r in export.catalogue_records(path)}
    observations = export.table("observations", path).with_columns(
        pl.col("submitted_at").dt.strftime("%Y-%m-%dT%H:%M:%S"), pl.col("value").cast(pl.String)
    )
    for record in catalogue.values():
        record["targets"] = {str(y): v for y, v in record["targets"].items()}
    want = by_hand.expected(catalogue, observations.to_dicts())
    got = export.evaluation(path, TODAY).to_dicts()
    wrong = []
    for row in got:
        mine = want[row["indicator_code"]]
        for name, value in mine.items():
            if not by_hand._same(row[name], value):
                wrong.append((row["indicator_code"], name, row[name], value))
    assert not wrong, wrong[:10]


def test_every_view_writes_the_figures_of_figures_of(generated):
    path, store, latest = generated
    stamp = Stamp("vi", store.as_of, False)
    table = group.table_frame(latest, "vi").to_dicts()
    by_department = {
        r["Mã"]: r
        for owner in set(latest["owner"])
        for r in department.indicators_table(latest.filter(pl.col("owner") == owner), "vi").display.to_dicts()
    }
    warnings = overview.warnings_html(overview.warning_rows(latest), "vi")
    data = explorer_view.detail_table(
        queries.explorer(path, queries.ExplorerFilters(localities=("",)), limit=None), "vi", "Toàn tỉnh"
    )
    explorer_values = {(r["indicator_code"], r["period_label"]): r["value_text"] for r in data.to_dicts()}
    for row, shown in zip(latest.iter_rows(named=True), table, strict=True):
        f = figures.of(row, "vi")
        assert (shown["status"], shown["period"], shown["value"], shown["trend"]) == (
            f.status,
            f.period,
            f.value,
            f.trend,
        )
        assert (shown["vs_previous"], shown["vs_last_year"]) == (f.vs_previous, f.vs_last_year)
        mine = by_department[row["code"]]
        assert (mine["Tình trạng"], mine["Giá trị mới nhất"], mine["% kế hoạch đến kỳ"]) == (
            f.status, f.value, f.pct_of_plan
        )  # fmt: skip
        tiles = {t.label: t.value for t in indicator_view.tiles(row, "vi")}
        assert tiles[f"Giá trị · {f.period}"] == f.value and tiles["Đánh giá"] == f.status
        panel = _text(present.panel_html(row, "vi"))
        assert f.status in panel and f.vs_previous in panel and f.period in panel
        if row["status"] in ("off_track", "late") or row["worsening"]:
            assert f.value in html.unescape(warnings), row["code"]
        if row["value"] is not None and not row["computed"] or row["n_localities"]:
            number = numbers.fmt_number(row["value"], "vi", numbers.decimals(row["value"]))
            assert explorer_values[(row["code"], f.period)] == number, row["code"]
        assert f.as_of == figures.date(store.as_of, "vi")
    assert stamp.text("x").subtitle[-1].endswith(figures.date(store.as_of, "vi"))
