"""Storing a submission (CONTRACT §3): whole or nothing, revisions with history, the same file twice."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

import db
from loaders.errors import UsageError
from loaders.ingest import ingest_frame, submit_file

NOW = dt.datetime(2025, 10, 20, 9, 30)
LATER = dt.datetime(2025, 10, 27, 16, 0)
TABLES = ("observations", "observation_history", "submissions", "audit_log")


def csv(tmp_path, name, rows, header="indicator_code;period;locality_code;value;note"):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def counts(path) -> dict[str, int]:
    with db.read(path) as con:
        out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        out["audit_log"] -= con.execute("SELECT count(*) FROM audit_log WHERE action = 'catalogue_load'").fetchone()[0]
        return out


def current(path) -> dict[tuple, float]:
    with db.read(path) as con:
        rows = con.execute("SELECT indicator_code, period, locality_code, value FROM observations").fetchall()
    return {r[:3]: r[3] for r in rows}


FIRST = [
    ["FIN_REV", "2025-09", "", "1.234,5", "ước tính"],
    ["FIN_REV", "Tháng 8/2025", "", "1000", ""],
    ["FIN_DISB", "2025-W36", "", "12,5%", ""],
]


def test_accepted_file_is_stored_with_its_submission_and_audit(tmp_path, catalogue_db):
    path = csv(tmp_path, "fin.csv", FIRST)
    result = submit_file(path, "fin", db_path=catalogue_db, submitted_by="an", now=NOW)
    assert (result.status, result.rows, result.new_rows, result.revised_rows, result.errors) == (
        "accepted",
        3,
        3,
        0,
        [],
    )
    assert result.submission_id is not None
    with db.read(catalogue_db) as con:
        rows = con.execute(
            "SELECT indicator_code, period, period_start, period_end, locality_code, value, note, department, "
            "submission_id, submitted_at FROM observations ORDER BY period"
        ).fetchall()
        assert rows[0] == (
            "FIN_REV",
            "2025-08",
            dt.date(2025, 8, 1),
            dt.date(2025, 8, 31),
            "",
            1000.0,
            None,
            "FIN",
            result.submission_id,
            NOW,
        )
        assert rows[1][:7] == ("FIN_REV", "2025-09", dt.date(2025, 9, 1), dt.date(2025, 9, 30), "", 1234.5, "ước tính")
        assert rows[2][:6] == ("FIN_DISB", "2025-W36", dt.date(2025, 9, 1), dt.date(2025, 9, 7), "", 12.5)
        assert con.execute("SELECT count(*) FROM observation_history").fetchone()[0] == 3
        submission = con.execute(
            "SELECT department, file_name, length(file_hash), submitted_at, submitted_by, status, rows, new_rows, "
            "revised_rows, errors::VARCHAR FROM submissions"
        ).fetchall()
        assert submission == [("FIN", "fin.csv", 64, NOW, "an", "accepted", 3, 3, 0, "[]")]
        audit = con.execute(
            "SELECT actor, action, target, detail FROM audit_log WHERE action <> 'catalogue_load' ORDER BY id"
        ).fetchall()
        assert [(a[0], a[1], a[2]) for a in audit] == [("an", "submission", "FIN")]
        assert json.loads(audit[0][3])["submission_id"] == result.submission_id


def test_revision_replaces_the_current_value_and_keeps_the_old_one_in_history(tmp_path, catalogue_db):
    first = submit_file(csv(tmp_path, "a.csv", FIRST), "FIN", db_path=catalogue_db, now=NOW)
    second_rows = [
        ["FIN_REV", "2025-09", "", "1300", "số chính thức"],  # revised
        ["FIN_REV", "2025-08", "", "1000", ""],  # same value: a no-op
        ["FIN_REV", "2025-07", "", "900", ""],  # new
    ]
    second = submit_file(csv(tmp_path, "b.csv", second_rows), "FIN", db_path=catalogue_db, now=LATER)
    assert (second.status, second.rows, second.new_rows, second.revised_rows) == ("accepted", 3, 1, 1)
    assert current(catalogue_db)[("FIN_REV", "2025-09", "")] == 1300.0
    with db.read(catalogue_db) as con:
        history = con.execute(
            "SELECT value, submission_id, submitted_at FROM observation_history "
            "WHERE indicator_code = 'FIN_REV' AND period = '2025-09' ORDER BY submitted_at"
        ).fetchall()
        assert history == [(1234.5, first.submission_id, NOW), (1300.0, second.submission_id, LATER)]
        kept = con.execute(
            "SELECT submission_id FROM observations WHERE indicator_code = 'FIN_REV' AND period = '2025-08'"
        ).fetchall()
        assert kept == [(first.submission_id,)]  # the no-op row keeps the submission that set it
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == 4
        assert con.execute("SELECT count(*) FROM observation_history").fetchone()[0] == 5
        revision = con.execute("SELECT detail FROM audit_log WHERE action = 'revision'").fetchall()
        assert [json.loads(r[0]) for r in revision] == [{"submission_id": second.submission_id, "count": 1}]


def test_same_file_twice_changes_nothing(tmp_path, catalogue_db):
    path = csv(tmp_path, "fin.csv", FIRST)
    first = submit_file(path, "FIN", db_path=catalogue_db, now=NOW)
    before = counts(catalogue_db)
    again = submit_file(path, "FIN", db_path=catalogue_db, now=LATER)
    assert (again.status, again.rows, again.submission_id) == ("unchanged", 3, first.submission_id)
    assert counts(catalogue_db) == before


def test_a_file_whose_values_are_all_current_changes_nothing(tmp_path, catalogue_db):
    submit_file(csv(tmp_path, "a.csv", FIRST), "FIN", db_path=catalogue_db, now=NOW)
    before = counts(catalogue_db)
    same_values = [["FIN_REV", "2025-09", "", "1234.5", ""], ["FIN_DISB", "Tuần 36/2025", "", "12.5", ""]]
    result = submit_file(csv(tmp_path, "b.csv", same_values), "FIN", db_path=catalogue_db, now=LATER)
    assert (result.status, result.new_rows, result.revised_rows, result.submission_id) == ("unchanged", 0, 0, None)
    assert counts(catalogue_db) == before


def test_rejected_file_writes_no_observation_and_is_recorded_with_its_report(tmp_path, catalogue_db):
    rows = FIRST + [["IND_RETAIL", "2025-09", "07210", "5", ""], ["FIN_REV", "2025-06", "", "1,234", ""]]
    result = submit_file(csv(tmp_path, "bad.csv", rows), "FIN", db_path=catalogue_db, submitted_by="an", now=NOW)
    assert (result.status, result.rows) == ("rejected", 5)
    assert [(e.row, e.column) for e in result.errors] == [(5, "indicator_code"), (6, "value")]
    assert counts(catalogue_db)["observations"] == 0
    assert counts(catalogue_db)["observation_history"] == 0
    with db.read(catalogue_db) as con:
        status, n, report = con.execute("SELECT status, rows, errors FROM submissions").fetchone()
        actions = con.execute("SELECT action, detail FROM audit_log WHERE action <> 'catalogue_load'").fetchall()
    assert (status, n) == ("rejected", 5)
    report = json.loads(report)
    assert [(e["row"], e["column"], e["value"]) for e in report] == [
        (5, "indicator_code", "IND_RETAIL"),
        (6, "value", "1,234"),
    ]
    assert set(report[0]) == {"row", "column", "value", "message_vi", "message_en"}
    assert [a[0] for a in actions] == ["submission"] and json.loads(actions[0][1])["status"] == "rejected"


CODES = [f"{10_000 + 7 * i:05d}" for i in range(40)]  # forty communes: 250 months x 40 = 10,000 keys from 2000 on


@pytest.fixture
def forty_communes_db(tmp_path):
    from conftest import write_catalogue_files

    from loaders.catalogue_store import load_catalogue_into

    files = write_catalogue_files(tmp_path / "forty", localities=[(c, f"Xã {c}", "xa") for c in CODES])
    path = tmp_path / "forty.duckdb"
    load_catalogue_into(path, files.catalogue, files.departments, files.localities)
    return path


def ten_thousand_rows() -> list[list[str]]:
    return [
        ["IND_RETAIL", f"{2000 + m // 12}-{m % 12 + 1:02d}", CODES[i], str(m * 100 + i), ""]
        for m in range(250)
        for i in range(40)
    ]


def test_one_bad_row_among_ten_thousand_writes_nothing(tmp_path, forty_communes_db):
    catalogue_db = forty_communes_db
    rows = ten_thousand_rows()
    rows[7321][3] = "12,34,5"
    good = submit_file(
        csv(tmp_path, "prior.csv", [["IND_RETAIL", "2025-09", CODES[0], "1", ""]]), "IND", db_path=catalogue_db, now=NOW
    )
    assert good.status == "accepted"
    before = counts(catalogue_db)
    result = submit_file(csv(tmp_path, "big.csv", rows), "IND", db_path=catalogue_db, now=NOW)
    assert (result.status, result.rows) == ("rejected", 10_000)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(7323, "value", "12,34,5")]
    after = counts(catalogue_db)
    assert after["observations"] == before["observations"] == 1
    assert after["observation_history"] == before["observation_history"]
    assert after["submissions"] == before["submissions"] + 1


def test_ten_thousand_good_rows_are_accepted(tmp_path, forty_communes_db):
    result = submit_file(csv(tmp_path, "big.csv", ten_thousand_rows()), "IND", db_path=forty_communes_db, now=NOW)
    assert (result.status, result.new_rows) == ("accepted", 10_000)
    assert current(forty_communes_db)[("IND_RETAIL", "2000-02", CODES[1])] == 101.0


def test_unreadable_file_is_rejected_and_recorded(tmp_path, catalogue_db):
    path = tmp_path / "s.csv"
    path.write_bytes(b"\x00\x01\x02garbage")
    result = submit_file(path, "FIN", db_path=catalogue_db, now=NOW)
    assert result.status == "rejected" and result.rows == 0 and result.errors
    assert counts(catalogue_db)["submissions"] == 1


def test_unknown_department_and_missing_file_are_usage_errors(tmp_path, catalogue_db):
    with pytest.raises(UsageError) as caught:
        submit_file(csv(tmp_path, "a.csv", FIRST), "NOPE", db_path=catalogue_db, now=NOW)
    assert "FIN, HEA, IND, OFF" in caught.value.message_en and "NOPE" in caught.value.message_vi
    with pytest.raises(UsageError):
        submit_file(tmp_path / "missing.csv", "FIN", db_path=catalogue_db, now=NOW)
    assert counts(catalogue_db) == dict.fromkeys(TABLES, 0)


def demo_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_code": ["IND_ENT", "IND_ENT", "IND_ENT"],
            "period": ["2025-H1", "2025-H1", "2025-H1"],
            "locality_code": ["", None, "07210"],
            "value": [10.0, 10.0, 4.0],
            "note": [None, None, "demo"],
        },
        schema={
            "indicator_code": pl.Utf8,
            "period": pl.Utf8,
            "locality_code": pl.Utf8,
            "value": pl.Float64,
            "note": pl.Utf8,
        },
    )


def test_ingest_frame_takes_the_demo_generators_frames(catalogue_db):
    with db.write(catalogue_db) as con:
        result = ingest_frame(
            con, demo_frame(), "IND", file_name="demo.xlsx", file_hash="h1", submitted_at=NOW, submitted_by="demo"
        )
        assert (result.status, result.rows, result.new_rows) == ("accepted", 3, 2)  # '' and null: the same key
        again = ingest_frame(con, demo_frame(), "IND", file_name="demo.xlsx", file_hash="h1", submitted_at=LATER)
        assert again.status == "unchanged"
    assert current(catalogue_db) == {("IND_ENT", "2025-H1", ""): 10.0, ("IND_ENT", "2025-H1", "07210"): 4.0}


def test_ingest_frame_joins_the_callers_transaction(catalogue_db):
    with db.write(catalogue_db) as con:
        con.begin()
        result = ingest_frame(con, demo_frame(), "IND", file_name="d", file_hash="h", submitted_at=NOW)
        assert result.status == "accepted"
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == 2
        con.rollback()
    assert counts(catalogue_db) == dict.fromkeys(TABLES, 0)


def test_ingest_frame_without_a_required_column_is_rejected(catalogue_db):
    with db.write(catalogue_db) as con:
        result = ingest_frame(con, demo_frame().drop("period"), "IND", file_name="d", file_hash="h", submitted_at=NOW)
    assert result.status == "rejected" and result.errors[0].column == "Kỳ báo cáo (period)"
    assert counts(catalogue_db)["observations"] == 0


def test_result_json_shape(tmp_path, catalogue_db):
    result = submit_file(
        csv(tmp_path, "bad.csv", [["NOPE", "2025-09", "", "1", ""]]), "FIN", db_path=catalogue_db, now=NOW
    )
    out = result.to_dict()
    assert list(out) == ["status", "rows", "new_rows", "revised_rows", "submission_id", "errors", "revisions"]
    assert out["errors"][0] == {
        "row": 2,
        "column": "indicator_code",
        "value": "NOPE",
        "message": "Mã chỉ số 'NOPE' không có trong danh mục. / Indicator code 'NOPE' is not in the catalogue.",
        "message_vi": "Mã chỉ số 'NOPE' không có trong danh mục.",
        "message_en": "Indicator code 'NOPE' is not in the catalogue.",
    }


def _write_every_format(tmp_path) -> dict[str, object]:
    """The same three rows as .csv (BOM, ';'), .xlsx (typed cells), .parquet and .json."""
    import xlsxwriter

    out = {}
    path = tmp_path / "same.csv"
    path.write_bytes(
        "\ufeffGhi chú;Giá trị;Kỳ báo cáo;MÃ CHỈ SỐ;Mã địa bàn\n"
        ";1.234,5;Tháng 9/2025;FIN_REV;\n;12,5%;Tuần 36/2025;fin_disb;\n;-2,5;Quý III/2025;FIN_GROWTH;\n".encode()
    )
    out["csv"] = path
    path = tmp_path / "same.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Mã chỉ số", "Kỳ báo cáo", "Giá trị", "Tên chỉ số"])
    sheet.write_row(1, 0, ["FIN_REV", "2025-09", 1234.5, "Thu ngân sách"])
    sheet.write_string(2, 0, "FIN_DISB")
    sheet.write_datetime(2, 1, dt.datetime(2025, 9, 3), book.add_format({"num_format": "dd/mm/yyyy"}))
    sheet.write_number(2, 2, 0.125, book.add_format({"num_format": "0.0%"}))
    sheet.write_row(3, 0, ["FIN_GROWTH", "2025-Q3", -2.5])
    book.close()
    out["xlsx"] = path
    frame = pl.DataFrame(
        {
            "indicator_code": ["FIN_REV", "FIN_DISB", "FIN_GROWTH"],
            "period": ["2025-09", "2025-W36", "2025-Q3"],
            "value": [1234.5, 12.5, -2.5],
        }
    )
    frame.write_parquet(tmp_path / "same.parquet")
    out["parquet"] = tmp_path / "same.parquet"
    (tmp_path / "same.json").write_text(json.dumps(frame.to_dicts()), encoding="utf-8")
    out["json"] = tmp_path / "same.json"
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "json"])
def test_every_format_stores_the_same_values(tmp_path, catalogue_db, fmt):
    path = _write_every_format(tmp_path)[fmt]
    result = submit_file(path, "FIN", db_path=catalogue_db, now=NOW)
    assert (result.status, result.rows) == ("accepted", 3), [e.message for e in result.errors]
    assert current(catalogue_db) == {
        ("FIN_REV", "2025-09", ""): 1234.5,
        ("FIN_DISB", "2025-W36", ""): 12.5,
        ("FIN_GROWTH", "2025-Q3", ""): -2.5,
    }


# --------------------------------------------------------------------------- two steps: check, then write


def one_row(tmp_path, name: str, value: str, period: str = "2025-09", note: str = "") -> object:
    return csv(tmp_path, name, [["FIN_REV", period, "", value, note]])


def test_preview_writes_nothing_and_shows_new_values_and_revisions(tmp_path, catalogue_db):
    from loaders.ingest import Revision, preview_file

    submit_file(csv(tmp_path, "a.csv", FIRST), "FIN", db_path=catalogue_db, now=NOW)  # 09: 1234.5, 08: 1000
    before, version = counts(catalogue_db), db.data_version(catalogue_db)
    rows = [
        ["FIN_REV", "2025-09", "", "1300", "số chính thức"],  # revises 1234.5
        ["FIN_REV", "2025-08", "", "1000", ""],  # equal: a no-op
        ["FIN_REV", "2025-07", "", "900", ""],  # new
        ["FIN_DISB", "2025-W36", "", "13", ""],  # revises 12.5
    ]
    preview = preview_file(csv(tmp_path, "b.csv", rows), "fin", db_path=catalogue_db, now=LATER)
    assert (preview.status, preview.rows, preview.new_rows, preview.revised_rows) == ("accepted", 4, 1, 2)
    assert preview.revisions == [
        Revision("FIN_REV", "2025-09", "", 1234.5, 1300.0),
        Revision("FIN_DISB", "2025-W36", "", 12.5, 13.0),
    ]
    assert preview.new_values().rows() == [("FIN_REV", "2025-07", "", 900.0, None)]
    report = preview.result().to_dict()
    assert (report["status"], report["submission_id"]) == ("accepted", None)
    assert report["revisions"][0] == {
        "indicator_code": "FIN_REV",
        "period": "2025-09",
        "locality_code": "",
        "old_value": 1234.5,
        "new_value": 1300.0,
    }
    assert counts(catalogue_db) == before and db.data_version(catalogue_db) == version  # not a byte written


def test_a_rejected_or_unreadable_preview_records_nothing(tmp_path, catalogue_db):
    from loaders.ingest import preview_file

    garbage = tmp_path / "x.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a workbook")
    for path in (csv(tmp_path, "bad.csv", [["NOPE", "2025-09", "", "1", ""]]), garbage):
        preview = preview_file(path, "FIN", db_path=catalogue_db, now=NOW)
        assert preview.status == "rejected" and preview.errors and preview.result().submission_id is None
    assert counts(catalogue_db) == dict.fromkeys(TABLES, 0)


def test_commit_keeps_the_reason_with_the_revised_value(tmp_path, catalogue_db):
    from loaders.ingest import commit, preview_file

    submit_file(one_row(tmp_path, "a.csv", "100"), "FIN", db_path=catalogue_db, now=NOW)
    rows = [["FIN_REV", "2025-09", "", "110", "ước tính"], ["FIN_REV", "2025-08", "", "90", ""]]
    preview = preview_file(csv(tmp_path, "b.csv", rows), "FIN", db_path=catalogue_db, submitted_by="an", now=LATER)
    reason = "Số chính thức\r\ncủa Cục Thống kê\x1b[31m"
    result = commit(preview, reason=reason)
    assert (result.status, result.new_rows, result.revised_rows) == ("accepted", 1, 1)
    kept = "Số chính thức\ncủa Cục Thống kê [31m"  # line break kept, ESC made a space
    with db.read(catalogue_db) as con:
        history = con.execute(
            "SELECT period, value, note, reason FROM observation_history WHERE submission_id = ? ORDER BY period",
            [result.submission_id],
        ).fetchall()
        submission = con.execute("SELECT reason, received_at FROM submissions WHERE id = ?", [result.submission_id])
        assert submission.fetchone() == (kept, LATER)
        audit = con.execute("SELECT detail FROM audit_log WHERE action = 'revision'").fetchone()
    assert history == [("2025-08", 90.0, None, None), ("2025-09", 110.0, "ước tính", kept)]  # new value: no reason
    assert json.loads(audit[0]) == {"count": 1, "reason": kept, "submission_id": result.submission_id}


def test_a_reason_past_its_limit_is_refused_before_anything_is_written(tmp_path, catalogue_db):
    with pytest.raises(UsageError) as caught:
        submit_file(one_row(tmp_path, "a.csv", "100"), "FIN", db_path=catalogue_db, now=NOW, reason="x" * 1001)
    assert "1.001" in caught.value.message_vi and "1,001" in caught.value.message_en
    assert counts(catalogue_db) == dict.fromkeys(TABLES, 0)


def test_two_stale_previews_of_one_department_cannot_overwrite_each_other(tmp_path, catalogue_db):
    """Issue 9 item 7: two people revise the same value from previews made before either confirmed."""
    from loaders.errors import Change, StalePreview
    from loaders.ingest import Revision, commit, preview_file

    submit_file(one_row(tmp_path, "a.csv", "100"), "FIN", db_path=catalogue_db, now=NOW)
    first = preview_file(one_row(tmp_path, "lan.csv", "110"), "FIN", db_path=catalogue_db, now=LATER)
    second = preview_file(one_row(tmp_path, "minh.csv", "120"), "FIN", db_path=catalogue_db, now=LATER)
    assert first.revisions == [Revision("FIN_REV", "2025-09", "", 100.0, 110.0)]
    assert second.revisions == [Revision("FIN_REV", "2025-09", "", 100.0, 120.0)]
    assert commit(first, reason="lần 1").status == "accepted"
    before = counts(catalogue_db)
    with pytest.raises(StalePreview) as caught:
        commit(second, reason="lần 2")
    assert caught.value.changes == [Change("FIN_REV", "2025-09", "", 100.0, 110.0)]
    assert caught.value.total == 1
    assert "1 giá trị mà tệp này chạm tới đã được thay đổi (FIN_REV Tháng 9/2025 toàn tỉnh: 100 → 110)" in (
        caught.value.message_vi
    )
    assert "1 value it touches has changed (FIN_REV Sep 2025 province: 100 → 110)" in caught.value.message_en
    assert counts(catalogue_db) == before and current(catalogue_db)[("FIN_REV", "2025-09", "")] == 110.0
    again = preview_file(one_row(tmp_path, "minh.csv", "120"), "FIN", db_path=catalogue_db, now=LATER)
    assert again.revisions == [Revision("FIN_REV", "2025-09", "", 110.0, 120.0)]  # the second person sees 110
    assert commit(again, reason="lần 2").status == "accepted"
    assert current(catalogue_db)[("FIN_REV", "2025-09", "")] == 120.0


def test_a_value_that_appeared_since_the_preview_also_stops_the_commit(tmp_path, catalogue_db):
    from loaders.errors import Change, StalePreview
    from loaders.ingest import commit, preview_file

    preview = preview_file(one_row(tmp_path, "a.csv", "100"), "FIN", db_path=catalogue_db, now=NOW)
    assert (preview.new_rows, preview.revisions) == (1, [])
    submit_file(one_row(tmp_path, "b.csv", "99"), "FIN", db_path=catalogue_db, now=NOW)
    with pytest.raises(StalePreview) as caught:
        commit(preview)
    assert caught.value.changes == [Change("FIN_REV", "2025-09", "", None, 99.0)]
    assert current(catalogue_db)[("FIN_REV", "2025-09", "")] == 99.0


def test_other_submissions_since_the_preview_that_leave_its_values_alone_do_not_stop_it(tmp_path, catalogue_db):
    from loaders.ingest import Revision, commit, preview_file

    submit_file(one_row(tmp_path, "a.csv", "100"), "FIN", db_path=catalogue_db, now=NOW)
    preview = preview_file(one_row(tmp_path, "b.csv", "110"), "FIN", db_path=catalogue_db, now=LATER)
    other = [["FIN_REV", "2025-08", "", "5", ""]]  # another key
    assert submit_file(csv(tmp_path, "c.csv", other), "FIN", db_path=catalogue_db, now=LATER).status == "accepted"
    bad = [["NOPE", "2025-09", "", "1", ""]]
    assert submit_file(csv(tmp_path, "d.csv", bad), "FIN", db_path=catalogue_db, now=LATER).status == "rejected"
    result = commit(preview)
    assert (result.status, result.revisions) == ("accepted", [Revision("FIN_REV", "2025-09", "", 100.0, 110.0)])


def test_the_same_preview_confirmed_twice_writes_once(tmp_path, catalogue_db):
    from loaders.ingest import commit, preview_file

    preview = preview_file(one_row(tmp_path, "a.csv", "100"), "FIN", db_path=catalogue_db, now=NOW)
    first = commit(preview)
    before = counts(catalogue_db)
    second = commit(preview)  # a double click on "confirm"
    assert (second.status, second.submission_id) == ("unchanged", first.submission_id)
    assert counts(catalogue_db) == before


def test_the_owner_rule_is_checked_at_preview_without_writing_and_recorded_at_submit(tmp_path, catalogue_db):
    from auth.accounts import add_account
    from auth.errors import PermissionDenied
    from loaders.ingest import preview_file

    account = add_account(catalogue_db, "hea.staff", "submitter", "Mật-khẩu-dài-2026", department="HEA")
    before = counts(catalogue_db)
    path = one_row(tmp_path, "a.csv", "100")
    with pytest.raises(PermissionDenied):
        preview_file(path, "FIN", db_path=catalogue_db, now=NOW, account=account)
    assert counts(catalogue_db) == before
    with pytest.raises(PermissionDenied):
        submit_file(path, "FIN", db_path=catalogue_db, now=NOW, account=account)
    with db.read(catalogue_db) as con:
        denied = con.execute("SELECT actor, target FROM audit_log WHERE action = 'submission_denied'").fetchall()
    assert denied == [("hea.staff", "FIN")]
    assert counts(catalogue_db)["observations"] == 0


# --------------------------------------------------------------------------- checks run before the lock


def _slow_validation(monkeypatch, started, release, after=None):
    """loaders.ingest.validate, paused until ``release`` (and then ``after`` run once)."""
    import loaders.ingest as ingest

    real = ingest.validate
    calls = []

    def slow(*args, **kwargs):
        calls.append(1)
        started.set()
        release.wait(timeout=20)
        checked = real(*args, **kwargs)
        if after is not None and len(calls) == 1:
            after()
        return checked

    monkeypatch.setattr(ingest, "validate", slow)
    return calls


def test_a_file_being_checked_blocks_neither_readers_nor_writers(tmp_path, catalogue_db, monkeypatch):
    import threading

    import settings

    monkeypatch.setattr(settings, "LOCK_TIMEOUT_SECONDS", 1.0)
    started, release = threading.Event(), threading.Event()
    _slow_validation(monkeypatch, started, release)
    outcome = {}

    def slow_submission():
        outcome["slow"] = submit_file(one_row(tmp_path, "slow.csv", "100"), "FIN", db_path=catalogue_db, now=NOW)

    thread = threading.Thread(target=slow_submission)
    thread.start()
    try:
        assert started.wait(timeout=20)
        # While the slow file is being checked: a reader and another writer of this process get in at once.
        with db.read(catalogue_db, timeout=0.5) as con:
            assert con.execute("SELECT count(*) FROM indicators").fetchall() == [(9,)]
        with db.transaction(catalogue_db, timeout=0.5) as con:
            con.execute("UPDATE departments SET name_en = 'Finance' WHERE code = 'FIN'")
    finally:
        release.set()
        thread.join(timeout=30)
    assert outcome["slow"].status == "accepted"


def _tighter_catalogue(tmp_path, catalogue_db):
    """The catalogue replaced through its own door: FIN_REV's valid range now ends at 1,000."""
    from conftest import small_indicators, write_catalogue_files

    from loaders.catalogue_store import load_catalogue_into

    indicators = small_indicators()
    indicators[0]["valid_max"], indicators[0]["targets"] = 1000, {2025: 900}
    files = write_catalogue_files(tmp_path / "tighter", indicators)
    load_catalogue_into(catalogue_db, files.catalogue, files.departments, files.localities, create=False)


