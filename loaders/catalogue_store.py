"""Write a checked catalogue and the reference data into the database, whole or not at all."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

import db
import settings
from auth.accounts import Account
from auth.roles import check_can
from db import audit
from loaders.errors import vi_count
from schema.catalogue import Catalogue, CatalogueError, Problem, read_catalogue
from schema.models import COLUMN_FIELDS, Indicator

_INDICATOR_COLUMNS = COLUMN_FIELDS


def write_catalogue(
    con: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
    file_name: str,
    file_hash: str,
    loaded_by: str | None = None,
) -> int:
    """Replace departments, localities, indicators, targets and components in the open transaction.

    Records the load in catalogue_loads and audit_log (with every attribute it changes); returns the load id.
    """
    change = diff(current_attributes(con), catalogue)
    for table in ("components", "targets", "indicators", "localities", "departments"):
        con.execute(f"DELETE FROM {table}")
    con.executemany(
        "INSERT INTO departments (code, name_vi, name_en) VALUES (?, ?, ?)",
        [(d.code, d.name_vi, d.name_en) for d in catalogue.departments],
    )
    con.executemany(
        "INSERT INTO localities (code, name, kind) VALUES (?, ?, ?)",
        [(loc.code, loc.name, loc.kind) for loc in catalogue.localities],
    )
    columns = ", ".join(f'"{c}"' for c in (*_INDICATOR_COLUMNS, "on_track_pct", "at_risk_pct", "position"))
    marks = ", ".join("?" for _ in range(len(_INDICATOR_COLUMNS) + 3))
    con.executemany(
        f"INSERT INTO indicators ({columns}) VALUES ({marks})",
        [
            (
                *(getattr(ind, c) for c in _INDICATOR_COLUMNS),
                ind.thresholds.on_track,
                ind.thresholds.at_risk,
                position,
            )
            for position, ind in enumerate(catalogue.indicators, start=1)
        ],
    )
    targets = [(ind.code, year, value) for ind in catalogue.indicators for year, value in ind.targets.items()]
    if targets:
        con.executemany("INSERT INTO targets (indicator_code, year, value) VALUES (?, ?, ?)", targets)
    components = [(ind.code, c.code, c.weight) for ind in catalogue.indicators for c in ind.components]
    if components:
        con.executemany("INSERT INTO components (composite_code, component_code, weight) VALUES (?, ?, ?)", components)
    now = audit.now()
    load_id = con.execute("SELECT nextval('catalogue_load_ids')").fetchall()[0][0]
    con.execute(
        "INSERT INTO catalogue_loads (id, loaded_at, file_name, file_hash, indicators, loaded_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [load_id, now, file_name, file_hash, len(catalogue.indicators), loaded_by],
    )
    detail = {
        "catalogue_load_id": load_id,
        "file_name": file_name,
        "file_hash": file_hash,
        "indicators": len(catalogue.indicators),
        "departments": len(catalogue.departments),
        "localities": len(catalogue.localities),
        **change.as_detail(),
    }
    audit.record(con, loaded_by, "catalogue_load", file_name, detail, now)
    return load_id


def file_hash(*paths: Path) -> str:
    """sha256 over the files' bytes, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def check_catalogue_file(
    db_path: str | os.PathLike | None,
    catalogue_path: Path,
    departments_path: Path = settings.DEPARTMENTS_FILE,
    localities_path: Path = settings.LOCALITIES_FILE,
) -> tuple[Catalogue | None, list[Problem]]:
    """Every problem of a catalogue file at once, indicators it would drop although they have data included.

    The catalogue is None when there is any problem. Reads the database only (and only when it exists).
    """
    catalogue, parsed = read_catalogue(Path(catalogue_path), Path(departments_path), Path(localities_path))
    problems = list(parsed.problems)
    if parsed.codes is not None and settings.db_path(db_path).exists():
        with db.read(db_path) as con:
            problems += dropped_with_data(con, parsed.codes, Path(catalogue_path).name)
    return (None if problems else catalogue), problems


