"""Messages in the user's language and format (issue 9 item 4), outside the row checks of reading/validation.

Vietnamese counts and numbers as 1.234,5 and dates as dd/mm/yyyy; English counts with their plural
("1 problem in 1 row"); the command line's user named as the submitter, never None; the header as
the user wrote it.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_loaders_cli import csv_file, run

import db
from loaders.errors import en_count, en_date, vi_count, vi_date


@pytest.mark.parametrize(
    "n, singular, plural, expected",
    [
        (0, "row", None, "0 rows"),
        (1, "row", None, "1 row"),
        (2, "problem", None, "2 problems"),
        (1234, "problem", None, "1,234 problems"),
        (1, "locality", "localities", "1 locality"),
        (99, "locality", "localities", "99 localities"),
    ],
)
def test_english_counts(n, singular, plural, expected):
    assert en_count(n, singular, plural) == expected


def test_vietnamese_counts_and_dates():
    assert (vi_count(7), vi_count(1234567)) == ("7", "1.234.567")
    assert vi_date(dt.date(2026, 3, 5)) == "05/03/2026" and en_date(dt.date(2026, 3, 5)) == "5 Mar 2026"


def test_one_problem_in_one_row_on_the_command_line(tmp_path, catalogue_db):
    bad = csv_file(tmp_path, ["FIN_REV,2025-09,,abc"])
    done = run("--db", str(catalogue_db), "submit", str(bad), "--department", "FIN")
    assert done.returncode == 1
    assert "bị từ chối: 1 lỗi trong 1 dòng" in done.stdout
    assert "s.csv was rejected: 1 problem in 1 row; nothing was written." in done.stdout
    good = csv_file(tmp_path, ["FIN_REV,2025-09,,1234.5"], "one.csv")
    checked = run("--db", str(catalogue_db), "submit", str(good), "--department", "FIN", "--check")
    assert "Checked one.csv: valid, 1 row (1 new, 0 revised)." in checked.stdout
    done = run("--db", str(catalogue_db), "submit", str(good), "--department", "FIN")
    assert "Đã nhận tệp one.csv: 1 dòng (1 mới, 0 sửa đổi)" in done.stdout
    assert "Accepted one.csv: 1 row (1 new, 0 revised)" in done.stdout
    again = run("--db", str(catalogue_db), "submit", str(good), "--department", "FIN")
    assert "Nothing changed: one.csv (1 row) was already loaded" in again.stdout


def test_the_command_lines_user_is_recorded_as_the_submitter(tmp_path, catalogue_db):
    good = csv_file(tmp_path, ["FIN_REV,2025-09,,12"])
    assert run("--db", str(catalogue_db), "submit", str(good), "--department", "FIN").returncode == 0
    named = csv_file(tmp_path, ["FIN_REV,2025-08,,11"], "named.csv")
    assert (
        run("--db", str(catalogue_db), "submit", str(named), "--department", "FIN", "--by", "Nguyễn Văn A").returncode
        == 0
    )
    found = db.query("SELECT file_name, submitted_by FROM submissions ORDER BY id", None, catalogue_db)
    who = dict(found.iter_rows())
    assert who["s.csv"].startswith("cli:") and len(who["s.csv"]) > 4  # the server's user, as /audit names it
    assert who["named.csv"] == "Nguyễn Văn A"
    actors = db.query("SELECT actor FROM audit_log WHERE action = 'submission' ORDER BY id", None, catalogue_db)
    assert None not in actors["actor"].to_list()


def test_the_report_names_the_header_the_user_wrote(tmp_path, catalogue_db):
    path = tmp_path / "vn.csv"
    path.write_text("Mã chỉ số,KỲ BÁO CÁO,GIÁ TRỊ\nFIN_REV,2025-09,abc\n", encoding="utf-8")
    done = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--json")
    assert [e["column"] for e in json.loads(done.stdout)["errors"]] == ["GIÁ TRỊ"]


def test_the_demo_files_report_their_headers_as_the_template_writes_them(demo_db):
    """The demo's rejected workbooks were recorded with the column 'value' (the internal key)."""
    reports = db.query("SELECT errors FROM submissions WHERE status = 'rejected'", None, demo_db)
    columns = {e["column"] for text in reports["errors"] for e in json.loads(text)}
    assert columns and columns <= {"Mã chỉ số", "Kỳ báo cáo", "Mã địa bàn", "Giá trị", "Ghi chú", None}


def test_catalogue_and_export_counts(tmp_path, catalogue_files, catalogue_db):
    files = ["--catalogue", str(catalogue_files.catalogue), "--departments", str(catalogue_files.departments)]
    done = run("--db", str(tmp_path / "new.duckdb"), "init", *files, "--localities", str(catalogue_files.localities))
    assert "9 chỉ số, 4 sở/ngành, 5 xã/phường" in done.stdout
    assert "9 indicators, 4 departments, 5 localities" in done.stdout
    out = tmp_path / "dept.csv"
    exported = run("--db", str(catalogue_db), "export", "departments", "--format", "csv", "--out", str(out))
    assert (
        "Đã xuất 4 bản ghi (departments)" in exported.stdout and "Exported 4 records (departments)" in exported.stdout
    )


def test_every_table_of_files_names_the_command_line_in_words(tmp_path, catalogue_db):
    from dashboard.views import department, files
    from db import queries

    good = csv_file(tmp_path, ["FIN_REV,2025-09,,12"])
    assert run("--db", str(catalogue_db), "submit", str(good), "--department", "FIN").returncode == 0
    user = queries.submissions(catalogue_db, "FIN")["submitted_by"][0][4:]
    for lang, words in (("vi", f"Dòng lệnh trên máy chủ ({user})"), ("en", f"Command line on the server ({user})")):
        by_department = department.submissions_table(queries.submissions(catalogue_db, "FIN"), lang).display
        by_indicator = files.submissions_table(queries.indicator_submissions(catalogue_db, "FIN_REV"), lang).display
        for table in (by_department, by_indicator):
            column = "Người nộp" if lang == "vi" else "Submitted by"
            assert table[column].to_list() == [words]
