"""Downloads: charts as PNG/SVG rendered on the server, tables as CSV, XLSX and Parquet.

Charts go through vl-convert (no browser) with the shipped Vietnamese font, at
a fixed width when the chart is ``container``-wide on screen, so what is
exported is what was seen. Text cells a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, or a tab or carriage return) get a
leading apostrophe in CSV and XLSX (CONTRACT §3 and §4); numbers stay numbers.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
from typing import Any

import altair as alt
import polars as pl
import vl_convert

from dashboard import theme
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


def table_xlsx(df: pl.DataFrame, sheet_name: str = "Dữ liệu") -> bytes:
    """An Excel workbook: bold header, fitted column widths, numbers as numbers, formula-like text neutralised."""
    safe = safe_table(df)
    sheet = _sheet_name(sheet_name)
    buf = io.BytesIO()
    # polars writes through xlsxwriter; strings are written as strings, never as formulas
    safe.write_excel(
        buf,
        worksheet=sheet,
        header_format={"bold": True, "bg_color": "#F4F5F7", "bottom": 1, "text_wrap": True, "valign": "top"},
        autofit=True,
        freeze_panes=(1, 0),
        autofilter=bool(safe.width),
        dtype_formats={pl.Float64: "#,##0.####", pl.Float32: "#,##0.####"},
        float_precision=6,
        include_header=True,
        table_style=None,
    )
    return buf.getvalue()


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
