"""The report pack on the demo: DOCX (A4, Decree 30 margins, Times New Roman, page numbers from page 2), PDF (A4,
fonts embedded, Vietnamese text extractable, pages rendered), PPTX (16:9, a slide per indicator), all reading as the
pages do (dashboard.figures), with the explanation asked and answered; the command line."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import date, datetime

import polars as pl
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from pptx import Presentation

import reports
import settings
from auth.accounts import get_account
from dashboard import figures
from db import queries
from loaders import explanations as write
from reports import content
from rules import evaluate, tally

TODAY = date(2026, 11, 26)
NOTE = "Đề nghị làm rõ nguyên nhân vốn DDI quý III giảm so với quý II"
ANSWER = "Sở Tài chính giải trình: hai dự án lớn lùi sang quý IV; dự kiến cả năm đạt 95 % kế hoạch."
CHARTS = 2
MM = Mm(1)


def _tie(text: str) -> str:
    return text.replace(" %", "\u00a0%")


@pytest.fixture(scope="module")
def asked_db(demo_db, tmp_path_factory):
    """The demo with one explanation asked by the leader and answered by the owner (STC)."""
    copy = tmp_path_factory.mktemp("report") / "indicators.duckdb"
    shutil.copyfile(demo_db, copy)
    made = write.ask(copy, get_account(copy, "lanhdao"), "IN-05", "2026-Q3", NOTE, date(2026, 12, 3),
                     datetime(2026, 11, 26, 9))  # fmt: skip
    write.answer(copy, get_account(copy, "stc"), made.id, ANSWER, datetime(2026, 11, 26, 15))
    return copy


@pytest.fixture(scope="module")
def latest(asked_db):
    return evaluate.latest(queries.load_store(asked_db), TODAY)


@pytest.fixture(scope="module")
def docx_doc(asked_db):
    return Document(io.BytesIO(reports.render("docx", asked_db, TODAY, charts=CHARTS)))


@pytest.fixture(scope="module")
def pdf_file(asked_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(reports.render("pdf", asked_db, TODAY, charts=CHARTS))
    return path


def _between(value, low_mm: float, high_mm: float) -> bool:
    return low_mm * MM - MM / 2 <= value <= high_mm * MM + MM / 2


def _body_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return unicodedata.normalize("NFC", "\n".join(parts))


# --------------------------------------------------------------------------- DOCX


def test_the_docx_is_a4_with_decree_30_margins_and_landscape_pages_for_the_tables(docx_doc):
    sections = docx_doc.sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    for s in sections:
        short, long = sorted((s.page_width, s.page_height))
        assert _between(short, 210, 210) and _between(long, 297, 297)  # A4 either way
        if s.orientation == WD_ORIENT.PORTRAIT:
            assert _between(s.top_margin, 20, 25) and _between(s.bottom_margin, 20, 25)
            assert _between(s.left_margin, 30, 35) and _between(s.right_margin, 15, 20)
        else:  # turned: the binding edge (30–35 mm) is at the top
            assert _between(s.top_margin, 30, 35) and _between(s.bottom_margin, 15, 25)
            assert _between(s.left_margin, 15, 25) and _between(s.right_margin, 15, 25)


def test_the_docx_is_in_times_new_roman_13_to_14_and_numbers_pages_from_the_second(docx_doc):
    normal = docx_doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{a}") for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    body = [r for p in docx_doc.paragraphs for r in p.runs if r.text.strip()]
    assert body and all(r.font.name == "Times New Roman" for r in body)
    assert all(13 <= r.font.size.pt <= 14 for r in body if r.font.size is not None and r.font.size.pt > 12)
    intro = next(p for p in docx_doc.paragraphs if p.text.startswith("Căn cứ số liệu"))
    assert {r.font.size.pt for r in intro.runs} == {14}
    first = docx_doc.sections[0]
    assert first.different_first_page_header_footer
    assert "PAGE" in first.header._element.xml and "PAGE" not in first.first_page_header._element.xml
    assert all(s.header.is_linked_to_previous for s in docx_doc.sections[1:])  # every later page numbered


def test_the_docx_has_the_administrative_header_and_reads_as_the_pages(docx_doc, latest):
    text = _body_text(docx_doc)
    for line in ("ỦY BAN NHÂN DÂN", "TỈNH BẮC NINH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Số:", "/BC-UBND", "Bắc Ninh, ngày 26 tháng 11 năm 2026", "BÁO CÁO",
                 "Tình hình thực hiện bộ chỉ số chỉ đạo, điều hành tháng 11 năm 2026",
                 "DỮ LIỆU MINH HOẠ (DEMO)", "số liệu tính đến ngày 23/11/2026"):  # fmt: skip
        assert line in text, line
    tables = [t for t in docx_doc.tables if t.rows[0].cells[0].text == "TT"]
    assert len(tables) == 5
    shown = {}
    for table in tables:
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            shown[cells[1]] = cells
    assert len(shown) == latest.height == 74
    for row in latest.iter_rows(named=True):
        f = figures.of(row, "vi")
        cells = shown[figures.name(row, "vi")]
        assert cells[2:7] == [f.period, _tie(f.value), _tie(f.pct_of_plan), _tie(f.vs_last_year), f.status]
    assert NOTE in text and ANSWER in text


def test_charts_only_for_the_key_indicators_capped(docx_doc, latest):
    pictures = docx_doc.inline_shapes
    assert len(pictures) == min(CHARTS, tally.warnings(latest).height) == CHARTS
    assert pictures[0].width == Mm(160)


# --------------------------------------------------------------------------- PDF


def _tool(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_the_pdf_pages_are_a4_fonts_embedded_and_the_vietnamese_text_extractable(pdf_file, latest):
    info = _tool("pdfinfo", str(pdf_file)).splitlines()
    pages = int(next(line for line in info if line.startswith("Pages:")).split()[1])
    listed = _tool("pdfinfo", "-f", "1", "-l", str(pages), str(pdf_file)).splitlines()
    sizes = [line for line in listed if re.match(r"Page\s+\d+ size:", line)]
    assert len(sizes) == pages > 5
    assert all("595.276 x 841.89" in s or "841.89 x 595.276" in s for s in sizes)
    assert any("841.89 x 595.276" in s for s in sizes)  # the landscape pages of the group tables
    fonts = _tool("pdffonts", str(pdf_file)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # emb
    assert all("LiberationSerif" in line for line in fonts)
    text = unicodedata.normalize("NFC", _tool("pdftotext", str(pdf_file), "-"))
    flat = " ".join(text.split())
    for line in ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO",
                 "Bắc Ninh, ngày 26 tháng 11 năm 2026", "ĐỀ NGHỊ GIẢI TRÌNH"):  # fmt: skip
        assert line in flat, line
    assert " ".join(ANSWER.split()) in flat.replace("\u00a0", " ")
    first_warning = tally.warnings(latest).row(0, named=True)  # its heading in section III, one line
    assert figures.name(first_warning, "vi") in flat and figures.sentence(first_warning, "vi") in flat.replace(
        "\u00a0", " "
    )
    first, second = (_tool("pdftotext", "-f", str(n), "-l", str(n), str(pdf_file), "-").strip() for n in (1, 2))
    assert not first.splitlines()[0].strip().isdigit()  # no number on the first page
    assert second.splitlines()[0].strip() == "2"


def test_the_pdf_renders_to_images(pdf_file, tmp_path):
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "2", str(pdf_file), str(tmp_path / "p")], check=True
    )
    first = (tmp_path / "p-01.png").read_bytes()
    from dashboard.export import png_size

    width, height = png_size(first)
    assert abs(height / width - 297 / 210) < 0.01


# --------------------------------------------------------------------------- PPTX


def test_the_deck_is_16_9_with_a_slide_per_indicator_as_on_present(asked_db, latest):
    deck = Presentation(io.BytesIO(reports.render("pptx", asked_db, TODAY, group="input", charts=1)))
    assert deck.slide_width * 9 == deck.slide_height * 16
    rows = latest.filter(pl.col("group") == "input")
    assert len(deck.slides) == 2 + rows.height
    for slide, row in zip(list(deck.slides)[2:], rows.iter_rows(named=True), strict=True):
        text = " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        f = figures.of(row, "vi")
        assert figures.name(row, "vi") in text and f.status in text and f.period in text
        for label, value in content.present.panel_facts(row, "vi"):
            assert f"{label}: {_tie(value)}" in text
        charts = [s for s in slide.shapes if s.shape_type == 13 or s.has_chart]  # a picture or an editable chart
        assert len(charts) == 1 or row["value"] is None
    asked = next(s for s in deck.slides if any(sh.has_text_frame and "IN-05" in sh.text_frame.text for sh in s.shapes))
    words = " ".join(sh.text_frame.text for sh in asked.shapes if sh.has_text_frame)
    assert "Giải trình (Quý III/2026): Sở Tài chính giải trình" in words


# --------------------------------------------------------------------------- English, periods, scope


def test_the_english_report(asked_db, latest):
    doc = Document(io.BytesIO(reports.render("docx", asked_db, TODAY, group="composite", lang="en", charts=0)))
    text = _body_text(doc)
    assert "SOCIALIST REPUBLIC OF VIET NAM" in text and "REPORT" in text and "Bắc Ninh, 26 November 2026" in text
    for row in latest.filter(pl.col("group") == "composite").iter_rows(named=True):
        assert figures.name(row, "en") in text and _tie(figures.of(row, "en").value) in text


def test_a_past_quarter_stands_on_its_own_values(asked_db):
    report = content.build(asked_db, TODAY, period="2026-Q3", department="STC", charts=0)
    assert report.subject.endswith("quý III năm 2026") and "Sở Tài chính" in report.subject
    assert report.judged_on == date(2026, 9, 30)
    periods = {line.period for g in report.groups for line in g.lines}
    assert "Tháng 10/2026" not in periods and "Tháng 9/2026" in periods


def test_the_report_imports_no_streamlit():
    code = "import sys, reports.content, reports.word, reports.pdf, reports.deck; print('streamlit' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=settings.ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# --------------------------------------------------------------------------- the command line


def _cli(*args: str, db=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "INDICATORS_TODAY": TODAY.isoformat()}
    if db is not None:
        env["INDICATORS_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "loaders", "report", *args], cwd=settings.ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip


def test_the_command_line_writes_the_pack(asked_db, tmp_path):
    out = tmp_path / "bc.pdf"
    done = _cli("--group", "composite", "--format", "pdf", "--out", str(out), "--charts", "0", db=asked_db)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:5] == b"%PDF-" and "Đã ghi báo cáo" in done.stdout
    out = tmp_path / "q3.docx"
    done = _cli("--period", "2026-Q3", "--department", "stc", "--format", "docx", "--out", str(out), db=asked_db)
    assert done.returncode == 0, done.stderr
    assert "quý III năm 2026" in _body_text(Document(str(out)))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--format", "docx", "--out", "x.pdf"), "đuôi .docx"),
        (("--format", "pdf", "--out", "x.pdf", "--period", "2026-12"), "không ở tương lai"),
        (("--format", "pdf", "--out", "x.pdf", "--group", "money"), "Không có nhóm"),
        (("--format", "pdf", "--out", "x.pdf", "--department", "XYZ"), "Không có nhóm hoặc sở, ngành 'XYZ'"),
        (("--format", "pdf", "--out", "x.pdf", "--group", "input", "--department", "STC"), "Tham số không hợp lệ"),
        (("--format", "odt", "--out", "x.odt"), "Tham số không hợp lệ"),
    ],
)
def test_usage_errors_in_words_exit_2_and_write_nothing(asked_db, tmp_path, args, words):
    args = tuple(str(tmp_path / a) if a.startswith("x.") else a for a in args)
    done = _cli(*args, db=asked_db)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())


def test_a_missing_database_is_said_and_nothing_is_created(tmp_path):
    missing = tmp_path / "none.duckdb"
    done = _cli("--format", "pdf", "--out", str(tmp_path / "r.pdf"), db=missing)
    assert done.returncode == 1 and "Chưa có cơ sở dữ liệu" in done.stderr
    assert not list(tmp_path.iterdir())
