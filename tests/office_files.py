"""Files as offices write them, for the reading tests: .xls (xlwt), .ods (odfpy), Windows-1258 and UTF-16 text.

Each writer takes sheets as ``(name, rows)``; a row is a list of cells: ``None``
(empty), ``str``, ``int``/``float``, ``datetime.date``, or ``("%", 0.125)`` for a
number shown as a percentage. ``hidden`` names the sheets to hide.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

# Every letter of Vietnamese, lower and upper case: a file must keep each one intact.
VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
VI_ALL = VI_LETTERS + VI_LETTERS.upper()
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # the five tone marks Windows-1258 writes apart


def cp1258(text: str) -> bytes:
    """Text as Excel on Vietnamese Windows saves "CSV": Windows-1258, a letter and its tone mark as two characters.

    (Python's codec alone cannot encode "ậ": Windows-1258 has "â" and a combining dot below, not the letter.)
    """
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base.encode("cp1258") + "".join(c for c in parts if c in _TONES).encode("cp1258"))
    return b"".join(out)


def write_xls(path: Path, sheets: list[tuple[str, list[list[object]]]], hidden: tuple[str, ...] = ()) -> Path:
    """An Excel 97-2003 workbook (BIFF8), as xlwt writes it."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    percent = xlwt.easyxf(num_format_str="0.0%")
    for name, rows in sheets:
        sheet = book.add_sheet(name)
        if name in hidden:
            sheet.visibility = 1
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, tuple):
                    sheet.write(r, c, cell[1], percent)
                elif isinstance(cell, dt.date):
                    sheet.write(r, c, cell, date)
                else:
                    sheet.write(r, c, cell)
    book.save(str(path))
    return path


def write_ods(path: Path, sheets: list[tuple[str, list[list[object]]]], hidden: tuple[str, ...] = ()) -> Path:
    """An OpenDocument spreadsheet, as odfpy writes it (LibreOffice's format)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    hide = Style(name="hiddenTable", family="table")
    hide.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(hide)
    for name, rows in sheets:
        table = Table(name=name, stylename=hide) if name in hidden else Table(name=name)
        for row in rows:
            line = TableRow()
            for cell in row:
                if cell is None:
                    element = TableCell()
                elif isinstance(cell, tuple):
                    element = TableCell(valuetype="percentage", value=cell[1])
                    element.addElement(P(text=f"{cell[1] * 100:g}%"))
                elif isinstance(cell, int | float):
                    element = TableCell(valuetype="float", value=cell)
                    element.addElement(P(text=str(cell)))
                elif isinstance(cell, dt.date):
                    element = TableCell(valuetype="date", datevalue=cell.isoformat())
                    element.addElement(P(text=f"{cell:%d/%m/%Y}"))
                else:
                    element = TableCell(valuetype="string")
                    for paragraph in str(cell).split("\n"):
                        element.addElement(P(text=paragraph))
                line.addElement(element)
            table.addElement(line)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def write_xlsx(path: Path, sheets: list[tuple[str, list[list[object]]]], hidden: tuple[str, ...] = ()) -> Path:
    """An .xlsx workbook, as xlsxwriter writes it."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    percent = book.add_format({"num_format": "0.0%"})
    made = []
    for name, rows in sheets:
        sheet = book.add_worksheet(name)
        made.append((name, sheet))
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, tuple):
                    sheet.write_number(r, c, cell[1], percent)
                elif isinstance(cell, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(cell, dt.time()), date)
                elif isinstance(cell, str):
                    sheet.write_string(r, c, cell)
                else:
                    sheet.write_number(r, c, cell)
    visible = [sheet for name, sheet in made if name not in hidden]
    if visible:
        visible[0].activate()
    for name, sheet in made:
        if name in hidden:
            sheet.hide()
    book.close()
    return path


def encrypted_workbook(path: Path) -> Path:
    """A compound file holding an ``EncryptedPackage`` stream: what Excel saves for an .xlsx with a password.

    Made from an .xls by renaming its Workbook stream (same directory layout), enough to be recognised.
    """
    write_xls(path, [("x", [["x"]])])
    data = bytearray(path.read_bytes())
    old = "Workbook".encode("utf-16-le")
    new = "EncryptedPackage".encode("utf-16-le")
    at = data.index(old)
    data[at : at + 64] = new + b"\x00" * (64 - len(new))
    data[at + 64 : at + 66] = (len(new) + 2).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path
