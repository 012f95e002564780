"""Several dashboard processes behind HAProxy with sticky sessions: one command for a working session's load.

    python -m tools.serve --processes 2 [--port 8501] [--address 0.0.0.0] [--script app.py]

One Streamlit process runs its pages' Python on one core, so a machine with N cores serves a room of tablets
with N processes. This starts them on loopback ports (``--backend-port`` and up: nothing outside the machine
reaches them, so the address the proxy forwards can be trusted) and HAProxy (Debian's ``haproxy``) on
``--address:--port`` in front of them:

* **sticky sessions**: HAProxy sets a cookie naming the process on the page's first response; the browser sends
  it with the websocket (``/_stcore/stream``) and the uploads (``/_stcore/upload_file/...``), so both reach the
  process that holds the session (a Streamlit session lives in one process's memory);
* **new sessions to the least busy process** (``balance leastconn``: a session is one long websocket);
* **a dead process costs only its own sessions**: HAProxy checks ``/_stcore/health`` every second and sends new
  sessions, and tabs whose cookie names the dead process, to a live one (``option redispatch``); this command
  starts a process that died again;
* the processes share one signed-cookie secret (``server.cookieSecret``), so a tab moved to another process
  keeps its login, and every process gets ``INDICATORS_TRUSTED_PROXY=true`` (throttling counts per client).

Every process reads the same DuckDB file; writers from any of them queue on its lock file (db/connection.py).
With ``INDICATORS_DEMO=1`` and no database yet, the demo is built once before the processes start (each process
building it at once would race). Ctrl-C (or SIGTERM) stops everything. Tests and benchmarks use ``cluster()``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import settings

HAPROXY = os.environ.get("HAPROXY") or shutil.which("haproxy") or "/usr/sbin/haproxy"  # Debian puts it in sbin
STICKY_COOKIE = "INDICATORS_BACKEND"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now."""
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def healthy(base: str, timeout: float = 2.0) -> bool:
    """Whether Streamlit (or the proxy in front) answers its health check."""
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Server:
    """One ``streamlit run`` process."""

    name: str
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, chars: int = 2000) -> str:
        """The end of its log (for a failure message)."""
        with contextlib.suppress(OSError):
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        return ""


def start_streamlit(
    script: str | Path,
    port: int,
    env: dict[str, str] | None,
    log: Path,
    name: str = "s1",
    address: str = "127.0.0.1",
    root: Path = settings.ROOT,
) -> Server:
    """Start ``streamlit run script`` on ``address:port`` from the checkout ``root`` (returns at once)."""
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.headless", "true", "--server.address", address,
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with open(log, "ab") as handle:  # a file, not a pipe: a server that logs a lot would block on a full pipe
        proc = subprocess.Popen(
            cmd, cwd=root, env={**os.environ, **(env or {})}, stdout=handle, stderr=subprocess.STDOUT
        )
    return Server(name, port, proc, log)


def wait_healthy(server: Server, timeout: float = 90.0) -> None:
    """Wait until the server answers its health check; RuntimeError with its log if it died or never did."""
    deadline = time.monotonic() + timeout
    # Healthy, and ours: on a shared machine another server may answer on a port that was free a moment ago.
    while not (healthy(server.base) and f"started on 127.0.0.1:{server.port}" in server.tail(20000)):
        if not server.alive() or time.monotonic() > deadline:
            raise RuntimeError(f"streamlit {server.name} did not start:\n{server.tail()}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after `timeout`."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def streamlit(
    script: str | Path = "app.py",
    env: dict[str, str] | None = None,
    port: int | None = None,
    root: Path = settings.ROOT,
) -> Iterator[Server]:
    """One Streamlit server on a free loopback port until the block ends (its pid for CPU and memory figures).

    ``root``: the checkout to serve (another worktree: the code before a change, measured in the same run).
    """
    with tempfile.TemporaryDirectory(prefix="streamlit_") as folder:
        server = start_streamlit(script, port or free_port(), env, Path(folder) / "streamlit.log", root=root)
        try:
            wait_healthy(server)
            yield server
        finally:
            stop(server.proc)


def haproxy_config(address: str, port: int, backends: list[tuple[str, int]]) -> str:
    """HAProxy's configuration: the dashboard on address:port, sticky by cookie, over the loopback backends."""
    servers = "\n".join(
        f"    server {name} 127.0.0.1:{bport} cookie {name} check inter 1s fall 2 rise 2" for name, bport in backends
    )
    return f"""# Written by tools/serve.py: the dashboard's processes behind one address.
global
    maxconn 4096

defaults
    mode http
    option forwardfor                 # X-Forwarded-For: the client, for login throttling (INDICATORS_TRUSTED_PROXY)
    option redispatch                 # a session whose process died goes to a live one
    retries 3
    timeout connect 5s
    timeout client 60s
    timeout server 300s
    timeout http-request 30s
    timeout tunnel 12h                # a websocket stays open all day (Streamlit pings it)

frontend dashboard
    bind {address}:{port}
    default_backend streamlit

backend streamlit
    balance leastconn                 # a session is one long websocket: count them, not requests
    cookie {STICKY_COOKIE} insert indirect nocache httponly attr "SameSite=Lax"
    option httpchk GET /_stcore/health
    http-check expect status 200
{servers}
"""


@dataclass
class Cluster:
    """N Streamlit processes and HAProxy in front of them."""

    script: Path
    env: dict[str, str]
    address: str
    port: int
    folder: Path
    root: Path = settings.ROOT
    servers: list[Server] = field(default_factory=list)
    proxy: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "") else self.address
        return f"http://{host}:{self.port}"

    def server(self, name: str) -> Server:
        return next(s for s in self.servers if s.name == name)

    def pids(self) -> list[int]:
        return [s.pid for s in self.servers if s.alive()]

    def kill(self, name: str) -> None:
        """SIGKILL one process (a crash), and wait for it to be gone."""
        server = self.server(name)
        server.proc.kill()
        server.proc.wait()

    def revive(self, wait: bool = True) -> list[str]:
        """Start again every process that has died; returns their names."""
        revived = []
        for i, server in enumerate(self.servers):
            if not server.alive():
                self.servers[i] = start_streamlit(
                    self.script, server.port, self.env, server.log, server.name, root=self.root
                )
                revived.append(server.name)
        if wait:
            for name in revived:
                wait_healthy(self.server(name))
        return revived

    def proxy_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "haproxy.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        return ""


