"""Every rule of CONTRACT §3 for the rows of a file, checked as columns against the catalogue in the database."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import db
from loaders.errors import ReadError
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
            "Kỳ 2025-11 chưa bắt đầu (hôm nay là 20/10/2025)",
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
            "Nếu là số nguyên, ghi 1234 (không có dấu phân cách hàng nghìn); nếu là số thập phân, thêm một chữ số 0 ở "
            "cuối: 1,2340",  # the Vietnamese advice in the Vietnamese form 1.234,5 accepts
            "If it is a whole number, write 1234 (no thousands separator); if it is a fraction, add a zero at the "
            "end: 1.2340",
        ),
        ("FIN", ["FIN_REV", "2025-09", "", "1,234"], "value", "1,234", "ghi 1234", "1234"),
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

CODES = ["FIN_REV", "fin_disb", "FIN_GROWTH", "IND_RETAIL", "HEA_BEDS", "NOPE", "", " OFF_766", "X" * 300]
PERIODS = ["2025-09", "2025-Q3", "2025", "2025-W36", "2025-H1", "Tháng 9/2025", "2026-01", "", "x", "2025-13",
           "0000-W01", "9999-12", "1999", "Năm 0001", "２０２５-09", "2025-١٠", "9" * 300]  # fmt: skip
LOCALITIES = ["", "07210", "7210", "99999", "abc", "0" * 300]
VALUES = ["1", "12,5", "12,5%", "1.234", "1.234,5", "-5", "101", "nan", "", "abc", "1e9", "50%", "1e309", "1e16",
          "１２", "٣,٥", "1" * 300]  # fmt: skip
NOTES = ["", "ước tính", "a\x1bb", "x" * 2001, "dòng 1\r\ndòng 2\tcột"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(CODES),
            st.sampled_from(PERIODS) | st.text(),  # the whole of Unicode too
            st.sampled_from(LOCALITIES),
            st.sampled_from(VALUES) | st.text(),
            st.sampled_from(NOTES),
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
            "note": [r[4] for r in rows],
        },
        schema={"row": pl.Int64, **dict.fromkeys([*HEADER, "note"], pl.Utf8)},
    )
    work = _prepare(data, reference, "FIN", TODAY)
    quick = work.select(_row_fails(TODAY)).to_series().to_list()
    detailed = work.select(pl.any_horizontal([_fails(c) for c in _checks("FIN", TODAY).values()])).to_series()
    assert quick == detailed.to_list()


# -- every cell is judged, never crashes (issue 12, issue 13) --------------------------------------------
# Whatever a period or value cell holds, it ends as a value or as a row error with row, column, value and a
# message in both languages: no Python error, no library's text, no raw control character, nothing unbounded.

# (department, indicator, locality) of each frequency in the small catalogue
OF_FREQUENCY = {
    "annual": ("HEA", "HEA_BEDS", "07210"),
    "half_yearly": ("IND", "IND_ENT", "07210"),
    "quarterly": ("FIN", "FIN_GROWTH", ""),
    "monthly": ("FIN", "FIN_REV", ""),
    "weekly": ("FIN", "FIN_DISB", ""),
}
PERIOD_FORMS = [
    ("annual", "{y:04d}"),
    ("annual", "Năm {y:04d}"),
    ("half_yearly", "{y:04d}-H1"),
    ("half_yearly", "{y:04d}-H2"),
    ("half_yearly", "6 tháng đầu năm {y:04d}"),
    ("half_yearly", "6 tháng cuối năm {y:04d}"),
    ("quarterly", "{y:04d}-Q1"),
    ("quarterly", "{y:04d}-Q4"),
    ("quarterly", "Quý IV/{y:04d}"),
    ("monthly", "{y:04d}-01"),
    ("monthly", "{y:04d}-12"),
    ("monthly", "Tháng 12/{y:04d}"),
    ("weekly", "{y:04d}-W01"),
    ("weekly", "{y:04d}-W52"),
    ("weekly", "Tuần 52/{y:04d}"),
]


def _one_row(tmp_path, reference, frequency: str, period: str, value: str = "1", note: str = ""):
    department, code, locality = OF_FREQUENCY[frequency]
    result = check(tmp_path, reference, department, [[code, period, locality, value, note]], header=HEADER + ["note"])
    return result


@pytest.mark.parametrize("year", [0, 1, 1999, 9999])
@pytest.mark.parametrize(("frequency", "form"), PERIOD_FORMS)
def test_extreme_years_in_every_period_form_are_row_errors(tmp_path, reference, year, frequency, form):
    period = form.format(y=year)
    result = _one_row(tmp_path, reference, frequency, period)
    assert result.clean is None
    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "period", period)
    if year < 2000:
        assert "quá xa" in error.message_vi and "từ năm 2000" in error.message_vi
        assert "too far back" in error.message_en and "2000" in error.message_en
    else:
        assert "chưa bắt đầu" in error.message_vi and "has not started yet" in error.message_en


@pytest.mark.parametrize("day", [dt.date(1900, 1, 1), dt.date(1999, 12, 31), dt.date(9999, 12, 31)])
def test_date_cells_out_of_the_window_are_row_errors(tmp_path, reference, day):
    path = tmp_path / "s.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["indicator_code", "period", "value"])
    for row, code in enumerate(["FIN_REV", "FIN_DISB", "FIN_GROWTH"], start=1):
        sheet.write_string(row, 0, code)
        sheet.write_datetime(row, 1, dt.datetime.combine(day, dt.time()), book.add_format({"num_format": "dd/mm/yy"}))
        sheet.write_number(row, 2, 1)
    book.close()
    result = validate(read_submission(path), "FIN", reference, TODAY)
    assert [(e.row, e.column) for e in result.errors] == [(2, "period"), (3, "period"), (4, "period")]


def test_parquet_dates_of_any_year_are_row_errors(tmp_path, reference):
    path = tmp_path / "s.parquet"
    days = pl.Series([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2025, 9, 1)])
    frame = pl.DataFrame({"indicator_code": ["FIN_REV"] * 3, "period": days, "value": [1.0, 2.0, 3.0]})
    frame = frame.with_columns(
        pl.when(pl.int_range(3) == 0).then(pl.date(-20000, 1, 1)).otherwise(pl.col("period")).alias("period")
    )  # year -20000: a date no Python date can hold
    frame.write_parquet(path)
    result = validate(read_submission(path), "FIN", reference, TODAY)
    assert [(e.row, e.column) for e in result.errors] == [(2, "period"), (3, "period")]


OTHER_DIGITS = [
    ("１２３", "full-width"),
    ("١٢٣", "Arabic-Indic"),
    ("۱۲۳", "Persian"),
    ("१२३", "Devanagari"),
    ("１.２３４,５", "full-width Vietnamese form"),
    ("12,５", "one full-width digit"),
]


@pytest.mark.parametrize(("text", "kind"), OTHER_DIGITS, ids=[k for _, k in OTHER_DIGITS])
def test_one_digit_policy_ascii_only_in_values_and_periods(tmp_path, reference, text, kind):
    [error] = _one_row(tmp_path, reference, "monthly", "2025-09", value=text).errors
    assert error.column == "value" and error.value == text
    assert "chữ số không phải 0–9" in error.message_vi and "digits other than 0–9" in error.message_en
    year = text.replace(",", "").replace(".", "")[:3] + "5"  # a year written in the same digits
    [error] = _one_row(tmp_path, reference, "monthly", f"{year}-09").errors
    assert error.column == "period" and "chữ số không phải 0–9" in error.message_vi


@pytest.mark.parametrize("text", ["1e309", "-1e309", "1E400", "9" * 180 + "e300"])
def test_a_number_too_large_for_a_double_without_a_valid_range(tmp_path, reference, text):
    result = check(tmp_path, reference, "IND", [["IND_RETAIL", "2025-09", "07210", text]])  # valid_max: none
    [error] = result.errors
    assert (error.row, error.column) == (2, "value")
    assert "không phải là một số hữu hạn" in error.message_vi and "not a finite number" in error.message_en
    assert len(error.value) < 120


def test_a_value_beyond_every_plausible_bound(tmp_path, reference):
    [error] = check(tmp_path, reference, "IND", [["IND_RETAIL", "2025-09", "07210", "1e16"]]).errors
    assert "quá lớn" in error.message_vi and "10^15" in error.message_en
    assert check(tmp_path, reference, "IND", [["IND_RETAIL", "2025-09", "07210", "1e15"]]).errors == []


def test_a_typed_infinite_number_from_json(tmp_path, reference):
    path = tmp_path / "s.json"
    path.write_text('[{"indicator_code": "IND_RETAIL", "period": "2025-09", "locality_code": "07210", "value": 1'
                    + "0" * 400 + "}]")  # fmt: skip
    [error] = validate(read_submission(path), "IND", reference, TODAY).errors
    assert error.column == "value" and "finite" in error.message_en


def test_cell_lengths_are_bounded_and_a_huge_note_is_never_kept(tmp_path, reference):
    header = HEADER + ["note"]
    ok = check(tmp_path, reference, "FIN", [["FIN_REV", "2025-09", "", "1", "ê" * 2000]], header=header)
    assert ok.errors == [] and ok.clean["note"].str.len_chars().to_list() == [2000]
    huge = "Ghi chú rất dài " * 400_000  # 6.4 million characters, about 8 MB
    path = tmp_path / "s.json"
    path.write_text(json.dumps([{"indicator_code": "FIN_REV", "period": "2025-09", "value": 1, "note": huge}]))
    frame = read_submission(path)
    assert frame.data["note"].str.len_chars().to_list() == [2001]  # the reader kept enough to know it is too long
    [error] = validate(frame, "FIN", reference, TODAY).errors
    assert error.column == "note" and "2.000 ký tự" in error.message_vi and "2,000 characters" in error.message_en
    assert error.value.startswith("Ghi chú rất dài") and len(error.value) < 130  # cut, with the count of the rest
    with pytest.raises(ReadError) as caught:  # in a text file, a line that long is no row of a table at all
        check(tmp_path, reference, "FIN", [["FIN_REV", "2025-09", "", "1", huge]], header=header)
    assert caught.value.errors[0].row == 2 and "1 MB" in caught.value.errors[0].message_vi
    for key, cell in [("indicator_code", "FIN_" + "X" * 300), ("value", "1" * 201), ("period", "2025-09" + " " * 300)]:
        row = {"indicator_code": "FIN_REV", "period": "2025-09", "locality_code": "", "value": "1"} | {key: cell}
        [error] = check(tmp_path, reference, "FIN", [list(row.values())]).errors
        assert error.column == key and "200 ký tự" in error.message_vi


CONTROLS = ["\x1b[2J\x1b[31m", "\x00", "\x07", "\x7f", "\x85", "\x9b31m", "\x08\x08"]


@pytest.mark.parametrize("control", CONTROLS, ids=[repr(c) for c in CONTROLS])
def test_control_characters_never_reach_a_report_raw(tmp_path, reference, control):
    records = [
        {"indicator_code": "FIN_REV", "period": "2025-09", "value": 1, "note": f"ghi{control}chú"},
        {"indicator_code": f"FIN{control}REV", "period": "2025-08", "value": 1},
        {"indicator_code": "FIN_REV", "period": f"2025{control}-07", "value": 1},
        {"indicator_code": "FIN_REV", "period": "2025-06", "value": f"1{control}2"},
    ]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(records))  # JSON: any character, NUL included, reaches the cells
    errors = validate(read_submission(path), "FIN", reference, TODAY).errors
    assert [(e.row, e.column) for e in errors] == [(2, "note"), (3, "indicator_code"), (4, "period"), (5, "value")]
    assert "ký tự điều khiển" in errors[0].message_vi and "control character" in errors[0].message_en
    for e in errors:
        for text in (e.value, e.message_vi, e.message_en):
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)
    assert "\u241b" in errors[1].value or control[0] != "\x1b"  # shown as ␛, not dropped


def test_tabs_and_line_breaks_are_a_notes_own(tmp_path, reference):
    path = tmp_path / "s.csv"
    path.write_bytes(
        b'indicator_code,period,value,note\r\nFIN_REV,2025-09,1,"d\xc3\xb2ng 1\r\nd\xc3\xb2ng 2\tc\xe1\xbb\x99t"\r\n'
    )
    result = validate(read_submission(path), "FIN", reference, TODAY)
    assert result.errors == [] and result.clean["note"].to_list() == ["dòng 1\ndòng 2\tcột"]


def test_the_stored_report_keeps_values_cut(tmp_path, catalogue_db):
    from loaders.ingest import submit_file

    path = tmp_path / "s.json"
    path.write_text(json.dumps([{"indicator_code": "FIN_REV", "period": "2025-09", "value": "9" * 5_000_000}]))
    result = submit_file(path, "FIN", db_path=catalogue_db, now=dt.datetime(2025, 10, 20, 9))
    assert result.status == "rejected"
    with db.read(catalogue_db) as con:
        size, stored = con.execute("SELECT strlen(errors), errors FROM submissions").fetchone()
    assert size < 2_000
    [problem] = json.loads(stored)
    assert problem["value"].startswith("9" * 100) and len(problem["value"]) <= 200


_NOT_OURS = re.compile(r"Traceback|Error\b|exception|col\(|polars|\bstr\b|NoneType|\{\}", re.IGNORECASE)


def _judged(result, rows: int) -> None:
    """Every row ends as a value or as at least one row error; every error is whole, ours, bounded, printable."""
    if result.clean is not None:
        assert result.errors == [] and result.clean.height <= rows
        return
    assert result.errors
    for e in result.errors:
        assert e.row is None or 2 <= e.row <= rows + 1
        for text in (e.message_vi, e.message_en):
            ours = text.replace(e.value, "") if e.value else text  # the cell quoted may say anything: '{}' too
            assert text.strip() and not _NOT_OURS.search(ours), text
            assert len(text) < 1_200
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
        assert e.value is None or (len(e.value) <= 130 and not re.search("[\x00-\x1f\x7f-\x9f]", e.value))
        json.dumps(e.to_dict(), ensure_ascii=False).encode("utf-8")


YEARS = st.integers(0, 9999)
EXTREME_PERIODS = st.one_of(
    st.builds(lambda y, f: f.format(y=y), YEARS, st.sampled_from([f for _, f in PERIOD_FORMS])),
    st.builds("{}-{:02d}".format, YEARS, st.integers(0, 99)),
    st.builds("{}-W{:02d}".format, YEARS, st.integers(0, 99)),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=8),  # digits of every script
    st.text(),  # the whole of Unicode (no lone surrogates: no file can hold one)
)
ANY_VALUE = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(categories=["Nd", "Po", "Zs", "Sc"]), max_size=12),
    st.floats().map(repr),
    st.integers(-(10**400), 10**400).map(str),
    st.sampled_from(["1e309", "-1e309", "nan", "1.234", "1.234,5", "12%", "٫", "½", "Ⅻ", "1_000"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(EXTREME_PERIODS, ANY_VALUE, st.sampled_from(["FIN_REV", "FIN_DISB", "FIN_GROWTH"])),
                     min_size=1, max_size=8))  # fmt: skip
def test_any_period_or_value_cell_in_the_whole_of_unicode_is_judged(reference, rows):
    data = pl.DataFrame(
        {
            "row": list(range(2, len(rows) + 2)),
            "indicator_code": [r[2] for r in rows],
            "period": [r[0] for r in rows],
            "value": [r[1] for r in rows],
        },
        schema={"row": pl.Int64, "indicator_code": pl.Utf8, "period": pl.Utf8, "value": pl.Utf8},
    )
    from loaders.reading import SubmissionFrame

    frame = SubmissionFrame(data, {"indicator_code": "indicator_code", "period": "period", "value": "value"})
    _judged(validate(frame, "FIN", reference, TODAY), len(rows))
