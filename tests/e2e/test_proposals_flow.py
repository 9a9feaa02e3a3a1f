"""정책제안 end to end: a resident writes a proposal through the form (with a photo,
a correction and bad input on the way), another cancels one, residents endorse it to
50 (48 through the storage service, the 49th by typing, the 50th by the card's button),
the author, the endorsers and staff receive the review notice, staff answers with the
command, and everyone concerned receives the answer in the chat."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import Proposal, Role
from storage.services import points, proposals, residents
from tests.e2e.driver import texts_of

pytestmark = pytest.mark.e2e
STAFF_ID, AUTHOR_ID, FAN_ID, LAST_ID, QUITTER_ID = 750001, 750002, 750003, 750004, 750005
DIRECT_FIRST_ID = 751000
TITLE = "신당동 골목길에 가로등을 늘려 주세요"
BODY = "밤이 되면 골목이 너무 어두워서 아이들과 어르신들이 다니기 무서워해요. 가로등을 세 개만 더 달아 주세요."
ANSWER = "내년 상반기에 신당동 골목 세 곳에 LED 가로등을 설치하겠습니다."


def _consent(telegram, user_id: int, name: str):  # type: ignore[no-untyped-def]
    chat = telegram.resident(user_id, name)
    _, consent = chat.send("/start", replies=2)
    chat.press(consent, "동의합니다", replies=2)
    return chat


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 30, 60)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _send_photo(telegram, chat, replies: int):  # type: ignore[no-untyped-def]
    telegram.post("/test/photo", {"user_id": chat.user_id, "png_base64": _png()})
    return chat.read(replies)


def _open_menu(chat):  # type: ignore[no-untyped-def]
    (menu,) = chat.send("정책제안")
    assert "주민공감 50명" in menu["text"]
    return menu


@pytest.fixture(scope="module")
def people(telegram_module, e2e_engine):  # type: ignore[no-untyped-def]
    staff = _consent(telegram_module, STAFF_ID, "중구청 직원")
    chats = {name: _consent(telegram_module, uid, name)
             for name, uid in (("작성자", AUTHOR_ID), ("공감이", FAN_ID), ("오십번째", LAST_ID),
                               ("그만둔이", QUITTER_ID))}
    with session_scope(e2e_engine) as s:
        residents.set_role(s, STAFF_ID, Role.staff)
    return {"staff": staff, **chats}


@pytest.fixture(scope="module")
def submitted(people, telegram_module, e2e_engine):  # type: ignore[no-untyped-def]
    """The author writes the proposal through the form; returns its number."""
    author = people["작성자"]
    menu = _open_menu(author)
    intro, ask_title = author.press(menu, "제안하기", replies=2)
    assert "취소" in intro["text"] and "[1/5]" in ask_title["text"]

    wrong, again = _send_photo(telegram_module, author, replies=2)
    assert "사진은 마지막 단계에서" in wrong["text"] and "[1/5]" in again["text"]
    short, again = author.send("가로등", replies=2)
    assert "제목은 5~60자로" in short["text"] and "지금 3자" in short["text"]
    (ask_body,) = author.send("골목길 가로등 좀 늘려 주세요")
    assert "[2/5]" in ask_body["text"]
    short, again = author.send("어두워요", replies=2)
    assert "내용은 20~2,000자로" in short["text"]
    (ask_category,) = author.send(BODY)
    assert "[3/5]" in ask_category["text"]
    (ask_dong,) = author.press(ask_category, "안전")
    assert "[4/5]" in ask_dong["text"]
    (ask_photo,) = author.send("신당동이요")
    assert "[5/5]" in ask_photo["text"]
    photo, preview = _send_photo(telegram_module, author, replies=2)
    assert photo.get("photo") and "골목길 가로등 좀 늘려 주세요" in preview["text"]
    assert "안전 · 신당동" in preview["text"] and "사진도 함께" in preview["text"]

    (ask_title,) = author.press(preview, "제목 수정")
    assert "[1/5]" in ask_title["text"]
    photo, preview = author.send(TITLE, replies=2)
    assert f"「{TITLE}」" in preview["text"]
    with session_scope(e2e_engine) as s:
        assert s.scalar(select(func.count()).select_from(Proposal)) == 0  # nothing saved before 제출

    done, card = author.press(preview, "제출", replies=2)
    assert "번 제안 「" in done["text"] and "1,000 P가 적립" in done["text"]
    assert "░░░░░░░░░░ 0/50명" in card["text"] and "공감 모집 중" in card["text"]
    number = int(done["text"].split("✅ ")[1].split("번")[0])
    with session_scope(e2e_engine) as s:
        proposal = s.get(Proposal, number)
        assert (proposal.title, proposal.category, proposal.dong) == (TITLE, "safety", "sindang")
        assert proposal.photo_file_id
        assert points.balance(s, residents.find(s, AUTHOR_ID).id).available == 1000
    return number


def test_cancel_leaves_nothing(people, e2e_engine):
    quitter = people["그만둔이"]
    menu = _open_menu(quitter)
    quitter.press(menu, "제안하기", replies=2)
    (ask_body,) = quitter.send("버스 정류장에 온열 의자를 설치해 주세요")
    assert "[2/5]" in ask_body["text"]
    (cancelled,) = quitter.send("취소")
    assert "저장된 것은 없어요" in cancelled["text"]
    with session_scope(e2e_engine) as s:
        quitter_id = residents.find(s, QUITTER_ID).id
        assert s.scalar(select(func.count()).select_from(Proposal).where(Proposal.author_id == quitter_id)) == 0
    (menu_again,) = quitter.send("/menu")
    assert "무엇을 도와드릴까요" in menu_again["text"]


def test_fifty_endorsements_send_it_to_review_and_the_answer_reaches_everyone(
        submitted, people, telegram_module, e2e_engine):
    author, fan, last, staff = people["작성자"], people["공감이"], people["오십번째"], people["staff"]
    number = submitted

    # 48 neighbours endorse outside the chat (they are chat users, so their notices arrive too).
    with session_scope(e2e_engine) as s:
        for i in range(48):
            telegram_module.resident(DIRECT_FIRST_ID + i, f"이웃{i}")
            neighbour, _ = residents.register(s, DIRECT_FIRST_ID + i, f"이웃{i}")
            proposals.endorse(s, proposal_id=number, resident_id=neighbour.id)
    nudges = author.read(3)  # milestones at 10, 25 and 40
    assert "10명이 공감" in nudges[0]["text"] and "40명이 공감" in texts_of(nudges)

    # The 49th by typing, the 50th with the card's button.
    (typed,) = fan.send(f"{number}번 제안에 공감할래")
    assert "공감하셨어요" in typed["text"] and "49/50명" in typed["text"] and "1명 더" in typed["text"]
    menu = _open_menu(last)
    head, card = last.press(menu, "공감 많은 제안", replies=2)
    assert "공감 많은 제안" in head["text"] and "49/50명" in card["text"]
    replies = last.press(card, "공감", replies=2)
    said = texts_of(replies)
    assert "주민공감 50명을 채워 구청 공식 검토가 시작되었어요" in said
    assert "공감하신 「" in said  # the endorser notice from the outbox

    assert "공식 검토에 들어갔어요" in texts_of(author.read(1))
    assert "공감하신 「" in texts_of(fan.read(1))
    assert "[정책제안 검토 요청]" in texts_of(staff.read(1))

    # Changing one's mind is closed now; so is a second 공감.
    (closed,) = fan.send(f"{number}번 공감 취소할래")
    assert "구청 검토 중" in closed["text"]
    (twice,) = fan.send(f"{number}번 제안에 공감할래")
    assert "이미 공감하신 제안" in twice["text"] or "구청 검토 중" in twice["text"]

    (queue,) = staff.send("/proposals under_review")
    assert f"#{number} [구청 검토 중] {TITLE}" in queue["text"]
    (posted,) = staff.send(f"/proposal_answer {number} accepted {ANSWER}")
    assert "최종 답변(수용)" in posted["text"] and "51명" in posted["text"]

    for chat in (author, fan, last):
        notice = texts_of(chat.read(1))
        assert "구청의 답변이 나왔어요" in notice and "검토 결과: 수용" in notice and ANSWER in notice
    photo, detail, answer = last.send(f"{number}번 제안 자세히", replies=3)
    assert photo.get("photo") and "답변 완료" in detail["text"] and ANSWER in answer["text"]

    # Typed requests: one's own proposals, what one endorsed, a keyword search.
    head, card = author.send("내 제안 보여줘", replies=2)
    assert "내 제안 (1/1쪽 · 모두 1건)" in head["text"] and "검토 결과: 수용" in card["text"]
    head, card = fan.send("내가 공감한 제안", replies=2)
    assert "공감하신 제안" in head["text"] and TITLE in card["text"]
    head, card = people["그만둔이"].send("가로등 제안 보여줘", replies=2)
    assert '"가로등" 검색 결과 1건' in head["text"] and TITLE in card["text"]
    with session_scope(e2e_engine) as s:
        assert [row.action.value for row in proposals.audit_log(s, number)] == ["answer_final"]
        assert proposals.count_endorsements(s, number) == 50
