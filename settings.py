"""Paths and settings, anchored to the repository root (never the current directory)."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.yaml"
DEPARTMENTS_FILE = DATA_DIR / "departments.csv"
LOCALITIES_FILE = DATA_DIR / "localities.csv"
DEFAULT_DB = DATA_DIR / "indicators.duckdb"
FONT_DIR = ROOT / "static" / "fonts"  # served to browsers too (server.enableStaticServing)

# How long a writer waits for readers to let go of the file (and a reader for a writer).
LOCK_TIMEOUT_SECONDS = float(os.environ.get("INDICATORS_LOCK_TIMEOUT", "30"))


def db_path(override: str | os.PathLike | None = None) -> Path:
    """The database file: `--db PATH`, else $INDICATORS_DB, else data/indicators.duckdb."""
    if override:
        return Path(override)
    env = os.environ.get("INDICATORS_DB")
    return Path(env) if env else DEFAULT_DB


def today() -> date:
    """Today's date; $INDICATORS_TODAY (YYYY-MM-DD) pins it for tests and screenshots."""
    pinned = os.environ.get("INDICATORS_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()


def now() -> datetime:
    """The wall clock's time on today() (the pinned day when $INDICATORS_TODAY is set): submission times."""
    clock = datetime.now()
    return datetime.combine(today(), clock.time()) if os.environ.get("INDICATORS_TODAY") else clock


DEMO_ENV = "INDICATORS_DEMO"


def demo_requested() -> bool:
    """True when $INDICATORS_DEMO names the demo (1, true, yes, on): the dashboard may build it where none exists.

    Nothing else ever builds the demo: a missing production database is reported, never replaced by the demo
    (whose accounts and password are public).
    """
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes", "on", "demo"}
