"""A missing, damaged or busy database on every page and at the login: one bilingual message, never a crash,
and nothing created (issue 13 items 1 and 4). The demo is built only where it is asked for."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import db
import settings

APP = str(settings.ROOT / "app.py")
DAMAGED_VI = "Không đọc được cơ sở dữ liệu"
DAMAGED_EN = "Cannot read the database"
MISSING_VI = "Chưa có cơ sở dữ liệu tại"
CRASH = "This app has encountered an error"


def _damage(good: Path, kind: str, target: Path) -> Path:
    """A copy of ``good`` damaged the way ``kind`` says."""
    data = good.read_bytes()
    if kind == "zero":
        target.write_bytes(b"")
    elif kind == "text":
        target.write_text("mã chỉ số,giá trị\nIN-01,12\n" * 200, encoding="utf-8")
    elif kind == "truncated":
        target.write_bytes(data[: 3 * 4096 + 4096])  # the headers and the start of the first block
    elif kind == "checksum":
        broken = bytearray(data)
        broken[3 * 4096 + 64 : 3 * 4096 + 4096] = bytes(4096 - 64)  # zeros inside the first block
        target.write_bytes(bytes(broken))
    elif kind == "foreign":  # a DuckDB file, but not this system's
        import duckdb

        duckdb.connect(str(target)).close()
    elif kind == "directory":
        target.mkdir()
    else:
        raise ValueError(kind)
    return target


KINDS = ["zero", "text", "truncated", "checksum", "foreign", "directory"]


def _app(monkeypatch, path: Path, login: bool, lang: str = "vi") -> AppTest:
    monkeypatch.setenv("INDICATORS_DB", str(path))
    monkeypatch.setenv("INDICATORS_REQUIRE_LOGIN", "true" if login else "false")
    monkeypatch.delenv("INDICATORS_DEMO", raising=False)
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    if lang != "vi":
        at.query_params["lang"] = lang
    return at.run()


def _shown(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def _no_crash(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert CRASH not in _shown(at)


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_database_is_one_bilingual_message_on_the_pages(catalogue_db, tmp_path, monkeypatch, kind):
    path = _damage(catalogue_db, kind, tmp_path / f"damaged-{KINDS.index(kind)}.duckdb")
    before = path.read_bytes() if path.is_file() else None
    at = _app(monkeypatch, path, login=False)
    _no_crash(at)
    assert DAMAGED_VI in _shown(at) and DAMAGED_EN in _shown(at)
    for library_text in ("IO Error", "Catalog Error", "checksum", "Corrupt", "Traceback", "not a valid DuckDB"):
        assert library_text not in _shown(at)
    if before is not None:
        assert path.read_bytes() == before  # nothing written


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_database_at_the_login_is_the_same_message_and_no_form(catalogue_db, tmp_path, monkeypatch, kind):
    path = _damage(catalogue_db, kind, tmp_path / f"damaged-{KINDS.index(kind)}.duckdb")
    at = _app(monkeypatch, path, login=True, lang="en")
    _no_crash(at)
    shown = _shown(at)
    assert shown.index(DAMAGED_EN) < shown.index(DAMAGED_VI)  # the reader's language first, then the other
    assert not at.text_input  # nobody can log in to a file that cannot be read: no form that would fail


def test_the_page_says_what_the_command_line_says(catalogue_db, tmp_path, monkeypatch):
    path = _damage(catalogue_db, "truncated", tmp_path / "truncated.duckdb")
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "export", "catalogue", "--format", "csv", "--db", str(path)],
        cwd=settings.ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    page = _shown(_app(monkeypatch, path, login=False))
    for line in done.stderr.strip().splitlines():
        message = line.split(": ", 1)[1]  # "Lỗi: …" / "Error: …"
        assert message in page.replace("\\", "")  # the page escapes Markdown characters, the words are the same


def test_a_missing_database_is_reported_and_not_created(tmp_path, monkeypatch):
    path = tmp_path / "mounted" / "indicators.duckdb"
    for login in (True, False):
        at = _app(monkeypatch, path, login=login)
        _no_crash(at)
        assert MISSING_VI in _shown(at) and "No database at" in _shown(at)
        assert not path.exists() and not path.parent.exists()
        assert not at.text_input  # no login form: there is no account to log in to


def test_the_demo_is_built_only_when_asked_for(tmp_path, monkeypatch):
    path = tmp_path / "indicators.duckdb"
    calls: list[list[str]] = []

    def fake_run(cmd, **kwargs):  # stands for `python -m loaders init --demo` (its own tests: test_demo.py)
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 1, "", "")

    monkeypatch.setattr("dashboard.bootstrap.subprocess.run", fake_run)
    _app(monkeypatch, path, login=False)
    assert calls == [] and not path.exists()
    monkeypatch.setenv("INDICATORS_DEMO", "1")
    st.cache_data.clear()
    AppTest.from_file(APP, default_timeout=60).run()
    assert len(calls) == 1 and calls[0][-2:] == ["init", "--demo"] and str(path) in calls[0]


def test_a_busy_database_is_the_busy_message_not_a_crash(catalogue_db, monkeypatch):
    monkeypatch.setattr(settings, "LOCK_TIMEOUT_SECONDS", 0.3)
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.write(catalogue_db, timeout=5):
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        holding.wait(10)
        at = _app(monkeypatch, catalogue_db, login=False)
    finally:
        release.set()
        thread.join()
    _no_crash(at)
    assert "đang bận" in _shown(at)
