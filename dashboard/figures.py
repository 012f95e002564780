"""An indicator's figures as the reader sees them: one text per figure, the same on every page, slide and report.

``of(row, lang)`` takes a row of ``rules.evaluate.latest`` and returns every
figure already written (``dashboard.numbers`` style), with the words for its
status and trend and the summary sentence. Pages, slides, exports and the
report pack take these texts instead of formatting figures themselves, so a
figure cannot read one way on the overview and another on its indicator page
(``tests/test_consistency.py`` checks every view against these).

The summary sentence pairs figures that belong together: for a flow, the
period's amount, then the year to date with its share of the year's plan and
its own change on the same period last year; for any other figure, the value,
its plan and its change on last year. The plan is said by direction: "bằng
60,9 % kế hoạch năm" (higher is better), "kế hoạch năm không quá 1,5 %" (lower
is better), "kế hoạch năm 4 %" (closest to the target is best).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard import numbers
from dashboard.i18n import label, localized, t
from rules import calendar

MISSING = numbers.MISSING


def name(row: Mapping[str, Any], lang: str) -> str:
    """An indicator's name in the reader's language (the other one, then its code, as fallbacks)."""
    return localized(row, "name", lang)


def unit(row: Mapping[str, Any], lang: str) -> str:
    """The unit as the reader writes it: the catalogue's ``unit_en`` in English where it gives one, else ``unit``.

    Rules (a rate's change in points, a percentage's format) read the catalogue's ``unit``; only the text differs.
    """
    vi = (row.get("unit") or "").strip()
    return ((row.get("unit_en") or "").strip() or vi) if lang == "en" else vi


def source(row: Mapping[str, Any], lang: str) -> str:
    """The source in the reader's language: ``source_en`` in English where the catalogue gives one."""
    vi = (row.get("source") or "").strip()
    return ((row.get("source_en") or "").strip() or vi) if lang == "en" else vi


def is_percent(unit: str | None) -> bool:
    return (unit or "").strip() == "%"


def value(x: Any, unit: str | None, lang: str) -> str:
    """A figure with its unit, with the decimals it was submitted with."""
    return numbers.fmt_value(x, unit, lang, numbers.decimals(x))


def percent(x: Any, lang: str) -> str:
    """A percentage of plan: one decimal."""
    return numbers.fmt_percent(x, lang, 1)


LEVEL_UNITS = ("%", "‰", "điểm", "điểm %")  # rates and scores: their changes are told in their own unit


def change(
    diff: Any, diff_pct: Any, unit: str | None, lang: str, decimals: int | None = None, written: str | None = None
) -> str:
    """A change as reports write it: a rate's in points (``+0,5 điểm %``), a score's in its unit (``+2,16
    điểm``), an amount's in percent (``+7,2 %``).

    An amount compared with 0 has no percent: its change is then in its unit. ``unit`` is the catalogue's (it
    decides); ``written`` the unit in the reader's language (``figures.unit``), when it differs.
    """
    written = unit if written is None else written
    if (unit or "").strip() in LEVEL_UNITS:
        if numbers.is_missing(diff):
            return MISSING
        places = max(1, decimals if decimals is not None else numbers.decimals(diff))
        if is_percent(unit):
            return t("figures.points", lang, n=numbers.fmt_change(diff, lang, places))
        return numbers.fmt_change(diff, lang, places, unit=written)
    if not numbers.is_missing(diff_pct):
        return numbers.fmt_change(diff_pct, lang, 1, unit="%")
    if numbers.is_missing(diff):
        return MISSING
    return numbers.fmt_change(diff, lang, numbers.decimals(diff), unit=written)


def change_words(diff: Any, diff_pct: Any, unit: str | None, lang: str, written: str | None = None) -> str | None:
    """A change in words, as reports write it: ``tăng 7,2 %``, ``giảm 0,2 điểm %``, ``không đổi``; None without one."""
    text = change(diff, diff_pct, unit, lang, written=written)
    if text == MISSING:
        return None
    if text[0] not in "+" + numbers.MINUS:
        return t("figures.same", lang)
    return t("figures.up" if text[0] == "+" else "figures.down", lang, x=text[1:])


def is_better(diff: Any, direction: str | None, value: Any = None, old: Any = None, target: Any = None) -> bool | None:
    """Whether a change is good news for the indicator's direction; None when it cannot be told or is nil."""
    if numbers.is_missing(diff) or diff == 0:
        return None
    if direction == "down":
        return diff < 0
    if direction == "target":
        if numbers.is_missing(target) or numbers.is_missing(value) or numbers.is_missing(old):
            return None
        return abs(value - target) < abs(old - target)
    return diff > 0


