"""The one door: readers and writers share the file under a bounded wait."""

import subprocess
import sys
import threading
import time

import pytest

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
