"""Concurrency: the dashboard serves browser sessions while 20 submissions arrive through every door.

On a copy of the demo database, one Streamlit server (reading needs no login)
serves five headless Chromium sessions that keep cycling through ``/``,
``/input``, ``/indicator?code=...``, ``/department?code=...`` and ``/quality``
while 20 department files arrive at the same time:

* 10 through the command line, ``python -m loaders submit FILE --department
  CODE --user ACCOUNT --json`` (separate processes, three at a time);
* 5 through ``loaders.ingest.submit_file`` in threads of this process, all
  started together, as department accounts;
* 5 through the ``/submit`` page in a sixth browser session, logged in as a
  department account (sidebar login, upload, check and send, and, since these
  files revise published values, the confirmation with the reason the page offers).

The files revise province values of the latest months or bring the running
month (2026-11), each file its own keys, across six departments. Then:

* every submission was accepted (exit code 0 and ``"status": "accepted"``;
  ``accepted`` results; the page's success box for each file);
* none was lost: the database holds 20 new accepted submissions with the
  files' names, and every value sent is the current value of its key;
* no page load showed a Streamlit exception, a traceback, or a lock or busy
  message (``Conflicting lock``, ``database is locked``, ``đang bận``);
* new figures appear at the next rerun: a session that opened
  ``/indicator?code=IN-01`` before the submissions, rerun in place (the ``R``
  shortcut, same session, warm cache), shows the value sent for 2026-11.

A second, fast test does the same inside one process (reader threads and a
writer thread, as in the Streamlit server when someone logs in or uploads).
Both fail on DuckDB 2.0 until ``db/connection.py`` treats DuckDB's in-process
"Unique file handle conflict ... already attached" (``ResourceInUseException``)
as busy and retries, as it does for a lock held by another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import re
import shutil
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import db
import settings
from auth.accounts import authenticate
from loaders.ingest import submit_file
from tools import browser

needs_chromium = pytest.mark.skipif(
    not Path(browser.CHROMIUM).exists(), reason=f"no Chromium at {browser.CHROMIUM} (apt-get install chromium)"
)

TODAY = "2026-11-26"
PASSWORD = "demo-bacninh-2026"
SESSIONS = 5
BROWSING = ["/", "/input", "/indicator?code={code}", "/department?code={dept}", "/quality"]
WATCHED = (
    "IN-01",
    "2026-11",
    98765.43,
    "98.765",
)  # the watcher's indicator, period, value sent, as shown (no decimals from 10.000 up)
# A lock or busy message must never reach anyone (DuckDB's own text, or ours).
FORBIDDEN = re.compile(r"Conflicting lock|Could not set lock|database is locked|Traceback|đang bận|stayed busy", re.I)

# (department, indicator): monthly province-level indicators of six departments.
CLI_PAIRS = [
    ("STC", "IN-01"), ("STC", "IN-02"), ("STC", "IN-03"), ("TKT", "OU-02"), ("TKT", "OC-03"),
    ("SCT", "OU-03"), ("SCT", "OU-04"), ("VPUBND", "PR-08"), ("SVHTTDL", "OU-07"), ("BQLKCN", "IN-04"),
]  # fmt: skip
THREAD_PAIRS = [("TKT", "OU-02"), ("SCT", "OU-03"), ("VPUBND", "PR-08"), ("SVHTTDL", "OU-07"), ("BQLKCN", "IN-04")]
PAGE_DEPARTMENT = "STC"
PAGE_KEYS = [
    ("IN-01", ["2026-07", "2026-06"]),
    ("IN-02", ["2026-07", "2026-06"]),
    ("IN-03", ["2026-07", "2026-06"]),
    ("IN-01", ["2026-05", "2026-04"]),
    ("IN-02", ["2026-05", "2026-04"]),
]


T0 = time.monotonic()
EVENTS: list[str] = []  # a timeline, printed with the results (and on failure)


def note(text: str) -> None:
    EVENTS.append(f"{time.monotonic() - T0:7.1f} s  {text}")


@dataclass
class Submission:
    door: str  # cli | thread | page
    department: str
    path: Path
    values: dict[tuple[str, str], float]  # (indicator, period) -> value sent
    status: str | None = None
    detail: str = ""


@dataclass
class Browsing:
    loads: int = 0
    during: int = 0  # loads finished while submissions were still arriving
    seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _plan(folder: Path, database: Path) -> list[Submission]:
    """20 files, each its own keys: revisions of recent months and the running month, values near the current."""
    with db.read(database) as con:
        current = {
            (code, period): value
            for code, period, value in con.execute(
                "SELECT indicator_code, period, value FROM observations WHERE locality_code = ''"
            ).fetchall()
        }
    plan: list[tuple[str, str, str, list[str]]] = []
    plan += [("cli", d, c, ["2026-10", "2026-11"]) for d, c in CLI_PAIRS]
    plan += [("thread", d, c, ["2026-09", "2026-08"]) for d, c in THREAD_PAIRS]
    plan += [("page", PAGE_DEPARTMENT, c, periods) for c, periods in PAGE_KEYS]
    submissions = []
    for i, (door, department, code, periods) in enumerate(plan):
        values = {}
        for j, period in enumerate(periods):
            before = current.get((code, period)) or current.get((code, "2026-10")) or 10.0
            values[(code, period)] = round(abs(before) * (1.02 + 0.001 * i) + 0.01 * (j + 1), 2)
        if (code, WATCHED[1]) in values and code == WATCHED[0]:
            values[(code, WATCHED[1])] = WATCHED[2]
        path = folder / f"{door[0]}{i:02d}_{code}.csv"  # short: the upload chip shows ~20 characters
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["indicator_code", "period", "locality_code", "value", "note"])
            for (c, period), value in values.items():
                writer.writerow([c, period, "", f"{value:.2f}", f"đồng thời {door} {i}"])
        submissions.append(Submission(door, department, path, values))
    return submissions


# --------------------------------------------------------------------------- async browser helpers


async def problems_on(page) -> list[str]:
    found = []
    boxes = page.locator('[data-testid="stException"]')
    for i in range(await boxes.count()):
        found.append("exception: " + (await boxes.nth(i).inner_text())[:300])
    text = await page.locator('[data-testid="stMain"]').inner_text()
    alerts = " ".join(await page.locator('[data-testid="stAlert"]').all_inner_texts())
    for hit in FORBIDDEN.finditer(text + " " + alerts):
        found.append(f"text: ...{(text + ' ' + alerts)[max(hit.start() - 80, 0) : hit.end() + 80]}...")
    if re.search(r"\block\b", alerts, re.I):
        found.append(f"alert mentions a lock: {alerts[:300]}")
    return found


async def browse(chromium, base: str, index: int, done: asyncio.Event, stats: Browsing) -> None:
    """One session cycling through the addresses until the submissions are over, then one more full round."""
    context = await chromium.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"JavaScript: {exc}"))
    codes = ["IN-01", "OU-02", "OU-03", "PR-08", "OU-07"]
    depts = ["STC", "TKT", "SCT", "VPUBND", "SVHTTDL"]
    step, extra = index, None
    try:
        while (extra is None or extra > 0) and len(stats.problems) < 5:
            if done.is_set() and extra is None:
                extra = len(BROWSING)
            turn = step // len(BROWSING) + index
            address = BROWSING[step % len(BROWSING)].format(code=codes[turn % 5], dept=depts[turn % 5])
            started = time.monotonic()
            try:
                await page.goto(base + address, timeout=120_000)
                await browser.wait_idle_async(page)
            except Exception as exc:  # a page that never rendered is a failure to report, not a crash
                stats.problems.append(f"session {index} {address}: {type(exc).__name__}: {str(exc)[:300]}")
                step += 1
                continue
            stats.seconds.append(time.monotonic() - started)
            note(f"session {index} {address} {stats.seconds[-1]:.1f} s")
            stats.loads += 1
            stats.during += not done.is_set()
            stats.problems += [f"session {index} {address}: {p}" for p in await problems_on(page)]
            step += 1
            if extra is not None:
                extra -= 1
        stats.problems += [f"session {index}: {e}" for e in errors]
    finally:
        await context.close()


# --------------------------------------------------------------------------- the three doors


async def submit_cli(item: Submission, database: Path, gate: asyncio.Semaphore) -> None:
    env = {
        **os.environ,
        "INDICATORS_DB": str(database),
        "INDICATORS_TODAY": TODAY,
        "INDICATORS_PASSWORD": PASSWORD,
    }
    args = ["submit", str(item.path), "--department", item.department, "--user", item.department.lower(), "--json"]
    async with gate:
        note(f"cli start {item.path.name}")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "loaders", *args, cwd=settings.ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            out, err = await proc.communicate()
        except asyncio.CancelledError:
            proc.kill()
            raise
    text = out.decode("utf-8", "replace")
    match = re.search(r'"status": "(\w+)"', text)
    item.status = match.group(1) if match and proc.returncode == 0 else f"exit {proc.returncode}"
    item.detail = (text + err.decode("utf-8", "replace"))[-600:]
    note(f"cli {item.status} {item.path.name}")


def _submit_in_thread(item: Submission, database: Path) -> None:
    try:
        account = authenticate(database, item.department.lower(), PASSWORD)
        result = submit_file(item.path, item.department, db_path=database, account=account)
        item.status, item.detail = result.status, str([e.message for e in result.errors[:3]])
        note(f"thread {item.status} {item.path.name}")
    except Exception as exc:  # recorded and asserted on below, with its type
        item.status, item.detail = "exception", f"{type(exc).__name__}: {exc}"


async def submit_page(chromium, base: str, items: list[Submission]) -> None:
    """Log in as the department in the sidebar of /submit, then upload and send each file in turn."""
    context = await chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = await context.new_page()
    try:
        await _submit_on_page(page, base, items)
    except Exception as exc:  # reported with the files it left unsent, and what the page showed
        shown = ""
        with contextlib.suppress(Exception):
            shown = " | ".join(
                [await page.locator('[data-testid="stSidebar"]').inner_text()]
                + await page.locator('[data-testid="stAlert"]').all_inner_texts()
            ).replace("\n", " ")[:800]
            await page.screenshot(path=str(items[0].path.with_suffix(".png")))
        for item in items:
            if item.status is None:
                item.status, item.detail = "page exception", f"{type(exc).__name__}: {str(exc)[:200]} [{shown}]"
    finally:
        await context.close()


async def _submit_on_page(page, base: str, items: list[Submission]) -> None:
    await page.goto(base + "/submit", timeout=120_000)
    await browser.wait_idle_async(page)
    await page.locator('[data-testid="stSidebar"] [data-testid="stPopover"] button').first.click()
    await page.get_by_label("Tên đăng nhập").fill(PAGE_DEPARTMENT.lower())
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_label("Mật khẩu").press("Enter")
    note("page: logging in")
    started = time.monotonic()  # the upload form, or the error the login met
    while not await page.locator(".st-key-submit_send button").count():
        failed = await page.locator(
            '[data-testid="stException"], [data-testid="stAlertContentError"]'
        ).all_inner_texts()
        if failed or time.monotonic() - started > 120:
            raise RuntimeError(f"the login did not get through: {' | '.join(failed)[:300] or 'timeout'}")
        await asyncio.sleep(0.2)
    note("page: logged in")
    await browser.wait_idle_async(page)
    for item in items:
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(item.path))
        # Sent only once the upload is the widget's value (clicking earlier would send the previous file).
        await page.locator('[data-testid="stFileChip"]', has_text=item.path.name).wait_for(timeout=120_000)
        await page.locator('[data-testid="stFileChipIconSpinner"]').wait_for(state="detached", timeout=120_000)
        await browser.wait_idle_async(page)
        before = await page.locator('[data-testid="stAlert"]').all_inner_texts()
        await page.locator(".st-key-submit_send button").click()
        await _answered(page, before)
        if await page.locator(".st-key-submit_confirm button").count():  # it revises published values: confirm
            before = await page.locator('[data-testid="stAlert"]').all_inner_texts()
            await page.locator(".st-key-submit_confirm button").click()  # the reason: the file's note, offered
            await _answered(page, before)
        texts = " | ".join(await page.locator('[data-testid="stAlert"]').all_inner_texts())
        ok = "Đã tiếp nhận" in texts and item.path.name in texts
        item.status = "accepted" if ok else "page: " + texts[:300]
        item.detail = texts[:300] + " ".join(await problems_on(page))
        note(f"page {item.status[:40]} {item.path.name}")


async def _answered(page, before: list[str]) -> None:
    """Wait for the page's answer to a click: a new box (the outcome, a preview, an error), then quiet."""
    started = time.monotonic()
    while time.monotonic() - started < 180:  # the outcome box names the file; an error box would not
        texts = await page.locator('[data-testid="stAlert"]').all_inner_texts()
        if texts and texts != before and not await page.evaluate(browser._BUSY_JS):
            break
        await asyncio.sleep(0.2)
    await browser.wait_idle_async(page)


