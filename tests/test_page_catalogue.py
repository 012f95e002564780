"""/catalogue: search without diacritics, Vietnamese order, filters in the address, coverage, stages; its views."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from dashboard.i18n import t, vi_sort_key
from dashboard.views import catalogue as view
from db import queries

PAGE = str(settings.ROOT / "app_pages" / "catalogue.py")


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


def _catalogue_table(at: AppTest, lang: str = "vi"):
    for frame in at.dataframe:
        if {t("ui.code", lang), t("ui.name", lang), t("ui.source", lang)} <= set(frame.value.columns):
            return frame.value
    return None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_page_renders_in_both_languages(demo_db, lang):
    at = _run(lang=lang)
    assert not at.exception
    assert at.title[0].value == t("page.catalogue", lang)
    table = _catalogue_table(at, lang)
    assert len(table) == queries.catalogue(demo_db).height
    assert [m.label for m in at.metric][:5] == [t(f"group.{g}", lang) for g in view.GROUPS]
    assert sum(int(m.value) for m in at.metric[:5]) == len(table)
    assert [tab.label for tab in at.tabs] == [
        t(f"catalogue.tab_{n}", lang) for n in ("catalogue", "coverage", "stages")
    ]
    for key in ("group", "field", "department", "stage"):
        assert at.multiselect(key=f"qp_{key}") is not None
    assert len(at.get("download_button")) == 8  # catalogue, coverage, stages table: CSV+XLSX; the heatmap PNG+SVG


def test_search_without_diacritics_finds_the_poverty_rate_and_goes_to_the_address(demo_db):
    at = _run()
    at.text_input(key="qp_q").input("ty le ho ngheo").run()
    assert not at.exception
    assert at.query_params["q"] == "ty le ho ngheo"
    table = _catalogue_table(at)
    assert "Tỷ lệ hộ nghèo" in set(table["Tên chỉ số"])
    assert "OC-10" in set(table["Mã"])
    assert len(table) < queries.catalogue(demo_db).height
    assert any(c.value.startswith(t("catalogue.count_some", "vi", n=len(table), total=74)) for c in at.caption)


def test_the_catalogue_is_in_vietnamese_order(demo_db):
    at = _run()
    names = list(_catalogue_table(at)["Tên chỉ số"])
    assert names == sorted(names, key=vi_sort_key)
    assert names != sorted(names)  # plain code-point order would differ (Đ, Ư, Ơ, tones)
    by_code = list(_catalogue_table(_run(sort="code"))["Mã"])
    assert by_code == queries.catalogue(demo_db)["code"].to_list()


def test_filters_live_in_the_address(demo_db):
    at = _run(group="outcome", stage=["operating", "published"])
    assert not at.exception
    table = _catalogue_table(at)
    cat = queries.catalogue(demo_db)
    expected = cat.filter((pl.col("group") == "outcome") & pl.col("stage").is_in(["operating", "published"]))
    assert len(table) == expected.height
    assert set(table["Nhóm chỉ số"]) == {t("group.outcome", "vi")}
    at.multiselect(key="qp_department").select("SNNMT").run()
    assert at.query_params["department"] in ("SNNMT", ["SNNMT"])
    assert set(_catalogue_table(at)["Mã"]) == set(expected.filter(pl.col("owner") == "SNNMT")["code"])


def test_coverage_and_stages(demo_db):
    at = _run()
    cat = queries.catalogue(demo_db)
    coverage = next(f.value for f in at.dataframe if t("catalogue.with_data", "vi") in f.value.columns)
    assert list(coverage[t("ui.group", "vi")])[-1] == t("catalogue.total", "vi")
    assert coverage.iloc[-1][t("ui.indicators", "vi")] == str(cat.height)
    stages = next(f.value for f in at.dataframe if "1. " + t("stage.identified", "vi") in f.value.columns)
    owners = cat["owner"].n_unique()
    assert len(stages) == owners
    assert [m.value for m in at.metric][5:] == [str(cat.filter(pl.col("stage") == s).height) for s in view.STAGES]


# --------------------------------------------------------------------------- view functions


def _catalogue() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": ["B-1", "A-1", "C-1", "D-1"],
            "name_vi": ["Đường giao thông", "Tỷ lệ hộ nghèo", "Dân số", "Ưu đãi đầu tư"],
            "name_en": ["Roads", "Poverty rate", "Population", "Investment incentives"],
            "group": ["output", "outcome", "input", "input"],
            "field": ["transport", "social", "population", "investment"],
            "owner": ["SXD", "SNNMT", "TKT", "STC"],
            "stage": ["operating", "published", "operating", "proposed"],
            "position": [4, 1, 2, 3],
        }
    )


def test_vietnamese_order_and_sorts():
    cat = _catalogue()
    assert view.sort_catalogue(cat, "name", "vi")["name_vi"].to_list() == [
        "Dân số", "Đường giao thông", "Tỷ lệ hộ nghèo", "Ưu đãi đầu tư",
    ]  # fmt: skip
    assert view.sort_catalogue(cat, "code", "vi")["code"].to_list() == ["A-1", "C-1", "D-1", "B-1"]
    assert view.sort_catalogue(cat, "group", "vi")["code"].to_list() == ["C-1", "D-1", "B-1", "A-1"]
    assert view.sort_catalogue(cat, "name", "en")["name_en"].to_list() == [
        "Investment incentives", "Population", "Poverty rate", "Roads",
    ]  # fmt: skip


def test_filter_by_search_group_field_owner_stage():
    cat = _catalogue()
    assert view.filter_catalogue(cat, "ty le ho ngheo")["code"].to_list() == ["A-1"]
    assert view.filter_catalogue(cat, "uu dai")["code"].to_list() == ["D-1"]
    assert view.filter_catalogue(cat, groups=["input"])["code"].to_list() == ["C-1", "D-1"]
    assert view.filter_catalogue(cat, groups=["input"], stages=["operating"])["code"].to_list() == ["C-1"]
    assert view.filter_catalogue(cat, owners=["SXD"], fields=["transport"])["code"].to_list() == ["B-1"]
    assert view.filter_catalogue(cat, "duong", owners=["STC"]).is_empty()


def test_the_download_keeps_the_contract_field_names(demo_db):
    cat = queries.catalogue(demo_db)
    frame = view.catalogue_table(cat, "vi").download
    assert tuple(frame.columns) == view.CONTRACT_FIELDS
    row = frame.filter(pl.col("code") == "IN-01").row(0, named=True)
    assert json.loads(row["targets"])["2025"] == 56834
    assert json.loads(row["thresholds"]) == {"on_track": 100.0, "at_risk": 90.0}
    composite = frame.filter(pl.col("code") == "CP-10").row(0, named=True)
    assert {c["code"] for c in json.loads(composite["components"])} == {"IN-01", "OU-01", "OU-02", "OU-03", "OU-05"}
    assert frame["name_vi"].str.contains("ệ").any()  # diacritics kept


def test_coverage_counts_every_group():
    cat = _catalogue()
    gaps = pl.DataFrame(
        {"code": ["B-1", "C-1"], "no_data": [True, False], "no_target": [True, True], "no_source": [False, False]}
    )
    cover = view.coverage(cat, gaps)
    assert cover["group"].to_list() == list(view.GROUPS)
    by_group = {r["group"]: r for r in cover.iter_rows(named=True)}
    assert (by_group["input"]["indicators"], by_group["input"]["with_target"], by_group["input"]["operating"]) == (
        2,
        1,
        1,
    )
    assert by_group["output"]["with_data"] == 0 and by_group["process"]["indicators"] == 0
    table = view.coverage_table(cover, 2026, "vi")
    assert table.display[t("ui.group", "vi")].to_list()[-1] == t("catalogue.total", "vi")
    assert table.display[t("catalogue.with_data", "vi")].to_list()[-1] == "3 (75 %)"


def test_stage_matrix_has_every_department_and_step():
    cat = _catalogue().with_columns(owner_name_vi=pl.col("owner"), owner_name_en=pl.col("owner"))
    matrix = view.stage_matrix(cat, "vi")
    assert matrix.height == 4 * 6
    assert matrix["count"].sum() == 4
    assert matrix.filter((pl.col("owner") == "STC") & (pl.col("stage") == "proposed"))["count"].item() == 1
    table = view.stage_table(matrix, "vi")
    assert table.download.columns[0] == t("ui.code", "vi") and table.download[t("catalogue.total", "vi")].sum() == 4
    chart = view.stage_heatmap(matrix, "vi", date(2026, 11, 26), True).to_dict()
    assert chart["autosize"]["type"] == "fit-x"
    assert chart["title"]["text"] == t("catalogue.stages_title", "vi")
