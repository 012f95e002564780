"""The worst file of each format we could construct for memory: each passes, or would pass, one bound of
``loaders.limits``. Used by test_reading_memory.py; each builder writes one file into a folder and returns its path.

The shape of each: a small file that unpacks to gigabytes (a dictionary-encoded Parquet column, a zip whose
sheet is one repeated row, an .ods cell repeated over a whole sheet, a shared string used on every row), a
file at a row or size limit, a row wide to the last column, a report of millions of problems.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HEADER = "indicator_code,period,locality_code,value,note\n"
_SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _period(i: int) -> str:
    return f"{2000 + i // 12 % 26}-{i % 12 + 1:02d}"


# --------------------------------------------------------------------------- text


ROWS = 1_048_575  # limits.MAX_ROWS


def csv_every_row_wrong_at_the_row_limit(folder: Path) -> Path:
    """1,048,575 rows (the row limit), every one an unknown indicator: a report of a million problems."""
    path = folder / "csv_every_row_wrong_at_the_row_limit.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for start in range(0, ROWS, 100_000):
            out.write("".join(f"XXX_{i % 7},2025-01,,{i},\n" for i in range(start, min(start + 100_000, ROWS))))
    return path


def csv_distinct_cells_at_the_row_limit(folder: Path) -> Path:
    """1,048,575 rows (~80 MB), every code, period, locality, value and note distinct: no table of distinct
    values is small."""
    path = folder / "csv_distinct_cells_at_the_row_limit.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for start in range(0, ROWS, 100_000):
            stop = min(start + 100_000, ROWS)
            out.write("".join(f"X{i},2025-{i},{i:07d},{i}.5,ghi chú số {i:030d}\n" for i in range(start, stop)))
    return path


def csv_longest_notes_near_the_size_limit(folder: Path) -> Path:
    """~95 MB: 24,000 rows, each with a note of 1,990 characters (under the note limit), values that conflict."""
    path = folder / "csv_longest_notes_near_the_size_limit.csv"
    note = "ê" * 1990
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        out.write("".join(f"FIN_REV,{_period(i)},,{i},{note}\n" for i in range(24_000)))
    return path


def csv_one_cell_of_99_mb(folder: Path) -> Path:
    """One value cell of 99 MB."""
    path = folder / "csv_one_cell_of_99_mb.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER + "FIN_REV,2025-01,,")
        for _ in range(99):
            out.write("9" * (1 << 20))
        out.write(",\n")
    return path


def csv_past_the_row_limit(folder: Path) -> Path:
    """3,000,000 short rows: refused at the row limit while reading."""
    path = folder / "csv_past_the_row_limit.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write("indicator_code,period,value\n")
        for _ in range(30):
            out.write("FIN_REV,2025-01,1\n" * 100_000)
    return path


def cp1258_near_the_size_limit(folder: Path) -> Path:
    """~95 MB of Windows-1258 text, every row valid: re-encoded to UTF-8 a chunk at a time."""
    path = folder / "cp1258_near_the_size_limit.csv"
    line = "FIN_REV;2025-01;;1;" + "Ước tính của Sở " * 10 + "\r\n"
    from office_files import cp1258

    data = cp1258(line)
    with open(path, "wb") as out:
        out.write(cp1258("Mã chỉ số;Kỳ báo cáo;Mã địa bàn;Giá trị;Ghi chú\r\n"))
        block = data * 10_000
        for _ in range(95 * (1 << 20) // len(block)):
            out.write(block)
    return path


# --------------------------------------------------------------------------- .xlsx


def _xlsx(path: Path, sheet_xml: Callable[[io.RawIOBase], None], shared: list[str] | None = None) -> Path:
    """A minimal workbook whose sheet XML is streamed by ``sheet_xml`` (deflated)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            'Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {_SHEET_NS} {_REL_NS}><sheets><sheet name="S" sheetId="1" r:id="r1"/></sheets></workbook>',
        )
        rels = (
            '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
        )
        if shared is not None:
            rels += (
                '<Relationship Id="r2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                'sharedStrings" Target="sharedStrings.xml"/>'
            )
            items = "".join(f"<si><t>{s}</t></si>" for s in shared)
            archive.writestr("xl/sharedStrings.xml", f'<sst {_SHEET_NS} count="{len(shared)}">{items}</sst>')
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(f'<worksheet {_SHEET_NS}><sheetData><row r="1">'.encode())
            for col, name in zip("ABCDE", ["indicator_code", "period", "locality_code", "value", "note"], strict=True):
                out.write(f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'.encode())
            out.write(b"</row>")
            sheet_xml(out)
            out.write(b"</sheetData></worksheet>")
    return path


def xlsx_a_cell_in_the_last_column_of_every_row(folder: Path) -> Path:
    """1,000,000 rows, each with its five cells and one in column XFD: padded, it was 16,384 cells a row."""

    def rows(out) -> None:
        for start in range(2, 1_000_002, 10_000):
            out.write(
                "".join(
                    f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>XXX</t></is></c><c r="D{r}"><v>{r}</v></c>'
                    f'<c r="XFD{r}"><v>1</v></c></row>'
                    for r in range(start, start + 10_000)
                ).encode()
            )

    return _xlsx(folder / "xlsx_a_cell_in_the_last_column_of_every_row.xlsx", rows)


def xlsx_one_long_shared_string_on_every_row(folder: Path) -> Path:
    """A 32,767-character shared string used as the note of 1,000,000 rows: 65 GB of text once repeated."""

    def rows(out) -> None:
        for start in range(2, 1_000_002, 10_000):
            out.write(
                "".join(
                    f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c><c r="D{r}"><v>1</v></c>'
                    f'<c r="E{r}" t="s"><v>1</v></c></row>'
                    for r in range(start, start + 10_000)
                ).encode()
            )

    return _xlsx(folder / "xlsx_one_long_shared_string_on_every_row.xlsx", rows, ["FIN_REV", "ê" * 32_767])


def xlsx_a_million_cells_in_one_row(folder: Path) -> Path:
    """One row of 1,000,000 cells with distinct values, all past the last column (a tree parser builds each)."""

    def rows(out) -> None:
        out.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>FIN_REV</t></is></c>')
        for start in range(0, 1_000_000, 10_000):
            out.write(
                "".join(f'<c r="XFE2"><v>{i * 7919 % 1_000_003}</v></c>' for i in range(start, start + 10_000)).encode()
            )
        out.write(b"</row>")

    return _xlsx(folder / "xlsx_a_million_cells_in_one_row.xlsx", rows)


def xlsx_zip_bomb(folder: Path) -> Path:
    """A sheet that packs 1,000:1 (600 MB of one repeated row in under 1 MB): refused on its declared size."""

    def rows(out) -> None:
        row = b'<row><c t="inlineStr"><is><t>FIN_REV</t></is></c><c><v>1</v></c></row>'
        block = row * 100_000
        for _ in range(600 * (1 << 20) // len(block)):
            out.write(block)

    return _xlsx(folder / "xlsx_zip_bomb.xlsx", rows)


# --------------------------------------------------------------------------- .xls


def xls_the_whole_sheet(folder: Path) -> Path:
    """BIFF8's whole sheet: 65,536 rows, each with a cell in column IV (256), the last; a shared string of
    32,767 characters as the note of every row."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("S")
    for c, name in enumerate(["indicator_code", "period", "locality_code", "value", "note"]):
        sheet.write(0, c, name)
    long = "ê" * 32_767
    for r in range(1, 65_536):
        row = sheet.row(r)
        row.write(0, "FIN_REV")
        row.write(1, "2025-01")
        row.write(3, r)
        row.write(4, long)
        row.write(255, 1)
        if r % 5_000 == 0:
            sheet.flush_row_data()
    path = folder / "xls_the_whole_sheet.xls"
    book.save(str(path))
    return path


# --------------------------------------------------------------------------- .ods


def _ods(path: Path, body: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
            f'<table:table table:name="S">{body}</table:table></office:spreadsheet></office:body>'
            "</office:document-content>",
        )
    return path


def _ods_cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{repeated}><text:p>{text}</text:p></table:table-cell>'


def ods_one_cell_repeated_over_the_whole_sheet(folder: Path) -> Path:
    """A header, then one non-empty row of 16,384 repeated cells repeated 1,048,575 times: 17 billion cells."""
    header = "".join(_ods_cell(h) for h in ["indicator_code", "period", "value", "note"])
    body = (
        f"<table:table-row>{header}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="1048575">{_ods_cell("x", 16_384)}</table:table-row>'
    )
    return _ods(folder / "ods_one_cell_repeated_over_the_whole_sheet.ods", body)


# --------------------------------------------------------------------------- .parquet


def parquet_dictionary_bomb_in_an_ignored_column(folder: Path) -> Path:
    """1,048,575 rows; an ignored column holds one 1 MB string on every row, dictionary-encoded (1 TB decoded)."""
    rows = ROWS
    long = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["x" * (1 << 20)]))
    table = pa.table(
        {
            "indicator_code": pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["XXX"])),
            "period": pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["2025-01"])),
            "value": pa.array([1.0] * rows),
            "Tên chỉ số": long,
        }
    )
    path = folder / "parquet_dictionary_bomb_in_an_ignored_column.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


def parquet_dictionary_bomb_in_the_notes(folder: Path) -> Path:
    """1,048,575 rows whose note is one 1 MB string, dictionary-encoded."""
    rows = ROWS
    table = pa.table(
        {
            "indicator_code": pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["FIN_REV"])),
            "period": pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["2025-01"])),
            "value": pa.array([1.0] * rows),
            "note": pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["ê" * (1 << 19)])),
        }
    )
    path = folder / "parquet_dictionary_bomb_in_the_notes.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


def parquet_distinct_rows_at_the_size_limit(folder: Path) -> Path:
    """650,000 rows, every cell distinct text, notes of 40 characters: just under the size limit, read whole."""
    rows = 650_000
    table = pa.table(
        {
            "indicator_code": pa.array([f"X{i}" for i in range(rows)]),
            "period": pa.array([f"2025-{i}" for i in range(rows)]),
            "locality_code": pa.array([f"{i:07d}" for i in range(rows)]),
            "value": pa.array([f"{i}.5" for i in range(rows)]),
            "note": pa.array([f"ghi chú số {i:030d}" for i in range(rows)]),
        }
    )
    path = folder / "parquet_distinct_rows_at_the_size_limit.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


# --------------------------------------------------------------------------- .json


def json_tiny_records_to_the_size_limit(folder: Path) -> Path:
    """~50 MB of the smallest records: 4 million objects, refused at the row limit while parsing."""
    path = folder / "json_tiny_records_to_the_size_limit.json"
    count = (50 * (1 << 20) - 100) // len('{"value":1},')
    path.write_text("[" + '{"value":1},' * (count - 1) + '{"value":1}]')
    return path


def json_records_at_the_size_limit(folder: Path) -> Path:
    """~48 MB: 330,000 full records with distinct notes, every one rejected (unknown indicator)."""
    path = folder / "json_records_at_the_size_limit.json"
    records = [
        {"indicator_code": f"X{i}", "period": "2025-01", "locality_code": "", "value": i, "note": f"ghi chú {i:040d}"}
        for i in range(330_000)
    ]
    path.write_text(json.dumps(records, ensure_ascii=False))
    return path


BUILDERS: list[Callable[[Path], Path]] = [
    csv_every_row_wrong_at_the_row_limit,
    csv_longest_notes_near_the_size_limit,
    csv_one_cell_of_99_mb,
    csv_past_the_row_limit,
    csv_distinct_cells_at_the_row_limit,
    cp1258_near_the_size_limit,
    xlsx_a_cell_in_the_last_column_of_every_row,
    xlsx_one_long_shared_string_on_every_row,
    xlsx_a_million_cells_in_one_row,
    xlsx_zip_bomb,
    xls_the_whole_sheet,
    ods_one_cell_repeated_over_the_whole_sheet,
    parquet_dictionary_bomb_in_an_ignored_column,
    parquet_dictionary_bomb_in_the_notes,
    parquet_distinct_rows_at_the_size_limit,
    json_tiny_records_to_the_size_limit,
    json_records_at_the_size_limit,
]
