"""Presentation mode: smoke in both languages, next/previous kept in the address, choosing slides, view functions."""

from __future__ import annotations

import html
import inspect
from datetime import datetime

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from dashboard.charts import chart_text
from dashboard.views import present as view

PAGE = str(settings.ROOT / "app_pages" / "present.py")


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _app(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def _param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    if isinstance(value, list | tuple):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def _html(at: AppTest) -> str:
    """The page's HTML: st.html elements and the slide (a raw HTML block in st.markdown), references resolved."""
    return html.unescape("\n".join([h.value for h in at.html] + [m.value for m in at.markdown]))


def test_buttons_accept_keyboard_shortcuts():
    assert "shortcut" in inspect.signature(st.button).parameters


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_present_renders(demo_db, lang):
    at = _app(lang=lang).run()
    assert not at.exception
    body = _html(at)
    assert 'class="pr-title"' in body and 'class="pr-value"' in body and 'class="pr-summary"' in body
    assert ("Trang 1/14" if lang == "vi" else "Slide 1 of 14") in body
    assert at.button(key="present_prev").disabled
    assert not at.button(key="present_next").disabled
    assert at.button(key="present_next").proto.shortcut.lower() == "right"
    assert at.button(key="present_prev").proto.shortcut.lower() == "left"


def test_next_advances_and_the_address_holds_the_slide(demo_db):
    at = _app().run()
    first = _html(at)
    at.button(key="present_next").click().run()
    assert not at.exception
    assert _param(at, "slide") == "2"
    assert "Trang 2/14" in _html(at)
    assert _html(at) != first
    at.button(key="present_next").click().run()
    assert _param(at, "slide") == "3"
    at.button(key="present_prev").click().run()
    assert _param(at, "slide") == "2"


def test_slide_from_the_address_is_kept_in_range(demo_db):
    at = _app(slide="99").run()
    assert not at.exception
    assert _param(at, "slide") == "14"
    assert at.button(key="present_next").disabled


def test_present_a_department_and_a_list(demo_db):
    at = _app(by="department", department="STC").run()
    assert not at.exception
    assert "Sở Tài chính" in _html(at)
    at = _app(by="codes", codes=["OC-10", "CP-01"], slide="2").run()
    assert not at.exception
    body = _html(at)
    assert "Trang 2/2" in body and "CP-01" in body  # the order chosen is kept
    at = _app(by="codes").run()
    assert not at.exception
    assert 'class="pr-empty"' in _html(at)


def test_focus_on_warnings(demo_db):
    at = _app(focus="warnings").run()
    assert not at.exception
    assert "Trang 1/" in _html(at) and "Trang 1/14" not in _html(at)


# --------------------------------------------------------------------------- view functions on small frames


def _evaluated() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": ["A", "B", "C", "D"],
            "group": ["input", "input", "process", "input"],
            "owner": ["STC", "SYT", "STC", "STC"],
            "owner_name_vi": ["Sở Tài chính", "Sở Y tế", "Sở Tài chính", "Sở Tài chính"],
            "owner_name_en": ["Finance", "Health", "Finance", "Finance"],
            "status": ["on_track", "off_track", "on_track", "on_track"],
            "worsening": [False, False, False, True],
            "position": [3, 1, 2, 4],
        }
    )


def test_slide_rows():
    ev = _evaluated()
    assert view.slide_rows(ev, "group", "input")["code"].to_list() == ["B", "A", "D"]
    assert view.slide_rows(ev, "department", department="STC")["code"].to_list() == ["C", "A", "D"]
    assert view.slide_rows(ev, "codes", codes=["d", "B", "zz"])["code"].to_list() == ["D", "B"]
    assert view.slide_rows(ev, "group", "input", focus="warnings")["code"].to_list() == ["B", "D"]


@pytest.mark.parametrize(("text", "n", "expected"), [("3", 5, 3), ("0", 5, 1), ("9", 5, 5), ("x", 5, 1), (None, 0, 1)])
def test_clamp_slide(text, n, expected):
    assert view.clamp_slide(text, n) == expected


def _series(periods: list[str]) -> pl.DataFrame:
    k = len(periods)
    return pl.DataFrame(
        {
            "period": periods,
            "value": [float(i + 1) for i in range(k)],
            "ytd": [float(i + 1) for i in range(k)],
            "target": [12.0] * k,
            "plan_to_date": [float(i + 1) for i in range(k)],
            "status": ["on_track"] * k,
        }
    )


