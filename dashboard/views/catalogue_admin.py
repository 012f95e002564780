"""An admin's catalogue change from the /catalogue page: check the uploaded file, show what changes, replace.

No Streamlit here. The file goes through the same door as the command line
(``loaders.catalogue_store``): every problem at once (those against the data on file included), checked whole,
refused whole and recorded in the audit log either way, with the account that sent it. The preview compares
every attribute of every indicator, old -> new (targets per year, thresholds, components included).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from auth.accounts import Account
from dashboard.frames import each
from dashboard.i18n import label, t
from dashboard.markdown import plain
from dashboard.numbers import fmt_number
from dashboard.views.submit import safe_name
from loaders.catalogue_store import CatalogueDiff, check_catalogue_file, preview, replace_catalogue
from schema.catalogue import Catalogue, CatalogueError, Problem
from settings import DEPARTMENTS_FILE, LOCALITIES_FILE

UPLOAD_TYPES = ("yaml", "yml")
READABLE_PROBLEMS = 50  # up to this many problems are shown as a wrapped table, every message in full
NONE = "—"
# Attributes whose values are codes with labels in the UI catalogue (dashboard/i18n.py CODES).
_CODED = ("group", "frequency", "value_type", "level", "aggregation", "direction", "stage")

__all__ = ["UPLOAD_TYPES", "CatalogueDiff", "changes_frame", "check", "preview", "problems_frame", "replace"]


@contextmanager
def _as_file(name: str, data: bytes) -> Iterator[Path]:
    """The upload as a file that keeps the name it was sent with (the load records that name)."""
    with tempfile.TemporaryDirectory(prefix="catalogue_") as folder:
        path = Path(folder) / safe_name(name)
        path.write_bytes(data)
        yield path


def check(name: str, data: bytes, db_path: str | os.PathLike | None) -> Catalogue | list[Problem]:
    """The uploaded catalogue, checked against the reference data and the figures on file; or every problem."""
    with _as_file(name, data) as path:
        catalogue, problems = check_catalogue_file(db_path, path, DEPARTMENTS_FILE, LOCALITIES_FILE)
    return problems if catalogue is None else catalogue


def replace(name: str, data: bytes, db_path: str | os.PathLike | None, account: Account) -> Catalogue | list[Problem]:
    """Replace the catalogue with the upload; the problems when it is refused (nothing changed then)."""
    with _as_file(name, data) as path:
        try:
            return replace_catalogue(db_path, path, account)
        except CatalogueError as exc:
            return exc.problems


def attribute_name(field: str, lang: str) -> str:
    """An attribute in words: ``targets.2026`` -> ``Chỉ tiêu năm 2026``; the contract's name in brackets."""
    if field.startswith("targets."):
        return t("catalogue.attr_target_year", lang, year=field.split(".", 1)[1])
    return f"{t(f'catalogue.attr.{field}', lang)} ({field})"


def value_text(field: str, value: Any, lang: str) -> str:
    """One attribute's value as a reader sees it: labels for codes, numbers in the reader's format."""
    if value is None:
        return NONE
    if field == "components":
        return " · ".join(f"{code} × {fmt_number(weight, lang)}" for code, weight in value)
    if field in _CODED:
        return f"{label(field, value, lang)} ({value})"
    if isinstance(value, bool):
        return t("ui.yes" if value else "ui.no", lang)
    if isinstance(value, int | float):
        return fmt_number(value, lang)
    return str(value)


def changes_frame(diff: CatalogueDiff, names: dict[str, str], lang: str) -> pl.DataFrame:
    """Every attribute the new catalogue changes, one row each: code, indicator, attribute, before, after."""
    rows = [
        {
            "code": c.code,
            "name": names.get(c.code, ""),
            "field": attribute_name(c.field, lang),
            "old": value_text(c.field, c.old, lang),
            "new": value_text(c.field, c.new, lang),
        }
        for c in diff.changes
    ]
    return pl.DataFrame(rows, schema={k: pl.String for k in ("code", "name", "field", "old", "new")})


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


def readable_problems(frame: pl.DataFrame, headings: dict[str, str]) -> pl.DataFrame:
    """The problems for a wrapped table (st.table reads Markdown): the file's names and values escaped, headings in
    words, the file column left out when every problem is in the one uploaded file."""
    shown = frame.drop("file") if frame["file"].n_unique() <= 1 else frame
    return pl.DataFrame([each(shown, c, plain, headings[c]) for c in shown.columns])
