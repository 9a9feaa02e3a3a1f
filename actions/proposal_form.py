"""정책제안 작성: the ``proposal_form`` (title → body → category → 동 → photo → preview).

Every slot takes the raw text of the message (only a meant ``cancel`` leaves
the form, through the rules), so ``validate_proposal_form`` sees buttons, typed
answers and photos alike and answers each wrong kind with what to change.
Nothing is saved until 제출: ``action_proposal_submit`` runs when the preview
is confirmed and calls the storage service, which validates everything again.
"""
from __future__ import annotations

import abc

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction, utter_error
from actions.proposal_cards import dong_suffix, entity, find_code, payload, utter_card
from actions.proposals import KEYWORD_SLOT as KEYWORD
from storage import proposal_rules as rules
from storage.errors import DomainError
from storage.korean import josa
from storage.models import Resident
from storage.rules import is_telegram_file_id
from storage.services import proposals
from storage.timeutil import format_day

TITLE, BODY, CATEGORY = "proposal_draft_title", "proposal_draft_body", "proposal_draft_category"
DONG, PHOTO, CONFIRM = "proposal_draft_dong", "proposal_draft_photo", "proposal_draft_confirm"
DRAFT_SLOTS = (TITLE, BODY, CATEGORY, DONG, PHOTO, CONFIRM)
# A skipped 동 or photo: the slot must hold something for the form to move on.
SKIPPED = "none"
SUBMIT = "submit"
# Preview choices → the slot the resident wants to fill again.
EDITS = {"edit_title": TITLE, "edit_body": BODY, "edit_category": CATEGORY, "edit_dong": DONG}
# Typed answers, for residents who type instead of pressing the buttons.
SKIP_WORDS = ("건너뛰", "건너뛸", "건너 뛰", "건너 뛸", "넘어가", "넘어갈", "넘길", "없어", "없음", "없습니다",
              "패스", "스킵", "skip", "상관없", "중구 전체", "전체")
SUBMIT_WORDS = ("제출", "등록", "올려", "접수", "이대로", "좋아요", "좋습니다")
EDIT_WORDS = ("수정", "고칠", "고치", "고쳐", "바꿀", "바꾸", "바꿔", "변경", "다시")
FIELD_WORDS = (("제목", "edit_title"), ("내용", "edit_body"), ("본문", "edit_body"), ("분야", "edit_category"),
               ("카테고리", "edit_category"), ("동네", "edit_dong"), ("지역", "edit_dong"), ("동", "edit_dong"))
# "cancel" at the title or body step stops the form only when it is short or sure:
# "야간 공연 취소해 주세요" is a title, "취소" or "그만할래요" is not.
CANCEL_TEXT_MAX = 12
CANCEL_CONFIDENCE = 0.9
CANCEL_BUTTON = {"title": "취소", "payload": "/cancel"}
SKIP_BUTTON = {"title": "건너뛰기", "payload": payload("proposal_inform", proposal_choice="skip")}


