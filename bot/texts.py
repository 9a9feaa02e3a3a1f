"""Every Korean sentence the bot itself writes (Rasa's replies live in domain.yml).

NOTICES are the templates of outbox messages queued by storage services and
actions (``storage.services.outbox.notify_resident(..., template, **params)``);
the bot formats them with ``str.format`` when it delivers them.
"""
from __future__ import annotations

# --- Conversation plumbing ---------------------------------------------------
RASA_DOWN = (
    "죄송해요, 지금 대화 서버에 연결할 수 없어요. 보내신 메시지는 처리되지 않았으니 "
    "잠시 후 다시 보내 주세요."
)
RASA_EMPTY = (
    "죄송해요, 요청을 처리하는 중에 문제가 생겼어요. 아무것도 바뀌지 않았으니 "
    "잠시 후 다시 시도해 주세요."
)
UNSUPPORTED_MESSAGE = "죄송해요, 이런 형식의 메시지는 아직 이해하지 못해요. 글자로 적어 주시거나 /menu 를 눌러 주세요."
STALE_BUTTON = "이 버튼은 더 이상 사용할 수 없어요. /menu 에서 다시 시작해 주세요."

# Bot command menu registered with setMyCommands (command, description).
COMMANDS = [
    ("start", "시작하기 · 개인정보 동의"),
    ("menu", "메인 메뉴"),
    ("help", "도움말"),
    ("cancel", "진행 중인 작업 취소"),
]
STAFF_COMMANDS: list[tuple[str, str]] = [
    ("staff", "직원 명령어 안내"),
]

# --- Staff --------------------------------------------------------------------
NOT_ALLOWED = "이 명령은 사용할 수 없어요. /help 를 눌러 사용할 수 있는 기능을 확인해 주세요."

# --- Outbox notice templates (key -> str.format template) ----------------------
NOTICES: dict[str, str] = {
    # points (issue 4)
    # proposals (issue 5)
    # budget (issue 6)
    # surveys, contests, news, attendance (issue 7)
    # announcements (issue 8)
}
