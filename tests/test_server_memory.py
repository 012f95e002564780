"""Closed tabs free their memory: the files they uploaded are gone once the server forgets their sessions.

Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL`` seconds (2 here, 120 by default,
at most 128 of them) so that a tab whose network blinked gets it back, then drops it from its store; the
session's uploads are released when it is shut down (``AppSession.__del__`` does it once nothing refers to the
session: anything of ours that kept a session, or its files, alive would keep them for the life of the process,
up to 50 MB per department upload). Three tabs each upload 40 MB of random bytes through their session's upload
URL (as the page's file uploader does), are closed; once the TTL has passed and another tab has come and gone
(Streamlit reaps expired sessions when the next closed one is stored), the server's resident memory is back
within one upload of where it was.
"""

from __future__ import annotations

import asyncio
import os
import time
import urllib.request
import uuid

from tools import serve
from tools.protocol import Session

TABS = 3
UPLOAD_MB = 40
TTL = 2


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        return next(int(line.split()[1]) * 1024 for line in handle if line.startswith("VmRSS:"))


def upload(session: Session, data: bytes) -> None:
    """PUT one file to the session's upload URL, with the XSRF cookie and header, as the browser's uploader does."""
    cookies = dict(session.cookies)
    with urllib.request.urlopen(session.base + "/_stcore/health", timeout=30) as response:  # sets the XSRF cookie
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bao_cao.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{session.base}/_stcore/upload_file/{session.session_id}/{uuid.uuid4().hex}",
        data=body,
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-Xsrftoken": cookies.get("_streamlit_xsrf", ""),
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status in (200, 204), response.status


async def _scenario(server: serve.Server) -> tuple[int, int, int]:
    """RSS before the uploads, with them, and once their tabs are closed and their sessions forgotten."""
    sessions = [await Session.open(server.base) for _ in range(TABS)]
    for session in sessions:
        assert (await session.run("/submit")).status == "ok"
    await asyncio.sleep(1)
    before = rss(server.pid)
    for session in sessions:
        await asyncio.to_thread(upload, session, os.urandom(UPLOAD_MB * 2**20))
    await asyncio.sleep(1)
    uploaded = rss(server.pid)
    for session in sessions:
        await session.close()
    await asyncio.sleep(TTL + 1)
    other = await Session.open(server.base)  # another tab comes and goes: the expired sessions are reaped
    await other.run("/")
    await other.close()
    deadline = time.monotonic() + 15
    while True:
        await asyncio.sleep(1)
        after = rss(server.pid)
        if after < before + UPLOAD_MB * 2**20 or time.monotonic() > deadline:
            return before, uploaded, after


def test_closed_tabs_free_the_files_they_uploaded(catalogue_db):
    env = {
        "INDICATORS_DB": str(catalogue_db),
        "INDICATORS_REQUIRE_LOGIN": "false",
        "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(TTL),
    }
    with serve.streamlit("app.py", env) as server:
        before, uploaded, after = asyncio.run(_scenario(server))
    mb, sent = 2**20, TABS * UPLOAD_MB * 2**20
    assert uploaded - before > sent * 0.8, f"the uploads did not land: {before / mb:.0f} -> {uploaded / mb:.0f} MB"
    assert after < before + UPLOAD_MB * mb, (
        f"closed tabs' uploads still in memory: {before / mb:.0f} MB before them, {uploaded / mb:.0f} MB with them, "
        f"{after / mb:.0f} MB after the tabs were closed and their sessions forgotten"
    )
