"""Issue 8's seven contradictions, each checked on the pages of the demo database against figures
recomputed here, by hand, from the raw observations (never through the code under test)."""

from __future__ import annotations

import json
import re
from datetime import date

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.pages import run_page

TODAY = date(2026, 11, 26)  # conftest.DEMO_TODAY


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _page(name: str, **params: str) -> AppTest:
    return run_page(name, timeout=90, **params)


def _raw(path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _province(path, code: str) -> dict[str, float]:
    """Submitted province values of one indicator by period."""
    rows = _raw(path, "SELECT period, value FROM observations WHERE indicator_code = ? AND locality_code = ''", [code])
    return dict(rows)


def _vi(x: float, decimals: int) -> str:
    """A number written by hand in Vietnamese form: 1.234,5."""
    text = f"{abs(x):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("-" if x < 0 else "") + text


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _chart_subtitles(at: AppTest) -> list[str]:
    out = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title") or {}
        out.extend(title.get("subtitle") or [])
    return out


def _texts(at: AppTest) -> str:
    """Everything a page writes as text: markdown, captions, HTML, metrics and messages."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.warning, *at.info, *at.success)]
    parts += [h.proto.body for h in at.get("html")]
    parts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    return "\n".join(parts)


def _as_of(path) -> str:
    """The date of the data: the day of the latest accepted file, dd/mm/yyyy."""
    latest = _raw(path, "SELECT max(submitted_at) FROM submissions WHERE status = 'accepted'")[0][0]
    return f"{latest.day:02d}/{latest.month:02d}/{latest.year}"


# --------------------------------------------------------------------------- 1. trend


@pytest.mark.parametrize("code, earlier, later", [("IN-05", "2026-Q2", "2026-Q3"), ("OU-10", "2026-Q2", "2026-Q3")])
def test_the_trend_names_the_move_against_the_previous_period(demo_db, code, earlier, later):
    values = _province(demo_db, code)
    change = (values[later] - values[earlier]) / abs(values[earlier]) * 100  # both are "up" indicators
    expected = "Cải thiện" if change >= 1 else "Xấu đi" if change <= -1 else "Ổn định"
    metrics = _metrics(_page("indicator", code=code))
    status_tile = next(v for k, v in metrics.items() if k.startswith("Đánh giá"))
    assert status_tile[1] == expected
    previous = next(v for k, v in metrics.items() if k.startswith("So với kỳ trước"))
    assert previous[0] == ("+" if change > 0 else "−") + _vi(abs(change), 1) + " %"


# --------------------------------------------------------------------------- 2. on time


def test_on_time_is_one_figure_with_its_window_on_the_overview_and_the_department_page(demo_db):
    overview = _texts(_page("overview"))
    department = _page("department", code="STC")
    window = f"01/01/{TODAY.year}"
    tile = next((v, k) for k, (v, _) in _metrics(department).items() if "đúng hạn" in k.lower())
    assert window in tile[1], "the tile names its window"
    row = re.search(r'code=STC"[^>]*>Sở Tài chính</a></td>(.*?)</tr>', overview, re.S)  # the departments table
    assert row and re.findall(r"[\d,]+ %", row.group(1))[-1] == tile[0]
    assert window in overview


# --------------------------------------------------------------------------- 3. as of


def test_every_chart_says_the_date_of_the_data_not_today(demo_db):
    as_of = _as_of(demo_db)
    assert as_of != TODAY.strftime("%d/%m/%Y")
    for name, params in (("indicator", {"code": "IN-05"}), ("department", {"code": "STC"})):
        subtitles = " ".join(_chart_subtitles(_page(name, **params)))
        assert f"Số liệu tính đến {as_of}" in subtitles, name
        assert TODAY.strftime("%d/%m/%Y") not in subtitles, name
    assert as_of in _texts(_page("overview"))


# --------------------------------------------------------------------------- 4. the summary sentence


def test_the_summary_sentence_pairs_the_year_to_date_with_its_own_change(demo_db):
    values = _province(demo_db, "IN-05")  # a quarterly flow: the sentence speaks of the year to date
    ytd = sum(values[f"2026-Q{q}"] for q in (1, 2, 3))
    last_ytd = sum(values[f"2025-Q{q}"] for q in (1, 2, 3))
    quarter_change = (values["2026-Q3"] - values["2025-Q3"]) / values["2025-Q3"] * 100
    ytd_change = (ytd - last_ytd) / last_ytd * 100
    at = _page("indicator", code="IN-05")
    sentence = next(line for line in _texts(at).splitlines() if "ind-sentence" in line)
    assert _vi(ytd, 0) in sentence
    assert f"tăng {_vi(ytd_change, 1)} %" in sentence
    assert _vi(quarter_change, 1) not in sentence


# --------------------------------------------------------------------------- 5. two plan percentages


def test_the_two_plan_percentages_have_two_names(demo_db):
    values = _province(demo_db, "IN-01")  # a monthly flow, latest October 2026
    target = _raw(demo_db, "SELECT value FROM targets WHERE indicator_code = 'IN-01' AND year = 2026")[0][0]
    ytd = sum(values[f"2026-{m:02d}"] for m in range(1, 11))
    of_year, to_date = ytd / target * 100, ytd / (target * 10 / 12) * 100
    metrics = {k: v for k, (v, _) in _metrics(_page("indicator", code="IN-01")).items()}
    assert metrics.get("% kế hoạch năm") == f"{_vi(of_year, 1)} %"
    assert metrics.get("% kế hoạch đến kỳ") == f"{_vi(to_date, 1)} %"


def test_a_lower_is_better_indicator_is_not_said_to_reach_a_share_of_its_plan(demo_db):
    at = _page("indicator", code="OC-10")  # the poverty rate: lower is better
    text = _texts(at)
    assert "kế hoạch năm không quá" in text
    assert not re.search(r"(đạt|bằng) [\d,]+ % kế hoạch", text)
    assert "% kế hoạch năm" not in [m.label for m in at.metric]  # an attainment, named as such


# --------------------------------------------------------------------------- 6. the explorer's province value


def test_the_explorer_shows_the_province_value_of_a_commune_level_indicator(demo_db):
    year = _raw(demo_db, "SELECT max(period) FROM observations WHERE indicator_code = 'OC-10'")[0][0]
    communes = [
        v for (v,) in _raw(
            demo_db,
            "SELECT value FROM observations WHERE indicator_code = 'OC-10' AND period = ? AND locality_code <> ''",
            [year],
        )
    ]  # fmt: skip
    mean = sum(communes) / len(communes)  # OC-10 is a commune-level rate, aggregation mean
    at = _page("explorer", indicator="OC-10", commune="province", view="data", **{"from": "all"})
    frames = [d.value for d in at.dataframe]
    assert frames and len(frames[0]) > 0
    shown = " ".join(str(v) for frame in frames for v in frame.to_numpy().ravel())
    assert _vi(mean, 2) in shown or f"{mean:.2f}" in shown


# --------------------------------------------------------------------------- 7. a revision's own time


def test_a_revised_value_shows_when_it_was_revised(demo_db):
    first, last = _raw(
        demo_db,
        "SELECT min(submitted_at), max(submitted_at) FROM observation_history "
        "WHERE indicator_code = 'IN-01' AND period = '2025-02' AND locality_code = ''",
    )[0]
    assert first != last
    at = _page("indicator", code="IN-01", span="all")
    series = next(d.value for d in at.dataframe if "Lũy kế" in d.value.columns)  # the table of every period
    row = series[series["Kỳ báo cáo"] == "Tháng 2/2025"].iloc[0]
    cells = " ".join(str(v) for v in row.to_numpy())
    assert last.strftime("%d/%m/%Y %H:%M") in cells
