"""The leadership overview: smoke in both languages, the warnings and their links, and the view functions."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from dashboard.views import overview as view
from dashboard.views.group import summary_sentences
from rules import tally
from rules.store import as_of_date

PAGE = str(settings.ROOT / "app_pages" / "overview.py")


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


def _html(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_renders_in_both_languages(demo_db, lang):
    at = _run(lang=lang)
    assert not at.exception
    body = _html(at)
    # the five groups, each a link to its group page
    for group in ("input", "process", "output", "outcome", "composite"):
        suffix = "" if lang == "vi" else "?lang=en"
        assert f'href="./{group}{suffix}"' in body
    # the demo mark and the data's date are on the page, not only in the sidebar
    assert ("Dữ liệu minh hoạ" if lang == "vi" else "Demonstration data") in body
    assert ("Số liệu tính đến ngày" if lang == "vi" else "Data as of") in body


def test_overview_shows_warnings_linking_to_indicator_and_department(demo_db):
    at = _run()
    assert not at.exception
    body = _html(at)
    assert "chỉ tiêu đạt hoặc vượt kế hoạch" in body
    assert 'class="ov-warn"' in body
    # an off-track indicator of the demo (DDI, owned by the Department of Finance) is among the warnings
    assert 'href="./indicator?code=IN-05"' in body
    assert 'href="./department?code=STC"' in body
    # a late one too, with the days it is overdue
    assert 'href="./indicator?code=PR-09"' in body
    assert "quá hạn" in body
    # the rest of the warnings wait in an expander
    assert len(at.expander) == 1


def test_overview_links_keep_the_language(demo_db):
    body = _html(_run(lang="en"))
    assert 'href="./indicator?code=IN-05&amp;lang=en"' in body
    assert "indicators on track or ahead of plan" in body


def test_overview_composites_and_departments(demo_db):
    body = _html(_run())
    assert ">PCI<" in body and 'href="./indicator?code=CP-01"' in body
    assert "tính toán" in body  # computed composites are marked
    assert 'class="ov-dept"' in body and 'href="./department?code=TTPVHCC"' in body


# --------------------------------------------------------------------------- view functions on small frames


def _evaluated(rows: list[dict]) -> pl.DataFrame:
    base = {
        "code": "X",
        "name_vi": "Chỉ số",
        "name_en": "Indicator",
        "group": "input",
        "owner": "STC",
        "owner_name_vi": "Sở Tài chính",
        "owner_name_en": "Department of Finance",
        "unit": "%",
        "period": "2026-10",
        "value": 50.0,
        "pct_of_plan": 100.0,
        "status": "on_track",
        "worsening": False,
        "days_overdue": None,
        "position": 0,
        "direction": "up",
        "change_yoy": 1.0,
        "yoy_value": 49.0,
        "target": 60.0,
        "computed": False,
    }
    return pl.DataFrame([{**base, **r} for r in rows])


def test_warning_rows_order_and_reasons():
    frame = _evaluated(
        [
            {"code": "A", "status": "on_track", "worsening": True, "position": 1},
            {"code": "B", "status": "off_track", "pct_of_plan": 85.0, "position": 2},
            {"code": "C", "status": "late", "days_overdue": 10, "position": 3},
            {"code": "D", "status": "off_track", "pct_of_plan": 60.0, "position": 4, "worsening": True},
            {"code": "E", "status": "on_track", "position": 5},
            {"code": "F", "status": "at_risk", "worsening": True, "position": 6},
            {"code": "G", "status": "late", "days_overdue": 40, "position": 7},
        ]
    )
    out = view.warning_rows(frame)
    assert out["code"].to_list() == ["D", "B", "G", "C", "F", "A"]
    assert out["reason"].to_list() == ["off_track", "off_track", "late", "late", "worsening", "worsening"]
    assert out["rank"].to_list() == [1, 2, 3, 4, 5, 6]


def test_warnings_html_escapes_and_links():
    frame = view.warning_rows(_evaluated([{"code": "B", "status": "off_track", "name_vi": "<b>x</b> & y"}]))
    body = view.warnings_html(frame, "vi")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in body
    assert 'href="./indicator?code=B"' in body and 'href="./department?code=STC"' in body
    assert "Không đạt" in body and "Tháng 10/2026" in body and "100,0 % kế hoạch đến kỳ" in body


def test_short_name():
    assert view.short_name("Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)") == (
        "PCI",
        "Chỉ số năng lực cạnh tranh cấp tỉnh",
    )
    assert view.short_name("Chỉ số an sinh") == ("Chỉ số an sinh", "")


def test_composite_tiles_colour_the_change_by_direction():
    frame = _evaluated(
        [
            {
                "code": "UP",
                "group": "composite",
                "name_vi": "Chỉ số (PCI)",
                "unit": "điểm",
                "change_yoy": 2.0,
                "position": 1,
            },
            {"code": "DN", "group": "composite", "direction": "down", "unit": "điểm", "change_yoy": 2.0, "position": 2},
        ]
    )
    body = view.composite_tiles_html(view.composite_rows(frame), "vi", computed=["DN"])
    first, second = body.split('class="ov-tile"')[1:]
    assert 'class="delta good"' in first and ">PCI<" in first and "+2,0 điểm so với cùng kỳ" in first
    assert 'class="delta bad"' in second and "tính toán" in second


def test_group_cards_count_every_status():
    frame = _evaluated(
        [
            {"code": "A", "group": "input", "status": "on_track"},
            {"code": "B", "group": "input", "status": "off_track"},
            {"code": "C", "group": "process", "status": "late"},
        ]
    )
    body = view.group_cards_html(frame, "vi")
    assert body.count('class="ov-card"') == 5
    assert "1<small>/2</small>" in body  # input: one of two on track
    assert "Chậm báo cáo" in body


def test_department_rows_put_problems_first():
    summary = pl.DataFrame(
        {
            "department": ["A", "B", "C", "D"],
            "name_vi": ["A", "B", "C", "D"],
            "name_en": ["A", "B", "C", "D"],
            "indicators": [2, 3, 1, 0],
            "on_track": [2, 1, 0, 0],
            "at_risk": [0, 0, 1, 0],
            "off_track": [0, 1, 0, 0],
            "late": [0, 1, 0, 0],
            "on_time_pct": [100.0, 50.0, None, None],
        }
    )
    rows = view.department_rows(summary)
    assert rows["department"].to_list() == ["B", "C", "A"]
    body = view.departments_html(rows, date(2026, 1, 1), "vi")
    assert 'href="./department?code=B"' in body and "50,0 %" in body
    assert "Nộp đúng hạn (hạn nộp từ 01/01/2026)" in body  # the window is named


def test_summary_sentences_and_freshness():
    counts = tally.tally(_evaluated([{"status": "on_track"}, {"status": "off_track"}, {"status": "late"}]))
    sentences = summary_sentences(counts, "vi")
    assert sentences[0] == "1/3 chỉ tiêu đạt hoặc vượt kế hoạch"
    assert "1/3 chỉ tiêu không đạt kế hoạch" in sentences
    assert as_of_date(datetime(2026, 11, 23, 13, 25)) == date(2026, 11, 23)
    assert as_of_date(None) is None
