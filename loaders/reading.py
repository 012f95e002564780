"""Read a submitted file into one internal frame (CONTRACT §3): .csv/.txt, .xlsx, .xls, .ods, .parquet, .json.

The frame has a ``row`` column (the spreadsheet row number, header = row 1) and,
for every contract column found by its header, the cell as text under the
column's key; where the file typed the cell, the number under ``<key>__num``
and the date under ``<key>__date``. Headers as written in the file are kept
for the error report. Nothing here decides whether a value is right: that is
``loaders.validation``. A file that cannot be read as a table raises
``ReadError`` with file-level problems, never a traceback.

What a file is comes from its bytes (``loaders.file_kind``), its text encoding
from its byte-order mark or its validity as UTF-8 (``loaders.text_encoding``),
and every bound from ``loaders.limits``: readers select the contract columns
before reading the cells, stop at the row, column and text limits as they read,
and keep at most ``limits.KEEP_CHARS`` of a cell. A path is only ever opened,
never handed to a library that would expand ``[ ] * ?`` in it as a pattern.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl

from loaders import file_kind, limits, text_encoding, workbooks
from loaders.errors import ReadError, RowError, vi_count, vi_date
from loaders.limits import shown

KEYS: tuple[str, ...] = ("indicator_code", "period", "locality_code", "value", "note")
REQUIRED: tuple[str, ...] = ("indicator_code", "period", "value")
VI_HEADERS: dict[str, str] = {
    "indicator_code": "Mã chỉ số",
    "period": "Kỳ báo cáo",
    "locality_code": "Mã địa bàn",
    "value": "Giá trị",
    "note": "Ghi chú",
}
EXTENSIONS: tuple[str, ...] = (".csv", ".txt", ".xlsx", ".xls", ".ods", ".parquet", ".json")
NUM = "__num"
DATE = "__date"
_FORMAT_NAMES = {"xlsx": "Excel (.xlsx)", "xls": "Excel 97-2003 (.xls)", "ods": "OpenDocument (.ods)"}


def normalise_header(name: object) -> str:
    """Header as compared: NFC, case-folded, surrounding and repeated spaces dropped."""
    text = unicodedata.normalize("NFC", str(name)).casefold()
    return unicodedata.normalize("NFC", " ".join(text.split()))


_LOOKUP: dict[str, str] = {normalise_header(k): k for k in KEYS} | {
    normalise_header(v): k for k, v in VI_HEADERS.items()
}


def key_of(header: object) -> str | None:
    """The contract key a header names, or None for a column the loader ignores."""
    if header is None or (isinstance(header, str) and len(header) > 100):
        return None
    return _LOOKUP.get(normalise_header(header))


@dataclass
class SubmissionFrame:
    """A file's rows as text plus typed cells, and the headers as written in the file."""

    data: pl.DataFrame
    headers: dict[str, str]  # key -> header as written (as shown: cut, control characters visible)
    problems: list[RowError] = field(default_factory=list)  # rows the reader already found wrong
    sheet: str | None = None  # the workbook's sheet the rows come from

    @property
    def rows(self) -> int:
        return self.data.height

    def header(self, key: str) -> str:
        return self.headers.get(key, VI_HEADERS[key])


# -- file-level messages ----------------------------------------------------------------------


def _file_error(message_vi: str, message_en: str, row: int | None = None, column: str | None = None) -> ReadError:
    return ReadError([RowError(row, column, None, message_vi, message_en)])


def _too_many_columns(count: int | str) -> ReadError:
    limit = limits.MAX_COLUMNS
    return _file_error(
        f"Tệp có {count} cột, quá giới hạn {vi_count(limit)} cột. Hãy nộp bảng theo mẫu (mỗi chỉ số, kỳ, địa bàn "
        "một dòng).",
        f"The file has {count} columns, more than the limit of {limit:,}. Submit the table of the template "
        "(one row per indicator, period and locality).",
        row=1,
    )


def _too_many_rows() -> ReadError:
    limit = limits.MAX_ROWS
    return _file_error(
        f"Tệp có hơn {vi_count(limit)} dòng dữ liệu, quá giới hạn. Hãy chia thành nhiều tệp.",
        f"The file has more than {limit:,} data rows, the limit. Split it into several files.",
    )


