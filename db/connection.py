"""The one door to the database file.

DuckDB lets one process write a file or several processes read it, never both.
The rule here:

* readers (the dashboard) open the file read-only for the few milliseconds a
  query takes and close it again, so the file is free most of the time;
* a writer (a submission, the command line, the upload page) first takes an
  exclusive lock file, so writers queue instead of failing, then opens the
  database read-write, retrying while readers hold it;
* inside one process (the dashboard serves every session from threads of one
  process) DuckDB refuses a read-write open while a read-only connection to the
  same file is open, so threads pass a gate: many readers or one writer, and a
  waiting writer goes before new readers;
* both wait at most ``LOCK_TIMEOUT_SECONDS`` and then raise ``DatabaseBusy``
  with a message in Vietnamese and English that says who holds the file (a
  writer, or a reader) and how long it waited, rounded.

Writers go through one door, ``transaction``: it opens the write connection
(never creating a missing file unless asked to: only ``init`` creates a
database), runs the caller's work between BEGIN and COMMIT, and rolls back on
any error, as datasette's ``execute_write_fn`` does. ``atomic`` is the same
transaction on a connection the caller already holds (the demo generator's).
Checks that need no lock run before the door is entered, so a large file
being read and checked blocks nobody.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

import settings

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
_RETRY_PAUSE_SECONDS = 0.05
# Writers of one process queue on this before they take the lock file.
_in_process_writer = threading.Lock()
# Threads of this process open connections one at a time: two threads connecting to one file at the same moment
# share a database instance, and a query of one could run before the other had finished setting it up (seen
# as "Table Function with name python_arrow_scan does not exist" under tests/test_concurrency.py).
_connecting = threading.Lock()


class _ThreadGate:
    """Threads of this process: many readers or one writer; a waiting writer goes before new readers."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    def _wait(self, ready, deadline: float) -> bool:
        return self._changed.wait_for(ready, max(deadline - time.monotonic(), 0.0))

    def enter_reading(self, deadline: float) -> bool:
        with self._changed:
            if not self._wait(lambda: not self._writing and not self._writers_waiting, deadline):
                return False
            self._readers += 1
            return True

    def leave_reading(self) -> None:
        with self._changed:
            self._readers -= 1
            self._changed.notify_all()

    def enter_writing(self, deadline: float) -> bool:
        with self._changed:
            self._writers_waiting += 1
            try:
                free = self._wait(lambda: not self._writing and self._readers == 0, deadline)
            finally:
                self._writers_waiting -= 1
            if free:
                self._writing = True
            else:
                self._changed.notify_all()  # readers held back by this writer may go on
            return free

    def leave_writing(self) -> None:
        with self._changed:
            self._writing = False
            self._changed.notify_all()


_gates: dict[str, _ThreadGate] = {}
_gates_lock = threading.Lock()


def _gate(file: Path) -> _ThreadGate:
    """The gate of one database file (files do not hold each other up)."""
    with _gates_lock:
        return _gates.setdefault(str(file.resolve()), _ThreadGate())


class DatabaseError(Exception):
    """A database problem explained to the user in both languages."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


class DatabaseBusy(DatabaseError):
    """The file stayed locked by another process for longer than the timeout."""


class DatabaseMissing(DatabaseError):
    """The database file does not exist yet."""


class DatabaseDamaged(DatabaseError):
    """The file exists but cannot be read as this system's database: damaged, truncated, foreign, a directory."""


# DuckDB's errors that say the file itself is unreadable (the checksum error is a bare duckdb.Error), as opposed
# to a query the program got wrong (binder, parser, conversion errors: those are bugs, and say so).
_DAMAGE = (
    duckdb.IOException,
    duckdb.SerializationException,
    duckdb.InternalException,
    duckdb.FatalException,
    duckdb.CatalogException,  # a table missing: not this system's file, or an empty one
)


def _is_damage(exc: BaseException) -> bool:
    """Whether a DuckDB error says the file is unreadable (and not that a query or the program went wrong)."""
    if isinstance(exc, duckdb.CatalogException):
        return "Table with name" in str(exc)  # a table of ours is missing; not a missing function
    return isinstance(exc, _DAMAGE) or type(exc) is duckdb.Error