def test_chart_kind_and_frame():
    months = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 5)]
    series = _series(months)
    frame, kind = view.chart_frame(series, "monthly", "flow")
    assert kind == "ytd" and frame["period"].to_list() == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert frame.columns == ["period", "ytd", "plan_ytd"]
    frame, kind = view.chart_frame(series, "monthly", "rate")
    assert kind == "history" and frame.height == 16 and frame["target"].to_list()[0] == 12.0
    two = _series(months[:14])  # only two months of the latest year: the history, as bars without a target
    frame, kind = view.chart_frame(two, "monthly", "flow")
    assert kind == "history" and frame["target"].null_count() == frame.height
    long = _series([f"{y}-{m:02d}" for y in range(2020, 2027) for m in range(1, 13)])
    assert view.chart_frame(long, "monthly", "stock")[0].height == view.WINDOW["monthly"]


def test_slide_figure_is_big_and_labelled_and_drawn_at_both_shapes():
    months = [f"2026-{m:02d}" for m in range(1, 5)]
    row = {"frequency": "monthly", "value_type": "flow", "target": 12.0, "direction": "up"}
    labels = chart_text("x", "vi", unit="tỷ đồng", period="Tháng 4/2026", demo=True)
    figure = view.slide_figure(_series(months), row, labels)
    spec = figure.to_dict()
    assert spec["title"]["text"] == "Lũy kế từ đầu năm so với kế hoạch"
    assert "Dữ liệu minh hoạ (demo)" in spec["title"]["subtitle"]
    assert spec["config"]["axis"]["labelFontSize"] >= 20  # big-screen type
    svgs = view.chart_svgs(figure)
    # the whole image is drawn at each shape, for a 16:9 and a 4:3 screen
    assert 'viewBox="0 0 1000 600"' in svgs["wide"] and 'viewBox="0 0 1000 900"' in svgs["tall"]
    assert "Lũy kế từ đầu năm so với kế hoạch" in svgs["wide"]  # text stays text, in the page's font


def test_the_agenda_of_every_indicator_goes_group_by_group():
    ev = _evaluated().with_columns(group=pl.Series(["outcome", "input", "process", "input"]))
    assert view.slide_rows(ev, "all")["code"].to_list() == ["B", "D", "C", "A"]
    assert view.slide_rows(ev, "all", focus="warnings")["code"].to_list() == ["B", "D"]


def test_the_meeting_moment():
    assert view.frozen_at("2026-11-23T13:25:07") == datetime(2026, 11, 23, 13, 25, 7)
    assert view.frozen_at("2026-11-23T13:25:07.5") == datetime(2026, 11, 23, 13, 25, 7)
    assert view.frozen_at("hôm qua") is None and view.frozen_at(None) is None
    assert view.freeze_text(datetime(2026, 11, 23, 13, 25, 7, 900)) == "2026-11-23T13:25:07"
    frozen = datetime(2026, 11, 23, 13, 25, 7)
    # nothing came since (to the second): the data as it stands; a later file: the data as it stood then
    assert view.stands_at(frozen, datetime(2026, 11, 23, 13, 25, 7, 600)) is None
    assert view.stands_at(frozen, datetime(2026, 11, 23, 13, 25, 8)) == frozen
    assert view.stands_at(None, datetime(2026, 11, 23)) is None and view.stands_at(frozen, None) is None


def _slide_elements(at: AppTest) -> list[str]:
    return [html.unescape(m.value) for m in at.markdown if "pr-slide" in m.value]


def test_a_slide_is_one_element(demo_db):
    """Title, chart, figures, sentence and number travel together: Streamlit replaces them at once."""
    at = _app(slide="2").run()
    slides = _slide_elements(at)
    assert len(slides) == 1
    body = slides[0]
    for part in ('class="pr-title"', "<svg", 'class="pr-value"', 'class="pr-summary"', "Trang 2/14"):
        assert part in body, part
    others = "\n".join(h.value for h in at.html)
    assert 'class="pr-title"' not in others and 'class="pr-value"' not in others and "Trang 2/14" not in others
    assert 'data-slide="IN-02"' in body and 'data-number="2"' in body


