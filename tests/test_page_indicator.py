"""/indicator: the chooser, the card, tiles, history, communes, components and files; and its view functions."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from dashboard import figures, numbers
from dashboard.i18n import t
from dashboard.views import communes, indicator_card
from dashboard.views import indicator as view
from db import queries
from rules import quality

PAGE = str(settings.ROOT / "app_pages" / "indicator.py")
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _run(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _table(at: AppTest, *columns: str):
    """The first table holding every one of ``columns`` (pandas), or None."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    return None


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("code", [None, "IN-01", "OC-10", "CP-10"])
def test_the_page_renders_in_both_languages(demo_db, lang, code):
    at = _run(lang=lang, **({"code": code} if code else {}))
    assert not at.exception
    assert at.selectbox(key="qp_code") is not None and at.text_input(key="qp_q") is not None
    if code is None:
        assert at.title[0].value == t("page.indicator", lang)
        assert len(_table(at, t("ui.code", lang), t("ui.name", lang))) == queries.catalogue(demo_db).height
        return
    row = view.resolve(queries.catalogue(demo_db), code)
    assert at.title[0].value == figures.name(row, lang)
    assert at.selectbox(key="qp_code").value == code
    paced = row["value_type"] in ("flow", "ytd") and row["targets"]
    # value, ytd or target, status; % of the year's target, (% of plan to date), vs previous, vs last year
    assert len(at.metric) == (7 if paced else 6)
    assert [tab.label for tab in at.tabs][0] == t("indicator.tab_history", lang)
    assert len(at.get("download_button")) >= 4  # every chart PNG+SVG, every table CSV+XLSX


def test_the_chooser_searches_without_diacritics_and_opens_the_choice(demo_db):
    at = _run(q="ty le ho ngheo")
    assert not at.exception
    listed = _table(at, "Mã")
    assert "OC-10" in set(listed["Mã"]) and len(listed) < 10
    assert any(option.startswith("OC-10 · ") for option in at.selectbox(key="qp_code").options)
    at.selectbox(key="qp_code").set_value("OC-10").run()
    assert not at.exception
    assert at.query_params["code"] == "OC-10"
    assert at.title[0].value == "Tỷ lệ hộ nghèo"


def test_an_unknown_code_says_so_and_offers_the_chooser(demo_db):
    at = _run(code="NO-SUCH")
    assert not at.exception
    assert at.warning and "NO-SUCH" in at.warning[0].value
    assert at.selectbox(key="qp_code").value == ""
    assert _table(at, "Mã") is not None


def test_a_code_in_any_case_opens_and_the_address_keeps_the_stored_form(demo_db):
    at = _run(code="in-01")
    assert not at.exception
    assert at.query_params["code"] == "IN-01"
    assert at.title[0].value == "Thu ngân sách nhà nước trên địa bàn"


def test_tiles_of_a_flow_show_year_to_date_and_changes(demo_db):
    at = _run(code="IN-01")
    labels = [m.label for m in at.metric]
    assert labels[1] == t("indicator.tile_ytd", "vi")
    assert "tỷ đồng" in at.metric[0].value and "," in at.metric[0].value  # Vietnamese decimal comma
    latest = queries.province_series(demo_db, ["IN-01"]).sort("period_start")["period"][-1]  # October 2026
    assert latest == "2026-10"
    assert labels[3:] == [
        "% kế hoạch năm", "% kế hoạch đến kỳ", "So với kỳ trước · Tháng 9/2026", "So với cùng kỳ · Tháng 10/2025"
    ]  # fmt: skip


def test_a_commune_level_indicator_shows_its_communes_and_a_communes_own_series(demo_db):
    at = _run(code="OC-10")
    assert not at.exception
    assert t("indicator.tab_communes", "vi") in [tab.label for tab in at.tabs]
    communes = _table(at, "Xếp hạng", "Xã, phường")
    assert len(communes) == queries.localities(demo_db).height
    latest = queries.commune_periods(demo_db, "OC-10")["period"][0]
    assert at.selectbox(key="qp_period").value == latest
    # lower is better for the poverty rate: rank 1 is the lowest value
    values = queries.commune_values(demo_db, "OC-10", latest)
    lowest = values.sort("value")["locality_name"][0]
    assert communes.iloc[0]["Xã, phường"] == lowest

    at.selectbox(key="qp_locality").set_value("07210").run()
    assert not at.exception
    assert at.query_params["locality"] == "07210"
    own = _table(at, "Kỳ báo cáo", "Ghi chú", "Thời điểm nộp")
    assert own is not None and len(own) == queries.locality_series(demo_db, "OC-10", "07210").height
    assert any("Bắc Giang" in s.value for s in at.subheader)