def missing(path: Path) -> DatabaseMissing:
    """No file at ``path``: the message pages and the command line show."""
    return DatabaseMissing(
        f"Chưa có cơ sở dữ liệu tại {path}. Không có gì được tạo. Kiểm tra đường dẫn (INDICATORS_DB, --db) và ổ đĩa; "
        "tạo cơ sở dữ liệu mới: python -m loaders init (bản minh hoạ: python -m loaders init --demo).",
        f"No database at {path}. Nothing was created. Check the path (INDICATORS_DB, --db) and the disk; "
        "to create a new database: python -m loaders init (the demo: python -m loaders init --demo).",
    )


def damaged(path: Path) -> DatabaseDamaged:
    """An unreadable file at ``path``: the message pages and the command line show (no library text)."""
    return DatabaseDamaged(
        f"Không đọc được cơ sở dữ liệu {path}: tệp bị hỏng hoặc không phải cơ sở dữ liệu của hệ thống này. "
        "Không có gì được ghi. Khôi phục từ bản sao lưu (python -m loaders restore THƯ_MỤC --force) "
        "hoặc kiểm tra đường dẫn (INDICATORS_DB, --db).",
        f"Cannot read the database {path}: the file is damaged or is not this system's database. "
        "Nothing was written. Restore a backup (python -m loaders restore DIR --force) "
        "or check the path (INDICATORS_DB, --db).",
    )


def explain(exc: BaseException, path: str | os.PathLike | None = None) -> DatabaseError:
    """Any failure of the database as the one bilingual DatabaseError that pages and the command line show."""
    if isinstance(exc, DatabaseError):
        return exc
    file = settings.db_path(path)
    if _is_damage(exc):
        return damaged(file)
    return DatabaseError(
        f"Lỗi khi đọc cơ sở dữ liệu {file}; dữ liệu không bị thay đổi. Báo quản trị viên kèm thời điểm xảy ra.",
        f"An error occurred while reading the database {file}; no data was changed. "
        "Tell an administrator when it happened.",
    )


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text or "different configuration" in text or "file handle conflict" in text


def _seconds(seconds: float) -> tuple[str, str]:
    """A wait as people say it: whole seconds from 1 s up, one decimal below (Vietnamese 0,5; English 0.5)."""
    shown = f"{round(seconds)}" if seconds >= 1 else f"{max(round(seconds, 1), 0.1):g}"
    return shown.replace(".", ","), shown


# Who kept the file: a writer (another process or thread writing) or a reader (open for reading).
WRITER, READER = "writer", "reader"


def _busy(path: Path, seconds: float, holder: str) -> DatabaseBusy:
    vi_wait, en_wait = _seconds(seconds)
    if holder == READER:
        vi_who = "tệp đang được mở để đọc (bảng điều khiển hoặc một lệnh khác đang truy vấn)"
        en_who = "the file is held open for reading (the dashboard or another command is querying it)"
    else:
        vi_who = "một tiến trình khác đang ghi vào tệp"
        en_who = "another process is writing to it"
    return DatabaseBusy(
        f"Cơ sở dữ liệu {path} đang bận: {vi_who}; đã chờ quá {vi_wait} giây. Không có gì được ghi. "
        "Vui lòng thử lại sau ít phút.",
        f"The database {path} is busy: {en_who}; waited more than {en_wait} s. Nothing was written. "
        "Please try again in a few minutes.",
    )


def _open(path: Path, read_only: bool, timeout: float, wait: float) -> duckdb.DuckDBPyConnection:
    """Connect, retrying while another process holds the file, until ``timeout``; ``wait`` is said in the message."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with _connecting:
                return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:  # a corrupt block's checksum comes as a bare duckdb.Error
            lock = isinstance(exc, duckdb.IOException | duckdb.ConnectionException | duckdb.ResourceInUseException)
            if not (lock and _is_lock_conflict(exc)):
                raise damaged(path) from exc  # DuckDB's own text stays in the chain (logs), not in what users read
            if time.monotonic() >= deadline:
                # A reader waits only for a writer; a writer (holding the writers' lock) only for readers.
                raise _busy(path, wait, WRITER if read_only else READER) from exc
            time.sleep(_RETRY_PAUSE_SECONDS)


@contextmanager
def read(path: str | os.PathLike | None = None, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection; close it quickly so writers can get in."""
    file = settings.db_path(path)
    if not file.exists():
        raise missing(file)
    wait = settings.LOCK_TIMEOUT_SECONDS if timeout is None else timeout
    deadline = time.monotonic() + wait
    gate = _gate(file)
    if not gate.enter_reading(deadline):
        raise _busy(file, wait, WRITER)
    try:
        con = _open(file, True, max(deadline - time.monotonic(), 0.0), wait)
        try:
            yield con
        except duckdb.Error as exc:  # a damaged block or a missing table shows up only when a query reads it
            if _is_damage(exc):
                raise damaged(file) from exc
            raise
        finally:
            con.close()
    finally:
        gate.leave_reading()


