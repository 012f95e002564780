"""The department template (round trip through submit) and the exports of CONTRACT §4."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import polars as pl
import pytest

from loaders.errors import UsageError
from loaders.export import CATALOGUE_FIELDS, OBSERVATION_COLUMNS, export
from loaders.ingest import submit_file
from loaders.template import template_rows, write_template

TODAY = dt.date(2025, 10, 20)
NOW = dt.datetime(2025, 10, 20, 9, 30)


# -- template ----------------------------------------------------------------------------------


def test_template_rows_per_indicator_and_commune_never_reported_offer_the_latest_period_due(catalogue_db):
    title, rows = template_rows("ind", catalogue_db, TODAY)
    assert title == "Sở Công Thương (IND)"
    keys = [(r["Mã chỉ số"], r["Kỳ báo cáo"], r["Mã địa bàn"]) for r in rows]
    communes = ["07210", "07525", "07537", "07654", "09295"]
    assert keys == [("IND_RETAIL", "2025-09", c) for c in communes] + [("IND_ENT", "2025-H1", "")] + [
        ("IND_ENT", "2025-H1", c) for c in communes
    ]
    _, fin = template_rows("FIN", catalogue_db, TODAY)
    assert [(r["Mã chỉ số"], r["Kỳ báo cáo"], r["Mã địa bàn"]) for r in fin] == [
        ("FIN_REV", "2025-09", ""),
        ("FIN_DISB", "2025-W40", ""),  # ends 5 October, due 10 days later
        ("FIN_GROWTH", "2025-Q3", ""),
    ]


def test_template_sheet_has_the_headers_text_cells_and_a_bilingual_guide(tmp_path, catalogue_db):
    out = tmp_path / "ind.xlsx"
    assert write_template("IND", out, catalogue_db, TODAY) == 11
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Số liệu", "Hướng dẫn"]
    sheet = book["Số liệu"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "Mã chỉ số",
        "Tên chỉ số",
        "Đơn vị",
        "Tần suất",
        "Cấp",
        "Kỳ báo cáo",
        "Hạn nộp",
        "Mã địa bàn",
        "Tên địa bàn",
        "Kỳ đã nộp gần nhất",
        "Số đã nộp gần nhất",
        "Giá trị",
        "Ghi chú",
    ]
    period, locality = sheet.cell(2, 6), sheet.cell(2, 8)
    assert (period.value, period.data_type, locality.value, locality.data_type) == ("2025-09", "s", "07210", "s")
    assert sheet.cell(2, 7).value == "10/10/2025"  # September, due 10 days after its end, as Vietnamese write it
    assert sheet.cell(2, 2).value == "Chỉ số IND_RETAIL" and sheet.cell(2, 3).value == "tỷ đồng"
    assert sheet.cell(2, 10).value is None and sheet.cell(2, 11).value is None  # nothing reported yet
    assert sheet.cell(2, 12).value is None
    guide = " ".join(str(c.value) for row in book["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "Kỳ báo cáo" in guide and "Submit only the indicators your department owns" in guide


def test_a_filled_template_is_accepted(tmp_path, catalogue_db):
    out = tmp_path / "ind.xlsx"
    write_template("IND", out, catalogue_db, TODAY)
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    for r in range(2, sheet.max_row + 1):
        sheet.cell(r, 12).value = 100 + r
    sheet.cell(2, 13).value = "số ước tính"
    book.save(out)
    result = submit_file(out, "IND", db_path=catalogue_db, now=NOW)
    assert (result.status, result.rows, result.new_rows) == ("accepted", 11, 11), [e.message for e in result.errors]


def test_an_unfilled_template_is_rejected_row_by_row(tmp_path, catalogue_db):
    out = tmp_path / "fin.xlsx"
    write_template("FIN", out, catalogue_db, TODAY)
    result = submit_file(out, "FIN", db_path=catalogue_db, now=NOW)
    assert result.status == "rejected"
    assert [(e.row, e.column) for e in result.errors] == [(2, "Giá trị"), (3, "Giá trị"), (4, "Giá trị")]


def test_template_for_an_unknown_department(tmp_path, catalogue_db):
    with pytest.raises(UsageError):
        write_template("NOPE", tmp_path / "x.xlsx", catalogue_db, TODAY)
    assert not (tmp_path / "x.xlsx").exists()


# -- export ------------------------------------------------------------------------------------


@pytest.fixture
def filled_db(tmp_path, catalogue_db):
    path = tmp_path / "obs.csv"
    path.write_text(
        "indicator_code,period,locality_code,value,note\n"
        'FIN_GROWTH,Quý III/2025,,"-3,5",=1+1\n'
        "FIN_REV,2025-09,,1234.5,+84 912\n"
        "FIN_DISB,2025-W36,,12.5,@mention\n"
        'FIN_REV,2025-08,,1000,"-chú thích"\n',
        encoding="utf-8",
    )
    assert submit_file(path, "FIN", db_path=catalogue_db, now=NOW).status == "accepted"
    path = tmp_path / "ind.csv"
    path.write_text("indicator_code,period,locality_code,value\nIND_RETAIL,2025-09,7210,5\n", encoding="utf-8")
    assert submit_file(path, "IND", db_path=catalogue_db, now=NOW).status == "accepted"
    return catalogue_db


def exported(what, fmt, db_path) -> bytes:
    out = io.BytesIO()
    export(what, fmt, None, db_path, stdout=out)
    return out.getvalue()


def test_observations_csv_has_the_contract_columns_and_neutralised_text(filled_db):
    text = exported("observations", "csv", filled_db).decode("utf-8")
    frame = pl.read_csv(io.StringIO(text), schema_overrides={"locality_code": pl.Utf8})
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    rows = {(r["indicator_code"], r["period"]): r for r in frame.to_dicts()}
    growth = rows[("FIN_GROWTH", "2025-Q3")]
    assert growth["value"] == -3.5  # a negative number stays a number
    assert growth["note"] == "'=1+1"
    assert rows[("FIN_REV", "2025-09")]["note"] == "'+84 912"
    assert rows[("FIN_DISB", "2025-W36")]["note"] == "'@mention"
    assert rows[("FIN_REV", "2025-08")]["note"] == "'-chú thích"
    assert growth["locality_code"] == "" and growth["department"] == "FIN"
    assert growth["submitted_at"] == "2025-10-20 09:30:00"
    assert rows[("IND_RETAIL", "2025-09")]["locality_code"] == "07210"
    assert ",-3.5," in text and '"",' in text  # numbers unquoted; the province an empty text


def test_observations_json_and_parquet_are_native_and_not_neutralised(tmp_path, filled_db):
    records = json.loads(exported("observations", "json", filled_db))
    assert list(records[0]) == list(OBSERVATION_COLUMNS)
    growth = next(r for r in records if r["indicator_code"] == "FIN_GROWTH")
    assert (growth["value"], growth["note"], growth["locality_code"]) == (-3.5, "=1+1", "")
    assert growth["submitted_at"] == "2025-10-20T09:30:00"
    export("observations", "parquet", tmp_path / "o.parquet", filled_db)
    frame = pl.read_parquet(tmp_path / "o.parquet")
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    assert frame.schema["value"] == pl.Float64 and frame.height == 5


def test_xlsx_export_neutralises_text_and_keeps_numbers(tmp_path, filled_db):
    export("observations", "xlsx", tmp_path / "o.xlsx", filled_db)
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx").worksheets[0]
    header = [c.value for c in sheet[1]]
    assert tuple(header) == OBSERVATION_COLUMNS
    cells = {(r[0].value, r[1].value): r for r in sheet.iter_rows(min_row=2)}
    growth = cells[("FIN_GROWTH", "2025-Q3")]
    assert growth[3].value == -3.5 and growth[3].data_type == "n"
    assert growth[7].value == "'=1+1" and growth[7].data_type == "s"


def test_catalogue_export_in_every_format(tmp_path, catalogue_db):
    text = exported("catalogue", "csv", catalogue_db).decode("utf-8")
    frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    assert tuple(frame.columns) == CATALOGUE_FIELDS
    fin = frame.row(0, named=True)
    assert json.loads(fin["targets"]) == {"2025": 56834.0}
    assert json.loads(fin["thresholds"]) == {"on_track": 100.0, "at_risk": 90.0}
    mix = frame.filter(pl.col("code") == "OFF_MIX").row(0, named=True)
    assert json.loads(mix["components"]) == [{"code": "FIN_DISB", "weight": 0.5}, {"code": "HEA_VACC", "weight": 0.5}]

    records = json.loads(exported("catalogue", "json", catalogue_db))
    assert list(records[0]) == list(CATALOGUE_FIELDS)
    assert records[0]["targets"] == {"2025": 56834.0} and records[0]["valid_max"] == 10_000_000
    assert records[-1]["thresholds"] == {"on_track": 95.0, "at_risk": 80.0}

    export("catalogue", "parquet", tmp_path / "c.parquet", catalogue_db)
    native = pl.read_parquet(tmp_path / "c.parquet")
    assert native["targets"][0].to_list() == [{"year": 2025, "value": 56834.0}]
    assert native.filter(pl.col("code") == "OFF_MIX")["components"][0].to_list()[0] == {
        "code": "FIN_DISB",
        "weight": 0.5,
    }


def test_reference_exports(catalogue_db):
    departments = pl.read_csv(io.BytesIO(exported("departments", "csv", catalogue_db)))
    assert departments.columns == ["code", "name_vi", "name_en"] and departments.height == 4
    localities = json.loads(exported("localities", "json", catalogue_db))
    assert localities[0] == {"code": "07210", "name": "Bắc Giang", "kind": "phuong"}


def test_binary_formats_need_a_file(catalogue_db):
    with pytest.raises(UsageError):
        export("observations", "parquet", None, catalogue_db)
