"""Browsing, search, 자세히, 공감 and 공감 취소 against the real database."""
from __future__ import annotations

from datetime import timedelta

from actions.proposal_cards import progress_bar
from actions.proposals import (
    ActionProposalCategories,
    ActionProposalDetail,
    ActionProposalEndorse,
    ActionProposalEndorsed,
    ActionProposalList,
    ActionProposalMine,
    ActionProposalSearch,
    ActionProposalsMenu,
    ActionProposalWithdraw,
)
from bot import keyboards
from storage import proposal_rules as rules
from storage.db import session_scope
from storage.models import Role
from storage.services import proposals
from storage.timeutil import utcnow
from tests.actions.conftest import USER_ID, make_tracker, responses, run_action
from tests.actions.proposal_helpers import AUTHOR_ID, endorse_by_many, propose, register

STAFF_ID = 616161


def _number(value: int) -> list[dict]:
    return [{"entity": "proposal_number", "value": str(value)}]


def _titles(messages: list[dict]) -> list[str]:
    return [b["title"] for b in messages[0].get("buttons") or []]


def _all_buttons_fit(messages: list[dict]) -> None:
    for message in messages:
        for button in message.get("buttons") or []:
            keyboards.pack(button["payload"])


def test_progress_bar_boundaries():
    assert progress_bar(0, 50) == "░" * 10
    assert progress_bar(23, 50) == "▓" * 4 + "░" * 6
    assert progress_bar(49, 50) == "▓" * 9 + "░"
    assert progress_bar(50, 50) == progress_bar(51, 50) == "▓" * 10


async def test_menu_names_the_threshold(app_db):
    messages, _ = await run_action(ActionProposalsMenu(), make_tracker("proposals_menu"))
    assert responses(messages) == ["utter_proposals_menu"] and messages[0]["threshold"] == 50
    assert _titles(messages) == ["✏️ 제안하기", "🆕 최신 제안", "🔥 공감 많은 제안", "🏷️ 분야별", "🔎 검색",
                                 "📝 내 제안", "👍 내가 공감한 제안"]
    _all_buttons_fit(messages)


async def test_lists_newest_and_most_endorsed_with_cards_and_paging(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    ids = [propose(app_db, author, title=f"{n}번째 골목 가로등 제안입니다") for n in range(1, 8)]
    endorse_by_many(app_db, ids[0], 3)

    messages, _ = await run_action(ActionProposalList(), make_tracker("proposal_list"))
    assert responses(messages)[0] == "utter_proposal_list_newest"
    assert messages[0]["page"] == 1 and messages[0]["pages"] == 2 and messages[0]["total"] == 7
    cards = messages[1:6]
    assert [c["number"] for c in cards] == ids[::-1][:5]
    assert cards[0]["response"] == "utter_proposal_card_open" and cards[0]["threshold"] == 50
    assert [b["title"] for b in cards[0]["buttons"]] == ["👍 공감", "자세히"]  # a visitor may press 공감
    more = messages[-1]
    assert more["response"] == "utter_proposal_list_more"
    assert more["buttons"][0]["payload"] == '/proposal_list{"proposal_sort":"newest","page":"2"}'
    _all_buttons_fit(messages)

    messages, _ = await run_action(ActionProposalList(), make_tracker(
        "proposal_list", entities=[{"entity": "proposal_sort", "value": "newest"}, {"entity": "page", "value": "2"}]))
    assert messages[0]["page"] == 2 and [c["number"] for c in messages[1:]] == ids[:2][::-1]

    messages, _ = await run_action(ActionProposalList(), make_tracker("proposal_list", text="공감 많은 제안 보여줘"))
    assert responses(messages)[0] == "utter_proposal_list_top"
    assert messages[1]["number"] == ids[0] and messages[1]["count"] == 3
    assert messages[1]["bar"] == progress_bar(3, 50)


async def test_category_list_and_empty_lists(app_db):
    messages, _ = await run_action(ActionProposalList(), make_tracker("proposal_list"))
    assert responses(messages) == ["utter_proposal_list_empty"]
    author = register(app_db, AUTHOR_ID, "작성자")
    pid = propose(app_db, author, category="environment")
    messages, _ = await run_action(ActionProposalList(), make_tracker(
        "proposal_list", entities=[{"entity": "proposal_category", "value": "환경"}], text="환경 분야 제안 보여줘"))
    assert responses(messages) == ["utter_proposal_list_category", "utter_proposal_card_open"]
    assert messages[0]["category"] == "환경·청소" and messages[1]["number"] == pid
    messages, _ = await run_action(ActionProposalList(), make_tracker(
        "proposal_list", entities=[{"entity": "proposal_category", "value": "education"}]))
    assert responses(messages) == ["utter_proposal_list_category_empty"]
    messages, _ = await run_action(ActionProposalCategories(), make_tracker("proposal_categories"))
    assert _titles(messages) == list(rules.CATEGORIES.values())
    _all_buttons_fit(messages)


async def test_endorse_by_button_and_by_typed_number(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    register(app_db)
    pid = propose(app_db, author)
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker(
        "proposal_endorse", text=f"{pid}번 제안에 공감할래"))
    assert responses(messages) == ["utter_proposal_endorsed"]
    assert messages[0]["count"] == 1 and messages[0]["remaining"] == 49 and messages[0]["points"] == "100"
    # Pressing the old 공감 button again changes nothing.
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker("proposal_endorse", entities=_number(pid)))
    assert responses(messages) == ["utter_err_already_endorsed"]
    with session_scope(app_db) as s:
        assert proposals.count_endorsements(s, pid) == 1


