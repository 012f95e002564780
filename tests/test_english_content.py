"""English content: the catalogue's optional unit_en and source_en, checked, stored, exported, and used by the
English pages, charts and downloads; the Vietnamese pages and every rule keep the catalogue's own unit."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest
import streamlit as st
from conftest import small_indicators, write_catalogue_files
from streamlit.testing.v1 import AppTest

from dashboard import figures
from db import queries
from loaders import export
from loaders.catalogue_store import load_catalogue_into
from schema.catalogue import CatalogueError
from tests.pages import run_page


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _with_english(**fields) -> list[dict]:
    indicators = small_indicators()
    indicators[0].update(fields)  # FIN_REV, in tỷ đồng
    return indicators


def test_the_catalogue_keeps_english_units_and_sources_and_exports_them(tmp_path):
    files = write_catalogue_files(
        tmp_path / "c", _with_english(unit_en="billion VND", source_en="Finance department report", central_code="")
    )
    path = tmp_path / "db.duckdb"
    load_catalogue_into(path, files.catalogue, files.departments, files.localities)
    rows = {r["code"]: r for r in queries.catalogue(path).iter_rows(named=True)}
    assert (rows["FIN_REV"]["unit_en"], rows["FIN_REV"]["source_en"]) == ("billion VND", "Finance department report")
    assert rows["FIN_DISB"]["unit_en"] is None  # optional: where the English is the same, nothing
    records = {r["code"]: r for r in export.catalogue_records(path)}
    assert records["FIN_REV"]["unit_en"] == "billion VND" and records["HEA_BEDS"]["source_en"] is None
    assert list(records["FIN_REV"])[-2:] == ["unit_en", "source_en"]  # beyond CONTRACT §1: extra fields, last


def test_an_empty_english_unit_is_none_and_a_wrong_type_is_refused(tmp_path):
    files = write_catalogue_files(tmp_path / "a", _with_english(unit_en="  ", source_en=""))
    path = tmp_path / "a.duckdb"
    load_catalogue_into(path, files.catalogue, files.departments, files.localities)
    assert queries.catalogue(path)["unit_en"][0] is None
    files = write_catalogue_files(tmp_path / "b", _with_english(unit_en=["billion", "VND"]))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue_into(tmp_path / "b.duckdb", files.catalogue, files.departments, files.localities)
    assert any(p.field == "unit_en" for p in caught.value.problems)


def test_a_file_from_before_the_english_columns_reads_them_as_empty(catalogue_db):
    con = duckdb.connect(str(catalogue_db))
    con.execute("ALTER TABLE indicators DROP COLUMN unit_en")
    con.execute("ALTER TABLE indicators DROP COLUMN source_en")
    con.close()
    frame = queries.catalogue(catalogue_db)
    assert frame["unit_en"].null_count() == frame.height and frame["source_en"].null_count() == frame.height
    assert all(r["unit_en"] is None for r in export.catalogue_records(catalogue_db))


def test_figures_write_the_english_unit_and_rules_read_the_catalogues():
    row = {"code": "X", "value": 12933.0, "unit": "tỷ đồng", "unit_en": "billion VND", "change_prev_pct": 3.0}
    assert figures.of(row, "en").value == "12,933 billion VND"
    assert figures.of(row, "vi").value == "12.933 tỷ đồng"
    score = {"code": "Y", "value": 74.37, "unit": "điểm", "unit_en": "points", "change_prev": 2.16}
    # a score changes in its own unit (the rule reads "điểm"), written in English
    assert figures.of(score, "en").vs_previous == "+2.16 points"
    assert figures.of(score, "vi").vs_previous == "+2,16 điểm"
    assert figures.source({"source": "Sở Tài chính", "source_en": None}, "en") == "Sở Tài chính"


def _texts(at: AppTest) -> str:
    parts = [e.proto.body for e in [*at.get("html"), *at.get("markdown")]]
    parts += [m.value for m in at.metric]
    parts += [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("vega_lite_chart")]
    return "\n".join(parts)


def test_the_english_pages_and_charts_say_the_english_unit_and_source(demo_db):
    """IN-01: 'tỷ đồng' from the State Treasury; in English its figures, chart subtitles (what the PNG/SVG
    export draws) and the slide say 'billion VND' and 'State Treasury – TABMIS'."""
    catalogue = queries.catalogue(demo_db).filter(pl.col("code") == "IN-01").row(0, named=True)
    assert (catalogue["unit_en"], catalogue["source_en"]) == ("billion VND", "State Treasury – TABMIS")
    indicator = _texts(run_page("indicator", code="IN-01", lang="en"))
    assert "billion VND" in indicator and "Source: State Treasury – TABMIS" in indicator
    assert "tỷ đồng" not in indicator.replace("(tỷ đồng)", "")  # only as the official form beside it on the card
    slide = _texts(run_page("present", by="codes", codes="IN-01", lang="en"))
    assert "billion VND" in slide and "tỷ đồng" not in slide and "State Treasury – TABMIS" in slide
    group = _texts(run_page("input", lang="en"))
    assert "billion VND" in group and "tỷ đồng" not in group
    vietnamese = _texts(run_page("indicator", code="IN-01"))
    assert "tỷ đồng" in vietnamese and "billion VND" not in vietnamese
