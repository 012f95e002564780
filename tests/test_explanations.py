"""Explanations asked and answered: the writes (rights, audit, checks), the named query, the pages' text pieces."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime

import duckdb
import polars as pl
import pytest

import db
from auth.accounts import Account, add_account, disable_account, get_account
from auth.audit import read_audit
from auth.errors import PermissionDenied
from dashboard.views import explanations as view
from db import queries
from loaders import explanations as write
from loaders.errors import UsageError
from rules import explanations as rule
from tests.fixtures_db import Obs, build, indicator

NOW = datetime(2026, 11, 26, 9, 30)
PASSWORD = "mat-khau-du-dai-2026"


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    """Two indicators of two departments, a leader, an analyst, an admin and one account per department (argon2
    hashes are slow: built once, copied per test)."""
    file = build(
        tmp_path_factory.mktemp("explanations") / "db.duckdb",
        [indicator("A", owner="STC"), indicator("B", owner="SYT", frequency="quarterly")],
        [Obs("A", "2026-10", 5.0), Obs("B", "2026-Q3", 7.0)],
    )
    for name, role, dept in [
        ("lanhdao", "leader", None),
        ("phantich", "analyst", None),
        ("quantri", "admin", None),
        ("stc", "submitter", "STC"),
        ("syt", "submitter", "SYT"),
    ]:
        add_account(file, name, role, PASSWORD, department=dept)
    return file


@pytest.fixture
def path(_template, tmp_path):
    copy = tmp_path / "db.duckdb"
    shutil.copyfile(_template, copy)
    return copy


def _acct(path, name):
    return get_account(path, name)


def test_a_leader_asks_the_owner_and_the_owner_answers(path):
    made = write.ask(
        path, _acct(path, "lanhdao"), "a", "2026-10", "Vì sao giảm?\nĐề nghị làm rõ.", date(2026, 12, 3), NOW
    )
    assert (made.indicator_code, made.period, made.department) == ("A", "2026-10", "STC")
    asked = queries.explanations(path, ["A"])
    assert asked.height == 1
    row = asked.row(0, named=True)
    assert (row["note"], row["asked_by"], row["answer"]) == ("Vì sao giảm?\nĐề nghị làm rõ.", "lanhdao", None)
    assert rule.counts(asked, date(2026, 11, 26))["open"] == 1
    assert rule.counts(asked, date(2026, 12, 4))["overdue"] == 1

    write.answer(path, _acct(path, "stc"), made.id, "Do giá nguyên liệu tăng.", datetime(2026, 11, 28, 10))
    row = queries.explanations(path, department="STC").row(0, named=True)
    assert (row["answer"], row["answered_by"]) == ("Do giá nguyên liệu tăng.", "stc")
    assert rule.counts(queries.explanations(path), date(2026, 12, 30))["answered"] == 1

    log = read_audit(path, action=[write.ASKED, write.ANSWERED])
    assert sorted(log["action"].to_list()) == [write.ANSWERED, write.ASKED]
    assert set(log["actor"].to_list()) == {"lanhdao", "stc"}
    details = [json.loads(d) for d in log["detail"].to_list()]
    assert all(d["request_id"] == made.id and d["indicator"] == "A" for d in details)


@pytest.mark.parametrize("who", ["phantich", "stc", "syt"])
def test_only_leaders_and_admins_ask_and_a_refusal_is_audited(path, who):
    with pytest.raises(PermissionDenied):
        write.ask(path, _acct(path, who), "A", "2026-10", "Giải trình", date(2026, 12, 3), NOW)
    assert queries.explanations(path).is_empty()
    refused = read_audit(path, action=write.DENIED)
    assert refused.height == 1 and refused["actor"][0] == who
    write.ask(path, _acct(path, "quantri"), "A", "2026-10", "Giải trình", date(2026, 12, 3), NOW)  # an admin may


def test_only_the_owner_department_answers_and_only_once(path):
    made = write.ask(path, _acct(path, "lanhdao"), "B", "2026-Q3", "Giải trình", date(2026, 12, 3), NOW)
    for who in ("stc", "lanhdao", "phantich"):
        with pytest.raises(PermissionDenied):
            write.answer(path, _acct(path, who), made.id, "Trả lời thay", NOW)
    assert read_audit(path, action=write.DENIED).height == 3
    assert queries.explanations(path)["answer"][0] is None
    write.answer(path, _acct(path, "syt"), made.id, "Trả lời", NOW)
    with pytest.raises(UsageError):
        write.answer(path, _acct(path, "syt"), made.id, "Lần hai", NOW)
    assert queries.explanations(path)["answer"][0] == "Trả lời"


def test_the_account_is_read_again_inside_the_door(path):
    """A session opened before the account was disabled or moved answers nothing."""
    made = write.ask(path, _acct(path, "lanhdao"), "A", "2026-10", "Giải trình", date(2026, 12, 3), NOW)
    stale = _acct(path, "stc")
    disable_account(path, "stc", actor="quantri")
    with pytest.raises(PermissionDenied):
        write.answer(path, stale, made.id, "Trả lời", NOW)
    forged = Account(username="syt", role="submitter", department="STC")  # claims STC, is SYT in the database
    with pytest.raises(PermissionDenied):
        write.answer(path, forged, made.id, "Trả lời", NOW)
    with pytest.raises(PermissionDenied):
        write.ask(path, None, "A", "2026-10", "Giải trình", date(2026, 12, 3), NOW)


@pytest.mark.parametrize(
    ("code", "period", "note", "due"),
    [
        ("ZZ", "2026-10", "x", date(2026, 12, 3)),  # no such indicator
        ("A", "2026-Q3", "x", date(2026, 12, 3)),  # not A's frequency (monthly)
        ("A", "2027-01", "x", date(2026, 12, 3)),  # a future period
        ("A", "Tháng 10", "x", date(2026, 12, 3)),  # not a period
        ("A", "2026-10", "   \n ", date(2026, 12, 3)),  # nothing asked
        ("A", "2026-10", "x" * (write.NOTE_MAX + 1), date(2026, 12, 3)),
        ("A", "2026-10", "x", date(2026, 11, 25)),  # due before today
    ],
)
def test_bad_requests_are_refused_in_words_and_nothing_is_written(path, code, period, note, due):
    with pytest.raises(UsageError) as caught:
        write.ask(path, _acct(path, "lanhdao"), code, period, note, due, NOW)
    assert caught.value.message_vi and caught.value.message_en
    assert queries.explanations(path).is_empty()
    assert read_audit(path, action=write.ASKED).is_empty()


def test_control_characters_become_spaces_and_line_breaks_stay():
    assert write.clean_text(" a\x1b[31mb\r\nc\t ", 100, "x", "x") == "a [31mb\nc"


def test_a_file_not_written_since_the_table_was_added_has_no_requests(path):
    with duckdb.connect(str(path)) as con:  # a file from before the table: no table, no sequence
        con.execute("DROP TABLE explanations; DROP SEQUENCE explanation_ids")
    got = queries.explanations(path)
    assert got.is_empty() and got.columns == list(queries.EXPLANATION_SCHEMA)  # not "damaged"
    db.migrate(path)  # any write connection adds the table
    assert queries.explanations(path).is_empty()
    write.ask(path, _acct(path, "lanhdao"), "A", "2026-10", "Giải trình", date(2026, 12, 3), NOW)
    assert queries.explanations(path).height == 1


# --------------------------------------------------------------------------- what the pages show


def _asked(answer: str | None = None, note: str = "Đề nghị <b>làm rõ</b> [link](http://x) **đậm**") -> pl.DataFrame:
    frame = pl.DataFrame(
        [
            {
                "id": 7,
                "indicator_code": "A",
                "name_vi": "Chỉ số A",
                "name_en": "Indicator A",
                "period": "2026-10",
                "department": "STC",
                "department_name_vi": "Sở Tài chính",
                "department_name_en": "Department of Finance",
                "note": note,
                "due_date": date(2026, 12, 3),
                "asked_by": "lanhdao",
                "asked_at": datetime(2026, 11, 26, 9),
                "answer": answer,
                "answered_by": "stc" if answer else None,
                "answered_at": datetime(2026, 12, 5, 8) if answer else None,
            }
        ],
        schema=queries.EXPLANATION_SCHEMA,
    )
    return rule.with_state(frame, date(2026, 12, 10))


def test_notes_and_answers_are_shown_as_text_never_as_html():
    html = view.items_html(_asked("Trả lời <script>alert(1)</script>\ndòng hai"), "vi")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;làm rõ&lt;/b&gt;" in html and "<b>làm rõ</b>" not in html
    assert "dòng hai" in html and "<br>dòng hai" in html
    assert "Đã trả lời" in html and "trả lời sau hạn" in html  # answered on 5/12, due 3/12


def test_the_slide_line_says_the_answer_or_where_the_request_stands():
    assert view.slide_text(_asked("Do giá tăng."), "2026-10", "vi") == "Giải trình (Tháng 10/2026): Do giá tăng."
    assert view.slide_text(_asked(None), "2026-10", "vi") == (
        "Đã đề nghị giải trình (Tháng 10/2026): quá hạn trả lời, hạn 03/12/2026"
    )
    assert view.slide_text(_asked("Do giá tăng."), "2026-09", "vi") == ""  # another period: nothing on this slide
    long = view.slide_text(_asked("x" * 500), "2026-10", "en")
    assert long.startswith("Explanation (Oct 2026): x") and long.endswith("…") and len(long) < 260