@contextmanager
def writer_lock(file: Path, wait: float, deadline: float) -> Iterator[None]:
    """The writers' queue: this process's writer lock, then the lock file beside the database."""
    if not _in_process_writer.acquire(timeout=wait):
        raise _busy(file, wait, WRITER)
    try:
        with open(f"{file}.writer.lock", "a+") as lock_file:
            while True:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise _busy(file, wait, WRITER) from None
                    time.sleep(_RETRY_PAUSE_SECONDS)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    finally:
        _in_process_writer.release()


@contextmanager
def write(
    path: str | os.PathLike | None = None, timeout: float | None = None, create: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The read-write connection under the writers' lock, schema applied; writers use ``transaction``.

    ``create=False`` refuses a missing file (DatabaseMissing) before anything is created beside it.
    """
    file = settings.db_path(path)
    if not create and not file.exists():
        raise missing(file)
    file.parent.mkdir(parents=True, exist_ok=True)
    wait = settings.LOCK_TIMEOUT_SECONDS if timeout is None else timeout
    deadline = time.monotonic() + wait
    with writer_lock(file, wait, deadline):
        gate = _gate(file)
        if not gate.enter_writing(deadline):
            raise _busy(file, wait, READER)  # this process's own page threads are reading it
        try:
            con = _open(file, False, max(deadline - time.monotonic(), 0.0), wait)
            try:
                try:
                    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
                except duckdb.Error as exc:
                    if _is_damage(exc):
                        raise damaged(file) from exc
                    raise
                yield con
            finally:
                con.close()
        finally:
            gate.leave_writing()


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a transaction is open on ``con``: in autocommit each statement gets a new id.

    (A failed BEGIN would abort the caller's transaction, so we may not just try one.)
    """
    first = con.execute("SELECT txid_current()").fetchall()[0][0]  # fetchall: leave no result unfinished
    return con.execute("SELECT txid_current()").fetchall()[0][0] == first


@contextmanager
def atomic(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT on an open write connection, ROLLBACK on any error; joins the caller's open transaction."""
    owned = not in_transaction(con)
    if owned:
        con.begin()
    try:
        yield con
    except BaseException:
        if owned:
            con.rollback()
        raise
    if owned:
        con.commit()


@contextmanager
def transaction(
    path: str | os.PathLike | None = None, timeout: float | None = None, create: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The write door: the writers' lock, one transaction, commit on success and rollback on any error.

    A missing database is refused (DatabaseMissing) unless ``create``: only ``init`` creates one.
    Do the slow work (reading, checking) before entering: everything inside holds the lock.
    """
    with write(path, timeout, create=create) as con, atomic(con):
        yield con


def migrate(path: str | os.PathLike | None = None) -> None:
    """Bring an existing file's tables up to ``schema.sql`` (every write connection does it too)."""
    with write(path, create=False):
        pass


def query(sql: str, params: dict | list | None = None, path: str | os.PathLike | None = None) -> pl.DataFrame:
    """Run one read query with bound parameters and return a polars frame."""
    with read(path) as con:
        return con.sql(sql, params=params).pl()


def data_version(path: str | os.PathLike | None = None) -> tuple[int, ...]:
    """A cheap token that changes whenever the file changes: cache keys for readers."""
    file = settings.db_path(path)
    parts: list[int] = []
    for candidate in (file, Path(f"{file}.wal")):
        try:
            stat = candidate.stat()
            parts += [stat.st_mtime_ns, stat.st_size]
        except FileNotFoundError:
            parts += [0, 0]
    return tuple(parts)
