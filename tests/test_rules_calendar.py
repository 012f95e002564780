from datetime import date

import pytest

from rules import calendar as P


@pytest.mark.parametrize(
    "text, canonical, start, end",
    [
        ("2025", "2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-H1", "2025-H1", date(2025, 1, 1), date(2025, 6, 30)),
        ("2025-H2", "2025-H2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2025-Q3", "2025-Q3", date(2025, 7, 1), date(2025, 9, 30)),
        ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-W36", "2025-W36", date(2025, 9, 1), date(2025, 9, 7)),
        ("2026-W53", "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        (" 2025-09 ", "2025-09", date(2025, 9, 1), date(2025, 9, 30)),
    ],
)
def test_canonical_periods(text, canonical, start, end):
    p = P.parse(text)
    assert (str(p), p.start, p.end) == (canonical, start, end)


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025-Q5", "2025-H3", "2025-W54", "2025-W53", "25-09", "", "x"])
def test_invalid_canonical(text):
    assert P.parse(text) is None


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("Tháng 9/2025", "2025-09"),
        ("tháng 12/2024", "2024-12"),
        ("Quý III/2025", "2025-Q3"),
        ("Quý IV/2024", "2024-Q4"),
        ("Quý 2/2025", "2025-Q2"),
        ("6 tháng đầu năm 2025", "2025-H1"),
        ("6 tháng cuối năm 2025", "2025-H2"),
        ("Năm 2025", "2025"),
        ("Tuần 36/2025", "2025-W36"),
        ("2025-09", "2025-09"),
    ],
)
def test_vietnamese_forms(text, canonical):
    assert str(P.parse_any(text)) == canonical


@pytest.mark.parametrize("text", ["Tháng 13/2025", "Quý V/2025", "Tuần 60/2025", "9 tháng 2025"])
def test_vietnamese_forms_rejected(text):
    assert P.parse_any(text) is None


@pytest.mark.parametrize(
    "day, frequency, expected",
    [
        (date(2025, 9, 17), "monthly", "2025-09"),
        (date(2025, 9, 17), "quarterly", "2025-Q3"),
        (date(2025, 9, 17), "half_yearly", "2025-H2"),
        (date(2025, 9, 17), "annual", "2025"),
        (date(2025, 9, 17), "weekly", "2025-W38"),
        (date(2027, 1, 1), "weekly", "2026-W53"),
    ],
)
def test_period_containing_a_date(day, frequency, expected):
    assert str(P.containing(day, frequency)) == expected


def test_shift_and_same_period_last_year():
    assert str(P.shift(P.parse("2025-01"), -1)) == "2024-12"
    assert str(P.shift(P.parse("2025-Q1"), -1)) == "2024-Q4"
    assert str(P.shift(P.parse("2025-W01"), -1)) == "2024-W52"
    assert str(P.shift(P.parse("2026-W52"), 1)) == "2026-W53"
    assert str(P.same_period_last_year(P.parse("2025-09"))) == "2024-09"
    assert str(P.same_period_last_year(P.parse("2027-W10"))) == "2026-W10"
    # 2025 has 52 weeks: week 53 of 2026 compares with week 52 of 2025
    assert str(P.same_period_last_year(P.parse("2026-W53"))) == "2025-W52"


def test_latest_due_and_between():
    today = date(2026, 11, 26)
    assert str(P.latest_due("monthly", 15, today)) == "2026-10"
    assert str(P.latest_due("monthly", 30, today)) == "2026-09"
    assert str(P.latest_due("annual", 60, today)) == "2025"
    assert str(P.latest_due("quarterly", 20, today)) == "2026-Q3"
    assert P.due_date(P.parse("2026-10"), 15) == date(2026, 11, 15)
    months = P.between(P.parse("2025-11"), P.parse("2026-02"))
    assert [str(p) for p in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_labels_in_both_languages():
    p = P.parse("2025-Q3")
    assert P.label(p, "vi") == "Quý III/2025"
    assert P.label(p, "en") == "Q3 2025"
    assert P.label(P.parse("2025-H1"), "vi") == "6 tháng đầu năm 2025"
    assert P.label(P.parse("2025-09"), "en") == "Sep 2025"
