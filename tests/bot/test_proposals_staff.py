"""Staff proposal commands through the real bot and the local Telegram server: the
queue, answers (interim and final), hiding and unhiding, each audited and each
notice delivered to the author and every endorser."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot import texts
from bot.handlers.proposals_staff import parse_status, queue_text
from storage.db import session_scope
from storage.models import Proposal, Role
from storage.services import proposals, residents
from storage.timeutil import utcnow
from tests.bot.conftest import read

STAFF, AUTHOR, FAN = 4101, 4102, 4103
BODY = "밤이 되면 골목이 너무 어두워서 아이들과 어르신들이 다니기 무서워해요. 가로등을 더 달아 주세요."


class Chat:
    """One person's chat, reading only what arrives after what was already read."""

    def __init__(self, tg, user_id: int) -> None:  # type: ignore[no-untyped-def]
        self.tg, self.user_id, self.seen = tg, user_id, 0

    async def read(self, count: int) -> list[dict]:
        messages = await read(self.tg, self.user_id, count, after=self.seen)
        assert len(messages) >= count, [m.get("text") for m in messages]
        self.seen = max(m["message_id"] for m in messages)
        return messages

    async def send(self, text: str, replies: int = 1) -> list[dict]:
        await self.tg.post("/test/send", json={"user_id": self.user_id, "text": text})
        return await self.read(replies)


@pytest.fixture
async def people(running_bot, tg, bot_db):  # type: ignore[no-untyped-def]
    """A staff member, an author with a proposal under review, and one endorser, all in the chat."""
    for user_id, name in ((STAFF, "직원"), (AUTHOR, "작성자"), (FAN, "공감주민")):
        await tg.post("/test/users", json={"user_id": user_id, "first_name": name, "started": True})
    with session_scope(bot_db) as s:
        staff, _ = residents.register(s, STAFF, "직원")
        staff.role = Role.staff
        author, _ = residents.register(s, AUTHOR, "작성자")
        fan, _ = residents.register(s, FAN, "공감주민")
        pid = proposals.submit(s, author_id=author.id, title="신당동 골목길에 가로등을 늘려 주세요", body=BODY,
                               category="safety", dong="sindang").proposal.id
        proposals.endorse(s, proposal_id=pid, resident_id=fan.id)
        for i in range(49):
            other, _ = residents.register(s, 4200 + i, f"주민{i}")
            proposals.endorse(s, proposal_id=pid, resident_id=other.id)
        open_id = proposals.submit(s, author_id=author.id, title="공원에 반려견 놀이터를 만들어 주세요", body=BODY,
                                   category="environment").proposal.id
    chats = {"staff": Chat(tg, STAFF), "author": Chat(tg, AUTHOR), "fan": Chat(tg, FAN)}
    # The notices the endorsements queued: milestones (10, 25, 40) and the review, to each their own.
    assert "검토 요청" in (await chats["staff"].read(1))[-1]["text"]
    assert "공식 검토에 들어갔어요" in (await chats["author"].read(4))[-1]["text"]
    assert "공감하신" in (await chats["fan"].read(1))[-1]["text"]
    return {**chats, "pid": pid, "open_id": open_id}


def test_status_words():
    assert parse_status("") is None
    assert parse_status("under_review") == "under_review"
    assert parse_status("구청 검토 중") == "under_review"
    assert parse_status("답변완료") == "answered"
    assert parse_status("검토중") == "under_review"
    assert parse_status("만료") == "expired"
    assert parse_status("아무거나") == "아무거나"


async def test_residents_cannot_use_the_commands(running_bot, tg, bot_db, people):
    (reply,) = await people["author"].send(f"/proposal_answer {people['pid']} accepted 좋아요")
    # The staff gate: answered like any unknown command (through Rasa), nothing done.
    assert reply["text"] == f"받음: {running_bot.received[-1]['message']}"
    assert "proposal_answer" in running_bot.received[-1]["message"]
    with session_scope(bot_db) as s:
        assert s.get(Proposal, people["pid"]).status.value == "under_review"


