"""Benchmark: every dashboard address's time to idle in headless Chromium, against a trivial page.

    python -m benchmarks.bench_pages [--runs 5] [--national] [--provinces 34] [--only /explorer ...]

In one run:

(a) the floor: ``benchmarks/trivial_app.py`` (a title and a line of text) on its own
    server, one warm-up load, then ``--runs`` loads at the start and one more load
    before every measured page load all through the run (the machine has 2 cores
    and may be busy: interleaving keeps the floor and the pages under the same load);
    the floor is the median of all of them, and each page's ratio is taken against
    the trivial loads interleaved with that page's own loads;
(b) every address of CONTRACT §5 on the demo database (``benchmarks/out/demo.duckdb``,
    built with ``python -m loaders init --demo`` when missing, as of
    INDICATORS_TODAY=2026-11-26): one server per database; one throw-away load first
    so that the server has imported the app's modules; then for each address the
    database file's mtime is touched (a new data version, as after a submission, so
    every ``ctx.load`` cache entry is new), the first load is reported as *cold*, and
    the median of ``--runs`` further loads as *warm* (the realistic case: a shared
    dashboard's cache is warm);
(c) the same on the national-size database (``benchmarks.national``) with ``--national``;
(d) the query layer alone, in this process: evaluate_latest, province_series,
    timeliness, outliers, commune_values, explorer (and a few more for diagnosis),
    first call and median of ``--runs``, on both databases.

Every load uses a fresh browser context (no HTTP cache, no session) at 1440x900 and
counts from ``page.goto`` to the start of the quiet spell found by
``tools.browser.wait_idle`` (script finished, charts drawn, nothing changing for
0.4 s). A load is split into *boot* (until the script starts: the frontend's
JavaScript and the websocket), *run* (from the first ``running`` to the last
``notRunning`` state of the app: the page's Python run on the server plus the
browser building the elements from its messages) and *render* (the rest: element
JavaScript loaded on demand, tables and charts drawn). ``--http-cache`` loads every
page in one shared browser context instead (a returning visitor).
Exceptions shown on any page (``tools.browser.exceptions_on``) and JavaScript page
errors are collected and reported. The Markdown tables are printed and written to
``benchmarks/out/pages.md``. Aims: each page within 1.5x the trivial page on the
demo data and within 2x on the national size.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import settings
from benchmarks.national import build_national
from tools.browser import chromium, exceptions_on, serve, wait_idle

OUT = Path(__file__).resolve().parent / "out"
DEMO_DB = OUT / "demo.duckdb"
TODAY = "2026-11-26"
TRIVIAL = Path(__file__).resolve().parent / "trivial_app.py"
COMMUNE_INDICATOR = "OC-10"
ADDRESSES = (
    "/",
    "/input",
    "/process",
    "/output",
    "/outcome",
    "/composite",
    "/department?code=SYT",
    f"/indicator?code={COMMUNE_INDICATOR}",
    "/explorer",
    "/submit",
    "/quality",
    "/catalogue",
    "/present",
)
AIMS = {"demo": 1.5, "national": 2.0}
# The pages are measured, not the login form: reading without an account (a public dashboard).
NO_LOGIN = {"INDICATORS_REQUIRE_LOGIN": "false"}
VIEWPORT = {"width": 1440, "height": 900}

# Records each change of the app's script state with its time (ms since navigation start).
STATE_RECORDER = """
window.__benchStates = [];
new MutationObserver(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    const log = window.__benchStates;
    if (state && (!log.length || log[log.length - 1][0] !== state)) log.push([state, performance.now()]);
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""


@dataclass
class Load:
    seconds: float | None  # None: the page never became idle
    exceptions: list[str] = field(default_factory=list)
    boot: float | None = None  # until the script starts running
    script: float | None = None  # first running .. last notRunning
    js_files: int | None = None  # JavaScript files fetched (counted on cold loads)
    js_kb: int | None = None

    @property
    def render(self) -> float | None:
        if self.seconds is None or self.boot is None or self.script is None:
            return None
        return self.seconds - self.boot - self.script


@dataclass
class PageResult:
    address: str
    cold: Load
    warm: list[Load]
    floor: list[Load] = field(default_factory=list)  # trivial loads interleaved with `warm`

    def median(self, attr: str = "seconds", loads: list[Load] | None = None) -> float | None:
        values = [getattr(w, attr) for w in (self.warm if loads is None else loads)]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def ratio(self) -> float | None:
        page, floor = self.median(), self.median(loads=self.floor)
        return None if page is None or not floor else page / floor

    @property
    def exceptions(self) -> list[str]:
        seen: dict[str, None] = {}
        for load in [self.cold, *self.warm]:
            for text in load.exceptions:
                seen.setdefault(text, None)
        return list(seen)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- databases


def ensure_demo(path: Path = DEMO_DB) -> Path:
    """The demo database, built once (about 30 s) and reused."""
    if not path.exists():
        _log(f"building the demo database {path} ...")
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "loaders", "--db", str(path), "init", "--demo"],
            cwd=settings.ROOT,
            env={**os.environ, "INDICATORS_TODAY": TODAY},
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def national_path(provinces: int) -> Path:
    return OUT / ("national.duckdb" if provinces == 34 else f"national-{provinces}.duckdb")