HUNG_AFTER = 60.0  # seconds without an answer from /_stcore/health: the server is hung, not slow


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


async def health_watch(base: str) -> str:
    """Returns (a message) only when the server has not answered its health check for HUNG_AFTER seconds."""
    last = time.monotonic()
    while True:
        if await asyncio.to_thread(_healthy, base):
            last = time.monotonic()
        elif time.monotonic() - last > HUNG_AFTER:
            note("server hung")
            return (
                f"the server stopped answering /_stcore/health for {HUNG_AFTER:.0f} s while sessions browsed and "
                "files arrived: the process is hung (a deadlock, see test_no_python_udfs_on_polars_pool_in_the_server)"
            )
        await asyncio.sleep(1)


async def watcher_rerun(page) -> str:
    """Rerun the app in the same session (Streamlit's R shortcut) and return the main text once idle."""
    await page.locator('[data-testid="stMain"]').focus()  # not an input: the key reaches Streamlit's shortcuts
    await page.keyboard.press("r")
    await asyncio.sleep(0.5)
    await browser.wait_idle_async(page)
    return await page.locator('[data-testid="stMain"]').inner_text()


# --------------------------------------------------------------------------- the test


@pytest.fixture
def busy_db(demo_db, tmp_path) -> Path:
    path = tmp_path / "indicators.duckdb"
    shutil.copyfile(demo_db, path)
    return path


