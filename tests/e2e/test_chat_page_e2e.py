"""A person on the chat page holds a Korean conversation with the real bot (headless Chromium)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.settings import PROJECT_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"


async def test_consent_greeting_menu_and_points_on_the_page(stack):
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: run scripts/install_browser.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.async_api import async_playwright, expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="ko-KR")
            await page.goto(stack.config.telegram_url + "/")
            await page.click("#new-user-button")
            await page.fill("#user-first-name", "한명동")
            await page.fill("#user-id", "790001")
            await page.click("#user-create")

            async def say(text: str) -> None:
                await page.fill("#composer-input", text)
                await page.keyboard.press("Enter")

            await say("/start")
            consent = page.locator(".message.incoming", has_text="개인정보 수집·이용 동의")
            await expect(consent).to_be_visible(timeout=30000)
            await consent.locator(".inline-button", has_text="동의합니다").click()
            await expect(page.locator(".message.incoming", has_text="가입이 완료")).to_be_visible(timeout=30000)
            # The one optional sign-up question: the 동 (15 buttons and 건너뛰기).
            dong = page.locator(".message.incoming", has_text="사시는 동을")
            await expect(dong.locator(".inline-button")).to_have_count(16, timeout=30000)

            await say("안녕하세요")
            menus = page.locator(".message.incoming", has_text="메뉴를 누르거나")
            await expect(menus).to_have_count(1, timeout=30000)  # after the greeting
            menu = menus.nth(0)
            await expect(menu.locator(".inline-button")).to_have_count(7)
            await menu.locator(".inline-button", has_text="포인트").click()
            await expect(page.locator(".message.incoming", has_text="사용 가능: 0 P")).to_be_visible(timeout=30000)
            await expect(menu).to_contain_text("👉 💰 포인트")  # the choice is marked in place
            await expect(menu.locator(".inline-button")).to_have_count(0)

            await say("포인트 어떻게 모아요?")
            await expect(page.locator(".message.incoming", has_text="이렇게 모아요")).to_be_visible(timeout=30000)
            await page.screenshot(path=str(SCREENSHOTS / "conversation.png"), full_page=True)
            await page.set_viewport_size({"width": 390, "height": 844})
            await page.screenshot(path=str(SCREENSHOTS / "conversation_phone.png"))
        finally:
            await browser.close()
