"""A real browser (Debian's headless Chromium) on every address of CONTRACT §5."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import settings
from auth import accounts, audit
from tools import browser

pytestmark = pytest.mark.browser
if not Path(browser.CHROMIUM).exists():
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason=f"no Chromium at {browser.CHROMIUM}")]

ADDRESSES = [
    "/",
    "/input",
    "/process",
    "/output",
    "/outcome",
    "/composite",
    "/department?code=SYT",
    "/indicator?code=OC-10",
    "/explorer",
    "/submit",
    "/quality",
    "/catalogue",
    "/present",
    "/audit",
    "/accounts",
    "/?lang=en",
    "/indicator?code=CP-09&lang=en",
]
SHOTS = settings.ROOT / "benchmarks" / "out" / "screens"


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True, locale="vi-VN")
    yield context.new_page()
    context.close()


def _open(page, url):
    page.goto(url)
    browser.wait_idle(page)
    assert browser.exceptions_on(page) == [], url
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Traceback" not in text and "Conflicting lock" not in text, url
    return text


@pytest.mark.parametrize("address", ADDRESSES)
def test_every_address_opens_without_an_exception(demo_app, page, address):
    text = _open(page, demo_app + address)
    assert len(text.strip()) > 40, f"{address} shows almost nothing"
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = address.strip("/").replace("?", "_").replace("=", "-").replace("&", "_") or "overview"
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_sidebar_keeps_the_language(demo_app, page):
    _open(page, demo_app + "/?lang=en")
    page.locator('[data-testid="stSidebar"] a', has_text="Data explorer").first.click()
    # The explorer then writes its filters into the address (``&from=...``): wait for
    # the page and the language, whatever follows them.
    page.wait_for_url(lambda url: "/explorer?" in url and "lang=en" in url)
    browser.wait_idle(page)
    assert "Data explorer" in page.locator('[data-testid="stMain"]').inner_text()


def test_drill_down_from_the_overview_to_a_warning_its_indicator_and_its_department(demo_app, page):
    _open(page, demo_app + "/")
    warning = page.locator('[data-testid="stMain"] a[href*="indicator?code="]').first
    warning.click()
    page.wait_for_url("**/indicator?code=*")
    browser.wait_idle(page)
    assert browser.exceptions_on(page) == []
    owner = page.locator('[data-testid="stMain"] a[href*="department?code="]').first
    owner.click()
    page.wait_for_url("**/department?code=*")
    browser.wait_idle(page)
    assert browser.exceptions_on(page) == []


def test_a_chart_downloads_as_a_real_png(demo_app, page, tmp_path):
    _open(page, demo_app + "/indicator?code=OC-10")
    button = page.locator('[data-testid="stDownloadButton"] button', has_text="PNG").first
    with page.expect_download(timeout=60_000) as info:
        button.click()
    target = tmp_path / "chart.png"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width >= 2000  # print resolution


def test_login_is_required_by_default_and_a_demo_account_gets_in(demo_db, chromium, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    env = {"INDICATORS_DB": str(path), "INDICATORS_TODAY": "2026-11-26", "INDICATORS_REQUIRE_LOGIN": "true"}
    with browser.serve("app.py", env) as base:
        context = chromium.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(base + "/")
        browser.wait_idle(page)
        assert page.locator('input[type="password"]').count() == 1
        page.locator('input[type="text"]').first.fill("phantich")
        page.locator('input[type="password"]').fill("demo-bacninh-2026")
        page.locator('input[type="password"]').press("Enter")
        page.wait_for_selector('[data-testid="stSidebar"] >> text=phantich', timeout=60_000)
        browser.wait_idle(page)
        assert browser.exceptions_on(page) == []
        assert page.locator('input[type="password"]').count() == 0
        context.close()


def _log_in(page, base: str, username: str) -> None:
    page.goto(base + "/")
    browser.wait_idle(page)
    page.locator('input[type="text"]').first.fill(username)
    page.locator('input[type="password"]').fill("demo-bacninh-2026")
    page.locator('input[type="password"]').press("Enter")
    page.wait_for_selector(f'[data-testid="stSidebar"] >> text={username}', timeout=60_000)
    browser.wait_idle(page)


def test_the_grid_has_no_download_of_its_own_and_ours_is_audited(demo_db, chromium, tmp_path):
    """The grid's toolbar offers no "Download as CSV" to anyone; a leader downloads through our button, audited."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    env = {"INDICATORS_DB": str(path), "INDICATORS_TODAY": "2026-11-26", "INDICATORS_REQUIRE_LOGIN": "true"}
    with browser.serve("app.py", env) as base:
        for username in ("phantich", "lanhdao"):
            context = chromium.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
            page = context.new_page()
            _log_in(page, base, username)
            page.goto(base + "/quality")  # a new page load: the login session's cookie keeps the user
            browser.wait_idle(page)
            assert page.locator(f'[data-testid="stSidebar"] >> text={username}').count() >= 1
            grid = page.locator('[data-testid="stDataFrame"]').first
            grid.hover()
            page.wait_for_timeout(500)
            assert page.locator('button[aria-label="Download as CSV"]').count() == 0, username
            button = page.locator('[data-testid="stDownloadButton"] button', has_text="CSV").first
            with page.expect_download(timeout=60_000) as info:
                button.click()
            saved = tmp_path / f"{username}.csv"
            info.value.save_as(saved)
            assert saved.read_bytes().startswith(b"\xef\xbb\xbf")  # our CSV (UTF-8 with BOM), not the grid's
            assert browser.exceptions_on(page) == []
            context.close()
            recorded = audit.read_audit(path, action="export", actor=username)
            assert recorded.height == 1 and recorded["target"][0] == info.value.suggested_filename, username


