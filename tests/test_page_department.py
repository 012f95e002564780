"""/department: the chooser, one department's indicators, files, timeliness and what falls due; its views."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from dashboard.i18n import t
from dashboard.views import department as view
from db import queries
from rules import timeliness
from tests.html_tables import rows as html_rows

PAGE = str(settings.ROOT / "app_pages" / "department.py")
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
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    return None


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("code", [None, "STC", "TTPVHCC"])
def test_the_page_renders_in_both_languages(demo_db, lang, code):
    at = _run(lang=lang, **({"code": code} if code else {}))
    assert not at.exception
    assert at.selectbox(key="qp_code") is not None
    if code is None:
        assert at.title[0].value == t("page.department", lang)
        window = t("figures.on_time_window", lang, since="01/01/2026" if lang == "vi" else "1 Jan 2026")
        overview = _table(at, t("ui.department", lang), window)
        assert len(overview) == queries.departments(demo_db).height
        return
    row = view.resolve(queries.departments(demo_db), code)
    assert at.title[0].value == view.department_name(row, lang)
    assert [tab.label for tab in at.tabs] == [
        t("department.tab_indicators", lang),
        t("explanations.tab", lang, waiting=0),  # the requests awaiting this department's answer
        *(t(f"department.tab_{n}", lang) for n in ("due", "submissions", "timeliness")),
    ]
    assert len(at.metric) == 6
    assert len(at.get("download_button")) >= 8


def test_the_department_lists_only_its_own_indicators(demo_db):
    at = _run(code="SNNMT")
    assert not at.exception
    shown = [row for h in at.html for row in html_rows(h.value)]
    own = queries.catalogue(demo_db).filter(pl.col("owner") == "SNNMT")["code"].to_list()
    assert sorted(r["code"] for r in shown) == sorted(own)
    assert all(r["href"] == f"./indicator?code={r['code']}" for r in shown)
    assert all("owner" not in r for r in shown)  # its own page: no owner column
    assert at.metric[0].value == str(len(own))


def test_its_files_and_their_timeliness(demo_db):
    at = _run(code="STC")
    files = _table(at, "Tệp số liệu", "Kết quả")
    subs = queries.submissions(demo_db, "STC")
    assert len(files) == subs.height
    assert ("Bị từ chối" in set(files["Kết quả"])) == bool((subs["status"] == "rejected").any())
    detail = timeliness.detail(
        queries.catalogue(demo_db), queries.first_submissions(demo_db), timeliness.year_window(TODAY)
    ).filter(pl.col("department") == "STC")
    timely = _table(at, "Hạn báo cáo", "Nhận lần đầu")
    assert len(timely) == detail.height


def test_overdue_indicators_are_named_first(demo_db):
    at = _run(code="TTPVHCC")
    assert not at.exception
    assert at.warning and "PR-04" in at.warning[0].value
    due = _table(at, "Tình trạng", "Hạn báo cáo", "Tần suất")
    assert due.iloc[0]["Mã"] == "PR-04" and due.iloc[0]["Tình trạng"].startswith("Quá hạn")


def test_unknown_code_and_any_case(demo_db):
    at = _run(code="NOPE")
    assert not at.exception and at.warning and "NOPE" in at.warning[0].value
    assert at.selectbox(key="qp_code").value == ""
    at = _run(code="stc")
    assert at.query_params["code"] == "STC" and at.title[0].value == "Sở Tài chính"


def test_choosing_a_department_puts_it_in_the_address(demo_db):
    at = _run()
    at.selectbox(key="qp_code").set_value("SYT").run()
    assert not at.exception
    assert at.query_params["code"] == "SYT"
    assert at.title[0].value == "Sở Y tế"


# --------------------------------------------------------------------------- view functions


def _latest(rows: list[dict]) -> pl.DataFrame:
    base = {
        "name_vi": "Chỉ số", "name_en": "Indicator", "frequency": "monthly", "period": None, "next_period": None,
        "status": "on_track",
    }  # fmt: skip
    return pl.DataFrame([base | r for r in rows])


def test_due_next_from_the_latest_value_overdue_first():
    catalogue = pl.DataFrame(
        {
            "code": ["A", "B", "C", "D"],
            "deadline_days": [10, 10, 10, 10],
            "components": [[], [], [], [{"code": "A", "weight": 1.0}]],
        }
    )
    latest = _latest(
        [
            {"code": "A", "period": "2026-10", "next_period": "2026-11"},  # on time: November is due 10 December
            {"code": "B", "period": "2026-09", "next_period": "2026-11", "status": "late"},  # October is overdue
            {"code": "C", "period": None, "next_period": "2026-11", "status": "no_data"},  # never reported
            {"code": "D", "period": "2026-10", "next_period": "2026-11"},  # computed: nobody submits it
        ]
    )
    due = view.due_next(latest, catalogue, date(2026, 11, 26))
    assert due["code"].to_list() == ["B", "A", "C"]
    assert due["period"].to_list() == ["2026-10", "2026-11", "2026-11"]
    assert due["due_date"].to_list() == [date(2026, 11, 10), date(2026, 12, 10), date(2026, 12, 10)]
    assert due["overdue"].to_list() == [True, False, False]
    assert due["days_left"].to_list() == [-16, 14, 14]
    assert view.due_text(-16, "vi") == "Quá hạn 16 ngày"
    assert view.due_text(0, "vi") == "Hết hạn hôm nay"
    assert view.due_text(14, "vi") == "Còn 14 ngày"
    assert view.overdue_sentence(due, "vi") == "1 chỉ số quá hạn nộp số liệu: B (Tháng 10/2026)."


def test_timeliness_grid_puts_each_period_in_its_due_month():
    detail = pl.DataFrame(
        {
            "indicator_code": ["A", "A", "A", "B"],
            "period": ["2026-W44", "2026-W45", "2026-W46", "2026-10"],
            "due_date": [date(2026, 11, 5), date(2026, 11, 12), date(2026, 11, 19), date(2026, 11, 10)],
            "received": [True, True, False, True],
            "on_time": [True, False, False, True],
            "first_submitted_at": [datetime(2026, 11, 4), datetime(2026, 11, 14), None, datetime(2026, 11, 9)],
            "days_late": [0, 2, 7, 0],
        }
    )
    catalogue = pl.DataFrame({"code": ["A", "B"], "name_vi": ["Hồ sơ", "Thu"], "name_en": ["Dossiers", "Revenue"]})
    grid = view.timeliness_grid(detail, catalogue, "vi")
    cells = {r["department"]: (r["period"], r["status"], r["cell_text"]) for r in grid.iter_rows(named=True)}
    assert cells == {"A": ("2026-11", "missing", "2/3"), "B": ("2026-11", "on_time", "1/1")}
    assert grid["department_label"].to_list() == ["A · Hồ sơ", "B · Thu"]
    assert view.timeliness_grid(detail.clear(), catalogue, "vi").is_empty()


def test_tiles_count_statuses_and_the_on_time_share():
    latest = pl.DataFrame({"status": ["on_track", "on_track", "late", "off_track"]})
    detail = pl.DataFrame({"received": [True, True, True, True], "on_time": [True, True, False, True]})
    tiles = view.tiles(latest, detail, date(2026, 1, 1), "vi")
    assert [x.value for x in tiles] == ["4", "2", "0", "1", "1", "75,0 %"]
    assert tiles[-1].label == "Nộp đúng hạn (hạn nộp từ 01/01/2026)"  # the window is named
    assert "3/4" in tiles[-1].help
    assert view.tiles(latest.clear(), detail.clear(), date(2026, 1, 1), "en")[-1].value == "–"


def test_options_in_vietnamese_order():
    departments = pl.DataFrame(
        {
            "code": ["TTT", "SYT", "BQL"],
            "name_vi": ["Thanh tra tỉnh", "Sở Y tế", "Ban Quản lý"],
            "name_en": ["Inspectorate", "Health", "Board"],
        }
    )
    codes, names = view.options(departments, "vi")
    assert codes == ["", "BQL", "SYT", "TTT"]
    assert names["SYT"] == "Sở Y tế" and names[""].startswith("—")
