"""What a submitted file really is, from its bytes, and what to tell its sender when it is not a table we read.

The content decides, not the name: an ``.xls`` that is really a tab-separated
text (as many web systems export) is read as text, an ``.xlsx`` renamed
``.csv`` as a workbook. A file that is none of the accepted formats (CONTRACT
§3) is refused with what was found and how to save it instead: a Word or PDF
document, an ``.xlsb`` workbook, a password-protected workbook, a web page
saved as ``.xls``, a zip folder, a picture.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import ReadError, RowError

# Kinds read: "text" (.csv/.txt, comma, semicolon or tab), "json", "xlsx", "xls", "ods", "parquet".
READ = ("text", "json", "xlsx", "xls", "ods", "parquet")
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class Found:
    """A kind of file we do not read: what it is, and how to save the table instead (Vietnamese, English)."""

    what_vi: str
    what_en: str
    advice_vi: str
    advice_en: str


_SAVE_XLSX_VI = "Hãy mở tệp bằng Excel và chọn Lưu thành (Save As) › Sổ làm việc Excel (.xlsx), rồi nộp tệp .xlsx đó."
_SAVE_XLSX_EN = "Open it in Excel and choose Save As › Excel Workbook (.xlsx), then submit that .xlsx file."
_TABLE_VI = "Hãy nộp chính bảng tính số liệu (.xlsx, .xls, .ods hoặc .csv) theo mẫu."
_TABLE_EN = "Submit the spreadsheet itself (.xlsx, .xls, .ods or .csv), laid out as the template."

REFUSED: dict[str, Found] = {
    "xlsb": Found("sổ làm việc Excel dạng nhị phân (.xlsb)", "an Excel binary workbook (.xlsb)", _SAVE_XLSX_VI,
                  _SAVE_XLSX_EN),
    "encrypted": Found(
        "sổ làm việc được đặt mật khẩu (mã hoá)",
        "a password-protected (encrypted) workbook",
        "Hãy mở tệp, gỡ mật khẩu (Tệp › Thông tin › Bảo vệ sổ làm việc › Mã hoá bằng mật khẩu: xoá mật khẩu), "
        "lưu lại rồi nộp.",
        "Open it, remove the password (File › Info › Protect Workbook › Encrypt with Password: clear it), save it "
        "and submit it again.",
    ),
    "word": Found("văn bản Word", "a Word document", "Hãy chép bảng số liệu sang Excel và lưu thành .xlsx.",
                  "Copy the table into Excel and save it as .xlsx."),
    "presentation": Found("bản trình chiếu", "a presentation", _TABLE_VI, _TABLE_EN),
    "pdf": Found("tệp PDF", "a PDF document", "Không đọc được bảng từ PDF. " + _TABLE_VI,
                 "A table cannot be read from a PDF. " + _TABLE_EN),
    "html": Found("trang web (HTML) được đặt đuôi của Excel", "a web page (HTML) named like an Excel file",
                  _SAVE_XLSX_VI, _SAVE_XLSX_EN),
    "xml_spreadsheet": Found("bảng tính XML 2003", "an XML Spreadsheet 2003 file", _SAVE_XLSX_VI, _SAVE_XLSX_EN),
    "numbers": Found("bảng tính Apple Numbers", "an Apple Numbers spreadsheet",
                     "Hãy chọn Tệp › Xuất sang › Excel (.xlsx) rồi nộp tệp đó.",
                     "Choose File › Export To › Excel (.xlsx) and submit that file."),
    "archive": Found("tệp nén (.zip, .rar, .7z, .gz)", "a compressed archive (.zip, .rar, .7z, .gz)",
                     "Hãy giải nén và nộp bảng tính bên trong.", "Extract it and submit the spreadsheet inside."),
    "image": Found("ảnh", "a picture", _TABLE_VI, _TABLE_EN),
    "binary": Found("tệp nhị phân không phải bảng tính", "a binary file that is not a spreadsheet", _TABLE_VI,
                    _TABLE_EN),
}  # fmt: skip


def refusal(kind: str, name: str) -> ReadError:
    """The report for a file that is one of the kinds we do not read."""
    found = REFUSED[kind]
    return ReadError(
        [
            RowError(
                None,
                None,
                None,
                f"Tệp này là {found.what_vi}, không phải định dạng được nhận "
                f"(.csv, .txt, .xlsx, .xls, .ods, .parquet, .json). {found.advice_vi}",
                f"This file is {found.what_en}, not an accepted format "
                f"(.csv, .txt, .xlsx, .xls, .ods, .parquet, .json). {found.advice_en}",
            )
        ]
    )


def _ods_encrypted(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """Whether an OpenDocument file's manifest says its parts are encrypted (a password on save)."""
    name = "META-INF/manifest.xml"
    return name in names and archive.getinfo(name).file_size < (1 << 20) and b"encryption-data" in archive.read(name)


def _zip_kind(path: Path) -> str | None:
    """xlsx, ods, or a refused kind, from the names inside a zip; None for a zip too damaged to list."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names:
                mime = archive.read("mimetype")[:100] if archive.getinfo("mimetype").file_size < 200 else b""
                if mime.strip() == _ODS_MIME:
                    return "encrypted" if _ods_encrypted(archive, names) else "ods"
                if b"opendocument.text" in mime:
                    return "word"
                if b"opendocument.presentation" in mime:
                    return "presentation"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, NotImplementedError, ValueError, zlib.error):
        return None
    if any(n.startswith("xl/") and n.endswith(".bin") and "workbook" in n for n in names):
        return "xlsb"
    if any(n.startswith("xl/") for n in names) or "[Content_Types].xml" in names and any("sheet" in n for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "word"
    if any(n.startswith("ppt/") for n in names):
        return "presentation"
    if "Index/Document.iwa" in names or any(n.startswith("Index/") for n in names):
        return "numbers"
    return "archive"


def _cfb_kind(path: Path) -> str:
    """xls, an encrypted workbook (Office encrypts .xlsx into a compound file), Word, PowerPoint."""
    from xlrd.compdoc import CompDoc

    try:
        with open(path, "rb") as handle:
            streams = {d.name for d in CompDoc(handle.read(), logfile=io.StringIO()).dirlist}
    except Exception:  # noqa: BLE001 (a damaged compound file fails anywhere in its tables: the xls reader says so)
        return "xls"
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        return "encrypted"
    if "WordDocument" in streams:
        return "word"
    if "PowerPoint Document" in streams:
        return "presentation"
    return "xls"


def _text_kind(head: bytes, suffix: str) -> str:
    """json or text; a web page or XML spreadsheet is refused."""
    sample = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").replace(b"\x00", b"")[:512].lower()
    if sample.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or (
        sample.startswith(b"<") and b"<html" in head[:4096].lower().replace(b"\x00", b"")
    ):
        return "html"
    if sample.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head.replace(b"\x00", b""):
        return "xml_spreadsheet"
    if suffix == ".json" or (suffix not in (".csv", ".txt") and sample[:1] in (b"[", b"{")):
        return "json"
    return "text"


def identify(path: Path, head: bytes) -> str:
    """The kind of a file from its first bytes (one of READ, or a key of REFUSED)."""
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path) or ("ods" if suffix == ".ods" else "xlsx")  # too damaged to list: its reader says so
    if head.startswith(_CFB):
        return _cfb_kind(path)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        return "image"
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"BZh")):
        return "archive"
    if head.startswith(b"{\\rtf"):
        return "word"
    return _text_kind(head, suffix)