def test_the_deck_holds_still_when_a_file_arrives(demo_copy, tmp_path):
    from loaders.ingest import submit_file

    at = _app(slide="1").run()
    frozen = _param(at, "asof")
    assert frozen and view.frozen_at(frozen) is not None
    assert "7.874,4" in _slide_elements(at)[0] and "giữ nguyên trong phiên họp" in _html(at)
    revised = tmp_path / "stc.csv"
    revised.write_text("indicator_code,period,value\nIN-01,2026-10,8123.4\n", encoding="utf-8")
    assert submit_file(revised, "STC", db_path=demo_copy, submitted_by="test").status == "accepted"
    st.cache_data.clear()
    at.run()
    assert _param(at, "asof") == frozen
    body = _slide_elements(at)[0]
    assert "7.874,4" in body and "8.123,4" not in body  # the meeting's figures hold still
    assert "đã có số liệu mới hơn" in _html(at)
    at.button(key="present_refresh").click().run()
    assert "8.123,4" in _slide_elements(at)[0]
    assert view.frozen_at(_param(at, "asof")) > view.frozen_at(frozen)
    assert "đã có số liệu mới hơn" not in _html(at)


def test_summary_sentence():
    row = {
        "code": "IN-01",
        "name_vi": "Thu ngân sách",
        "name_en": "Budget revenue",
        "value": 7874.4,
        "unit": "tỷ đồng",
        "period": "2026-10",
        "value_type": "flow",
        "direction": "up",
        "ytd": 65908.3,
        "target": 62000.0,
        "pct_of_target": 106.3,
        "change_yoy_ytd_pct": 23.2,
    }
    assert view.summary(row, "vi") == (
        "Thu ngân sách (Tháng 10/2026): 7.874,4 tỷ đồng; lũy kế từ đầu năm 65.908 tỷ đồng, "
        "bằng 106,3 % kế hoạch năm, tăng 23,2 % so với cùng kỳ."
    )
    rate = {
        "code": "OC-10",
        "name_vi": "Tỷ lệ hộ nghèo",
        "name_en": "Poverty rate",
        "value": 1.04,
        "unit": "%",
        "period": "2025",
        "value_type": "rate",
        "direction": "down",
        "target": 1.2,
        "change_yoy": -0.2,
        "change_yoy_pct": -16.1,
    }
    assert view.summary(rate, "vi") == (
        "Tỷ lệ hộ nghèo (Năm 2025): 1,04 %, kế hoạch năm không quá 1,2 %; giảm 0,2 điểm % so với cùng kỳ."
    )
    assert view.summary(rate, "en") == (
        "Poverty rate (2025): 1.04%, year's target at most 1.2%; down 0.2 pp on the same period last year."
    )
    assert view.summary({"value": None}, "vi") == "Chưa có số liệu."


def test_panel_and_context_html():
    row = {
        "code": "IN-01",
        "name_vi": "Thu <ngân sách>",
        "owner": "STC",
        "owner_name_vi": "Sở Tài chính",
        "value": 7874.4,
        "unit": "tỷ đồng",
        "period": "2026-10",
        "status": "late",
        "days_overdue": 5,
        "value_type": "stock",
        "target": 9000.0,
        "pct_of_target": 87.5,
        "change_prev": 1.0,
        "change_prev_pct": 2.0,
        "change_yoy": None,
        "change_yoy_pct": None,
        "trend": "stable",
    }
    panel = view.panel_html(row, "vi")
    assert "7.874,4" in panel and "Chậm báo cáo" in panel and "quá hạn 5 ngày" in panel and "87,5 %" in panel
    assert "Thu &lt;ngân sách&gt;" in view.title_html(row, "vi", "Hằng tháng")
    text = view.context_text("group", "process", None, [], True, _evaluated(), "vi")
    assert "Quá trình" in text and "Chỉ các chỉ số cần lưu ý" in text


def _layer_values(spec: dict, name: str) -> list[dict]:
    layer = next(layer for layer in spec["layer"] if layer.get("name") == name)
    data = layer["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def test_the_slide_chart_writes_its_labels_as_the_panel_does():
    """The last value keeps its own decimals (1,04, as the panel), and only the latest target is labelled."""
    series = pl.DataFrame(
        {
            "period": ["2022", "2023", "2024", "2025"],
            "value": [1.98, 1.59, 1.24, 1.04],
            "target": [2.0, 1.6, 1.2, 0.9],
            "status": ["on_track", "on_track", "at_risk", "off_track"],
        }
    )
    row = {"frequency": "annual", "value_type": "rate", "direction": "down", "unit": "%"}
    spec = view.slide_figure(series, row, chart_text("x", "vi", unit="%")).to_dict()
    assert [v["value_text"] for v in _layer_values(spec, "last_value")] == ["1,04"]
    assert [v["label"] for v in _layer_values(spec, "target_label")] == ["Chỉ tiêu: 0,9"]