def test_a_shared_commune_address_opens_on_the_communes_tab_with_its_period(demo_db):
    at = _run(code="OC-10", period="2023", locality="07210")
    assert not at.exception
    assert at.selectbox(key="qp_period").value == "2023"
    assert at.selectbox(key="qp_locality").value == "07210"
    assert view.opened({"level": "commune"}, {"period": "2023"}) == "communes"


def test_a_computed_composite_shows_its_contributions_with_links(demo_db):
    at = _run(code="CP-10")
    assert not at.exception
    assert t("indicator.tab_components", "vi") in [tab.label for tab in at.tabs]
    parts = _table(at, t("ui.weight", "vi"), t("ui.contribution", "vi"))
    components = {c["code"] for c in view.resolve(queries.catalogue(demo_db), "CP-10")["components"]}
    assert set(parts["Mã"]) == components
    assert all(link.startswith("./indicator?code=") for link in parts["Xem chi tiết"])
    assert at.info and t("indicator.computed_no_files", "vi") == at.info[-1].value


def test_the_files_behind_the_figures_and_their_revisions(demo_db):
    revised = queries.history(demo_db, "IN-01", None, True)
    assert revised.height  # the demo revises IN-01 once
    at = _run(code="IN-01")
    files = _table(at, "Tệp số liệu", "Người nộp", "Số giá trị")
    assert len(files) == queries.indicator_submissions(demo_db, "IN-01").height
    revisions = _table(at, "Giá trị trước", "Lần")
    assert len(revisions) == revised.height


def test_an_indicator_without_data_still_shows_its_card(demo_db):
    gaps = quality.gaps(queries.load_store(demo_db), queries.coverage(demo_db), TODAY).filter(pl.col("no_data"))
    code = gaps["code"][0]
    at = _run(code=code)
    assert not at.exception
    assert any(i.value == t("indicator.no_values", "vi") for i in at.info)
    assert t("indicator.tab_card", "vi") in [tab.label for tab in at.tabs]


def test_the_time_span_lives_in_the_address(demo_db):
    at = _run(code="IN-01")
    series = _table(at, "Kỳ báo cáo", "Lũy kế")
    at.selectbox(key="qp_span").set_value("all").run()
    assert at.query_params["span"] == "all"
    assert len(_table(at, "Kỳ báo cáo", "Lũy kế")) == len(series)  # the table always holds every period


# --------------------------------------------------------------------------- view functions


def _catalogue() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": ["OC-10", "IN-01", "PR-02"],
            "name_vi": ["Tỷ lệ hộ nghèo", "Thu ngân sách", "Tỷ lệ hồ sơ đúng hạn"],
            "name_en": ["Poverty rate", "Budget revenue", "Dossiers on time"],
        }
    )


def test_search_ignores_case_and_diacritics_and_reads_codes():
    cat = _catalogue()
    assert view.search(cat, "ty le ho ngheo")["code"].to_list() == ["OC-10"]
    assert view.search(cat, "TỶ LỆ")["code"].to_list() == ["OC-10", "PR-02"]
    assert view.search(cat, "in-01")["code"].to_list() == ["IN-01"]
    assert view.search(cat, "revenue")["code"].to_list() == ["IN-01"]
    assert view.search(cat, "")["code"].to_list() == cat["code"].to_list()
    assert view.chooser_options(cat, "ngheo") == ["", "OC-10"]
    assert view.chooser_options(cat, "ngheo", current="IN-01") == ["", "IN-01", "OC-10"]


def test_resolve_matches_any_case():
    cat = _catalogue()
    assert view.resolve(cat, " oc-10 ")["code"] == "OC-10"
    assert view.resolve(cat, "nope") is None
    assert view.resolve(cat, None) is None


def test_decimals_show_the_series_as_submitted():
    assert numbers.decimals([1.04, 1.2, 0.9]) == 2
    assert numbers.decimals([7874.4, 9108.3]) == 1
    assert numbers.decimals([7874.4, 65908.3]) == 0  # from ten thousand up, none
    assert numbers.decimals([12, 13]) == 0
    assert numbers.decimals([0.8241]) == 4
    assert numbers.decimals([None, float("nan")]) == 0


