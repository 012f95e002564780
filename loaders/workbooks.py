"""Spreadsheets read as a stream of rows of typed cells: .xlsx and .ods with expat, .xls with xlrd.

A workbook is a sequence of tables (sheets), each with its name, whether it is
visible, and its rows: ``(row number, cells)`` where ``cells[c]`` is the value
of column ``c`` (0-based): ``None``, ``str``, ``float``, ``bool``,
``datetime.date`` or ``datetime.datetime``; a number shown as a percentage is
the text people see (``"12.5%"``). Empty rows are skipped; row numbers are the
sheet's own.

Memory is bounded by design, not by the file's size:

* .xlsx and .ods are zip files: every part is checked on its declared size and
  ratio before it is opened (``limits``), then parsed as a stream with expat,
  a cell at a time: no tree is built, so no shape of XML (a million cells in
  one row, a cell in the last column of every row) costs more than the cells
  kept. A table's ``width`` (set once its header is found) drops every cell to
  its right as it is parsed; a long cell keeps only its start and its length
  (``limits.keep``). Documents with a DTD are refused (no entity expansion).
* .xls is an OLE compound file without compression: xlrd reads it whole (the
  file size is capped) and keeps one sheet at a time; BIFF8 sheets have at most
  65,536 rows and 256 columns, and shared strings are referenced, not copied.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from loaders import limits
from loaders.limits import keep

Row = tuple[int, list[object]]
_END = object()


class Damaged(Exception):
    """The workbook cannot be read: damaged, or not what its structure claims. ``reason`` is shown (English)."""


class TooBig(Exception):
    """A part of the workbook passes a limit once unpacked: ``what`` (English) and the numbers."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(what)
        self.what, self.size, self.limit = what, size, limit


class Encrypted(Exception):
    """The workbook is protected by a password."""


@dataclass
class Table:
    """One sheet: its name, whether it is shown, and its rows (to be read once, in order)."""

    name: str
    visible: bool
    _rows: Callable[[Table], Iterator[Row]] = field(repr=False)
    width: int = limits.MAX_COLUMNS  # cells at or right of this column are dropped while parsing

    def rows(self) -> Iterator[Row]:
        return self._rows(self)


def percent_text(value: float) -> str:
    """0.125 shown as a percentage -> '12.5%' (the text people see)."""
    shown = round(value * 100, 10)
    if math.isfinite(shown) and shown == round(shown) and abs(shown) < 1e15:
        return f"{int(shown)}%"
    return f"{shown!r}%"


# -- zip parts --------------------------------------------------------------------------------


class _Zip:
    """A zip whose parts are checked on their declared sizes before they are opened."""

    def __init__(self, path: Path) -> None:
        try:
            self.archive = zipfile.ZipFile(path)
            self.infos = {i.filename: i for i in self.archive.infolist()}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise Damaged(f"not a valid zip file ({exc})") from None
        self.unzipped = 0

    def has(self, name: str) -> bool:
        return name in self.infos

    def open(self, name: str, limit: int = limits.MAX_PART_BYTES):
        info = self.infos.get(name)
        if info is None:
            raise Damaged(f"part {name} is missing")
        if info.flag_bits & 0x1:
            raise Encrypted
        if info.file_size > limit:
            raise TooBig(name, info.file_size, limit)
        if info.file_size > 1 << 20 and info.file_size > limits.MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise TooBig(f"{name} (ratio)", info.file_size // max(info.compress_size, 1), limits.MAX_ZIP_RATIO)
        self.unzipped += info.file_size
        if self.unzipped > limits.MAX_UNZIPPED_BYTES:
            raise TooBig("all parts", self.unzipped, limits.MAX_UNZIPPED_BYTES)
        try:
            return self.archive.open(info)
        except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, RuntimeError, zlib.error) as exc:
            raise Damaged(f"part {name} cannot be opened ({exc})") from None

    def close(self) -> None:
        self.archive.close()


def _no_dtd(*_args: object) -> None:
    raise Damaged("the XML declares a DTD")


def _parser(start: Callable, end: Callable | None, chars: Callable | None) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if chars is not None:
        parser.CharacterDataHandler = chars
    return parser


