"""Every rule of CONTRACT §3 for the rows of a file, checked as columns against the catalogue in the database."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import db
from loaders.reading import read_submission
from loaders.validation import _checks, _fails, _prepare, _row_fails, load_reference, validate

TODAY = dt.date(2025, 10, 20)
HEADER = ["indicator_code", "period", "locality_code", "value"]


@pytest.fixture(scope="module")
def reference(_catalogue_db_template):
    with db.read(_catalogue_db_template) as con:
        return load_reference(con)


def csv_file(tmp_path, rows, header=HEADER, separator=";"):
    path = tmp_path / "s.csv"
    lines = [separator.join(header)] + [separator.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check(tmp_path, reference, department, rows, header=HEADER):
    return validate(read_submission(csv_file(tmp_path, rows, header)), department, reference, TODAY)


def accepted(tmp_path, reference, department, rows):
    result = check(tmp_path, reference, department, rows)
    assert result.errors == [], [e.message for e in result.errors]
    return result.clean


def only_error(tmp_path, reference, department, row):
    result = check(tmp_path, reference, department, [row])
    assert result.clean is None
    assert len(result.errors) == 1, [e.message for e in result.errors]
    error = result.errors[0]
    assert error.row == 2
    return error


# -- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "code", "locality", "text", "canonical", "start", "end"),
    [
        ("FIN", "FIN_REV", "", "2025-09", "2025-09", "2025-09-01", "2025-09-30"),
        ("FIN", "FIN_REV", "", "Tháng 9/2025", "2025-09", "2025-09-01", "2025-09-30"),
        ("FIN", "FIN_REV", "", " tháng 9 / 2025 ", "2025-09", "2025-09-01", "2025-09-30"),
        ("FIN", "FIN_GROWTH", "", "2025-Q3", "2025-Q3", "2025-07-01", "2025-09-30"),
        ("FIN", "FIN_GROWTH", "", "2025-q3", "2025-Q3", "2025-07-01", "2025-09-30"),
        ("FIN", "FIN_GROWTH", "", "Quý III/2025", "2025-Q3", "2025-07-01", "2025-09-30"),
        ("FIN", "FIN_GROWTH", "", "Quý 2/2025", "2025-Q2", "2025-04-01", "2025-06-30"),
        ("IND", "IND_ENT", "", "2025-H1", "2025-H1", "2025-01-01", "2025-06-30"),
        ("IND", "IND_ENT", "", "6 tháng đầu năm 2025", "2025-H1", "2025-01-01", "2025-06-30"),
        ("IND", "IND_ENT", "", "6 tháng cuối năm 2024", "2024-H2", "2024-07-01", "2024-12-31"),
        ("HEA", "HEA_BEDS", "07210", "2024", "2024", "2024-01-01", "2024-12-31"),
        ("HEA", "HEA_BEDS", "07210", "Năm 2024", "2024", "2024-01-01", "2024-12-31"),
        ("FIN", "FIN_DISB", "", "2025-W36", "2025-W36", "2025-09-01", "2025-09-07"),
        ("FIN", "FIN_DISB", "", "Tuần 36/2025", "2025-W36", "2025-09-01", "2025-09-07"),
    ],
)
def test_every_period_form_is_stored_canonical(
    tmp_path, reference, department, code, locality, text, canonical, start, end
):
    clean = accepted(tmp_path, reference, department, [[code, text, locality, "5"]])
    row = clean.row(0, named=True)
    assert row["period"] == canonical
    assert (row["period_start"].isoformat(), row["period_end"].isoformat()) == (start, end)


@pytest.mark.parametrize(
    ("department", "code", "locality", "expected"),
    [
        ("FIN", "FIN_REV", "", "2025-09"),
        ("FIN", "FIN_DISB", "", "2025-W38"),
        ("FIN", "FIN_GROWTH", "", "2025-Q3"),
        ("IND", "IND_ENT", "", "2025-H2"),
        ("HEA", "HEA_BEDS", "07210", "2025"),
    ],
)
def test_excel_date_cell_is_the_period_of_the_indicators_frequency_that_holds_it(
    tmp_path, reference, department, code, locality, expected
):
    path = tmp_path / "s.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Mã chỉ số", "Kỳ báo cáo", "Mã địa bàn", "Giá trị"])
    sheet.write_string(1, 0, code)
    sheet.write_datetime(1, 1, dt.datetime(2025, 9, 17), book.add_format({"num_format": "dd/mm/yyyy"}))
    if locality:
        sheet.write_string(1, 2, locality)
    sheet.write_number(1, 3, 5)
    book.close()
    result = validate(read_submission(path), department, reference, TODAY)
    assert result.errors == []
    assert result.clean["period"].to_list() == [expected]


# -- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "text", "number"),
    [
        ("FIN_REV", "1234.5", 1234.5),
        ("FIN_REV", "1234", 1234.0),
        ("FIN_REV", "1.234,5", 1234.5),
        ("FIN_REV", "1.234.567", 1234567.0),
        ("FIN_REV", "1.234.567,25", 1234567.25),
        ("FIN_REV", "12,5", 12.5),
        ("FIN_REV", "0.125", 0.125),
        ("FIN_REV", "0,125", 0.125),
        ("FIN_REV", "1234,567", 1234.567),
        ("FIN_REV", " 42 ", 42.0),
        ("FIN_REV", "1e3", 1000.0),
        ("FIN_DISB", "12,5%", 12.5),
        ("FIN_DISB", "12.5 %", 12.5),
        ("FIN_DISB", "99%", 99.0),
        ("FIN_GROWTH", "-3,5", -3.5),
        ("FIN_GROWTH", "-3.5%", -3.5),
    ],
)
def test_every_value_form(tmp_path, reference, code, text, number):
    period = {"FIN_REV": "2025-09", "FIN_DISB": "2025-W36", "FIN_GROWTH": "2025-Q3"}[code]
    clean = accepted(tmp_path, reference, "FIN", [[code, period, "", text]])
    assert clean["value"].to_list() == [number]


def test_numeric_cells_are_numbers_even_when_their_text_would_be_ambiguous(tmp_path, reference):
    path = tmp_path / "s.parquet"
    pl.DataFrame({"indicator_code": ["FIN_REV"], "period": ["2025-09"], "value": [1.234]}).write_parquet(path)
    result = validate(read_submission(path), "FIN", reference, TODAY)
    assert result.errors == [] and result.clean["value"].to_list() == [1.234]


# -- codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["07210", "7210", " 7210 ", "7210.0"])
def test_locality_codes_are_stripped_and_padded(tmp_path, reference, text):
    clean = accepted(tmp_path, reference, "IND", [["IND_RETAIL", "2025-09", text, "1"]])
    assert clean["locality_code"].to_list() == ["07210"]


def test_indicator_codes_are_stripped_and_case_insensitive_and_department_too(tmp_path, reference):
    clean = accepted(tmp_path, reference, "FIN", [[" fin_rev ", "2025-09", "", "1"]])
    assert clean["indicator_code"].to_list() == ["FIN_REV"]
    assert clean["locality_code"].to_list() == [""]


def test_province_value_allowed_where_the_province_value_is_submitted(tmp_path, reference):
    clean = accepted(
        tmp_path,
        reference,
        "IND",
        [
            ["IND_ENT", "2025-H1", "", "100"],
            ["IND_ENT", "2025-H1", "07210", "40"],
            ["IND_ENT", "2025-H1", "09295", "60"],
        ],
    )
    assert clean["locality_code"].to_list() == ["", "07210", "09295"]


def test_a_file_without_the_locality_column_is_all_province(tmp_path, reference):
    result = check(
        tmp_path, reference, "FIN", [["FIN_REV", "2025-09", "7"]], header=["indicator_code", "period", "value"]
    )
    assert result.errors == [] and result.clean["locality_code"].to_list() == [""]


# -- every rejection reason, with its row, column, value and both messages --------------------------


@pytest.mark.parametrize(
    ("department", "row", "column", "value", "vi", "en"),
    [
        ("FIN", [" ", "2025-09", "", "1"], "indicator_code", " ", "Thiếu mã chỉ số", "indicator code is missing"),
        (
            "FIN",
            ["NOPE", "2025-09", "", "1"],
            "indicator_code",
            "NOPE",
            "không có trong danh mục",
            "not in the catalogue",
        ),
        (
            "FIN",
            ["IND_RETAIL", "2025-09", "07210", "1"],
            "indicator_code",
            "IND_RETAIL",
            "Sở Công Thương (IND) quản lý",
            "owned by Department of Industry and Trade (IND); only that department may submit it, not FIN",
        ),
        (
            "IND",
            ["IND_RETAIL", "2025-09", "", "1"],
            "locality_code",
            None,
            "cần mã địa bàn",
            "locality code is required",
        ),
        (
            "HEA",
            ["HEA_VACC", "2025-Q3", "", "50"],
            "locality_code",
            None,
            "cần mã địa bàn",
            "province value is computed",
        ),
        (
            "IND",
            ["IND_RETAIL", "2025-09", "99999", "1"],
            "locality_code",
            "99999",
            "Mã địa bàn '99999' không có",
            "Locality code '99999' is not a known commune",
        ),
        (
            "IND",
            ["IND_RETAIL", "2025-09", "Bắc Giang", "1"],
            "locality_code",
            "Bắc Giang",
            "không có trong danh sách",
            "not a known commune",
        ),
        (
            "FIN",
            ["FIN_REV", "2025-09", "07210", "1"],
            "locality_code",
            "07210",
            "chỉ số cấp tỉnh: để trống mã địa bàn",
            "province-level indicator: leave the locality code empty",
        ),
        ("FIN", ["FIN_REV", "", "", "1"], "period", None, "Thiếu kỳ báo cáo", "The period is missing"),
        (
            "FIN",
            ["FIN_REV", "Sept 2025", "", "1"],
            "period",
            "Sept 2025",
            "Không đọc được kỳ báo cáo 'Sept 2025'",
            "Cannot read the period 'Sept 2025'",
        ),
        ("FIN", ["FIN_REV", "2025-13", "", "1"], "period", "2025-13", "Không đọc được kỳ", "Cannot read the period"),
        (
            "FIN",
            ["FIN_REV", "2025-Q3", "", "1"],
            "period",
            "2025-Q3",
            "là kỳ quý, nhưng chỉ số FIN_REV báo cáo theo tháng",
            "is quarterly, but indicator FIN_REV is reported monthly (e.g. 2025-09)",
        ),
        (
            "FIN",
            ["FIN_REV", "2025-11", "", "1"],
            "period",
            "2025-11",
            "Kỳ 2025-11 chưa bắt đầu (hôm nay là 2025-10-20)",
            "Period 2025-11 has not started yet",
        ),
        ("FIN", ["FIN_REV", "2025-09", "", ""], "value", None, "Thiếu giá trị", "The value is missing"),
        (
            "FIN",
            ["FIN_REV", "2025-09", "", "nan"],
            "value",
            "nan",
            "không phải là một số hữu hạn",
            "not a finite number",
        ),
        (
            "FIN",
            ["FIN_REV", "2025-09", "", "-inf"],
            "value",
            "-inf",
            "không phải là một số hữu hạn",
            "not a finite number",
        ),
        (
            "FIN",
            ["FIN_REV", "2025-09", "", "1.234"],
            "value",
            "1.234",
            "không rõ nghĩa",
            "ambiguous: a thousand or a fraction? Write a plain number without thousands separators and with a decimal "
            "point: 1234 or 1.2340.",
        ),
        ("FIN", ["FIN_REV", "2025-09", "", "1,234"], "value", "1,234", "Hãy ghi số thuần", "1234 or 1.2340"),
        ("FIN", ["FIN_REV", "2025-09", "", "1,234,567"], "value", "1,234,567", "không phải là số", "is not a number"),
        ("FIN", ["FIN_REV", "2025-09", "", "abc"], "value", "abc", "Giá trị 'abc' không phải là số", "not a number"),
        (
            "FIN",
            ["FIN_REV", "2025-09", "", "12%"],
            "value",
            "12%",
            "có đơn vị 'tỷ đồng': không ghi dấu %",
            "is measured in 'tỷ đồng': do not write a % sign",
        ),
        (
            "FIN",
            ["FIN_DISB", "2025-W36", "", "100,5"],
            "value",
            "100,5",
            "nằm ngoài khoảng hợp lệ [0; 100]",
            "The value 100.5 is outside indicator FIN_DISB's valid range [0; 100]",
        ),
        (
            "FIN",
            ["FIN_GROWTH", "2025-Q3", "", "-51"],
            "value",
            "-51",
            "ngoài khoảng hợp lệ [-50; 100]",
            "outside indicator FIN_GROWTH's valid range [-50; 100]",
        ),
        ("IND", ["IND_RETAIL", "2025-09", "07210", "-1"], "value", "-1", "ngoài khoảng hợp lệ [0; +∞]", "[0; +∞]"),
    ],
)
def test_every_rejection_reason(tmp_path, reference, department, row, column, value, vi, en):
    error = only_error(tmp_path, reference, department, row)
    assert error.column == column
    assert error.value == value
    assert vi in error.message_vi
    assert en in error.message_en
    assert error.message == f"{error.message_vi} / {error.message_en}"


def test_a_date_cell_is_not_a_value(tmp_path, reference):
    path = tmp_path / "s.parquet"
    pl.DataFrame({"indicator_code": ["FIN_REV"], "period": ["2025-09"], "value": [dt.date(2025, 9, 1)]}).write_parquet(
        path
    )
    result = validate(read_submission(path), "FIN", reference, TODAY)
    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "value", "2025-09-01")
    assert "ngày tháng" in error.message_vi and "date" in error.message_en


def test_non_finite_numeric_cells(tmp_path, reference):
    path = tmp_path / "s.parquet"
    pl.DataFrame(
        {"indicator_code": ["FIN_REV"] * 2, "period": ["2025-09", "2025-08"], "value": [float("nan"), float("inf")]}
    ).write_parquet(path)
    result = validate(read_submission(path), "FIN", reference, TODAY)
    assert [(e.row, e.column) for e in result.errors] == [(2, "value"), (3, "value")]
    assert all("finite" in e.message_en for e in result.errors)


def test_errors_use_the_header_as_written_and_every_problem_is_reported_sorted_by_row(tmp_path, reference):
    rows = [
        ["FIN_REV", "2025-09", "", "1"],
        ["NOPE", "Q5", "123456", "x"],
        ["FIN_REV", "2025-08", "", "2"],
        ["FIN_REV", "2025-07", "", "1,234"],
    ]
    header = ["Mã chỉ số", "Kỳ báo cáo", "Mã địa bàn", "Giá trị"]
    result = check(tmp_path, reference, "FIN", rows, header=header)
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (3, "Mã chỉ số", "NOPE"),
        (3, "Mã địa bàn", "123456"),
        (3, "Kỳ báo cáo", "Q5"),
        (3, "Giá trị", "x"),
        (5, "Giá trị", "1,234"),
    ]


def test_same_key_with_different_values_lists_every_row(tmp_path, reference):
    rows = [
        ["FIN_REV", "2025-09", "", "1"],
        ["FIN_REV", "2025-08", "", "5"],
        ["fin_rev", "Tháng 9/2025", "", "2"],
        ["FIN_REV", "2025-09", "", "1"],
    ]
    result = check(tmp_path, reference, "FIN", rows)
    assert [(e.row, e.column) for e in result.errors] == [(2, "value"), (4, "value"), (5, "value")]
    assert all("2, 4, 5" in e.message_en and "2, 4, 5" in e.message_vi for e in result.errors)
    assert "Mâu thuẫn" in result.errors[0].message_vi and "different values" in result.errors[0].message_en


def test_identical_duplicates_collapse(tmp_path, reference):
    rows = [["FIN_DISB", "2025-W36", "", "12,5"], ["FIN_DISB", "Tuần 36/2025", "", "12.5%"]]
    clean = accepted(tmp_path, reference, "FIN", rows)
    assert clean.height == 1 and clean["value"].to_list() == [12.5]


def test_notes_are_kept_and_empty_notes_are_null(tmp_path, reference):
    result = check(
        tmp_path,
        reference,
        "FIN",
        [["FIN_REV", "2025-09", "", "1", " ước tính "], ["FIN_REV", "2025-08", "", "2", ""]],
        header=HEADER + ["note"],
    )
    assert result.clean["note"].to_list() == ["ước tính", None]


def test_the_current_period_is_not_in_the_future(tmp_path, reference):
    clean = accepted(tmp_path, reference, "FIN", [["FIN_REV", "2025-10", "", "1"], ["FIN_DISB", "2025-W43", "", "1"]])
    assert clean.height == 2


# -- the quick row test agrees with the detailed checks ------------------------------------------------

CODES = ["FIN_REV", "fin_disb", "FIN_GROWTH", "IND_RETAIL", "HEA_BEDS", "NOPE", "", " OFF_766"]
PERIODS = ["2025-09", "2025-Q3", "2025", "2025-W36", "2025-H1", "Tháng 9/2025", "2026-01", "", "x", "2025-13"]
LOCALITIES = ["", "07210", "7210", "99999", "abc"]
VALUES = ["1", "12,5", "12,5%", "1.234", "1.234,5", "-5", "101", "nan", "", "abc", "1e9", "50%"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(CODES), st.sampled_from(PERIODS), st.sampled_from(LOCALITIES), st.sampled_from(VALUES)
        ),
        min_size=1,
        max_size=12,
    )
)
def test_a_row_is_flagged_exactly_when_some_check_reports_it(reference, rows):
    data = pl.DataFrame(
        {
            "row": list(range(2, len(rows) + 2)),
            "indicator_code": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "locality_code": [r[2] for r in rows],
            "value": [r[3] for r in rows],
        },
        schema={"row": pl.Int64, **dict.fromkeys(HEADER, pl.Utf8)},
    )
    work = _prepare(data, reference, "FIN", TODAY)
    quick = work.select(_row_fails(TODAY)).to_series().to_list()
    detailed = work.select(pl.any_horizontal([_fails(c) for c in _checks("FIN", TODAY).values()])).to_series()
    assert quick == detailed.to_list()
