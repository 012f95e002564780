"""The data-quality page: smoke in both languages, the demo's three rejections, filters, and the view functions."""

from __future__ import annotations

import datetime as dt
from datetime import date

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from dashboard.views import quality as view
from db import queries
from rules import quality

PAGE = str(settings.ROOT / "app_pages" / "quality.py")
TODAY = date(2026, 11, 26)
DEMO_REJECTED = {"TKT_2025-12.xlsx", "STC_2026-02.xlsx", "TTPVHCC_2026-W16.xlsx"}


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


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("tab", ["timeliness", "rejected", "outliers", "gaps"])
def test_quality_renders_in_both_languages(demo_db, lang, tab):
    at = _run(lang=lang, view=tab)
    assert not at.exception
    assert at.multiselect(key="qp_department") is not None
    assert at.selectbox(key="qp_by").value == "quarter"
    assert _param(at, "from") == ["2025-01"]
    assert len(at.metric) == 5
    assert len(at.dataframe[0].value) > 0
    assert len(at.get("download_button")) >= 2


def test_timeliness_table_per_department_and_quarter(demo_db):
    at = _run()
    table = at.dataframe[0].value
    assert {"department_name", "period_label", "expected", "received", "on_time", "late", "missing"} <= set(
        table.columns
    )
    assert "Quý IV/2025" in set(table["period_label"])
    assert (table["received"] <= table["expected"]).all() and (
        table["on_time"] + table["late"] == table["received"]
    ).all()
    assert (table["expected"] == table["received"] + table["missing"]).all()


def test_quality_shows_the_three_demo_rejections(demo_db):
    at = _run(view="rejected")
    assert not at.exception
    rejected = at.dataframe[0].value
    assert set(rejected["file_name"]) == DEMO_REJECTED
    assert all(why for why in rejected["why"])  # each with the reason, in Vietnamese
    assert any("nằm ngoài khoảng hợp lệ" in why for why in rejected["why"])
    assert len(at.expander) == 3
    assert "3" in at.metric[2].value
    reports = [d.value for d in at.dataframe[1:]]  # the reports: tables whose cells are text, never Markdown
    assert len(reports) == 3 and sum(len(r) for r in reports) == 5  # 1 + 1 + 3 problems
    assert list(reports[0].columns) == ["Dòng", "Cột", "Giá trị", "Nội dung"]


def test_rejections_in_english(demo_db):
    at = _run(view="rejected", lang="en")
    rejected = at.dataframe[0].value
    assert any("outside" in why for why in rejected["why"])
    assert list(at.dataframe[1].value.columns) == ["Row", "Column", "Value", "Message"]


def test_department_filter_lives_in_the_address(demo_db):
    at = _run(view="rejected", department="STC")
    assert not at.exception
    assert set(at.dataframe[0].value["file_name"]) == {"STC_2026-02.xlsx"}
    at.multiselect(key="qp_department").select("TKT").run()
    assert not at.exception
    assert set(at.dataframe[0].value["file_name"]) == {"STC_2026-02.xlsx", "TKT_2025-12.xlsx"}
    assert sorted(_param(at, "department")) == ["STC", "TKT"]


def test_range_filter_hides_older_rejections(demo_db):
    at = _run(view="rejected", **{"from": "2026-03"})
    assert set(at.dataframe[0].value["file_name"]) == {"STC_2026-02.xlsx", "TTPVHCC_2026-W16.xlsx"}


def test_outliers_link_to_their_indicator(demo_db):
    at = _run(view="outliers", lang="en", **{"from": "all"})
    table = at.dataframe[0].value
    assert len(table) == quality.outliers(queries.load_store(demo_db)).height
    assert all(link.startswith("./indicator?code=") and link.endswith("&lang=en") for link in table["link"])
    assert set(table["side"]) <= {"Unusually high", "Unusually low"}