async def test_endorse_refusals_have_clear_replies(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    staff = register(app_db, STAFF_ID, "직원", role=Role.staff)
    pid = propose(app_db, author)
    # Own proposal.
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker(
        "proposal_endorse", entities=_number(pid), user_id=AUTHOR_ID))
    assert responses(messages) == ["utter_err_own_proposal"]
    # Not registered, then a number that does not exist.
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker("proposal_endorse", entities=_number(pid)))
    assert responses(messages) == ["utter_err_not_registered"]
    register(app_db)
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker("proposal_endorse", entities=_number(999)))
    assert responses(messages) == ["utter_err_proposal_not_found"] and messages[0]["number"] == "999"
    # Hidden.
    with session_scope(app_db) as s:
        proposals.hide(s, proposal_id=pid, staff_id=staff, reason="비방")
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker("proposal_endorse", entities=_number(pid)))
    assert responses(messages) == ["utter_err_proposal_hidden"]
    # Expired (its window ended before the scheduler ran).
    old = propose(app_db, author, title="지난달에 올린 오래된 제안", now=utcnow() - timedelta(days=40))
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker("proposal_endorse", entities=_number(old)))
    assert responses(messages) == ["utter_err_proposal_expired"]


async def test_fiftieth_endorsement_starts_review_and_closes_endorsing(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    register(app_db)
    pid = propose(app_db, author)
    endorse_by_many(app_db, pid, 49)
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker("proposal_endorse", entities=_number(pid)))
    assert responses(messages) == ["utter_proposal_endorsed_review"]
    assert messages[0]["count"] == 50
    with session_scope(app_db) as s:
        assert proposals.get_card(s, pid).status == "under_review"
    # The 51st is refused and the withdrawal too: the proposal is under review now.
    register(app_db, 999_001, "늦은 주민")
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker(
        "proposal_endorse", entities=_number(pid), user_id=999_001))
    assert responses(messages) == ["utter_err_proposal_not_open"] and messages[0]["status_label"] == "구청 검토 중"
    messages, _ = await run_action(ActionProposalWithdraw(), make_tracker("proposal_withdraw", entities=_number(pid)))
    assert responses(messages) == ["utter_err_proposal_not_open"]
    # The card shows the review deadline and no 공감 취소 any more.
    messages, _ = await run_action(ActionProposalDetail(), make_tracker("proposal_detail", entities=_number(pid)))
    assert responses(messages) == ["utter_proposal_card_review"] and _titles(messages) == []


