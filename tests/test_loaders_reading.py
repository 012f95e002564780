"""Reading a submission file (CONTRACT §3): formats, headers, typed cells, file-level problems."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
import xlsxwriter

from loaders.errors import ReadError
from loaders.reading import frame_from_polars, key_of, read_submission

VI = ["Mã chỉ số", "Kỳ báo cáo", "Mã địa bàn", "Giá trị", "Ghi chú"]
EN = ["indicator_code", "period", "locality_code", "value", "note"]


def write_text(path, text: str, encoding: str = "utf-8", bom: bool = False):
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path, header, rows, formats=None):
    """rows: lists of cells; a datetime is written as a date cell, a (number, '0.0%') pair as a percent cell."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    percent = book.add_format({"num_format": "0.0%"})
    for c, name in enumerate(header):
        sheet.write_string(0, c, name)
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, dt.datetime | dt.date):
                sheet.write_datetime(r, c, cell, date_format)
            elif isinstance(cell, tuple):
                sheet.write_number(r, c, cell[0], percent)
            elif isinstance(cell, str):
                sheet.write_string(r, c, cell)
            else:
                sheet.write_number(r, c, cell)
    book.close()
    return path


def errors_of(path) -> list:
    with pytest.raises(ReadError) as caught:
        read_submission(path)
    return caught.value.errors


# -- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("indicator_code", "indicator_code"),
        ("  INDICATOR_CODE ", "indicator_code"),
        ("Mã chỉ số", "indicator_code"),
        ("mã chỉ số", "indicator_code"),
        ("MÃ CHỈ SỐ", "indicator_code"),
        ("Ma\u0303 chi\u0309 sô\u0301", "indicator_code"),  # decomposed Unicode (NFD), as some Macs write it
        ("Kỳ  báo cáo", "period"),
        ("Mã địa bàn", "locality_code"),
        ("Giá trị", "value"),
        ("ghi chú", "note"),
        ("Tên chỉ số", None),
        ("Đơn vị", None),
    ],
)
def test_headers_are_matched_by_key_or_vietnamese_name(header, key):
    assert key_of(header) == key


def test_csv_with_vietnamese_headers_any_order_and_extra_columns(tmp_path):
    path = write_text(
        tmp_path / "s.csv",
        "Giá trị, Tên chỉ số ,KỲ BÁO CÁO,mã chỉ số,Mã địa bàn\n12.5,Thu ngân sách,2025-09,FIN_REV,\n",
    )
    frame = read_submission(path)
    assert frame.rows == 1
    assert frame.headers == {
        "value": "Giá trị",
        "period": "KỲ BÁO CÁO",
        "indicator_code": "mã chỉ số",
        "locality_code": "Mã địa bàn",
    }
    row = frame.data.row(0, named=True)
    assert (row["row"], row["indicator_code"], row["period"], row["value"]) == (2, "FIN_REV", "2025-09", "12.5")
    assert row["locality_code"] is None


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [False, True])
def test_csv_separators_and_byte_order_mark(tmp_path, separator, bom):
    text = (
        separator.join(EN) + "\n" + separator.join(["FIN_REV", "2025-09", "", "1,5" if separator != "," else "15", "x"])
    )
    frame = read_submission(write_text(tmp_path / "s.csv", text + "\n", bom=bom))
    assert list(frame.headers) == EN
    assert frame.data["indicator_code"].to_list() == ["FIN_REV"]
    assert frame.data["value"].to_list() == ["1,5" if separator != "," else "15"]


def test_csv_keeps_cells_as_text_and_counts_spreadsheet_rows(tmp_path):
    path = write_text(
        tmp_path / "s.csv", "indicator_code,period,locality_code,value\nA,2025-09,07210,1\nB,2025-09,7210,2\n"
    )
    frame = read_submission(path)
    assert frame.data["locality_code"].to_list() == ["07210", "7210"]
    assert frame.data["row"].to_list() == [2, 3]


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_sheet(tmp_path):
    path = write_text(tmp_path / "s.csv", "indicator_code,period,value\nA,2025-09,1\n,,\n\nB,2025-09,2\n,,\n")
    frame = read_submission(path)
    assert frame.rows == 2
    assert frame.data["row"].to_list() == [2, 5]


def test_quoted_cells_with_separators_and_line_breaks(tmp_path):
    path = write_text(
        tmp_path / "s.csv", 'indicator_code,period,value,note\nA,2025-09,"1.234,5","a, b\nc"\nB,2025-09,2,\n'
    )
    frame = read_submission(path)
    assert frame.data["value"].to_list() == ["1.234,5", "2"]
    assert frame.data["row"].to_list() == [2, 3]