def test_catalogue_gaps(demo_db):
    at = _run(view="gaps")
    table = at.dataframe[0].value
    gaps = quality.gaps(queries.load_store(demo_db), queries.coverage(demo_db), TODAY)
    assert len(table) == gaps.height > 0
    assert {"no_data", "no_target", "no_source"} <= set(table.columns)
    assert table["no_data"].sum() == gaps["no_data"].sum()


# --------------------------------------------------------------------------- view functions


def _detail(rows):
    return pl.DataFrame(
        rows,
        schema={
            "department": pl.String,
            "period": pl.String,
            "due_date": pl.Date,
            "received": pl.Boolean,
            "on_time": pl.Boolean,
        },
        orient="row",
    )


DETAIL = _detail(
    [
        ("STC", "2025-01", date(2025, 2, 10), True, True),
        ("STC", "2025-02", date(2025, 3, 10), True, False),
        ("STC", "2025-W05", date(2025, 2, 12), True, True),
        ("STC", "2025-Q1", date(2025, 4, 15), False, False),
        ("SYT", "2025-04", date(2025, 5, 10), True, True),
    ]
)


def test_rollup_counts_each_period_in_the_month_it_was_due():
    quarters = view.rollup(DETAIL, "quarter")
    assert quarters.select("department", "period", "expected", "received", "on_time", "missing").rows() == [
        ("STC", "2025-Q1", 3, 3, 2, 0),
        ("STC", "2025-Q2", 1, 0, 0, 1),
        ("SYT", "2025-Q2", 1, 1, 1, 0),
    ]
    months = view.rollup(DETAIL, "month")
    assert months.filter(pl.col("department") == "STC").select("period", "expected").rows() == [
        ("2025-02", 2),  # January's value and week 5's, both due in February
        ("2025-03", 1),
        ("2025-04", 1),  # the first quarter's
    ]
    assert view.rollup(DETAIL, "year")["expected"].sum() == DETAIL.height


def test_selection_and_totals():
    assert set(view.selected(DETAIL, ["SYT"])["department"]) == {"SYT"}
    spring = view.selected(DETAIL, month_from="2025-03", month_to="2025-04")
    assert spring["period"].to_list() == ["2025-02", "2025-Q1"]
    sums = view.totals(DETAIL)
    assert (sums["expected"], sums["received"], sums["on_time"]) == (5, 4, 3)
    assert sums["on_time_pct"] == pytest.approx(60.0)
    assert view.totals(DETAIL.clear())["received_pct"] is None
    assert view.window("2025-03", date(2026, 1, 1)).since == date(2025, 3, 1)


def test_heatmap_frame_has_the_charts_columns():
    frame = view.heatmap_frame(view.rollup(DETAIL, "quarter"), {"STC": "Sở Tài chính"}, "vi")
    assert {"department", "department_label", "period", "period_label", "expected", "received", "on_time"} <= set(
        frame.columns
    )
    assert frame.filter(pl.col("department") == "STC")["period_label"].to_list() == ["Quý I/2025", "Quý II/2025"]
    assert frame.filter(pl.col("department") == "SYT")["department_label"][0] == "SYT"  # no name: the code


def test_rejected_filters_and_table(demo_db):
    subs = queries.submissions(demo_db)
    every = view.rejected(subs)
    assert set(every["file_name"]) == DEMO_REJECTED
    assert every["submitted_at"].is_sorted(descending=True)
    assert view.rejected(subs, ["STC"]).height == 1
    assert view.rejected(subs, month_to="2026-02")["file_name"].to_list() == ["TKT_2025-12.xlsx"]
    table = view.rejected_table(every, {every["id"][0]: "why"}, "en")
    assert table.columns == ["submitted_at", "department_name", "file_name", "rows", "n_errors", "why"]
    assert table["why"].to_list() == ["why", "", ""]
    assert table["department_name"][0] == "Provincial Public Administration Service Center"


