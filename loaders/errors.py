"""The loaders' error types: one problem in a submitted file, and a wrong command."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RowError:
    """One problem in a submitted file: where (spreadsheet row, header as written), what was found, why."""

    row: int | None  # spreadsheet row number, header = 1; None for a problem with the whole file
    column: str | None  # the header as written in the file; None when no column is concerned
    value: str | None  # the cell as found
    message_vi: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_vi} / {self.message_en}"

    def to_dict(self) -> dict:
        """The JSON shape of CONTRACT §4 (row, column, value, message) plus both languages."""
        out = asdict(self)
        out["message"] = self.message
        return {k: out[k] for k in ("row", "column", "value", "message", "message_vi", "message_en")}


def vi_count(n: int) -> str:
    """A whole number as Vietnamese writes it: 1.234.567."""
    return f"{n:,}".replace(",", ".")


def vi_number(value: float) -> str:
    """A number as Vietnamese writes it, up to six decimals: 1.234,5."""
    return en_number(value).replace(",", " ").replace(".", ",").replace(" ", ".")


def en_number(value: float) -> str:
    """A number with English grouping, up to six decimals: 1,234.5."""
    if abs(value) >= 1e15:  # no 300-digit numbers in a message
        return f"{value:.6g}"
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def en_count(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun in English: ``1 row``, ``2 rows``, ``1,234 problems``."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def vi_date(day: dt.date) -> str:
    """A date as Vietnamese writes it: 05/11/2026."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def en_date(day: dt.date) -> str:
    """A date as the English pages write it: 5 Nov 2026."""
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def os_reason(exc: OSError, writing: bool = False) -> tuple[str, str]:
    """An operating-system error on a file, in words (Vietnamese, English); the system's own text never shown."""
    import errno

    code = exc.errno or 0
    if code in (errno.EACCES, errno.EPERM):
        return (
            ("không có quyền ghi", "no permission to write")
            if writing
            else ("không có quyền đọc", "no permission to read")
        )
    known = {
        errno.ENOSPC: ("ổ đĩa đã đầy", "no space left on the device"),
        errno.EROFS: ("ổ đĩa chỉ cho đọc", "the disk is read-only"),
        errno.EISDIR: ("đây là một thư mục, không phải tệp", "it is a folder, not a file"),
        errno.ENOENT: ("không tìm thấy tệp hoặc thư mục", "no such file or folder"),
        errno.ENOTDIR: ("một phần của đường dẫn không phải thư mục", "part of the path is not a folder"),
        errno.ENAMETOOLONG: ("tên tệp quá dài", "the file name is too long"),
    }
    if code in known:
        return known[code]
    name = errno.errorcode.get(code, "?")
    return (
        (f"lỗi ghi tệp ({name})", f"a write error ({name})")
        if writing
        else (f"lỗi đọc tệp ({name})", f"a read error ({name})")
    )


class UsageError(Exception):
    """A wrong command: unknown department, missing file, bad option. Exit code 2."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


class ReadError(Exception):
    """A submitted file that cannot be read as a table; carries the file-level problems."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class FileUnreadable(Exception):
    """A submitted file the operating system would not let us read (permissions, a read error). Exit code 1."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class Change:
    """A value that changed between a file's check and its commit."""

    indicator_code: str
    period: str
    locality_code: str  # '' for the province
    seen_value: float | None  # what the check saw (None: no value yet)
    current_value: float | None  # what is current now (None: removed)


class StalePreview(Exception):
    """The database moved on since the file was checked (values it touches, or the catalogue): nothing written.

    The caller checks the file again and, on the page, asks the user to confirm again. Exit code 1.
    """

    def __init__(
        self, message_vi: str, message_en: str, changes: list[Change] | None = None, total: int | None = None
    ) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en
        self.changes = list(changes or [])  # the first changed values (at most 50), in file order
        self.total = len(self.changes) if total is None else total  # every changed value
