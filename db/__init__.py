"""The one module through which everything opens the database: ``read``/``query`` for readers, ``transaction`` for writers."""

from db.connection import (
    DatabaseBusy,
    DatabaseError,
    DatabaseMissing,
    atomic,
    data_version,
    migrate,
    query,
    read,
    transaction,
    write,
)

__all__ = [
    "DatabaseBusy",
    "DatabaseError",
    "DatabaseMissing",
    "atomic",
    "data_version",
    "migrate",
    "query",
    "read",
    "transaction",
    "write",
]