def period(text: str | None, lang: str) -> str:
    """``Tháng 9/2025`` from ``2025-09`` (the calendar's label); ``–`` without a period."""
    return calendar.label_of(text, lang, MISSING)


def status(code: str | None, lang: str) -> str:
    return label("status", code or "no_data", lang)


def trend(code: str | None, lang: str) -> str:
    return label("trend", code, lang) if code else ""


def date(day: Any, lang: str) -> str:
    return numbers.fmt_date(day, lang) if day is not None else MISSING


@dataclass(frozen=True)
class Figures:
    """Every figure of one indicator at its latest period, as text in the reader's language."""

    code: str
    period: str
    value: str
    ytd: str  # the year to date for flows; the value itself otherwise
    target: str  # the year's target
    plan_to_date: str
    pct_of_target: str  # % kế hoạch năm
    pct_of_plan: str  # % kế hoạch đến kỳ
    vs_previous: str
    vs_last_year: str
    ytd_vs_last_year: str
    status: str
    trend: str
    as_of: str
    sentence: str


def of(row: Mapping[str, Any], lang: str) -> Figures:
    """The figures of a ``rules.evaluate.latest`` row (units in the reader's language: ``unit``)."""
    canonical, written = row.get("unit"), unit(row, lang)
    flow = row.get("value_type") == "flow"
    return Figures(
        code=row["code"],
        period=period(row.get("period"), lang),
        value=value(row.get("value"), written, lang),
        ytd=value(row.get("ytd") if flow else row.get("value"), written, lang),
        target=value(row.get("target"), written, lang),
        plan_to_date=value(row.get("plan_to_date"), written, lang),
        pct_of_target=percent(row.get("pct_of_target"), lang),
        pct_of_plan=percent(row.get("pct_of_plan"), lang),
        vs_previous=change(row.get("change_prev"), row.get("change_prev_pct"), canonical, lang, written=written),
        vs_last_year=change(row.get("change_yoy"), row.get("change_yoy_pct"), canonical, lang, written=written),
        ytd_vs_last_year=numbers.fmt_change(row.get("change_yoy_ytd_pct"), lang, 1, unit="%"),
        status=status(row.get("status"), lang),
        trend=trend(row.get("trend"), lang),
        as_of=date(row.get("as_of"), lang),
        sentence=sentence(row, lang),
    )


def plan_phrase(row: Mapping[str, Any], lang: str) -> str | None:
    """How the plan is said for the indicator's direction (None without a target)."""
    target = row.get("target")
    if numbers.is_missing(target):
        return None
    written = unit(row, lang)
    direction = row.get("direction") or "up"
    if direction == "down":
        return t("figures.plan_at_most", lang, target=value(target, written, lang))
    if direction == "target":
        return t("figures.plan_about", lang, target=value(target, written, lang))
    if numbers.is_missing(row.get("pct_of_target")):
        return t("figures.plan_at_least", lang, target=value(target, written, lang))
    return t("figures.plan_share", lang, pct=percent(row.get("pct_of_target"), lang))


def sentence(row: Mapping[str, Any], lang: str) -> str:
    """The indicator's summary in one sentence, its figures paired as they belong (empty without a value)."""
    if numbers.is_missing(row.get("value")):
        return ""
    canonical, written = row.get("unit"), unit(row, lang)
    when = period(row.get("period"), lang)
    parts: list[str] = []
    if row.get("value_type") == "flow" and not numbers.is_missing(row.get("ytd")):
        head = t("figures.s_flow", lang, name=name(row, lang), period=when, value=value(row["value"], written, lang))
        ytd_part = t("figures.s_ytd", lang, ytd=value(row["ytd"], written, lang))
        if phrase := plan_phrase(row, lang):
            ytd_part += ", " + phrase
        if words := change_words(None, row.get("change_yoy_ytd_pct"), None, lang):
            ytd_part += ", " + t("figures.s_vs_last_year", lang, change=words)
        parts = [head, ytd_part]
    else:
        head = t("figures.s_level", lang, name=name(row, lang), period=when, value=value(row["value"], written, lang))
        if phrase := plan_phrase(row, lang):
            head += ", " + phrase
        parts = [head]
        if words := change_words(row.get("change_yoy"), row.get("change_yoy_pct"), canonical, lang, written):
            parts.append(t("figures.s_vs_last_year", lang, change=words))
    return "; ".join(parts) + "."
