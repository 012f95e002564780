"""Small helpers on polars frames for the read side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl


def each(
    frame: pl.DataFrame, column: str, fn: Callable[[Any], Any], name: str | None = None, dtype: Any = pl.String
) -> pl.Series:
    """``fn`` applied to every non-null value of a column, in the calling thread.

    Not ``map_elements``: a polars Python UDF runs on polars' thread pool and needs the GIL there,
    and under many Streamlit sessions (threads of one process) that deadlocked the whole server
    (see ``tests/test_concurrency.py``). Nulls stay null, as with ``map_elements``.
    """
    return pl.Series(name or column, [None if v is None else fn(v) for v in frame[column].to_list()], dtype=dtype)
