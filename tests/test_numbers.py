"""Number formatting: Vietnamese 1.234,5 and English 1,234.5, and the matching chart locales."""

from __future__ import annotations

import math
from datetime import date

import pytest

from dashboard.numbers import (
    MINUS,
    MISSING,
    NUMBER_LOCALES,
    d3_format,
    default_decimals,
    fmt_change,
    fmt_date,
    fmt_number,
    fmt_percent,
    fmt_value,
    is_missing,
    series_decimals,
    vega_locale,
)


@pytest.mark.parametrize(
    ("x", "decimals", "vi", "en"),
    [
        (1234.5, None, "1.234,5", "1,234.5"),
        (-1234.5, None, "−1.234,5", "−1,234.5"),
        (1234.5, 2, "1.234,50", "1,234.50"),
        (56834.4, None, "56.834", "56,834"),  # large: no decimals
        (1_000_000_000, None, "1.000.000.000", "1,000,000,000"),
        (123456789.987, 2, "123.456.789,99", "123,456,789.99"),
        (12.0, None, "12", "12"),  # trailing zeros dropped by default
        (12.0, 1, "12,0", "12.0"),  # but kept when asked for
        (12.25, None, "12,3", "12.3"),  # half up, not half even
        (2.675, 2, "2,68", "2.68"),  # the decimal text, not the binary float (2.67499...)
        (0.125, 2, "0,13", "0.13"),
        (-0.125, 2, "−0,13", "−0.13"),  # half away from zero
        (999.96, None, "1.000", "1,000"),  # rounding carries into a new group
        (9999.95, 1, "10.000,0", "10,000.0"),
        (0.8241, None, "0,824", "0.824"),  # small: three significant digits
        (0.00123, None, "0,00123", "0.00123"),
        (0.5, None, "0,5", "0.5"),
        (0, None, "0", "0"),
        (0.0, 2, "0,00", "0.00"),
        (-0.04, 1, "0,0", "0.0"),  # no negative zero
        (-0.0, None, "0", "0"),
        (100, None, "100", "100"),
        (1000, None, "1.000", "1,000"),
        (7, 0, "7", "7"),
    ],
)
def test_fmt_number(x, decimals, vi, en):
    assert fmt_number(x, "vi", decimals) == vi
    assert fmt_number(x, "en", decimals) == en


@pytest.mark.parametrize("missing", [None, float("nan"), math.inf, -math.inf, "abc"])
def test_missing_values_show_a_dash(missing):
    assert is_missing(missing)
    assert fmt_number(missing, "vi") == MISSING == "–"
    assert fmt_percent(missing, "vi") == MISSING
    assert fmt_value(missing, "tỷ đồng", "vi") == MISSING
    assert fmt_change(missing, "vi") == MISSING


def test_numeric_text_and_ints_are_numbers():
    assert not is_missing("12.5")
    assert fmt_number("12.5", "vi") == "12,5"
    assert fmt_number(3, "vi") == "3"


def test_unknown_language_falls_back_to_vietnamese():
    assert fmt_number(1234.5, "fr") == "1.234,5"


def test_percent():
    assert fmt_percent(12.5, "vi") == "12,5 %"
    assert fmt_percent(12.5, "en") == "12.5%"
    assert fmt_percent(99.6, "vi", 2) == "99,60 %"
    assert fmt_percent(-3.25, "vi", 1) == "−3,3 %"


@pytest.mark.parametrize(
    ("x", "unit", "lang", "expected"),
    [
        (12.5, "%", "vi", "12,5 %"),
        (12.5, " % ", "en", "12.5%"),
        (1234, "tỷ đồng", "vi", "1.234 tỷ đồng"),
        (1234.56, "tỷ đồng", "en", "1,234.6 tỷ đồng"),
        (6500, "doanh nghiệp", "vi", "6.500 doanh nghiệp"),
        (92.8, "điểm", "vi", "92,8 điểm"),
        (5.2, "", "vi", "5,2"),
        (5.2, None, "vi", "5,2"),
    ],
)
def test_fmt_value(x, unit, lang, expected):
    assert fmt_value(x, unit, lang) == expected


@pytest.mark.parametrize(
    ("x", "kwargs", "expected"),
    [
        (1.23, {}, "+1,2"),
        (-0.5, {}, MINUS + "0,5"),
        (0, {}, "0"),
        (-0.04, {"decimals": 1}, "0,0"),  # rounds to zero: no sign
        (1.23, {"arrows": True}, "▲ 1,2"),
        (-1234.5, {"arrows": True}, "▼ 1.234,5"),
        (2.5, {"unit": "%"}, "+2,5 %"),
        (-150, {"unit": "tỷ đồng"}, MINUS + "150 tỷ đồng"),
    ],
)
def test_fmt_change_vi(x, kwargs, expected):
    assert fmt_change(x, "vi", **kwargs) == expected


def test_fmt_change_en():
    assert fmt_change(2.5, "en", unit="%") == "+2.5%"
    assert fmt_change(-1234.5, "en") == MINUS + "1,234.5"


def test_default_decimals_by_magnitude():
    assert [default_decimals(x) for x in (0, 0.5, 0.05, 5, 50, 500, 5000, 50000)] == [0, 3, 4, 1, 1, 1, 1, 0]


def test_series_decimals_line_up():
    assert series_decimals([1.97, 2.6, 9.0]) == 1
    assert series_decimals([12000.0, 56834.2]) == 0
    assert series_decimals([50.0, 56834.2]) == 1  # a small value next to large ones keeps its digit
    assert series_decimals([1, 2, 3]) == 0  # counts stay whole
    assert series_decimals([0.81, 0.8241]) == 3
    assert series_decimals([]) == 0
    assert series_decimals([None, float("nan")]) == 0


def test_d3_format():
    assert d3_format([1.5, 2.25]) == ",.1~f"
    assert d3_format(decimals=2) == ",.2~f"
    assert d3_format([56834.0, 72500.0]) == ",.0~f"


def test_fmt_date():
    assert fmt_date(date(2025, 10, 4), "vi") == "04/10/2025"
    assert fmt_date(date(2025, 10, 4), "en") == "4 Oct 2025"
    assert fmt_date(None, "vi") == MISSING


def test_vega_locales():
    vi = vega_locale("vi")
    assert vi["number"] == {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}
    assert vega_locale("en")["number"]["decimal"] == "."
    assert vi["time"]["months"][8] == "Tháng 9"
    assert vi["time"]["shortDays"][0] == "CN"
    # a copy: a caller changing it does not change the module's locale
    vi["number"]["decimal"] = "?"
    assert NUMBER_LOCALES["vi"]["decimal"] == ","
    for lang in ("vi", "en"):
        time = vega_locale(lang)["time"]
        assert len(time["days"]) == len(time["shortDays"]) == 7
        assert len(time["months"]) == len(time["shortMonths"]) == 12