async def test_queue_puts_overdue_reviews_first(running_bot, tg, bot_db, people):
    (reply,) = await people["staff"].send("/proposals")
    lines = reply["text"].splitlines()
    assert "2건" in lines[0] and f"#{people['pid']} [구청 검토 중]" in lines[1] and "공감 50/50" in lines[2]
    with session_scope(bot_db) as s:
        s.execute(update(Proposal).where(Proposal.id == people["pid"])
                  .values(review_due_at=utcnow() - timedelta(days=1)))
    (reply,) = await people["staff"].send("/proposals 검토중")
    assert reply["text"].splitlines()[1].startswith(f"⚠️ 기한 초과 #{people['pid']}")
    assert f"#{people['open_id']}" not in reply["text"]
    (reply,) = await people["staff"].send("/proposals answered")
    assert reply["text"] == texts.PROPOSALS_EMPTY
    (reply,) = await people["staff"].send("/proposals 아무거나")
    assert reply["text"] == texts.error_text("unknown_status", status="아무거나")


async def test_interim_then_final_answer_reach_author_and_endorsers(running_bot, tg, bot_db, people):
    (usage,) = await people["staff"].send(f"/proposal_answer {people['pid']} maybe 글쎄요")
    assert usage["text"] == texts.PROPOSAL_ANSWER_USAGE
    (reply,) = await people["staff"].send(f"/proposal_answer {people['pid']} interim 담당 부서에서 현장 조사 중입니다.")
    assert reply["text"].startswith(f"📝 #{people['pid']} 중간 답변") and "51명" in reply["text"]
    notices = await people["fan"].read(1)
    assert "중간 답변" in notices[-1]["text"] and "현장 조사" in notices[-1]["text"]
    (reply,) = await people["staff"].send(f"/proposal_answer {people['pid']} partly 내년 상반기에 세 곳을 설치하겠습니다.\n"
                                    "나머지는 예산을 확보해 검토합니다.")
    assert "최종 답변(일부 수용)" in reply["text"]
    notices = await people["author"].read(2)
    assert "검토 결과: 일부 수용" in notices[-1]["text"] and "나머지는 예산을" in notices[-1]["text"]
    (again,) = await people["staff"].send(f"/proposal_answer {people['pid']} accepted 다시")
    assert again["text"] == texts.error_text("already_answered", number=people["pid"])
    with session_scope(bot_db) as s:
        actions = [(row.action.value, row.staff_name) for row in proposals.audit_log(s, people["pid"])]
    assert actions == [("answer_interim", "직원"), ("answer_final", "직원")]


async def test_hide_and_unhide_with_reason(running_bot, tg, bot_db, people):
    (usage,) = await people["staff"].send(f"/proposal_hide {people['open_id']}")
    assert usage["text"] == texts.PROPOSAL_HIDE_USAGE
    (reply,) = await people["staff"].send(f"/proposal_hide {people['open_id']} 특정인 비방")
    assert "비공개 처리했어요" in reply["text"]
    (again,) = await people["staff"].send(f"/proposal_hide {people['open_id']} 또")
    assert again["text"] == texts.error_text("already_hidden", number=people["open_id"])
    (reply,) = await people["staff"].send(f"/proposal_unhide {people['open_id']}")
    assert "다시 공개했어요" in reply["text"] and "공감 모집 중" in reply["text"]
    (missing,) = await people["staff"].send("/proposal_unhide 999")
    assert missing["text"] == texts.error_text("proposal_not_found", number=999)
    with session_scope(bot_db) as s:
        rows = proposals.audit_log(s, people["open_id"])
    assert [(r.action.value, r.detail) for r in rows] == [("hide", "특정인 비방"), ("unhide", None)]


def test_long_queue_is_cut_to_one_message(bot_db):
    with session_scope(bot_db) as s:
        author, _ = residents.register(s, 4301, "작성자")
        for i in range(120):
            proposals.submit(s, author_id=author.id, title=f"{i}번째로 올린 꽤 긴 제목의 정책 제안입니다", body=BODY,
                             category="other")
        text = queue_text(proposals.staff_list(s), None)
    assert len(text) <= 4096 and "그 밖에" in text
