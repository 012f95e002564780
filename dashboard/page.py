"""The preamble every page calls: language, database, data version, title, demo banner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

import db
import settings
from auth import roles
from auth.accounts import Account
from dashboard import state
from dashboard.bootstrap import show_database_problem
from dashboard.charts import Stamp
from dashboard.i18n import t
from dashboard.login import require_login, session_account
from db import queries
from rules.store import as_of_date

T = TypeVar("T")
_REGISTRY: dict[str, Callable[..., Any]] = {}


# A resource, not st.cache_data: cache_data hands every caller a copy (it unpickles the stored frame at every
# hit), and no caller changes a frame in place (polars frames are changed by making new ones). Every session
# reads the same frame; `version` in the key makes a new submission show at the next rerun.
@st.cache_resource(show_spinner=False, max_entries=512, ttl=3600)
def _run(name: str, version: tuple[int, ...], args: tuple, kwargs: tuple) -> Any:
    return _REGISTRY[name](*args, **dict(kwargs))


@st.cache_resource(show_spinner=False, max_entries=1024, ttl=3600)
def _once(key: tuple, _build: Callable[[], Any]) -> Any:
    # Keyed by `key` alone (Streamlit does not hash an argument whose name starts with "_").
    return _build()


@dataclass(frozen=True)
class Ctx:
    """What a page needs: the language, the database, its data version, today, the date of the data, the demo mark."""

    lang: str
    path: Path
    version: tuple[int, ...]
    today: date
    account: Account | None = None
    as_of: date | None = None  # the date of the data (rules.store): every chart, export and slide says this one
    demo: bool = False

    def t(self, key: str, **fmt: Any) -> str:
        return t(key, self.lang, **fmt)

    @property
    def stamp(self) -> Stamp:
        """The language, the date of the data and the demo mark, for every chart of the page."""
        return Stamp(self.lang, self.as_of, self.demo)

    def can(self, action: str) -> bool:
        """May this session's account do ``action`` ('read', 'export', 'submit', 'admin')?"""
        return roles.can(self.account, action)

    def once(self, what: str, *params: Any, build: Callable[[], T]) -> T:
        """``build()`` once per data version, day, language and ``params``, its result shared by every session.

        For what a page builds from the data alone: chart specs, tables, sentences. ``what`` names the piece and
        ``params`` are everything else it depends on (the page's code, period, filters...): the database, its
        version, today, the language and the date of the data are in the key already. Never for what depends on
        the account (rights, downloads); the result is shared, so it is never changed in place.
        """
        key = (what, str(self.path), self.version, self.today, self.lang, self.as_of, self.demo, params)
        return _once(key, build)

    def load(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a query or evaluation function through the cache, keyed by the data version."""
        name = f"{fn.__module__}.{fn.__qualname__}"
        _REGISTRY[name] = fn
        return _run(name, self.version, (self.path, *args), tuple(sorted(kwargs.items())))


def _language_switch(lang: str) -> None:
    chosen = st.sidebar.segmented_control(
        t("ui.language", lang),
        options=list(state.LANGS),
        default=lang,
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
        key="ui_lang",
    )
    if chosen and chosen != lang:
        state.set_param("lang", chosen, "vi")
        st.rerun()


def setup(page_key: str, title: str | None = None, show_title: bool = True) -> Ctx:
    """Start a page: sidebar language switch, demo banner, title; returns the page context."""
    lang = state.current_lang()
    _language_switch(lang)
    path = settings.db_path()
    account = session_account(lang)
    if account is None:
        # Defence in depth: a page reached without app.py's gate runs the same gate.
        account = require_login(lang)
    ctx = Ctx(lang=lang, path=path, version=db.data_version(path), today=settings.today(), account=account)
    ctx = replace(ctx, as_of=as_of_date(ctx.load(queries.freshness)["latest_submitted_at"][0]), demo=ctx.load(_is_demo))
    if show_title:
        st.title(title or ctx.t(f"page.{page_key}"))
    if ctx.demo:
        st.sidebar.caption("🧪 " + ctx.t("ui.demo_banner"))
    return ctx


def _is_demo(path: Path) -> bool:
    return bool(queries.demo_loads(path)["n"][0])


def show_error(ctx: Ctx, exc: db.DatabaseError) -> None:
    """A database problem as the command line says it, both languages (the reader's first), never a traceback."""
    show_database_problem(exc, ctx.lang)
