"""The pages' cached doors to the rules: the store is read once per data version, each figure computed once.

Every rule lives in ``rules/``; this module only caches. The store is a shared
resource keyed by the database file and its data version (a new submission
changes the version, so it shows at the next rerun); the figures are cached
per version and day, as shared resources too: ``st.cache_data`` would unpickle
a copy of the frame for every caller at every run, and no caller changes a
frame in place. Pages pass their ``Ctx`` (language, path, version, today).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import polars as pl
import streamlit as st

from db import queries
from rules import evaluate, quality, tally, timeliness
from rules.store import Store


class _Ctx(Protocol):
    path: Path
    version: tuple[int, ...]
    today: date

    def load(self, fn: Any, *args: Any) -> Any: ...


@st.cache_resource(max_entries=4, show_spinner=False)
def _store(path: str, version: tuple[int, ...], at: datetime | None = None) -> Store:
    # `at`: the data as it stood then (a meeting's frozen deck); None: as it stands now
    return queries.load_store(path, at)


def store(ctx: _Ctx) -> Store:
    """The catalogue and province figures of the data version the page runs on."""
    return _store(str(ctx.path), ctx.version)


def as_of(ctx: _Ctx, at: datetime | None = None) -> date | None:
    """The date of the data (of the data as it stood ``at``): the day of the latest file accepted by then."""
    return _store(str(ctx.path), ctx.version, at).as_of


def _codes(codes: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if codes is None else tuple(sorted({c.strip().upper() for c in codes}))


@st.cache_resource(max_entries=64, show_spinner=False)
def _latest(
    path: str, version: tuple[int, ...], today: date, codes: tuple[str, ...] | None, at: datetime | None = None
) -> pl.DataFrame:
    return evaluate.latest(_store(path, version, at), today, codes)


def latest(ctx: _Ctx, codes: Iterable[str] | None = None, at: datetime | None = None) -> pl.DataFrame:
    """rules.evaluate.latest: one row per indicator at its latest period (of the data as it stood ``at``)."""
    return _latest(str(ctx.path), ctx.version, ctx.today, _codes(codes), at)


@st.cache_resource(max_entries=128, show_spinner=False)
def _series(path: str, version: tuple[int, ...], today: date, code: str, at: datetime | None = None) -> pl.DataFrame:
    return evaluate.series_of(_store(path, version, at), code, today)


def series(ctx: _Ctx, code: str, at: datetime | None = None) -> pl.DataFrame:
    """rules.evaluate.series_of: one indicator, every period (of the data as it stood ``at``)."""
    return _series(str(ctx.path), ctx.version, ctx.today, code.strip().upper(), at)


def breakdown(ctx: _Ctx, code: str, period: str) -> pl.DataFrame:
    """rules.evaluate.breakdown: a computed composite's components in one period."""
    return evaluate.breakdown(store(ctx), code, period)


def window(ctx: _Ctx) -> timeliness.Window:
    """The window every timeliness figure uses and states: the year so far."""
    return timeliness.year_window(ctx.today)


@st.cache_resource(max_entries=64, show_spinner=False)
def _timeliness(path: str, version: tuple[int, ...], window: timeliness.Window) -> pl.DataFrame:
    s = _store(path, version)
    return timeliness.detail(s.catalogue, s.first_submissions, window)


def timeliness_detail(
    ctx: _Ctx, codes: Iterable[str] | None = None, within: timeliness.Window | None = None
) -> pl.DataFrame:
    """rules.timeliness.detail in a window (by default the stated one, ``window``), optionally for some indicators."""
    detail = _timeliness(str(ctx.path), ctx.version, within or window(ctx))
    wanted = _codes(codes)
    return detail if wanted is None else detail.filter(pl.col("indicator_code").is_in(wanted))


@st.cache_resource(max_entries=16, show_spinner=False)
def _departments(path: str, version: tuple[int, ...], today: date, _names: pl.DataFrame) -> pl.DataFrame:
    # `_names` (the departments of that version) is not hashed: the path and version say which it is.
    window = timeliness.year_window(today)
    return tally.departments(_latest(path, version, today, None), _timeliness(path, version, window), _names)


def departments(ctx: _Ctx) -> pl.DataFrame:
    """rules.tally.departments: every department's statuses and timeliness."""
    return _departments(str(ctx.path), ctx.version, ctx.today, ctx.load(queries.departments))


@st.cache_resource(max_entries=4, show_spinner=False)
def _outliers(path: str, version: tuple[int, ...]) -> pl.DataFrame:
    return quality.outliers(_store(path, version))


def outliers(ctx: _Ctx) -> pl.DataFrame:
    """rules.quality.outliers over the whole store."""
    return _outliers(str(ctx.path), ctx.version)


@st.cache_resource(max_entries=16, show_spinner=False)
def _gaps(path: str, version: tuple[int, ...], today: date, _coverage: pl.DataFrame) -> pl.DataFrame:
    return quality.gaps(_store(path, version), _coverage, today)  # `_coverage`: of that version, not hashed


def gaps(ctx: _Ctx) -> pl.DataFrame:
    """rules.quality.gaps: indicators without data, target or source."""
    return _gaps(str(ctx.path), ctx.version, ctx.today, ctx.load(queries.coverage))
