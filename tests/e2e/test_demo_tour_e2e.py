"""The demo district in the browser: a fresh demo database, the real stack, and the chat page's
guided tour followed click by click, for the resident and for staff. Saves the README's
screenshots into docs/screenshots/."""
from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from storage import demo
from storage.db import migrate
from storage.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
from stack import Stack, StackConfig, demo_flags  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = PROJECT_ROOT / "docs" / "screenshots"
WAIT = 45000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _small(path: Path) -> None:
    """256 colours are plenty for a chat screenshot and keep the repository small."""
    Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)


def _need(path: Path, what: str) -> None:
    if not path.exists():
        message = f"{path} is missing: {what}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, demo.DemoInfo]]:
    _need(MODEL, "run scripts/train.sh (the test command does)")
    _need(CHROMIUM, "run scripts/install_browser.sh")
    tmp = tmp_path_factory.mktemp("demo_e2e")
    db_url = f"sqlite:///{tmp / 'ontong.db'}"
    migrate(db_url)
    outcome, _ = demo.ensure(db_url, env={}, media_dir=tmp / "media")
    assert outcome == "created"
    config = StackConfig(
        telegram_port=_free_port(), rasa_port=_free_port(), actions_port=_free_port(),
        database_url=db_url, tracker_store_url=f"sqlite:///{tmp / 'tracker.db'}",
        log_dir=tmp / "log", media_dir=tmp / "media", local_telegram=True,
        extra_env={"OUTBOX_INTERVAL": "0.3"},
    )
    flags, info = demo_flags(config)
    assert flags and info is not None
    config.telegram_args += flags
    with Stack(config) as running:
        yield running, info
    for name in ("bot", "actions", "rasa"):
        log = config.log_dir / f"{name}.log"
        if log.exists():
            print(f"--- tail of {name}.log ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))


async def test_the_guided_tour_for_resident_and_staff(demo_stack) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright, expect

    stack, info = demo_stack
    SHOTS.mkdir(parents=True, exist_ok=True)
    poster = Image.open(info.poster_png)
    poster.thumbnail((600, 900))
    poster.save(SHOTS / "poster.png")
    _small(SHOTS / "poster.png")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 900}, locale="ko-KR")
            await page.goto(stack.config.telegram_url + "/")
            bot = page.locator("#messages .message.incoming")

            async def tour(label: str) -> None:
                await page.locator(".tour-item", has_text=label).first.click()

            async def seen(text: str) -> None:
                await expect(bot.filter(has_text=text).last).to_be_visible(timeout=WAIT)

            async def shot(name: str) -> None:
                await page.wait_for_timeout(400)
                path = SHOTS / f"{name}.png"
                await page.screenshot(path=str(path))
                _small(path)

            # The page opens as the demo resident, with the tour and the staff switch.
            await expect(page.locator("#whoami")).to_contain_text(info.resident_name)
            await expect(page.locator("#tour")).to_be_visible()
            await expect(page.locator("#staff-switch")).to_be_visible()

            await page.fill("#composer-input", "메뉴")
            await page.keyboard.press("Enter")
            await expect(bot.last.locator(".inline-button")).to_have_count(7, timeout=WAIT)
            await shot("resident_menu")

            # 포인트 확인 → QR 스캔 → 상품권 교환
            await tour("내 포인트 확인")
            await seen("사용 가능:")
            await shot("points")
            await tour("행사 포스터 QR 스캔")
            await seen("참여가 확인되었어요")
            await tour("상품권 교환 신청")
            await seen("교환할 금액을 골라 주세요")
            await tour("금액 고르기")
            await seen("교환 신청할까요?")
            await tour("교환 신청 확인")
            await seen("상품권 교환 신청을 접수했어요")

            # 제안 공감으로 50 달성: the visitor makes 49, the second demo resident 50.
            await tour("공감 48명인 제안 보기")
            await seen("48/50")
            await shot("proposal_card")
            await tour("공감하기 (49명)")
            await seen("49/50")
            await tour("두 번째 주민으로 공감")
            await expect(page.locator("#whoami")).to_contain_text(info.second_resident_name)
            await seen("구청 공식 검토가 시작되었어요")

            # 참여예산 투표와 영수증
            await tour("투표 시작")
            await expect(page.locator("#whoami")).to_contain_text(info.resident_name)
            await seen("원하는 사업을 모두 골라 주세요")
            await tour("사업 담기: LED")
            await seen("선택 1건")
            await tour("사업 담기: 그늘막")
            await seen("선택 2건")
            await shot("ballot")
            await tour("투표 제출")
            await seen("투표가 집계되었어요")
            await tour("영수증(접수번호) 확인")
            await seen("집계되어 있어요")
            await tour("지난 회차 결과 차트")
            await expect(page.locator("#messages img.photo").last).to_be_visible(timeout=WAIT)
            await shot("results_chart")

            # 설문 끝까지 (the first questions; the whole walk is covered by the survey tests)
            await tour("설문 시작")
            for _ in range(3):
                if await bot.filter(has_text="연령대를 골라 주세요").count():
                    break
                await page.wait_for_timeout(1500)
                await tour("첫 번째 보기로 답하기")
            await seen("연령대를 골라 주세요")
            await shot("survey_question")
            await tour("첫 번째 보기로 답하기")
            await seen("중구와 어떤 관계이신가요?")

            # Staff: 공지 보내기 → 진행률, 분기 지급 마감 → CSV
            await page.locator("#staff-switch").click()
            await expect(page.locator("#whoami")).to_contain_text(info.staff_name)
            await tour("공지 작성 시작")
            await seen("공지 내용을 보내 주세요")
            await tour("공지 내용 보내기")
            await seen("사진을 함께 보낼까요?")
            await tour("사진·링크 건너뛰기")
            await seen("누구에게 보낼까요?")
            await tour("대상: 전체 구독자")
            await seen("미리보기")
            await tour("지금 보내기")
            await seen("전송")  # sent / total, edited in place (in quiet hours it says when the rest go)
            await shot("staff_announcement")
            await tour("분기 지급 마감")
            await expect(page.locator("#messages .document").last).to_be_visible(timeout=WAIT)
            await shot("staff_payout_csv")
        except BaseException:
            failure = PROJECT_ROOT / "build" / "screenshots" / "demo_tour_failure.png"
            failure.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(failure))
            print("last bot messages:", *(await bot.all_inner_texts())[-3:], sep="\n")
            raise
        finally:
            await browser.close()
