"""Table XLSX downloads a report writer can use as they come: a header block (name, code, unit, source, period as
people write it, the date of the data, the demo mark) and numbers shown as the pages show them."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from dashboard import downloads, export, sheets


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_the_header_block_and_numbers_as_shown():
    frame = pl.DataFrame(
        {
            "Kỳ báo cáo": ["Tháng 10/2026", "Tháng 9/2026", "Tháng 8/2026"],
            "Giá trị": [65908.3, 7874.4, 1.04],
            "% kế hoạch đến kỳ": [127.6449, 99.95, None],
            "Số xã": [99, 98, 97],
            "Ngày cập nhật": [date(2026, 11, 23)] * 3,
            "Ghi chú": ["=SUM(A1)", "", "ước tính"],
        }
    )
    heading = sheets.heading(
        "vi", "Thu ngân sách nhà nước trên địa bàn", code="IN-01", unit="tỷ đồng", source="Kho bạc Nhà nước – TABMIS",
        period="Tháng 1/2026 – Tháng 10/2026", as_of=date(2026, 11, 23), demo=True,
    )  # fmt: skip
    ws = _sheet(export.table_xlsx(frame, "Số liệu", heading=heading, kinds={"% kế hoạch đến kỳ": "percent"}))
    first = [ws.cell(row=r, column=1).value for r in range(1, 9)]
    assert first == [
        "Thu ngân sách nhà nước trên địa bàn",
        "Mã chỉ số: IN-01",
        "Đơn vị tính: tỷ đồng",
        "Nguồn số liệu: Kho bạc Nhà nước – TABMIS",
        "Kỳ báo cáo: Tháng 1/2026 – Tháng 10/2026",
        "Số liệu tính đến: 23/11/2026",
        "Dữ liệu minh hoạ (demo)",
        None,  # a blank row, then the table
    ]
    assert [c.value for c in ws[9]] == list(frame.columns) and all(c.font.b for c in ws[9])
    assert ws.freeze_panes == "A10" and ws.auto_filter.ref == "A9:F12"
    values = [ws.cell(row=r, column=2) for r in (10, 11, 12)]
    assert [c.value for c in values] == [65908.3, 7874.4, 1.04]  # full precision kept
    # shown as the pages write them: 65.908 · 7.874,4 · 1,04 (Excel puts the reader's own separators)
    assert [c.number_format for c in values] == ["#,##0", "#,##0.0", "#,##0.00"]
    plan = [ws.cell(row=r, column=3) for r in (10, 11)]
    assert [c.number_format for c in plan] == ["#,##0.0", "#,##0.0"] and plan[0].value == 127.6449
    assert ws.cell(row=10, column=4).number_format == "#,##0"
    assert (
        ws.cell(row=10, column=5).value == datetime(2026, 11, 23)
        and ws.cell(row=10, column=5).number_format == "dd/mm/yyyy"
    )
    assert ws.cell(row=10, column=6).value == "'=SUM(A1)" and ws.cell(row=10, column=6).data_type == "s"


def test_without_a_heading_the_table_starts_at_the_top():
    ws = _sheet(export.table_xlsx(pl.DataFrame({"a": [1.5]})))
    assert ws.cell(row=1, column=1).value == "a" and ws.cell(row=2, column=1).value == 1.5


def test_the_series_table_of_an_indicator_downloads_with_its_heading_through_the_door(demo_copy, monkeypatch):
    """On the indicator page, the series table's XLSX, made by the download door at the click (right checked,
    audited), opens with the indicator's name, code, unit, source, its periods and the date of the data."""
    made: dict[str, object] = {}
    real = downloads.producer

    def keep(ctx, file_name, make, detail, right):
        produce = real(ctx, file_name, make, detail, right)
        made[file_name] = produce
        return produce

    monkeypatch.setattr(downloads, "producer", keep)
    at = AppTest.from_file(str(settings.ROOT / "app_pages" / "indicator.py"), default_timeout=120)
    at.query_params["code"] = "OC-10"
    at.run()
    assert not at.exception
    name = next(n for n in made if n.endswith(".xlsx") and "series" in n)
    ws = _sheet(made[name]())
    head = [ws.cell(row=r, column=1).value for r in range(1, 8)]
    assert head[0] == "Tỷ lệ hộ nghèo"
    assert head[1:4] == [
        "Mã chỉ số: OC-10",
        "Đơn vị tính: %",
        "Nguồn số liệu: Kết quả rà soát hộ nghèo, hộ cận nghèo hằng năm",
    ]
    assert head[4].startswith("Kỳ báo cáo: Năm ") and " – Năm 2025" in head[4]
    assert head[5] == "Số liệu tính đến: 23/11/2026" and head[6] == "Dữ liệu minh hoạ (demo)"
    header_row = next(r for r in range(1, 12) if ws.cell(row=r, column=1).value == "Kỳ báo cáo")
    assert ws.cell(row=header_row + 1, column=1).value == "Năm 2025"  # the period as people write it
    value = ws.cell(row=header_row + 1, column=2)
    assert value.value == pytest.approx(1.04) and value.number_format == "#,##0.00"
