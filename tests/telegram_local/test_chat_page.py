"""The chat page in headless Chromium, against the server and a tiny ptb bot with inline buttons.

Debian's Chromium (`scripts/install_browser.sh`) drives the page; Playwright's own
browser download does not work here. Screenshots go to build/screenshots/.
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from telegram_local.spec import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"
TOKEN = "123456:TEST-TOKEN"

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: run scripts/install_browser.sh"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text with a greeting and an inline keyboard."""
    await update.effective_chat.send_action(ChatAction.TYPING)
    name = update.effective_user.first_name
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton("💰 포인트 조회", callback_data="menu:points"),
         InlineKeyboardButton("📝 정책제안", callback_data="menu:proposals")],
        [InlineKeyboardButton("온통중구 누리집", url="https://www.junggu.seoul.kr")],
    ])
    await update.effective_chat.send_message(
        f"안녕하세요, {name}님! 온통중구 봇이에요.\n무엇을 도와드릴까요? <b>/menu</b>로 언제든 메뉴를 볼 수 있어요.",
        parse_mode="HTML", reply_markup=markup)


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press, mark the choice in place and send the next reply."""
    query = update.callback_query
    await query.answer("확인했어요")
    await query.edit_message_reply_markup(None)
    label = "포인트" if query.data == "menu:points" else "정책제안"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("🎁 상품권 교환", callback_data="points:exchange"),
                                    InlineKeyboardButton("처음으로", callback_data="menu:home")]])
    await update.effective_chat.send_message(
        f"{label}: 사용 가능 0 P · 이번 분기 적립 0 P\n5,000 P부터 상품권으로 바꿀 수 있어요.", reply_markup=markup)


@pytest.fixture
async def page_bot(server_url: str, client) -> AsyncIterator[Application]:  # type: ignore[no-untyped-def]
    app = (ApplicationBuilder().token(TOKEN).base_url(f"{server_url}/bot")
           .base_file_url(f"{server_url}/file/bot").build())
    app.add_handler(MessageHandler(filters.TEXT, greet))
    app.add_handler(CallbackQueryHandler(on_press))
    async with app:
        await app.bot.set_my_commands([BotCommand("start", "시작하기"), BotCommand("menu", "메뉴 보기"),
                                       BotCommand("help", "도움말")])
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_resident_chats_presses_a_button_and_sees_the_next_reply(page_bot, server_url):
    _require_chromium()
    from playwright.async_api import async_playwright, expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800}, locale="ko-KR")
            await page.goto(server_url + "/")
            await expect(page.locator("#empty-state")).to_be_visible()

            await page.click("#new-user-button")
            await page.fill("#user-first-name", "김중구")
            await page.fill("#user-id", "710001")
            await page.click("#user-create")
            await expect(page.locator(".tab.active .tab-name")).to_have_text("김중구")

            await page.fill("#composer-input", "안녕하세요")
            await page.keyboard.press("Enter")
            await expect(page.locator(".message.outgoing .text").last).to_have_text("안녕하세요")
            reply = page.locator(".message.incoming", has_text="무엇을 도와드릴까요")
            await expect(reply).to_be_visible(timeout=15000)
            await expect(reply.locator(".inline-button")).to_have_count(3)
            await expect(reply.locator("a.inline-button.url")).to_have_attribute("href", "https://www.junggu.seoul.kr")

            await reply.locator(".inline-button", has_text="포인트 조회").click()
            await expect(page.locator(".message.incoming", has_text="사용 가능 0 P")).to_be_visible(timeout=15000)
            await expect(page.locator("#toast")).to_have_text("확인했어요")
            await expect(reply.locator(".inline-button")).to_have_count(0)  # edited in place
            await expect(reply.locator(".edited")).to_be_visible()

            await page.click("#command-button")
            await expect(page.locator("#command-menu .command-name")).to_have_text(["/start", "/menu", "/help"])
            await page.click("#command-button")
            await page.screenshot(path=str(SCREENSHOTS / "chat_page.png"))

            # The same chat at a phone's width: the chat fills the screen, the tab list is one tap back.
            await page.set_viewport_size({"width": 390, "height": 844})
            await expect(page.locator(".message.incoming", has_text="사용 가능 0 P")).to_be_visible()
            await expect(page.locator(".sidebar")).to_be_hidden()
            await page.screenshot(path=str(SCREENSHOTS / "chat_page_phone.png"))
        finally:
            await browser.close()
