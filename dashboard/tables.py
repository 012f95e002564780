"""Tables declared once: each column's header, kind and width serve the screen and the download alike.

A view lists its ``Column``s and calls ``build(rows, columns, lang)``; it gets
the table to show (text written in the reader's style by ``dashboard.figures``
and ``dashboard.numbers``), the download (raw numbers, codes turned into words,
periods as people write them) and the column configuration (numbers right
aligned, links). The same headers head both, so a downloaded sheet reads like
the screen.

Kinds: ``text`` (data shown as it is), ``code``, ``value`` (a figure with the
unit of the row's ``unit`` column), ``number``, ``count``, ``percent`` (of
plan: one decimal), ``change`` (in percent, one decimal), ``period``,
``status``, ``trend``, ``date``, ``datetime``, ``yes_no``, ``link`` (a relative
address; the download leaves it out).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

import polars as pl

import settings
from dashboard import figures, numbers
from dashboard.i18n import label, t

NUMERIC = ("value", "number", "count", "percent", "change")


class Table(NamedTuple):
    """A table to show (text in the reader's number format), its download (raw numbers), its column config, the
    headers of its link columns (relative addresses, opened by ``components.shown``) and each download column's
    kind (so the XLSX shows its numbers as the screen does)."""

    display: pl.DataFrame
    download: pl.DataFrame
    config: dict[str, Any]
    links: tuple[str, ...] = ()
    kinds: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Column:
    """One column: the frame's ``key``, its header (an i18n key, or ``title`` as given), its kind."""

    key: str
    header: str = ""
    kind: str = "text"
    title: str | None = None  # a header already in the reader's language (a status name, a period)
    unit: str | None = None  # for ``value``: a fixed unit; else the row's ``unit`` column
    fmt: Callable[[Any, str], str] | None = None  # a custom text for the screen

    def heading(self, lang: str) -> str:
        return self.title if self.title is not None else t(self.header, lang)


def _shown(column: Column, row: Mapping[str, Any], lang: str) -> str:
    x = row.get(column.key)
    if column.fmt is not None:
        return column.fmt(x, lang)
    match column.kind:
        case "value":
            unit = column.unit if column.unit is not None else figures.unit(row, lang)
            return figures.value(x, unit, lang)
        case "number":
            return numbers.fmt_number(x, lang, numbers.decimals(x))
        case "count":
            return numbers.fmt_number(x, lang, 0) if not numbers.is_missing(x) else ""
        case "percent":
            return figures.percent(x, lang)
        case "change":
            return numbers.fmt_change(x, lang, 1, unit="%")
        case "period":
            return figures.period(x, lang)
        case "status":
            return figures.status(x, lang) if x else ""
        case "trend":
            return figures.trend(x, lang)
        case "date":
            return figures.date(x, lang) if x is not None else numbers.MISSING
        case "datetime":
            return numbers.fmt_datetime(x, lang)
        case "yes_no":
            return numbers.MISSING if x is None else t("ui.yes" if x else "ui.no", lang)
        case _:
            return "" if x is None else str(x)


def _raw(column: Column, x: Any, lang: str) -> Any:
    match column.kind:
        case "period":
            return figures.period(x, lang) if x else None
        case "status":
            return label("status", x, lang) if x else None
        case "trend":
            return label("trend", x, lang) if x else None
        case "yes_no":
            return None if x is None else t("ui.yes" if x else "ui.no", lang)
        case _:
            return x


def build(rows: pl.DataFrame | Sequence[Mapping[str, Any]], columns: Sequence[Column], lang: str) -> Table:
    """The display, download and column config of ``rows`` under ``columns``."""
    records = rows.to_dicts() if isinstance(rows, pl.DataFrame) else list(rows)
    heads = [c.heading(lang) for c in columns]
    display = pl.DataFrame(
        [[_shown(c, r, lang) for c in columns] for r in records],
        schema={h: pl.String for h in heads},
        orient="row",
    )
    kept = [(c, h) for c, h in zip(columns, heads, strict=True) if c.kind != "link"]
    download = pl.DataFrame(
        {h: [_raw(c, r.get(c.key), lang) for r in records] for c, h in kept},
        strict=False,
    )
    if not records:
        download = pl.DataFrame(schema={h: pl.String for _, h in kept})
    config: dict[str, Any] = {h: {"width": w} for h, w in content_widths(display).items()}
    for c, h in zip(columns, heads, strict=True):
        if c.kind in NUMERIC:
            config.setdefault(h, {})["alignment"] = "right"
    links = tuple(h for c, h in zip(columns, heads, strict=True) if c.kind == "link")
    return Table(display, download, config, links, {h: c.kind for c, h in kept})


# st.dataframe draws with the page's font at 14 px, 8 px either side of a cell; a header also holds a menu icon.
GRID_FONT_PX = 14
GRID_PADDING_PX = 8 * 2 + 6
HEADER_EXTRA_PX = 26


@cache
def _grid_font() -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(str(settings.FONT_DIR / "BeVietnamPro-Regular.ttf"), GRID_FONT_PX)


@lru_cache(maxsize=65_536)  # every page run measures its tables again: the same headers and cells, mostly
def text_width(text: str) -> float:
    """How wide ``text`` is in a grid cell, in CSS pixels (the shipped font at the grid's size)."""
    return float(_grid_font().getlength(text))


def _longest_texts(frame: pl.DataFrame, columns: Sequence[str], k: int = 8) -> dict[str, list[str]]:
    """Each text column's ``k`` longest cells (in characters), in one pass over the frame."""
    if frame.height == 0 or not columns:
        return {name: [] for name in columns}

    def length(name: str) -> pl.Expr:
        return pl.col(name).str.len_chars()

    kept = [pl.col(n).drop_nulls().top_k_by(length(n).drop_nulls(), k).implode() for n in columns]
    return dict(zip(columns, frame.select(kept).row(0), strict=True))


def content_widths(frame: pl.DataFrame, most: int = 460, least: int = 56) -> dict[str, int]:
    """A width for each text column of a table shown by ``st.dataframe``: its widest cell or header, measured in
    the grid's font, so that no number, status or unit is cut (the grid sizes columns from the rows it sees
    first, and cut "bác sĩ/vạn dân" further down). Long text columns stop at ``most`` pixels. The widest of a
    column's eight longest cells stands for the column."""
    out = {}
    columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    for name, longest in _longest_texts(frame, columns).items():
        cell = max((text_width(x) for x in longest), default=0.0) + GRID_PADDING_PX
        head = text_width(name) + GRID_PADDING_PX + HEADER_EXTRA_PX
        out[name] = int(min(most, max(least, cell, head)) + 0.999)
    return out


def right_aligned(*columns: str) -> dict[str, Any]:
    """Column config (plain dicts, as st.column_config builds) that right-aligns the number columns."""
    return {c: {"alignment": "right"} for c in columns}


def picked(event: Any, codes: Sequence[str]) -> str | None:
    """The code of the row clicked in a single-row selectable table (st.dataframe's event), if any."""
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    return codes[rows[0]] if rows and 0 <= rows[0] < len(codes) else None


def fitted(config: Mapping[str, Any], frame: pl.DataFrame) -> dict[str, Any]:
    """A column configuration with ``content_widths`` for the text columns it gives no width."""
    out = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in config.items()}
    for name, width in content_widths(frame).items():
        entry = out.get(name, {})
        if entry is None:  # a hidden column
            continue
        if isinstance(entry, Mapping) and not entry.get("width"):
            out[name] = {**entry, "width": width}
    return out
