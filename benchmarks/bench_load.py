"""Load benchmark: 20 browser sessions at once on this machine, as in a working session.

    python -m benchmarks.bench_load [--sessions 20] [--rounds 3] [--think 0] [--nice-browsers 10 | --no-nice]
                                    [--db PATH] [--out benchmarks/out/load.md]

One Streamlit server (reading needs no login: INDICATORS_REQUIRE_LOGIN=false) on
the demo database (``benchmarks/out/demo.duckdb``, built as of
INDICATORS_TODAY=2026-11-26 when missing), one headless Chromium, one browser
context per session. All sessions start together and each opens, ``--rounds``
times, the pages of a working session in turn: the overview ``/``, a group page
(``/input`` ... ``/composite``), an indicator (``/indicator?code=...``) and the
presentation ``/present`` (each session its own group and indicator), each by
its address (as from a shared link). ``--think S`` waits a seeded 0.5 S-1.5 S
between pages (people read what they opened); the default 0 is a burst, every
session clicking at once, the worst case.

A load is timed from ``page.goto`` to the start of a 0.4 s quiet spell
(``tools.browser.wait_idle``: script finished, charts drawn) and checked for
Streamlit exceptions; it is split into boot (until the script starts), script
(the server's run as the browser saw it) and rendering. One warm-up load of
``/`` comes first (the server imports the app's modules) and is reported apart.

The browsers share the server's cores here, which real users' browsers do not:
the CPU seconds used by the server and by Chromium during the run are reported
so the two can be told apart, and Chromium is reniced (``--nice-browsers``,
default 10) so that its 20 renderers do not starve the server.

Printed and written to ``benchmarks/out/load.md``: median, 95th percentile and
maximum over all page loads, the number of loads, per address and per round,
the CPU and peak memory (RSS) of the server and of Chromium, and the machine's
load average at the start and the end (the machine is small and may be
shared). Aim: 95th percentile under 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import statistics
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import settings
from benchmarks.bench_pages import DEMO_DB, OUT, STATE_RECORDER, TODAY, ensure_demo
from tools import browser

GROUPS = ["/input", "/process", "/output", "/outcome", "/composite"]
INDICATORS = ["IN-01", "OU-03", "OC-10", "PR-02", "CP-09", "IN-13", "OU-06", "OC-01", "PR-07", "CP-06"]
AIM_P95 = 3.0
VIEWPORT = {"width": 1440, "height": 900}


@dataclass
class Load:
    session: int
    address: str
    seconds: float | None  # None: never idle
    problem: str = ""
    boot: float | None = None  # until the script starts (frontend JavaScript, websocket)
    script: float | None = None  # first running .. last notRunning (the server's run, as the browser saw it)


@dataclass
class Memory:
    server_peak: int = 0  # bytes
    chromium_peak: int = 0
    samples: list[tuple[int, int]] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds during the burst: server, chromium, other


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, ValueError, IndexError):
        return 0.0


def _machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine since boot (all cores), from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / _TICK


def session_pages(index: int) -> list[str]:
    """A working session: the overview, a group, an indicator, the presentation."""
    return ["/", GROUPS[index % len(GROUPS)], f"/indicator?code={INDICATORS[index % len(INDICATORS)]}", "/present"]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


# --------------------------------------------------------------------------- memory of the processes


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            found.append(child)
            todo.append(child)
    return found


async def watch_memory(port: int, memory: Memory, stop: asyncio.Event, nice: int | None) -> None:
    """Sample the RSS (and CPU time) of the server (the process serving `port`) and of Chromium every half second.

    With `nice`, Chromium's processes are reniced to it as they appear (they share the server's cores here;
    in use the browsers are on the users' machines).
    """
    cpu: dict[int, tuple[str, float, float]] = {}  # pid -> (kind, first seen, last seen) CPU seconds
    reniced: set[int] = set()
    while not stop.is_set():
        server = chromium = 0
        for pid in _descendants(os.getpid()):
            command = _cmdline(pid)
            if "streamlit" in command and f"--server.port {port}" in command:
                server += _rss(pid)
                kind = "server"
            elif "chrom" in command.lower():
                chromium += _rss(pid)
                kind = "chromium"
                if nice is not None and pid not in reniced:
                    with contextlib.suppress(OSError):
                        os.setpriority(os.PRIO_PROCESS, pid, nice)
                    reniced.add(pid)
            else:
                kind = "driver"
            used = _cpu_seconds(pid)
            first = cpu.get(pid, (kind, used, used))[1]
            cpu[pid] = (kind, first, used)
        memory.cpu = {}
        for kind, first, last in cpu.values():
            memory.cpu[kind] = memory.cpu.get(kind, 0.0) + last - first
        memory.server_peak = max(memory.server_peak, server)
        memory.chromium_peak = max(memory.chromium_peak, chromium)
        memory.samples.append((server, chromium))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


# --------------------------------------------------------------------------- the sessions


async def load(page, base: str, address: str, session: int) -> Load:
    started = time.monotonic()
    try:
        await page.goto(base + address, timeout=120_000)
        called = time.monotonic()
        idle = await browser.wait_idle_async(page)
        seconds = called + idle - started
    except Exception as exc:  # a page that never became idle is reported, not fatal
        return Load(session, address, None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    boxes = page.locator('[data-testid="stException"]')
    problem = "exception shown" if await boxes.count() else ""
    states = await page.evaluate("window.__benchStates || []")
    running = [t for state, t in states if state == "running"]
    done = [t for state, t in states if state == "notRunning"]
    boot = script = None
    if running and done:
        boot, script = running[0] / 1000, max(done[-1] - running[0], 0.0) / 1000
    return Load(session, address, seconds, problem, boot, script)


async def run_session(
    chromium, base: str, index: int, rounds: int, start: asyncio.Event, think: float, loads: list[Load]
) -> None:
    context = await chromium.new_context(viewport=VIEWPORT, locale="vi-VN")
    await context.add_init_script(STATE_RECORDER)
    page = await context.new_page()
    pause = random.Random(index)  # the same think times on every run
    await start.wait()
    done = 0
    try:
        for _ in range(rounds):
            for address in session_pages(index):
                if think and done:
                    await asyncio.sleep(pause.uniform(0.5 * think, 1.5 * think))  # reading the page
                result = await load(page, base, address, index)
                loads.append(result)
                done += 1
                print(
                    f"  session {index:2d} {address:24} {_fmt(result.seconds)} s {result.problem}",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        await context.close()


HUNG_AFTER = 60.0  # seconds without an answer from /_stcore/health: the server is hung, not slow


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


async def health_watch(base: str, began: float) -> float:
    """Returns the time (s since the start of the burst) when the server stopped answering for HUNG_AFTER s."""
    last = time.monotonic()
    while True:
        if await asyncio.to_thread(_healthy, base):
            last = time.monotonic()
        elif time.monotonic() - last > HUNG_AFTER:
            return last - began
        await asyncio.sleep(1)


async def bench(base: str, port: int, args) -> tuple[Load, list[Load], Memory, float, float, float | None]:
    from playwright.async_api import async_playwright

    memory, stop = Memory(), asyncio.Event()
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=browser.CHROMIUM, headless=True, args=browser.CHROMIUM_ARGS)
        watcher = asyncio.create_task(watch_memory(port, memory, stop, args.nice_browsers))
        try:
            context = await chromium.new_context(viewport=VIEWPORT)
            warmup = await load(await context.new_page(), base, "/", -1)
            await context.close()
            start, loads = asyncio.Event(), []
            tasks = [
                asyncio.create_task(run_session(chromium, base, i, args.rounds, start, args.think, loads))
                for i in range(args.sessions)
            ]
            await asyncio.sleep(1.0)  # every context open before the burst
            busy_before = _machine_cpu_seconds()
            began = time.monotonic()
            start.set()
            everyone = asyncio.gather(*tasks)
            watchdog = asyncio.create_task(health_watch(base, began))
            await asyncio.wait({everyone, watchdog}, return_when=asyncio.FIRST_COMPLETED)
            hung = None
            if not everyone.done():  # the server hung: stop, report what was measured until then
                hung = watchdog.result()
                print(f"the server stopped answering at {hung:.0f} s: stopping", file=sys.stderr, flush=True)
                everyone.cancel()
                await asyncio.gather(everyone, return_exceptions=True)
            else:
                watchdog.cancel()
            wall = time.monotonic() - began
            machine = _machine_cpu_seconds() - busy_before
        finally:
            stop.set()
            await watcher
            await chromium.close()
    return warmup, loads, memory, wall, machine, hung


# --------------------------------------------------------------------------- report


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def report(
    args, warmup: Load, loads: list[Load], memory: Memory, wall: float, machine: float, hung, before, after
) -> str:
    timed = [x.seconds for x in loads if x.seconds is not None]
    failed = [x for x in loads if x.seconds is None or x.problem]
    median = _median(timed)
    p95 = percentile(timed, 95) if timed else None
    verdict = "met" if p95 is not None and p95 < AIM_P95 and not failed else "NOT met"
    server_cpu, browser_cpu = memory.cpu.get("server", 0.0), memory.cpu.get("chromium", 0.0)
    think = (
        f"{args.think:g} s (uniform {0.5 * args.think:g}-{1.5 * args.think:g} s)" if args.think else "none (a burst)"
    )
    nice = f"Chromium reniced to {args.nice_browsers}" if args.nice_browsers is not None else "Chromium not reniced"
    lines = [
        f"# Load: {args.sessions} browser sessions at once ({datetime.now():%Y-%m-%d %H:%M})",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
        f"load average {before[0]:.2f} at the start, {after[0]:.2f} at the end. Database: `{args.db}`. "
        f"Each session: {' → '.join(session_pages(0))} (its own group and indicator), {args.rounds} rounds, "
        f"think time between pages {think}; one headless Chromium on the same machine, one context per "
        f"session, all started together; {nice}.",
        "",
        *(
            [
                f"**The server hung {hung:.0f} s into the run** (no answer from `/_stcore/health` for "
                f"{HUNG_AFTER:.0f} s; every session waiting): the run was stopped; the figures below are those "
                "measured until then.",
                "",
            ]
            if hung is not None
            else []
        ),
        "| | value |",
        "| --- | --- |",
        f"| page loads | {len(loads)} ({len(failed)} failed or showing an exception) |",
        f"| median time to idle | {_fmt(median)} s |",
        f"| 95th percentile | **{_fmt(p95)} s** (aim < {AIM_P95:g} s: {verdict}) |",
        f"| maximum | {_fmt(max(timed) if timed else None)} s |",
        f"| where the median load goes | boot {_fmt(_median([x.boot for x in loads if x.boot is not None]))} s, "
        f"script {_fmt(_median([x.script for x in loads if x.script is not None]))} s, the rest rendering |",
        f"| wall time | {wall:.1f} s ({len(loads) / wall:.2f} loads/s) |",
        f"| CPU used meanwhile (both cores) | {machine:.0f} s of {wall * (os.cpu_count() or 1):.0f} s: server "
        f"{server_cpu:.0f} s ({server_cpu / max(len(loads), 1):.2f} s per load), Chromium {browser_cpu:.0f} s "
        f"({browser_cpu / max(len(loads), 1):.2f} s per load), the rest {max(machine - server_cpu - browser_cpu, 0):.0f} s |",
        f"| server's first load of / (warm-up, not counted) | {_fmt(warmup.seconds)} s |",
        f"| peak memory: Streamlit server | {memory.server_peak / 2**20:.0f} MB |",
        f"| peak memory: Chromium (all processes) | {memory.chromium_peak / 2**20:.0f} MB |",
        "",
        "| address | loads | median (s) | 95th pct (s) | max (s) | median script (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_address: dict[str, list[Load]] = {}
    for x in loads:
        key = x.address.split("?")[0] if x.address.startswith("/indicator") else x.address
        by_address.setdefault("/<group>" if key in GROUPS else key, []).append(x)
    for address, group in by_address.items():
        values = [x.seconds for x in group if x.seconds is not None]
        if values:
            lines.append(
                f"| `{address}` | {len(values)} | {statistics.median(values):.2f} | {percentile(values, 95):.2f} | "
                f"{max(values):.2f} | {_fmt(_median([x.script for x in group if x.script is not None]))} |"
            )
    by_round: dict[int, list[float]] = {}
    per_round = len(session_pages(0))
    position: dict[int, int] = {}
    for x in loads:
        n = position.get(x.session, 0)
        position[x.session] = n + 1
        if x.seconds is not None:
            by_round.setdefault(n // per_round + 1, []).append(x.seconds)
    lines += ["", "| round | median (s) | 95th pct (s) |", "| ---: | ---: | ---: |"]
    lines += [f"| {r} | {statistics.median(v):.2f} | {percentile(v, 95):.2f} |" for r, v in sorted(by_round.items())]
    if failed:
        lines += ["", "Failures:", ""] + [f"- session {x.session} `{x.address}`: {x.problem}" for x in failed[:20]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", type=Path, default=DEMO_DB, help="database (default: the demo, built when missing)")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds spent reading a page (default 0)")
    parser.add_argument(
        "--nice-browsers",
        type=int,
        default=10,
        metavar="N",
        help="renice Chromium to N so that it does not starve the server on the shared cores (default 10)",
    )
    parser.add_argument("--no-nice", dest="nice_browsers", action="store_const", const=None)
    parser.add_argument("--out", type=Path, default=OUT / "load.md")
    args = parser.parse_args(argv)
    if not Path(browser.CHROMIUM).exists():
        print(f"no Chromium at {browser.CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    database = ensure_demo(args.db) if args.db == DEMO_DB else args.db
    env = {"INDICATORS_DB": str(database), "INDICATORS_TODAY": TODAY, "INDICATORS_REQUIRE_LOGIN": "false"}
    load_before = os.getloadavg()
    port = browser.free_port()
    with browser.serve(settings.ROOT / "app.py", env=env, port=port) as base:
        warmup, loads, memory, wall, machine, hung = asyncio.run(bench(base, port, args))
    text = report(args, warmup, loads, memory, wall, machine, hung, load_before, os.getloadavg())
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
