"""/submit in a real browser: log in as a department, upload a file that revises a published value, read the
preview, give the reason, confirm; screenshots of each step at the four screen sizes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import db
import settings
from tools import browser

pytestmark = pytest.mark.browser
if not Path(browser.CHROMIUM).exists():
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason=f"no Chromium at {browser.CHROMIUM}")]

SHOTS = settings.ROOT / "benchmarks" / "out" / "screens"
SIZES = [(1920, 1080), (1366, 768), (1280, 720), (1024, 768)]
FILE = "STC_sua_thang_10.csv"
CONTENT = "Mã chỉ số;Kỳ báo cáo;Mã địa bàn;Giá trị;Ghi chú\nIN-01;2026-11;;5.123,4;ước tính\nIN-01;2026-10;;7.900,2;\n"


def _shots(page, step: str, anchor: str | None = None) -> None:
    """The page at each size, scrolled so that ``anchor`` (a selector) is in view."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        browser.wait_idle(page)
        if anchor is not None:
            page.locator(anchor).first.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"submit_{step}_{width}x{height}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    browser.wait_idle(page)


def _value(path: Path, period: str) -> float | None:
    found = db.query(
        "SELECT value FROM observations WHERE indicator_code = 'IN-01' AND period = $p AND locality_code = ''",
        {"p": period},
        path,
    )
    return found["value"][0] if found.height else None


def test_upload_preview_reason_and_confirm_in_a_browser(demo_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    upload = tmp_path / FILE
    upload.write_text(CONTENT, encoding="utf-8")
    env = {"INDICATORS_DB": str(path), "INDICATORS_TODAY": "2026-11-26", "INDICATORS_REQUIRE_LOGIN": "true"}
    with browser.serve("app.py", env) as base, browser.chromium() as chromium:
        context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        page = context.new_page()
        page.goto(base + "/submit")
        browser.wait_idle(page)
        page.locator('input[type="text"]').first.fill("stc")
        page.locator('input[type="password"]').fill("demo-bacninh-2026")
        page.locator('input[type="password"]').press("Enter")
        page.wait_for_selector(".st-key-submit_send", timeout=60_000)
        browser.wait_idle(page)
        main = page.locator('[data-testid="stMain"]')
        assert "Kỳ cần nộp" in main.inner_text() and "Tải mẫu nhập liệu (Excel, 107 dòng)" in main.inner_text()
        _shots(page, "1_due")

        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        page.locator('[data-testid="stFileChip"]', has_text=FILE).wait_for(timeout=60_000)
        browser.wait_idle(page)
        page.locator(".st-key-submit_send button").click()
        page.wait_for_selector(".st-key-submit_confirm", timeout=60_000)
        browser.wait_idle(page)
        text = main.inner_text()
        assert f"Tệp {FILE} sẽ sửa 1 giá trị đã công bố. Chưa có gì được ghi." in text
        assert page.locator('[data-testid="stDataFrame"]').count() >= 3  # what is due, the revision, the new value
        button = page.locator(".st-key-submit_confirm button")
        assert button.inner_text() == "Xác nhận sửa 1 giá trị đã công bố và ghi 1 giá trị mới"
        assert (_value(path, "2026-10"), _value(path, "2026-11")) == (7874.4, None)  # nothing written yet
        _shots(page, "2_preview", '[data-testid="stAlertContentWarning"]')
        _shots(page, "3_confirm", ".st-key-submit_cancel")

        page.locator(".st-key-submit_reason textarea").fill("Số chính thức của Kho bạc")
        page.locator(".st-key-submit_reason textarea").press("Tab")  # the field's value reaches the server
        browser.wait_idle(page)
        button.click()
        page.wait_for_selector('[data-testid="stAlertContentSuccess"]', timeout=60_000)
        browser.wait_idle(page)
        assert f"Đã tiếp nhận tệp {FILE}: 2 dòng (1 mới, 1 sửa đổi)." in main.inner_text()
        assert browser.exceptions_on(page) == []
        assert (_value(path, "2026-10"), _value(path, "2026-11")) == (7900.2, 5123.4)
        reason = db.query(
            "SELECT reason FROM observation_history WHERE indicator_code = 'IN-01' AND period = '2026-10' "
            "AND reason IS NOT NULL",
            None,
            path,
        )
        assert reason["reason"].to_list() == ["Số chính thức của Kho bạc"]
        _shots(page, "4_done", '[data-testid="stAlertContentSuccess"]')
        context.close()
