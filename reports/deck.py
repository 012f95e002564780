"""The working session's deck (python-pptx), 16:9, mirroring ``/present``: a title slide, the overview, then one
slide per indicator with its name, the owner and frequency, the period, the big value, the status, the figures
that judge it, its chart (the slide's, for the key indicators) and its summary sentence, and the explanation asked
for its period with the answer.

Text is Arial: the meeting room's computer has it, with every Vietnamese letter (the dashboard's Be Vietnam Pro
may be missing there, and PowerPoint would substitute it silently). Everything stays editable.
"""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from dashboard.export import png_size
from reports.content import Indicator, Report
from reports.style import STATUS_DOT, STATUS_INK, STATUS_TINT

WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in: 16:9 exactly
FONT = "Arial"
INK = RGBColor(0x1F, 0x23, 0x28)
MUTED = RGBColor(0x5B, 0x65, 0x73)
MARGIN = Inches(0.5)


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _text(slide, left, top, width, height, text, size, bold=False, color=INK, align=PP_ALIGN.LEFT, wrap=True):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = wrap
    frame.margin_left = frame.margin_right = Emu(0)
    frame.vertical_anchor = MSO_ANCHOR.TOP
    lines = text.split("\n") if text else [""]
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        run.font.name = FONT
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = color
    return box


def _top_line(slide, report: Report, context: str) -> None:
    line = " · ".join(x for x in (context, report.footer) if x)
    _text(slide, MARGIN, Inches(0.2), WIDTH - 2 * MARGIN, Inches(0.35), line, 12, color=MUTED)


def _title_slide(prs, report: Report) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, MARGIN, Inches(0.6), WIDTH - 2 * MARGIN, Inches(0.5), f"{report.org[0]} {report.org[1]}", 18,
          bold=True, color=MUTED)  # fmt: skip
    _text(slide, MARGIN, Inches(2.2), WIDTH - 2 * MARGIN, Inches(1.0), report.t("report.deck_title"), 40, bold=True)
    _text(slide, MARGIN, Inches(3.3), WIDTH - 2 * MARGIN, Inches(1.4), report.subject, 26, color=MUTED)
    _text(slide, MARGIN, Inches(5.2), WIDTH - 2 * MARGIN, Inches(0.5), report.footer, 18, color=MUTED)
    if report.demo_note:
        _text(slide, MARGIN, Inches(6.2), WIDTH - 2 * MARGIN, Inches(0.8), report.demo_note, 16, bold=True,
              color=_rgb(STATUS_INK["at_risk"]))  # fmt: skip


def _overview_slide(prs, report: Report) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _top_line(slide, report, report.subject)
    _text(slide, MARGIN, Inches(0.7), WIDTH - 2 * MARGIN, Inches(0.8), report.t("report.deck_overview"), 36, bold=True)
    lines = [f"{s}." for s in report.headline] + [report.explanations_summary]
    _text(slide, MARGIN, Inches(1.7), WIDTH - 2 * MARGIN, Inches(5.3), "\n".join(lines), 24)


def _pill(slide, left, top, item: Indicator) -> None:
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, Inches(3.9), Inches(0.6))
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(STATUS_TINT.get(item.status_code, STATUS_TINT["no_data"]))
    shape.line.color.rgb = _rgb(STATUS_DOT.get(item.status_code, STATUS_DOT["no_data"]))
    frame = shape.text_frame
    frame.margin_left = Inches(0.15)
    run = frame.paragraphs[0].add_run()
    run.text = f"● {item.status}"
    run.font.name = FONT
    run.font.size = Pt(22)
    run.font.bold = True
    run.font.color.rgb = _rgb(STATUS_INK.get(item.status_code, STATUS_INK["no_data"]))


def _indicator_slide(prs, report: Report, item: Indicator, n: int, total: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _top_line(slide, report, f"{report.subject} · {n}/{total}")
    _text(slide, MARGIN, Inches(0.55), WIDTH - 2 * MARGIN, Inches(0.75), item.name, 32, bold=True)
    _text(slide, MARGIN, Inches(1.3), WIDTH - 2 * MARGIN, Inches(0.4), item.subtitle, 16, color=MUTED)
    panel_left = Inches(8.85)
    panel_width = WIDTH - panel_left - MARGIN
    top = Inches(1.85)
    if item.chart:  # fitted into 8.1 × 4.45 in, above the sentence
        w, h = png_size(item.chart)
        scale = min(Inches(8.1) / w, Inches(4.45) / h)
        slide.shapes.add_picture(io.BytesIO(item.chart), MARGIN, top, width=int(w * scale), height=int(h * scale))
    elif item.points:
        _native_chart(slide, item, MARGIN, top, Inches(8.1), Inches(4.4))
    else:
        _text(slide, MARGIN, Inches(3.6), Inches(7.8), Inches(1.0), report.t("report.deck_no_chart"), 16, color=MUTED)
    _text(slide, panel_left, top, panel_width, Inches(0.4), item.period, 18, color=MUTED)
    box = _text(slide, panel_left, top + Inches(0.4), panel_width, Inches(0.9), item.number, 40 if len(item.number) < 9
                else 32, bold=True)  # fmt: skip
    if item.unit:
        run = box.text_frame.paragraphs[0].add_run()
        run.text = f" {item.unit}"
        run.font.name, run.font.size, run.font.color.rgb = FONT, Pt(20), MUTED
    _pill(slide, panel_left, top + Inches(1.35), item)
    facts = "\n".join(f"{label}: {text}" for label, text in item.facts)
    _text(slide, panel_left, top + Inches(2.1), panel_width, Inches(2.4), facts, 15)
    if item.slide_line:  # the explanation asked for this period and its answer, as /present shows it
        _text(slide, panel_left, Inches(5.75), panel_width, Inches(1.2), item.slide_line, 13,
              color=_rgb(STATUS_INK["at_risk"]))  # fmt: skip
    _text(slide, MARGIN, Inches(6.45), Inches(8.1), Inches(0.9), item.sentence, 17)


def _native_chart(slide, item: Indicator, left, top, width, height) -> None:
    """The slide chart's values as an editable PowerPoint chart (bars for a flow's own amounts, else a line), for
    the indicators whose chart was not rendered."""
    data = CategoryChartData()
    data.categories = [label for label, _ in item.points]
    data.add_series(item.name, [value for _, value in item.points])
    kind = XL_CHART_TYPE.COLUMN_CLUSTERED if item.mark == "bar" else XL_CHART_TYPE.LINE_MARKERS
    chart = slide.shapes.add_chart(kind, left, top, width, height, data).chart
    chart.has_legend = False
    chart.has_title = False  # the slide's title names it
    chart.font.name, chart.font.size = FONT, Pt(12)
    plot = chart.plots[0]
    series = plot.series[0]
    if item.mark == "bar":
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _rgb("#1F5C99")
    else:
        series.format.line.color.rgb = _rgb("#1F5C99")
        series.format.line.width = Pt(2.5)
        series.smooth = False
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = _rgb("#E3E7EC")
    chart.value_axis.tick_labels.font.size = Pt(11)
    chart.value_axis.tick_labels.number_format = "#,##0.##"  # grouped as the viewer's Office writes numbers
    chart.value_axis.tick_labels.number_format_is_linked = False
    chart.category_axis.tick_labels.font.size = Pt(10)


def write(report: Report) -> bytes:
    """The deck as a .pptx file's bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = report.subject
    prs.core_properties.language = report.lang
    _title_slide(prs, report)
    _overview_slide(prs, report)
    for n, item in enumerate(report.slides, start=1):
        _indicator_slide(prs, report, item, n, len(report.slides))
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