def _feed(parser: expat.XMLParserType, stream, stop: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """Feed a part to a parser a chunk at a time; yields after each chunk so the caller can take its rows."""
    try:
        with stream:
            while not stop() and (chunk := stream.read(1 << 16)):
                parser.Parse(chunk, False)
                yield
            if not stop():
                parser.Parse(b"", True)
                yield
    except expat.ExpatError as exc:
        raise Damaged(f"invalid XML ({expat.ErrorString(exc.code)}, line {exc.lineno})") from None
    except (
        zipfile.BadZipFile,
        EOFError,
        OSError,
        ValueError,
        zlib.error,
    ) as exc:  # a CRC or size that lied, a cut file
        raise Damaged(f"a part is damaged ({exc})") from None


def _local(name: str) -> str:
    return name[name.rfind("}") + 1 :]


def _attr(attrs: dict[str, str], local: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    if local in attrs:
        return attrs[local]
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return None


class _Text:
    """Character data collected up to KEEP_CHARS, with its full length."""

    __slots__ = ("parts", "kept", "length")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kept = 0
        self.length = 0

    def add(self, data: str) -> None:
        self.length += len(data)
        if self.kept < limits.KEEP_CHARS:
            self.parts.append(data)
            self.kept += len(data)

    def text(self) -> str:
        return keep("".join(self.parts))


# -- .xlsx ------------------------------------------------------------------------------------

_DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_PERCENT_FORMAT_IDS = {9, 10}
GENERAL, DATE, PERCENT = 0, 1, 2
_MAX_SHARED_STRINGS = 4_000_000


def _format_kind(code: str) -> int:
    """Whether an Excel number format shows a date, a percentage or anything else."""
    from openpyxl.styles.numbers import is_date_format  # the same rule openpyxl applies

    plain = []
    quoted = False
    for char in code:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            plain.append(char)
    text = "".join(plain)
    if "%" in text:
        return PERCENT
    return DATE if is_date_format(code) else GENERAL


def _column_index(ref: str) -> int:
    """'A1' -> 0, 'XFD9' -> 16383; -1 when the reference has no letters."""
    index = 0
    for char in ref:
        code = ord(char)
        if 65 <= code <= 90:
            index = index * 26 + code - 64
        elif 97 <= code <= 122:
            index = index * 26 + code - 96
        else:
            break
        if index > limits.MAX_COLUMNS:
            return limits.MAX_COLUMNS
    return index - 1


def _excel_date(serial: float, epoch: dt.datetime) -> dt.date | dt.datetime | None:
    """An Excel serial day as a date (a datetime when it has a time); None outside 1900..9999."""
    if not (0 < serial < 2_958_466):
        return None
    if epoch.year == 1899 and serial < 61:  # Excel's 1900 leap-year bug: 1 = 1 Jan 1900, 60 = the missing 29 Feb
        serial += 1
    moment = epoch + dt.timedelta(days=serial)
    return moment.date() if moment.time() == dt.time() else moment.replace(microsecond=0)


class Xlsx:
    """An .xlsx (or .xlsm) workbook read part by part."""

    def __init__(self, path: Path) -> None:
        self.zip = _Zip(path)
        workbook = self._target("_rels/.rels", "", "officeDocument") or "xl/workbook.xml"
        folder = workbook.rsplit("/", 1)[0] + "/" if "/" in workbook else ""
        rels_name = f"{folder}_rels/{workbook.rsplit('/', 1)[-1]}.rels"
        rels = self._relationships(rels_name, folder)
        self.sheets: list[tuple[str, bool, str]] = []
        self.epoch = dt.datetime(1899, 12, 30)
        self._workbook(workbook, rels)
        shared = next((t for t, kind in rels.values() if kind == "sharedStrings"), None)
        styles = next((t for t, kind in rels.values() if kind == "styles"), None)
        self.kinds = self._styles(styles) if styles and self.zip.has(styles) else []
        self.shared = self._shared(shared) if shared and self.zip.has(shared) else []

    def _parse_small(self, name: str, start: Callable, end: Callable | None = None, chars: Callable | None = None):
        for _ in _feed(_parser(start, end, chars), self.zip.open(name, limits.MAX_SMALL_PART_BYTES)):
            pass

    def _relationships(self, name: str, folder: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (part name, kind) from a .rels part."""
        found: dict[str, tuple[str, str]] = {}
        if not self.zip.has(name):
            return found

        def start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "Relationship" and "Id" in attrs and "Target" in attrs:
                target = attrs["Target"]
                target = target.lstrip("/") if target.startswith("/") else folder + target
                parts: list[str] = []
                for piece in target.split("/"):  # "../x" and "./x" as written by some tools
                    if piece == "..":
                        parts = parts[:-1]
                    elif piece not in (".", ""):
                        parts.append(piece)
                found[attrs["Id"]] = ("/".join(parts), attrs.get("Type", "").rsplit("/", 1)[-1])

        self._parse_small(name, start)
        return found

    def _target(self, rels_name: str, folder: str, kind: str) -> str | None:
        return next((t for t, k in self._relationships(rels_name, folder).values() if k == kind), None)

    def _workbook(self, name: str, rels: dict[str, tuple[str, str]]) -> None:
        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            if local == "sheet":
                target = rels.get(_attr(attrs, "id") or "")
                if target is not None and target[1] == "worksheet":  # not chart or macro sheets
                    state = (attrs.get("state") or "visible").lower()
                    self.sheets.append((attrs.get("name", ""), state == "visible", target[0]))
            elif local == "workbookPr" and (attrs.get("date1904") or "").lower() in ("1", "true"):
                self.epoch = dt.datetime(1904, 1, 1)

        self._parse_small(name, start)

    def _styles(self, name: str) -> list[int]:
        """Per cell style (xf index): GENERAL, DATE or PERCENT."""
        custom: dict[int, int] = {}
        kinds: list[int] = []
        where = {"cellXfs": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            if local == "numFmt":
                number = attrs.get("numFmtId", "")
                if number.isdigit():
                    custom[int(number)] = _format_kind(attrs.get("formatCode", ""))
            elif local == "cellXfs":
                where["cellXfs"] = True
            elif local == "xf" and where["cellXfs"]:
                try:
                    number = int(attrs.get("numFmtId", "0"))
                except ValueError:
                    number = 0
                if number in custom:
                    kinds.append(custom[number])
                else:
                    kinds.append(
                        DATE if number in _DATE_FORMAT_IDS else PERCENT if number in _PERCENT_FORMAT_IDS else 0
                    )

        def end(tag: str) -> None:
            if _local(tag) == "cellXfs":
                where["cellXfs"] = False

        self._parse_small(name, start, end)
        return kinds

    def _shared(self, name: str) -> list[str]:
        """The shared strings (phonetic runs left out), each kept up to KEEP_CHARS."""
        strings: list[str] = []
        state: dict[str, object] = {"text": None, "in_t": False, "phonetic": 0, "chars": 0}

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            if local == "si":
                state["text"] = _Text()
            elif local == "t" and not state["phonetic"]:
                state["in_t"] = True
            elif local == "rPh":
                state["phonetic"] += 1

        def end(tag: str) -> None:
            local = _local(tag)
            if local == "si" and state["text"] is not None:
                if len(strings) >= _MAX_SHARED_STRINGS:
                    raise TooBig("shared strings (count)", len(strings) + 1, _MAX_SHARED_STRINGS)
                text = state["text"]
                state["chars"] += text.kept
                if state["chars"] > limits.MAX_TEXT_CHARS:
                    raise TooBig("shared strings (characters)", state["chars"], limits.MAX_TEXT_CHARS)
                strings.append(text.text())
                state["text"] = None
            elif local == "t":
                state["in_t"] = False
            elif local == "rPh":
                state["phonetic"] -= 1

        def chars(data: str) -> None:
            if state["in_t"] and state["text"] is not None:
                state["text"].add(data)

        for _ in _feed(_parser(start, end, chars), self.zip.open(name)):
            pass
        return strings

    def tables(self) -> Iterator[Table]:
        for name, visible, part in self.sheets:
            yield Table(name, visible, lambda table, part=part: self._rows(table, part))

    def _rows(self, table: Table, part: str) -> Iterator[Row]:
        sheet = _XlsxSheet(self.shared, self.kinds, self.epoch, table)
        for _ in _feed(sheet.parser, self.zip.open(part), lambda: sheet.done):
            if sheet.out:
                yield from sheet.out
                sheet.out.clear()
        yield from sheet.out

    def close(self) -> None:
        self.zip.close()


class _XlsxSheet:
    """The expat handlers of one worksheet: cells kept only left of the table's width, rows handed out in order."""

    def __init__(self, shared: list[str], kinds: list[int], epoch: dt.datetime, table: Table) -> None:
        self.shared, self.kinds, self.epoch, self.table = shared, kinds, epoch, table
        self.out: list[Row] = []
        self.done = False
        self.row = 0
        self.col = -1
        self.cells: dict[int, object] = {}
        self.want = False
        self.ctype = "n"
        self.style = 0
        self.value: _Text | None = None  # the <v> being read
        self.inline: _Text | None = None  # the <is> being read
        self.in_t = False
        self.phonetic = 0
        self.value_text: str | None = None
        self.parser = _parser(self.start, self.end, self.chars)

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag[tag.rfind("}") + 1 :]
        if local == "c":
            ref = attrs.get("r")
            col = _column_index(ref) if ref else -1
            self.col = col if col >= 0 else self.col + 1
            self.want = self.col < self.table.width
            if self.want:
                self.ctype = attrs.get("t", "n")
                style = attrs.get("s")
                self.style = int(style) if style and style.isdigit() else 0
                self.value_text = None
        elif local == "v":
            if self.want:
                self.value = _Text()
        elif local == "row":
            number = attrs.get("r")
            self.row = int(number) if number and number.isdigit() else self.row + 1
            self.col = -1
            self.cells = {}
        elif local == "is":
            if self.want:
                self.inline = _Text()
        elif local == "t":
            self.in_t = self.inline is not None and not self.phonetic
        elif local == "rPh":
            self.phonetic += 1

    def chars(self, data: str) -> None:
        if self.value is not None:
            self.value.add(data)
        elif self.in_t and self.inline is not None:
            self.inline.add(data)

    def end(self, tag: str) -> None:
        local = tag[tag.rfind("}") + 1 :]
        if local == "c":
            if self.want:
                cell = self.cell()
                if cell is not None and cell != "":
                    self.cells[self.col] = cell
                self.inline = None
                self.want = False
        elif local == "v":
            if self.value is not None:
                self.value_text = self.value.text()
                self.value = None
        elif local == "row":
            if self.cells:
                width = max(self.cells) + 1
                self.out.append((self.row, [self.cells.get(c) for c in range(width)]))
                self.cells = {}
        elif local == "t":
            self.in_t = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "sheetData":
            self.done = True  # what follows (merged cells, formatting, links) is not read at all

    def cell(self) -> object:
        kind, text = self.ctype, self.value_text
        if kind == "inlineStr":
            return None if self.inline is None else self.inline.text()
        if text is None:
            return None
        if kind == "s":
            try:
                return self.shared[int(text)]
            except (ValueError, IndexError):
                raise Damaged(f"cell {self.col + 1} of row {self.row} names a missing shared string") from None
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                moment = dt.datetime.fromisoformat(text.strip().rstrip("Z"))
            except ValueError:
                return text
            return moment.date() if moment.time() == dt.time() else moment
        try:
            number = float(text)
        except ValueError:
            return text
        style = self.kinds[self.style] if self.style < len(self.kinds) else GENERAL
        if style == PERCENT and math.isfinite(number):
            return percent_text(number)
        if style == DATE:
            return _excel_date(number, self.epoch) or number
        return number


# -- .ods -------------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0}"


class Ods:
    """An OpenDocument spreadsheet: content.xml parsed once, table after table."""

    def __init__(self, path: Path) -> None:
        self.zip = _Zip(path)
        if not self.zip.has("content.xml"):
            raise Damaged("content.xml is missing")

    def tables(self) -> Iterator[Table]:
        handler = _OdsContent()
        feed = _feed(handler.parser, self.zip.open("content.xml"), lambda: handler.finished)

        def pump() -> None:
            """Parse one more chunk of content.xml."""
            if next(feed, _END) is _END:
                handler.finished = True

        index = 0
        while True:
            while len(handler.started) <= index and not handler.finished:
                pump()
            if len(handler.started) <= index:
                return
            table = handler.started[index]
            index += 1
            table._rows = lambda t: self._rows_of(handler, pump, t)
            yield table
            table.width = 0  # the caller is done with it: the rest of its rows is parsed, not kept
            while id(table) not in handler.ended and not handler.finished:
                handler.queues[id(table)].clear()
                pump()
            handler.queues.pop(id(table), None)

    @staticmethod
    def _rows_of(handler: _OdsContent, pump: Callable[[], None], table: Table) -> Iterator[Row]:
        """A table's rows as they are parsed; a repeated row is handed out as many times as it is repeated."""
        queue = handler.queues[id(table)]
        while True:
            while queue:
                number, cells, repeat = queue.popleft()
                cells = cells[: table.width]  # parsed before the header set the width, perhaps
                for offset in range(repeat):
                    yield number + offset, cells if offset == 0 else list(cells)
            if id(table) in handler.ended or handler.finished:
                return
            pump()

    def close(self) -> None:
        self.zip.close()


class _OdsContent:
    """The expat handlers of content.xml: hidden table styles, tables, rows and cells with their repeats."""

    def __init__(self) -> None:
        self.parser = _parser(self.start, self.end, self.chars)
        self.hidden_styles: set[str] = set()
        self.style: str | None = None
        self.started: list[Table] = []  # every table met so far, in order
        self.parsing: Table | None = None  # the table being parsed
        self.queues: dict[int, deque[tuple[int, list[object], int]]] = {}  # rows parsed, not yet read
        self.ended: set[int] = set()
        self.finished = False
        self.row = 0
        self.row_repeat = 1
        self.col = 0
        self.cells: dict[int, object] = {}
        self.cell_attrs: dict[str, str] | None = None
        self.cell_repeat = 1
        self.text: _Text | None = None
        self.paragraphs = 0
        self.skip = 0  # inside an annotation (a comment): its text is not the cell's

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == _TABLE + "table-cell" or tag == _TABLE + "covered-table-cell":
            self.cell_repeat = _count(attrs.get(_TABLE + "number-columns-repeated"))
            width = self.parsing.width if self.parsing is not None else 0
            if self.col < width:
                self.cell_attrs = attrs
                self.text = _Text()
                self.paragraphs = 0
            else:
                self.cell_attrs = None
        elif self.cell_attrs is not None and self.text is not None and not self.skip:
            if tag == _TEXT + "p" or tag == _TEXT + "h":
                if self.paragraphs:
                    self.text.add("\n")
                self.paragraphs += 1
            elif tag == _TEXT + "s":
                self.text.add(" " * min(_count(attrs.get(_TEXT + "c")), limits.KEEP_CHARS))
            elif tag == _TEXT + "tab":
                self.text.add("\t")
            elif tag == _TEXT + "line-break":
                self.text.add("\n")
            elif tag == _OFFICE + "annotation":
                self.skip += 1
        elif tag == _OFFICE + "annotation":
            self.skip += 1
        elif tag == _TABLE + "table-row":
            self.row_repeat = _count(attrs.get(_TABLE + "number-rows-repeated"))
            self.col = 0
            self.cells = {}
        elif tag == _TABLE + "table":
            name = attrs.get(_TABLE + "name", "")
            table = Table(name, attrs.get(_TABLE + "style-name") not in self.hidden_styles, lambda t: iter(()))
            self.parsing = table
            self.queues[id(table)] = deque()
            self.row = 0
            self.started.append(table)
        elif tag == _STYLE + "style":
            self.style = attrs.get(_STYLE + "name") if attrs.get(_STYLE + "family") == "table" else None
        elif tag == _STYLE + "table-properties" and self.style is not None and attrs.get(_TABLE + "display") == "false":
            self.hidden_styles.add(self.style)

    def chars(self, data: str) -> None:
        if self.text is not None and self.paragraphs and not self.skip:
            self.text.add(data)

    def end(self, tag: str) -> None:
        if tag == _TABLE + "table-cell" or tag == _TABLE + "covered-table-cell":
            if self.cell_attrs is not None and self.parsing is not None:
                value = _ods_value(self.cell_attrs, self.text)
                if value is not None and value != "":
                    last = min(self.col + self.cell_repeat, self.parsing.width)
                    for col in range(self.col, last):
                        self.cells[col] = value
            self.cell_attrs = None
            self.text = None
            self.col += self.cell_repeat
        elif tag == _OFFICE + "annotation":
            self.skip -= 1
        elif tag == _TABLE + "table-row":
            if self.cells and self.parsing is not None:
                width = max(self.cells) + 1
                cells = [self.cells.get(c) for c in range(width)]
                self.queues[id(self.parsing)].append((self.row + 1, cells, self.row_repeat))
            self.row += self.row_repeat
            self.cells = {}
        elif tag == _TABLE + "table":
            if self.parsing is not None:
                self.ended.add(id(self.parsing))
            self.parsing = None
        elif tag == _OFFICE + "spreadsheet":
            self.finished = True


def _count(text: str | None) -> int:
    """A repeat count (number-columns-repeated and the like): 1 when missing or unreadable."""
    if text is None or not text.isdigit():
        return 1
    return max(1, min(int(text), 1 << 24))


def _ods_value(attrs: dict[str, str], text: _Text | None) -> object:
    kind = attrs.get(_OFFICE + "value-type")
    shown = text.text() if text is not None else ""
    if kind in ("float", "currency", "percentage"):
        try:
            number = float(attrs.get(_OFFICE + "value", ""))
        except ValueError:
            return shown or None
        return percent_text(number) if kind == "percentage" and math.isfinite(number) else number
    if kind == "date":
        raw = attrs.get(_OFFICE + "date-value", "")
        try:
            moment = dt.datetime.fromisoformat(raw)
        except ValueError:
            return shown or raw or None
        return moment.date() if moment.time() == dt.time() else moment
    if kind == "boolean":
        return attrs.get(_OFFICE + "boolean-value", "").lower() == "true"
    return shown or None


# -- .xls -------------------------------------------------------------------------------------


class Xls:
    """A BIFF (.xls) workbook read by xlrd, one sheet in memory at a time."""

    def __init__(self, path: Path) -> None:
        import xlrd  # imported here: only .xls submissions pay for it

        self.xlrd = xlrd
        try:
            self.book = xlrd.open_workbook(
                str(path), formatting_info=True, on_demand=True, ragged_rows=True, logfile=_Silent()
            )
        except xlrd.XLRDError as exc:
            if "encrypted" in str(exc).lower():
                raise Encrypted from None
            raise Damaged(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 (xlrd fails on damaged input with any exception type)
            raise Damaged(f"{type(exc).__name__}: {exc}") from None
        self.percent: dict[int, bool] = {}

    def tables(self) -> Iterator[Table]:
        for index in range(self.book.nsheets):
            try:
                sheet = self.book.sheet_by_index(index)
            except Exception as exc:  # noqa: BLE001
                raise Damaged(f"sheet {index + 1}: {type(exc).__name__}: {exc}") from None
            yield Table(sheet.name, sheet.visibility == 0, lambda table, sheet=sheet: self._rows(table, sheet))
            self.book.unload_sheet(index)

    def _is_percent(self, xf_index: int) -> bool:
        if xf_index not in self.percent:
            try:
                xf = self.book.xf_list[xf_index]
                code = self.book.format_map[xf.format_key].format_str
            except (IndexError, KeyError, AttributeError):
                code = ""
            self.percent[xf_index] = _format_kind(code) == PERCENT
        return self.percent[xf_index]

    def _rows(self, table: Table, sheet) -> Iterator[Row]:
        xlrd = self.xlrd
        for r in range(sheet.nrows):
            width = min(sheet.row_len(r), table.width)
            if width <= 0:
                continue
            types = sheet.row_types(r, 0, width)
            values = sheet.row_values(r, 0, width)
            cells: list[object] = [None] * width
            for c in range(width):
                kind, value = types[c], values[c]
                if kind == xlrd.XL_CELL_TEXT:
                    cells[c] = keep(value) if value != "" else None
                elif kind == xlrd.XL_CELL_NUMBER:
                    cells[c] = percent_text(value) if self._is_percent(sheet.cell_xf_index(r, c)) else float(value)
                elif kind == xlrd.XL_CELL_DATE:
                    cells[c] = _xls_date(xlrd, value, self.book.datemode)
                elif kind == xlrd.XL_CELL_BOOLEAN:
                    cells[c] = bool(value)
                elif kind == xlrd.XL_CELL_ERROR:
                    cells[c] = xlrd.error_text_from_code.get(value, "#ERR")
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                yield r + 1, cells

    def close(self) -> None:
        self.book.release_resources()


def _xls_date(xlrd, value: float, datemode: int) -> object:
    try:
        moment = xlrd.xldate.xldate_as_datetime(value, datemode)
    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
        return float(value)
    return moment.date() if moment.time() == dt.time() else moment.replace(microsecond=0)


class _Silent:
    """xlrd's log: its warnings about odd records are not the user's business."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def open_book(path: Path, kind: str) -> Xlsx | Ods | Xls:
    """The workbook of a file whose kind (file_kind.identify) is xlsx, ods or xls."""
    return {"xlsx": Xlsx, "ods": Ods, "xls": Xls}[kind](path)
