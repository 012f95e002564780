"""The template offers what is due (CONTRACT §4 ``template``): hand-written expectations on a fixed day.

The fixture catalogue belongs to FIN; the day is Friday 20 November 2026. What each indicator has
reported is written below, and the expected offer is worked out by hand from the rule: the period
after the key's latest reported one, once it has begun; never reported: the latest period whose
due date (period end + deadline) has come.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import openpyxl
import pytest
from conftest import LOCALITIES, _indicator, write_catalogue_files

import settings
from loaders.catalogue_store import load_catalogue_into
from loaders.errors import UsageError
from loaders.ingest import submit_file
from loaders.template import UpToDate, build, offered_period, parse_periods, period_choices, write_template
from rules.calendar import Period, parse

TODAY = dt.date(2026, 11, 20)
COMMUNES = sorted(code for code, _, _ in LOCALITIES)  # 07210 07525 07537 07654 09295


def _catalogue() -> list[dict]:
    fin = dict(owner="FIN", unit="tỷ đồng", level="province", aggregation="none")
    return [
        _indicator("M15", "input", frequency="monthly", deadline_days=15, **fin),
        _indicator("M15B", "input", frequency="monthly", deadline_days=15, **fin),
        _indicator("Q20", "process", frequency="quarterly", deadline_days=20, **fin),
        _indicator("A60", "output", frequency="annual", deadline_days=60, **fin),
        _indicator("W3", "process", frequency="weekly", deadline_days=3, **fin),
        _indicator("C15", "output", "FIN", "tỷ đồng", "monthly", "commune", "sum", deadline_days=15),
        _indicator("H30", "outcome", "FIN", "tỷ đồng", "half_yearly", "commune", "none", deadline_days=30),
        _indicator("OFF_PCI", "composite", "OFF", "điểm", "annual", "province", "none"),  # another department's
    ]


REPORTED = [  # indicator, period, locality, value
    ("M15", "2026-08", "", 80),
    ("M15", "2026-09", "", 90.5),  # reported through September
    ("M15B", "2026-10", "", 100),  # reported through October
    ("Q20", "2026-Q3", "", 30),
    ("A60", "2026", "", 60),  # an early estimate of the running year: nothing open
    ("C15", "2026-10", "07210", 7),
    ("C15", "2026-09", "09295", 9),  # a month behind
    ("H30", "2026-H1", "", 300),
]


@pytest.fixture
def due_db(tmp_path):
    files = write_catalogue_files(tmp_path / "cat", _catalogue())
    path = tmp_path / "due.duckdb"
    load_catalogue_into(path, files.catalogue, files.departments, files.localities)
    data = tmp_path / "reported.csv"
    lines = ["indicator_code,period,locality_code,value"] + [f"{c},{p},{loc},{v}" for c, p, loc, v in REPORTED]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = submit_file(data, "FIN", db_path=path, now=dt.datetime(2026, 11, 2, 9))
    assert done.status == "accepted", [e.message for e in done.errors]
    return path


def _offers(template) -> list[tuple[str, str, str, str, str | None, float | None]]:
    return [
        (
            r.indicator_code,
            r.locality_code,
            str(r.period),
            r.due.isoformat(),
            None if r.last_period is None else str(r.last_period),
            r.last_value,
        )
        for r in template.rows
    ]


def test_each_key_is_offered_its_next_period_due_and_never_one_already_reported(due_db):
    template = build("FIN", due_db, TODAY)
    c15_never = [("C15", c, "2026-10", "2026-11-15", None, None) for c in ("07525", "07537", "07654")]
    assert _offers(template) == [
        ("M15", "", "2026-10", "2026-11-15", "2026-09", 90.5),  # through September on 20 November: October
        ("M15B", "", "2026-11", "2026-12-15", "2026-10", 100.0),  # through October: the running month
        ("Q20", "", "2026-Q4", "2027-01-20", "2026-Q3", 30.0),
        # A60: 2027 has not begun; left out
        ("W3", "", "2026-W46", "2026-11-18", None, None),  # never: week 46 (9-15 Nov) was due on 18 Nov
        ("C15", "07210", "2026-11", "2026-12-15", "2026-10", 7.0),
        *c15_never,
        ("C15", "09295", "2026-10", "2026-11-15", "2026-09", 9.0),  # the commune a month behind gets its month
        ("H30", "", "2026-H2", "2027-01-30", "2026-H1", 300.0),  # the province row first
        *[("H30", c, "2026-H1", "2026-07-30", None, None) for c in COMMUNES],  # communes never reported
    ]
    assert template.up_to_date == [
        UpToDate("A60", "Chỉ số A60", "Indicator A60", "annual", "tỷ đồng", Period(2026, "annual"), 60.0, 0)
    ]
    reported = {(c, p, loc) for c, p, loc, _ in REPORTED}
    assert not reported & {(r.indicator_code, str(r.period), r.locality_code) for r in template.rows}


def test_a_period_asked_for_lists_every_key_of_its_frequency_with_the_value_it_has(due_db):
    template = build("FIN", due_db, TODAY, parse_periods(["Tháng 9/2026"], TODAY))
    assert _offers(template) == [
        ("M15", "", "2026-09", "2026-10-15", "2026-09", 90.5),  # already reported: the value it would revise
        ("M15B", "", "2026-09", "2026-10-15", None, None),
        *[("C15", c, "2026-09", "2026-10-15", *(("2026-09", 9.0) if c == "09295" else (None, None))) for c in COMMUNES],
    ]
    assert template.up_to_date == []
    two = build("FIN", due_db, TODAY, parse_periods(["2026-08", "2026-Q2"], TODAY))
    assert {(r.indicator_code, str(r.period), r.last_period and str(r.last_period)) for r in two.rows} == {
        ("M15", "2026-08", "2026-08"),
        ("M15B", "2026-08", None),
        ("Q20", "2026-Q2", None),
        ("C15", "2026-08", None),
    }


@pytest.mark.parametrize(
    "frequency, days, last, today, expected",
    [
        ("monthly", 15, "2026-09", dt.date(2026, 11, 20), "2026-10"),
        ("monthly", 15, "2026-10", dt.date(2026, 11, 20), "2026-11"),  # the running month, due 15/12
        ("monthly", 15, "2026-11", dt.date(2026, 11, 20), None),  # December has not begun
        ("monthly", 15, None, dt.date(2026, 11, 15), "2026-10"),  # due today: offered
        ("monthly", 15, None, dt.date(2026, 11, 14), "2026-09"),
        ("quarterly", 20, "2025-Q4", dt.date(2026, 1, 1), "2026-Q1"),  # across the year
        ("weekly", 3, "2026-W53", dt.date(2027, 1, 4), "2027-W01"),  # 2026 has 53 ISO weeks
        ("annual", 60, None, dt.date(2026, 3, 1), "2025"),  # 2025 due 1 March 2026
        ("annual", 60, None, dt.date(2026, 2, 28), "2024"),
    ],
)
def test_offered_period(frequency, days, last, today, expected):
    found = offered_period(frequency, days, None if last is None else parse(last), today)
    assert (None if found is None else str(found)) == expected


def test_period_choices_are_the_running_period_and_those_before():
    assert [str(p) for p in period_choices("quarterly", TODAY)] == [
        "2026-Q4",
        "2026-Q3",
        "2026-Q2",
        "2026-Q1",
        "2025-Q4",
        "2025-Q3",
        "2025-Q2",
        "2025-Q1",
    ]
    assert [str(p) for p in period_choices("annual", TODAY)] == ["2026", "2025", "2024", "2023", "2022"]
    assert str(period_choices("monthly", TODAY)[-1]) == "2025-12"


@pytest.mark.parametrize(
    "texts, vi, en",
    [
        (["2026-13"], "Không đọc được kỳ '2026-13'", "Cannot read the period '2026-13'"),
        (["2026-12"], "chưa bắt đầu (hôm nay là 20/11/2026)", "has not begun (today is 20 Nov 2026)"),
        (["2026-09", "Tháng 10/2026"], "Hai kỳ tháng (2026-09 và 2026-10)", "Two monthly periods"),
    ],
)
def test_periods_asked_for_are_checked(texts, vi, en):
    with pytest.raises(UsageError) as caught:
        parse_periods(texts, TODAY)
    assert vi in caught.value.message_vi and en in caught.value.message_en


def test_a_frequency_the_department_does_not_report_is_a_usage_error(due_db):
    with pytest.raises(UsageError) as caught:
        build("HEA", due_db, TODAY, parse_periods(["2026-10"], TODAY))
    assert caught.value.message_vi == "Sở Y tế không có chỉ số nào báo cáo theo tháng (kỳ 2026-10)."
    assert caught.value.message_en == "Department of Health has no monthly indicator (period 2026-10)."


# --------------------------------------------------------------------------- filled as downloaded, submitted


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "INDICATORS_DB"}
    env["INDICATORS_TODAY"] = TODAY.isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "loaders", *args], cwd=settings.ROOT, capture_output=True, text=True, env=env
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _fill(path, note: str | None = None) -> int:
    """Fill every 'Giá trị' cell of a template as downloaded; returns the rows filled."""
    book = openpyxl.load_workbook(path)
    sheet = book["Số liệu"]
    header = [c.value for c in sheet[1]]
    value, remark = header.index("Giá trị") + 1, header.index("Ghi chú") + 1
    for r in range(2, sheet.max_row + 1):
        sheet.cell(r, value).value = 10 + r / 4
        if note:
            sheet.cell(r, remark).value = note
    book.save(path)
    return sheet.max_row - 1


def test_the_template_filled_as_downloaded_brings_only_new_values_through_the_command_line(due_db, tmp_path):
    out = tmp_path / "fin.xlsx"
    made = _cli("--db", str(due_db), "template", "--department", "fin", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert "15 dòng cần điền" in made.stdout and "15 rows to fill" in made.stdout
    assert "không có trong mẫu: A60" in made.stdout and "left out: A60" in made.stdout
    assert _fill(out, "số ước tính") == 15
    done = _cli("--db", str(due_db), "submit", str(out), "--department", "FIN", "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0, report["errors"]
    assert (report["status"], report["rows"], report["new_rows"], report["revised_rows"]) == ("accepted", 15, 15, 0)
    assert report["revisions"] == []
    # the next template offers the periods after those just reported
    assert _cli("--db", str(due_db), "template", "--department", "FIN", "--out", str(out)).returncode == 0
    again = {(r.indicator_code, r.locality_code, str(r.period)) for r in build("FIN", due_db, TODAY).rows}
    assert ("M15", "", "2026-11") in again and ("C15", "09295", "2026-11") in again
    assert ("W3", "", "2026-W47") in again  # the running week (16-22 Nov)


def test_a_period_asked_for_on_the_command_line(due_db, tmp_path):
    out = tmp_path / "fin_sep.xlsx"
    made = _cli("--db", str(due_db), "template", "--department", "FIN", "--out", str(out), "--period", "2026-09")
    assert made.returncode == 0, made.stderr
    assert "7 dòng cần điền (kỳ Tháng 9/2026)" in made.stdout and "7 rows to fill (Sep 2026)" in made.stdout
    sheet = openpyxl.load_workbook(out)["Số liệu"]
    first = {c.value: sheet.cell(2, i + 1).value for i, c in enumerate(sheet[1])}
    assert (first["Mã chỉ số"], first["Kỳ báo cáo"], first["Kỳ đã nộp gần nhất"], first["Số đã nộp gần nhất"]) == (
        "M15",
        "2026-09",
        "Tháng 9/2026",
        90.5,
    )
    guide = " ".join(str(c.value) for row in openpyxl.load_workbook(out)["Hướng dẫn"].iter_rows() for c in row)
    assert "Lập ngày 20/11/2026 cho kỳ Tháng 9/2026" in guide and "Made on 20 Nov 2026 for Sep 2026" in guide
    future = _cli("--db", str(due_db), "template", "--department", "FIN", "--out", str(out), "--period", "2027")
    assert future.returncode == 2 and "chưa bắt đầu" in future.stderr and "has not begun" in future.stderr


def test_a_department_with_nothing_to_report_still_gets_the_guide(due_db, tmp_path):
    out = tmp_path / "hea.xlsx"
    assert write_template("HEA", out, due_db, TODAY) == 0
    assert openpyxl.load_workbook(out).sheetnames == ["Số liệu", "Hướng dẫn"]