def test_changes_of_a_rate_are_in_points_and_of_an_amount_in_percent():
    assert figures.change(-0.2, -16.1, "%", "vi", 2) == "−0,20 điểm %"
    assert figures.change(528.2, 7.2, "tỷ đồng", "en") == "+7.2%"
    assert figures.change(528.2, None, "tỷ đồng", "en") == "+528.2 tỷ đồng"  # against 0: in its unit
    assert figures.change(2.16, 3.2, "điểm", "vi") == "+2,16 điểm"  # a score: in its unit
    assert figures.change(None, None, "%", "vi") == "–"


def _latest(**kw) -> dict:
    base = {
        "code": "OC-10", "name_vi": "Tỷ lệ hộ nghèo", "name_en": "Poverty rate", "unit": "%",
        "value_type": "rate", "direction": "down", "period": "2025", "value": 1.04, "ytd": 1.04,
        "target": 0.9, "pct_of_plan": 86.5, "pct_of_target": 86.5, "status": "off_track", "trend": "improving",
        "change_prev": -0.2, "change_prev_pct": -16.1, "prev_period": "2024", "change_yoy": -0.2,
        "change_yoy_pct": -16.1, "yoy_period": "2024", "change_yoy_ytd_pct": -16.1,
    }  # fmt: skip
    return base | kw


def test_tiles_colour_changes_by_direction_and_show_the_target():
    tiles = view.tiles(_latest(), "vi")
    assert [tile.label for tile in tiles][:2] == ["Giá trị · Năm 2025", "Chỉ tiêu năm 2025"]
    assert tiles[1].value == "0,9 %"
    assert tiles[2].value == "Không đạt" and tiles[2].delta == "Cải thiện" and tiles[2].delta_color == "green"
    assert tiles[3].label == "Mức đạt kế hoạch năm"  # lower is better: an attainment, not "% of plan"
    assert tiles[4].value == "−0,2 điểm %" and tiles[4].delta is None  # a rate's change is in points
    amount = view.tiles(_latest(unit="tỷ đồng", direction="up", change_prev=-10.0, change_prev_pct=-5.0), "vi")
    assert amount[4].value == "−5,0 %" and amount[4].delta == "−10 tỷ đồng"
    assert (amount[4].delta_color, amount[4].delta_arrow) == ("red", "down")  # falling: bad news when up is good
    down = view.tiles(_latest(unit="tỷ đồng", change_prev=-10.0, change_prev_pct=-5.0), "vi")
    assert (down[4].delta_color, down[4].delta_arrow) == ("green", "down")  # falling: good news when down is good
    flat = view.tiles(_latest(unit="tỷ đồng", change_prev=0.0, change_prev_pct=0.0, direction="up"), "vi")
    assert flat[4].delta_color == "gray" and flat[4].delta_arrow == "off"
    flow = view.tiles(
        _latest(value_type="flow", unit="tỷ đồng", value=7874.4, ytd=65908.3, plan_to_date=60000.0, target=72000.0),
        "en",
    )
    assert flow[1].label == "Year to date" and flow[1].value == "65,908 tỷ đồng"
    assert [tile.label for tile in flow][3:5] == ["Attainment of the year's target", "Attainment of plan to date"]
    none = view.tiles(_latest(target=None, status="no_target"), "vi")
    assert none[1].value == t("indicator.no_target_short", "vi") and none[3].value == "–"


def test_history_frame_by_value_type():
    series = pl.DataFrame(
        {
            "period": ["2026-01", "2026-02"], "value": [10.0, 12.0], "ytd": [10.0, 22.0], "target": [120.0, 120.0],
            "plan_to_date": [10.0, 20.0], "status": ["on_track", "on_track"],
        }
    )  # fmt: skip
    flow, mark = view.history_frame(series, "flow")
    assert mark == "bar" and flow["target"].null_count() == 2  # a period's own amount has no target line
    ytd, mark = view.history_frame(series, "ytd")
    assert mark == "line" and ytd["target"].to_list() == [10.0, 20.0]  # against the plan to date
    rate, _ = view.history_frame(series, "rate")
    assert rate["target"].to_list() == [120.0, 120.0]
    frame, target, year = view.ytd_frame(series.with_columns(pl.col("period")))
    assert target == 120.0 and year == "2026" and frame["plan_ytd"].to_list() == [10.0, 20.0]


def test_window_keeps_the_last_years():
    starts = [date(2022, 1, 1), date(2024, 6, 1), date(2025, 1, 1), date(2026, 3, 1)]
    series = pl.DataFrame({"period": ["a", "b", "c", "d"], "period_start": starts})
    assert view.window(series, "1")["period"].to_list() == ["d"]
    assert view.window(series, "3")["period"].to_list() == ["b", "c", "d"]
    assert view.window(series, "all").height == 4


