"""The files offices really send (CONTRACT §3, issue 9): .xls, .ods, Windows-1258 and UTF-16 text, the data sheet
wherever it is; the files we refuse, each with what was found and how to save it; and file names that are paths,
never patterns (issue 12).

Every accepted file is stored through ``submit_file`` and its notes read back from the database, compared
character by character with what was written: every Vietnamese letter must arrive intact.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from office_files import VI_ALL, cp1258, encrypted_workbook, write_ods, write_xls, write_xlsx

import db
import settings
from loaders.errors import ReadError
from loaders.ingest import submit_file
from loaders.reading import read_submission

NOW = dt.datetime(2026, 11, 26, 10, 0)
HEADER_VI = ["Mã chỉ số", "Kỳ báo cáo", "Giá trị", "Ghi chú"]
# Notes with every Vietnamese letter, upper and lower case, and the words an office writes.
NOTES = [VI_ALL, "Ước thực hiện quý III, đã đối chiếu với Cục Thống kê tỉnh Bắc Ninh", "Số liệu chính thức"]
ROWS = [["FIN_REV", f"2025-0{i + 1}", 1000.5 + i, note] for i, note in enumerate(NOTES)]
INSTRUCTIONS = (
    "Hướng dẫn",
    [["HƯỚNG DẪN ĐIỀN MẪU"], ["Điền một dòng cho mỗi chỉ số, kỳ và địa bàn."], ["Giá trị: số"]],
)
DATA = ("Số liệu", [["BÁO CÁO SỐ LIỆU THÁNG"], [], HEADER_VI, *ROWS])  # a title and a blank row above the header


def stored_notes(path: Path, submission_id: int) -> dict[str, str]:
    with db.read(path) as con:
        rows = con.execute(
            "SELECT period, note FROM observations WHERE submission_id = ? ORDER BY period", [submission_id]
        ).fetchall()
    return dict(rows)


def accepted(path: Path, database: Path) -> dict[str, str]:
    result = submit_file(path, "FIN", db_path=database, now=NOW)
    assert result.status == "accepted", [e.message for e in result.errors]
    assert result.new_rows == len(ROWS)
    return stored_notes(database, result.submission_id)


def expect_every_letter(notes: dict[str, str]) -> None:
    """The stored notes equal what was written, character by character (NFC: one code point per letter)."""
    assert notes == {f"2025-0{i + 1}": note for i, note in enumerate(NOTES)}
    assert list(notes["2025-01"]) == list(VI_ALL)  # 134 letters, none decomposed, none replaced


# --------------------------------------------------------------------------- workbooks


@pytest.mark.parametrize("writer", [write_xls, write_ods, write_xlsx], ids=["xls", "ods", "xlsx"])
def test_a_workbook_with_an_instructions_sheet_first_is_accepted_with_every_letter(writer, tmp_path, catalogue_db):
    path = writer(tmp_path / f"bao_cao.{writer.__name__.removeprefix('write_')}", [INSTRUCTIONS, DATA])
    frame = read_submission(path)
    assert frame.sheet == "Số liệu"
    assert frame.data["row"].to_list() == [4, 5, 6]  # the sheet's own row numbers, below its title
    expect_every_letter(accepted(path, catalogue_db))


@pytest.mark.parametrize("writer", [write_xls, write_ods, write_xlsx], ids=["xls", "ods", "xlsx"])
def test_typed_cells_of_every_workbook_format(writer, tmp_path):
    rows = [
        HEADER_VI,
        ["FIN_REV", "2025-09", 1.234, "số thập phân, không phải một nghìn"],
        ["FIN_DISB", dt.date(2025, 9, 15), ("%", 0.125), None],
        ["FIN_REV", "Tháng 8/2025", "1.234,5", None],
    ]
    path = writer(tmp_path / f"s.{writer.__name__.removeprefix('write_')}", [("Sheet1", rows)])
    data = read_submission(path).data
    assert data["value"].to_list() == ["1.234", "12.5%", "1.234,5"]
    assert data["value__num"].to_list() == [1.234, None, None]  # a numeric cell is never ambiguous
    assert data["period"].to_list()[1] == "15/09/2025" and data["period__date"].to_list()[1] == dt.date(2025, 9, 15)


@pytest.mark.parametrize("writer", [write_xls, write_ods, write_xlsx], ids=["xls", "ods", "xlsx"])
def test_the_visible_sheet_is_chosen_over_a_hidden_one(writer, tmp_path):
    hidden = ("Bản cũ", [HEADER_VI, ["FIN_REV", "2025-01", 1, "cũ"]])
    shown = ("Bản mới", [HEADER_VI, ["FIN_REV", "2025-01", 2, "mới"]])
    ext = writer.__name__.removeprefix("write_")
    frame = read_submission(writer(tmp_path / f"a.{ext}", [hidden, shown], hidden=("Bản cũ",)))
    assert frame.sheet == "Bản mới" and frame.data["note"].to_list() == ["mới"]
    with pytest.raises(ReadError) as caught:  # the figures only on a hidden sheet: said, not loaded
        read_submission(writer(tmp_path / f"b.{ext}", [hidden, ("Trống", [["x"]])], hidden=("Bản cũ",)))
    [error] = caught.value.errors
    assert "'Bản cũ'" in error.message_vi and "ẩn" in error.message_vi and "hidden" in error.message_en


@pytest.mark.parametrize("writer", [write_xls, write_ods, write_xlsx], ids=["xls", "ods", "xlsx"])
def test_no_sheet_with_the_headers_names_the_sheets_searched(writer, tmp_path):
    path = writer(tmp_path / f"a.{writer.__name__.removeprefix('write_')}", [INSTRUCTIONS, ("Tóm tắt", [["Tổng"]])])
    with pytest.raises(ReadError) as caught:
        read_submission(path)
    messages = [e.message_vi for e in caught.value.errors]
    assert any("Thiếu cột bắt buộc 'Kỳ báo cáo'" in m for m in messages)
    assert any("'Hướng dẫn', 'Tóm tắt'" in m for m in messages)


# --------------------------------------------------------------------------- text files


def _text(rows: list[list[object]], separator: str) -> str:
    return "".join(separator.join(str(c) for c in row) + "\r\n" for row in [HEADER_VI, *rows])


def test_windows_1258_csv_as_excel_on_vietnamese_windows_saves_it(tmp_path, catalogue_db):
    rows = [[code, period, str(value).replace(".", ","), note] for code, period, value, note in ROWS]
    path = tmp_path / "bao_cao.csv"
    path.write_bytes(cp1258(_text(rows, ";")))  # Excel's "CSV" with Vietnamese regional settings: ';' and ','
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    expect_every_letter(accepted(path, catalogue_db))


def test_utf16_unicode_text_as_excel_saves_it(tmp_path, catalogue_db):
    path = tmp_path / "bao_cao.txt"
    path.write_bytes(_text(ROWS, "\t").encode("utf-16"))  # "Unicode Text": UTF-16 LE with a BOM, tab-separated
    assert path.read_bytes()[:2] == b"\xff\xfe"
    expect_every_letter(accepted(path, catalogue_db))


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf8", "utf8-bom"])
def test_utf8_text_with_and_without_bom_decomposed_letters_normalised(tmp_path, catalogue_db, bom):
    import unicodedata

    path = tmp_path / "bao_cao.txt"
    path.write_bytes(bom + unicodedata.normalize("NFD", _text(ROWS, ";")).encode())  # macOS writes letters apart
    expect_every_letter(accepted(path, catalogue_db))


def test_a_tab_separated_file_named_xls_is_read_as_text(tmp_path):
    path = tmp_path / "xuat_tu_phan_mem.xls"  # many web systems export "Excel" this way
    path.write_text(_text(ROWS, "\t"), encoding="utf-8")
    assert read_submission(path).data["note"].to_list() == NOTES


# --------------------------------------------------------------------------- refused, with what was found


def _zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(ReadError) as caught:
        read_submission(path)
    [error] = caught.value.errors
    assert error.message_vi and error.message_en
    return error.message_vi + " | " + error.message_en


@pytest.mark.parametrize(
    ("name", "make", "found_vi", "advice_en"),
    [
        ("renamed.xlsx", lambda p: _zip(p, ["[Content_Types].xml", "word/document.xml"]), "văn bản Word", "Excel"),
        ("renamed.xlsx", lambda p: p.write_bytes(b"%PDF-1.7\n" + b"x" * 100), "tệp PDF", ".xlsx"),
        ("binary.xlsb", lambda p: _zip(p, ["[Content_Types].xml", "xl/workbook.bin"]), ".xlsb", "Save As"),
        ("password.xlsx", encrypted_workbook, "mật khẩu", "remove the password"),
        ("web.xls", lambda p: p.write_text("<html><table><tr><td>1</td></tr></table></html>"), "trang web", "Save As"),
        ("folder.csv", lambda p: _zip(p, ["a/b.txt"]), "tệp nén", "Extract"),
        ("picture.xlsx", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100), "ảnh", "spreadsheet itself"),
    ],
    ids=["docx-renamed", "pdf-renamed", "xlsb", "encrypted", "html-as-xls", "zip", "png"],
)
def test_a_refused_file_says_what_it_is_and_how_to_save_it(tmp_path, name, make, found_vi, advice_en):
    path = tmp_path / name
    make(path)
    text = _refusal(path)
    assert found_vi in text and advice_en in text
    assert ".xlsx, .xls, .ods" in text  # the accepted formats, named


def test_an_encrypted_ods_is_refused_as_encrypted(tmp_path):
    path = tmp_path / "mat_khau.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", '<manifest:encryption-data manifest:checksum="x"/>')
        archive.writestr("content.xml", b"\x8a\x91 encrypted bytes")
    assert "mật khẩu" in _refusal(path)


@pytest.mark.parametrize("ext", [".xlsx", ".ods", ".xls"])
def test_a_damaged_workbook_is_a_report_in_both_languages(tmp_path, ext):
    good = {".xlsx": write_xlsx, ".ods": write_ods, ".xls": write_xls}[ext](tmp_path / f"g{ext}", [DATA])
    data = good.read_bytes()
    path = tmp_path / f"hong{ext}"
    path.write_bytes(data[: len(data) // 2])
    text = _refusal(path)
    assert "Traceback" not in text and ("hỏng" in text or "không" in text)


# --------------------------------------------------------------------------- paths are paths


NAMES = [
    "bc[1].csv",
    "BaoCao_[SYT]_2025.csv",
    "a*b?c.csv",
    "{x,y}[!a]**.csv",
    "".join(c for c in string.punctuation if c not in "/") + ".csv",
    "Báo cáo Sở Y tế — tháng 9 (bản cuối) #2 ~$.csv",
    "  khoảng trắng  đầu và cuối .csv",
    "ước tính " + "rất dài " * 19 + ".csv",  # 245 bytes: close to the 255 a Linux disk stores
]


@pytest.mark.parametrize("name", NAMES, ids=[f"name{i}" for i in range(len(NAMES))])
def test_a_file_name_is_a_path_never_a_pattern(tmp_path, catalogue_db, name):
    """A name holding [ ] * ? reads that file, not a neighbour the pattern matches; and is recorded as named."""
    folder = tmp_path / "files"
    folder.mkdir()
    header = "indicator_code,period,value\n"
    for decoy in ("bc1.csv", "BaoCao_S_2025.csv", "aXbYc.csv", "x.csv"):  # files a pattern would match instead
        (folder / decoy).write_text(header + "FIN_REV,2024-01,999\n")
    path = folder / name
    assert len(path.name.encode()) <= 255
    path.write_text(header + "FIN_REV,2025-02,2\n")
    assert read_submission(path).data["period"].to_list() == ["2025-02"]
    result = submit_file(path, "FIN", db_path=catalogue_db, now=NOW)
    assert result.status == "accepted"
    with db.read(catalogue_db) as con:
        recorded = con.execute("SELECT file_name FROM submissions WHERE id = ?", [result.submission_id]).fetchone()
        values = con.execute("SELECT period, value FROM observations").fetchall()
    assert recorded == (name,)
    assert values == [("2025-02", 2.0)]  # nothing of a neighbour's rows


def _cli_submit(path: bytes | Path, database: Path) -> dict:
    env = {**os.environ, "INDICATORS_TODAY": "2026-11-26"}
    args = [sys.executable, "-m", "loaders", "--db", str(database), "submit", path, "--department", "FIN", "--json"]
    done = subprocess.run(args, cwd=settings.ROOT, env=env, capture_output=True, timeout=120)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("raw_name", "recorded"),
    [
        (b"bc[1].csv", "bc[1].csv"),
        (b"bad\xff\xfename.csv", "bad\ufffd\ufffdname.csv"),  # not UTF-8: Linux allows any bytes
        (b"esc\x1b[31mred\x07.csv", "esc\u241b[31mred\u2407.csv"),  # an escape never reaches a terminal raw
        ("Số liệu [SYT] * tháng ? 9.csv".encode(), "Số liệu [SYT] * tháng ? 9.csv"),
    ],
    ids=["brackets", "not-utf8", "escape", "vietnamese-pattern"],
)
def test_any_file_name_through_the_command_line(tmp_path, catalogue_db, raw_name, recorded):
    folder = os.fsencode(tmp_path)
    (tmp_path / "bc1.csv").write_text("indicator_code,period,value\nFIN_REV,2024-01,999\n")
    path = os.path.join(folder, raw_name)
    with open(path, "wb") as handle:
        handle.write(b"indicator_code,period,value\nFIN_REV,2025-02,2\n")
    report = _cli_submit(path, catalogue_db)
    assert report["status"] == "accepted", report
    with db.read(catalogue_db) as con:
        names = [r[0] for r in con.execute("SELECT file_name FROM submissions").fetchall()]
        periods = [r[0] for r in con.execute("SELECT period FROM observations").fetchall()]
    assert names == [recorded] and periods == ["2025-02"]


def test_an_office_file_through_the_command_line(tmp_path, catalogue_db):
    path = write_xls(tmp_path / "Báo cáo [STC] tháng 9.xls", [INSTRUCTIONS, DATA])
    report = _cli_submit(path, catalogue_db)
    assert (report["status"], report["new_rows"]) == ("accepted", 3)


def test_a_json_in_utf16(tmp_path):
    records = [{"Mã chỉ số": "FIN_REV", "Kỳ báo cáo": "2025-01", "Giá trị": 1, "Ghi chú": VI_ALL}]
    path = tmp_path / "s.json"
    path.write_bytes(json.dumps(records, ensure_ascii=False).encode("utf-16"))
    assert read_submission(path).data["note"].to_list() == [VI_ALL]


def test_refusal_messages_name_no_library(tmp_path):
    """Damaged files of every kind: the reason is ours, never a library's exception text or a traceback."""
    for name, data in [
        ("a.xlsx", b"PK\x03\x04" + bytes(range(256)) * 8),
        ("a.ods", b"PK\x03\x04garbage"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)),
        ("a.parquet", b"PAR1" + bytes(100) + b"PAR1"),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        text = _refusal(path)
        assert "Error" not in text.split(" | ")[0] and "Traceback" not in text, text
        assert io.StringIO(text).read()  # plain text


