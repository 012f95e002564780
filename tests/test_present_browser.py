"""`/present` in a real browser: a slide fits the screen without scrolling, and a slide change never shows parts of
two slides."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tools import browser

pytestmark = pytest.mark.browser
if not Path(browser.CHROMIUM).exists():
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason=f"no Chromium at {browser.CHROMIUM}")]

SCREENS = [(1280, 720), (1920, 1080), (1024, 768), (1366, 768)]


def _page(chromium, width: int, height: int):
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    return context, context.new_page()


# What must hold on screen, measured in the page: the numbers are the page's own pixels.
_MEASURE = """() => {
    const box = e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,
        right: r.right, width: r.width, height: r.height}; };
    const main = document.querySelector('[data-testid="stMain"]');
    const slide = document.querySelector('.pr-slide');
    const chart = [...document.querySelectorAll('.pr-chart svg')].find(s => s.getClientRects().length);
    const cut = [...document.querySelectorAll(
        '.pr-panel, .pr-period, .pr-value, .pr-unit, .pr-pill, .pr-facts > div, .pr-title, .pr-sub, .pr-count, .pr-summary')]
        // a hidden line would be a whole line taller; diacritics may reach a few pixels past the line box
        .filter(e => e.scrollWidth > e.clientWidth + 1
                     || e.scrollHeight > e.clientHeight + parseFloat(getComputedStyle(e).lineHeight) / 2)
        .map(e => e.className + ': ' + e.textContent);
    const button = k => { const b = document.querySelector('.st-key-' + k + ' button'); return b ? box(b) : null; };
    const px = s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize);
    return {
        viewport: [innerWidth, innerHeight],
        main: [main.scrollHeight, main.clientHeight, main.scrollWidth, main.clientWidth],
        page: [document.documentElement.scrollHeight, document.documentElement.scrollWidth],
        slide: box(slide), slide_overflow: slide.scrollHeight - slide.clientHeight,
        summary: box(document.querySelector('.pr-summary')),
        chart: chart ? box(chart) : null, prev: button('present_prev'), next: button('present_next'),
        cut, title: document.querySelector('.pr-title').textContent,
        type: {top: px('.pr-top'), title: px('.pr-title'), facts: px('.pr-facts'), summary: px('.pr-summary')},
    };
}"""


def _inside(box: dict, width: int, height: int) -> bool:
    return box["top"] >= -1 and box["left"] >= -1 and box["bottom"] <= height + 1 and box["right"] <= width + 1


def _check_fits(m: dict, where: str) -> None:
    width, height = m["viewport"]
    scroll_h, client_h, scroll_w, client_w = m["main"]
    assert scroll_h <= client_h + 1 and scroll_w <= client_w + 1, f"{where}: the main area scrolls {m['main']}"
    assert m["page"][0] <= height + 1 and m["page"][1] <= width + 1, f"{where}: the page scrolls {m['page']}"
    for name in ("slide", "summary", "chart", "prev", "next"):
        assert m[name] is not None and _inside(m[name], width, height), f"{where}: {name} off screen {m[name]}"
    assert m["slide_overflow"] <= 1, f"{where}: the slide's content is taller than the slide"
    assert m["chart"]["height"] >= 0.35 * height, f"{where}: the chart is small {m['chart']}"
    assert m["cut"] == [], f"{where}: text cut or wrapped out of its box: {m['cut']}"
    # legible from the back of the room: type in proportion to the screen (2 % of its height is 14 px at 720)
    type_ = m["type"]
    assert type_["title"] >= 0.04 * height * min(1, width / height / (16 / 9)), f"{where}: {type_}"
    for name in ("top", "facts", "summary"):
        assert type_[name] >= 0.019 * height * min(1, width / height / (16 / 9)), f"{where}: {name} {type_}"


def _slide_number(page) -> int:
    return int(page.locator(".pr-slide").get_attribute("data-number"))


@pytest.mark.parametrize(("lang", "slides"), [("vi", None), ("en", None)])
def test_a_slide_fits_the_screen_without_scrolling(demo_app, chromium, lang, slides):
    """Every slide of the whole agenda in Vietnamese (the first dozen in English), each at every screen size."""
    context, page = _page(chromium, *SCREENS[0])
    try:
        page.goto(f"{demo_app}/present?by=all&lang={lang}")
        browser.wait_idle(page)
        total = int(page.locator(".pr-count").inner_text().replace("/", " ").split()[-1])
        last = slides or total
        for number in range(1, last + 1):
            assert _slide_number(page) == number
            for width, height in SCREENS:  # the layout is the browser's own: resizing needs no new run
                page.set_viewport_size({"width": width, "height": height})
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                _check_fits(page.evaluate(_MEASURE), f"{width}×{height} {lang} slide {number}")
            page.set_viewport_size(dict(zip(("width", "height"), SCREENS[0], strict=True)))
            if number < last:
                page.keyboard.press("ArrowRight")
                page.wait_for_selector(f'.pr-slide[data-number="{number + 1}"]', timeout=30_000)
                browser.wait_idle(page)
        assert last >= 12
    finally:
        context.close()


# What the page shows of slides: how many, their marks (title, chart and panel each carry the indicator's code),
# titles, big values and slide numbers.
_SHOWN = """() => JSON.stringify({
    slides: document.querySelectorAll('.pr-slide').length,
    marks: [...new Set([...document.querySelectorAll('[data-slide]')].map(e => e.getAttribute('data-slide')))],
    title: [...document.querySelectorAll('.pr-title')].map(e => e.textContent),
    value: [...document.querySelectorAll('.pr-value')].map(e => e.textContent),
    count: [...document.querySelectorAll('.pr-count')].map(e => e.textContent),
})"""
# Sampled at every animation frame and after every DOM change.
_SAMPLE = f"""() => {{
    window.__frames = [];
    const snap = () => window.__frames.push(({_SHOWN})());
    const frame = () => {{ snap(); requestAnimationFrame(frame); }};
    requestAnimationFrame(frame);
    new MutationObserver(snap).observe(document.body, {{subtree: true, childList: true, characterData: true}});
}}"""


def _canon(state: dict) -> str:
    return json.dumps(state, sort_keys=True, ensure_ascii=False)


def _state(page) -> str:
    return _canon(json.loads(page.evaluate(_SHOWN)))


def test_a_slide_change_never_shows_parts_of_two_slides(demo_app, chromium):
    """Arrow presses at every pace, forwards and back: each frame shows one whole slide (as it shows at rest), or
    none, never the title of one with the chart or figures of another. (The page before the slide was one
    element: 138 of 335 samples showed a new title over the previous slide's figures.)"""
    context, page = _page(chromium, 1280, 720)
    try:
        page.goto(f"{demo_app}/present?by=group&group=input")
        browser.wait_idle(page)
        whole = set()
        for number in range(1, 9):  # each slide at rest: what a whole slide looks like
            whole.add(_state(page))
            if number < 8:
                page.keyboard.press("ArrowRight")
                page.wait_for_selector(f'.pr-slide[data-number="{number + 1}"]', timeout=30_000)
                browser.wait_idle(page)
        for _ in range(7):
            page.keyboard.press("ArrowLeft")
            browser.wait_idle(page)
        assert _slide_number(page) == 1
        page.evaluate(_SAMPLE)
        for key, pause in [("ArrowRight", 1.2), ("ArrowRight", 0.6), ("ArrowRight", 0.3), ("ArrowRight", 0.15),
                           ("ArrowRight", 0.05), ("ArrowRight", 0.8), ("ArrowLeft", 0.1), ("ArrowLeft", 0.4),
                           ("ArrowRight", 0.2), ("ArrowRight", 1.0)]:  # fmt: skip
            page.keyboard.press(key)
            time.sleep(pause)
        browser.wait_idle(page)
        frames = [json.loads(f) for f in page.evaluate("() => window.__frames")]
        assert len(frames) > 100  # sampled all along
        mixed = []
        for frame in frames:
            if frame["slides"] == 0 and not frame["title"] and not frame["value"]:
                continue  # no slide at all: allowed (whole or not at all)
            if frame["slides"] != 1 or len(frame["marks"]) != 1 or _canon(frame) not in whole:
                mixed.append(frame)
        assert not mixed, f"{len(mixed)} of {len(frames)} samples mixed two slides, e.g. {mixed[:2]}"
        shown = {_canon(f) for f in frames} & whole
        assert len(shown) >= 4  # the presses did move through the slides
    finally:
        context.close()
