"""Load at the server alone: N sessions at once speaking Streamlit's websocket protocol, no browser.

    python -m benchmarks.bench_protocol [--sessions 1 5 20 50] [--repeats 3] [--rounds 1] [--processes 0]
                                        [--before DIR] [--profile] [--idle N] [--cycles 3] [--ttl 5]
                                        [--db PATH] [--out benchmarks/out/protocol.md]

Users' browsers run on their own tablets; what the server must carry is its own part of each page: the queue,
the page's Python run and the messages it sends. Each session here is what a browser tab is to the server
(``tools.protocol``: ``GET /``, the websocket ``/_stcore/stream``, a ``rerun_script`` naming the page and its
query string, then waiting for ``script_finished``); no element is drawn.

In one run, against the app (``app.py``) on the demo database (``benchmarks/out/demo.duckdb``, built as of
INDICATORS_TODAY=2026-11-26 when missing; reading needs no login) and against the trivial page
(``benchmarks/trivial_app.py``, the floor) served the same way, with the same environment:

1. warm-up: one session opens every address once on each server (imports, caches: a shared dashboard's cache
   is warm), not counted;
2. memory per idle session: the servers' RSS, then ``--idle`` sessions (default: the largest N) opened, each
   showing ``/``, left idle, RSS again; then every tab closed, and RSS once the server has let the closed
   sessions go (Streamlit keeps a closed tab's session ``server.disconnectedSessionTTL`` seconds for a
   reconnect); then ``--cycles`` rounds of opening and closing that many sessions, walking three pages each,
   RSS after each round (a leak grows round after round);
3. load: for each N of ``--sessions``, ``--repeats`` times, for the trivial page and then the app: N sessions
   open at once and each asks for the 13 addresses of CONTRACT §5 in turn (``--rounds`` times), each session
   starting at its own address (session i at address i mod 13), as a room of users clicking; the trivial page
   gets the same number of runs (its one page, with the same query strings).

Printed and written to ``benchmarks/out/protocol.md`` (raw figures in ``protocol.json``): runs per second,
median, 95th percentile and maximum of the run times (pooled over the repeats; the range of the repeats' own
95th percentiles beside them), per address and in all; the server's CPU seconds per run (``/proc``); the ratio
of the app's 95th percentile to the trivial page's in the same repeats; the CPU the rest of the machine used
meanwhile (this machine is small and may be shared: read the load line). ``--processes N`` serves both through
``tools.serve`` (N processes behind HAProxy) instead of one ``streamlit run``. ``--before DIR`` also serves the
app of another checkout (``git worktree add /tmp/before COMMIT``: the code before a change), the same way, the
servers taking turns in every repeat, so before and after are measured under the same load. ``--profile``
records the app's server with py-spy during the load (raw stacks in ``protocol-profile.txt``, the functions
that cost most in the report).

Aims (issue 11): one process, 20 sessions: 95th percentile <= 1.5 s and >= 20 runs/s; N processes behind the
proxy, 50 sessions: 95th percentile <= 2 s, no failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import settings
from benchmarks.bench_pages import ADDRESSES, DEMO_DB, OUT, TODAY, TRIVIAL, ensure_demo
from tools import serve
from tools.protocol import Run, Session

AIMS = {"p95 one process, 20 sessions": 1.5, "runs/s one process, 20 sessions": 20.0, "p95 behind the proxy, 50": 2.0}
_TICK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- the server's processes


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of processes (every thread), in seconds."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / _TICK
        except (OSError, ValueError, IndexError):
            continue
    return total


def rss(pids: list[int]) -> int:
    """Resident memory of processes, bytes."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as handle:
                total += next(int(line.split()[1]) * 1024 for line in handle if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot (all cores)."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / _TICK


def own_cpu() -> float:
    times = os.times()
    return times.user + times.system


@dataclass
class Target:
    """A server under test: the app or the trivial page, one process or a cluster behind the proxy."""

    name: str  # "app" or "trivial"
    base: str
    pids: Callable[[], list[int]]

    def address(self, address: str) -> str:
        """The address to ask for: the trivial page has one page (asked for with the same query string)."""
        if self.name != "trivial":
            return address
        query = address.partition("?")[2]
        return f"/?{query}" if query else "/"


@contextlib.contextmanager
def targets(database: Path, processes: int, ttl: int | None, before: Path | None) -> Iterator[dict[str, Target]]:
    """The trivial page, the app of another checkout (``before``) if given, and this app, started the same way."""
    env = {"INDICATORS_DB": str(database), "INDICATORS_TODAY": TODAY, "INDICATORS_REQUIRE_LOGIN": "false"}
    if ttl is not None:
        env["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(ttl)
    plan = [("trivial", TRIVIAL, settings.ROOT)]
    if before is not None:
        plan.append(("before", before / "app.py", before))
    plan.append(("app", settings.ROOT / "app.py", settings.ROOT))
    with contextlib.ExitStack() as stack:
        found = {}
        for name, script, root in plan:
            if processes:
                here = stack.enter_context(serve.cluster(processes, script, env, root=root))
                found[name] = Target(name, here.base, here.pids)
            else:
                server = stack.enter_context(serve.streamlit(script, env, root=root))
                found[name] = Target(name, server.base, lambda s=server: [s.pid] if s.alive() else [])
        yield found


# --------------------------------------------------------------------------- sessions


@dataclass
class Failure:
    session: int
    address: str
    problem: str


@dataclass
class Burst:
    """N sessions at once on one target: every run, the wall time and the CPU used meanwhile."""

    target: str
    sessions: int
    repeat: int
    runs: list[Run] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float = 0.0
    machine_cpu: float = 0.0
    client_cpu: float = 0.0

    @property
    def seconds(self) -> list[float]:
        return [r.seconds for r in self.runs]


def walk(index: int, rounds: int) -> list[str]:
    """Session `index`'s addresses: every address of CONTRACT §5 in turn, starting at its own."""
    n = len(ADDRESSES)
    return [ADDRESSES[(index + k) % n] for k in range(rounds * n)]


async def one_session(target: Target, index: int, rounds: int, start: asyncio.Event, burst: Burst) -> None:
    try:
        session = await Session.open(target.base)
    except Exception as exc:  # a session that could not open is a failure of the run, reported
        burst.failures.append(Failure(index, "(open)", f"{type(exc).__name__}: {exc}"[:200]))
        return
    try:
        await start.wait()
        for address in walk(index, rounds):
            try:
                run = await session.run(target.address(address))
            except Exception as exc:
                burst.failures.append(Failure(index, address, f"{type(exc).__name__}: {exc}"[:200]))
                return
            run.address = address
            burst.runs.append(run)
            if run.status != "ok" or run.exceptions:
                burst.failures.append(Failure(index, address, run.status + " " + " | ".join(run.exceptions)[:200]))
    finally:
        with contextlib.suppress(Exception):
            await session.close()


async def burst(target: Target, sessions: int, rounds: int, repeat: int) -> Burst:
    """N sessions open, then all start walking at the same moment."""
    result = Burst(target.name, sessions, repeat)
    start = asyncio.Event()
    tasks = [asyncio.create_task(one_session(target, i, rounds, start, result)) for i in range(sessions)]
    await asyncio.sleep(0.5 + 0.02 * sessions)  # every websocket open before the start
    pids = target.pids()
    cpu, busy, mine = cpu_seconds(pids), machine_busy(), own_cpu()
    began = time.monotonic()
    start.set()
    await asyncio.gather(*tasks)
    result.wall = time.monotonic() - began
    result.server_cpu = cpu_seconds(pids) - cpu
    result.machine_cpu = machine_busy() - busy
    result.client_cpu = own_cpu() - mine
    return result


# --------------------------------------------------------------------------- memory


@dataclass
class Memory:
    target: str
    idle: int
    before: int = 0  # bytes, after the warm-up
    with_idle: int = 0  # with `idle` sessions open, each showing /
    after_close: int = 0  # every tab closed and the closed sessions let go
    cycles: list[int] = field(default_factory=list)  # after each round of opening, walking and closing

    @property
    def per_session(self) -> float:
        return (self.with_idle - self.before) / max(self.idle, 1)


async def _open_show(target: Target, count: int, addresses: list[str]) -> list[Session]:
    async def one(i: int) -> Session:
        session = await Session.open(target.base)
        for k in range(len(addresses)):  # each session starts at its own address
            await session.run(target.address(addresses[(i + k) % len(addresses)]))
        return session

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def let_go(target: Target, ttl: float) -> None:
    """Wait until closed sessions have outlived their TTL, then close one more tab (Streamlit drops expired
    sessions when the next one is stored), as happens all day on a busy server."""
    await asyncio.sleep(ttl + 1)
    for session in await _open_show(target, 1, ["/"]):
        await session.close()
    await asyncio.sleep(1)


async def measure_memory(target: Target, idle: int, cycles: int, ttl: float) -> Memory:
    memory = Memory(target.name, idle)
    await asyncio.sleep(1)
    memory.before = rss(target.pids())
    sessions = await _open_show(target, idle, ["/"])
    await asyncio.sleep(1)
    memory.with_idle = rss(target.pids())
    await asyncio.gather(*(s.close() for s in sessions))
    await let_go(target, ttl)
    memory.after_close = rss(target.pids())
    walked = ["/", "/explorer", "/indicator?code=OC-10"]
    for _ in range(cycles):
        sessions = await _open_show(target, idle, walked)
        await asyncio.gather(*(s.close() for s in sessions))
        await let_go(target, ttl)
        memory.cycles.append(rss(target.pids()))
    return memory


# --------------------------------------------------------------------------- figures


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _mb(value: float) -> str:
    return f"{value / 2**20:.1f}"


@dataclass
class Figures:
    runs: int
    runs_per_s: float  # median over the repeats
    median: float
    p95: float
    p95_low: float  # the repeats' own 95th percentiles: lowest and highest
    p95_high: float
    max: float
    cpu_per_run: float  # server CPU seconds per run, median over the repeats
    others_cpu: float  # CPU seconds the rest of the machine used per second of the bursts (0..cores)
    failures: int


def figures(bursts: list[Burst]) -> Figures | None:
    seconds = [s for b in bursts for s in b.seconds]
    if not seconds:
        return None
    rates = [len(b.runs) / b.wall for b in bursts if b.wall]
    per_repeat = [percentile(b.seconds, 95) for b in bursts if b.runs]
    cpu = [b.server_cpu / len(b.runs) for b in bursts if b.runs]
    others = [max(b.machine_cpu - b.server_cpu - b.client_cpu, 0.0) / b.wall for b in bursts if b.wall]
    return Figures(
        len(seconds),
        statistics.median(rates),
        statistics.median(seconds),
        percentile(seconds, 95),
        min(per_repeat),
        max(per_repeat),
        max(seconds),
        statistics.median(cpu),
        statistics.median(others),
        sum(len(b.failures) for b in bursts),
    )


def report(args, bursts: list[Burst], memory: dict[str, Memory], load: tuple, started: str, profile: str) -> str:
    serving = (
        f"{args.processes} Streamlit processes behind HAProxy (`tools.serve`)"
        if args.processes
        else "one `streamlit run` process"
    )
    names = list(dict.fromkeys(b.target for b in bursts)) or list(memory)
    before = f" `before` = the app of `{args.before}`, served the same way;" if args.before else ""
    lines = [
        f"# Protocol load: sessions at once on the server alone ({started})",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; load average "
        f"{load[0][0]:.2f} at the start, {load[1][0]:.2f} at the end. Each server: {serving}.{before} "
        f"Database: `{args.db}` (as of {TODAY}). Each session asks for the {len(ADDRESSES)} addresses of "
        f"CONTRACT §5 in turn, {args.rounds} round(s), starting at its own; {args.repeats} repeats per row, the "
        "servers taking turns; the trivial page gets as many runs. A run: from the client's `rerun_script` to the "
        "server's `script_finished` (no browser). `others`: CPU the rest of the machine (other users of a shared "
        "machine; not the servers, not this client) used meanwhile, in cores.",
        "",
        "| sessions | server | runs | runs/s | median s | p95 s (repeats) | max s | server CPU per run s | "
        "p95 × trivial | others | failures |",
        "| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in args.sessions:
        got = {t: figures([b for b in bursts if b.sessions == n and b.target == t]) for t in names}
        floor = got.get("trivial")
        for t in names:
            f = got[t]
            if f is None:
                continue
            ratio = f.p95 / floor.p95 if floor and floor.p95 else None
            lines.append(
                f"| {n} | {t} | {f.runs} | {f.runs_per_s:.1f} | {f.median:.3f} | **{f.p95:.3f}** "
                f"({f.p95_low:.2f}–{f.p95_high:.2f}) | {f.max:.2f} | {f.cpu_per_run:.3f} | "
                f"{_fmt(ratio, 1)} | {f.others_cpu:.2f} | {f.failures} |"
            )
    for name in [n for n in names if n != "trivial"]:
        lines += [
            "",
            f"Per address (`{name}`): median / 95th percentile, seconds.",
            "",
            "| address | " + " | ".join(f"{n} sessions" for n in args.sessions) + " |",
            "| --- |" + " ---: |" * len(args.sessions),
        ]
        for address in ADDRESSES:
            cells = []
            for n in args.sessions:
                values = [
                    r.seconds
                    for b in bursts
                    if b.sessions == n and b.target == name
                    for r in b.runs
                    if r.address == address
                ]
                cells.append(f"{statistics.median(values):.3f} / {percentile(values, 95):.3f}" if values else "–")
            lines.append(f"| `{address}` | " + " | ".join(cells) + " |")
    if memory:
        lines += [
            "",
            f"Memory (RSS of the server's processes, MB). Idle sessions: {next(iter(memory.values())).idle}, each "
            f"showing `/`; closed sessions are let go after `server.disconnectedSessionTTL` ({args.ttl} s here); "
            "a cycle: as many sessions opened, each showing /, /explorer and /indicator, then closed.",
            "",
            "| | " + " | ".join(memory) + " |",
            "| --- |" + " ---: |" * len(memory),
            "| after the warm-up | " + " | ".join(_mb(m.before) for m in memory.values()) + " |",
            "| with the idle sessions open | " + " | ".join(_mb(m.with_idle) for m in memory.values()) + " |",
            "| **per idle session** | " + " | ".join(f"**{_mb(m.per_session)}**" for m in memory.values()) + " |",
            "| all closed and let go | " + " | ".join(_mb(m.after_close) for m in memory.values()) + " |",
        ]
        for i in range(max(len(m.cycles) for m in memory.values())):
            lines.append(
                f"| after cycle {i + 1} | "
                + " | ".join(_mb(m.cycles[i]) if i < len(m.cycles) else "–" for m in memory.values())
                + " |"
            )
    failures = [(b, f) for b in bursts for f in b.failures]
    if failures:
        lines += ["", "Failures (first 20):", ""]
        lines += [
            f"- {b.target}, {b.sessions} sessions, session {f.session} `{f.address}`: {f.problem}"
            for b, f in failures[:20]
        ]
    if profile:
        lines += ["", profile]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- profile


@contextlib.contextmanager
def profiling(pids: list[int], out: Path | None) -> Iterator[None]:
    """py-spy on `pids` while the block runs: every busy thread sampled (one waiting for the GIL counts as busy)."""
    if out is None:
        yield
        return
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("no py-spy: pip install -r requirements.txt")
    procs = [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--gil",
                "--rate",
                "100",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                f"{out}.{pid}.txt",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for pid in pids
    ]
    time.sleep(1.0)  # attached before the load starts
    try:
        yield
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for proc in procs:
            proc.wait(timeout=60)
        with open(out, "w", encoding="utf-8") as merged:
            for pid in pids:
                part = Path(f"{out}.{pid}.txt")
                if part.exists():
                    merged.write(part.read_text(encoding="utf-8"))
                    part.unlink()


_OURS = ("dashboard/", "app_pages/", "rules/", "db/", "auth/", "app.py")


def profile_summary(raw: Path, top: int = 25) -> str:
    """The functions of our code that used the most of the server's CPU (inclusive), from py-spy's raw stacks."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        total += int(count)
        seen = set()
        for frame in stack.split(";"):
            name = frame.rsplit(":", 1)[0] + ")" if frame.endswith(")") else frame
            if name not in seen and (any(p in name for p in _OURS) or "streamlit/" in name or "altair/" in name):
                seen.add(name)
                inclusive[name] = inclusive.get(name, 0) + int(count)
    if not total:
        return "Profile: no samples."
    rows = sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]
    lines = [
        f"Profile of the app server under the load (py-spy, {total} samples of its busy threads at 100 Hz: raw stacks in "
        f"`{raw}`; share of the server's CPU, inclusive):",
        "",
        "| share | function |",
        "| ---: | --- |",
    ]
    lines += [f"| {100 * n / total:.1f} % | `{name}` |" for name, n in rows]
    return "\n".join(lines)


async def bench(args, found: dict[str, Target]) -> tuple[list[Burst], dict[str, Memory]]:
    for target in found.values():  # warm-up: imports, caches; behind the proxy one session per process at once
        sessions = [await Session.open(target.base) for _ in range(max(1, args.processes))]
        for address in ADDRESSES:
            await asyncio.gather(*(session.run(target.address(address)) for session in sessions))
        for session in sessions:
            await session.close()
    memory: dict[str, Memory] = {}
    if args.idle:
        for name, target in found.items():
            print(f"memory: {name} ...", file=sys.stderr, flush=True)
            memory[name] = await measure_memory(target, args.idle, args.cycles, args.ttl)
    bursts = []
    with profiling(found["app"].pids(), args.profile):
        for n in args.sessions:
            for repeat in range(args.repeats):
                for name in found:
                    done = await burst(found[name], n, args.rounds, repeat)
                    bursts.append(done)
                    f = figures([done])
                    print(
                        f"{n:3d} sessions, repeat {repeat + 1}, {name:7}: {len(done.runs)} runs in {done.wall:.1f} s, "
                        f"median {_fmt(f and f.median, 3)} s, p95 {_fmt(f and f.p95, 3)} s, "
                        f"server CPU {done.server_cpu:.1f} s, failures {len(done.failures)}",
                        file=sys.stderr,
                        flush=True,
                    )
    return bursts, memory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_protocol", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 20, 50], help="sessions at once")
    parser.add_argument("--repeats", type=int, default=3, help="bursts per number of sessions (default 3)")
    parser.add_argument("--rounds", type=int, default=1, help="times each session walks the addresses (default 1)")
    parser.add_argument(
        "--processes", type=int, default=0, help="N processes behind HAProxy (default: one plain server)"
    )
    parser.add_argument("--idle", type=int, default=None, help="idle sessions for the memory figures (0: none)")
    parser.add_argument("--cycles", type=int, default=3, help="open/close rounds for the memory figures (default 3)")
    parser.add_argument(
        "--ttl", type=int, default=5, help="server.disconnectedSessionTTL for the servers (default 5 s)"
    )
    parser.add_argument("--db", type=Path, default=DEMO_DB, help="database (default: the demo, built when missing)")
    parser.add_argument(
        "--before", type=Path, help="another checkout (e.g. a worktree of main) whose app is measured in the same run"
    )
    parser.add_argument(
        "--profile", action="store_true", help="py-spy on the app's server during the load (protocol-profile.txt)"
    )
    parser.add_argument("--out", type=Path, default=OUT / "protocol.md")
    args = parser.parse_args(argv)
    args.idle = max(args.sessions) if args.idle is None else args.idle
    database = ensure_demo(args.db) if args.db == DEMO_DB else args.db
    load_start, started = os.getloadavg(), f"{datetime.now():%Y-%m-%d %H:%M}"
    raw_profile = args.out.with_name(args.out.stem + "-profile.txt")
    args.profile = raw_profile if args.profile else None
    with targets(database, args.processes, args.ttl, args.before) as found:
        bursts, memory = asyncio.run(bench(args, found))
    summary = profile_summary(raw_profile) if args.profile else ""
    text = report(args, bursts, memory, (load_start, os.getloadavg()), started, summary)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    raw = {
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "load": [load_start, os.getloadavg()],
        "bursts": [
            {**{k: v for k, v in asdict(b).items() if k != "runs"}, "runs": [[r.address, r.seconds] for r in b.runs]}
            for b in bursts
        ],
        "memory": {k: asdict(m) for k, m in memory.items()},
    }
    args.out.with_suffix(".json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
