"""First start: build the demo database when none exists, once per server process."""

from __future__ import annotations

import subprocess
import sys
import threading

import streamlit as st

import settings
from dashboard.i18n import t

_lock = threading.Lock()


def ensure_database(lang: str) -> None:
    """Build data/indicators.duckdb with the demo data if it is missing; stop with a message if that fails."""
    path = settings.db_path()
    if path.exists():
        return
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