@pytest.mark.browser
@pytest.mark.slow
@needs_chromium
def test_twenty_submissions_through_every_door_while_five_sessions_browse(busy_db, tmp_path):
    from playwright.async_api import async_playwright

    submissions = _plan(tmp_path, busy_db)
    assert len(submissions) == 20
    with db.read(busy_db) as con:
        last_id = con.execute("SELECT coalesce(max(id), 0) FROM submissions").fetchone()[0]
    version_before = db.data_version(busy_db)
    env = {"INDICATORS_DB": str(busy_db), "INDICATORS_TODAY": TODAY, "INDICATORS_REQUIRE_LOGIN": "false"}
    code, period, value, shown = WATCHED
    stats = [Browsing() for _ in range(SESSIONS)]

    async def scenario(base: str) -> str:
        async with async_playwright() as p:
            chromium = await p.chromium.launch(
                executable_path=browser.CHROMIUM, headless=True, args=browser.CHROMIUM_ARGS
            )
            try:
                watcher_context = await chromium.new_context(viewport={"width": 1280, "height": 900})
                watcher = await watcher_context.new_page()
                await watcher.goto(f"{base}/indicator?code={code}", timeout=120_000)
                await browser.wait_idle_async(watcher)
                assert shown not in await watcher.locator('[data-testid="stMain"]').inner_text()
                done = asyncio.Event()

                async def flow() -> str:
                    sessions = [asyncio.create_task(browse(chromium, base, i, done, stats[i])) for i in range(SESSIONS)]
                    await asyncio.sleep(2)  # the sessions are loading pages when the first files arrive
                    gate = asyncio.Semaphore(3)
                    doors = [
                        *(submit_cli(s, busy_db, gate) for s in submissions if s.door == "cli"),
                        *(asyncio.to_thread(_submit_in_thread, s, busy_db) for s in submissions if s.door == "thread"),
                        submit_page(chromium, base, [s for s in submissions if s.door == "page"]),
                    ]
                    await asyncio.gather(*doors)
                    done.set()
                    await asyncio.gather(*sessions)
                    return await watcher_rerun(watcher)

                # A hung server (every thread waiting, /_stcore/health unanswered) fails fast, with its symptom.
                work, watchdog = asyncio.create_task(flow()), asyncio.create_task(health_watch(base))
                await asyncio.wait({work, watchdog}, return_when=asyncio.FIRST_COMPLETED)
                if not work.done():
                    work.cancel()
                    await asyncio.gather(work, return_exceptions=True)
                    raise AssertionError(watchdog.result())
                watchdog.cancel()
                return work.result()
            finally:
                await chromium.close()

    started = time.monotonic()
    EVENTS.clear()
    try:
        with browser.serve("app.py", env) as base:
            note("server up")
            watched_text = asyncio.run(scenario(base))
    finally:
        print("\n" + "\n".join(EVENTS))
    elapsed = time.monotonic() - started

    # Every submission accepted, through its own door.
    failed = [f"{s.door} {s.path.name}: {s.status} {s.detail}" for s in submissions if s.status != "accepted"]
    assert not failed, "\n".join(failed)
    # None lost: 20 accepted submissions recorded, every value sent is current.
    with db.read(busy_db) as con:
        rows = con.execute("SELECT file_name, status FROM submissions WHERE id > ? ORDER BY id", [last_id]).fetchall()
        assert sorted(rows) == sorted((s.path.name, "accepted") for s in submissions)
        current = {
            (c, p): v
            for c, p, v in con.execute(
                "SELECT indicator_code, period, value FROM observations WHERE locality_code = ''"
            ).fetchall()
        }
    wrong = [(k, v, current.get(k)) for s in submissions for k, v in s.values.items() if current.get(k) != v]
    assert not wrong, f"values not current: {wrong[:5]}"
    # No page showed an exception, a traceback or a lock/busy message.
    problems = [p for s in stats for p in s.problems]
    assert not problems, "\n".join(problems[:20])
    loads = sum(s.loads for s in stats)
    assert all(s.during >= 1 for s in stats), [s.during for s in stats]  # every session browsed during the writes
    # New figures at the next rerun of a session that was open before the submissions.
    assert db.data_version(busy_db) != version_before
    assert shown in watched_text, f"{code} {period} = {value} not shown after a rerun"
    seconds = sorted(t for s in stats for t in s.seconds)
    print(
        f"\n{loads} page loads ({sum(s.during for s in stats)} while 20 files arrived) by {SESSIONS} sessions "
        f"in {elapsed:.0f} s; "
        f"page median {seconds[len(seconds) // 2]:.1f} s, max {seconds[-1]:.1f} s"
    )


