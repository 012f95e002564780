"""Exports: PNG/SVG through vl-convert with the shipped font, CSV/XLSX/Parquet tables, file names."""

from __future__ import annotations

import io
import struct
import unicodedata
import zlib
from datetime import date

import openpyxl
import polars as pl
import pytest

import settings
from dashboard import charts, export, theme

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VIETNAMESE = "ĂÂĐÊÔƠƯăâđêôơư" + "".join(
    unicodedata.normalize("NFC", base + tone)
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
    for tone in ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
)


def _history_chart(title: str = "Tỷ lệ hộ nghèo") -> object:
    df = pl.DataFrame(
        {
            "period": ["2025-01", "2025-02", "2025-03"],
            "period_label": ["Tháng 1/2025", "Tháng 2/2025", "Tháng 3/2025"],
            "value": [5.2, 4.9, 4.6],
            "target": [5.0, 5.0, 5.0],
        }
    )
    text = charts.chart_text(
        title, "vi", unit="%", period="Quý I/2025", source="Sở Nông nghiệp và Môi trường", as_of=date(2025, 4, 14)
    )
    return charts.history_chart(df, text, direction="down")


def _png_chunks(png: bytes) -> dict[bytes, bytes]:
    chunks, pos = {}, 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        chunks.setdefault(kind, png[pos + 8 : pos + 8 + length])
        pos += 12 + length
    return chunks


def _cmap(path) -> set[int]:
    """Code points a TrueType font maps (cmap formats 4 and 12): enough to check coverage without fontTools."""
    data = path.read_bytes()
    num_tables = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(num_tables):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        tables[tag] = (offset, length)
    base = tables[b"cmap"][0]
    n = struct.unpack(">H", data[base + 2 : base + 4])[0]
    points: set[int] = set()
    for i in range(n):
        platform, encoding, sub = struct.unpack(">HHI", data[base + 4 + 8 * i : base + 12 + 8 * i])
        at = base + sub
        fmt = struct.unpack(">H", data[at : at + 2])[0]
        if fmt == 4:
            segs = struct.unpack(">H", data[at + 6 : at + 8])[0] // 2
            ends = struct.unpack(f">{segs}H", data[at + 14 : at + 14 + 2 * segs])
            starts = struct.unpack(f">{segs}H", data[at + 16 + 2 * segs : at + 16 + 4 * segs])
            for start, end in zip(starts, ends, strict=True):
                points.update(range(start, end + 1))
        elif fmt == 12:
            groups = struct.unpack(">I", data[at + 12 : at + 16])[0]
            for g in range(groups):
                start, end, _ = struct.unpack(">III", data[at + 16 + 12 * g : at + 28 + 12 * g])
                points.update(range(start, end + 1))
    return points


# --- the font ----------------------------------------------------------------------------------------


def test_the_shipped_font_covers_vietnamese():
    fonts = sorted(settings.FONT_DIR.glob("*.ttf"))
    assert {f.name for f in fonts} >= {"BeVietnamPro-Regular.ttf", "BeVietnamPro-SemiBold.ttf"}
    assert (settings.FONT_DIR / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1
    for font in fonts:
        covered = _cmap(font)
        missing = [ch for ch in VIETNAMESE + "₫–−·%" if ord(ch) not in covered]
        assert missing == [], f"{font.name} lacks {missing}"


def test_fonts_register_once():
    assert theme.register_fonts() is True
    assert theme.register_fonts() is True


def _text_png(text: str, font: str) -> bytes:
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": 200,
        "height": 60,
        "data": {"values": [{"t": text}]},
        "mark": {"type": "text", "fontSize": 40, "font": font},
        "encoding": {"text": {"field": "t"}},
        "config": {"view": {"stroke": None}},
    }
    return export.chart_png(spec, scale=1, width=200)


def test_png_is_drawn_with_the_shipped_font():
    # if Be Vietnam Pro were not registered, it would fall back to the same font as an unknown family
    ours = _text_png("Tỷ lệ", theme.FONT)
    assert ours != _text_png("Tỷ lệ", "No Such Font Family")
    assert ours != _text_png("Tỷ lệ", "DejaVu Sans")


def test_png_draws_each_diacritic():
    # letters that differ only by their marks must give different pictures (a missing glyph draws the same box)
    pictures = {_text_png(ch, theme.FONT) for ch in ("e", "ê", "ề", "ể", "ễ", "ế", "ệ", "đ", "ư", "ơ")}
    assert len(pictures) == 10


# --- PNG and SVG ---------------------------------------------------------------------------------------


def test_chart_png_at_print_resolution():
    png = export.chart_png(_history_chart())
    assert png[:8] == PNG_SIGNATURE
    width, height = export.png_size(png)
    assert width == pytest.approx(export.EXPORT_WIDTH * export.PNG_SCALE, abs=2)
    assert height > 200 * export.PNG_SCALE
    phys = _png_chunks(png)[b"pHYs"]
    x_ppm, y_ppm, unit = struct.unpack(">IIB", phys)
    assert unit == 1 and round(x_ppm * 0.0254) == export.PNG_PPI == 300
    # the picture is not blank: it compresses to far more than an empty canvas would
    assert len(zlib.compress(png)) > 20_000


def test_chart_png_scale_and_width():
    png = export.chart_png(_history_chart(), scale=1, width=600)
    assert export.png_size(png)[0] == pytest.approx(600, abs=2)


