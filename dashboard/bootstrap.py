"""Start of every run: the database must be there and readable; the demo is built only where it is asked for.

A missing production database (a fresh volume, a typo in the path, a disk not mounted) is reported and nothing
is created: building the demo there would hand out its published accounts. ``$INDICATORS_DEMO=1`` asks for the
demo: then, and only then, a missing database is built with the demo data (once per server process).
Every database failure during a run (missing, damaged, busy) is shown as the same bilingual message the command
line prints (``db.explain``), never as Streamlit's "This app has encountered an error".
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import streamlit as st

import db
import settings
from dashboard.i18n import t
from dashboard.markdown import plain
from db.connection import missing

_lock = threading.Lock()


def show_database_problem(exc: BaseException, lang: str) -> None:
    """The database problem in both languages, the reader's first (the command line prints the same two lines)."""
    problem = db.explain(exc, settings.db_path())
    first, second = (
        (problem.message_en, problem.message_vi) if lang == "en" else (problem.message_vi, problem.message_en)
    )
    st.error(f"{plain(first)}\n\n{plain(second)}", icon=":material/database:")


@contextmanager
def database_guard(lang: str) -> Iterator[None]:
    """Run a page; a database failure anywhere in it ends the run with the bilingual message instead of a crash."""
    try:
        yield
    except (db.DatabaseError, duckdb.Error) as exc:
        show_database_problem(exc, lang)


def ensure_database(lang: str) -> None:
    """Stop with a message when the database file is missing; build the demo instead only when it is asked for."""
    path = settings.db_path()
    if path.exists():
        return
    if not settings.demo_requested():
        st.title(t("bootstrap.title", lang))
        show_database_problem(missing(path), lang)
        st.stop()
    with _lock, st.spinner(t("bootstrap.building", lang)):
        if path.exists():  # another session built it while we waited
            return
        done = subprocess.run(
            [sys.executable, "-m", "loaders", "--db", str(path), "init", "--demo"],
            cwd=settings.ROOT,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        st.error(t("bootstrap.failed", lang, detail=(done.stdout + done.stderr).strip()[-2000:]))
        st.stop()