def load_catalogue_into(
    db_path: str | os.PathLike | None = None,
    catalogue_path: Path = settings.CATALOGUE_FILE,
    departments_path: Path = settings.DEPARTMENTS_FILE,
    localities_path: Path = settings.LOCALITIES_FILE,
    loaded_by: str | None = None,
    create: bool = True,
) -> Catalogue:
    """Check the catalogue files, then replace the database's catalogue in one transaction.

    A broken catalogue raises CatalogueError (every problem, those against the data on file included) before
    anything is written, so the database keeps the one it had. ``create`` (``init``) makes the database when
    there is none; otherwise a missing one is DatabaseMissing.
    """
    catalogue_path, departments_path, localities_path = map(Path, (catalogue_path, departments_path, localities_path))
    catalogue, problems = check_catalogue_file(db_path, catalogue_path, departments_path, localities_path)
    if catalogue is None:
        raise CatalogueError(problems)
    digest = file_hash(catalogue_path, departments_path, localities_path)
    with db.transaction(db_path, create=create) as con:  # again inside: figures may have arrived since the check
        dropped = dropped_with_data(con, {ind.code for ind in catalogue.indicators}, catalogue_path.name)
        if dropped:
            raise CatalogueError(dropped)
        write_catalogue(con, catalogue, catalogue_path.name, digest, loaded_by)
    return catalogue


def dropped_with_data(con: duckdb.DuckDBPyConnection, kept: set[str], file: str) -> list[Problem]:
    """Indicators left out of the codes ``kept`` although figures were submitted for them: their data would be lost."""
    rows = con.execute(
        "SELECT indicator_code, count(*) FROM observations WHERE NOT list_contains(?, indicator_code) "
        "GROUP BY indicator_code ORDER BY indicator_code",
        [sorted(kept)],
    ).fetchall()
    return [
        Problem(
            file,
            code,
            "code",
            f"Chỉ số đã có {vi_count(n)} giá trị nên không thể xóa khỏi danh mục; hãy giữ lại chỉ số này.",
            f"The indicator already has {n:,} values, so it cannot be removed from the catalogue; keep it.",
        )
        for code, n in rows
    ]


# ---------------------------------------------------------------- what a new catalogue changes, attribute by attribute

_COMPARED = tuple(c for c in _INDICATOR_COLUMNS if c != "code")


@dataclass(frozen=True)
class Change:
    """One attribute of one indicator, old -> new (None where there was or will be none)."""

    code: str
    field: str  # a CONTRACT §1 name; `targets.2026`, `thresholds.on_track`, `components` for the nested ones
    old: Any
    new: Any


@dataclass(frozen=True)
class CatalogueDiff:
    """What a new catalogue does to the current one: indicators added, removed, and every attribute it changes."""

    added: list[str]
    removed: list[str]
    changes: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        """Codes of the kept indicators with at least one attribute changed."""
        return sorted({c.code for c in self.changes})

    @property
    def none(self) -> bool:
        return not (self.added or self.removed or self.changes)

    def as_detail(self, most: int = 500) -> dict[str, Any]:
        """For the audit log: the codes, and the first ``most`` attribute changes as [code, field, old, new]."""
        return {
            "added": self.added,
            "removed": self.removed,
            "changes": [[c.code, c.field, c.old, c.new] for c in self.changes[:most]],
            "changes_total": len(self.changes),
        }


def attributes(ind: Indicator) -> dict[str, Any]:
    """Every attribute of an indicator as flat comparable values (targets per year, thresholds, components)."""
    flat: dict[str, Any] = {name: getattr(ind, name) for name in _COMPARED}
    flat["thresholds.on_track"] = float(ind.thresholds.on_track)
    flat["thresholds.at_risk"] = float(ind.thresholds.at_risk)
    flat["components"] = tuple(sorted((c.code, float(c.weight)) for c in ind.components)) or None
    for year, value in ind.targets.items():
        flat[f"targets.{year}"] = float(value)
    return {k: _plain(v) for k, v in flat.items()}


