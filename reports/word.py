"""The report as an editable Word document (python-docx), in the format of Decree 30/2020/NĐ-CP.

A4; Times New Roman (body 14 pt, tables 13 pt, the header block 13–14 pt as the decree sets); portrait margins
top and bottom 20 mm, left 30 mm, right 15 mm; the group tables on landscape pages whose binding edge is at the
top (top 30 mm, bottom 20 mm, left and right 20 mm); the page number centred at the top from page 2; the date of
the data (and the demo mark) in every page's footer. Report writers edit it before signing: everything is plain
paragraphs and tables in Word's own styles, nothing drawn.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_TABLE_DIRECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reports.content import Report
from reports.style import STATUS_TINT

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
PORTRAIT = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # mm, Decree 30 Appendix I
LANDSCAPE = {"top": 30, "bottom": 20, "left": 20, "right": 20}  # the binding edge (the portrait's left) on top
INDENT = Mm(12.7)  # first line, 1.27 cm
COLUMNS_MM = (9, 63, 28, 34, 22, 27, 36, 38)  # TT, indicator, period, value, % plan, vs last year, status, owner


def _fonts(element, size: float | None = None) -> None:
    """Times New Roman for every script of a run or style (Word picks a font per script: Vietnamese is 'ascii' and
    'hAnsi', but a missing eastAsia/cs entry lets some Word versions fall back to another font)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            node = rpr.find(qn(tag))
            if node is None:
                node = OxmlElement(tag)
                rpr.append(node)
            node.set(qn("w:val"), str(int(size * 2)))


def _run(paragraph, text: str, size: float = BODY_PT, bold=False, italic=False):
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    run.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(run._r, size)
    return run


def _para(container, text: str = "", size=BODY_PT, bold=False, italic=False, align=None, indent=True, after=6):
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    fmt.line_spacing = 1.15
    if align is not None:
        fmt.alignment = align
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent and align in (None, WD_ALIGN_PARAGRAPH.JUSTIFY):
        fmt.first_line_indent = INDENT
    if text:
        _run(paragraph, text, size, bold, italic)
    return paragraph


def _heading(container, text: str, after: int = 6):
    """A section or item heading: bold, indented as the body, not justified (a short line is not stretched)."""
    paragraph = _para(container, text, bold=True, after=after)
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _rule(container, left_mm: float, right_mm: float) -> None:
    """A short horizontal line (the decree's line under the body's name, the motto and the title): an empty
    1-point paragraph whose bottom border is narrowed by indents, so it stays editable and wraps nothing."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = Pt(2)
    _run(paragraph, "", 1)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)
    paragraph.paragraph_format.left_indent = Mm(left_mm)
    paragraph.paragraph_format.right_indent = Mm(right_mm)


def _shade(cell, hex_color: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), hex_color.lstrip("#"))
    tcpr.append(shading)


def _widths(table, widths_mm) -> None:
    """Column widths that Word and LibreOffice both honour: the grid's and every cell's."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        node = OxmlElement(f"w:{edge}")
        node.set(qn("w:val"), "nil")
        borders.append(node)
    tblpr.append(borders)


