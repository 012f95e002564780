"""A Streamlit browser session without a browser: the app's own websocket protocol, for load and memory tests.

A browser opening an address fetches the page (``GET /``: through a proxy, this is where a sticky-session cookie
is set), opens the websocket ``/_stcore/stream`` (subprotocol ``streamlit``) and sends a ``BackMsg`` whose
``rerun_script`` names the page (``page_name``: the first segment of the path, ``""`` for ``/``) and the query
string; the server answers with ``ForwardMsg``s (the new session, the page's elements, ...) and ends the run with
``script_finished``. ``Session.run`` does the same and times it, so what is measured is the server alone: its
queueing, its Python run and the messages it sends, none of a browser's own work.

Like the browser, a session remembers the hashes of the large (cacheable) messages it has received and names them
in its next ``rerun_script``, so the server may send a reference instead of the same message again.

    async with Session.connect("http://127.0.0.1:8501") as session:
        run = await session.run("/indicator?code=OC-10")
        run.seconds, run.exceptions, run.texts
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

_DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
MAX_MESSAGE = 256 * 2**20  # a page's table can be a large message; the browser takes them whole too


@dataclass
class Run:
    """One script run as the client saw it."""

    address: str
    seconds: float  # from sending rerun_script to receiving script_finished
    status: str  # "ok", "compile error", "page not found"
    elements: int = 0  # new elements received
    bytes: int = 0  # message bytes received
    exceptions: list[str] = field(default_factory=list)  # st.exception boxes (a traceback, or an error of the app)
    errors: list[str] = field(default_factory=list)  # st.error boxes
    texts: list[str] = field(default_factory=list)  # every markdown, text, alert and HTML body, in order


def split(address: str) -> tuple[str, str]:
    """(page_name, query_string) of an address as the frontend sends them: '/indicator?code=X' -> ('indicator', 'code=X')."""
    parts = urlsplit(address)
    return parts.path.strip("/"), parts.query


class Session:
    """One browser tab's session on a Streamlit server (or on a proxy in front of several)."""

    def __init__(self, base: str, socket, cookies: dict[str, str]) -> None:
        self.base = base
        self.socket = socket
        self.cookies = cookies  # what the page's GET set (a proxy's sticky cookie), sent with the websocket
        self.session_id = ""
        self._cached: set[str] = set()

    @classmethod
    async def open(
        cls, base: str, timeout: float = 60.0, fetch_page: bool = True, cookies: Mapping[str, str] | None = None
    ) -> Session:
        """Open a session as a browser does: GET the page (cookies: a proxy's sticky one), then the websocket.

        ``cookies``: what the browser already holds (a tab reconnecting with its sticky cookie).
        """
        jar = dict(cookies or {})
        if fetch_page:
            jar |= await asyncio.wait_for(asyncio.to_thread(_get, base + "/", jar), timeout)
        url = "ws" + base.removeprefix("http") + "/_stcore/stream"
        socket = await websockets.connect(
            url,
            subprotocols=["streamlit"],
            additional_headers={"Cookie": _cookie_header(jar)} if jar else None,
            max_size=MAX_MESSAGE,
            open_timeout=timeout,
            ping_interval=None,  # the server pings; the library answers while we read
            compression=None,
        )
        return cls(base, socket, jar)

    @classmethod
    def connect(cls, base: str, timeout: float = 60.0, fetch_page: bool = True) -> _Opened:
        """``async with Session.connect(base) as session``: closed at the end of the block."""
        return _Opened(base, timeout, fetch_page)

    def cookie(self, name: str) -> str | None:
        """A cookie the server (or the proxy) set on the page's GET, or that the session was opened with."""
        return self.cookies.get(name)

    async def run(self, address: str, timeout: float = 120.0) -> Run:
        """Ask for `address` (path and query string) and wait until its script has finished."""
        page, query = split(address)
        msg = BackMsg()
        state = msg.rerun_script
        state.page_name = page
        state.query_string = query
        state.cached_message_hashes.extend(sorted(self._cached))
        info = state.context_info
        info.timezone, info.locale, info.url = "Asia/Ho_Chi_Minh", "vi-VN", self.base + address
        started = time.monotonic()
        await self.socket.send(msg.SerializeToString())
        run = Run(address, 0.0, "")
        deadline = started + timeout
        while True:
            data = await asyncio.wait_for(self.socket.recv(), max(deadline - time.monotonic(), 0.001))
            run.bytes += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if fwd.metadata.cacheable and fwd.hash:
                self._cached.add(fwd.hash)
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                run.elements += 1
                _read_element(fwd.delta.new_element, run)
            elif kind == "page_not_found":
                run.status = "page not found"
            elif kind == "script_finished" and fwd.script_finished in _DONE:
                run.seconds = time.monotonic() - started
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.status = "compile error"
                run.status = run.status or "ok"
                return run

    async def close(self) -> None:
        """Close the tab: the websocket goes, the server keeps the session for a reconnect, then drops it."""
        await self.socket.close()


class _Opened:
    def __init__(self, base: str, timeout: float, fetch_page: bool) -> None:
        self.args = (base, timeout, fetch_page)
        self.session: Session | None = None

    async def __aenter__(self) -> Session:
        self.session = await Session.open(*self.args)
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        if self.session is not None:
            await self.session.close()


def _cookie_header(cookies: Mapping[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _get(url: str, cookies: Mapping[str, str]) -> dict[str, str]:
    """GET `url` with `cookies`; returns the cookies its answer sets."""
    request = urllib.request.Request(url, headers={"Cookie": _cookie_header(cookies)} if cookies else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        found = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            found.load(header)
    return {name: morsel.value for name, morsel in found.items()}


def _read_element(element, run: Run) -> None:
    kind = element.WhichOneof("type")
    if kind == "exception":
        run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
    elif kind == "alert":
        run.texts.append(element.alert.body)
        if element.alert.format == element.alert.ERROR:
            run.errors.append(element.alert.body)
    elif kind == "markdown":
        run.texts.append(element.markdown.body)
    elif kind == "text":
        run.texts.append(element.text.body)
    elif kind == "html":
        run.texts.append(element.html.body)
    elif kind == "heading":
        run.texts.append(element.heading.body)
    elif kind == "metric":
        run.texts.append(f"{element.metric.label} {element.metric.body}")
