"""Write a checked catalogue and the reference data into the database, whole or not at all."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

import db
import settings
from auth.accounts import Account
from auth.roles import check_can
from db import audit
from loaders.errors import vi_count
from schema.catalogue import Catalogue, CatalogueError, Problem, load_catalogue

_INDICATOR_COLUMNS = (
    "code",
    "name_vi",
    "name_en",
    "group",
    "field",
    "owner",
    "source",
    "unit",
    "frequency",
    "value_type",
    "level",
    "aggregation",
    "direction",
    "valid_min",
    "valid_max",
    "deadline_days",
    "definition_vi",
    "definition_en",
    "method",
    "central_code",
    "stage",
)


def write_catalogue(
    con: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
    file_name: str,
    file_hash: str,
    loaded_by: str | None = None,
) -> int:
    """Replace departments, localities, indicators, targets and components in the open transaction.

    Records the load in catalogue_loads and audit_log; returns the load id.
    """
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
    }
    audit.record(con, loaded_by, "catalogue_load", file_name, detail, now)
    return load_id


def file_hash(*paths: Path) -> str:
    """sha256 over the files' bytes, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def load_catalogue_into(
    db_path: str | os.PathLike | None = None,
    catalogue_path: Path = settings.CATALOGUE_FILE,
    departments_path: Path = settings.DEPARTMENTS_FILE,
    localities_path: Path = settings.LOCALITIES_FILE,
    loaded_by: str | None = None,
    create: bool = True,
) -> Catalogue:
    """Check the catalogue files, then replace the database's catalogue in one transaction.

    A broken catalogue raises CatalogueError before the database is opened, so it keeps the one it had.
    ``create`` (``init``) makes the database when there is none; otherwise a missing one is DatabaseMissing.
    """
    catalogue_path, departments_path, localities_path = map(Path, (catalogue_path, departments_path, localities_path))
    catalogue = load_catalogue(catalogue_path, departments_path, localities_path)
    digest = file_hash(catalogue_path, departments_path, localities_path)
    with db.transaction(db_path, create=create) as con:
        dropped = dropped_with_data(con, catalogue, catalogue_path.name)
        if dropped:
            raise CatalogueError(dropped)
        write_catalogue(con, catalogue, catalogue_path.name, digest, loaded_by)
    return catalogue


def dropped_with_data(con: duckdb.DuckDBPyConnection, catalogue: Catalogue, file: str) -> list[Problem]:
    """Indicators the new catalogue leaves out although figures were submitted for them: their data would be lost."""
    kept = [ind.code for ind in catalogue.indicators]
    rows = con.execute(
        "SELECT indicator_code, count(*) FROM observations WHERE NOT list_contains(?, indicator_code) "
        "GROUP BY indicator_code ORDER BY indicator_code",
        [kept],
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