def test_a_link_opened_while_logged_out_survives_the_login(demo_db, chromium, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    env = {"INDICATORS_DB": str(path), "INDICATORS_TODAY": "2026-11-26", "INDICATORS_REQUIRE_LOGIN": "true"}
    with browser.serve("app.py", env) as base:
        context = chromium.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(base + "/indicator?code=OC-10&lang=en")
        browser.wait_idle(page)
        assert page.locator('input[type="password"]').count() == 1
        page.locator('input[type="text"]').first.fill("syt")
        page.locator('input[type="password"]').fill("demo-bacninh-2026")
        page.locator('input[type="password"]').press("Enter")
        page.wait_for_selector('[data-testid="stSidebar"] >> text=syt', timeout=60_000)
        browser.wait_idle(page)
        assert page.url.endswith("/indicator?code=OC-10&lang=en")
        assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "Poverty rate (households)"
        page.goto(base + "/audit")  # a page this role may not open says so
        browser.wait_idle(page)
        assert page.url.endswith("/audit")
        assert "không có quyền" in page.locator('[data-testid="stAlertContentError"]').first.inner_text()
        context.close()


def test_an_administrator_adds_an_account_on_the_accounts_page(demo_db, chromium, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    env = {"INDICATORS_DB": str(path), "INDICATORS_TODAY": "2026-11-26", "INDICATORS_REQUIRE_LOGIN": "true"}
    with browser.serve("app.py", env) as base:
        context = chromium.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        _log_in(page, base, "quantri")
        page.goto(base + "/accounts")
        browser.wait_idle(page)
        form = page.locator('[data-testid="stForm"]').first
        form.locator("input").nth(0).fill("tranthib")
        form.locator("input").nth(1).fill("Trần Thị B")
        passwords = form.locator('input[type="password"]')
        passwords.nth(0).fill("mật-khẩu-đủ-dài-2026")
        passwords.nth(1).fill("mật-khẩu-đủ-dài-2026")
        form.locator("button", has_text="Tạo tài khoản").click()
        page.wait_for_selector("text=Đã tạo tài khoản 'tranthib'", timeout=60_000)
        browser.wait_idle(page)
        assert browser.exceptions_on(page) == []
        context.close()
    created = accounts.get_account(path, "tranthib")
    assert (created.role, created.display_name) == ("leader", "Trần Thị B")
    assert audit.read_audit(path, action="account_added", actor="quantri").height == 1