def test_a_catalogue_change_during_the_check_is_caught_inside_the_lock(tmp_path, catalogue_db, monkeypatch):
    """Decision: the commit refuses a check made against another catalogue; submit_file checks the file again."""
    import threading

    import settings

    monkeypatch.setattr(settings, "LOCK_TIMEOUT_SECONDS", 2.0)
    started, release = threading.Event(), threading.Event()
    release.set()
    calls = _slow_validation(monkeypatch, started, release, after=lambda: _tighter_catalogue(tmp_path, catalogue_db))
    result = submit_file(one_row(tmp_path, "a.csv", "5000"), "FIN", db_path=catalogue_db, now=NOW)
    assert len(calls) == 2  # checked again, against the new catalogue, and never under the lock
    assert result.status == "rejected"
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "value", "5000")]
    assert counts(catalogue_db)["observations"] == 0


def test_a_preview_made_against_an_older_catalogue_is_refused_at_commit(tmp_path, catalogue_db):
    from loaders.errors import StalePreview
    from loaders.ingest import commit, preview_file

    preview = preview_file(one_row(tmp_path, "a.csv", "5000"), "FIN", db_path=catalogue_db, now=NOW)
    assert preview.status == "accepted"
    _tighter_catalogue(tmp_path, catalogue_db)
    with pytest.raises(StalePreview) as caught:
        commit(preview)
    assert "Danh mục" in caught.value.message_vi and "catalogue changed" in caught.value.message_en
    assert counts(catalogue_db)["observations"] == 0


