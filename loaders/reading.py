"""Read a submitted file (.csv, .xlsx, .parquet, .json) into one internal frame (CONTRACT §3).

The frame has a ``row`` column (the spreadsheet row number, header = row 1) and,
for every contract column found by its header, the cell as text under the
column's key; where the file typed the cell, the number under ``<key>__num``
and the date under ``<key>__date``. Headers as written in the file are kept
for the error report. Nothing here decides whether a value is right: that is
``loaders.validation``. A file that cannot be read as a table raises
``ReadError`` with file-level problems, never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from loaders.errors import ReadError, RowError

KEYS: tuple[str, ...] = ("indicator_code", "period", "locality_code", "value", "note")
REQUIRED: tuple[str, ...] = ("indicator_code", "period", "value")
VI_HEADERS: dict[str, str] = {
    "indicator_code": "Mã chỉ số",
    "period": "Kỳ báo cáo",
    "locality_code": "Mã địa bàn",
    "value": "Giá trị",
    "note": "Ghi chú",
}
EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx", ".parquet", ".json")
NUM = "__num"
DATE = "__date"
_HEADER_SEARCH_ROWS = 20  # an .xlsx may carry a title above its header row
# Caps against hostile or broken files (a few KB of .xlsx or .parquet can unpack to billions of cells):
# a spreadsheet has at most 16,384 columns and 1,048,576 rows; a parquet file declares its size up front.
MAX_COLUMNS = 16_384
MAX_SHEET_ROWS = 1_048_576
MAX_PARQUET_ROWS = 5_000_000


def normalise_header(name: object) -> str:
    """Header as compared: NFC, case-folded, surrounding and repeated spaces dropped."""
    text = unicodedata.normalize("NFC", str(name)).casefold()
    return unicodedata.normalize("NFC", " ".join(text.split()))


_LOOKUP: dict[str, str] = {normalise_header(k): k for k in KEYS} | {
    normalise_header(v): k for k, v in VI_HEADERS.items()
}


def key_of(header: object) -> str | None:
    """The contract key a header names, or None for a column the loader ignores."""
    return None if header is None else _LOOKUP.get(normalise_header(header))


@dataclass
class SubmissionFrame:
    """A file's rows as text plus typed cells, and the headers as written in the file."""

    data: pl.DataFrame
    headers: dict[str, str]  # key -> header as written
    problems: list[RowError] = field(default_factory=list)  # rows the reader already found wrong

    @property
    def rows(self) -> int:
        return self.data.height

    def header(self, key: str) -> str:
        return self.headers.get(key, VI_HEADERS[key])


def _file_error(message_vi: str, message_en: str, row: int | None = None, column: str | None = None) -> ReadError:
    return ReadError([RowError(row, column, None, message_vi, message_en)])


def _too_many_columns(count: int | str) -> ReadError:
    return _file_error(
        f"Tệp có {count} cột, quá giới hạn {MAX_COLUMNS:,} cột. Hãy nộp bảng theo mẫu (mỗi chỉ số, kỳ, địa bàn một dòng).",
        f"The file has {count} columns, more than the limit of {MAX_COLUMNS:,}. Submit the table of the template "
        "(one row per indicator, period and locality).",
        row=1,
    )


def _too_many_rows(count: int | str, limit: int) -> ReadError:
    return _file_error(
        f"Tệp có {count} dòng, quá giới hạn {limit:,} dòng. Hãy chia thành nhiều tệp.",
        f"The file has {count} rows, more than the limit of {limit:,}. Split it into several files.",
    )


# -- headers -------------------------------------------------------------------------------


def _choose_columns(headers: list[object]) -> dict[str, int]:
    """Key -> position of its column; refuses duplicated and missing contract columns."""
    chosen: dict[str, int] = {}
    errors: list[RowError] = []
    for position, header in enumerate(headers):
        key = key_of(header)
        if key is None:
            continue
        if key in chosen:
            first = headers[chosen[key]]
            errors.append(
                RowError(
                    1,
                    str(header),
                    None,
                    f"Cột '{header}' bị trùng: cột '{first}' cũng là {VI_HEADERS[key]} ({key}). Hãy giữ một cột.",
                    f"Column '{header}' is duplicated: column '{first}' is also {VI_HEADERS[key]} ({key}). "
                    "Keep one of them.",
                )
            )
            continue
        chosen[key] = position
    found = ", ".join(f"'{h}'" for h in headers if h not in (None, "")) or "-"
    for key in REQUIRED:
        if key not in chosen:
            errors.append(
                RowError(
                    1,
                    f"{VI_HEADERS[key]} ({key})",
                    None,
                    f"Thiếu cột bắt buộc '{VI_HEADERS[key]}' (hoặc '{key}'). Các cột tìm thấy: {found}.",
                    f"Required column '{VI_HEADERS[key]}' (or '{key}') is missing. Columns found: {found}.",
                )
            )
    if errors:
        raise ReadError(errors)
    return chosen


