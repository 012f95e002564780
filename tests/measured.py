"""``python -m loaders submit --json`` in its own process, measured: its exit code, output, peak resident memory and
time. The peak is the process's own high-water mark (VmHWM), written by the process as it exits: the resource
module's RUSAGE_CHILDREN is no use here (Linux starts a child's ru_maxrss from the parent's resident size at
fork, so it would measure the test process, not the loader)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import settings

_MEASURED = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    with open('/proc/self/status') as f:\n"
    "        sys.stderr.write(next(l for l in f if l.startswith('VmHWM')))\n"
    "atexit.register(peak)\n"
    "sys.argv = ['loaders', *sys.argv[1:]]\n"
    "runpy.run_module('loaders', run_name='__main__', alter_sys=True)\n"
)


class Run(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    peak: int | None  # bytes; None when the process died before writing it
    seconds: float


def submit(path: Path, database: Path, today: str, timeout: float) -> Run:
    """Submit ``path`` for the department FIN into ``database`` as the command line would, on ``today``."""
    env = {**os.environ, "INDICATORS_TODAY": today, "INDICATORS_LOCK_TIMEOUT": "120"}
    args = ["--db", str(database), "submit", str(path), "--department", "FIN", "--json"]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args], cwd=settings.ROOT, env=env, capture_output=True, timeout=timeout
    )
    seconds = time.monotonic() - started
    err = done.stderr.decode("utf-8", "replace")
    peak = re.search(r"VmHWM:\s*(\d+) kB", err)
    return Run(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        err,
        int(peak.group(1)) * 1024 if peak else None,
        seconds,
    )