def test_xlsx_typed_cells_numbers_dates_percent_and_text(tmp_path):
    path = write_xlsx(
        tmp_path / "s.xlsx",
        VI + ["Tên chỉ số"],
        [
            ["FIN_REV", "2025-09", None, 1234.5, "ghi chú", "tên"],
            ["IND_RETAIL", dt.datetime(2025, 9, 15), 7210, "1.234,5", None, None],
            ["FIN_DISB", "2025-W36", None, (0.125, "%"), None, None],
            ["FIN_REV", 2025, None, 3, None, None],
        ],
    )
    frame = read_submission(path)
    data = frame.data
    assert data["row"].to_list() == [2, 3, 4, 5]
    assert data["value"].to_list() == ["1234.5", "1.234,5", "12.5%", "3"]
    assert data["value__num"].to_list() == [1234.5, None, None, 3.0]
    assert data["period"].to_list() == ["2025-09", "15/09/2025", "2025-W36", "2025"]  # a date cell quoted as dd/mm/yyyy
    assert data["period__date"].to_list() == [None, dt.date(2025, 9, 15), None, None]
    assert data["locality_code"].to_list() == [None, "7210", None, None]


def test_xlsx_header_below_a_title_keeps_the_sheet_row_numbers(tmp_path):
    path = tmp_path / "s.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "BÁO CÁO SỐ LIỆU THÁNG 9/2025")
    sheet.write_row(2, 0, ["indicator_code", "period", "value"])
    sheet.write_row(3, 0, ["FIN_REV", "2025-09", 5])
    sheet.write_row(5, 0, ["FIN_REV", "2025-08", 6])
    book.close()
    frame = read_submission(path)
    assert frame.data["row"].to_list() == [4, 6]


def test_parquet_keeps_types(tmp_path):
    path = tmp_path / "s.parquet"
    pl.DataFrame(
        {
            "Mã chỉ số": ["FIN_REV", "IND_RETAIL"],
            "period": [dt.date(2025, 9, 1), dt.date(2025, 8, 31)],
            "locality_code": [None, 7210],
            "value": [1.5, float("nan")],
        }
    ).write_parquet(path)
    data = read_submission(path).data
    assert data["period__date"].to_list() == [dt.date(2025, 9, 1), dt.date(2025, 8, 31)]
    assert data["locality_code"].to_list() == [None, "7210"]
    assert data["value__num"][0] == 1.5
    assert data["value"].to_list()[0] == "1.5"


def test_json_array_of_records(tmp_path):
    records = [
        {"indicator_code": "FIN_REV", "period": "2025-09", "value": 12.5},
        {"Tên chỉ số": "x", "indicator_code": "FIN_REV", "period": "Tháng 8/2025", "value": "1.234,5", "extra": [1]},
    ]
    frame = read_submission(write_text(tmp_path / "s.json", json.dumps(records, ensure_ascii=False)))
    assert frame.data["value"].to_list() == ["12.5", "1.234,5"]
    assert frame.data["value__num"].to_list() == [12.5, None]


def test_frame_from_polars_for_the_demo_generator():
    frame = frame_from_polars(
        pl.DataFrame(
            {
                "indicator_code": ["FIN_REV", "IND_RETAIL"],
                "period": ["2025-09", "2025-09"],
                "locality_code": ["", "07210"],
                "value": [1.0, 2.0],
                "note": [None, "x"],
            }
        )
    )
    assert frame.rows == 2
    assert frame.data["value__num"].to_list() == [1.0, 2.0]
    assert frame.data["locality_code"].to_list() == ["", "07210"]


# -- file-level problems: a report, never a traceback -------------------------------------------


def only_error(path):
    errors = errors_of(path)
    assert len(errors) >= 1
    for error in errors:
        assert error.message_vi and error.message_en
    return errors


def test_unknown_extension(tmp_path):
    [error] = only_error(write_text(tmp_path / "s.docx", "x"))
    assert "'.docx'" in error.message_en and ".csv" in error.message_en and "Định dạng" in error.message_vi