def test_an_unreadable_file_is_kept_but_not_counted_as_rejected_content(demo_copy, tmp_path):
    from loaders.ingest import submit_file

    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(b"%PDF-1.7 a PDF named like a workbook")
    unreadable = submit_file(path, "STC", db_path=demo_copy, now=dt.datetime(2026, 11, 26, 9, 0))
    bad = tmp_path / "sai.csv"
    bad.write_text("indicator_code,period,value\nIN-01,2026-10,abc\n")
    content = submit_file(bad, "STC", db_path=demo_copy, now=dt.datetime(2026, 11, 26, 9, 5))
    assert unreadable.status == content.status == "rejected"  # the contract's status either way
    subs = queries.submissions(demo_copy)
    kept = subs.filter(pl.col("id") == unreadable.submission_id)
    assert kept["unreadable"].to_list() == [True] and kept["file_name"].to_list() == ["bao_cao.xlsx"]
    listed = view.rejected(subs)
    assert content.submission_id in listed["id"].to_list()
    assert unreadable.submission_id not in listed["id"].to_list()
    assert set(listed["file_name"]) == DEMO_REJECTED | {"sai.csv"}


def test_report_title_and_rows(demo_db):
    row = view.rejected(queries.submissions(demo_db)).row(2, named=True)  # the oldest: TKT, three problems
    title = view.report_title(row, "vi", lambda key, **kw: "{file} · {department} · {when} · {n} lỗi".format(**kw))
    assert title == "TKT_2025-12.xlsx · Thống kê tỉnh · 05/01/2026 16:04 · 3 lỗi"
    report = view.report(queries.submission_errors(demo_db, row["id"]), "en")
    assert report.columns == ["row", "column", "value", "message"] and report.height == 3
    assert report["message"][0].startswith("Period '2025-Q4' is quarterly")


def test_outliers_and_gaps_filters():
    out = pl.DataFrame(
        {
            "indicator_code": ["A", "B"],
            "name_vi": ["Chỉ số A", "Chỉ số B"],
            "name_en": ["A", None],
            "owner": ["STC", "SYT"],
            "unit": ["%", "người"],
            "period": ["2024-01", "2026-03"],
            "period_start": [date(2024, 1, 1), date(2026, 3, 1)],
            "value": [1234.5, 2.0],
            "median": [10.0, 5.0],
            "z": [9.87, -4.2],
        }
    )
    assert view.outliers(out, ["SYT"])["indicator_code"].to_list() == ["B"]
    assert view.outliers(out, month_from="2025-01")["indicator_code"].to_list() == ["B"]
    t = lambda key: {"quality.high": "Cao", "quality.low": "Thấp"}[key]  # noqa: E731
    table = view.outliers_table(out, {"STC": "Sở Tài chính"}, "en", t)
    assert table["link"].to_list() == ["./indicator?code=A&lang=en", "./indicator?code=B&lang=en"]
    assert table["name"].to_list() == ["A", "Chỉ số B"]  # no English name: the Vietnamese one
    assert table["value_text"][0] == "1,234.5" and table["z"].to_list() == ["9.9", "−4.2"]
    assert table["side"].to_list() == ["Cao", "Thấp"]
    gaps = pl.DataFrame({"code": ["A", "B"], "owner": ["STC", "SYT"]})
    assert view.gaps(gaps, ["STC"])["code"].to_list() == ["A"]
    assert view.gaps(gaps).height == 2


def test_in_range_bounds():
    days = pl.DataFrame({"d": [date(2024, 12, 31), date(2025, 1, 1), date(2025, 2, 28), date(2025, 3, 1)]})
    kept = days.filter(view.in_range(pl.col("d"), "2025-01", "2025-02"))["d"].to_list()
    assert kept == [date(2025, 1, 1), date(2025, 2, 28)]
    assert days.filter(view.in_range(pl.col("d"), "all", None)).height == 4
    assert view.default_range(TODAY) == ("2025-01", "all")
