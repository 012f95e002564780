"""Backup and restore: a round trip keeps every row, a failed restore leaves the target as it was."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import db
import settings
from db.backup import BackupError, BackupRefused, backup, restore, summary

TABLES = (
    "accounts",
    "audit_log",
    "catalogue_loads",
    "components",
    "departments",
    "indicators",
    "localities",
    "observation_history",
    "observations",
    "submissions",
    "targets",
)


def _populate(path: Path, seed: int = 7, n: int = 400) -> None:
    """Every table filled from code with a fixed seed: awkward text, NULLs, doubles, timestamps."""
    rng = random.Random(seed)
    t0 = datetime(2025, 1, 6, 9, 30, 15, 123456)
    with db.write(path) as con:
        con.execute("INSERT INTO departments VALUES ('FIN', 'Sở Tài chính', 'Finance'), ('HEA', 'Sở Y tế', 'Health')")
        con.execute("INSERT INTO localities VALUES ('07210', 'Bắc Giang', 'phuong'), ('07654', 'An Lạc', 'xa')")
        con.execute(
            "INSERT INTO indicators VALUES ('FIN_REV', 'Thu ngân sách', 'Budget revenue', 'input', 'budget', 'FIN', "
            "'KBNN', 'tỷ đồng', 'monthly', 'flow', 'province', 'none', 'up', 0, NULL, 10, 'Định nghĩa', "
            "'Definition', 'Cách tính', NULL, 'operating', 100, 90, 1, 'billion VND', NULL)"  # unit_en, source_en
        )
        con.execute("INSERT INTO targets VALUES ('FIN_REV', 2025, 56834.5)")
        con.execute("INSERT INTO components VALUES ('MIX', 'FIN_REV', 0.5)")
        con.execute(
            "INSERT INTO catalogue_loads VALUES (nextval('catalogue_load_ids'), ?, 'c.yaml', 'abc', 1, NULL)", [t0]
        )
        for sid in range(1, 4):
            con.execute(
                "INSERT INTO submissions VALUES (nextval('submission_ids'), 'FIN', ?, ?, ?, 'fin.staff', 'accepted', "
                "?, ?, 0, NULL, NULL, NULL)",  # received_at, reason: NULL
                [f"nộp '{sid}'.xlsx", f"hash{sid}", t0 + timedelta(days=sid), n, n],
            )
        rows = []
        for i in range(n):
            month = 1 + i % 12
            rows.append(
                (
                    "FIN_REV",
                    f"{2020 + i // 12}-{month:02d}",
                    date(2020 + i // 12, month, 1),
                    date(2020 + i // 12, month, 28),
                    rng.choice(["", "07210", "07654"]),
                    rng.uniform(-1e6, 1e6) if i % 7 else 0.1 + 0.2,
                    rng.choice([None, "", 'ghi chú "có dấu"', "=1+2", "line\nbreak", "x" * 500]),
                    "FIN",
                    1 + i % 3,
                    t0 + timedelta(minutes=i, microseconds=i),
                )
            )
        con.executemany("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.executemany("INSERT INTO observation_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", rows + rows[:50])
        for i in range(25):
            con.execute(
                "INSERT INTO audit_log VALUES (nextval('audit_ids'), ?, ?, 'submission', 'FIN', ?)",
                [t0 + timedelta(hours=i), rng.choice([None, "fin.staff", "cli:root"]), json.dumps({"rows": i})],
            )
        con.execute(
            "INSERT INTO accounts VALUES ('fin.staff', 'Nguyễn Văn A', 'submitter', 'FIN', '$argon2id$x', NULL, "
            "false, 2, NULL, ?)",
            [t0],
        )


def _counts(path: Path) -> dict[str, int]:
    with db.read(path) as con:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}


def _observations_checksum(path: Path) -> str:
    """Independent of db.backup.summary: an md5 over every observation, sorted, each column formatted explicitly."""
    with db.read(path) as con:
        rows = con.execute(
            "SELECT indicator_code, period, period_start, period_end, locality_code, value, note, department, "
            "submission_id, submitted_at FROM observations"
        ).fetchall()
    text = "\n".join(sorted(repr(r) for r in rows))
    return hashlib.md5(text.encode()).hexdigest()


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "live" / "indicators.duckdb"
    _populate(path)
    return path


def test_round_trip_keeps_every_row(source: Path, tmp_path: Path) -> None:
    before_counts, before_sum = _counts(source), _observations_checksum(source)
    assert all(before_counts[t] > 0 for t in TABLES)
    result = backup(source, tmp_path / "backup")
    assert (result.directory / "manifest.json").is_file()
    assert result.summary["tables"]["observations"]["rows"] == 400

    target = tmp_path / "restored" / "indicators.duckdb"
    done = restore(result.directory, target, actor="cli:test")
    assert done.kept is None and "observations" in done.checked
    after_counts = _counts(target)
    # The restore records itself in the audit log of the restored file; everything else is identical.
    assert after_counts == {**before_counts, "audit_log": before_counts["audit_log"] + 1}
    assert _observations_checksum(target) == before_sum
    with db.read(source) as con:
        original = summary(con)["tables"]
    with db.read(target) as con:
        restored = summary(con)["tables"]
        last = con.execute("SELECT actor, action, target FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        values = con.execute("SELECT value FROM observations WHERE period = '2020-01'").fetchone()
    assert {t: v for t, v in restored.items() if t != "audit_log"} == {
        t: v for t, v in original.items() if t != "audit_log"
    }
    assert last == ("cli:test", "restore", str(target.resolve()))
    assert values[0] == pytest.approx(0.1 + 0.2, abs=0)  # doubles exactly


def test_sequences_continue_after_restore(source: Path, tmp_path: Path) -> None:
    backup(source, tmp_path / "b")
    target = tmp_path / "r.duckdb"
    restore(tmp_path / "b", target)
    with db.write(target) as con:
        old_max = con.execute("SELECT max(id) FROM audit_log").fetchone()[0]
        new_audit = con.execute("SELECT nextval('audit_ids')").fetchone()[0]
        new_submission = con.execute("SELECT nextval('submission_ids')").fetchone()[0]
    assert new_audit > old_max and new_submission == 4


def test_restore_refuses_to_overwrite_without_force(source: Path, tmp_path: Path) -> None:
    backup(source, tmp_path / "b")
    other = tmp_path / "other.duckdb"
    with db.write(other) as con:
        con.execute("INSERT INTO departments VALUES ('ONLY', 'Chỉ có', 'Only')")
    fingerprint = _file_hash(other)
    with pytest.raises(BackupRefused) as refused:
        restore(tmp_path / "b", other)
    assert "--force" in refused.value.message_en
    assert _file_hash(other) == fingerprint
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    done = restore(tmp_path / "b", other, force=True)
    assert _counts(other)["observations"] == 400
    assert done.kept is not None and done.kept.name.startswith("other.before-restore-")
    with duckdb.connect(str(done.kept), read_only=True) as kept:
        assert kept.execute("SELECT code FROM departments").fetchall() == [("ONLY",)]


@pytest.mark.parametrize("damage", ["junk", "fewer_rows"])
def test_a_failed_restore_leaves_the_target_untouched(source: Path, tmp_path: Path, damage: str) -> None:
    backup(source, tmp_path / "b")
    parquet = tmp_path / "b" / "observations.parquet"
    if damage == "junk":
        parquet.write_bytes(b"PAR1 this is not parquet at all \x00\xff" * 100)
    else:  # a valid file that lost rows: only the manifest can tell
        with duckdb.connect() as con:
            con.execute(f"COPY (SELECT * FROM '{parquet}' LIMIT 10) TO '{parquet}.tmp' (FORMAT parquet)")
        os.replace(f"{parquet}.tmp", parquet)
    target = tmp_path / "live" / "indicators.duckdb"
    fingerprint, counts = _file_hash(target), _counts(target)
    with pytest.raises(BackupError) as failed:
        restore(tmp_path / "b", target, force=True)
    assert not isinstance(failed.value, BackupRefused)
    assert "unchanged" in failed.value.message_en or "manifest" in failed.value.message_en
    assert _file_hash(target) == fingerprint and _counts(target) == counts
    assert sorted(p.name for p in target.parent.iterdir()) == ["indicators.duckdb", "indicators.duckdb.writer.lock"]


def test_restore_moves_a_leftover_wal_with_the_old_file(source: Path, tmp_path: Path) -> None:
    """A writer killed after its commit leaves a WAL: it belongs to the kept old file, never to the restored one."""
    backup(source, tmp_path / "b")
    target = tmp_path / "crashed.duckdb"
    script = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        'con.execute("CREATE TABLE marker AS SELECT 42 AS answer")\n'
        "os._exit(0)  # no close, no checkpoint\n"
    )
    subprocess.run([sys.executable, "-c", script, str(target)], check=True)
    assert Path(f"{target}.wal").exists()
    done = restore(tmp_path / "b", target, force=True)
    assert not Path(f"{target}.wal").exists()
    assert done.kept is not None and Path(f"{done.kept}.wal").exists()
    with duckdb.connect(str(done.kept), read_only=True) as kept:
        assert kept.execute("SELECT answer FROM marker").fetchall() == [(42,)]
    assert _counts(target)["observations"] == 400


def test_restore_waits_for_a_writer_in_progress(source: Path, tmp_path: Path) -> None:
    backup(source, tmp_path / "b")
    release = threading.Event()
    started = threading.Event()
    finished: list[float] = []

    def writer() -> None:
        with db.write(source) as con:
            started.set()
            release.wait(10)
            con.execute("INSERT INTO departments VALUES ('LATE', 'Muộn', 'Late')")
        finished.append(time.monotonic())

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait(10)
    threading.Timer(0.5, release.set).start()
    restore(tmp_path / "b", source, force=True)
    replaced_at = time.monotonic()
    thread.join()
    assert finished and finished[0] <= replaced_at  # the swap happened after the writer was done
    assert _counts(source)["departments"] == 2  # the restored file, without the late write


def test_backup_refuses_a_non_empty_directory_and_leaves_no_partial(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(BackupRefused):
        backup(source, out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert backup(source, empty).directory == empty.resolve()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_backup_while_the_dashboard_reads(source: Path, tmp_path: Path) -> None:
    with db.read(source) as reader:
        backup(source, tmp_path / "b")
        assert reader.execute("SELECT count(*) FROM observations").fetchone()[0] == 400


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(BackupRefused):
        restore(tmp_path / "empty", tmp_path / "x.duckdb")
    assert not (tmp_path / "x.duckdb").exists()


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "INDICATORS_DB"}
    return subprocess.run(
        [sys.executable, "-m", "auth", *args], cwd=settings.ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_backup_and_restore(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "nightly"
    done = _cli("--db", str(source), "backup", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "400" in done.stdout
    again = _cli("--db", str(source), "backup", "--out", str(out))
    assert again.returncode == 2 and "Traceback" not in again.stderr

    refused = _cli("--db", str(source), "restore", str(out))
    assert refused.returncode == 2 and "--force" in refused.stderr and "Traceback" not in refused.stderr
    fresh = tmp_path / "fresh.duckdb"
    assert _cli("--db", str(fresh), "restore", str(out)).returncode == 0
    assert _counts(fresh)["observations"] == 400
    forced = _cli("restore", str(out), "--force", "--db", str(source))
    assert forced.returncode == 0 and "before-restore" in forced.stdout
    missing = _cli("--db", str(fresh), "restore", str(tmp_path / "nope"), "--force")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
