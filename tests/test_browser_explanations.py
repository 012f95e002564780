"""In a real browser: a leader asks for an explanation, the owner department answers, and the answer shows on the
slide and in the report pack downloaded from the overview."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import settings
from auth import audit
from tools import browser

pytestmark = pytest.mark.browser
if not Path(browser.CHROMIUM).exists():
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason=f"no Chromium at {browser.CHROMIUM}")]

NOTE = "Đề nghị làm rõ vì sao vốn DDI quý III giảm so với quý II."
ANSWER = "Hai dự án lớn lùi sang quý IV; cả năm dự kiến đạt kế hoạch."
SHOTS = settings.ROOT / "benchmarks" / "out" / "screens"


def _log_in(chromium, base: str, username: str):
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/")
    browser.wait_idle(page)
    page.locator('input[type="text"]').first.fill(username)
    page.locator('input[type="password"]').fill("demo-bacninh-2026")
    page.locator('input[type="password"]').press("Enter")
    page.wait_for_selector(f'[data-testid="stSidebar"] >> text={username}', timeout=60_000)
    browser.wait_idle(page)
    return context, page


def test_a_request_goes_to_the_owner_and_back_to_the_slide_and_the_report(demo_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    env = {"INDICATORS_DB": str(path), "INDICATORS_TODAY": "2026-11-26", "INDICATORS_REQUIRE_LOGIN": "true"}
    SHOTS.mkdir(parents=True, exist_ok=True)
    with browser.serve("app.py", env) as base, browser.chromium() as chromium:
        leader, page = _log_in(chromium, base, "lanhdao")
        page.goto(base + "/indicator?code=IN-05")
        browser.wait_idle(page)
        page.locator('[data-testid="stExpander"] summary', has_text="Đề nghị giải trình").first.click()
        form = page.locator('[data-testid="stForm"]').first
        form.locator("textarea").fill(NOTE)
        form.locator("button", has_text="Gửi đề nghị").click()
        page.wait_for_selector("text=Đã gửi đề nghị giải trình tới Sở Tài chính", timeout=60_000)
        browser.wait_idle(page)
        assert browser.exceptions_on(page) == []
        page.screenshot(path=str(SHOTS / "explanation_asked.png"), full_page=True)

        owner, own = _log_in(chromium, base, "stc")
        own.goto(base + "/department?code=STC")
        browser.wait_idle(own)
        own.locator('[data-testid="stTab"]', has_text="Giải trình (1)").first.click()
        form = own.locator('[data-testid="stForm"]').first
        form.locator("textarea").fill(ANSWER)
        form.locator("button", has_text="Gửi trả lời").click()
        own.wait_for_selector("text=Đã gửi trả lời đề nghị giải trình", timeout=60_000)
        browser.wait_idle(own)
        assert browser.exceptions_on(own) == []
        own.screenshot(path=str(SHOTS / "explanation_answered.png"), full_page=True)
        owner.close()

        page.goto(base + "/present?by=codes&codes=IN-05")
        browser.wait_idle(page)
        slide = page.locator('[data-testid="stMain"]').inner_text()
        assert f"Giải trình (Quý III/2026): {ANSWER}" in " ".join(slide.split())
        page.screenshot(path=str(SHOTS / "explanation_slide.png"))

        page.goto(base + "/")
        browser.wait_idle(page)
        page.locator('[data-testid="stPopoverButton"]', has_text="Tải báo cáo").first.click()
        button = page.locator('[data-testid="stDownloadButton"] button', has_text="Báo cáo PDF")
        with page.expect_download(timeout=180_000) as info:
            button.click()
        report = tmp_path / "report.pdf"
        info.value.save_as(report)
        name = info.value.suggested_filename
        leader.close()
    text = subprocess.run(["pdftotext", str(report), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert NOTE in flat and ANSWER in flat
    exported = audit.read_audit(path, action="export", actor="lanhdao")  # through the download door, audited
    assert name in exported["target"].to_list() and name.endswith(".pdf")
    asked = audit.read_audit(path, action=["explanation_asked", "explanation_answered"])
    assert sorted(asked["actor"].to_list()) == ["lanhdao", "stc"]