def observation_count(path: Path) -> int:
    import db

    return int(db.query("SELECT count(*) AS n FROM observations", None, path)["n"][0])


def _touch(path: Path) -> None:
    """A new data version (mtime) without changing the data: every cache key of the pages changes."""
    now = time.time_ns()
    os.utime(path, ns=(now, now))


# --------------------------------------------------------------------------- browser


def _phases(states: list[list]) -> tuple[float | None, float | None]:
    """(boot, script) in seconds from the recorded script states."""
    running = [t for s, t in states if s == "running"]
    done = [t for s, t in states if s == "notRunning"]
    if not running or not done:
        return None, None
    return running[0] / 1000, max(done[-1] - running[0], 0.0) / 1000


def load_once(target, url: str, timeout: float = 60.0, count_js: bool = False) -> Load:
    """One load: seconds from goto to idle, its phases, and the exceptions shown.

    `target` is the browser (a fresh context per load: no HTTP cache, the default) or
    one shared browser context (``--http-cache``: a returning visitor's cached JavaScript).
    """
    context = target.new_context(viewport=VIEWPORT) if hasattr(target, "new_context") else None
    if context is not None:
        context.add_init_script(STATE_RECORDER)
    page = (context or target).new_page()
    errors: list[str] = []
    scripts: list = []
    page.on("pageerror", lambda exc: errors.append(f"JavaScript: {exc}"))
    if count_js:
        page.on("requestfinished", lambda r: scripts.append(r) if r.url.endswith(".js") else None)
    try:
        started = time.monotonic()
        page.goto(url, timeout=timeout * 1000)
        called = time.monotonic()
        boot = script = None
        try:
            idle = wait_idle(page, timeout=timeout)
            seconds: float | None = called + idle - started
            boot, script = _phases(page.evaluate("window.__benchStates || []"))
        except Exception as exc:  # a timeout or a page that never rendered: report it, go on
            seconds = None
            errors.append(f"not idle: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        try:
            errors += exceptions_on(page)
        except Exception as exc:
            errors.append(f"exceptions_on failed: {exc}")
        load = Load(seconds, errors, boot, script)
        if count_js:
            load.js_files = len(scripts)
            load.js_kb = sum(r.sizes()["responseBodySize"] for r in scripts) // 1024
        return load
    finally:
        page.close()
        if context is not None:
            context.close()


def bench_app(
    browser,
    database: Path,
    runs: int,
    addresses: tuple[str, ...],
    trivial_url: str,
    app: Path = settings.ROOT / "app.py",
) -> tuple[Load, list[PageResult]]:
    """The app on one database: the server's first load, then cold and warm loads of each address."""
    env = {"INDICATORS_DB": str(database), "INDICATORS_TODAY": TODAY, **NO_LOGIN}
    results = []
    with serve(app, env=env) as base:
        first = load_once(browser, base + "/")  # imports the app's modules in the server
        _log(f"  server's first load of /: {_fmt(first.seconds)} s")
        for address in addresses:
            _touch(database)
            result = PageResult(address, load_once(browser, base + address, count_js=True), [])
            for _ in range(runs):
                result.floor.append(load_once(browser, trivial_url))
                result.warm.append(load_once(browser, base + address))
                if result.warm[-1].seconds is None:  # never idle: one failure is enough
                    break
            flag = f"  {len(result.exceptions)} exception(s)" if result.exceptions else ""
            _log(
                f"  {address:28} cold {_fmt(result.cold.seconds)} s  warm {_fmt(result.median())} s "
                f"(run {_fmt(result.median('script'))} s)  x{_fmt(result.ratio())}{flag}"
            )
            results.append(result)
    return first, results


# --------------------------------------------------------------------------- query layer


def query_calls(path: Path) -> dict[str, Callable[[], object]]:
    """The query-layer calls the pages lean on, bound to one database."""
    import db
    from db import queries as Q
    from rules import evaluate, quality, timeliness

    today = date.fromisoformat(TODAY)
    periods = Q.province_series(path, [COMMUNE_INDICATOR])
    latest = periods.sort("period_start").get_column("period").to_list()[-1] if periods.height else str(today.year)
    store = Q.load_store(path)
    window = timeliness.year_window(today)
    return {
        "load_store (once per data version)": lambda: Q.load_store(path),
        "evaluate latest": lambda: evaluate.latest(store, today),
        "province_series": lambda: Q.province_series(path),
        "timeliness": lambda: timeliness.detail(store.catalogue, store.first_submissions, window),
        "outliers": lambda: quality.outliers(store),
        f"commune_values {COMMUNE_INDICATOR} {latest}": lambda: Q.commune_values(path, COMMUNE_INDICATOR, latest),
        "explorer (no filter, first 100,000 rows)": lambda: Q.explorer(path, Q.ExplorerFilters()),
        "— explorer_count (no filter)": lambda: Q.explorer_count(path, Q.ExplorerFilters()),
        f"— series_of {COMMUNE_INDICATOR}": lambda: evaluate.series_of(store, COMMUNE_INDICATOR, today),
        "— gaps": lambda: quality.gaps(store, Q.coverage(path), today),
        "— catalogue": lambda: Q.catalogue(path),
        "— open + SELECT 1 (db.query)": lambda: db.query("SELECT 1 AS x", None, path),
    }


def time_call(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(first call, median of `runs` further calls) in seconds."""
    started = time.perf_counter()
    fn()
    first = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times)


def bench_queries(path: Path, runs: int) -> dict[str, tuple[float, float]]:
    return {name: time_call(fn, runs) for name, fn in query_calls(path).items()}


# --------------------------------------------------------------------------- server side alone

_PAGE_FILES = {"": "overview"}  # address path -> app_pages/<name>.py where they differ

_TIMED_PAGE = """
import json, runpy, time
wall, cpu = time.perf_counter(), time.process_time()
try:
    runpy.run_path({page!r}, run_name="__main__")
finally:
    with open({out!r}, "w") as f:
        json.dump([time.perf_counter() - wall, time.process_time() - cpu], f)
"""


@dataclass
class ServerTimes:
    cold: tuple[float, float]  # (wall, cpu) seconds of the first run after a new data version
    warm: list[tuple[float, float]]
    exceptions: list[str]

    def warm_median(self, index: int = 0) -> float | None:
        return statistics.median(w[index] for w in self.warm) if self.warm else None


def bench_server(database: Path, runs: int, addresses: tuple[str, ...]) -> dict[str, ServerTimes]:
    """Each page's own Python run (no app.py, no browser), through AppTest: cold, then warm, wall and CPU."""
    import tempfile
    from urllib.parse import parse_qsl, urlsplit

    from streamlit.testing.v1 import AppTest

    folder = Path(tempfile.mkdtemp(prefix="bench_server_"))
    # A failing page is reported in the tables; its traceback in the log would bury the progress lines.
    logging.getLogger("streamlit").setLevel(logging.CRITICAL)
    os.environ["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] = "full"  # this process only: the real message
    previous = os.environ.get("INDICATORS_DB")
    os.environ["INDICATORS_DB"] = str(database)
    out: dict[str, ServerTimes] = {}
    try:
        plan = []
        for address in addresses:
            parts = urlsplit(address)
            name = parts.path.strip("/")
            name = _PAGE_FILES.get(name, name)
            wrapper, result = folder / f"{name}.py", folder / f"{name}.json"
            page = settings.ROOT / "app_pages" / f"{name}.py"
            wrapper.write_text(_TIMED_PAGE.format(page=str(page), out=str(result)), encoding="utf-8")
            plan.append((address, wrapper, result, dict(parse_qsl(parts.query))))

        def run(wrapper: Path, result: Path, params: dict[str, str]) -> tuple[tuple[float, float], list[str]]:
            app = AppTest.from_file(str(wrapper), default_timeout=300)
            for key, value in params.items():
                app.query_params[key] = value
            app.run()
            wall, cpu = json.loads(result.read_text(encoding="utf-8"))
            return (wall, cpu), [str(e.value) for e in app.exception]

        for _, wrapper, result, params in plan:  # imports, once
            run(wrapper, result, params)
        for address, wrapper, result, params in plan:
            _touch(database)
            cold, exceptions = run(wrapper, result, params)
            warm = [run(wrapper, result, params)[0] for _ in range(runs)]
            out[address] = ServerTimes(cold, warm, exceptions)
            flag = f"  {len(exceptions)} exception(s)" if exceptions else ""
            _log(f"  {address:28} server: cold {cold[0]:.2f} s, warm {_fmt(out[address].warm_median())} s{flag}")
    finally:
        if previous is None:
            os.environ.pop("INDICATORS_DB", None)
        else:
            os.environ["INDICATORS_DB"] = previous
    return out


# --------------------------------------------------------------------------- report


def _fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f}"


def _ratio(ratio: float | None, aim: float) -> str:
    if ratio is None:
        return "—"
    return f"{ratio:.2f}" + ("" if ratio <= aim else " ✗")


def report(
    runs: int,
    floor: list[Load],
    floor_js: Load,
    pages: dict[str, list[PageResult]],
    firsts: dict[str, Load],
    queries: dict[str, dict[str, tuple[float, float]]],
    sizes: dict[str, int],
    load: tuple[tuple[float, ...], tuple[float, ...]],
    mode: str = "fresh browser context per load",
    server: dict[str, dict[str, ServerTimes]] | None = None,
) -> str:
    names = [n for n in ("demo", "national") if n in pages]
    floor_median = PageResult("trivial", Load(None), floor).median()
    command = f"python -m benchmarks.bench_pages --runs {runs}" + (" --national" if "national" in sizes else "")
    lines = [
        f"Measured {datetime.now():%Y-%m-%d %H:%M} with `{command}` on {os.cpu_count()} cores "
        f"({platform.machine()}; load average {load[0][0]:.1f} at the start, {load[1][0]:.1f} at the end); "
        + ", ".join(f"{n}: {sizes[n]:,} observations" for n in sizes)
        + ".",
    ]
    if names:
        lines += [
            "",
            f"Time to idle in headless Chromium, seconds, {mode}. warm: median of {runs} "
            "loads (server cache warm); cold: the first load after a new data version; ratio: warm median over "
            "the median of the trivial-page loads interleaved with it "
            f"(aims: {AIMS['demo']}x demo, {AIMS['national']}x national; ✗ misses the aim; ⚠ an exception was "
            "shown, see the list at the end).",
            "",
        ]
        head = ["page"]
        for n in names:
            head += [f"{n} warm s", "ratio", f"{n} cold s"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        row = ["trivial page (floor)"]
        for _ in names:
            row += [_fmt(floor_median), "1.00", "—"]
        lines.append("| " + " | ".join(row) + " |")
        for i, address in enumerate(r.address for r in pages[names[0]]):
            row = [f"`{address}`"]
            for n in names:
                r = pages[n][i]
                mark = " ⚠" if r.exceptions else ""  # an exception on screen: the time is not the page's
                row += [_fmt(r.median()) + mark, _ratio(r.ratio(), AIMS[n]), _fmt(r.cold.seconds)]
            lines.append("| " + " | ".join(row) + " |")
        lines += [
            "",
            "Where the warm time goes (medians, seconds): boot = until the script starts (the frontend's "
            "JavaScript, the websocket); run = from the script's start until the browser has taken its last "
            "message (the server's Python run plus the browser building the elements); render = the rest "
            "(element JavaScript fetched on demand, tables and charts drawn). JS: JavaScript files and KB "
            "fetched by a first load in a fresh context.",
            "",
        ]
        head = ["page", "JS files", "JS KB"]
        for n in names:
            head += [f"{n} boot", "run", "render"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        trivial = PageResult("trivial", Load(None), floor)
        row = ["trivial page (floor)", str(floor_js.js_files or "—"), str(floor_js.js_kb or "—")]
        for _ in names:
            row += [_fmt(trivial.median(a)) for a in ("boot", "script", "render")]
        lines.append("| " + " | ".join(row) + " |")
        for i, address in enumerate(r.address for r in pages[names[0]]):
            cold = pages[names[0]][i].cold
            row = [f"`{address}`", str(cold.js_files or "—"), str(cold.js_kb or "—")]
            for n in names:
                row += [_fmt(pages[n][i].median(a)) for a in ("boot", "script", "render")]
            lines.append("| " + " | ".join(row) + " |")
        lines += [
            "",
            "The server's very first load of `/` (module imports included): "
            + ", ".join(f"{n} {_fmt(firsts[n].seconds)} s" for n in names)
            + ".",
        ]
    if server:
        snames = [n for n in ("demo", "national") if n in server]
        lines += [
            "",
            "Each page's own Python run on the server, alone (in-process AppTest: no app.py, no browser), "
            f"seconds: cold = the first run after a new data version, warm = median of {runs} (CPU seconds in "
            "brackets).",
            "",
            "| page | " + " | ".join(f"{n} cold | {n} warm" for n in snames) + " |",
            "|---|" + "---|---|" * len(snames),
        ]
        for address in server[snames[0]]:
            cells = []
            for n in snames:
                times = server[n][address]
                if times.exceptions:
                    cells += ["exception", "exception"]
                    continue
                cells += [
                    f"{times.cold[0]:.2f} ({times.cold[1]:.2f})",
                    f"{_fmt(times.warm_median(0))} ({_fmt(times.warm_median(1))})",
                ]
            lines.append(f"| `{address}` | " + " | ".join(cells) + " |")
    if queries:
        qnames = [n for n in ("demo", "national") if n in queries]
        lines += [
            "",
            f"Query layer alone (in-process, seconds; first call, then median of {runs}):",
            "",
            "| call | " + " | ".join(f"{n} first | {n} median" for n in qnames) + " |",
            "|---|" + "---|---|" * len(qnames),
        ]
        for call in queries[qnames[0]]:
            cells = []
            for n in qnames:
                first, median = queries[n][call]
                cells += [f"{first:.3f}", f"{median:.3f}"]
            lines.append(f"| {call} | " + " | ".join(cells) + " |")
    problems = [(n, r.address, r.exceptions) for n in names for r in pages[n] if r.exceptions]
    problems += [
        (f"{n} (AppTest)", a, t.exceptions) for n in (server or {}) for a, t in server[n].items() if t.exceptions
    ]
    if names or server:
        lines += ["", "Exceptions shown: " + ("none." if not problems else "")]
        for n, address, texts in problems:
            for text in texts:
                lines.append(f"- {n} `{address}`: {' '.join(text.split())[:300]}")
    return "\n".join(lines) + "\n"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_pages", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured loads per page (default: 5)")
    parser.add_argument("--national", action="store_true", help="also the national-size database")
    parser.add_argument("--provinces", type=int, default=34, help="national size: provinces of 99 communes")
    parser.add_argument("--only", nargs="+", metavar="ADDRESS", help="only these addresses (e.g. / /explorer)")
    parser.add_argument(
        "--http-cache",
        action="store_true",
        help="one browser context for all loads (a returning visitor: JavaScript from the HTTP cache)",
    )
    parser.add_argument("--no-browser", action="store_true", help="the query layer only")
    parser.add_argument("--no-queries", action="store_true", help="no query-layer timings")
    parser.add_argument("--no-server", action="store_true", help="no server-side (AppTest) page timings")
    parser.add_argument("--app", type=Path, default=settings.ROOT / "app.py", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=OUT / "pages.md", help="Markdown output (default: %(default)s)")
    args = parser.parse_args(argv)
    os.environ["INDICATORS_TODAY"] = TODAY
    os.environ.update(NO_LOGIN)
    # A plain `kill` unwinds like Ctrl-C, so the servers and the browser are stopped too.
    signal.signal(signal.SIGTERM, _interrupt)
    load_start = os.getloadavg()

    databases = {"demo": ensure_demo()}
    if args.national:
        databases["national"] = build_national(
            national_path(args.provinces), provinces=args.provinces, today=date.fromisoformat(TODAY)
        )
    sizes = {name: observation_count(path) for name, path in databases.items()}
    addresses = tuple(args.only) if args.only else ADDRESSES

    queries: dict[str, dict[str, tuple[float, float]]] = {}
    if not args.no_queries:
        for name, path in databases.items():
            _log(f"query layer on {name} ...")
            queries[name] = bench_queries(path, args.runs)

    server: dict[str, dict[str, ServerTimes]] = {}
    if not args.no_server:
        for name, path in databases.items():
            _log(f"server side alone on {name} ...")
            server[name] = bench_server(path, args.runs, addresses)

    pages: dict[str, list[PageResult]] = {}
    firsts: dict[str, Load] = {}
    floor: list[Load] = []
    floor_js = Load(None)
    if not args.no_browser:
        with chromium() as browser, serve(TRIVIAL) as trivial:
            target = browser
            if args.http_cache:
                target = browser.new_context(viewport=VIEWPORT)
                target.add_init_script(STATE_RECORDER)
            _log("trivial page ...")
            floor_js = load_once(target, trivial + "/", count_js=True)  # warm-up
            floor += [load_once(target, trivial + "/") for _ in range(args.runs)]
            _log(f"  trivial: {_fmt(PageResult('trivial', Load(None), floor).median())} s")
            for name, path in databases.items():
                _log(f"pages on {name} ({sizes[name]:,} observations) ...")
                firsts[name], pages[name] = bench_app(target, path, args.runs, addresses, trivial + "/", args.app)
                floor += [load for result in pages[name] for load in result.floor]

    mode = "one shared browser context (HTTP cache warm)" if args.http_cache else "fresh browser context per load"
    load = (load_start, os.getloadavg())
    text = report(args.runs, floor, floor_js, pages, firsts, queries, sizes, load, mode, server)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