def _plain(value: Any) -> Any:
    """One form for a value whether it came from the file or the database ('' and None are both 'none')."""
    if value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return float(value) if isinstance(value, float) else value


def current_attributes(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """The catalogue in the database as ``attributes`` gives them, by code."""
    columns = ", ".join(f'"{c}"' for c in (*_INDICATOR_COLUMNS, "on_track_pct", "at_risk_pct"))
    out: dict[str, dict[str, Any]] = {}
    cursor = con.execute(f"SELECT {columns} FROM indicators")
    names = [d[0] for d in cursor.description]
    for row in cursor.fetchall():
        rec = dict(zip(names, row, strict=True))
        flat = {name: rec[name] for name in _COMPARED}
        flat["thresholds.on_track"], flat["thresholds.at_risk"] = rec["on_track_pct"], rec["at_risk_pct"]
        flat["components"] = None
        out[rec["code"]] = flat
    for code, year, value in con.execute("SELECT indicator_code, year, value FROM targets").fetchall():
        if code in out:
            out[code][f"targets.{year}"] = value
    parts: dict[str, list[tuple[str, float]]] = {}
    for composite, component, weight in con.execute(
        "SELECT composite_code, component_code, weight FROM components"
    ).fetchall():
        parts.setdefault(composite, []).append((component, float(weight)))
    for code, items in parts.items():
        if code in out:
            out[code]["components"] = tuple(sorted(items))
    return {code: {k: _plain(v) for k, v in flat.items()} for code, flat in out.items()}


def diff(before: dict[str, dict[str, Any]], catalogue: Catalogue) -> CatalogueDiff:
    """Every difference between the catalogue on file (``current_attributes``) and ``catalogue``, in file order."""
    after = {ind.code: attributes(ind) for ind in catalogue.indicators}
    changes: list[Change] = []
    for code, new in after.items():
        old = before.get(code)
        if old is None:
            continue
        fields = [f for f in new if f in old] + sorted(f for f in old if f not in new)
        fields += sorted(f for f in new if f not in old)
        for name in fields:
            if old.get(name) != new.get(name):
                changes.append(Change(code, name, old.get(name), new.get(name)))
    return CatalogueDiff(
        added=[code for code in after if code not in before],
        removed=sorted(set(before) - set(after)),
        changes=changes,
    )


def preview(db_path: str | os.PathLike | None, catalogue: Catalogue) -> CatalogueDiff:
    """What replacing the catalogue on file with ``catalogue`` would change (reads only)."""
    with db.read(db_path) as con:
        return diff(current_attributes(con), catalogue)


def replace_catalogue(
    db_path: str | os.PathLike | None,
    catalogue_path: Path,
    account: Account | None = None,
    departments_path: Path = settings.DEPARTMENTS_FILE,
    localities_path: Path = settings.LOCALITIES_FILE,
) -> Catalogue:
    """An admin's catalogue change (command line or upload page): checked whole, refused whole, recorded either way.

    ``account`` None is the server's own command line without ``--user``. Raises PermissionDenied for an
    account that is not an admin, CatalogueError (after recording the refusal in the audit log) for a
    catalogue with problems; the database then keeps the catalogue it had.
    """
    if account is not None:
        check_can(account, "admin")
    actor = account.username if account else None
    try:
        return load_catalogue_into(
            db_path, catalogue_path, departments_path, localities_path, loaded_by=actor, create=False
        )
    except CatalogueError as exc:
        with db.transaction(db_path) as con:
            problems = [str(p) for p in exc.problems[:1_000]]
            audit.record(con, actor, "catalogue_rejected", Path(catalogue_path).name, {"problems": problems})
        raise
