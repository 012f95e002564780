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
from typing import Any, NamedTuple

import polars as pl

from dashboard import figures, numbers
from dashboard.i18n import label, t

NUMERIC = ("value", "number", "count", "percent", "change")


class Table(NamedTuple):
    """A table to show (text in the reader's number format), its download (raw numbers), its column config and
    the headers of its link columns (relative addresses, opened by ``components.shown``)."""

    display: pl.DataFrame
    download: pl.DataFrame
    config: dict[str, Any]
    links: tuple[str, ...] = ()


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
            unit = column.unit if column.unit is not None else row.get("unit")
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
    config = {h: {"alignment": "right"} for c, h in zip(columns, heads, strict=True) if c.kind in NUMERIC}
    links = tuple(h for c, h in zip(columns, heads, strict=True) if c.kind == "link")
    return Table(display, download, config, links)


def right_aligned(*columns: str) -> dict[str, Any]:
    """Column config (plain dicts, as st.column_config builds) that right-aligns the number columns."""
    return {c: {"alignment": "right"} for c in columns}


def picked(event: Any, codes: Sequence[str]) -> str | None:
    """The code of the row clicked in a single-row selectable table (st.dataframe's event), if any."""
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    return codes[rows[0]] if rows and 0 <= rows[0] < len(codes) else None
