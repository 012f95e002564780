"""The loaders' error types: one problem in a submitted file, and a wrong command."""

from __future__ import annotations

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
