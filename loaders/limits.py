"""The bounds on a submitted file and its cells, in one place, and how outside text is shown in a report.

Every reader stops at these bounds while it reads, never after: a file that
would pass one is refused with a message that names the bound. Memory is
therefore bounded by these numbers, not by the dashboard's 50 MB upload cap
(a few KB of a compressed format can unpack to gigabytes). The README's
security section states them and the measured peaks.

Text from outside (cells, headers, file names) is quoted in reports through
``shown``: cut to a stated length, with control and invisible characters made
visible, so a report never carries an escape sequence to a terminal or a
100 MB cell into the database.
"""

from __future__ import annotations

import re
import unicodedata

MB = 1 << 20

# -- files ------------------------------------------------------------------------------------
MAX_FILE_BYTES = 100 * MB  # any format, on the command line too (the page takes 50 MB)
MAX_JSON_BYTES = 50 * MB  # JSON is parsed whole into Python objects: ~10x its size
MAX_ROWS = 1_048_575  # data rows, every format: a sheet's own limit (1,048,576 rows with its header)
MAX_COLUMNS = 16_384  # a spreadsheet's own limit
MAX_TEXT_CHARS = 100_000_000  # characters of the contract columns once read (a shared string counts every use)
HEADER_SEARCH_ROWS = 20  # the header row is looked for among a sheet's first 20 non-empty rows
MAX_HEADER_BYTES = 64 * 1024  # a text file's header line
MAX_LINE_BYTES = 1 * MB  # any line of a text file (16,384 cells of 64 bytes): the CSV parser's buffers grow with it

# Compressed containers (.xlsx and .ods are zip files), checked on the declared sizes before any part is opened;
# Python's zipfile never inflates a part past its declared size, so a lying size ends in a damaged-file report.
MAX_PART_BYTES = 512 * MB  # one part (a sheet's XML) once inflated
MAX_UNZIPPED_BYTES = 1024 * MB  # all the parts read, once inflated
MAX_ZIP_RATIO = 200  # inflated / compressed, for a part over 1 MB (spreadsheet XML packs 5-30x)
MAX_SMALL_PART_BYTES = 64 * MB  # workbook, relationships, styles: small in any real file
MAX_PARQUET_COLUMNS_BYTES = 64 * MB  # the contract columns of a Parquet file, uncompressed, from its footer

# -- cells ------------------------------------------------------------------------------------
MAX_CELL_CHARS = 200  # indicator code, period, locality code, value
MAX_NOTE_CHARS = 2_000  # a note
SHOWN_CHARS = 100  # a cell quoted in a report (row error value and message)
STORED_VALUE_CHARS = 200  # a value kept in the stored report of a rejected file
MAX_PROBLEMS = 100_000  # problems listed in a report (then one line with the count of the rest)
MIN_YEAR = 2000  # periods and date cells: from this year to next year (later ones are in the future)
MAX_ABS_VALUE = 1e15  # |value|: no indicator of a province reaches a million billion

# -- showing outside text ---------------------------------------------------------------------
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ␉ ␊ ␛: the Unicode control pictures
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"⟨U+{code:04X}⟩"


def visible(text: str) -> str:
    """Control and invisible characters (C0, DEL, C1, zero-width, bidirectional) as visible marks."""
    return _CONTROL.sub(lambda m: _picture(m.group()), text)


def cut(text: str, limit: int = SHOWN_CHARS) -> str:
    """The first ``limit`` characters, and how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (+{len(text) - limit})"  # no grouping: the report is read in both languages


def shown(text: object, limit: int = SHOWN_CHARS) -> str:
    """Outside text as a report quotes it: cut, then made visible."""
    return visible(cut(str(text), limit))


def file_label(name: str) -> str:
    """A file name as recorded and shown: valid Unicode (NFC), control characters visible, at most 255 characters.

    A Linux file name may be any bytes (Python hands them over as lone surrogates) and may hold an escape.
    """
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = visible(unicodedata.normalize("NFC", text))
    return text if len(text) <= 255 else f"{text[:200]}…{text[-54:]}"


# -- cells cut while reading ------------------------------------------------------------------
KEEP_CHARS = MAX_NOTE_CHARS + 1  # what a reader keeps of a longer cell: enough to know it passes every limit


def keep(text: str) -> str:
    """The part of a cell a reader keeps: all of it, or enough to know it is too long."""
    return text if len(text) <= KEEP_CHARS else text[:KEEP_CHARS]


# The characters ``visible`` replaces and their marks, for the same replacement on polars columns.
CONTROL_CHARS: list[str] = [
    chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0), 0xAD, *range(0x200B, 0x2010), *range(0x2028, 0x202F),
                     *range(0x2060, 0x2065), *range(0x2066, 0x206A), 0xFEFF]
]  # fmt: skip
CONTROL_MARKS: list[str] = [_picture(c) for c in CONTROL_CHARS]
