"""The five group pages (one renderer): smoke in both languages, filters bound to the address, view functions."""

from __future__ import annotations

import html
from datetime import date

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from dashboard import figures
from dashboard.views import group as view
from rules import tally
from tests.html_tables import rows as html_rows

GROUPS = ("input", "process", "output", "outcome", "composite")


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _param(at: AppTest, key: str) -> list[str]:
    """A query parameter of the app's address after the run, as a list (repeated keys hold several)."""
    value = at.query_params.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _table(at: AppTest) -> list[dict[str, str]]:
    """The group table's rows, read from the HTML the page draws."""
    return [row for h in at.html for row in html_rows(h.value)]


def _app(group: str, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(settings.ROOT / "app_pages" / f"{group}.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("group", GROUPS)
def test_group_page_renders(demo_db, group, lang):
    at = _app(group, lang=lang).run()
    assert not at.exception
    table = _table(at)
    assert len(table) > 0
    # every row links to its indicator page, in the reader's language
    for row in table:
        assert row["href"] == "./indicator?code=" + row["code"] + ("&lang=en" if lang == "en" else "")
        assert row["name"] and row["status"] and row["period"]
    assert at.selectbox(key="qp_department") is not None
    assert at.selectbox(key="qp_field") is not None
    assert at.multiselect(key="qp_status") is not None
    # the summary sentence at the top
    words = "chỉ tiêu đạt hoặc vượt kế hoạch" if lang == "vi" else "on track or ahead of plan"
    assert any(words in m.value for m in at.markdown)
    # CSV and XLSX downloads of the table, PNG and SVG of its chart, and the group's report pack (DOCX, PDF, PPTX)
    keys = sorted(b.key for b in at.get("download_button"))
    assert keys == sorted(
        [f"csv_group_{group}", f"xlsx_group_{group}", f"png_group_{group}_plan", f"svg_group_{group}_plan"]
        + [f"{k}_report_{group}" for k in ("docx", "pdf", "pptx")]
    )
    # the chart against the plan, drawn on the server as SVG (no chart library in the browser), each name in it
    assert at.get("vega_lite_chart") == []
    (drawn,) = [m.value for m in at.markdown if 'class="gc"' in m.value]
    assert drawn.count("<svg") == 2  # at the narrow and the wide width
    drawn_text = html.unescape(drawn)
    for row in table:  # every indicator with a plan to date is drawn (a long name cut at the axis' limit)
        if "%" in row["pct_of_plan"]:
            assert row["name"][:20] in drawn_text, row["code"]


def test_status_filter_from_the_address(demo_db):
    at = _app("input", status="off_track").run()
    assert not at.exception
    statuses = {row["status"] for row in _table(at)}
    assert statuses == {"Không đạt"}
    assert _param(at, "status") == ["off_track"]


def test_status_filter_by_widget_goes_to_the_address(demo_db):
    at = _app("outcome").run()
    everything = len(_table(at))
    at.multiselect(key="qp_status").select("at_risk").run()
    assert not at.exception
    table = _table(at)
    assert 0 < len(table) < everything
    assert {row["status"] for row in table} == {"Có nguy cơ"}
    assert _param(at, "status") == ["at_risk"]


def test_department_and_field_filters(demo_db):
    at = _app("input").run()
    at.selectbox(key="qp_department").select("SYT").run()
    assert not at.exception
    assert {row["owner"] for row in _table(at)} == {"Sở Y tế"}
    assert _param(at, "department") == ["SYT"]
    at.selectbox(key="qp_field").select("budget").run()
    assert _table(at) == []  # Y tế owns no budget indicator: the empty state
    assert any("Không có dữ liệu" in i.value for i in at.info)
    assert _param(at, "field") == ["budget"]


# --------------------------------------------------------------------------- view functions on small frames


def _rows() -> pl.DataFrame:
    base = {
        "name_vi": "Chỉ số",
        "name_en": "Indicator",
        "owner_name_vi": "Sở",
        "owner_name_en": "Dept",
        "unit": "tỷ đồng",
        "period": "2026-10",
        "value": 1234.5,
        "ytd": 5000.0,
        "target": 10000.0,
        "pct_of_plan": 96.0,
        "pct_of_target": 50.0,
        "change_prev": 10.0,
        "change_prev_pct": 0.82,
        "change_yoy": -100.0,
        "change_yoy_pct": -7.5,
        "change_yoy_ytd_pct": 3.0,
        "trend": "improving",
        "worsening": False,
        "sparkline": [1.0, 2.0],
        "position": 0,
        "field": "budget",
        "group": "input",
    }
    rows = [
        {"code": "A", "owner": "STC", "status": "on_track", "position": 1},
        {"code": "B", "owner": "SYT", "status": "off_track", "field": "health", "position": 2},
        {
            "code": "C",
            "owner": "STC",
            "status": "late",
            "group": "process",
            "position": 3,
            "unit": "%",
            "change_prev": 0.5,
        },
    ]
    return pl.DataFrame([{**base, **r} for r in rows])


def test_filter_rows():
    rows = _rows()
    assert view.filter_rows(rows, "input")["code"].to_list() == ["A", "B"]
    assert view.filter_rows(rows, None, departments=["STC"])["code"].to_list() == ["A", "C"]
    assert view.filter_rows(rows, None, fields=["health"])["code"].to_list() == ["B"]
    assert view.filter_rows(rows, None, statuses=["late", "off_track"])["code"].to_list() == ["B", "C"]
    assert view.filter_rows(rows, "input", ["STC"], ["budget"], ["off_track"]).is_empty()


def test_table_frame_writes_numbers_for_the_reader():
    vi = view.table_frame(_rows(), "vi")
    assert vi["value"][0] == "1.234,5 tỷ đồng"
    assert vi["period"][0] == "Tháng 10/2026"
    assert vi["vs_previous"][0] == "+0,8 %"
    assert vi["vs_last_year"][0] == "−7,5 %"
    assert vi["vs_previous"][2] == "+0,5 điểm %"  # a rate changes in points
    assert vi["status"][1] == "Không đạt"
    assert vi["indicator"][0] == "./indicator?code=A#Chỉ số"
    en = view.table_frame(_rows(), "en")
    assert en["value"][0] == "1,234.5 tỷ đồng" and en["period"][0] == "Oct 2026"
    assert en["indicator"][0] == "./indicator?code=A&lang=en#Indicator"


def test_download_frame_keeps_numbers():
    out = view.download_table(_rows().with_columns(as_of=pl.lit(date(2026, 11, 23))), "vi").download
    assert out["Giá trị"].dtype == pl.Float64
    assert out["Tình trạng"].to_list()[1] == "Không đạt"
    assert out["Kỳ báo cáo"][0] == "Tháng 10/2026"


def test_summary_sentences():
    sentences = view.summary_sentences(tally.tally(_rows()), "vi")
    assert sentences[:2] == ["1/3 chỉ tiêu đạt hoặc vượt kế hoạch", "1/3 chỉ tiêu không đạt kế hoạch"]
    assert view.summary_sentences({"total": 2, "on_track": 2}, "vi") == ["Tất cả 2 chỉ tiêu đều đạt hoặc vượt kế hoạch"]
    assert view.field_label("budget", "vi") == "Ngân sách" and view.field_label("zzz", "vi") == "zzz"


@pytest.mark.parametrize(
    ("value", "unit", "lang", "expected"),
    [
        (1.04, "%", "vi", "1,04 %"),
        (7874.4, "tỷ đồng", "vi", "7.874,4 tỷ đồng"),
        (65908.3, "tỷ đồng", "vi", "65.908 tỷ đồng"),
        (0.8193, "điểm", "en", "0.8193 điểm"),
        (100.0, "%", "en", "100%"),
        (3621810.0, "người", "vi", "3.621.810 người"),
        (None, "%", "vi", "–"),
    ],
)
def test_a_figure_keeps_its_decimals(value, unit, lang, expected):
    assert figures.value(value, unit, lang) == expected
