"""Shared fixtures: a small hand-made catalogue (files and a database) built from code."""

from __future__ import annotations

import contextlib
import csv
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

DEPARTMENTS = [
    ("FIN", "Sở Tài chính", "Department of Finance"),
    ("HEA", "Sở Y tế", "Department of Health"),
    ("IND", "Sở Công Thương", "Department of Industry and Trade"),
    ("OFF", "Văn phòng UBND tỉnh", "Office of the People's Committee"),
]
LOCALITIES = [
    ("07210", "Bắc Giang", "phuong"),
    ("09295", "Bồng Lai", "phuong"),
    ("07525", "Chũ", "phuong"),
    ("07654", "An Lạc", "xa"),
    ("07537", "Biên Sơn", "xa"),
]


def _indicator(code: str, group: str, owner: str, unit: str, frequency: str, level: str, aggregation: str, **extra):
    base = {
        "code": code,
        "name_vi": f"Chỉ số {code}",
        "name_en": f"Indicator {code}",
        "group": group,
        "field": "economy",
        "owner": owner,
        "source": "Báo cáo của sở",
        "unit": unit,
        "frequency": frequency,
        "value_type": "rate" if unit == "%" else "flow",
        "level": level,
        "aggregation": aggregation,
        "direction": "up",
        "valid_min": 0,
        "valid_max": 100 if unit == "%" else 10_000_000,
        "targets": {},
        "deadline_days": 10,
        "definition_vi": "Định nghĩa",
        "definition_en": "Definition",
        "method": "Cách tính",
        "central_code": None,
        "stage": "operating",
        "components": [],
    }
    base.update(extra)
    return base


def small_indicators() -> list[dict]:
    """Nine indicators: every group, frequency, level and aggregation, and unit '%'."""
    return [
        _indicator("FIN_REV", "input", "FIN", "tỷ đồng", "monthly", "province", "none", targets={2025: 56834}),
        _indicator("FIN_DISB", "process", "FIN", "%", "weekly", "province", "none"),
        _indicator(
            "FIN_GROWTH", "outcome", "FIN", "%", "quarterly", "province", "none", valid_min=-50, direction="target"
        ),
        _indicator("HEA_BEDS", "input", "HEA", "giường", "annual", "commune", "sum", value_type="stock"),
        _indicator("HEA_VACC", "outcome", "HEA", "%", "quarterly", "commune", "mean"),
        _indicator("IND_RETAIL", "output", "IND", "tỷ đồng", "monthly", "commune", "sum", valid_max=None),
        _indicator("IND_ENT", "output", "IND", "doanh nghiệp", "half_yearly", "commune", "none"),
        _indicator("OFF_766", "composite", "OFF", "điểm", "weekly", "province", "none", value_type="rate"),
        _indicator(
            "OFF_MIX",
            "composite",
            "OFF",
            "điểm",
            "quarterly",
            "province",
            "none",
            value_type="rate",
            components=[{"code": "FIN_DISB", "weight": 0.5}, {"code": "HEA_VACC", "weight": 0.5}],
            thresholds={"on_track": 95, "at_risk": 80},
        ),
    ]


@dataclass
class CatalogueFiles:
    catalogue: Path
    departments: Path
    localities: Path


def write_catalogue_files(folder: Path, indicators: list[dict] | None = None, departments=None, localities=None):
    """Catalogue YAML and reference CSVs in a folder; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    files = CatalogueFiles(folder / "catalogue.yaml", folder / "departments.csv", folder / "localities.csv")
    files.catalogue.write_text(
        yaml.safe_dump(small_indicators() if indicators is None else indicators, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    for path, header, rows in (
        (files.departments, ["code", "name_vi", "name_en"], DEPARTMENTS if departments is None else departments),
        (files.localities, ["code", "name", "kind"], LOCALITIES if localities is None else localities),
    ):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return files


@pytest.fixture
def catalogue_files(tmp_path) -> CatalogueFiles:
    """The small catalogue as files in the test's own folder."""
    return write_catalogue_files(tmp_path / "catalogue")


@pytest.fixture(scope="session")
def _catalogue_db_template(tmp_path_factory) -> Path:
    from loaders.catalogue_store import load_catalogue_into

    folder = tmp_path_factory.mktemp("template_db")
    files = write_catalogue_files(folder / "catalogue")
    path = folder / "catalogue.duckdb"
    load_catalogue_into(path, files.catalogue, files.departments, files.localities)
    return path


@pytest.fixture
def catalogue_db(_catalogue_db_template, tmp_path) -> Path:
    """A fresh database file holding the small catalogue and no observations."""
    path = tmp_path / "indicators.duckdb"
    shutil.copyfile(_catalogue_db_template, path)
    return path


# --------------------------------------------------------------------------- the demo database, once per session

DEMO_TODAY = "2026-11-26"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """A demo database (the real catalogue and generator), built once; pins INDICATORS_DB and INDICATORS_TODAY.

    Reading needs no login inside the tests that use it (INDICATORS_REQUIRE_LOGIN=false).
    """
    import os
    import subprocess
    import sys

    import settings

    path = tmp_path_factory.mktemp("demo") / "indicators.duckdb"
    env = {**os.environ, "INDICATORS_DB": str(path), "INDICATORS_TODAY": DEMO_TODAY}
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "init", "--demo"], cwd=settings.ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    old = {k: os.environ.get(k) for k in ("INDICATORS_DB", "INDICATORS_TODAY", "INDICATORS_REQUIRE_LOGIN")}
    os.environ["INDICATORS_DB"] = str(path)
    os.environ["INDICATORS_TODAY"] = DEMO_TODAY
    os.environ["INDICATORS_REQUIRE_LOGIN"] = "false"  # pages read as an anonymous visitor (read and export)
    yield path
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def demo_copy(demo_db, tmp_path):
    """A copy of the demo database that INDICATORS_DB points at for one test; the shared one stays untouched."""
    import os
    import shutil

    import streamlit as st

    copy = tmp_path / "indicators.duckdb"
    shutil.copyfile(demo_db, copy)
    if os.path.exists(f"{demo_db}.wal"):
        shutil.copyfile(f"{demo_db}.wal", f"{copy}.wal")
    os.environ["INDICATORS_DB"] = str(copy)
    st.cache_data.clear()
    try:
        yield copy
    finally:
        os.environ["INDICATORS_DB"] = str(demo_db)
        st.cache_data.clear()


# --------------------------------------------------------------------------- another process holding the file


@contextlib.contextmanager
def holding(path: Path, opener: str):
    """Another process holding the database open (``db.read`` or ``db.write``) until the block ends."""
    import settings

    code = f"import sys, db\nwith db.{opener}(sys.argv[1]):\n    print('open', flush=True)\n    sys.stdin.readline()\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)],
        cwd=settings.ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "open"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


# --------------------------------------------------------------------------- the app in a real browser


@pytest.fixture(scope="module")
def demo_app(demo_db):
    """The dashboard on the demo database, served once per test module (no login needed to read); its address."""
    from tools import browser

    env = {"INDICATORS_DB": str(demo_db), "INDICATORS_REQUIRE_LOGIN": "false", "INDICATORS_TODAY": DEMO_TODAY}
    with browser.serve("app.py", env) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium, once per test module."""
    from tools import browser

    with browser.chromium() as b:
        yield b