def _drop_blank_rows(data: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """A row whose contract cells are all empty is not a row (spreadsheets leave many)."""

    def empty(key: str) -> pl.Expr:
        return pl.col(key).is_null() | (pl.col(key).str.strip_chars() == "")

    # Cheap test first: a blank row has an empty indicator code.
    if not data.select(empty("indicator_code").any()).item():
        return data
    typed = [pl.col(c).is_null() for c in data.columns if c.endswith((NUM, DATE))]
    return data.filter(~pl.all_horizontal([empty(k) for k in keys] + typed))


def _finish(data: pl.DataFrame, headers: dict[str, str], problems: list[RowError] | None = None) -> SubmissionFrame:
    data = _drop_blank_rows(data, list(headers))
    if data.height == 0 and problems:
        raise ReadError(problems)
    if data.height == 0:
        raise _file_error(
            "Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề).",
            "The file has no data rows (only the header).",
        )
    return SubmissionFrame(data, headers, problems or [])


# -- text of typed cells -------------------------------------------------------------------


def _number_text(expr: pl.Expr) -> pl.Expr:
    """7210.0 -> '7210' (a code a spreadsheet made a number), 12.5 -> '12.5'."""
    integral = expr.is_finite() & (expr == expr.round(0)) & (expr.abs() < 1e15)
    return pl.when(integral).then(expr.cast(pl.Int64, strict=False).cast(pl.Utf8)).otherwise(expr.cast(pl.Utf8))


def _py_text(value: object) -> str:
    if isinstance(value, float):
        if math.isfinite(value) and value == round(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


# -- frames (parquet, the demo generator) ---------------------------------------------------


def frame_from_polars(df: pl.DataFrame) -> SubmissionFrame:
    """The internal frame from a polars frame with contract headers (any dtypes)."""
    chosen = _choose_columns(list(df.columns))
    cols: list[pl.Expr] = [pl.int_range(2, df.height + 2, dtype=pl.Int64).alias("row")]
    for key, position in chosen.items():
        name = df.columns[position]
        col = pl.col(name)
        dtype = df.schema[name]
        if dtype == pl.Utf8:
            cols.append(col.alias(key))
        elif dtype == pl.Null:
            cols.append(col.cast(pl.Utf8).alias(key))
        elif dtype.is_numeric():
            num = col.cast(pl.Float64)
            cols += [_number_text(num).alias(key), num.alias(key + NUM)]
        elif dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
            day = col.cast(pl.Date) if dtype == pl.Date else col.dt.date()
            cols += [day.cast(pl.Utf8).alias(key), day.alias(key + DATE)]
        elif dtype == pl.Boolean or isinstance(dtype, pl.Categorical | pl.Enum):
            cols.append(col.cast(pl.Utf8).alias(key))
        else:
            cols.append(col.map_elements(_py_text, return_dtype=pl.Utf8, skip_nulls=True).alias(key))
    return _finish(df.select(cols), {key: str(df.columns[p]) for key, p in chosen.items()})


# -- csv ----------------------------------------------------------------------------------


def _not_utf8() -> ReadError:
    return _file_error(
        "Tệp không phải mã UTF-8 (có thể là ANSI/Windows-1258). Hãy lưu lại dạng 'CSV UTF-8'.",
        "The file is not UTF-8 encoded (perhaps ANSI/Windows-1258). Save it again as 'CSV UTF-8'.",
    )


def _read_csv(path: Path) -> SubmissionFrame:
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    header_complete = (
        b"\n" in head or b"\r" in head or len(head) < 1 << 16
    )  # no table's header line is longer than 64 KB
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _file_error(
            "Tệp dùng mã UTF-16. Hãy lưu lại dạng 'CSV UTF-8'.",
            "The file is UTF-16 encoded. Save it again as 'CSV UTF-8'.",
        )
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    if not head.strip():
        raise _file_error("Tệp rỗng.", "The file is empty.")
    if not header_complete:
        raise _file_error(
            "Dòng tiêu đề dài hơn 64 KB. Hãy nộp bảng theo mẫu (mỗi chỉ số, kỳ, địa bàn một dòng).",
            "The header line is longer than 64 KB. Submit the table of the template "
            "(one row per indicator, period and locality).",
            row=1,
        )
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if b"\r" in first:
        raise _file_error(
            "Các dòng kết thúc bằng ký tự CR (kiểu Mac cũ). Hãy lưu lại dạng 'CSV UTF-8'.",
            "The lines end with a bare carriage return (old Mac format). Save the file again as 'CSV UTF-8'.",
            row=1,
        )
    try:
        line = first.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    if "\x00" in line:
        raise _file_error("Tệp không phải là văn bản CSV.", "The file is not CSV text.", row=1)
    separator = max((",", ";", "\t"), key=line.count)
    try:
        headers = next(csv.reader([line], delimiter=separator), [])
    except csv.Error as exc:  # a bare carriage return inside the line, say
        raise _file_error(
            f"Không đọc được dòng tiêu đề: {exc}", f"The header line cannot be read: {exc}", row=1
        ) from None
    if len(headers) > MAX_COLUMNS:
        raise _too_many_columns(f"{len(headers):,}")
    chosen = _choose_columns(headers)
    positions = sorted(chosen.values())
    problems: list[RowError] = []
    try:
        raw = _polars_csv(path, separator, positions, ragged=False)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        text = str(exc)
        if "utf-8" in text.lower() or "utf8" in text.lower():
            raise _not_utf8() from None
        if "more fields" not in text:
            first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
            raise _file_error(
                f"Không đọc được tệp CSV: {first_line}",
                f"Cannot read the CSV file: {first_line}",
            ) from None
        # Rows with too many cells are reported each; the rest of the file is still checked.
        problems = _ragged_rows(path, separator, len(headers))
        try:
            raw = _polars_csv(path, separator, positions, ragged=True)
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
            raise ReadError(problems) from None
    if raw.width != len(positions):
        raise _file_error("Không đọc được dòng tiêu đề.", "The header line cannot be read.", row=1)
    by_position = dict(zip(positions, raw.columns, strict=True))
    data = raw.select(
        pl.int_range(2, raw.height + 2, dtype=pl.Int64).alias("row"),
        *[pl.col(by_position[p]).alias(key) for key, p in chosen.items()],
    )
    return _finish(data, {key: headers[p] for key, p in chosen.items()}, problems)


def _polars_csv(path: Path, separator: str, positions: list[int], ragged: bool) -> pl.DataFrame:
    return pl.read_csv(
        path,
        separator=separator,
        has_header=True,
        infer_schema=False,
        columns=positions,
        encoding="utf8",
        raise_if_empty=False,
        truncate_ragged_lines=ragged,
    )


def _ragged_rows(path: Path, separator: str, width: int) -> list[RowError]:
    """Every row with more cells than the header (a decimal comma in a comma-separated file, say)."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    errors: list[RowError] = []
    try:
        for row, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=separator), start=1):
            if len(cells) > width:
                shown = separator.join(cells)
                errors.append(
                    RowError(
                        row,
                        None,
                        shown,
                        f"Dòng có {len(cells)} ô, nhiều hơn {width} cột của dòng tiêu đề. Nếu giá trị có dấu phẩy "
                        "thập phân, hãy đặt nó trong ngoặc kép hoặc dùng dấu chấm phẩy để phân cách cột.",
                        f"The row has {len(cells)} cells, more than the header's {width} columns. If a value has a "
                        "decimal comma, put it in double quotes or separate the columns with semicolons.",
                    )
                )
    except csv.Error:  # a line Python's csv cannot split either (a cell over its size limit): report what was found
        pass
    return errors or [
        RowError(None, None, None, "Không đọc được tệp CSV.", "Cannot read the CSV file."),
    ]


# -- cells read one by one (xlsx, json) ------------------------------------------------------


def _frame_from_cells(rows: list[int], columns: dict[str, list[object]], headers: dict[str, str]) -> SubmissionFrame:
    """Typed Python cells -> the internal frame: text always, number or date where typed."""
    series: list[pl.Series] = [pl.Series("row", rows, dtype=pl.Int64)]
    for key, cells in columns.items():
        text: list[str | None] = []
        nums: list[float | None] = []
        days: list[dt.date | None] = []
        for cell in cells:
            num = day = None
            if cell is None:
                shown = None
            elif isinstance(cell, str):
                shown = cell
            elif isinstance(cell, bool):
                shown = "TRUE" if cell else "FALSE"
            elif isinstance(cell, int | float):
                try:
                    num = float(cell)
                except OverflowError:  # a JSON integer of 400 digits: too large for a number, like 1e400
                    num = math.inf if cell > 0 else -math.inf
                shown = _py_text(num)
            elif isinstance(cell, dt.datetime):
                day = cell.date()
                shown = day.isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
            elif isinstance(cell, dt.date):
                day = cell
                shown = cell.isoformat()
            elif isinstance(cell, list | dict):
                shown = json.dumps(cell, ensure_ascii=False)
            else:
                shown = str(cell)
            text.append(shown)
            nums.append(num)
            days.append(day)
        series.append(pl.Series(key, text, dtype=pl.Utf8))
        if any(n is not None for n in nums):
            series.append(pl.Series(key + NUM, nums, dtype=pl.Float64))
        if any(d is not None for d in days):
            series.append(pl.Series(key + DATE, days, dtype=pl.Date))
    return _finish(pl.DataFrame(series), headers)


def _damaged_xlsx(exc: Exception) -> ReadError:
    reason = f"{type(exc).__name__}: {exc}"[:200]
    return _file_error(
        f"Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không phải .xlsx ({reason}).",
        f"Cannot read the Excel file (.xlsx): it is damaged or not an .xlsx file ({reason}).",
    )


def _read_xlsx(path: Path) -> SubmissionFrame:
    import openpyxl  # imported here: only .xlsx submissions pay for it

    # A damaged .xlsx can fail anywhere in the zip, XML and style layers with any exception type;
    # at this border every one of them means the same thing to the user: the file cannot be read.
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise _damaged_xlsx(exc) from None
    try:
        if not book.worksheets:
            raise _file_error("Tệp Excel không có trang tính nào.", "The Excel file has no worksheet.")
        sheet = book.worksheets[0]
        # The declared range (<dimension ref="A1:XFD1048576"/>) would pad every row to its width: a 5 KB
        # file with one stray far cell became billions of cells. Read the cells the file holds instead.
        sheet.reset_dimensions()
        cells: list[tuple] = []
        try:
            for r in sheet.iter_rows():
                if len(r) > MAX_COLUMNS:
                    raise _too_many_columns(f"{len(r):,}")
                if len(cells) == MAX_SHEET_ROWS:
                    raise _too_many_rows(f"> {MAX_SHEET_ROWS:,}", MAX_SHEET_ROWS)
                cells.append(tuple(_cell_value(c) for c in r))
        except ReadError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _damaged_xlsx(exc) from None
    finally:
        book.close()
    header_index = _find_header(cells)
    if header_index is None:
        raise _file_error("Trang tính đầu tiên trống.", "The first worksheet is empty.")
    header_row = cells[header_index]
    headers = [None if h is None else str(h) for h in header_row]
    chosen = _choose_columns(headers)
    body = cells[header_index + 1 :]
    rows = list(range(header_index + 2, header_index + 2 + len(body)))
    columns = {key: [r[p] if p < len(r) else None for r in body] for key, p in chosen.items()}
    return _frame_from_cells(rows, columns, {key: str(headers[p]) for key, p in chosen.items()})


def _cell_value(cell: object) -> object:
    """A cell's value; a number shown as a percentage (0.125 shown 12.5 %) becomes the text people see."""
    value = getattr(cell, "value", None)
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in (getattr(cell, "number_format", "") or "")
    ):
        return f"{_py_text(round(value * 100, 10))}%"
    return value


def _find_header(cells: list[tuple]) -> int | None:
    """The first row naming the required columns (a title may sit above); else the first non-empty row."""
    first_non_empty = None
    for index, row in enumerate(cells[:_HEADER_SEARCH_ROWS]):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        if first_non_empty is None:
            first_non_empty = index
        keys = {key_of(c) for c in row if c is not None}
        if all(k in keys for k in REQUIRED):
            return index
    return first_non_empty


# -- json ---------------------------------------------------------------------------------


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    seen: dict[str, str] = {}
    for name, _ in pairs:
        norm = normalise_header(name)
        if norm in seen and key_of(name) is not None:
            raise _DuplicateKey(f"{seen[norm]}|{name}")
        seen[norm] = name
    return dict(pairs)


def _read_json(path: Path) -> SubmissionFrame:
    raw = path.read_bytes()
    if not raw.strip(codecs.BOM_UTF8 + b" \t\r\n"):
        raise _file_error("Tệp rỗng.", "The file is empty.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    try:
        records = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKey as exc:
        first, second = str(exc).split("|", 1)
        raise _file_error(
            f"Khóa '{second}' bị trùng trong một bản ghi (cũng là '{first}').",
            f"Key '{second}' appears twice in a record (also as '{first}').",
            row=1,
            column=second,
        ) from None
    except (ValueError, RecursionError) as exc:  # ValueError: JSONDecodeError, or an integer of 4,300+ digits
        raise _file_error(f"JSON không hợp lệ: {exc}", f"Invalid JSON: {exc}") from None
    if _SURROGATE_ESCAPE.search(text):  # "\ud800" alone decodes to half a character, which cannot be stored
        try:
            json.dumps(records, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise _file_error(
                "JSON có ký tự không hợp lệ (một nửa cặp \\ud800-\\udfff).",
                "The JSON holds an invalid character (half of a \\ud800-\\udfff pair).",
            ) from None
    if not isinstance(records, list):
        raise _file_error(
            "Tệp JSON phải là một mảng các bản ghi [{...}, {...}].",
            "The JSON file must be an array of records [{...}, {...}].",
        )
    names: dict[str, None] = {}
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise _file_error(
                f"Phần tử thứ {index + 1} của mảng không phải là một bản ghi {{...}}.",
                f"Array element {index + 1} is not a record {{...}}.",
                row=index + 2,
            )
        names.update(dict.fromkeys(record))
        if len(names) > MAX_COLUMNS:
            raise _too_many_columns(f"> {MAX_COLUMNS:,}")
    headers = list(names)
    chosen = _choose_columns(headers)
    columns = {key: [r.get(headers[p]) for r in records] for key, p in chosen.items()}
    rows = list(range(2, len(records) + 2))
    return _frame_from_cells(rows, columns, {key: headers[p] for key, p in chosen.items()})


def _read_parquet(path: Path) -> SubmissionFrame:
    # pyarrow, not polars, reads the file: on damaged input it raises where polars' reader may panic.
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)  # the size is declared up front: a 500 KB file may hold 100 million rows
        if meta.num_columns > MAX_COLUMNS:
            raise _too_many_columns(f"{meta.num_columns:,}")
        if meta.num_rows > MAX_PARQUET_ROWS:
            raise _too_many_rows(f"{meta.num_rows:,}", MAX_PARQUET_ROWS)
        table = pq.read_table(path)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 (any failure of the parser on a damaged file is the same report)
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise _file_error(f"Không đọc được tệp Parquet: {text}", f"Cannot read the Parquet file: {text}") from None
    if table.num_columns == 0:
        raise _file_error("Tệp rỗng.", "The file is empty.")
    names = list(table.column_names)
    chosen = _choose_columns(names)  # duplicated or missing columns are reported before polars sees them
    positions = sorted(chosen.values())
    try:
        frame = pl.from_arrow(table.select(positions))
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, ValueError, TypeError) as exc:
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise _file_error(f"Không đọc được tệp Parquet: {text}", f"Cannot read the Parquet file: {text}") from None
    return frame_from_polars(frame)


# -- entry point --------------------------------------------------------------------------


def read_submission(path: str | Path) -> SubmissionFrame:
    """Read a submission file by its extension; raise ReadError for a file that is not a readable table."""
    path = Path(path)
    suffix = path.suffix.lower()
    readers = {".csv": _read_csv, ".xlsx": _read_xlsx, ".parquet": _read_parquet, ".json": _read_json}
    if suffix not in readers:
        accepted = ", ".join(EXTENSIONS)
        raise _file_error(
            f"Định dạng '{suffix or path.name}' không được nhận. Dùng một trong: {accepted}.",
            f"The format '{suffix or path.name}' is not accepted. Use one of: {accepted}.",
        )
    if path.stat().st_size == 0:
        raise _file_error("Tệp rỗng.", "The file is empty.")
    return readers[suffix](path)