def ensure_demo_once(env: dict[str, str]) -> None:
    """With INDICATORS_DEMO asked for and no database yet, build the demo once, before any process starts."""
    merged = {**os.environ, **env}
    path = settings.db_path(merged.get("INDICATORS_DB") or None)
    wanted = merged.get(settings.DEMO_ENV, "").strip().lower() in {"1", "true", "yes", "on", "demo"}
    if wanted and not path.exists():
        print(f"building the demo database {path} (about 30 s) ...", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, "-m", "loaders", "--db", str(path), "init", "--demo"],
            cwd=settings.ROOT,
            env=merged,
            check=True,
        )


@contextlib.contextmanager
def cluster(
    processes: int = 2,
    script: str | Path = "app.py",
    env: dict[str, str] | None = None,
    port: int | None = None,
    address: str = "127.0.0.1",
    backend_ports: list[int] | None = None,
    root: Path = settings.ROOT,
) -> Iterator[Cluster]:
    """N Streamlit processes and HAProxy until the block ends; yields the Cluster (its ``base`` is the proxy)."""
    if not Path(HAPROXY).exists():
        raise RuntimeError(f"no {HAPROXY} on this machine: apt-get install haproxy")
    env = {
        "INDICATORS_TRUSTED_PROXY": "true",
        "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32),
        **(env or {}),
    }
    ensure_demo_once(env)
    ports = backend_ports or [free_port() for _ in range(processes)]
    with tempfile.TemporaryDirectory(prefix="serve_") as folder:
        here = Cluster(Path(script), env, address, port or free_port(), Path(folder), root)
        try:
            for i, bport in enumerate(ports, start=1):
                log = here.folder / f"s{i}.log"
                here.servers.append(start_streamlit(here.script, bport, env, log, f"s{i}", root=root))
            for server in here.servers:
                wait_healthy(server)
            config = here.folder / "haproxy.cfg"
            config.write_text(haproxy_config(address, here.port, [(s.name, s.port) for s in here.servers]))
            check = subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
            if check.returncode != 0:
                raise RuntimeError(f"haproxy refused its configuration:\n{check.stdout}{check.stderr}")
            with open(here.folder / "haproxy.log", "ab") as log:
                here.proxy = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 30
            while not healthy(here.base):
                if here.proxy.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"haproxy did not start:\n{here.proxy_tail()}")
                time.sleep(0.1)
            yield here
        finally:
            if here.proxy is not None:
                stop(here.proxy)
            for server in here.servers:
                stop(server.proc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 2, help="Streamlit processes (default: cores)"
    )
    parser.add_argument("--port", type=int, default=8501, help="the proxy's port (default 8501)")
    parser.add_argument("--address", default="0.0.0.0", help="the proxy's address (default: every interface)")
    parser.add_argument("--backend-port", type=int, default=8601, help="first loopback port of the processes")
    parser.add_argument("--script", type=Path, default=settings.ROOT / "app.py", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    ports = [args.backend_port + i for i in range(args.processes)]
    try:
        with cluster(args.processes, args.script, None, args.port, args.address, ports) as here:
            print(
                f"{args.processes} Streamlit processes (ports {ports[0]}-{ports[-1]}) behind HAProxy: "
                f"http://{args.address}:{args.port}  (Ctrl-C stops)",
                flush=True,
            )
            while True:  # a process that died is started again; HAProxy sends its tabs elsewhere meanwhile
                time.sleep(1)
                for name in here.revive(wait=False):
                    print(f"process {name} had stopped: started again", file=sys.stderr, flush=True)
                if here.proxy is not None and here.proxy.poll() is not None:
                    print(f"haproxy stopped:\n{here.proxy_tail()}", file=sys.stderr, flush=True)
                    return 1
    except KeyboardInterrupt:
        return 0
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