# --------------------------------------------------------------------------- the same, inside one process


def test_readers_and_a_writer_in_one_process_wait_for_each_other(_catalogue_db_template, tmp_path):
    """The dashboard's own process: page threads keep reading while one of them writes (a login, an upload).

    DuckDB refuses a second configuration of a file already open in the same process; the one door must treat
    that as "busy, wait", like a lock held by another process, never let it out as an exception.
    """
    import threading

    path = tmp_path / "indicators.duckdb"
    shutil.copyfile(_catalogue_db_template, path)
    stop, errors, reads = threading.Event(), [], [0]

    def reader() -> None:
        while not stop.is_set():
            try:
                with db.read(path, timeout=20) as con:
                    con.execute("SELECT count(*) FROM indicators").fetchone()
                reads[0] += 1
            except Exception as exc:  # collected: none may happen
                errors.append(f"read: {type(exc).__name__}: {str(exc)[:160]}")
            time.sleep(0.002)  # a page runs a few queries in a row

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for i in range(6):
            try:
                with db.write(path, timeout=20) as con:
                    con.execute(
                        "INSERT INTO audit_log (id, logged_at, actor, action, target, detail) "
                        "VALUES (nextval('audit_ids'), now(), 'test', 'probe', ?, '{}')",
                        [str(i)],
                    )
            except Exception as exc:  # collected: none may happen
                errors.append(f"write: {type(exc).__name__}: {str(exc)[:160]}")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors, f"{len(errors)} failures, e.g. {errors[:3]}"
    assert reads[0] > 0
    with db.read(path) as con:
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'probe'").fetchone()[0] == 6


def test_no_python_udfs_on_polars_pool_in_the_server():
    """The dashboard's server runs every session's script in a thread of one process.

    A polars Python UDF (``map_elements``, ``map_batches`` ...) runs on polars' thread pool and needs
    the GIL there; polars calls that hold the GIL while they wait on that same pool then deadlock the
    whole process, every session and ``/_stcore/health`` included: ``DataFrame.to_pandas`` (which
    ``st.dataframe`` calls on a polars frame) and ``DataFrame.__setstate__`` (a frame read back from
    ``st.cache_data``). Seen with polars 2.1.0 under 20 sessions within a minute, and once under the
    five sessions of the test above. Build such columns in Python instead, e.g.
    ``pl.Series(name, [fmt(v) for v in frame[col].to_list()], dtype=pl.String)``.
    """
    pattern = re.compile(r"\.(map_elements|map_batches|map_rows|map_groups)\(")
    found = []
    for folder in ("dashboard", "app_pages"):
        for path in sorted((settings.ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line) and not line.lstrip().startswith("#"):
                    found.append(f"{path.relative_to(settings.ROOT)}:{number}")
    assert not found, f"{len(found)} polars Python UDFs in server code: {', '.join(found)}"