def _too_much_text() -> ReadError:
    limit = limits.MAX_TEXT_CHARS
    return _file_error(
        f"Các cột số liệu của tệp chứa hơn {vi_count(limit)} ký tự, quá giới hạn. Hãy chia thành nhiều tệp "
        "hoặc rút gọn ghi chú.",
        f"The file's data columns hold more than {limit:,} characters, the limit. Split it into several files "
        "or shorten the notes.",
    )


def _megabytes(size: int) -> tuple[str, str]:
    value = size / limits.MB
    return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", "."), f"{value:,.1f}"


def _too_big_file(size: int, limit: int) -> ReadError:
    vi, en = _megabytes(size)
    vi_limit, en_limit = _megabytes(limit)
    return _file_error(
        f"Tệp nặng {vi} MB, quá giới hạn {vi_limit} MB. Hãy chia thành nhiều tệp.",
        f"The file is {en} MB, more than the limit of {en_limit} MB. Split it into several files.",
    )


# -- headers ----------------------------------------------------------------------------------


def _header_text(header: object) -> str:
    """A header as the user wrote it (its surrounding spaces aside), for the report's column."""
    return shown(" ".join(str(header).split()), 60)


def _choose_columns(headers: list[object]) -> dict[str, int]:
    """Key -> position of its column; refuses duplicated and missing contract columns."""
    chosen: dict[str, int] = {}
    errors: list[RowError] = []
    for position, header in enumerate(headers):
        key = key_of(header)
        if key is None:
            continue
        if key in chosen:
            first, this = _header_text(headers[chosen[key]]), _header_text(header)
            errors.append(
                RowError(
                    1,
                    this,
                    None,
                    f"Cột '{this}' bị trùng: cột '{first}' cũng là {VI_HEADERS[key]} ({key}). Hãy giữ một cột.",
                    f"Column '{this}' is duplicated: column '{first}' is also {VI_HEADERS[key]} ({key}). "
                    "Keep one of them.",
                )
            )
            continue
        chosen[key] = position
    named = [_header_text(h) for h in headers if h not in (None, "")]
    found = ", ".join(f"'{h}'" for h in named[:20]) + (f" … (+{len(named) - 20})" if len(named) > 20 else "")
    for key in REQUIRED:
        if key not in chosen:
            errors.append(
                RowError(
                    1,
                    f"{VI_HEADERS[key]} ({key})",
                    None,
                    f"Thiếu cột bắt buộc '{VI_HEADERS[key]}' (hoặc '{key}'). Các cột tìm thấy: {found or '-'}.",
                    f"Required column '{VI_HEADERS[key]}' (or '{key}') is missing. Columns found: {found or '-'}.",
                )
            )
    if errors:
        raise ReadError(errors)
    return chosen


def _headers_as_written(headers: list[object], chosen: dict[str, int]) -> dict[str, str]:
    return {key: _header_text(headers[p]) for key, p in chosen.items()}


# -- the frame --------------------------------------------------------------------------------


