"""Downloads: charts as PNG/SVG rendered on the server, tables as CSV, XLSX and Parquet.

Charts go through vl-convert (no browser) with the shipped Vietnamese font, at
a fixed width when the chart is ``container``-wide on screen, so what is
exported is what was seen. Text cells a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, or a tab or carriage return) get a
leading apostrophe in CSV and XLSX (CONTRACT §3 and §4); numbers stay numbers.
"""

from __future__ import annotations

import copy
import datetime
import io
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import altair as alt
import polars as pl
import vl_convert

from dashboard import numbers, theme
from dashboard.sheets import Heading
from loaders.export import neutralise

EXPORT_WIDTH = 900  # CSS px: text stays legible when the image is scaled to an A4 text width
PNG_SCALE = 3.0  # pixels per CSS px: 2700 px wide, about 430 dpi across 16 cm
PNG_PPI = 300  # resolution written in the file, so a word processor places it at print size


# --- Charts -------------------------------------------------------------------------------------------


def export_spec(chart: alt.TopLevelMixin | dict[str, Any], width: int = EXPORT_WIDTH) -> dict[str, Any]:
    """The chart's Vega-Lite spec with a fixed width (``container`` has no meaning off screen)."""
    spec = copy.deepcopy(chart) if isinstance(chart, dict) else chart.to_dict()
    if spec.get("width") == "container":
        spec["width"] = width
        # the whole image, axes and legend included, is `width` wide
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    if spec.get("height") == "container":
        spec["height"] = theme.SIZES["screen"]["height"]
    return spec


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG from ``chart_svg`` to sit inside a page (CSS sizes it by its viewBox), its ids made unique by
    ``prefix`` so two charts on one page never take each other's gradients or clips."""
    svg = re.sub(r"<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", svg).replace('href="#', f'href="#{prefix}')


def chart_png(
    chart: alt.TopLevelMixin | dict[str, Any],
    scale: float = PNG_SCALE,
    width: int = EXPORT_WIDTH,
    ppi: float = PNG_PPI,
) -> bytes:
    """PNG at print resolution: ``width × scale`` pixels wide, tagged ``ppi`` dots per inch."""
    theme.register_fonts()
    # vl-convert multiplies pixels by scale × ppi / 72; keep the pixel count at width × scale
    return vl_convert.vegalite_to_png(export_spec(chart, width), scale=scale * 72 / ppi, ppi=ppi)


def chart_svg(chart: alt.TopLevelMixin | dict[str, Any], width: int = EXPORT_WIDTH) -> bytes:
    """SVG (UTF-8) with text kept as text, so the Vietnamese words stay searchable and crisp."""
    theme.register_fonts()
    return vl_convert.vegalite_to_svg(export_spec(chart, width)).encode("utf-8")


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --- Tables -------------------------------------------------------------------------------------------


def safe_table(df: pl.DataFrame) -> pl.DataFrame:
    """Text columns with formula-like cells neutralised (``loaders.export.neutralise``, the one rule for every
    export); nested values written as text; other columns untouched."""
    exprs = []
    for name, dtype in df.schema.items():
        if dtype == pl.Utf8 or dtype == pl.Categorical or dtype == pl.Enum:
            exprs.append(pl.col(name).cast(pl.Utf8))
        elif isinstance(dtype, pl.List | pl.Array):
            # nested values have no cell form: "[1.0, 2.0]"
            items = pl.col(name).cast(pl.List(pl.Utf8)).list.join(", ")
            exprs.append((pl.lit("[") + items + pl.lit("]")).alias(name))
        elif isinstance(dtype, pl.Struct):
            exprs.append(pl.col(name).struct.json_encode().alias(name))
        else:
            exprs.append(pl.col(name))
    return neutralise(df.select(exprs)) if exprs else df