# --------------------------------------------------------------------------- versions ordered by commit


@pytest.mark.parametrize("clock", ["wall", "fixed"])
def test_a_slow_file_started_first_ends_current_and_latest_in_history(tmp_path, catalogue_db, monkeypatch, clock):
    """Issue 12: the slow file commits last, so it is current, and the history must name it the latest too."""
    import threading

    import loaders.ingest as ingest
    from db import queries

    real_read = ingest.read_submission
    reading, quick_done = threading.Event(), threading.Event()

    def read(path):
        if path.name == "slow.csv":
            reading.set()
            quick_done.wait(timeout=20)  # the slow file is still being read when the quick one commits
        return real_read(path)

    monkeypatch.setattr(ingest, "read_submission", read)
    times = {"wall": (None, None), "fixed": (NOW, NOW + dt.timedelta(minutes=5))}[clock]
    results = {}

    def slow():
        results["slow"] = submit_file(one_row(tmp_path, "slow.csv", "111"), "FIN", db_path=catalogue_db, now=times[0])

    thread = threading.Thread(target=slow)
    thread.start()
    try:
        assert reading.wait(timeout=20)
        results["quick"] = submit_file(one_row(tmp_path, "quick.csv", "222"), "FIN", db_path=catalogue_db, now=times[1])
    finally:
        quick_done.set()
        thread.join(timeout=30)
    slow_id, quick_id = results["slow"].submission_id, results["quick"].submission_id
    assert results["slow"].status == results["quick"].status == "accepted"
    assert results["slow"].revisions[0].old_value == 222.0  # the slow file revised the quick one's value
    assert current(catalogue_db)[("FIN_REV", "2025-09", "")] == 111.0
    with db.read(catalogue_db) as con:
        stamps = dict(con.execute("SELECT id, submitted_at FROM submissions").fetchall())
        received = dict(con.execute("SELECT id, received_at FROM submissions").fetchall())
        latest = con.execute(
            "SELECT submission_id FROM observation_history WHERE indicator_code = 'FIN_REV' "
            "ORDER BY submitted_at DESC, submission_id DESC LIMIT 1"
        ).fetchall()
    assert stamps[slow_id] >= stamps[quick_id]  # the time the value became current
    assert received[slow_id] < received[quick_id] or clock == "fixed" and received[slow_id] == NOW
    assert latest == [(slow_id,)]
    shown = queries.history(catalogue_db, "FIN_REV")  # what the indicator page lists
    newest = shown.filter(pl.col("version") == pl.col("versions"))
    assert newest["submission_id"].to_list() == [slow_id] and newest["is_current"].to_list() == [True]
