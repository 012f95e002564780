"""Reporting periods: canonical text, bounds, shifts, deadlines and labels.

Canonical forms (CONTRACT §3): ``2025`` (annual), ``2025-H1``, ``2025-Q3``,
``2025-09`` (monthly) and ``2025-W36`` (ISO week). Everything here is pure and
works on one period at a time; callers that hold many rows map the few
distinct periods, not the rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

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