def table_csv(df: pl.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel shows the diacritics; formula-like text neutralised."""
    buf = io.BytesIO()
    safe_table(df).write_csv(buf)
    return b"\xef\xbb\xbf" + buf.getvalue()


def table_xlsx(
    df: pl.DataFrame,
    sheet_name: str = "Dữ liệu",
    heading: Heading | None = None,
    kinds: Mapping[str, str] | None = None,
) -> bytes:
    """An Excel workbook a report writer can use as it comes.

    ``heading`` (``dashboard.sheets``): the title, code, unit, source, period, date of the data and demo mark,
    above the table. Then the table: a bold header, fitted column widths, frozen under the header, a filter;
    numbers stay numbers at full precision, shown as the pages show them: each figure with its own decimals
    (``numbers.decimals``: 65.908, 7.874,4, 1,04), percentages of plan and changes in percent with one
    (``kinds``: a column's kind from ``dashboard.tables``: ``percent``, ``change``, ``count``, ``number``).
    Excel writes the separators of the reader's own settings (1.234,5 on a Vietnamese Windows). Text a
    spreadsheet would run as a formula is neutralised; text is never written as a formula.
    """
    import xlsxwriter

    safe = safe_table(df)
    kinds = dict(kinds or {})
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(_sheet_name(sheet_name))
    title_fmt = book.add_format({"bold": True, "font_size": 14})
    line_fmt = book.add_format({"font_color": "#3d4550"})
    demo_fmt = book.add_format({"italic": True, "font_color": "#7a4d00"})
    head_fmt = book.add_format({"bold": True, "bg_color": "#F4F5F7", "bottom": 1, "text_wrap": True, "valign": "top"})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    time_fmt = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    number_fmts: dict[int, Any] = {}

    def number_fmt(places: int) -> Any:
        if places not in number_fmts:
            code = "#,##0" + ("." + "0" * places if places else "")
            number_fmts[places] = book.add_format({"num_format": code})
        return number_fmts[places]

    row = 0
    if heading is not None:  # the header block; its text runs across the empty cells to its right
        if heading.title:
            sheet.write_string(row, 0, heading.title, title_fmt)
            row += 1
        for label, value in heading.lines:
            sheet.write_string(row, 0, f"{label}: {value}", line_fmt)
            row += 1
        if heading.demo:
            sheet.write_string(row, 0, heading.demo, demo_fmt)
            row += 1
        row += 1
    top = row
    for col, name in enumerate(safe.columns):
        sheet.write_string(top, col, name, head_fmt)
    widths = [_cell_width(name) for name in safe.columns]
    for r, record in enumerate(safe.iter_rows(), start=top + 1):
        for col, (name, value) in enumerate(zip(safe.columns, record, strict=True)):
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, int | float):
                places = _places(value, kinds.get(name))
                sheet.write_number(r, col, value, number_fmt(places))
                shown = f"{abs(value):,.{places}f}" + ("-" if value < 0 else "")
                widths[col] = max(widths[col], len(shown) + 1)
                continue
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(r, col, value.replace(tzinfo=None), time_fmt)
                widths[col] = max(widths[col], 17)
                continue
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, col, datetime.datetime.combine(value, datetime.time()), date_fmt)
                widths[col] = max(widths[col], 11)
                continue
            else:
                sheet.write_string(r, col, str(value))
            widths[col] = max(widths[col], _cell_width(str(value)))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width, 60))
    sheet.freeze_panes(top + 1, 0)
    if safe.width:
        sheet.autofilter(top, 0, top + max(safe.height, 1), safe.width - 1)
    book.close()
    return buf.getvalue()


def _places(value: float, kind: str | None) -> int:
    """Decimals a number shows with, as the pages write it: percentages of plan and changes one, counts none,
    any other figure its own (``numbers.decimals``)."""
    if kind in ("percent", "change"):
        return 1
    if kind == "count" or isinstance(value, int):
        return 0
    return numbers.decimals(value)


def _cell_width(text: str) -> float:
    # Excel's width unit is about one digit; capitals and Vietnamese letters with marks run a little wider
    return max(6.0, len(text) * 1.1 + 2)


def table_parquet(df: pl.DataFrame) -> bytes:
    """Parquet (zstd): typed and exact, for analysts; no neutralising needed."""
    buf = io.BytesIO()
    df.write_parquet(buf, compression="zstd")
    return buf.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", name or "").strip().strip("'") or "Sheet1"
    return cleaned[:31]


# --- File names ---------------------------------------------------------------------------------------------


def ascii_slug(text: str | None) -> str:
    """ASCII letters, digits, dot and hyphen only: ``Tỷ lệ hộ nghèo`` -> ``ty-le-ho-ngheo``."""
    plain = unicodedata.normalize("NFD", str(text or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9.]+", "-", plain).strip("-.").lower()


def export_name(code: str | None, period: str | None, ext: str) -> str:
    """A safe download name: ``export_name("GRDP_GROWTH", "2025-Q3", "png")`` -> ``grdp-growth_2025-q3.png``."""
    parts = [p for p in (ascii_slug(code), ascii_slug(period)) if p]
    stem = "_".join(parts) or "export"
    ext = ascii_slug(ext).lstrip(".") or "bin"
    return f"{stem[:120]}.{ext}"