def _drop_blank_rows(data: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """A row whose contract cells are all empty is not a row (spreadsheets leave many)."""

    def empty(key: str) -> pl.Expr:
        return pl.col(key).is_null() | (pl.col(key).str.strip_chars() == "")

    # Cheap test first: a blank row has an empty indicator code.
    if not data.select(empty("indicator_code").any()).item():
        return data
    typed = [pl.col(c).is_null() for c in data.columns if c.endswith((NUM, DATE))]
    return data.filter(~pl.all_horizontal([empty(k) for k in keys] + typed))


def _keep_cells(data: pl.DataFrame, keys: Iterable[str]) -> pl.DataFrame:
    """Every text cell cut to KEEP_CHARS: validation refuses a longer one by its length, and no more is kept."""
    keys = [k for k in keys if k in data.columns and data.schema[k] == pl.Utf8]
    if not keys:
        return data
    longest = data.select(pl.col(k).str.len_bytes().max() for k in keys).row(0)
    long = [k for k, n in zip(keys, longest, strict=True) if n is not None and n > limits.KEEP_CHARS]
    return data.with_columns(pl.col(k).str.slice(0, limits.KEEP_CHARS) for k in long) if long else data


def _finish(
    data: pl.DataFrame, headers: dict[str, str], problems: list[RowError] | None = None, sheet: str | None = None
) -> SubmissionFrame:
    data = _drop_blank_rows(_keep_cells(data, headers), list(headers))
    if data.height == 0 and problems:
        raise ReadError(problems)
    if data.height == 0:
        raise _file_error(
            "Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề).",
            "The file has no data rows (only the header).",
        )
    if data.height > limits.MAX_ROWS:
        raise _too_many_rows()
    return SubmissionFrame(data, headers, problems or [], sheet)


# -- text of typed cells ----------------------------------------------------------------------


def _number_text(expr: pl.Expr) -> pl.Expr:
    """7210.0 -> '7210' (a code a spreadsheet made a number), 12.5 -> '12.5'."""
    integral = expr.is_finite() & (expr == expr.round(0)) & (expr.abs() < 1e15)
    return pl.when(integral).then(expr.cast(pl.Int64, strict=False).cast(pl.Utf8)).otherwise(expr.cast(pl.Utf8))


def _py_text(value: object) -> str:
    if isinstance(value, float):
        if math.isfinite(value) and value == round(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return limits.keep(str(value))


# -- frames (parquet, the demo generator) -----------------------------------------------------


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
    return _finish(df.select(cols), _headers_as_written(list(df.columns), chosen))


# -- delimited text (.csv, .txt) --------------------------------------------------------------


def _not_text(reason: text_encoding.NotText, path: Path) -> ReadError:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".ods", ".parquet"):
        return _file_error(
            f"Tệp có đuôi {suffix} nhưng không phải tệp {suffix} hợp lệ: tệp hỏng hoặc là định dạng khác. Hãy mở "
            "tệp gốc và lưu lại thành .xlsx.",
            f"The file is named {suffix} but is not a valid {suffix} file: it is damaged or in another format. "
            "Open the original and save it again as .xlsx.",
        )
    if reason.reason == "utf16_no_bom":
        return _file_error(
            "Tệp văn bản dùng mã UTF-16 nhưng thiếu dấu BOM ở đầu tệp. Hãy lưu lại dạng 'CSV UTF-8' "
            "(hoặc 'Unicode Text' của Excel).",
            "The text file is UTF-16 without a byte-order mark. Save it again as 'CSV UTF-8' (or Excel's "
            "'Unicode Text').",
        )
    if reason.reason == "binary":
        return file_kind.refusal("binary", path.name)
    found = text_encoding.NAMES.get(reason.encoding or "", "UTF-8 / Windows-1258")
    where_vi, where_en = (f" ở dòng {reason.line}", f" on line {reason.line}") if reason.line else ("", "")
    return _file_error(
        f"Không đọc được tệp văn bản: có byte không hợp lệ trong mã {found}{where_vi} (tệp hỏng, hoặc ghép từ "
        "hai bảng mã). Hãy lưu lại dạng 'CSV UTF-8'.",
        f"The text file cannot be decoded: it holds bytes that are invalid in {found}{where_en} (a damaged file, "
        "or one pieced together from two encodings). Save it again as 'CSV UTF-8'.",
        row=reason.line or None,
    )


def _read_csv(path: Path) -> SubmissionFrame:
    try:
        decoded = text_encoding.open_utf8(path)
    except text_encoding.NotText as exc:
        raise _not_text(exc, path) from None
    with decoded.stream as stream:
        return _read_csv_stream(stream)


def _longest_line(stream: BinaryIO) -> int | None:
    """The line number (from 1) of the first line longer than MAX_LINE_BYTES, or None; two finds per 512 KB.

    Every chunk is half the limit, so only a line that runs through a chunk without a newline can be too long.
    """
    limit, size = limits.MAX_LINE_BYTES, limits.MAX_LINE_BYTES // 2
    offset, last = 0, -1  # absolute offset of the last newline seen
    try:
        while chunk := stream.read(size):
            first = chunk.find(b"\n")
            end = offset + (len(chunk) if first < 0 else first)
            if end - last - 1 > limit:
                stream.seek(0)
                return stream.read(last + 1).count(b"\n") + 1
            if first >= 0:
                last = offset + chunk.rfind(b"\n")
            offset += len(chunk)
        return None
    finally:
        stream.seek(0)


def _read_csv_stream(stream: BinaryIO) -> SubmissionFrame:
    head = stream.read(limits.MAX_HEADER_BYTES)
    stream.seek(0)
    header_complete = b"\n" in head or b"\r" in head or len(head) < limits.MAX_HEADER_BYTES
    head = head.removeprefix(b"\xef\xbb\xbf")
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
    line = first.decode("utf-8", "replace")
    if "\x00" in line:
        raise _file_error("Tệp không phải là văn bản CSV.", "The file is not CSV text.", row=1)
    separator = max((",", ";", "\t"), key=line.count)
    headers = next(csv.reader([line], delimiter=separator), [])
    if len(headers) > limits.MAX_COLUMNS:
        raise _too_many_columns(vi_count(len(headers)))
    chosen = _choose_columns(headers)
    long = _longest_line(stream)
    if long is not None:
        raise _file_error(
            f"Dòng {long} của tệp dài hơn 1 MB: không phải một dòng của bảng số liệu. Hãy nộp bảng theo mẫu.",
            f"Line {long} of the file is longer than 1 MB: not a row of a data table. Submit the table of the "
            "template.",
            row=long,
        )
    positions = sorted(chosen.values())
    problems: list[RowError] = []
    try:
        raw = _polars_csv(stream, separator, positions, ragged=False)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        if "more fields" not in str(exc):
            raise _file_error(
                "Không đọc được tệp CSV (có dòng sai cấu trúc).", "Cannot read the CSV file (a line is malformed)."
            ) from None
        # Rows with too many cells are reported each; the rest of the file is still checked.
        problems = _ragged_rows(stream, separator, len(headers))
        try:
            raw = _polars_csv(stream, separator, positions, ragged=True)
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
            raise ReadError(problems) from None
    if raw.height > limits.MAX_ROWS:
        raise _too_many_rows()
    if raw.width != len(positions):
        raise _file_error("Không đọc được dòng tiêu đề.", "The header line cannot be read.", row=1)
    by_position = dict(zip(positions, raw.columns, strict=True))
    data = raw.select(
        pl.int_range(2, raw.height + 2, dtype=pl.Int64).alias("row"),
        *[pl.col(by_position[p]).alias(key) for key, p in chosen.items()],
    )
    return _finish(data, _headers_as_written(headers, chosen), problems)


def _polars_csv(stream: BinaryIO, separator: str, positions: list[int], ragged: bool) -> pl.DataFrame:
    stream.seek(0)
    return pl.read_csv(
        stream,  # a stream, never a path: polars expands [ ] * ? in a path as a pattern
        separator=separator,
        has_header=True,
        infer_schema=False,
        columns=positions,
        encoding="utf8",
        raise_if_empty=False,
        truncate_ragged_lines=ragged,
        n_rows=limits.MAX_ROWS + 1,  # one more than allowed: enough to know the file passes the limit
    )


_MAX_RAGGED_REPORTED = 10_000


def _ragged_rows(stream: BinaryIO, separator: str, width: int) -> list[RowError]:
    """Rows with more cells than the header (a decimal comma in a comma-separated file, say), the first 10,000."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    errors: list[RowError] = []
    more = 0
    try:
        for row, cells in enumerate(csv.reader(text, delimiter=separator), start=1):
            if len(cells) > width:
                if len(errors) == _MAX_RAGGED_REPORTED:
                    more += 1
                    continue
                errors.append(
                    RowError(
                        row,
                        None,
                        shown(separator.join(cells)),
                        f"Dòng có {len(cells)} ô, nhiều hơn {width} cột của dòng tiêu đề. Nếu giá trị có dấu phẩy "
                        "thập phân, hãy đặt nó trong ngoặc kép hoặc dùng dấu chấm phẩy để phân cách cột.",
                        f"The row has {len(cells)} cells, more than the header's {width} columns. If a value has a "
                        "decimal comma, put it in double quotes or separate the columns with semicolons.",
                    )
                )
    except csv.Error:  # a line Python's csv cannot split either (a cell over its size limit): report what was found
        pass
    finally:
        text.detach()
    if more:
        errors.append(
            RowError(
                None,
                None,
                None,
                f"… và {vi_count(more)} dòng khác có quá nhiều ô.",
                f"… and {more:,} more rows with too many cells.",
            )
        )
    return errors or [
        RowError(None, None, None, "Không đọc được tệp CSV.", "Cannot read the CSV file."),
    ]


# -- cells read one by one (workbooks, json) --------------------------------------------------


class _Cells:
    """The contract columns' cells gathered row by row, within the row and text limits, in frames of 50,000 rows."""

    BATCH = 50_000

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.rows: list[int] = []
        self.columns: list[list[object]] = [[] for _ in keys]
        self.frames: list[pl.DataFrame] = []
        self.count = 0
        self.chars = 0

    def add(self, row: int, cells: list[object]) -> None:
        self.count += 1
        if self.count > limits.MAX_ROWS:
            raise _too_many_rows()
        self.rows.append(row)
        for column, cell in zip(self.columns, cells, strict=True):
            if isinstance(cell, str):
                cell = limits.keep(cell)
                self.chars += len(cell)
            column.append(cell)
        if self.chars > limits.MAX_TEXT_CHARS:
            raise _too_much_text()
        if len(self.rows) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.frames.append(_frame_from_cells(self.rows, dict(zip(self.keys, self.columns, strict=True))))
        self.rows = []
        self.columns = [[] for _ in self.keys]

    def frame(self) -> pl.DataFrame:
        self._flush()
        if not self.frames:
            return _frame_from_cells([], {key: [] for key in self.keys})
        return pl.concat(self.frames, how="diagonal_relaxed")


def _frame_from_cells(rows: list[int], columns: dict[str, list[object]]) -> pl.DataFrame:
    """Typed Python cells -> a frame: text always, number or date where typed."""
    series: list[pl.Series] = [pl.Series("row", rows, dtype=pl.Int64)]
    for key, cells in columns.items():
        text: list[str | None] = []
        nums: list[float | None] = []
        days: list[dt.date | None] = []
        for cell in cells:
            num = day = None
            if cell is None:
                shown_text = None
            elif isinstance(cell, str):
                shown_text = cell
            elif isinstance(cell, bool):
                shown_text = "TRUE" if cell else "FALSE"
            elif isinstance(cell, int | float):
                try:
                    num = float(cell)
                except OverflowError:  # a JSON integer of 400 digits: too large for a number, like 1e400
                    num = math.inf if cell > 0 else -math.inf
                shown_text = _py_text(num)
            elif isinstance(cell, dt.datetime):
                day = cell.date()
                shown_text = vi_date(day) if cell.time() == dt.time() else f"{vi_date(day)} {cell:%H:%M:%S}"
            elif isinstance(cell, dt.date):
                day = cell
                shown_text = vi_date(cell)  # quoted in a report as an official writes a date
            elif isinstance(cell, list | dict):
                shown_text = limits.keep(json.dumps(cell, ensure_ascii=False))
            else:
                shown_text = _py_text(cell)
            text.append(shown_text)
            nums.append(num)
            days.append(day)
        series.append(pl.Series(key, text, dtype=pl.Utf8))
        if any(n is not None for n in nums):
            series.append(pl.Series(key + NUM, nums, dtype=pl.Float64))
        if any(d is not None for d in days):
            series.append(pl.Series(key + DATE, days, dtype=pl.Date))
    return pl.DataFrame(series)


# -- workbooks (.xlsx, .xls, .ods) ------------------------------------------------------------


def _book_error(exc: Exception, kind: str) -> ReadError:
    name = _FORMAT_NAMES[kind]
    if isinstance(exc, workbooks.Encrypted):
        return file_kind.refusal("encrypted", "")
    if isinstance(exc, workbooks.TooBig):
        return _file_error(
            f"Tệp {name} khi giải nén quá lớn ({exc.what}: {vi_count(exc.size)}, giới hạn {vi_count(exc.limit)}). "
            "Một bảng tính thật không nén chặt như vậy: hãy mở tệp bằng Excel, lưu lại thành .xlsx, hoặc chia nhỏ.",
            f"The {name} file is too big once unpacked ({exc.what}: {exc.size:,}, limit {exc.limit:,}). A real "
            "spreadsheet does not pack that tight: open it in Excel and save it again as .xlsx, or split it.",
        )
    reason = str(exc) if isinstance(exc, workbooks.Damaged) else type(exc).__name__
    return _file_error(
        f"Không đọc được tệp {name}: tệp hỏng hoặc không đúng định dạng. Hãy mở tệp gốc và lưu lại thành .xlsx.",
        f"Cannot read the {name} file: it is damaged or not in that format ({shown(reason, 120)}). Open the "
        "original and save it again as .xlsx.",
    )


def _is_header(cells: list[object]) -> bool:
    keys = {key_of(c) for c in cells if isinstance(c, str)}
    return all(k in keys for k in REQUIRED)


def _read_workbook(path: Path, kind: str) -> SubmissionFrame:
    # A damaged workbook can fail anywhere in its zip, XML or BIFF layers with any exception type; at this
    # border every one of them means the same thing to the user: the file cannot be read.
    try:
        book = workbooks.open_book(path, kind)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _book_error(exc, kind) from None
    try:
        return _read_tables(book)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _book_error(exc, kind) from None
    finally:
        book.close()


def _read_tables(book: workbooks.Xlsx | workbooks.Ods | workbooks.Xls) -> SubmissionFrame:
    """The first visible sheet whose first 20 non-empty rows hold the required headers, read from its header on."""
    names: list[str] = []
    hidden: str | None = None
    first_row: list[object] | None = None
    for table in book.tables():
        names.append(table.name)
        rows = table.rows()
        header: tuple[int, list[object]] | None = None
        for seen, (number, cells) in enumerate(rows, start=1):
            if first_row is None and table.visible:
                first_row = cells
            if _is_header(cells):
                header = (number, cells)
                break
            if seen >= limits.HEADER_SEARCH_ROWS:
                break
        if header is None:
            continue
        if not table.visible:
            hidden = hidden or table.name
            continue
        headers = [None if c is None else str(c) for c in header[1]]
        chosen = _choose_columns(headers)
        positions = list(chosen.values())
        table.width = max(positions) + 1  # cells further right are dropped as the sheet is parsed
        cells = _Cells(list(chosen))
        for number, row in rows:
            cells.add(number, [row[p] if p < len(row) else None for p in positions])
        return _finish(cells.frame(), _headers_as_written(headers, chosen), sheet=table.name)
    if hidden is not None:
        sheet = shown(hidden, 60)
        raise _file_error(
            f"Dữ liệu nằm ở trang tính '{sheet}' đang bị ẩn. Hãy bỏ ẩn trang đó (chuột phải vào tên trang › "
            "Bỏ ẩn), kiểm tra lại số liệu rồi nộp.",
            f"The data is on the sheet '{sheet}', which is hidden. Unhide it (right-click a sheet tab › Unhide), "
            "check the figures and submit again.",
        )
    if first_row is None:
        raise _file_error("Tệp bảng tính không có trang tính nào có dữ liệu.", "The workbook has no sheet with data.")
    try:
        _choose_columns([None if c is None else str(c) for c in first_row])
    except ReadError as exc:
        searched = ", ".join(f"'{shown(n, 60)}'" for n in names[:10])
        exc.errors.append(
            RowError(
                None,
                None,
                None,
                f"Không trang tính nào có dòng tiêu đề đủ các cột bắt buộc trong {limits.HEADER_SEARCH_ROWS} dòng "
                f"đầu (đã xem: {searched}).",
                f"No sheet has a header row with the required columns in its first {limits.HEADER_SEARCH_ROWS} "
                f"rows (searched: {searched}).",
            )
        )
        raise
    raise _file_error("Không tìm thấy dòng tiêu đề.", "The header row was not found.", row=1)  # pragma: no cover


# -- json -------------------------------------------------------------------------------------


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _DuplicateKey(Exception):
    pass


class _TooManyObjects(Exception):
    pass


def _record_hook() -> object:
    """object_pairs_hook: refuses a contract key given twice in a record, and stops past the row limit."""
    count = [0]

    def hook(pairs: list[tuple[str, object]]) -> dict:
        count[0] += 1
        if count[0] > limits.MAX_ROWS + 1:
            raise _TooManyObjects
        seen: dict[str, str] = {}
        for name, _ in pairs:
            norm = normalise_header(name) if len(name) <= 100 else name
            if norm in seen and key_of(name) is not None:
                raise _DuplicateKey(f"{seen[norm]}|{name}")
            seen[norm] = name
        return dict(pairs)

    return hook


def _read_json(path: Path) -> SubmissionFrame:
    size = path.stat().st_size
    if size > limits.MAX_JSON_BYTES:
        raise _too_big_file(size, limits.MAX_JSON_BYTES)
    try:
        decoded = text_encoding.open_utf8(path)
    except text_encoding.NotText as exc:
        raise _not_text(exc, path) from None
    with decoded.stream as stream:
        text = stream.read().decode("utf-8-sig")
    if not text.strip():
        raise _file_error("Tệp rỗng.", "The file is empty.")
    try:
        records = json.loads(text, object_pairs_hook=_record_hook())
    except _DuplicateKey as exc:
        first, second = (shown(s, 60) for s in str(exc).split("|", 1))
        raise _file_error(
            f"Khóa '{second}' bị trùng trong một bản ghi (cũng là '{first}').",
            f"Key '{second}' appears twice in a record (also as '{first}').",
            row=1,
            column=second,
        ) from None
    except _TooManyObjects:
        raise _too_many_rows() from None
    except (ValueError, RecursionError) as exc:  # ValueError: JSONDecodeError, or an integer of 4,300+ digits
        where = f" (dòng {exc.lineno}, cột {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        where_en = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise _file_error(
            f"JSON không hợp lệ{where}. Hãy xuất lại tệp dạng một mảng các bản ghi [{{...}}, {{...}}].",
            f"Invalid JSON{where_en}. Export the file again as an array of records [{{...}}, {{...}}].",
        ) from None
    escaped = _SURROGATE_ESCAPE.search(text) is not None
    del text
    if escaped and _has_lone_surrogate(records):
        raise _file_error(
            "JSON có ký tự không hợp lệ (một nửa cặp \\ud800-\\udfff).",
            "The JSON holds an invalid character (half of a \\ud800-\\udfff pair).",
        )
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
        if len(names) > limits.MAX_COLUMNS:
            raise _too_many_columns(f"> {vi_count(limits.MAX_COLUMNS)}")
    headers = list(names)
    chosen = _choose_columns(headers)
    wanted = [headers[p] for p in chosen.values()]
    cells = _Cells(list(chosen))
    for index, record in enumerate(records):
        cells.add(index + 2, [record.get(name) for name in wanted])
    return _finish(cells.frame(), _headers_as_written(headers, chosen))