async def test_withdraw_while_open(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    register(app_db)
    pid = propose(app_db, author)
    messages, _ = await run_action(ActionProposalWithdraw(), make_tracker("proposal_withdraw", entities=_number(pid)))
    assert responses(messages) == ["utter_err_not_endorsed"]
    await run_action(ActionProposalEndorse(), make_tracker("proposal_endorse", entities=_number(pid)))
    messages, _ = await run_action(ActionProposalDetail(), make_tracker("proposal_detail", entities=_number(pid)))
    assert _titles(messages) == ["공감 취소"]
    messages, _ = await run_action(ActionProposalWithdraw(), make_tracker("proposal_withdraw", entities=_number(pid)))
    assert responses(messages) == ["utter_proposal_withdrawn"] and messages[0]["count"] == 0
    assert _titles(messages) == ["👍 다시 공감"]
    messages, _ = await run_action(ActionProposalWithdraw(), make_tracker("proposal_withdraw"))
    assert responses(messages) == ["utter_proposal_ask_number"]


async def test_endorse_without_a_number_offers_matches_or_asks(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    register(app_db)
    pid = propose(app_db, author)
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker(
        "proposal_endorse", text="가로등 제안에 공감할래"))
    assert responses(messages) == ["utter_proposal_pick", "utter_proposal_card_open"]
    assert messages[1]["number"] == pid
    with session_scope(app_db) as s:
        assert proposals.count_endorsements(s, pid) == 0
    messages, _ = await run_action(ActionProposalEndorse(), make_tracker("proposal_endorse", text="공감할게요"))
    assert responses(messages) == ["utter_proposal_ask_number"]


async def test_detail_shows_photo_whole_text_and_the_answer(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    staff = register(app_db, STAFF_ID, "직원", role=Role.staff)
    pid = propose(app_db, author, photo="AgACAgUAAxk")
    endorse_by_many(app_db, pid, 50)
    with session_scope(app_db) as s:
        proposals.post_answer(s, proposal_id=pid, staff_id=staff, result="partly_accepted",
                              text="내년 상반기에 가로등 세 곳을 설치하겠습니다.\n\n나머지는 예산을 확보해 검토합니다.")
    messages, _ = await run_action(ActionProposalDetail(), make_tracker("proposal_detail", entities=_number(pid)))
    assert messages[0]["image"] == "AgACAgUAAxk"
    assert responses(messages)[1:] == ["utter_proposal_card_answered", "utter_proposal_answer"]
    assert messages[1]["summary"].startswith("밤이 되면") and messages[1]["result"] == "일부 수용"
    # One message: Rasa's REST channel would split a reply without buttons at a blank line.
    assert messages[2]["answer"] == "내년 상반기에 가로등 세 곳을 설치하겠습니다.\n나머지는 예산을 확보해 검토합니다."


async def test_search_by_words_by_number_and_nothing_to_search(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    lamp = propose(app_db, author)
    propose(app_db, author, title="공원에 반려견 놀이터를 만들어 주세요", category="environment", dong=None,
            body="반려견과 산책하는 주민이 많은데 마음 놓고 뛰어놀 곳이 없어요.")
    messages, events = await run_action(ActionProposalSearch(), make_tracker("proposal_search", text="가로등 제안 보여줘"))
    assert responses(messages) == ["utter_proposal_list_search", "utter_proposal_card_open"]
    assert messages[0]["keyword"] == "가로등" and messages[1]["number"] == lamp
    assert messages[1]["dong"] == " · 신당동"
    messages, _ = await run_action(ActionProposalSearch(), make_tracker(
        "proposal_inform", slots={"proposal_keyword": "수영장"}))
    assert responses(messages) == ["utter_proposal_search_empty"]
    messages, _ = await run_action(ActionProposalSearch(), make_tracker("proposal_search", text="제안 보여줘"))
    assert responses(messages) == ["utter_proposal_search_hint"]
    messages, _ = await run_action(ActionProposalDetail(), make_tracker("proposal_detail", text=f"{lamp}번 제안 자세히"))
    assert responses(messages) == ["utter_proposal_card_open"] and messages[0]["number"] == lamp


async def test_my_proposals_and_my_endorsements(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    register(app_db)
    messages, _ = await run_action(ActionProposalMine(), make_tracker("proposal_mine"))
    assert responses(messages) == ["utter_proposal_mine_empty"]
    messages, _ = await run_action(ActionProposalEndorsed(), make_tracker("proposal_endorsed"))
    assert responses(messages) == ["utter_proposal_endorsed_empty"]
    pid = propose(app_db, author)
    await run_action(ActionProposalEndorse(), make_tracker("proposal_endorse", entities=_number(pid)))
    messages, _ = await run_action(ActionProposalEndorsed(), make_tracker("proposal_endorsed"))
    assert responses(messages) == ["utter_proposal_list_endorsed", "utter_proposal_card_open"]
    assert [b["title"] for b in messages[1]["buttons"]] == ["공감 취소", "자세히"]
    messages, _ = await run_action(ActionProposalMine(), make_tracker("proposal_mine", user_id=AUTHOR_ID))
    assert responses(messages) == ["utter_proposal_list_mine", "utter_proposal_card_open"]
    assert [b["title"] for b in messages[1]["buttons"]] == ["자세히"]  # no 공감 on one's own
    messages, _ = await run_action(ActionProposalMine(), make_tracker("proposal_mine", user_id=USER_ID))
    assert responses(messages) == ["utter_proposal_mine_empty"]


async def test_author_sees_a_hidden_proposal_with_its_reason(app_db):
    author = register(app_db, AUTHOR_ID, "작성자")
    staff = register(app_db, STAFF_ID, "직원", role=Role.staff)
    pid = propose(app_db, author)
    with session_scope(app_db) as s:
        proposals.hide(s, proposal_id=pid, staff_id=staff, reason="개인정보 노출")
    messages, _ = await run_action(ActionProposalMine(), make_tracker("proposal_mine", user_id=AUTHOR_ID))
    assert messages[1]["response"] == "utter_proposal_card_hidden" and messages[1]["reason"] == "개인정보 노출"
    messages, _ = await run_action(ActionProposalDetail(), make_tracker("proposal_detail", entities=_number(pid)))
    assert responses(messages) == ["utter_err_proposal_not_found"]
