"""Numbers as people read them: ``1.234,5`` in Vietnamese, ``1,234.5`` in English: the one home of number style.

The style, chosen once and applied everywhere (screen, charts, exports, slides, reports):

| what | Vietnamese | English |
| --- | --- | --- |
| a figure, with the decimals it was submitted with (``decimals``) | ``65.908 tỷ đồng``, ``1,04 %`` | ``65,908``, ``1.04%`` |
| a percentage of plan, a change in percent | one decimal: ``60,9 %``, ``+7,2 %`` | ``60.9%``, ``+7.2%`` |
| a sign | ``+`` and the minus sign ``−`` (U+2212) on changes and on negative figures | same |
| a percent | a space before ``%`` | no space |
| a date | ``14/10/2025`` | ``14 Oct 2025`` |

Python formatting for text and tables, and the matching d3-format locales so
that chart axes and tooltips (Vega) use the same separators. Rounding is half
away from zero on the decimal text of the number (2.675 -> 2.68), as in a
spreadsheet, not banker's rounding on the binary float.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MISSING = "–"  # en dash: no value
MINUS = "−"  # U+2212: the minus of changes and negative figures (downloads keep raw numbers)

_SEPARATORS = {"vi": (",", "."), "en": (".", ",")}  # (decimal, thousands)

# d3-format locales (https://github.com/d3/d3-format#locales), used by Vega through `config.locale.number`.
NUMBER_LOCALES: dict[str, dict[str, Any]] = {
    "vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " VND"]},
}

# d3-time-format locales, used by Vega through `config.locale.time`.
TIME_LOCALES: dict[str, dict[str, Any]] = {
    "vi": {
        "dateTime": "%A, %d/%m/%Y, %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["SA", "CH"],
        "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": [f"Tháng {m}" for m in range(1, 13)],
        "shortMonths": [f"Th{m}" for m in range(1, 13)],
    },
    "en": {
        "dateTime": "%a %b %e %X %Y",
        "date": "%m/%d/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    },
}


def _lang(lang: str) -> str:
    return lang if lang in _SEPARATORS else "vi"


def vega_locale(lang: str) -> dict[str, Any]:
    """The Vega/Vega-Lite ``config.locale`` for a language (number and time)."""
    lang = _lang(lang)
    return {"number": dict(NUMBER_LOCALES[lang]), "time": dict(TIME_LOCALES[lang])}


def is_missing(x: Any) -> bool:
    """None, NaN and infinities have no value to show."""
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def decimals(values: Any) -> int:
    """Decimals that show figures as they were submitted (1,04 % stays 1,04 %, 65.908 tỷ đồng has none).

    The most decimals any of the values uses, capped by the largest magnitude: 4 below
    one (a 0–1 index: 0,8241), 2 below a thousand, 1 below ten thousand, none from ten
    thousand up (65.908 tỷ đồng). One value or a series (its figures then line up).
    """
    items = values if isinstance(values, list | tuple) else [values]
    finite = [abs(float(v)) for v in items if not is_missing(v)]
    if not finite:
        return 0
    top = max(finite)
    cap = 4 if top < 1 else 2 if top < 1_000 else 1 if top < 10_000 else 0
    for places in range(cap + 1):
        scale = 10**places
        if all(abs(v * scale - round(v * scale)) < 1e-6 * max(1.0, v * scale) for v in finite):
            return places
    return cap


def default_decimals(x: float) -> int:
    """Decimals that suit the magnitude: 56.834 · 1.234,5 · 12,5 · 0,824 · 0,00123 (three significant digits below one)."""
    a = abs(float(x))
    if a == 0 or a >= 10_000:
        return 0
    if a >= 1:
        return 1
    return -math.floor(math.log10(a)) + 2  # three significant digits


def _round(x: float, decimals: int) -> Decimal:
    try:
        d = Decimal(repr(float(x)))
    except InvalidOperation:  # pragma: no cover - finite floats always have a repr
        d = Decimal(float(x))
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def fmt_number(x: Any, lang: str = "vi", decimals: int | None = None) -> str:
    """``1.234,5`` (vi) or ``1,234.5`` (en); ``–`` when there is no value.

    With ``decimals=None`` the number of decimals follows the magnitude and
    trailing zeros are dropped (12,0 -> 12); with a fixed number they are kept.
    """
    if is_missing(x):
        return MISSING
    dec_sep, thou_sep = _SEPARATORS[_lang(lang)]
    auto = decimals is None
    places = default_decimals(x) if auto else max(0, int(decimals))
    q = _round(x, places)
    if q == 0:
        q = abs(q)  # no "-0"
    sign = MINUS if q < 0 else ""
    text = f"{abs(q):f}"
    whole, _, frac = text.partition(".")
    if auto:
        frac = frac.rstrip("0")
    out = _group(whole, thou_sep)
    if frac:
        out += dec_sep + frac
    return sign + out


def fmt_percent(x: Any, lang: str = "vi", decimals: int | None = None) -> str:
    """A value already in percent: ``12,5 %`` (vi) or ``12.5%`` (en)."""
    if is_missing(x):
        return MISSING
    n = fmt_number(x, lang, decimals)
    return f"{n} %" if _lang(lang) == "vi" else f"{n}%"


def fmt_value(x: Any, unit: str | None, lang: str = "vi", decimals: int | None = None) -> str:
    """A value with its unit: ``12,5 %``, ``1.234 tỷ đồng``; ``–`` (no unit) when missing."""
    if is_missing(x):
        return MISSING
    if unit and unit.strip() == "%":
        return fmt_percent(x, lang, decimals)
    n = fmt_number(x, lang, decimals)
    return f"{n} {unit.strip()}" if unit and unit.strip() else n


def fmt_change(
    x: Any,
    lang: str = "vi",
    decimals: int | None = None,
    *,
    unit: str | None = None,
    arrows: bool = False,
) -> str:
    """A signed change: ``+1,2`` / ``−0,5`` / ``0``, or with ``arrows`` ``▲ 1,2`` / ``▼ 0,5``.

    The sign is that of the change, not a judgement: whether up is good
    depends on the indicator's direction, which the caller shows by colour or words.
    """
    if is_missing(x):
        return MISSING
    body = fmt_value(abs(float(x)), unit, lang, decimals)
    # the sign follows what is shown: a change that rounds to zero has none
    places = default_decimals(x) if decimals is None else max(0, int(decimals))
    q = _round(x, places)
    if q == 0:
        return body
    if arrows:
        return ("▲ " if q > 0 else "▼ ") + body
    return ("+" if q > 0 else MINUS) + body


def fmt_date(d: date | datetime | None, lang: str = "vi") -> str:
    """``14/10/2025`` (vi) or ``14 Oct 2025`` (en)."""
    if d is None:
        return MISSING
    if _lang(lang) == "vi":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{d.day} {TIME_LOCALES['en']['shortMonths'][d.month - 1]} {d.year}"


def fmt_datetime(value: date | datetime | None, lang: str = "vi") -> str:
    """``14/10/2025 09:30`` (vi) or ``14 Oct 2025 09:30`` (en); the date alone for a date."""
    if value is None:
        return MISSING
    day = fmt_date(value, lang)
    return f"{day} {value:%H:%M}" if isinstance(value, datetime) else day


def series_decimals(values: Any) -> int:
    """One number of decimals for a whole series, so its labels line up (2,0 · 2,6 rather than 2 · 2,6)."""
    finite = [abs(float(v)) for v in (values if values is not None else []) if not is_missing(v)]
    nonzero = [v for v in finite if v > 0]
    if not nonzero:
        return 0
    decimals = default_decimals(max(nonzero))
    # small values sitting next to large ones still deserve their digit
    if decimals == 0 and min(nonzero) < 100:
        decimals = 1
    # no decimals at all when every value is whole
    if all(float(v).is_integer() for v in finite):
        return 0
    return decimals


def d3_format(values: Any = None, decimals: int | None = None) -> str:
    """A d3-format spec for axes and labels (``,.1~f``) suited to the values' magnitude.

    The separators themselves come from the chart's locale, so one spec serves both languages.
    """
    if decimals is None:
        decimals = series_decimals(values)
    return f",.{int(decimals)}~f"
