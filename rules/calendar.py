"""The calendar: reporting periods, their bounds, the previous period, the same period last year, due dates, labels.

Canonical forms (CONTRACT §3): ``2025`` (annual), ``2025-H1``, ``2025-Q3``,
``2025-09`` (monthly) and ``2025-W36`` (ISO week). The functions on one period
are pure; ``period_facts``, ``expected_periods`` and ``due_periods`` give the
same facts as frames for callers that hold many rows (they map the few
distinct periods, not the rows).

Rules, with examples (``tests/test_rules_calendar.py``):

| rule | example |
| --- | --- |
| previous period: ``shift(p, -1)`` | ``2026-01`` -> ``2025-12``; ``2026-W01`` -> ``2025-W52`` |
| same period last year | ``2026-Q3`` -> ``2025-Q3``; ``2032-W53`` -> ``2031-W52`` (2031 has 52 weeks) |
| elapsed share of the year | month 3 -> 3/12; week 10 of a 52-week year -> 10/52; a year -> 1 |
| due date: period end + ``deadline_days`` | ``2026-09`` with 15 days -> 15/10/2026 |
| the latest overdue period on a day: the latest whose due date is before that day | a value accepted on its due date is on time |
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

FREQUENCIES = ("weekly", "monthly", "quarterly", "half_yearly", "annual")
_PER_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "annual": 1}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_ROMAN_OF = {v: k for k, v in _ROMAN.items()}

_CANONICAL = re.compile(r"^(\d{4})(?:-(?:(H)([12])|(Q)([1-4])|(W)(\d{2})|(\d{2})))?$")


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: a year and the index of the period inside it."""

    year: int
    frequency: str
    index: int = 1  # month 1-12, quarter 1-4, half 1-2, ISO week 1-53; 1 for a year

    def __str__(self) -> str:
        match self.frequency:
            case "annual":
                return f"{self.year}"
            case "half_yearly":
                return f"{self.year}-H{self.index}"
            case "quarterly":
                return f"{self.year}-Q{self.index}"
            case "monthly":
                return f"{self.year}-{self.index:02d}"
            case _:
                return f"{self.year}-W{self.index:02d}"

    @property
    def start(self) -> date:
        if self.frequency == "weekly":
            return date.fromisocalendar(self.year, self.index, 1)
        months = 12 // _PER_YEAR[self.frequency]
        return date(self.year, (self.index - 1) * months + 1, 1)

    @property
    def end(self) -> date:
        if self.frequency == "weekly":
            return date.fromisocalendar(self.year, self.index, 7)
        return shift(self, 1).start - timedelta(days=1)


