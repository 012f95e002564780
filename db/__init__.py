"""The one module through which everything opens the database."""

from db.connection import (
    DatabaseBusy,
    DatabaseError,
    DatabaseMissing,
    data_version,
    query,
    read,
    write,
)

__all__ = ["DatabaseBusy", "DatabaseError", "DatabaseMissing", "data_version", "query", "read", "write"]
