"""Two dashboard processes behind HAProxy (``tools.serve``): sticky sessions, one database, a crash survived.

On a copy of the demo database, ``tools.serve.cluster`` starts two ``streamlit run app.py`` processes and
HAProxy in front of them (reading needs no login). Through the proxy only:

* sessions (``tools.protocol``: a browser tab's protocol, no browser) are spread over both processes, each
  told apart by the sticky cookie the proxy set on its page's first answer;
* a department logs in and uploads a file on ``/submit`` in headless Chromium (the upload is an HTTP request
  of its own, which must reach the process that holds the session): accepted;
* the new figure shows at the next rerun on sessions of *both* processes (one of them did not take the upload:
  every process reads the same DuckDB file);
* one process is killed (SIGKILL): the sessions it held lose their websocket, while the other process's
  sessions go on, new sessions all go to the live process, and a tab that comes back with the dead process's
  cookie is sent to the live one; started again, the process gets new sessions again.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import shutil
from pathlib import Path

import pytest

from tests.test_concurrency import TODAY, Submission, submit_page
from tools import browser, serve
from tools.protocol import Session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(browser.CHROMIUM).exists(), reason=f"no Chromium at {browser.CHROMIUM}"),
    pytest.mark.skipif(not Path(serve.HAPROXY).exists(), reason="no haproxy (apt-get install haproxy)"),
]

CODE, PERIOD, VALUE, SHOWN = "IN-01", "2026-11", 98765.43, "98.765"  # STC's indicator, as every page writes it
WATCHED = f"/indicator?code={CODE}"


def _file(folder: Path) -> Submission:
    path = folder / "proxy_IN-01.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator_code", "period", "locality_code", "value", "note"])
        writer.writerow([CODE, PERIOD, "", f"{VALUE:.2f}", "qua proxy"])
    return Submission("page", "STC", path, {(CODE, PERIOD): VALUE})


async def _spread(base: str, wanted: set[str], most: int = 8) -> dict[str, list[Session]]:
    """Open sessions through the proxy until every process in `wanted` holds one; by process."""
    by_process: dict[str, list[Session]] = {}
    for _ in range(most):
        session = await Session.open(base)
        by_process.setdefault(session.cookie(serve.STICKY_COOKIE) or "?", []).append(session)
        if wanted <= set(by_process):
            break
    return by_process


def _text(run) -> str:
    return " ".join(run.texts)


async def _scenario(here: serve.Cluster, upload: Submission) -> None:
    from playwright.async_api import async_playwright

    sessions = await _spread(here.base, {"s1", "s2"})
    assert {"s1", "s2"} <= set(sessions), f"sessions went to {sorted(sessions)} only"
    one, two = sessions["s1"][0], sessions["s2"][0]
    for session in (one, two):
        run = await session.run(WATCHED)
        assert run.status == "ok" and not run.exceptions, (run.status, run.exceptions)
        assert SHOWN not in _text(run)

    # The upload, through the proxy, in a browser: logged in as the department, file sent, accepted.
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=browser.CHROMIUM, headless=True, args=browser.CHROMIUM_ARGS)
        try:
            await submit_page(chromium, here.base, [upload])
        finally:
            await chromium.close()
    assert upload.status == "accepted", f"{upload.status}: {upload.detail}"

    # Both processes show it at their sessions' next rerun.
    for session in (one, two):
        run = await session.run(WATCHED)
        assert SHOWN in _text(run), f"{session.cookie(serve.STICKY_COOKIE)}: {CODE} {PERIOD} = {VALUE} not shown"

    # One process dies: its sessions are gone, the other's go on, new ones go to the live process.
    here.kill("s2")
    with pytest.raises(Exception):  # noqa: B017 - the websocket closes: which exception is the library's business
        await two.run("/")
    assert (await one.run("/input")).status == "ok"
    for _ in range(3):
        session = await Session.open(here.base)
        run = await session.run("/")
        assert run.status == "ok" and not run.exceptions
        assert session.cookie(serve.STICKY_COOKIE) == "s1"
        await session.close()
    back = await Session.open(here.base, cookies={serve.STICKY_COOKIE: "s2"})  # a tab of the dead process reconnects
    assert (await back.run("/")).status == "ok"
    assert back.cookie(serve.STICKY_COOKIE) == "s1"  # the proxy moved it to the live process (and said so)
    await back.close()

    # Started again, the process takes new sessions again.
    assert here.revive() == ["s2"]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while True:
        again = await _spread(here.base, {"s2"}, most=4)
        if "s2" in again:
            assert (await again["s2"][0].run("/")).status == "ok"
            break
        assert loop.time() < deadline, "the revived process got no session"
        await asyncio.sleep(1)
    for session in [s for group in (sessions, again) for found in group.values() for s in found]:
        with contextlib.suppress(Exception):  # those of the killed process are closed already
            await session.close()


def test_two_processes_behind_haproxy(demo_db, tmp_path):
    database = tmp_path / "indicators.duckdb"
    shutil.copyfile(demo_db, database)
    env = {"INDICATORS_DB": str(database), "INDICATORS_TODAY": TODAY, "INDICATORS_REQUIRE_LOGIN": "false"}
    upload = _file(tmp_path)
    with serve.cluster(2, "app.py", env) as here:
        try:
            asyncio.run(_scenario(here, upload))
        except BaseException:
            print("haproxy:", here.proxy_tail(), *(f"{s.name}: {s.tail()}" for s in here.servers), sep="\n")
            raise