def test_svg_keeps_the_vietnamese_text():
    svg = export.chart_svg(_history_chart()).decode("utf-8")
    assert svg.startswith("<svg")
    for text in ("Tỷ lệ hộ nghèo", "Đơn vị: %", "Nguồn: Sở Nông nghiệp và Môi trường", "Số liệu tính đến 14/04/2025"):
        assert text in svg
    assert "Tháng 1/2025" in svg
    assert theme.FONT in svg
    assert 'width="900"' in svg  # the export width replaces "container"


def test_svg_axis_numbers_use_the_vietnamese_locale():
    df = pl.DataFrame({"name": ["A", "B"], "value": [1500.5, 2500.25], "locality_code": ["1", "2"]})
    svg = export.chart_svg(charts.commune_bars(df, charts.chart_text("Thu ngân sách", "vi"))).decode()
    assert "2.500,3" in svg  # bar label
    assert "1.000" in svg  # axis tick with a thousands dot


def test_export_spec_keeps_fixed_widths():
    spec = export.export_spec({"width": 500, "mark": "point"})
    assert spec["width"] == 500 and "autosize" not in spec
    spec = export.export_spec({"width": "container", "mark": "point"}, width=700)
    assert spec["width"] == 700 and spec["autosize"]["type"] == "fit-x"


def test_png_size_rejects_other_files():
    with pytest.raises(ValueError):
        export.png_size(b"GIF89a....................")


@pytest.mark.parametrize(
    "build",
    [
        lambda: _history_chart(),
        lambda: charts.slide_chart(pl.DataFrame(), charts.chart_text("Trống", "vi")),
        lambda: charts.status_by_group_chart(
            pl.DataFrame({"group": ["input"], "status": ["on_track"], "count": [3]}), charts.chart_text("Nhóm", "vi")
        ),
    ],
)
def test_builders_render(build):
    png = export.chart_png(build(), scale=1)
    assert png[:8] == PNG_SIGNATURE


# --- tables -------------------------------------------------------------------------------------------


def _table() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_code": ["PO_01", '=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "ok"],
            "name": ["Tỷ lệ hộ nghèo", "Đường giao thông", "Ước thực hiện", "a-b", " =not first", None],
            "value": [4.6, -2.0, 1234.5, None, 0.0, 7.0],
            "count": [1, -5, 3, 4, 5, 6],
        }
    )


def test_csv_has_a_bom_and_neutralised_text():
    data = export.table_csv(_table())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "indicator_code,name,value,count"
    assert "Tỷ lệ hộ nghèo" in text and "Đường giao thông" in text
    back = pl.read_csv(io.BytesIO(data))
    assert back["indicator_code"].to_list() == [
        "PO_01",
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "ok",
    ]
    assert back["name"].to_list()[3:5] == ["a-b", " =not first"]  # only a leading sign counts
    assert back["value"].to_list() == [4.6, -2.0, 1234.5, None, 0.0, 7.0]  # numbers stay numbers, negatives too
    assert back["count"].to_list() == [1, -5, 3, 4, 5, 6]


def test_xlsx_reads_back_with_types_and_diacritics():
    data = export.table_xlsx(_table(), "Chỉ số: T9/2025")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws.title == "Chỉ số  T9 2025"  # ':' and '/' are not allowed in a sheet name
    header = [c.value for c in ws[1]]
    assert header == ["indicator_code", "name", "value", "count"]
    assert all(c.font.b for c in ws[1])
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("PO_01", "Tỷ lệ hộ nghèo", 4.6, 1)
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert [r[0] for r in rows[2:5]] == ["'+1", "'-2", "'@SUM(A1)"]
    assert rows[1][2] == -2.0 and rows[1][3] == -5  # numbers stay numbers
    assert rows[3][2] is None
    cells = list(ws.iter_rows(min_row=2))
    assert all(row[0].data_type == "s" for row in cells)  # text, never a formula
    assert all(row[2].data_type == "n" for row in cells if row[2].value is not None)
    assert ws.column_dimensions["B"].width > 8  # fitted to the text


def test_xlsx_of_an_empty_frame():
    data = export.table_xlsx(pl.DataFrame({"a": [], "b": []}, schema={"a": pl.Utf8, "b": pl.Float64}))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == ["a", "b"]
    assert ws.title == "Dữ liệu"


def test_nested_columns_are_written_as_text():
    df = pl.DataFrame({"code": ["A"], "spark": [[1.0, 2.0]]})
    back = pl.read_csv(io.BytesIO(export.table_csv(df)))
    assert back["spark"][0].startswith("[")


def test_parquet_round_trip():
    df = _table()
    assert pl.read_parquet(io.BytesIO(export.table_parquet(df))).equals(df)


# --- file names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "period", "ext", "name"),
    [
        ("GRDP_GROWTH", "2025-Q3", "png", "grdp-growth_2025-q3.png"),
        ("Tỷ lệ hộ nghèo", "Tháng 9/2025", ".xlsx", "ty-le-ho-ngheo_thang-9-2025.xlsx"),
        ("ĐƯỜNG", None, "csv", "duong.csv"),
        ("../../etc/passwd", "", "svg", "etc-passwd.svg"),
        (None, None, "png", "export.png"),
    ],
)
def test_export_name_is_ascii_safe(code, period, ext, name):
    got = export.export_name(code, period, ext)
    assert got == name
    assert got.isascii() and "/" not in got and " " not in got