def _has_lone_surrogate(value: object) -> bool:
    """Whether any string holds half of a surrogate pair ("\\ud800" alone decodes to a character no file can hold)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


# -- parquet ----------------------------------------------------------------------------------


def _parquet_error(exc: Exception) -> ReadError:
    return _file_error(
        "Không đọc được tệp Parquet: tệp hỏng hoặc không phải Parquet. Hãy xuất lại tệp.",
        f"Cannot read the Parquet file: it is damaged or not Parquet ({shown(type(exc).__name__, 60)}). Export it "
        "again.",
    )


def _read_parquet(path: Path) -> SubmissionFrame:
    """Only the contract columns are read, their size known from the footer; dictionary cells are cut before use."""
    # pyarrow, not polars, reads the file: on damaged input it raises where polars' reader may panic.
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path)
        names = list(meta.schema_arrow.names)
        rows = meta.metadata.num_rows
    except Exception as exc:  # noqa: BLE001 (any failure of the parser on a damaged file is the same report)
        raise _parquet_error(exc) from None
    if len(names) > limits.MAX_COLUMNS:
        raise _too_many_columns(vi_count(len(names)))
    if rows > limits.MAX_ROWS:
        raise _too_many_rows()
    if not names:
        raise _file_error("Tệp rỗng.", "The file is empty.")
    chosen = _choose_columns(names)  # duplicated or missing columns are reported before any cell is read
    wanted = [names[p] for p in sorted(chosen.values())]
    declared = _declared_size(meta.metadata, set(wanted))
    if declared > limits.MAX_PARQUET_COLUMNS_BYTES:
        raise _too_big_parquet(declared)
    try:
        table = _parquet_columns(path, wanted)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _parquet_error(exc) from None
    try:
        frame = pl.from_arrow(table)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, ValueError, TypeError) as exc:
        raise _parquet_error(exc) from None
    return frame_from_polars(frame)


def _declared_size(metadata, wanted: set[str]) -> int:
    """The footer's uncompressed size of the wanted columns, over every row group."""
    total = 0
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            column = row_group.column(index)
            if column.path_in_schema.split(".", 1)[0] in wanted:
                total += max(column.total_uncompressed_size, 0)
    return total