def test_communes_judged_against_the_target_and_ranked_by_direction():
    row = {
        "aggregation": "mean", "value_type": "rate", "direction": "down", "on_track_pct": 100.0,
        "at_risk_pct": 90.0, "targets": [{"year": 2025, "value": 1.0}], "unit": "%",
    }  # fmt: skip
    values = pl.DataFrame(
        {
            "locality_code": ["a", "b", "c", "d"], "locality_name": ["An", "Bình", "Chũ", "Đông"],
            "kind": ["xa", "xa", "phuong", "xa"], "value": [0.9, 1.05, 1.5, None], "rank": [3, 2, 1, None],
            "share_pct": [None] * 4, "note": [None] * 4,
        }
    )  # fmt: skip
    frame = communes.commune_frame(values, row, "2025")
    assert frame["status"].to_list() == ["on_track", "at_risk", "off_track", None]
    table = communes.commune_table(frame, row, "vi")
    assert table.display["Xã, phường"].to_list() == ["An", "Bình", "Chũ", "Đông"]  # lowest first
    assert table.display["Xếp hạng"].to_list() == ["1", "2", "3", "–"]
    assert table.download["Giá trị"].to_list()[:3] == [0.9, 1.05, 1.5]
    summed = communes.commune_frame(values, row | {"aggregation": "sum"}, "2025")
    assert summed["status"].null_count() == 4  # a commune's part of a sum is not judged against the target


def test_card_escapes_data_and_links_the_owner():
    row = {
        "code": "X-1", "name_vi": "A", "name_en": "A", "group": "input", "field": "budget", "owner": "STC",
        "owner_name_vi": "Sở <Tài chính>", "owner_name_en": "Finance", "source": "<script>", "unit": "%",
        "frequency": "monthly", "value_type": "rate", "level": "province", "aggregation": "none",
        "direction": "up", "valid_min": 0.0, "valid_max": 100.0, "deadline_days": 10, "central_code": None,
        "targets": [{"year": 2026, "value": 5.0}], "on_track_pct": 100.0, "at_risk_pct": 90.0,
        "stage": "verified", "components": [{"code": "IN-01", "weight": 0.5}],
    }  # fmt: skip
    sections = indicator_card.card_sections(row, "vi")
    text = "".join(indicator_card.card_html(h, f) for h, f in sections)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert 'href="./department?code=STC"' in text and "Sở &lt;Tài chính&gt;" in text
    assert 'href="./indicator?code=IN-01"' in text
    steps = indicator_card.stage_steps("verified", "vi")
    assert [s["state"] for s in steps] == ["done", "done", "done", "current", "todo", "todo"]


def test_sections_and_opened_tab():
    commune = {"level": "commune", "components": []}
    composite = {"level": "province", "components": [{"code": "A", "weight": 1.0}]}
    assert view.sections(commune) == ["history", "communes", "card", "submissions"]
    assert view.sections(composite) == ["history", "components", "card", "submissions"]
    assert view.opened(commune, {"locality": "07210"}) == "communes"
    assert view.opened(composite, {"period": "2026-10"}) == "components"
    assert view.opened(composite, {}) == "history"


def test_the_commune_chart_sits_on_an_a4_page_unless_every_commune_is_asked_for(demo_db):
    """By default the best and the worst 15 (and the chosen commune): its PNG is no taller than an A4 page's text
    block (16 × 24.7 cm); the toggle, kept in the address, draws all 99."""
    import json

    from dashboard import export

    def bars(at: AppTest) -> tuple[int, dict]:
        specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
        spec = next(s for s in specs if "theo xã, phường" in s.get("title", {}).get("text", ""))
        layer = next(layer for layer in spec["layer"] if layer.get("name") == "bars")
        data = layer["data"]
        rows = data["values"] if "values" in data else spec["datasets"][data["name"]]
        return len(rows), spec

    at = _run(code="OC-10", locality="07210")
    assert not at.exception
    n, spec = bars(at)
    assert n in (30, 31)  # 15 + 15, and Bắc Giang when it is neither
    assert "15 xã, phường đầu và 15 cuối trong số 99" in spec["title"]["subtitle"]
    width, height = export.png_size(export.chart_png(spec))
    assert height <= width * 247 / 160
    at.toggle(key="qp_communes").set_value(True).run()
    assert not at.exception and at.query_params["communes"] in (["all"], "all")
    assert bars(at)[0] == 99