def _intent(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def _is_payload(text: str) -> bool:
    """A button (or a typed command): ``/intent{...}``, never an answer typed for this step."""
    return str(text or "").lstrip().startswith("/")


def _skipping(tracker: Tracker, text: str) -> bool:
    if entity(tracker, "proposal_choice") == "skip" or _intent(tracker) == "deny":
        return True
    typed = "" if _is_payload(text) else text
    return any(word in typed.lower() for word in SKIP_WORDS)


def means_cancel(tracker: Tracker) -> bool:
    """A cancel the resident meant: the 취소 button or /cancel, a short message, or a confident one."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    if intent.get("name") != "cancel":
        return False
    text = str(message.get("text") or "").strip()
    return (_is_payload(text) or len(text) <= CANCEL_TEXT_MAX
            or float(intent.get("confidence") or 0.0) >= CANCEL_CONFIDENCE)


def parse_choice(text: str) -> str | None:
    """Typed preview answers: '제출할게요' → submit, '제목 고칠래요' → edit_title; else None."""
    text = "".join(str(text or "").split())
    if any(word in text for word in EDIT_WORDS):
        return next((choice for word, choice in FIELD_WORDS if word in text), None)
    if any(word in text for word in SUBMIT_WORDS):
        return SUBMIT
    return None


def draft_reset() -> list[dict[str, Any]]:
    """Events that forget the draft (a new form starts empty)."""
    return [SlotSet(slot, None) for slot in DRAFT_SLOTS]


class ActionProposalStart(StorageAction):
    """제안하기: consented residents get an empty draft; others are asked to consent first."""

    needs_resident = False

    def name(self) -> str:
        return "action_proposal_start"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        if resident is None:
            dispatcher.utter_message(response="utter_err_not_registered")
            # The rule would open the form next; listening instead leaves it closed.
            return [FollowupAction("action_listen")]
        dispatcher.utter_message(response="utter_proposal_form_intro")
        return draft_reset()


class _AskAction(Action, abc.ABC):
    """Asks for one slot of the form (the form calls ``action_ask_<slot>``).

    Abstract, so rasa-sdk registers only the concrete askers below.
    """

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    @abc.abstractmethod
    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """Utter the question with its variables and buttons."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        self.ask(dispatcher, tracker)
        return []


class ActionAskTitle(_AskAction):
    slot = TITLE

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        dispatcher.utter_message(response="utter_ask_proposal_draft_title", min=rules.TITLE_MIN,
                                 max=rules.TITLE_MAX, buttons=[CANCEL_BUTTON])


class ActionAskBody(_AskAction):
    slot = BODY

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        dispatcher.utter_message(response="utter_ask_proposal_draft_body", min=rules.BODY_MIN,
                                 max=f"{rules.BODY_MAX:,}", buttons=[CANCEL_BUTTON])


class ActionAskCategory(_AskAction):
    slot = CATEGORY

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        buttons = [{"title": label, "payload": payload("proposal_inform", proposal_category=code)}
                   for code, label in rules.CATEGORIES.items()]
        dispatcher.utter_message(response="utter_ask_proposal_draft_category", buttons=[*buttons, CANCEL_BUTTON])


class ActionAskDong(_AskAction):
    slot = DONG

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        buttons = [{"title": name, "payload": payload("proposal_inform", proposal_dong=code)}
                   for code, name in rules.DONGS.items()]
        dispatcher.utter_message(response="utter_ask_proposal_draft_dong",
                                 buttons=[*buttons, SKIP_BUTTON, CANCEL_BUTTON])


class ActionAskPhoto(_AskAction):
    slot = PHOTO

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        dispatcher.utter_message(response="utter_ask_proposal_draft_photo", buttons=[SKIP_BUTTON, CANCEL_BUTTON])


class ActionAskConfirm(_AskAction):
    """The preview: exactly what 제출 will save, with a way to fix each field."""

    slot = CONFIRM
    choices = (("제출", SUBMIT), ("제목 수정", "edit_title"), ("내용 수정", "edit_body"),
               ("분야 수정", "edit_category"), ("동 수정", "edit_dong"))

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        photo = tracker.get_slot(PHOTO)
        buttons = [{"title": title, "payload": payload("proposal_inform", proposal_choice=choice)}
                   for title, choice in self.choices]
        params = dict(
            title=tracker.get_slot(TITLE) or "", body=tracker.get_slot(BODY) or "",
            category=rules.CATEGORIES.get(tracker.get_slot(CATEGORY) or "", ""),
            dong=dong_suffix(rules.DONGS.get(tracker.get_slot(DONG) or "")), buttons=[*buttons, CANCEL_BUTTON],
        )
        if photo and photo != SKIPPED:
            dispatcher.utter_message(image=photo)
            dispatcher.utter_message(response="utter_proposal_preview_photo", **params)
        else:
            dispatcher.utter_message(response="utter_proposal_preview", **params)


class ValidateProposalForm(FormValidationAction):
    """Each step accepts its own kind of answer and says what to change otherwise."""

    def name(self) -> str:
        return "validate_proposal_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        # Rejecting keeps the form's turn out of the tracker, so the rule
        # "cancel while writing a proposal" answers with action_cancel.
        if means_cancel(tracker):
            return [ActionExecutionRejected(self.form_name())]
        # On activation the form also calls its validation, with the emptied
        # draft as the latest slot events: nothing was answered, nothing to say.
        if all(value is None for value in tracker.slots_to_validate().values()):
            return []
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def _text_step(slot: str, value: Any, dispatcher: CollectingDispatcher,
                   ensure: Callable[[str], str]) -> dict[str, Any]:
        if _is_payload(value):
            dispatcher.utter_message(response="utter_proposal_form_busy")
            return {slot: None}
        try:
            return {slot: ensure(value)}
        except DomainError as err:
            utter_error(dispatcher, err)
            return {slot: None}

    def validate_proposal_draft_title(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if _intent(tracker) == "photo_sent":
            dispatcher.utter_message(response="utter_proposal_title_not_photo")
            return {TITLE: None}
        return self._text_step(TITLE, value, dispatcher, rules.ensure_title)

    def validate_proposal_draft_body(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if _intent(tracker) == "photo_sent":
            dispatcher.utter_message(response="utter_proposal_body_not_photo")
            return {BODY: None}
        return self._text_step(BODY, value, dispatcher, rules.ensure_body)

    def validate_proposal_draft_category(self, value: Any, dispatcher: CollectingDispatcher,
                                         tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        raw = entity(tracker, "proposal_category")
        code = find_code(raw, rules.parse_category) if raw else None
        if code is None and not _is_payload(value):
            code = find_code(str(value or ""), rules.parse_category)
        if code is None:
            utter_error(dispatcher, DomainError("unknown_category", category=str(raw or "")))
            return {CATEGORY: None}
        return {CATEGORY: code}

    def validate_proposal_draft_dong(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        raw = entity(tracker, "proposal_dong")
        code = find_code(raw, rules.parse_dong) if raw else None
        if code is None and not _is_payload(value):
            code = find_code(str(value or ""), rules.parse_dong)
        if code is not None:
            return {DONG: code}
        if _skipping(tracker, str(value or "")):
            return {DONG: SKIPPED}
        utter_error(dispatcher, DomainError("unknown_dong", dong=str(raw or "")))
        return {DONG: None}

    def validate_proposal_draft_photo(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        file_id = entity(tracker, "photo_file_id")
        if _intent(tracker) == "photo_sent" and file_id:
            if not is_telegram_file_id(file_id):
                utter_error(dispatcher, DomainError("photo_invalid"))
                return {PHOTO: None}
            return {PHOTO: file_id}
        if _skipping(tracker, str(value or "")):
            return {PHOTO: SKIPPED}
        dispatcher.utter_message(response="utter_proposal_photo_expected")
        return {PHOTO: None}

    def validate_proposal_draft_confirm(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        file_id = entity(tracker, "photo_file_id")
        if _intent(tracker) == "photo_sent" and is_telegram_file_id(file_id):
            # A photo sent at the preview replaces the draft's photo; the preview shows it.
            return {PHOTO: file_id, CONFIRM: None}
        choice = entity(tracker, "proposal_choice")
        if choice is None and not _is_payload(value):
            choice = parse_choice(str(value or "")) or (SUBMIT if _intent(tracker) == "affirm" else None)
        if choice == SUBMIT:
            return {CONFIRM: SUBMIT}
        if choice in EDITS:
            return {EDITS[choice]: None, CONFIRM: None}
        dispatcher.utter_message(response="utter_proposal_choose_below")
        return {CONFIRM: None}


class ActionProposalSubmit(StorageAction):
    """제출 on the preview: the one place a proposal is saved (points come from the service)."""

    def name(self) -> str:
        return "action_proposal_submit"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        if tracker.get_slot(CONFIRM) != SUBMIT:
            # Only a confirmed preview reaches here; anything else saves nothing.
            return draft_reset()

        def optional(slot: str) -> str | None:
            value = tracker.get_slot(slot)
            return None if value in (None, "", SKIPPED) else str(value)

        result = proposals.submit(
            session, author_id=resident.id, title=tracker.get_slot(TITLE) or "",
            body=tracker.get_slot(BODY) or "", category=tracker.get_slot(CATEGORY) or "",
            dong=optional(DONG), photo_file_id=optional(PHOTO),
        )
        proposal = result.proposal
        params = dict(number=proposal.id, title=proposal.title, threshold=proposal.endorsements_needed,
                      last_day=format_day(rules.last_day(proposal.closes_at)), points=f"{result.points:,}")
        params["title_eul"] = josa(proposal.title, "을/를")
        if result.points:
            dispatcher.utter_message(response="utter_proposal_submitted", **params)
        else:
            dispatcher.utter_message(response="utter_proposal_submitted_no_points", **params)
        utter_card(dispatcher, proposals.get_card(session, proposal.id, viewer_id=resident.id))
        return draft_reset()


class ActionAskKeyword(_AskAction):
    slot = KEYWORD

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        dispatcher.utter_message(response="utter_ask_proposal_keyword", buttons=[CANCEL_BUTTON])


class ValidateProposalSearchForm(FormValidationAction):
    """The word typed after 검색: at least one word worth searching for.

    A button of anything else pressed instead ends the search and is answered
    as if no search had been asked for: rejecting the form this way keeps the
    form's turn out of the tracker, so the rules see the button's intent.
    """

    def name(self) -> str:
        return "validate_proposal_search_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        value = tracker.slots_to_validate().get(KEYWORD)
        if value is not None and _is_payload(str(value)) and _intent(tracker) != "photo_sent":
            return [SlotSet(KEYWORD, None), SlotSet("requested_slot", None), ActiveLoop(None),
                    ActionExecutionRejected(self.form_name())]
        return await super().run(dispatcher, tracker, domain)

    def validate_proposal_keyword(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "")
        if _intent(tracker) == "photo_sent" or _is_payload(text) or not rules.search_terms(text):
            dispatcher.utter_message(response="utter_proposal_keyword_invalid")
            return {KEYWORD: None}
        return {KEYWORD: text}