def _too_big_parquet(size: int) -> ReadError:
    vi, en = _megabytes(size)
    return _file_error(
        f"Các cột số liệu của tệp Parquet khi giải nén nặng {vi} MB, quá giới hạn. Hãy chia thành nhiều tệp.",
        f"The Parquet file's data columns are {en} MB once unpacked, over the limit. Split it into several files.",
    )


def _parquet_columns(path: Path, wanted: list[str]):
    """The wanted columns. Text is read as dictionaries whatever the file's schema says (a dictionary page of one
    1 MB string on two million rows is 2 TB once decoded), cut to KEEP_CHARS, and decoded only when the result
    fits the text limit."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    schema = parquet.metadata.schema
    texts = [
        schema.column(i).path for i in range(len(schema)) if schema.column(i).physical_type == "BYTE_ARRAY"
    ]  # strings and binaries, by their storage
    table = pq.ParquetFile(path, read_dictionary=[n for n in wanted if n in texts]).read(columns=wanted)
    budget = limits.MAX_TEXT_CHARS
    for name in wanted:
        column = table.column(name)
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind)
                or pa.types.is_large_binary(kind)):  # fmt: skip
            continue
        decoded = []
        for chunk in column.chunks:
            if not pa.types.is_dictionary(chunk.type):
                chunk = chunk.dictionary_encode()
            dictionary = chunk.dictionary
            if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
                dictionary = pc.cast(dictionary, pa.string())  # bytes that are not UTF-8: a damaged file
            lengths = pc.utf8_length(dictionary)
            if (pc.max(lengths).as_py() or 0) > limits.KEEP_CHARS:
                dictionary = pc.utf8_slice_codeunits(dictionary, 0, limits.KEEP_CHARS)
                lengths = pc.utf8_length(dictionary)
            budget -= pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0
            if budget < 0:  # checked before a single cell is decoded
                raise _too_much_text()
            decoded.append(pc.take(dictionary, chunk.indices))
        table = table.set_column(table.schema.get_field_index(name), name, pa.chunked_array(decoded, pa.string()))
    return table


# -- entry point ------------------------------------------------------------------------------


def read_submission(path: str | Path) -> SubmissionFrame:
    """Read a submission file by what it is; raise ReadError for a file that is not a readable table."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise _file_error("Tệp rỗng.", "The file is empty.")
    if size > limits.MAX_FILE_BYTES:
        raise _too_big_file(size, limits.MAX_FILE_BYTES)
    with open(path, "rb") as handle:
        head = handle.read(1 << 12)
    kind = file_kind.identify(path, head)
    if kind in file_kind.REFUSED:
        raise file_kind.refusal(kind, path.name)
    suffix = path.suffix.lower()
    if kind in ("text", "json") and suffix not in EXTENSIONS:
        accepted = ", ".join(EXTENSIONS)
        found = shown(suffix or path.name, 40)
        raise _file_error(
            f"Định dạng '{found}' không được nhận. Dùng một trong: {accepted}.",
            f"The format '{found}' is not accepted. Use one of: {accepted}.",
        )
    if kind == "text":
        return _read_csv(path)
    if kind == "json":
        return _read_json(path)
    if kind == "parquet":
        return _read_parquet(path)
    return _read_workbook(path, kind)