def weeks_in(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last."""
    return date(year, 12, 28).isocalendar()[1]


def parse(text: str) -> Period | None:
    """The canonical form only; None when the text is not one."""
    m = _CANONICAL.match(text.strip())
    if not m:
        return None
    year = int(m.group(1))
    if m.group(2):
        return Period(year, "half_yearly", int(m.group(3)))
    if m.group(4):
        return Period(year, "quarterly", int(m.group(5)))
    if m.group(6):
        week = int(m.group(7))
        return Period(year, "weekly", week) if 1 <= week <= weeks_in(year) else None
    if m.group(8):
        month = int(m.group(8))
        return Period(year, "monthly", month) if 1 <= month <= 12 else None
    return Period(year, "annual")


_VI_FORMS = [
    (re.compile(r"^tháng\s*(\d{1,2})\s*[/\-.]\s*(\d{4})$"), "monthly"),
    (re.compile(r"^quý\s*(i{1,3}|iv|[1-4])\s*[/\-.]\s*(\d{4})$"), "quarterly"),
    (re.compile(r"^tuần\s*(\d{1,2})\s*[/\-.]\s*(\d{4})$"), "weekly"),
    (re.compile(r"^6\s*tháng\s*đầu\s*năm\s*(\d{4})$"), "H1"),
    (re.compile(r"^6\s*tháng\s*cuối\s*năm\s*(\d{4})$"), "H2"),
    (re.compile(r"^năm\s*(\d{4})$"), "annual"),
]


def parse_any(text: str) -> Period | None:
    """Canonical form or the usual Vietnamese forms (``Tháng 9/2025``, ``Quý III/2025``...)."""
    found = parse(text)
    if found is not None:
        return found
    lowered = " ".join(unicodedata.normalize("NFC", text).strip().lower().split())
    for pattern, kind in _VI_FORMS:
        m = pattern.match(lowered)
        if not m:
            continue
        if kind in ("H1", "H2"):
            return Period(int(m.group(1)), "half_yearly", int(kind[1]))
        if kind == "annual":
            return Period(int(m.group(1)), "annual")
        number, year = m.group(1), int(m.group(2))
        index = _ROMAN[number.upper()] if number.upper() in _ROMAN else int(number)
        if kind == "monthly" and not 1 <= index <= 12:
            return None
        if kind == "weekly" and not 1 <= index <= weeks_in(year):
            return None
        return Period(year, kind, index)
    return None


def containing(day: date, frequency: str) -> Period:
    """The period of the given frequency that holds a date (an Excel date cell)."""
    if frequency == "weekly":
        iso = day.isocalendar()
        return Period(iso[0], "weekly", iso[1])
    if frequency == "annual":
        return Period(day.year, "annual")
    months = 12 // _PER_YEAR[frequency]
    return Period(day.year, frequency, (day.month - 1) // months + 1)


def shift(period: Period, steps: int) -> Period:
    """The period ``steps`` periods later (earlier when negative)."""
    if period.frequency == "weekly":
        return containing(period.start + timedelta(weeks=steps), "weekly")
    per_year = _PER_YEAR[period.frequency]
    flat = period.year * per_year + (period.index - 1) + steps
    return Period(flat // per_year, period.frequency, flat % per_year + 1)


def same_period_last_year(period: Period) -> Period:
    """So với cùng kỳ: the same month, quarter, half or ISO week one year earlier."""
    if period.frequency == "weekly":
        return Period(period.year - 1, "weekly", min(period.index, weeks_in(period.year - 1)))
    return Period(period.year - 1, period.frequency, period.index)


def due_date(period: Period, deadline_days: int) -> date:
    """The day the value is due: the period's last day plus the deadline."""
    return period.end + timedelta(days=deadline_days)


def latest_due(frequency: str, deadline_days: int, today: date) -> Period:
    """The most recent period whose due date has passed (or is today)."""
    period = containing(today, frequency)
    while due_date(period, deadline_days) > today:
        period = shift(period, -1)
    return period


def between(first: Period, last: Period) -> list[Period]:
    """Every period from first to last inclusive (same frequency)."""
    out: list[Period] = []
    current = first
    while current <= last:
        out.append(current)
        current = shift(current, 1)
    return out


_EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def label(period: Period, lang: str = "vi") -> str:
    """How people write the period: ``Tháng 9/2025`` or ``Sep 2025``."""
    y, i = period.year, period.index
    vi = lang == "vi"
    match period.frequency:
        case "annual":
            return f"Năm {y}" if vi else f"{y}"
        case "half_yearly":
            if vi:
                return f"6 tháng {'đầu' if i == 1 else 'cuối'} năm {y}"
            return f"H{i} {y}"
        case "quarterly":
            return f"Quý {_ROMAN_OF[i]}/{y}" if vi else f"Q{i} {y}"
        case "monthly":
            return f"Tháng {i}/{y}" if vi else f"{_EN_MONTHS[i - 1]} {y}"
        case _:
            return f"Tuần {i}/{y}" if vi else f"Week {i}, {y}"


def label_of(text: str | None, lang: str = "vi", missing: str = "") -> str:
    """The label of a canonical period's text (``2025-09`` -> ``Tháng 9/2025``); the text itself when not one."""
    if not text:
        return missing
    parsed = parse(str(text))
    return label(parsed, lang) if parsed else str(text)


def per_year(period: Period) -> int:
    """Periods of its frequency in the period's year (52 or 53 for weeks)."""
    return weeks_in(period.year) if period.frequency == "weekly" else _PER_YEAR.get(period.frequency, 1)


def elapsed_share(period: Period) -> float:
    """The share of the year that has passed at the period's end: month 3 -> 3/12, a year -> 1."""
    return period.index / per_year(period)


# --------------------------------------------------------------------------- the same facts as frames

PERIOD_FACTS_SCHEMA = {
    "period": pl.String,
    "frequency": pl.String,
    "year": pl.Int32,
    "index": pl.Int32,
    "per_year": pl.Int32,
    "share": pl.Float64,
    "prev_period": pl.String,
    "yoy_period": pl.String,
    "next_period": pl.String,
}


def period_facts(periods: Iterable[str]) -> pl.DataFrame:
    """Calendar facts for each distinct canonical period (texts that are not periods are left out).

    Columns: PERIOD_FACTS_SCHEMA: per_year and share are ``per_year`` and ``elapsed_share``; prev_period, yoy_period
    and next_period are ``shift(p, -1)``, ``same_period_last_year(p)`` and ``shift(p, 1)``.
    """
    rows = []
    for text in sorted(set(periods)):
        p = parse(text)
        if p is None:
            continue
        rows.append(
            {
                "period": text,
                "frequency": p.frequency,
                "year": p.year,
                "index": p.index,
                "per_year": per_year(p),
                "share": elapsed_share(p),
                "prev_period": str(shift(p, -1)),
                "yoy_period": str(same_period_last_year(p)),
                "next_period": str(shift(p, 1)),
            }
        )
    return pl.DataFrame(rows, schema=PERIOD_FACTS_SCHEMA)


_INTERVAL = {"weekly": "1w", "monthly": "1mo", "quarterly": "3mo", "half_yearly": "6mo", "annual": "1y"}


def _period_text(start: pl.Expr, frequency: str) -> pl.Expr:
    """Canonical period text from the period's first day, vectorised."""
    year = start.dt.year().cast(pl.String)
    month = start.dt.month()
    match frequency:
        case "annual":
            return year
        case "half_yearly":
            return year + "-H" + ((month - 1) // 6 + 1).cast(pl.String)
        case "quarterly":
            return year + "-Q" + ((month - 1) // 3 + 1).cast(pl.String)
        case "monthly":
            return year + "-" + month.cast(pl.String).str.zfill(2)
        case _:
            return start.dt.iso_year().cast(pl.String) + "-W" + start.dt.week().cast(pl.String).str.zfill(2)


def expected_periods(frame: pl.DataFrame) -> pl.DataFrame:
    """Every period from first_start to last_start for each row, vectorised by frequency.

    Input columns: indicator_code, frequency, deadline_days, first_start, last_start
    (period first days). Output columns: indicator_code, frequency, deadline_days,
    period, period_start, period_end, due_date.
    """
    parts = []
    for frequency, interval in _INTERVAL.items():
        sub = frame.filter((pl.col("frequency") == frequency) & (pl.col("first_start") <= pl.col("last_start")))
        if sub.is_empty():
            continue
        sub = sub.with_columns(period_start=pl.date_ranges("first_start", "last_start", interval)).explode(
            "period_start"
        )
        end = (
            pl.col("period_start") + timedelta(days=6)
            if frequency == "weekly"
            else pl.col("period_start").dt.offset_by(interval) - timedelta(days=1)
        )
        parts.append(
            sub.select(
                "indicator_code",
                "frequency",
                "deadline_days",
                _period_text(pl.col("period_start"), frequency).alias("period"),
                "period_start",
                end.alias("period_end"),
            )
        )
    schema = {
        "indicator_code": pl.String,
        "frequency": pl.String,
        "deadline_days": pl.Int32,
        "period": pl.String,
        "period_start": pl.Date,
        "period_end": pl.Date,
    }
    if not parts:
        return pl.DataFrame(schema=schema | {"due_date": pl.Date})
    out = pl.concat([p.cast(schema) for p in parts])
    return out.with_columns(due_date=pl.col("period_end") + pl.duration(days=pl.col("deadline_days")))


DUE_SCHEMA = {
    "frequency": pl.String,
    "deadline_days": pl.Int32,
    "due_period": pl.String,
    "due_period_start": pl.Date,
    "due_date": pl.Date,
    "next_period": pl.String,
    "next_due_date": pl.Date,
}


def overdue_on(today: date, frequency: str, deadline_days: int) -> Period:
    """The latest period already overdue on ``today``: its due date is before today.

    A value accepted on its due date is on time, so that morning it is not overdue yet:
    this is ``latest_due`` as of the day before.
    """
    return latest_due(frequency, deadline_days, today - timedelta(days=1))


def due_periods(pairs: Iterable[tuple[str, int]], today: date) -> pl.DataFrame:
    """For each (frequency, deadline_days): the latest overdue period on ``today`` and the one after it.

    Columns: DUE_SCHEMA.
    """
    rows = []
    for frequency, days in sorted(set(pairs)):
        due = overdue_on(today, frequency, int(days or 0))
        nxt = shift(due, 1)
        rows.append(
            {
                "frequency": frequency,
                "deadline_days": days,
                "due_period": str(due),
                "due_period_start": due.start,
                "due_date": due_date(due, int(days or 0)),
                "next_period": str(nxt),
                "next_due_date": due_date(nxt, int(days or 0)),
            }
        )
    return pl.DataFrame(rows, schema=DUE_SCHEMA)