def _bad_deflate(data: bytes, member: str) -> bytes:
    """The workbook with one bit of a part's compressed data flipped so that zlib itself fails (not the CRC)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for pos in range(start, start + min(info.compress_size, 200)):
        for bit in range(8):
            damaged = bytearray(data)
            damaged[pos] ^= 1 << bit
            try:
                zipfile.ZipFile(io.BytesIO(bytes(damaged))).read(member)
            except zipfile.BadZipFile:
                continue
            except Exception as exc:  # noqa: BLE001 (looking for zlib's own error)
                if type(exc).__module__ == "zlib":
                    return bytes(damaged)
    raise AssertionError("no bit flip made zlib fail")


@pytest.mark.parametrize(
    ("ext", "member", "damaged"),
    [
        (".xlsx", "xl/worksheets/sheet1.xml", True),
        (".ods", "content.xml", True),
        (".ods", "META-INF/manifest.xml", False),  # only read to tell an encrypted file: the figures are intact
    ],
)
def test_a_part_whose_compressed_data_zlib_cannot_read(tmp_path, ext, member, damaged):
    """Found by the fuzzer: zlib's own error escaped from a part the reader opens (a sheet, the manifest)."""
    rows = [["Mã chỉ số", "Kỳ báo cáo", "Giá trị"], *[["FIN_REV", "2025-09", i] for i in range(300)]]
    good = tmp_path / f"good{ext}"
    (write_xlsx if ext == ".xlsx" else write_ods)(good, [("Số liệu", rows)])
    bad = tmp_path / f"bad{ext}"
    bad.write_bytes(_bad_deflate(good.read_bytes(), member))
    if not damaged:
        assert read_submission(bad).rows == 300
        return
    with pytest.raises(ReadError) as caught:
        read_submission(bad)
    assert "hỏng" in caught.value.errors[0].message_vi
