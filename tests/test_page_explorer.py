"""The explorer: smoke in both languages, filters in the address, pivot shapes, chart choice, exact downloads."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from dashboard import export
from dashboard.views import explorer as view
from db import queries
from tools import browser

PAGE = str(settings.ROOT / "app_pages" / "explorer.py")
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _run(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _param(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [m.value for m in at.caption] + [i.value for i in at.info])


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("tab", ["pivot", "chart", "data"])
def test_explorer_renders_in_both_languages(demo_db, lang, tab):
    at = _run(lang=lang, view=tab)
    assert not at.exception
    for key in ("group", "field", "department", "frequency", "indicator", "commune"):
        assert at.multiselect(key=f"qp_{key}") is not None
    assert at.selectbox(key="qp_from").value == "2025-01"  # January of last year by default...
    assert _param(at, "from") == ["2025-01"]  # ...pinned in the address, so a copied link keeps its range
    assert at.selectbox(key="qp_to").value == view.ALL
    assert ("số liệu" if lang == "vi" else "figures") in _text(at)
    if tab != "chart":
        assert len(at.dataframe[0].value) > 0
    if tab == "data":  # CSV, XLSX and Parquet of the filtered data
        assert len(at.get("download_button")) == 3


def test_indicator_filter_from_the_address(demo_db):
    at = _run(indicator="PR-06", view="data", **{"from": "2026-01"})
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["indicator_code"]) == {"PR-06"}
    expected = queries.explorer_count(demo_db, view.build_filters(codes=["PR-06"], month_from="2026-01"))["n"][0]
    assert len(table) == min(expected, view.SHOW_ROWS)
    assert _param(at, "indicator") == ["PR-06"]


def test_indicator_filter_by_widget_goes_to_the_address(demo_db):
    at = _run(view="data")
    everything = len(at.dataframe[0].value)
    at.multiselect(key="qp_indicator").select("IN-01").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["indicator_code"]) == {"IN-01"}
    assert 0 < len(table) < everything
    assert _param(at, "indicator") == ["IN-01"]


def test_big_selection_is_capped_with_a_message(demo_db):
    at = _run(view="data", **{"from": view.ALL})
    assert not at.exception
    total = queries.explorer_count(demo_db, queries.ExplorerFilters())["n"][0]
    assert total > view.SHOW_ROWS
    assert len(at.dataframe[0].value) == view.SHOW_ROWS
    total_text = f"{total:,}".replace(",", ".")  # 105.709
    assert any(total_text in i.value and "5.000" in i.value for i in at.info)


def test_commune_filter_and_province_sentinel(demo_db):
    at = _run(indicator="PR-06", commune=["province", "07210"], view="data", **{"from": "2026-06"})
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["place"]) <= {"Toàn tỉnh", "Bắc Giang"}
    assert "Bắc Giang" in set(table["place"])
    assert _param(at, "commune") == ["province", "07210"]


def test_pivot_choice_lives_in_the_address(demo_db):
    at = _run(indicator="PR-06", rows="commune", cols="period", **{"from": "2026-10", "to": "2026-10"})
    assert not at.exception
    pivot = at.dataframe[0].value
    assert len(pivot) == 100  # the province (made from the communes: PR-06 sums them), then every commune and ward
    assert list(pivot.columns)[:1] == ["place"]
    assert {"Tuần 41/2026", "Tuần 42/2026", "Tuần 43/2026"} <= set(pivot.columns)
    assert at.selectbox(key="qp_rows").value == "commune"
    assert "đúng một số liệu" in _text(at)  # the cell rule is said on the page


def test_mixed_indicators_in_one_cell_are_not_added_up(demo_db):
    at = _run(indicator=["IN-01", "IN-03"], rows="commune", cols="period")
    assert not at.exception
    assert at.warning and "Chỉ số" in at.warning[0].value


def test_empty_selection_says_so(demo_db):
    at = _run(indicator="OU-11")  # an indicator of the catalogue with no data yet
    assert not at.exception
    assert any("Không có dữ liệu" in i.value for i in at.info)


# --------------------------------------------------------------------------- filters


def test_build_filters_maps_the_address_to_the_query():
    f = view.build_filters(["input"], [], ["STC"], ["IN-01"], ["province", "07210"], "2025-02", "2025-03")
    assert f.groups == ("input",) and f.departments == ("STC",) and f.codes == ("IN-01",)
    assert f.localities == ("", "07210")
    assert f.period_from == date(2025, 2, 1) and f.period_to == date(2025, 3, 31)
    nothing = view.build_filters(month_from=view.ALL, month_to=view.ALL)
    assert nothing == queries.ExplorerFilters()
    # a frequency filter becomes indicator codes; none of that frequency matches nothing
    assert view.build_filters(frequency_codes=["A", "B"]).codes == ("A", "B")
    assert view.build_filters(frequency_codes=[]).codes == ("",)
    assert view.build_filters(codes=["A"], frequency_codes=["B"]).codes == ("A",)


def test_month_options_and_default_range():
    months = view.month_options(date(2025, 11, 3), TODAY)
    assert months[0] == "2026-11" and months[-1] == "2025-11" and len(months) == 13
    assert view.default_from(TODAY) == "2025-01"
    assert view.month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert view.month_bounds(view.ALL) is None and view.month_bounds("junk") is None
    assert view.range_text("2025-01", view.ALL, "vi", "Kỳ đầu tiên", "Kỳ mới nhất") == "Tháng 1/2025 – Kỳ mới nhất"
    assert view.range_text("2025-01", "2025-01", "en", "a", "b") == "Jan 2025"


def test_indicator_options_follow_the_other_filters():
    meta = pl.DataFrame(
        {
            "code": ["A", "B", "C"],
            "group": ["input", "input", "outcome"],
            "field": ["economy", "health", "economy"],
            "owner": ["STC", "SYT", "STC"],
            "frequency": ["monthly", "annual", "monthly"],
            "position": [3, 1, 2],
        }
    )
    assert view.indicator_options(meta) == ["B", "C", "A"]  # catalogue order
    assert view.indicator_options(meta, groups=["input"]) == ["B", "A"]
    assert view.indicator_options(meta, fields=["economy"], departments=["STC"]) == ["C", "A"]
    assert view.indicator_options(meta, frequencies=["annual"]) == ["B"]


# --------------------------------------------------------------------------- pivot


def _obs(code, period, start, end, place, value, name=None):
    return {
        "indicator_code": code,
        "name_vi": name or f"Chỉ số {code}",
        "name_en": f"Indicator {code}",
        "unit": "%" if code == "RATE" else "tỷ đồng",
        "frequency": "monthly",
        "period": period,
        "period_start": start,
        "period_end": end,
        "locality_code": place,
        "locality_name": {"": None, "07210": "Bắc Giang", "09295": "Bồng Lai"}[place],
        "value": value,
    }


JAN = ("2025-01", date(2025, 1, 1), date(2025, 1, 31))
FEB = ("2025-02", date(2025, 2, 1), date(2025, 2, 28))
META = pl.DataFrame(
    {
        "code": ["FLOW", "RATE", "STOCK", "NONE"],
        "position": [1, 2, 3, 4],
        "aggregation": ["sum", "mean", "sum", "none"],
        "value_type": ["flow", "rate", "stock", "flow"],
        "source": ["s"] * 4,
    }
)


@pytest.fixture
def frame() -> pl.DataFrame:
    rows = [
        # FLOW: two communes in Jan (no province row), a province row and communes in Feb
        _obs("FLOW", *JAN, "07210", 10.0),
        _obs("FLOW", *JAN, "09295", 30.0),
        _obs("FLOW", *FEB, "", 100.0),
        _obs("FLOW", *FEB, "07210", 40.0),
        _obs("FLOW", *FEB, "09295", 50.0),
        # RATE: communes in Jan and Feb
        _obs("RATE", *JAN, "07210", 80.0),
        _obs("RATE", *JAN, "09295", 90.0),
        _obs("RATE", *FEB, "07210", 70.0),
        # STOCK: province only
        _obs("STOCK", *JAN, "", 5.0),
        _obs("STOCK", *FEB, "", 7.0),
    ]
    return pl.DataFrame(rows)


def _cell(p: view.Pivot, key_col: str, key: str, column: str) -> float | None:
    return p.table.filter(pl.col(key_col) == key)[column][0]


def test_pivot_one_observation_per_cell_is_the_value(frame):
    one = frame.filter(pl.col("indicator_code") == "FLOW")
    p = view.pivot(one, META, "commune", "period", lang="vi", province="Toàn tỉnh")
    assert p.mode == "value" and p.max_per_cell == 1
    assert p.table.columns == ["place", "Tháng 1/2025", "Tháng 2/2025"]
    assert p.table["place"].to_list() == ["Toàn tỉnh", "Bắc Giang", "Bồng Lai"]  # province first, then A-Z
    assert _cell(p, "place", "Bắc Giang", "Tháng 2/2025") == 40.0
    assert _cell(p, "place", "Toàn tỉnh", "Tháng 1/2025") is None


def test_pivot_folding_communes_takes_the_province_or_the_indicator_aggregation(frame):
    p = view.pivot(frame, META, "indicator", "period", lang="en", province="Province")
    assert p.mode == "auto"
    assert p.table.columns == ["indicator_code", "name", "unit", "Jan 2025", "Feb 2025"]
    assert p.table["indicator_code"].to_list() == ["FLOW", "RATE", "STOCK"]
    assert _cell(p, "indicator_code", "FLOW", "Jan 2025") == 40.0  # sum of the communes
    assert _cell(p, "indicator_code", "FLOW", "Feb 2025") == 100.0  # the submitted province value
    assert _cell(p, "indicator_code", "RATE", "Jan 2025") == 85.0  # mean of the communes
    assert _cell(p, "indicator_code", "STOCK", "Feb 2025") == 7.0


def test_pivot_folding_periods_by_kind_of_indicator(frame):
    p = view.pivot(frame, META, "indicator", "commune", lang="vi", province="Toàn tỉnh")
    assert p.mode == "auto"
    assert _cell(p, "indicator_code", "FLOW", "Bắc Giang") == 50.0  # a flow adds up over periods
    assert _cell(p, "indicator_code", "RATE", "Bắc Giang") == 75.0  # a rate is averaged
    assert _cell(p, "indicator_code", "STOCK", "Toàn tỉnh") == 7.0  # a level: the latest period


def test_pivot_never_adds_up_different_indicators_by_itself(frame):
    p = view.pivot(frame, META, "commune", "period", lang="vi", province="Toàn tỉnh")
    assert p.mode == "mixed" and p.table.is_empty()
    chosen = view.pivot(frame, META, "commune", "period", "count", lang="vi", province="Toàn tỉnh")
    assert chosen.mode == "count"
    assert _cell(chosen, "place", "Bắc Giang", "Tháng 1/2025") == 2.0  # FLOW and RATE


@pytest.mark.parametrize(("how", "expected"), [("sum", 90.0), ("mean", 45.0), ("min", 40.0), ("max", 50.0)])
def test_pivot_explicit_aggregations(frame, how, expected):
    feb_communes = frame.filter((pl.col("indicator_code") == "FLOW") & (pl.col("locality_code") != ""))
    p = view.pivot(feb_communes, META, "indicator", "period", how, lang="vi", province="Toàn tỉnh")
    assert _cell(p, "indicator_code", "FLOW", "Tháng 2/2025") == expected


def test_pivot_shapes_for_every_pair_of_dimensions(frame):
    one = frame.filter(pl.col("indicator_code") == "FLOW")
    shapes = {}
    for rows in view.DIMENSIONS:
        for cols in view.DIMENSIONS:
            if rows != cols:
                p = view.pivot(one, META, rows, cols, "sum", lang="vi", province="Toàn tỉnh")
                shapes[(rows, cols)] = (p.table.height, len(p.value_columns))
    assert shapes == {
        ("indicator", "commune"): (1, 3),
        ("indicator", "period"): (1, 2),
        ("commune", "indicator"): (3, 1),
        ("commune", "period"): (3, 2),
        ("period", "indicator"): (2, 1),
        ("period", "commune"): (2, 3),
    }
    with pytest.raises(ValueError):
        view.pivot(one, META, "period", "period")
    with pytest.raises(ValueError):
        view.pivot(one, META, "period", "commune", "median")


def test_pivot_keeps_the_latest_period_columns(frame):
    p = view.pivot(frame, META, "indicator", "period", lang="vi", province="Toàn tỉnh", max_columns=1)
    assert p.value_columns == ["Tháng 2/2025"] and p.hidden_columns == 1
    notes = view.pivot_cuts(p, "period", lambda key, **kw: f"{key}:{kw}", str)
    assert notes and "pivot_cut_columns" in notes[0]
    shown = view.pivot_display(p, "vi")
    assert shown["Tháng 2/2025"].to_list() == ["100", "70", "7"]


def test_pivot_display_writes_numbers_the_vietnamese_way():
    p = view.Pivot(pl.DataFrame({"place": ["a", "b"], "x": [1234.5, None]}), "value", ["place"], ["x"])
    assert view.pivot_display(p, "vi")["x"].to_list() == ["1.234,5", ""]
    assert view.pivot_display(p, "en")["x"].to_list() == ["1,234.5", ""]


# --------------------------------------------------------------------------- chart


def test_chart_by_commune_for_one_period(frame):
    one = frame.filter((pl.col("indicator_code") == "FLOW") & (pl.col("period") == "2025-02"))
    plan = view.chart_plan(one, META, "vi", "Toàn tỉnh")
    assert plan.by == "commune"
    assert sorted(plan.frame["name"].to_list()) == ["Bắc Giang", "Bồng Lai"]  # communes only, no province bar
    assert plan.span == "Tháng 2/2025"


def test_chart_by_period_for_one_indicator_and_a_few_places(frame):
    one = frame.filter(pl.col("indicator_code") == "FLOW")
    plan = view.chart_plan(one, META, "vi", "Toàn tỉnh")
    assert plan.by == "period" and set(plan.frame["series"]) == {"Toàn tỉnh", "Bắc Giang", "Bồng Lai"}
    assert plan.span == "Tháng 1/2025 – Tháng 2/2025"


def test_chart_refuses_mixed_units_and_too_many_indicators(frame):
    assert view.chart_plan(frame, META, "vi", "x").reason == "mixed_units"
    many = pl.concat(
        [
            frame.filter(pl.col("indicator_code") == "FLOW").with_columns(indicator_code=pl.lit(f"I{i}"))
            for i in range(7)
        ]
    )
    assert view.chart_plan(many, META, "vi", "x").reason == "too_many_indicators"
    assert view.chart_plan(frame.clear(), META, "vi", "x").by is None


def test_chart_by_period_for_several_indicators_folds_the_communes(demo_db):
    meta = queries.catalogue(demo_db)
    data = queries.explorer(demo_db, view.build_filters(codes=["IN-01", "IN-02"], month_from="2026-01"), limit=None)
    plan = view.chart_plan(data, meta, "vi", "Toàn tỉnh")
    assert plan.by == "period" and plan.frame["series"].n_unique() == 2
    assert plan.frame.height == data.height  # province indicators: one point per observation


# --------------------------------------------------------------------------- downloads


def test_downloads_hold_exactly_the_filtered_rows(demo_db):
    filters = view.build_filters(codes=["PR-02"], communes=["07210", "09295"], month_from="2026-01")
    count = queries.explorer_count(demo_db, filters)["n"][0]
    everything = queries.explorer(demo_db, filters, limit=None)
    out = view.download_frame(everything)
    assert out.height == count > 0
    assert out.columns == list(queries.EXPLORER_COLUMNS)
    assert set(out["indicator_code"]) == {"PR-02"}
    assert set(out["locality_code"]) == {"07210", "09295"}
    assert out["period_start"].min() >= date(2026, 1, 1)
    # what the buttons write holds the same rows
    csv = pl.read_csv(io.BytesIO(export.table_csv(out)), infer_schema=False)
    assert csv.height == count
    parquet = pl.read_parquet(io.BytesIO(export.table_parquet(out)))
    assert parquet.height == count and parquet["value"].sum() == pytest.approx(out["value"].sum())
    # more rows than the table shows: the downloads still hold all of them
    broad = view.build_filters(month_from="2026-01")
    broad_count = queries.explorer_count(demo_db, broad)["n"][0]
    assert broad_count > view.SHOW_ROWS
    assert view.download_frame(queries.explorer(demo_db, broad, limit=None)).height == broad_count


def test_detail_table_labels_and_numbers(frame):
    table = view.detail_table(
        frame.head(3).with_columns(
            department=pl.lit("STC"), submitted_at=None, note=None, computed=False, n_localities=pl.lit(None, pl.Int32)
        ),
        "vi",
        "Toàn tỉnh",
    )
    assert table.columns == [
        "indicator_code", "name", "period_label", "place", "value_text", "unit", "department", "submitted_at", "note"
    ]  # fmt: skip
    assert table["period_label"].to_list() == ["Tháng 1/2025", "Tháng 1/2025", "Tháng 2/2025"]
    assert table["place"].to_list() == ["Bắc Giang", "Bồng Lai", "Toàn tỉnh"]


def _as(username: str, demo_db) -> AppTest:
    from auth.accounts import get_account
    from dashboard.login import SESSION_KEY

    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["view"] = "data"
    at.query_params["indicator"] = "IN-01"
    at.session_state[SESSION_KEY] = get_account(demo_db, username)
    return at.run()


def test_a_submitter_reads_but_does_not_download(demo_db):
    at = _as("syt", demo_db)
    assert not at.exception
    assert len(at.dataframe[0].value) > 0
    assert not at.get("download_button")
    assert any("chuyên viên phân tích" in c.value for c in at.caption)  # no promise of downloads it cannot make


def test_a_leader_downloads_for_a_report(demo_db):
    at = _as("lanhdao", demo_db)
    assert not at.exception
    assert [b.label for b in at.get("download_button")][:2] == ["Tải CSV", "Tải Excel (XLSX)"]


# --------------------------------------------------------------------------- in a real browser


@pytest.mark.browser
@pytest.mark.skipif(not Path(browser.CHROMIUM).exists(), reason="no Chromium")
def test_filters_and_tab_survive_a_language_switch_in_a_browser(demo_app, chromium):
    """Streamlit sends a multiselect's choice back as the labels shown: a language switch must not empty it."""
    base = demo_app
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{base}/explorer?indicator=IN-01&group=input&view=chart")
    browser.wait_idle(page)
    page.locator('[data-testid="stSidebar"] button', has_text="English").first.click()
    browser.wait_idle(page)
    page.locator('[data-testid="stTab"]', has_text="Detailed data").first.click()
    browser.wait_idle(page)
    page.locator('[data-testid="stTab"]', has_text="Pivot table").first.click()  # back to the first tab
    browser.wait_idle(page)
    assert browser.exceptions_on(page) == []
    query = parse_qs(urlparse(page.url).query)
    assert query.get("indicator") == ["IN-01"] and query.get("group") == ["input"]
    assert query.get("lang") == ["en"] and "view" not in query  # the pivot is the default tab
    selected = page.locator('[data-testid="stTab"][aria-selected="true"]').all_inner_texts()
    assert selected == ["Pivot table"]