@pytest.mark.parametrize("name", ["s.csv", "s.json", "s.xlsx", "s.parquet"])
def test_empty_file(tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    [error] = only_error(tmp_path / name)
    assert error.message_en == "The file is empty." and error.message_vi == "Tệp rỗng."


def test_header_without_rows(tmp_path):
    [error] = only_error(write_text(tmp_path / "s.csv", "indicator_code,period,value\n"))
    assert "no data rows" in error.message_en


def test_damaged_utf8_is_refused_with_its_line_not_read_as_windows_1258(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(
        "indicator_code,period,value,note\nA,2025,1,Hà Nội\nB,2025,2,Bắc Ninh\n".encode() + b"C,\xff,2,x\n"
    )
    [error] = only_error(path)
    assert error.row == 4 and "UTF-8" in error.message_en and "line 4" in error.message_en
    assert "dòng 4" in error.message_vi


def test_utf16_without_a_byte_order_mark_is_refused(tmp_path):
    [error] = only_error(write_text(tmp_path / "s.csv", "indicator_code,period,value\nA,2025,1\n", "utf-16-le"))
    assert "UTF-16" in error.message_en and "byte-order mark" in error.message_en


def test_missing_required_columns_are_each_reported(tmp_path):
    errors = only_error(write_text(tmp_path / "s.csv", "Mã chỉ số,Ghi chú\nA,x\n"))
    assert [e.column for e in errors] == ["Kỳ báo cáo (period)", "Giá trị (value)"]
    assert all(e.row == 1 for e in errors)
    assert "'Mã chỉ số', 'Ghi chú'" in errors[0].message_en


def test_duplicated_column(tmp_path):
    errors = only_error(write_text(tmp_path / "s.csv", "value,Mã chỉ số,Kỳ báo cáo,Giá trị\n1,A,2025,2\n"))
    assert [(e.row, e.column) for e in errors] == [(1, "Giá trị")]
    assert "duplicated" in errors[0].message_en and "trùng" in errors[0].message_vi


def test_duplicated_key_in_json(tmp_path):
    [error] = only_error(
        write_text(tmp_path / "s.json", '[{"value": 1, "Value": 2, "period": "2025", "indicator_code": "A"}]')
    )
    assert "twice" in error.message_en


@pytest.mark.parametrize("text", ["{}", "[1, 2]", "not json", '{"a": [1,'])
def test_json_that_is_not_an_array_of_records(tmp_path, text):
    only_error(write_text(tmp_path / "s.json", text))


def test_rows_with_more_cells_than_the_header_are_each_reported_and_the_rest_still_read(tmp_path):
    path = write_text(tmp_path / "s.csv", 'indicator_code,period,value\nA,2025,1,5\nB,"Tháng 9,\n2025",2\nC,2025,3,5\n')
    frame = read_submission(path)
    assert [e.row for e in frame.problems] == [2, 4]
    assert "decimal comma" in frame.problems[0].message_en and "dấu phẩy" in frame.problems[0].message_vi
    assert frame.problems[0].value == "A,2025,1,5"
    assert frame.data["indicator_code"].to_list() == ["A", "B", "C"]


@pytest.mark.parametrize("name", ["s.csv", "s.xlsx", "s.parquet", "s.json"])
def test_random_bytes_are_a_report(tmp_path, name):
    import random

    data = random.Random(3).randbytes(2000)
    (tmp_path / name).write_bytes(data)
    only_error(tmp_path / name)


def test_binary_file_named_csv(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    only_error(path)


def test_parquet_with_a_duplicated_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table([["A"], ["2025"], [1.0], [2.0]], names=["indicator_code", "period", "value", "Giá trị"])
    pq.write_table(table, tmp_path / "s.parquet")
    [error] = only_error(tmp_path / "s.parquet")
    assert (error.row, error.column) == (1, "Giá trị") and "duplicated" in error.message_en


def _seed_files(folder):
    pl.DataFrame({"indicator_code": ["A"] * 20, "period": ["2025-09"] * 20, "value": [1.5] * 20}).write_parquet(
        folder / "seed.parquet"
    )
    write_xlsx(folder / "seed.xlsx", EN[:4], [["A", "2025-09", None, i] for i in range(20)])
    write_text(folder / "seed.csv", "indicator_code;period;value\n" + "A;2025-09;1\n" * 20)
    write_text(folder / "seed.json", json.dumps([{"indicator_code": "A", "period": "2025-09", "value": 1}] * 20))


def test_damaged_files_are_a_report_never_an_exception(tmp_path):
    """Valid files with bytes flipped or cut short, in every format: a ReadError or a frame, nothing else."""
    import random

    _seed_files(tmp_path)
    rng = random.Random(20251020)
    for n in range(160):
        ext = (".csv", ".xlsx", ".parquet", ".json")[n % 4]
        data = bytearray((tmp_path / f"seed{ext}").read_bytes())
        if n % 8 < 4:
            for _ in range(rng.randint(1, 12)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            data = data[: rng.randrange(1, len(data))]
        path = tmp_path / f"damaged{ext}"
        path.write_bytes(bytes(data))
        try:
            read_submission(path)
        except ReadError as exc:
            assert all(e.message_vi and e.message_en for e in exc.errors)
