"""The header block of a table's XLSX download: what the table is, so a report writer can use it as it comes.

Above the table: its title (an indicator's name, a group, a department), then one line each for the code,
the unit, the source, the period (as people write it: ``Tháng 10/2026``, ``Quý III/2026``), the filters, the
date of the data and the demo mark. ``dashboard.export.table_xlsx`` writes it; the CSV download stays a plain
table for machines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from dashboard import figures, numbers
from dashboard.i18n import t

if TYPE_CHECKING:
    from dashboard.charts import Stamp


@dataclass(frozen=True)
class Heading:
    """A table's header block: a title, lines of ``label: value`` and the demo mark (None for real data)."""

    title: str | None = None
    lines: tuple[tuple[str, str], ...] = ()
    demo: str | None = None


def heading(
    lang: str,
    title: str | None = None,
    *,
    code: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    period: str | None = None,
    as_of: date | None = None,
    demo: bool = False,
    extra: Iterable[tuple[str, str]] = (),
) -> Heading:
    """A header block in the reader's language; ``period`` already written (``figures.period``); empty parts left
    out."""
    lines = [
        (t("sheet.code", lang), code),
        (t("sheet.unit", lang), unit),
        (t("sheet.source", lang), source),
        (t("sheet.period", lang), period),
        *extra,
        (t("sheet.as_of", lang), numbers.fmt_date(as_of, lang) if as_of else None),
    ]
    kept = tuple((label, str(value)) for label, value in lines if value not in (None, ""))
    return Heading(title, kept, t("ui.demo_banner", lang) if demo else None)


def of_indicator(
    row: Mapping[str, Any],
    stamp: Stamp,
    title: str | None = None,
    period: str | None = None,
    extra: Iterable[tuple[str, str]] = (),
) -> Heading:
    """The header block of a table about one indicator: its name (or ``title``), code, unit and source in the
    reader's language, ``period`` (as written), the date of the data and the demo mark (``stamp``)."""
    lang = stamp.lang
    return heading(
        lang, title or figures.name(row, lang), code=row.get("code"), unit=figures.unit(row, lang) or None,
        source=figures.source(row, lang) or None, period=period, as_of=stamp.as_of, demo=stamp.demo, extra=extra,
    )  # fmt: skip


def span(periods: Iterable[str | None], lang: str) -> str | None:
    """The periods a table covers, as written: ``Tháng 1/2024 – Tháng 10/2026`` (one period: itself)."""
    kept = sorted(p for p in periods if p)
    if not kept:
        return None
    first, last = figures.period(kept[0], lang), figures.period(kept[-1], lang)
    return first if first == last else f"{first} – {last}"
