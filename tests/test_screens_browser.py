"""Every page at 1024×768 (a tablet), 1366×768 (a laptop) and 1920×1080 in a real browser: nothing cut.

Measured in the page: the page never scrolls sideways; no cell of the tables the browser lays out (the group,
department and overview tables), no status label, no metric's value and no button's words is wider than its
box; the tables fit their width. (st.dataframe draws on a canvas the page cannot measure: its columns are left
to size themselves to their content.) A screenshot of each page at each size goes to benchmarks/out/screens/
sizes/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import settings
from tools import browser

pytestmark = pytest.mark.browser
if not Path(browser.CHROMIUM).exists():
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason=f"no Chromium at {browser.CHROMIUM}")]

SIZES = [(1024, 768), (1366, 768), (1920, 1080)]
PAGES = [
    "/",
    "/input",
    "/process",
    "/output",
    "/outcome",
    "/composite",
    "/department?code=SYT",
    "/department?code=TTPVHCC",
    "/indicator?code=IN-11",
    "/indicator?code=OC-10",
    "/explorer",
    "/quality",
    "/catalogue",
    "/submit",
    "/?lang=en",
    "/outcome?lang=en",
    "/department?code=STC&lang=en",
]
SHOTS = settings.ROOT / "benchmarks" / "out" / "screens" / "sizes"

_CUT = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const over = e => e.scrollWidth > e.clientWidth + 1;
    const name = e => (e.getAttribute('data-col') || e.className || e.tagName) + ': ' + e.textContent.trim().slice(0, 60);
    const visible = e => e.getClientRects().length > 0;
    const cells = [...document.querySelectorAll('table.gt td, table.ov-dept td')].filter(visible).filter(over).map(name);
    const tables = [...document.querySelectorAll('.gt-wrap, table.ov-dept')].filter(visible)
        .filter(e => e.scrollWidth > (e.classList.contains('gt-wrap') ? e.clientWidth : e.parentElement.clientWidth) + 1)
        .map(e => e.className);
    const labels = [...document.querySelectorAll('.gt-pill, .ov-pill')].filter(visible)
        .filter(e => { const c = e.parentElement.getBoundingClientRect(), r = e.getBoundingClientRect();
                       return r.right > c.right + 1 || r.left < c.left - 1 || over(e); }).map(name);
    // Streamlit cuts a metric's value and a button's words with an ellipsis on this element
    const metrics = [...document.querySelectorAll('[data-testid="stMetricValue"] .stMarkdownEllipsis')]
        .filter(visible).filter(over).map(name);
    const buttons = [...document.querySelectorAll('[data-testid="stMain"] button .stMarkdownEllipsis')]
        .filter(visible).filter(over).map(name);
    return {sideways: main.scrollWidth - main.clientWidth, cells, tables, labels, metrics, buttons,
            tall: main.scrollHeight};
}"""


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_page_cuts_a_number_or_a_status(demo_app, chromium, width, height):
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    problems = {}
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for address in PAGES:
            page.goto(demo_app + address)
            browser.wait_idle(page)
            assert browser.exceptions_on(page) == [], address
            found = page.evaluate(_CUT)
            bad = {k: v for k, v in found.items() if k not in ("sideways", "tall") and v}
            if found["sideways"] > 1:
                bad["sideways"] = found["sideways"]
            if bad:
                problems[address] = bad
            # the whole page in one picture: stretch the window to the page's height
            page.set_viewport_size({"width": width, "height": min(max(height, found["tall"]), 8000)})
            page.wait_for_timeout(300)
            name = address.strip("/").replace("?", "_").replace("=", "-").replace("&", "_") or "overview"
            page.screenshot(path=str(SHOTS / f"{name}_{width}x{height}.png"))
            page.set_viewport_size({"width": width, "height": height})
    finally:
        context.close()
    assert not problems, problems


ENGLISH = [
    "/?lang=en",
    "/input?lang=en",
    "/department?code=SYT&lang=en",
    "/indicator?code=OC-10&lang=en",
    "/quality?lang=en",
    "/catalogue?lang=en",
    "/present?lang=en",
]
_LINKS = """() => [...document.querySelectorAll('a[href]')]
    .filter(a => a.origin === location.origin && a.getClientRects().length)
    .map(a => a.getAttribute('href'))"""


def test_every_link_keeps_the_language(demo_app, chromium):
    """On the English pages every link to a page of the dashboard (sidebar, cards, tables, warnings, the slide's
    way out) carries ?lang=en, so one click never returns the reader to Vietnamese."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    dropped = {}
    try:
        checked = 0
        for address in ENGLISH:
            page.goto(demo_app + address)
            browser.wait_idle(page)
            links = [h for h in page.evaluate(_LINKS) if not h.startswith("#") and "/demo_app/static/" not in h]
            checked += len(links)
            if lost := [h for h in links if "lang=en" not in h]:
                dropped[address] = lost[:5]
        assert checked > 50
    finally:
        context.close()
    assert not dropped, dropped
