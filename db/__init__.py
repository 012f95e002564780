"""The one module through which everything opens the database."""

from db.connection import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseError,
    DatabaseMissing,
    data_version,
    explain,
    query,
    read,
    write,
)

__all__ = [
    "DatabaseBusy",
    "DatabaseDamaged",
    "DatabaseError",
    "DatabaseMissing",
    "data_version",
    "explain",
    "query",
    "read",
    "write",
]
