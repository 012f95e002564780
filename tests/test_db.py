"""The one door: readers and writers share the file under a bounded wait."""

import subprocess
import sys
import threading
import time

import pytest
from conftest import holding

import db
import settings


def _holder(path, seconds, mode="read"):
    """Another process that holds the file open, read-only or read-write, for a while."""
    opener = "db.read" if mode == "read" else "db.write"
    code = (
        f"import sys, time, db\nwith {opener}(sys.argv[1]):\n    print('open', flush=True)\n    time.sleep({seconds})\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], cwd=settings.ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "open"
    return proc


@pytest.fixture
def path(tmp_path):
    file = tmp_path / "t.duckdb"
    with db.write(file) as con:
        con.execute("INSERT INTO departments VALUES ('SYT', 'Sở Y tế', 'Department of Health')")
    return file


def test_reading_a_missing_database_says_how_to_create_it(tmp_path):
    with pytest.raises(db.DatabaseMissing) as err, db.read(tmp_path / "none.duckdb"):
        pass
    assert "python -m loaders init" in err.value.message_vi


def test_writer_waits_for_a_reader_in_another_process(path):
    reader = _holder(path, 1.0)
    started = time.monotonic()
    with db.write(path, timeout=20) as con:
        con.execute("INSERT INTO departments VALUES ('STC', 'Sở Tài chính', 'Department of Finance')")
    waited = time.monotonic() - started
    reader.wait(timeout=10)
    assert waited >= 0.5
    assert db.query("SELECT count(*) AS n FROM departments", None, path)["n"][0] == 2


def test_writer_gives_up_with_a_clear_message_and_writes_nothing(path):
    reader = _holder(path, 3.0)
    with pytest.raises(db.DatabaseBusy) as err, db.write(path, timeout=0.5) as con:
        con.execute("INSERT INTO departments VALUES ('X', 'x', 'x')")
    reader.wait(timeout=10)
    assert "đang bận" in err.value.message_vi and "busy" in err.value.message_en
    assert db.query("SELECT count(*) AS n FROM departments", None, path)["n"][0] == 1


def test_reader_waits_for_a_writer_in_another_process(path):
    writer = _holder(path, 1.0, mode="write")
    assert db.query("SELECT count(*) AS n FROM departments", None, path)["n"][0] == 1
    writer.wait(timeout=10)


def test_writers_in_one_process_queue(path):
    errors = []

    def add(code):
        try:
            with db.write(path, timeout=20) as con:
                con.execute("INSERT INTO departments VALUES (?, ?, ?)", [code, code, code])
                time.sleep(0.05)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(f"D{i}",)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert db.query("SELECT count(*) AS n FROM departments", None, path)["n"][0] == 9


def test_data_version_changes_after_a_write(path):
    before = db.data_version(path)
    time.sleep(0.01)
    with db.write(path) as con:
        con.execute("INSERT INTO departments VALUES ('STC', 'Sở Tài chính', 'Department of Finance')")
    assert db.data_version(path) != before


def test_values_are_bound_not_formatted(path):
    hostile = "x'); DROP TABLE departments; --"
    assert db.query("SELECT * FROM departments WHERE code = $c", {"c": hostile}, path).height == 0
    assert db.query("SELECT count(*) AS n FROM departments", None, path)["n"][0] == 1


# --------------------------------------------------------------------------- the write door


def test_the_door_commits_or_rolls_back_whole(path):
    with db.transaction(path) as con:
        con.execute("INSERT INTO departments VALUES ('STC', 'Sở Tài chính', 'Department of Finance')")
    with pytest.raises(ZeroDivisionError), db.transaction(path) as con:
        con.execute("INSERT INTO departments VALUES ('X', 'x', 'x')")
        con.execute("DELETE FROM departments WHERE code = 'SYT'")
        raise ZeroDivisionError  # any error, after some writes
    assert db.query("SELECT code FROM departments ORDER BY code", None, path)["code"].to_list() == ["STC", "SYT"]


def test_the_door_never_creates_a_missing_database(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    with pytest.raises(db.DatabaseMissing) as err, db.transaction(folder / "typo.duckdb"):
        pass
    assert "python -m loaders init" in err.value.message_vi
    assert list(folder.iterdir()) == []  # no database, no WAL, no lock file left behind
    with db.transaction(folder / "new.duckdb", create=True) as con:  # init's way
        con.execute("INSERT INTO departments VALUES ('SYT', 'Sở Y tế', 'Department of Health')")
    assert db.query("SELECT count(*) AS n FROM departments", None, folder / "new.duckdb")["n"][0] == 1


def _python_sources():
    skip = {"tests", ".git", ".venv", "node_modules"}
    for file in sorted(settings.ROOT.rglob("*.py")):
        relative = file.relative_to(settings.ROOT)
        if not skip & set(relative.parts):
            yield relative, file.read_text(encoding="utf-8")


def test_only_the_door_begins_commits_and_rolls_back():
    import re

    pattern = re.compile(r"\.(begin|commit|rollback)\(\)|['\"](BEGIN|COMMIT|ROLLBACK)( TRANSACTION)?['\"]")
    found = [str(rel) for rel, text in _python_sources() if pattern.search(text)]
    assert found == ["db/connection.py"]


def test_one_function_writes_audit_rows():
    found = [str(rel) for rel, text in _python_sources() if "insert into audit_log" in text.lower()]
    assert found == ["db/audit.py"]


def test_busy_says_who_holds_the_file_and_rounds_the_wait(path):
    with holding(path, "read"), pytest.raises(db.DatabaseBusy) as by_reader, db.write(path, timeout=1.3):
        pass
    assert "quá 1 giây" in by_reader.value.message_vi and "more than 1 s" in by_reader.value.message_en
    assert "để đọc" in by_reader.value.message_vi and "đang ghi" not in by_reader.value.message_vi
    assert "for reading" in by_reader.value.message_en and "writing" not in by_reader.value.message_en
    with holding(path, "write"), pytest.raises(db.DatabaseBusy) as by_writer, db.read(path, timeout=0.5):
        pass
    assert "đang ghi" in by_writer.value.message_vi and "quá 0,5 giây" in by_writer.value.message_vi
    assert "writing" in by_writer.value.message_en and "more than 0.5 s" in by_writer.value.message_en


def test_a_damaged_file_is_explained_without_the_librarys_text(tmp_path):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"\x00not a database\x00" * 1000)
    for opener in (db.read, db.transaction):
        with pytest.raises(db.DatabaseError) as err, opener(damaged):
            pass
        assert "bị hỏng" in err.value.message_vi and "damaged" in err.value.message_en
        assert "IO Error" not in str(err.value) and "valid DuckDB" not in str(err.value)


# --------------------------------------------------------------------------- columns added to files in use


def test_a_file_made_before_the_new_columns_gets_them_at_its_next_write(tmp_path):
    import datetime as dt

    import duckdb

    from db.connection import SCHEMA_SQL

    ddl = SCHEMA_SQL.read_text(encoding="utf-8")
    before = ddl[: ddl.index("-- Columns added after databases were in use")]  # the tables as first created
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute(before)
    at = dt.datetime(2025, 10, 1, 9, 0)
    con.execute("INSERT INTO submissions VALUES (1, 'SYT', 'a.xlsx', 'h', ?, 'an', 'accepted', 1, 1, 0, '[]')", [at])
    row = ("IN-01", "2025-09", dt.date(2025, 9, 1), dt.date(2025, 9, 30), "", 1.5, None, "SYT", 1, at)
    con.execute("INSERT INTO observation_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row))
    con.close()
    db.migrate(old)
    with db.read(old) as con:
        assert con.execute("SELECT received_at, reason FROM submissions").fetchall() == [(None, None)]
        assert con.execute("SELECT * FROM observation_history").fetchall() == [(*row, None)]
        columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE table_name IN "
            "('submissions', 'observation_history') ORDER BY table_name, column_index"
        ).fetchall()
    fresh = tmp_path / "fresh.duckdb"
    with db.transaction(fresh, create=True):
        pass
    with db.read(fresh) as con:
        assert (
            con.execute(
                "SELECT table_name, column_name FROM duckdb_columns() WHERE table_name IN "
                "('submissions', 'observation_history') ORDER BY table_name, column_index"
            ).fetchall()
            == columns
        )  # an old file and a new one end with the same layout
    assert ("observation_history", "reason") in columns and ("submissions", "received_at") in columns
