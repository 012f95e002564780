"""The one module through which everything opens the database."""

from db.connection import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseError,
    DatabaseMissing,
    atomic,
    data_version,
    explain,
    migrate,
    query,
    read,
    transaction,
    write,
)

__all__ = [
    "DatabaseBusy",
    "DatabaseDamaged",
    "DatabaseError",
    "DatabaseMissing",
    "atomic",
    "data_version",
    "explain",
    "migrate",
    "query",
    "read",
    "transaction",
    "write",
]
