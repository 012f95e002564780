"""Backup and restore with DuckDB's ``EXPORT DATABASE`` / ``IMPORT DATABASE``.

* ``backup`` exports through a short read-only connection (so the dashboard keeps reading and a writer only
  waits for the export) into a hidden directory next to ``out_dir``, adds ``manifest.json`` (every table's row
  count and checksum), and renames it to ``out_dir`` only when complete: a directory named ``out_dir`` is
  always a whole backup.
* ``restore`` imports into a new file next to the target, checks it against the manifest, and only then,
  holding the writers' lock, swaps it in with ``os.replace``. A failed import leaves the target untouched.
  The previous file is kept beside it as ``<stem>.before-restore-<time>.duckdb`` (with its WAL, if any).

A backup directory is trusted input: ``IMPORT DATABASE`` runs the ``schema.sql`` and ``load.sql`` inside it.
Directory paths are not values DuckDB can bind in these statements, so they are quoted as SQL literals.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

import settings
from db import audit, connection
from db.connection import SCHEMA_SQL, DatabaseError, read

MANIFEST = "manifest.json"


class BackupError(DatabaseError):
    """A backup or restore that failed; nothing was replaced."""


class BackupRefused(BackupError):
    """A backup or restore refused before it started (bad directory, existing target without force)."""


@dataclass(frozen=True)
class BackupResult:
    directory: Path
    summary: dict[str, Any]


@dataclass(frozen=True)
class RestoreResult:
    target: Path
    summary: dict[str, Any]
    kept: Path | None = None
    checked: list[str] = field(default_factory=list)


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every table's row count and an order-independent checksum of its rows, plus the DuckDB version."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name"
        ).fetchall()
    ]
    tables: dict[str, dict[str, Any]] = {}
    for name in names:
        # The whole row as text, hashed: equal contents give equal sums whatever the row order.
        rows, checksum = con.execute(
            f"SELECT count(*), coalesce(sum(md5_number_lower(CAST(t AS VARCHAR))), 0) FROM {_identifier(name)} t"
        ).fetchone()
        tables[name] = {"rows": int(rows), "checksum": str(checksum)}
    return {"duckdb_version": duckdb.__version__, "tables": tables}


def backup(path: str | os.PathLike | None, out_dir: str | os.PathLike) -> BackupResult:
    """Export the database at ``path`` into the new (or empty) directory ``out_dir``."""
    source = settings.db_path(path)
    out = Path(out_dir).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupRefused(
            f"Thư mục {out} đã có nội dung; hãy chọn một thư mục mới cho bản sao lưu.",
            f"{out} is not an empty directory; choose a new directory for the backup.",
        )
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        with read(source) as con:
            stats = summary(con)
            con.execute(f"EXPORT DATABASE {_literal(partial)} (FORMAT parquet)")
        stats["created_at"] = datetime.now().isoformat(timespec="seconds")
        stats["source"] = str(source)
        (partial / MANIFEST).write_text(json.dumps(stats, indent=2, ensure_ascii=False), encoding="utf-8")
        if out.exists():
            out.rmdir()  # checked empty above
        os.rename(partial, out)
    except (duckdb.Error, OSError) as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(
            f"Sao lưu {source} vào {out} không thành công: {exc}",
            f"Backing up {source} to {out} failed: {exc}",
        ) from exc
    return BackupResult(out, stats)


def _read_manifest(directory: Path) -> dict[str, Any] | None:
    file = directory / MANIFEST
    if not file.exists():
        return None  # a plain EXPORT DATABASE directory: restorable, counts not checked
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
        tables = manifest["tables"]
        if not isinstance(tables, dict):
            raise TypeError("tables")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupRefused(
            f"Tệp {file} hỏng: {exc}",
            f"The file {file} is damaged: {exc}",
        ) from exc
    return manifest


def _compare(manifest: dict[str, Any] | None, found: dict[str, Any]) -> list[str]:
    """Problems between the manifest and the imported database; the names of the checked tables."""
    if manifest is None:
        return []
    same_version = manifest.get("duckdb_version") == found["duckdb_version"]
    problems = []
    for name, expected in manifest["tables"].items():
        got = found["tables"].get(name)
        if got is None:
            problems.append(f"{name}: missing")
        elif got["rows"] != expected.get("rows"):
            problems.append(f"{name}: {got['rows']} rows, expected {expected.get('rows')}")
        # Rows are rendered as text by DuckDB: compare checksums only within one DuckDB version.
        elif same_version and got["checksum"] != expected.get("checksum"):
            problems.append(f"{name}: checksum differs")
    return problems


def _remove(file: Path) -> None:
    for candidate in (file, Path(f"{file}.wal")):
        candidate.unlink(missing_ok=True)


@contextmanager
def writer_lock(path: str | os.PathLike | None, timeout: float | None = None) -> Iterator[None]:
    """Hold the lock ``db.write`` takes, without opening the database: no writer runs meanwhile."""
    file = settings.db_path(path)
    wait = settings.LOCK_TIMEOUT_SECONDS if timeout is None else timeout
    with connection.writer_lock(file, wait, time.monotonic() + wait):
        yield


def _refuse_existing(target: Path) -> BackupRefused:
    return BackupRefused(
        f"Đã có cơ sở dữ liệu {target}; thêm --force để thay thế (bản cũ được giữ lại bên cạnh).",
        f"A database already exists at {target}; add --force to replace it (the old file is kept beside it).",
    )


def restore(
    in_dir: str | os.PathLike,
    path: str | os.PathLike | None = None,
    force: bool = False,
    actor: str | None = None,
) -> RestoreResult:
    """Import the backup ``in_dir`` into a new file and swap it in for ``path`` once the import succeeded."""
    source = Path(in_dir).resolve()
    target = settings.db_path(path).resolve()
    if not (source / "schema.sql").is_file() or not (source / "load.sql").is_file():
        raise BackupRefused(
            f"{source} không phải một bản sao lưu (thiếu schema.sql hoặc load.sql).",
            f"{source} is not a backup (schema.sql or load.sql is missing).",
        )
    if target.exists() and not force:
        raise _refuse_existing(target)
    manifest = _read_manifest(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restore-{os.getpid()}.tmp")
    _remove(staged)
    try:
        con = duckdb.connect(str(staged))
        try:
            con.execute(f"IMPORT DATABASE {_literal(source)}")
            # Tables added to the schema since the backup was made.
            con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
            found = summary(con)
            problems = _compare(manifest, found)
            if problems:
                raise BackupError(
                    "Bản sao lưu không khớp với manifest.json: " + "; ".join(problems),
                    "The backup does not match its manifest.json: " + "; ".join(problems),
                )
            # The restore is recorded in the restored file itself, in the same step as the data.
            detail = {"from": str(source), "created_at": (manifest or {}).get("created_at")}
            audit.record(con, actor, "restore", str(target), detail)
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except duckdb.Error as exc:
        _remove(staged)
        raise BackupError(
            f"Khôi phục từ {source} không thành công; {target} giữ nguyên. Chi tiết: {exc}",
            f"Restoring from {source} failed; {target} is unchanged. Details: {exc}",
        ) from exc
    except BaseException:
        _remove(staged)
        raise

    kept: Path | None = None
    try:
        with writer_lock(target):
            if target.exists():
                if not force:  # created while we imported
                    raise _refuse_existing(target)
                kept = target.with_name(f"{target.stem}.before-restore-{datetime.now():%Y%m%dT%H%M%S}{target.suffix}")
                try:
                    os.link(target, kept)
                except OSError:
                    shutil.copy2(target, kept)
                wal = Path(f"{target}.wal")
                if wal.exists():
                    # A WAL left by a killed writer belongs to the old file, never to the restored one.
                    os.replace(wal, f"{kept}.wal")
            os.replace(staged, target)
    finally:
        _remove(staged)
    return RestoreResult(target, found, kept, sorted((manifest or {"tables": {}})["tables"]))