def _page_number(section) -> None:
    """PAGE centred at the top, 13 pt; the first page of the document has none (Decree 30)."""
    header = section.header
    paragraph = header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = _run(paragraph, "", TABLE_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        else:
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        run._r.append(node)


def _footer(section, text: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, 11, italic=True)


def _layout(section, landscape: bool) -> None:
    margins = LANDSCAPE if landscape else PORTRAIT
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
    section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
    section.header_distance, section.footer_distance = Mm(10), Mm(8)


def _header_block(doc, report: Report) -> None:
    """The administrative header: the issuing body and the number on the left, the nation and the motto, place and
    date on the right (two columns, no borders)."""
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.table_direction = WD_TABLE_DIRECTION.LTR
    _widths(table, (62, 103))
    left, right = table.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    first = left.paragraphs[0]
    first.alignment = center
    _run(first, report.org[0], 13, bold=True)
    _para(left, report.org[1], 13, bold=True, align=center, after=2)
    _rule(left, 18, 18)
    _para(left, report.number, 13, align=center, after=0).paragraph_format.space_before = Pt(6)
    nation = right.paragraphs[0]
    nation.alignment = center
    _run(nation, report.nation, 13, bold=True)
    _para(right, report.motto, 14, bold=True, align=center, after=2)
    _rule(right, 20, 20)
    _para(right, report.place_date, 14, italic=True, align=center, after=0).paragraph_format.space_before = Pt(6)
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.line_spacing = 1.0


def _group_table(doc, report: Report, group) -> None:
    headers = report.headers
    keys = ("no", "indicator", "period", "value", "pct_of_plan", "vs_last_year", "status", "owner")
    table = doc.add_table(rows=1, cols=len(keys))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, COLUMNS_MM)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    aligns = {"no": WD_ALIGN_PARAGRAPH.CENTER, "value": right, "pct_of_plan": right, "vs_last_year": right}
    for cell, key, width in zip(table.rows[0].cells, keys, COLUMNS_MM, strict=True):
        cell.width = Mm(width)
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, headers[key], TABLE_PT, bold=True)
        _shade(cell, "#EEF0F3")
    _repeat_header(table.rows[0])
    for n, line in enumerate(group.lines, start=1):
        cells = table.add_row().cells
        values = (str(n), line.name, line.period, line.value, line.pct_of_plan, line.vs_last_year, line.status)
        for cell, key, width, text in zip(cells, keys, COLUMNS_MM, (*values, line.owner), strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.alignment = aligns.get(key, WD_ALIGN_PARAGRAPH.LEFT)
            _run(paragraph, text, TABLE_PT, bold=key == "status")
        _shade(cells[6], STATUS_TINT.get(line.status_code, STATUS_TINT["no_data"]))


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    node = OxmlElement("w:tblHeader")
    node.set(qn("w:val"), "true")
    trpr.append(node)


def _signature(doc, report: Report) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (80, 85))
    left, right = table.rows[0].cells
    head = left.paragraphs[0]
    _run(head, report.t("report.recipients"), 12, bold=True, italic=True)
    for line in report.recipients:
        _para(left, line, 11, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
    first = right.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(first, report.signature[0], 14, bold=True)
    for line in report.signature[1:]:
        _para(right, line, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(right, "", after=0).paragraph_format.space_after = Mm(25)  # room for the signature


def write(report: Report) -> bytes:
    """The report as a .docx file's bytes."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element, BODY_PT)
    doc.core_properties.title = f"{report.kind} {report.subject}"
    doc.core_properties.language = report.lang

    first = doc.sections[0]
    _layout(first, landscape=False)
    first.different_first_page_header_footer = True
    _page_number(first)
    _footer(first, report.footer)
    first_page_footer = first.first_page_footer.paragraphs[0]
    first_page_footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(first_page_footer, report.footer, 11, italic=True)

    _header_block(doc, report)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, report.kind, 14, bold=True, align=center, after=0).paragraph_format.space_before = Pt(18)
    _para(doc, report.subject, 14, bold=True, align=center, after=2)
    _rule(doc, 55, 55)
    if report.demo_note:
        _para(doc, report.demo_note, 13, bold=True, italic=True, align=center, after=10)
    _para(doc, report.intro)
    _heading(doc, report.t("report.h_general"))
    for sentence in report.headline:
        _para(doc, f"- {sentence}.")
    for line in report.group_lines:
        _para(doc, f"- {line}")
    _para(doc, f"- {report.explanations_summary}")

    wide = doc.add_section(WD_SECTION.NEW_PAGE)
    _layout(wide, landscape=True)
    _heading(doc, report.t("report.h_groups"))
    _para(doc, report.table_note, 12, italic=True, indent=False)
    for group in report.groups:
        _heading(doc, group.heading, after=3)
        _para(doc, group.sentences + ".", after=4)
        _group_table(doc, report, group)
        _para(doc, "", after=4)

    tall = doc.add_section(WD_SECTION.NEW_PAGE)
    _layout(tall, landscape=False)
    _heading(doc, report.t("report.h_keys"))
    _para(doc, report.keys_note)
    for n, item in enumerate(report.keys, start=1):
        _heading(doc, report.t("report.key_heading", n=n, name=item.name), after=2)
        _para(doc, report.t("report.key_facts", code=item.code, owner=item.owner, status=item.status), 13,
              italic=True, after=2)  # fmt: skip
        _para(doc, item.sentence)
        facts = "; ".join(f"{label}: {text}" for label, text in item.facts)
        _para(doc, facts + ".", 13)
        if item.chart:
            picture = _para(doc, align=center, indent=False)
            picture.add_run().add_picture(io.BytesIO(item.chart), width=Mm(160))
        for asked in item.explanations:
            _para(doc, f"{asked.asked} {asked.answer}", 13, italic=True)
    _heading(doc, report.t("report.h_explanations"))
    _para(doc, report.explanations_summary)
    for asked in report.explanations:
        _heading(doc, asked.head, after=2)
        _para(doc, asked.asked, after=2)
        _para(doc, asked.answer)
    _para(doc, report.closing)
    _signature(doc, report)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


PAGE_BREAK = WD_BREAK.PAGE
