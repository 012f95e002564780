"""Start the dashboard on a free port and drive it with headless Debian Chromium (Playwright)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(script: str | Path = "app.py", env: dict[str, str] | None = None, port: int | None = None) -> Iterator[str]:
    """Run `streamlit run script` until the block ends; yields the base URL."""
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:  # not a pipe: a server that logs a lot would block on a full one
        proc = subprocess.Popen(
            cmd, cwd=settings.ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"streamlit did not start: {log.read().decode(errors='replace')[-2000:]}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser (Debian's), through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# True while the app is busy: the script is running (or has not started), the connection is not up,
# a skeleton placeholder is shown, or a visible chart has not drawn yet. `stStatusWidget` alone is not enough:
# with `client.toolbarMode = "minimal"` the header has no status widget, so the state is read from the
# `data-test-script-state` attribute that Streamlit keeps on the stApp element.
_BUSY_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return true;
    const state = app.getAttribute('data-test-script-state');
    if (state !== null && state !== 'notRunning') return true;
    const conn = app.getAttribute('data-test-connection-state');
    if (conn !== null && conn !== 'CONNECTED') return true;
    if (document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]')) return true;
    if (document.querySelector('[data-testid="stSkeleton"]')) return true;
    for (const chart of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
        // Only charts on screen: one in a hidden tab is drawn when the tab is opened.
        if (chart.getClientRects().length && !chart.querySelector('canvas, svg')) return true;
    }
    return false;
}"""


_MAIN_ELEMENT = '[data-testid="stMain"] [data-testid="stElementContainer"]'


def wait_idle(page, timeout: float = 60.0, quiet: float = 0.4) -> float:
    """Wait until the app has rendered and stopped running; returns the seconds it took.

    Idle means: some element in the main area, the script not running, the
    connection up, no skeleton, every visible chart drawn, all of it for `quiet`
    seconds in a row (so a quick st.rerun() is waited for too). The seconds
    returned run from the call to the start of that quiet spell.
    """
    started = time.monotonic()
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    page.wait_for_selector(_MAIN_ELEMENT, state="attached", timeout=timeout * 1000)
    calm_since = None
    while time.monotonic() - started < timeout:
        if page.evaluate(_BUSY_JS):
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            return calm_since - started
        time.sleep(0.05)
    raise TimeoutError("the page did not become idle")


async def wait_idle_async(page, timeout: float = 120.0, quiet: float = 0.4) -> float:
    """``wait_idle`` for Playwright's async API (many sessions driven from one event loop)."""
    started = time.monotonic()
    await page.wait_for_selector(_MAIN_ELEMENT, state="attached", timeout=timeout * 1000)
    calm_since = None
    while time.monotonic() - started < timeout:
        if await page.evaluate(_BUSY_JS):
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            return calm_since - started
        await asyncio.sleep(0.05)
    raise TimeoutError(f"not idle after {timeout:.0f} s: {page.url}")


def exceptions_on(page) -> list[str]:
    """The text of every Streamlit exception or error box on the page."""
    boxes = page.locator('[data-testid="stException"]')
    return [boxes.nth(i).inner_text() for i in range(boxes.count())]
