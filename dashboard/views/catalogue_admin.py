"""An admin's catalogue change from the /catalogue page: check the uploaded file, show what changes, replace.

No Streamlit here. The file goes through the same door as the command line
(``loaders.catalogue_store.replace_catalogue``): checked whole, refused whole
and recorded in the audit log either way, with the account that sent it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from auth.accounts import Account
from dashboard.views.submit import safe_name
from loaders.catalogue_store import replace_catalogue
from schema.catalogue import Catalogue, CatalogueError, Problem, load_catalogue
from settings import DEPARTMENTS_FILE, LOCALITIES_FILE

UPLOAD_TYPES = ("yaml", "yml")
_COMPARED = ("name_vi", "group", "owner", "unit", "frequency", "direction", "source", "stage")


@contextmanager
def _as_file(name: str, data: bytes) -> Iterator[Path]:
    """The upload as a file that keeps the name it was sent with (the load records that name)."""
    with tempfile.TemporaryDirectory(prefix="catalogue_") as folder:
        path = Path(folder) / safe_name(name)
        path.write_bytes(data)
        yield path


def check(name: str, data: bytes) -> Catalogue | list[Problem]:
    """The uploaded catalogue, checked against the departments and localities on file; or every problem."""
    with _as_file(name, data) as path:
        try:
            return load_catalogue(path, DEPARTMENTS_FILE, LOCALITIES_FILE)
        except CatalogueError as exc:
            return exc.problems


def replace(name: str, data: bytes, db_path: str | os.PathLike | None, account: Account) -> Catalogue | list[Problem]:
    """Replace the catalogue with the upload; the problems when it is refused (nothing changed then)."""
    with _as_file(name, data) as path:
        try:
            return replace_catalogue(db_path, path, account)
        except CatalogueError as exc:
            return exc.problems


@dataclass(frozen=True)
class Changes:
    """What a new catalogue changes against the current one: indicator codes."""

    added: list[str]
    removed: list[str]
    changed: list[str]

    @property
    def none(self) -> bool:
        return not (self.added or self.removed or self.changed)


def changes(current: pl.DataFrame, new: Catalogue) -> Changes:
    """Codes added, removed, and those whose name, group, owner, unit, frequency, direction, source or stage change."""
    before = {row["code"]: row for row in current.select("code", *_COMPARED).iter_rows(named=True)}
    after = {ind.code: ind for ind in new.indicators}
    changed = [
        code
        for code, ind in after.items()
        if code in before and any(before[code][f] != getattr(ind, f) for f in _COMPARED)
    ]
    return Changes(
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
        changed=sorted(changed),
    )


def problems_frame(problems: list[Problem], lang: str) -> pl.DataFrame:
    """Every problem as a table: file, indicator code, field, message in the UI language."""
    return pl.DataFrame(
        {
            "file": [p.file for p in problems],
            "code": [p.code for p in problems],
            "field": [p.field for p in problems],
            "message": [p.message_en if lang == "en" else p.message_vi for p in problems],
        },
        schema={"file": pl.String, "code": pl.String, "field": pl.String, "message": pl.String},
    )
