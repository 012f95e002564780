"""Faults: a loader killed (SIGKILL) at any moment leaves the database as it was before that submission.

A synthetic catalogue (one department, 1,500 communes, a weekly commune-level
indicator) holds 156,000 current values (2019-2020). ``big.csv`` (234,000 rows:
78,000 revisions of the 2020 values and 156,000 new ones for 2021-2022) is submitted with
``python -m loaders submit`` on a fresh copy of that database, and the process
is killed with SIGKILL at moments found by watching it from outside (no
timing guess is trusted alone):

* ``reading``: the file is open or mapped by the process (``/proc/PID/fd``,
  ``/proc/PID/maps``) and no lock is held yet;
* ``queued``: the process holds the writers' lock file (``/proc/locks``);
* ``validating``: the process holds DuckDB's own lock on the database file (the
  read-write connection is open: the values the file touches are rechecked
  against what its check saw, then merged; the rows themselves were read and
  checked before any lock);
* ``validating +40 %``, ``+80 %``: a measured fraction of the time an
  uninterrupted calibration run spent inside its write connection (checking,
  merging, writing) later;
* ``writing``: the database file has started to grow (DuckDB writes large
  inserts straight into free blocks before the commit);
* ``committing``: the WAL file has appeared (the commit is being written).

After every kill: the database opens read-only (as the dashboard opens it),
observations, observation_history, submissions and audit_log hold exactly
what they held before (count and an order-independent checksum of every
column), it opens read-write without waiting for the dead process's locks,
and a new submission is accepted. For ``committing`` the kill may land after
the commit is durable: the state must then equal the uninterrupted run's
exactly (never something in between). One killed copy is then given the big
file again, and ends equal to the uninterrupted run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import yaml

import db
import settings
from loaders.catalogue_store import load_catalogue_into
from loaders.ingest import submit_file

pytestmark = pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")

TODAY = "2026-11-26"
DEPARTMENT = "FLT"
COMMUNES = 1500
WEEKS = 52

# Columns compared: everything the write touches. `with_time` adds the columns that an identical
# submission made at another moment would change (timestamps), so that a killed copy can be compared
# with the calibration run's copy on the rest.
TABLES = {
    "observations": (
        "indicator_code, period, period_start, period_end, locality_code, value, note, department, submission_id",
        "submitted_at",
    ),
    "observation_history": (
        "indicator_code, period, period_start, period_end, locality_code, value, note, department, submission_id",
        "submitted_at",
    ),
    "submissions": (
        "id, department, file_name, file_hash, submitted_by, status, rows, new_rows, revised_rows, errors",
        "submitted_at",
    ),
    "audit_log": ("id, actor, action, target, detail", "logged_at"),
}


def _indicator(code: str, group: str, frequency: str) -> dict:
    return {
        "code": code,
        "name_vi": f"Chỉ số {code}",
        "name_en": f"Indicator {code}",
        "group": group,
        "field": "economy",
        "owner": DEPARTMENT,
        "source": "Báo cáo của sở",
        "unit": "hồ sơ",
        "frequency": frequency,
        "value_type": "flow",
        "level": "commune",
        "aggregation": "sum",
        "direction": "up",
        "valid_min": 0,
        "valid_max": 1_000_000_000,
        "targets": {},
        "deadline_days": 10,
        "definition_vi": "Định nghĩa",
        "definition_en": "Definition",
        "method": "Cách tính",
        "central_code": None,
        "stage": "operating",
        "components": [],
    }


def _weekly_file(path: Path, years: list[int], seed: int, offset: int = 0) -> int:
    """Every commune for every ISO week 1..52 of the years; values in [offset, offset + 100,000) from a seed."""
    periods = [f"{y}-W{w:02d}" for y in years for w in range(1, WEEKS + 1)]
    localities = [f"{i:05d}" for i in range(1, COMMUNES + 1)]
    frame = (
        pl.DataFrame({"period": periods})
        .join(pl.DataFrame({"locality_code": localities}), how="cross")
        .with_columns(
            pl.lit("FLT-W").alias("indicator_code"),
            (pl.int_range(pl.len()).hash(seed) % 100_000 + offset).cast(pl.Int64).alias("value"),
            pl.lit("").alias("note"),
        )
        .select("indicator_code", "period", "locality_code", "value", "note")
    )
    frame.write_csv(path)
    return frame.height


@dataclass
class Fixture:
    base: Path  # the database before the big submission
    big: Path  # the big file
    small: Path  # a small valid file for "a new submit then succeeds"
    folder: Path


@pytest.fixture(scope="module")
def fault_db(tmp_path_factory) -> Fixture:
    folder = tmp_path_factory.mktemp("faults")
    catalogue = [
        _indicator("FLT-W", "input", "weekly"),
        _indicator("FLT-M", "process", "monthly"),
        _indicator("FLT-O", "output", "monthly"),
        _indicator("FLT-C", "outcome", "monthly"),
        _indicator("FLT-X", "composite", "annual"),
    ]
    (folder / "catalogue.yaml").write_text(yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8")
    (folder / "departments.csv").write_text("code,name_vi,name_en\nFLT,Sở Thử nghiệm,Test department\n", "utf-8")
    (folder / "localities.csv").write_text(
        "code,name,kind\n" + "".join(f"{i:05d},Xã {i},xa\n" for i in range(1, COMMUNES + 1)), "utf-8"
    )
    base = folder / "base.duckdb"
    load_catalogue_into(base, folder / "catalogue.yaml", folder / "departments.csv", folder / "localities.csv")
    assert _weekly_file(folder / "initial.csv", [2019, 2020], seed=1) == 2 * WEEKS * COMMUNES
    result = submit_file(folder / "initial.csv", DEPARTMENT, db_path=base, submitted_by="setup")
    assert result.status == "accepted", result.errors[:3]
    assert _weekly_file(folder / "big.csv", [2020, 2021, 2022], seed=2, offset=100_000) == 3 * WEEKS * COMMUNES
    small = folder / "small.csv"
    small.write_text(
        "indicator_code,period,locality_code,value,note\n"
        + "".join(f"FLT-M,2026-0{m},{i:05d},{m * i},sau sự cố\n" for m in range(1, 4) for i in range(1, 11)),
        encoding="utf-8",
    )
    return Fixture(base, folder / "big.csv", small, folder)


# --------------------------------------------------------------------------- state of a database


def snapshot(path: Path, with_time: bool = True) -> dict[str, tuple[int, int]]:
    """(rows, order-independent checksum of every compared column) per table, read as the dashboard reads."""
    out = {}
    with db.read(path, timeout=10) as con:
        for table, (columns, timed) in TABLES.items():
            cols = f"{columns}, {timed}" if with_time else columns
            count, checksum = con.execute(
                f"SELECT count(*), coalesce(sum(hash({cols})::HUGEINT), 0)::VARCHAR FROM {table}"
            ).fetchone()
            out[table] = (count, checksum)
    return out


# --------------------------------------------------------------------------- watching the process from outside


def _locks_held_by(pid: int) -> set[int]:
    """Inodes on which `pid` holds a flock or POSIX lock (from /proc/locks)."""
    held = set()
    with open("/proc/locks") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) < 6 or parts[1] == "->":
                continue
            try:
                if int(parts[4]) == pid:
                    held.add(int(parts[5].split(":")[2]))
            except ValueError:
                continue
    return held


def _has_open(pid: int, name: str) -> bool:
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").endswith(name):
                    return True
            except OSError:
                continue
        with open(f"/proc/{pid}/maps") as handle:
            return name in handle.read()
    except OSError:
        return False


@dataclass
class Phases:
    """What the watched process was doing, by the first moment (monotonic seconds) each was seen."""

    reading: float | None = None
    queued: float | None = None
    validating: float | None = None
    writing: float | None = None
    committing: float | None = None


def _phase_now(pid: int, database: Path, size0: int, inodes: tuple[int, int]) -> dict[str, bool]:
    held = _locks_held_by(pid)
    return {
        "reading": _has_open(pid, os.sep + "big.csv") and not held,
        "queued": inodes[0] in held,
        "validating": inodes[1] in held,
        "writing": database.stat().st_size != size0,
        "committing": Path(f"{database}.wal").exists(),
    }


def _start(database: Path, big: Path) -> subprocess.Popen:
    """The loader on the big file; its output goes to files beside the database (the JSON report lists
    78,000 revisions: through a pipe nobody reads until the end, it would block the process)."""
    env = {**os.environ, "INDICATORS_TODAY": TODAY}
    cmd = [sys.executable, "-m", "loaders", "--db", str(database), "submit", str(big), "--department", DEPARTMENT]
    with open(database.parent / "out.json", "w") as out, open(database.parent / "err.txt", "w") as err:
        return subprocess.Popen([*cmd, "--json"], cwd=settings.ROOT, env=env, stdout=out, stderr=err, text=True)


def _fresh_copy(fx: Fixture, name: str) -> Path:
    target = fx.folder / name / "indicators.duckdb"
    target.parent.mkdir()
    shutil.copyfile(fx.base, target)
    Path(f"{target}.writer.lock").touch()  # created up front so its inode can be watched
    return target


def _watch(proc: subprocess.Popen, database: Path, until: str | None = None, delay: float = 0.0) -> tuple[Phases, bool]:
    """Poll the process; with `until`, SIGKILL it `delay` s after that phase is first seen.

    Returns the phases seen and whether the kill landed while the process was still running.
    """
    size0 = database.stat().st_size
    inodes = (Path(f"{database}.writer.lock").stat().st_ino, database.stat().st_ino)
    phases = Phases()
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        now = time.monotonic()
        for name, seen in _phase_now(proc.pid, database, size0, inodes).items():
            if seen and getattr(phases, name) is None:
                setattr(phases, name, now)
        start = getattr(phases, until) if until else None
        if start is not None and now - start >= delay:
            alive = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            return phases, alive and proc.returncode == -signal.SIGKILL
        time.sleep(0.002 if start is None and until in ("reading", "committing") else 0.01)
    proc.wait(timeout=10)
    return phases, False


@pytest.fixture(scope="module")
def reference(fault_db: Fixture):
    """An uninterrupted run (the calibration): its phases, its exit and the state it leaves."""
    database = _fresh_copy(fault_db, "reference")
    proc = _start(database, fault_db.big)
    phases, _ = _watch(proc, database)
    proc.wait(timeout=60)
    out, err = ((database.parent / name).read_text() for name in ("out.json", "err.txt"))
    assert proc.returncode == 0, out + err
    assert '"status": "accepted"' in out and f'"revised_rows": {WEEKS * COMMUNES}' in out, out
    assert phases.writing is not None and phases.committing is not None, phases
    return phases, snapshot(database, with_time=False)


def _assert_recovered(database: Path, before, small: Path) -> None:
    """Opens cleanly, no lock left behind, and a new submission goes through."""
    started = time.monotonic()
    with db.write(database, timeout=5) as con:  # opens read-write (replays a WAL if one is left) without waiting
        con.execute("CHECKPOINT")
    assert time.monotonic() - started < 4, "a dead writer's lock kept the next writer waiting"
    assert snapshot(database) == before
    result = submit_file(small, DEPARTMENT, db_path=database, submitted_by="after-kill")
    assert result.status == "accepted", result.errors[:3]
    assert result.new_rows == 30
    with db.read(database) as con:
        assert (
            con.execute("SELECT count(*) FROM observations WHERE submission_id = ?", [result.submission_id]).fetchone()[
                0
            ]
            == 30
        )


# --------------------------------------------------------------------------- the tests


def test_uninterrupted_run_writes_the_whole_file(fault_db, reference):
    phases, after = reference
    before = snapshot(fault_db.base, with_time=False)
    assert after["observations"][0] == before["observations"][0] + 2 * WEEKS * COMMUNES
    assert after["observation_history"][0] == before["observation_history"][0] + 3 * WEEKS * COMMUNES
    assert after["submissions"][0] == before["submissions"][0] + 1


MOMENTS = [
    ("reading", 0.0),
    ("queued", 0.0),
    ("validating", 0.0),
    ("validating", 0.4),
    ("validating", 0.8),
    ("writing", 0.0),
]


def _kill_before_commit(fx: Fixture, name: str, phase: str, delay: float) -> tuple[Path, Phases]:
    """A copy whose loader was SIGKILLed `delay` s after `phase`, before its commit started.

    The machine's load moves the phases: when the process got to its commit (or its end) first,
    try again with half the delay (the reading window, tens of ms, may also be missed).
    """
    tried = []
    for attempt in range(4):
        database = _fresh_copy(fx, f"{name}-{attempt}")
        proc = _start(database, fx.big)
        phases, killed = _watch(proc, database, until=phase, delay=delay)
        if killed and phases.committing is None:
            return database, phases
        tried.append((delay, killed, phases))
        delay /= 2
    raise AssertionError(f"no kill landed in the {phase} phase before the commit: {tried}")


@pytest.mark.slow
@pytest.mark.parametrize(("phase", "fraction"), MOMENTS, ids=[f"{p}+{int(f * 100)}%" for p, f in MOMENTS])
def test_sigkill_leaves_the_database_as_it_was(fault_db, reference, phase, fraction):
    ref_phases, _ = reference
    in_write_connection = ref_phases.committing - ref_phases.validating  # checking, merging, writing
    before = snapshot(fault_db.base)
    database, phases = _kill_before_commit(
        fault_db, f"{phase}-{int(fraction * 100)}", phase, fraction * in_write_connection
    )
    if phase == "reading":  # only reading: no lock taken, the database not opened
        assert phases.queued is None and phases.validating is None
    # The dashboard's read-only connection sees exactly the state before the submission.
    assert snapshot(database) == before
    _assert_recovered(database, before, fault_db.small)


@pytest.mark.slow
def test_sigkill_while_committing_is_all_or_nothing(fault_db, reference):
    """Killed once the WAL appears: either nothing or the whole submission, never part of it."""
    _, after = reference
    before_exact = snapshot(fault_db.base)
    before = snapshot(fault_db.base, with_time=False)
    database = _fresh_copy(fault_db, "committing")
    proc = _start(database, fault_db.big)
    phases, killed = _watch(proc, database, until="committing")
    assert phases.writing is not None
    state = snapshot(database, with_time=False)
    assert state in (before, after), f"a partial write is visible after a kill while committing ({killed=})"
    if state == before:
        _assert_recovered(database, before_exact, fault_db.small)
    else:
        _assert_recovered(database, snapshot(database), fault_db.small)


@pytest.mark.slow
def test_killed_copy_takes_the_same_file_again(fault_db, reference):
    """After a kill mid-write, sending the same file again gives exactly the uninterrupted result."""
    ref_phases, after = reference
    delay = 0.6 * (ref_phases.committing - ref_phases.validating)
    database, _ = _kill_before_commit(fault_db, "again", "validating", delay)
    # Same hash as the killed attempt: nothing of that attempt may make it look already loaded.
    from auth import cli as auth_cli

    # sent as the command line sent the reference (which records its server user: cli:NAME)
    result = submit_file(fault_db.big, DEPARTMENT, db_path=database, submitted_by=auth_cli.actor())
    assert (result.status, result.new_rows, result.revised_rows) == ("accepted", 2 * WEEKS * COMMUNES, WEEKS * COMMUNES)
    assert snapshot(database, with_time=False) == after
