"""공모: open contests, entering by photo + caption or text, one's own entries, withdrawing.

Entering is the form ``contest_form`` used as a mode, like the survey walk:
its slot ``contest_reply`` takes the raw text of every message while it is
active (a caption or an entry text is never classified as another intent),
``validate_contest_form`` keeps the parts received so far in slots
(``contest_photo``, ``contest_text``) and ``action_ask_contest_reply`` asks for
what is missing or shows the entry with [응모하기]. Nothing is stored before
that press; 취소 leaves nothing behind.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction, utter_error
from actions.survey_views import payload, short
from storage import engagement_rules as er
from storage.errors import DomainError
from storage.models import Resident
from storage.models.contests import Contest, ContestStatus, EntryForm
from storage.services import contests
from storage.timeutil import kst_datetime, utcnow

FORM = "contest_form"
REPLY = "contest_reply"
CONTEST_ID = "contest_id"
PHOTO, PHOTO_SIZE, TEXT = "contest_photo", "contest_photo_size", "contest_text"
FORM_INTENTS = frozenset({"contest_enter", "contest_confirm", "contest_retry"})
TERMINAL = frozenset({"contest_not_found", "contest_closed", "already_entered", "not_registered"})
PHOTO_ERRORS = frozenset({"photo_not_accepted", "photo_too_large", "photo_invalid"})
FORM_LABELS = {EntryForm.photo: "사진", EntryForm.text: "글", EntryForm.both: "사진+설명"}
LIST_MAX = 8
RULES_PREVIEW = 120

ENTER, MINE, CONFIRM, RETRY, CANCEL = "📮 응모: {title}", "🗂️ 내 응모", "✅ 응모하기", "🔄 다시 보내기", "취소"
WITHDRAW, WITHDRAW_OK = "응모 취소: {title}", "응모 취소하기"

CLEAR_PARTS = [SlotSet(PHOTO, None), SlotSet(PHOTO_SIZE, None), SlotSet(TEXT, None)]
CONTINUE = [SlotSet(REPLY, None)]
STOP = [SlotSet(REPLY, None), SlotSet("requested_slot", None), *CLEAR_PARTS]


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return None if value is None else str(value)


def _contest_id(tracker: Tracker) -> int | None:
    raw = _entity(tracker, CONTEST_ID) or tracker.get_slot(CONTEST_ID)
    return int(raw) if raw is not None and str(raw).isdigit() else None


def _int(value: Any) -> int | None:
    return int(value) if value is not None and str(value).isdigit() else None


def require_open(session: Session, contest_id: int, resident_id: int) -> Contest:
    """The contest, if it still takes entries and the resident has none in it."""
    contest = contests.get_contest(session, contest_id)
    if contest.status is not ContestStatus.open or not er.contest_accepts_entries(contest.deadline, utcnow()):
        raise DomainError("contest_closed", contest_id=contest_id)
    if any(e.contest_id == contest_id for e in contests.my_entries(session, resident_id=resident_id)):
        raise DomainError("already_entered", contest_id=contest_id)
    return contest


def is_complete(form: EntryForm, photo: str | None, text: str | None) -> bool:
    """Whether the parts received so far make an entry of this contest's form."""
    if form is EntryForm.text:
        return bool(text)
    if form is EntryForm.photo:
        return bool(photo)
    return bool(photo and text)


def dry_run(session: Session, contest_id: int, resident_id: int, photo: str | None,
            size: int | None, text: str | None) -> None:
    """Let storage judge the entry now (size, form, length) without keeping anything."""
    savepoint = session.begin_nested()
    try:
        contests.submit_entry(session, contest_id=contest_id, resident_id=resident_id, text=text,
                              photo_file_id=photo, photo_size=size)
    finally:
        savepoint.rollback()


class ActionContestList(StorageAction):
    """Open contests with their rules and an [응모] button each."""

    needs_resident = False

    def name(self) -> str:
        return "action_contest_list"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        open_now = contests.open_contests(session)
        entered = set()
        if resident is not None:
            entered = {e.contest_id for e in contests.my_entries(session, resident_id=resident.id)}
        buttons = []
        lines = []
        for c in open_now[:LIST_MAX]:
            mark = "✅" if c.id in entered else "🏆"
            lines.append(f"{mark} {c.title}\n   ~{kst_datetime(c.deadline)} · {FORM_LABELS[c.entry_form]} · "
                         f"응모 {c.entry_points:,} P · 당선 {c.win_points:,} P\n   {short(c.rules, RULES_PREVIEW)}")
            if c.id not in entered:
                buttons.append({"title": ENTER.format(title=short(c.title, 20)),
                                "payload": payload("contest_enter", contest_id=c.id)})
        buttons.append({"title": MINE, "payload": "/contest_my"})
        if not lines:
            dispatcher.utter_message(response="utter_contest_list_empty", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_contest_list", lines="\n\n".join(lines), buttons=buttons)
        return []


class ValidateContestForm(StorageAction):
    """Keep the photo and text received so far; submit on [응모하기]."""

    needs_resident = False

    def name(self) -> str:
        return "validate_contest_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        if REPLY not in tracker.slots_to_validate():
            return []
        # StorageAction answers [] only after it has uttered an error: end the form.
        return await super().run(dispatcher, tracker, domain) or [*STOP, ActiveLoop(None)]

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        if resident is None:
            raise DomainError("not_registered")
        contest_id = _contest_id(tracker)
        intent = str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")
        text = str((tracker.latest_message or {}).get("text") or "").strip()
        if contest_id is None:
            dispatcher.utter_message(response="utter_contest_choose")
            return STOP
        if text.startswith("/") and intent not in FORM_INTENTS and intent != "photo_sent":
            # A button of another feature: drop the unsent entry and answer that.
            dispatcher.utter_message(response="utter_cancelled")
            return [*STOP, ActiveLoop(None), ActionExecutionRejected(FORM)]
        photo, size, body = tracker.get_slot(PHOTO), _int(tracker.get_slot(PHOTO_SIZE)), tracker.get_slot(TEXT)
        caption_used = False
        try:
            contest = require_open(session, contest_id, resident.id)
            if intent == "contest_confirm":
                return self._submit(dispatcher, session, contest, resident, photo, size, body)
            if intent in ("contest_enter", "contest_retry"):
                # Entering (again) or "다시 보내기" starts the entry afresh.
                photo, size, body = None, None, None
            elif intent == "photo_sent":
                photo = _entity(tracker, "photo_file_id")
                size = _int(_entity(tracker, "photo_size"))
                caption = (_entity(tracker, "photo_caption") or "").strip()
                caption_used = bool(caption)
                body = caption or body
            else:
                body = text
        except DomainError as err:
            utter_error(dispatcher, err)
            return [*STOP, SlotSet(CONTEST_ID, None)] if err.code in TERMINAL else CONTINUE
        if photo or body:
            try:
                dry_run(session, contest.id, resident.id, photo, size, body)
            except DomainError as err:
                missing_part = err.code in ("entry_photo_required", "entry_text_required")
                if not (missing_part and not is_complete(contest.entry_form, photo, body)):
                    utter_error(dispatcher, err)
                    if err.code in TERMINAL:
                        return [*STOP, SlotSet(CONTEST_ID, None)]
                    if err.code in PHOTO_ERRORS:
                        # The caption came with the refused photo: it goes too.
                        photo, size, body = None, None, (None if caption_used else body)
                    else:
                        body = None
        return [SlotSet(CONTEST_ID, str(contest.id)), SlotSet(PHOTO, photo),
                SlotSet(PHOTO_SIZE, None if size is None else str(size)), SlotSet(TEXT, body), *CONTINUE]

    def _submit(self, dispatcher: CollectingDispatcher, session: Session, contest: Contest,
                resident: Resident, photo: str | None, size: int | None,
                body: str | None) -> list[dict[str, Any]]:
        result = contests.submit_entry(session, contest_id=contest.id, resident_id=resident.id, text=body,
                                       photo_file_id=photo, photo_size=size)
        if result.points_awarded > 0:
            dispatcher.utter_message(response="utter_contest_entered", title=contest.title,
                                     points=f"{result.points_awarded:,}", deadline=kst_datetime(contest.deadline),
                                     buttons=[{"title": MINE, "payload": "/contest_my"}])
        else:
            dispatcher.utter_message(response="utter_contest_entered_no_points", title=contest.title,
                                     deadline=kst_datetime(contest.deadline),
                                     buttons=[{"title": MINE, "payload": "/contest_my"}])
        return [*STOP, SlotSet(CONTEST_ID, None)]


class ActionAskContestReply(StorageAction):
    """Ask for the missing part of the entry, or show it with [응모하기]."""

    needs_resident = False

    def name(self) -> str:
        return "action_ask_contest_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        return await super().run(dispatcher, tracker, domain) or [*STOP, ActiveLoop(None)]

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        contest_id = _contest_id(tracker)
        if resident is None:
            raise DomainError("not_registered")
        if contest_id is None:
            dispatcher.utter_message(response="utter_contest_choose")
            return [*STOP, ActiveLoop(None)]
        try:
            contest = require_open(session, contest_id, resident.id)
        except DomainError as err:
            utter_error(dispatcher, err)
            return [*STOP, ActiveLoop(None), SlotSet(CONTEST_ID, None)]
        photo, body = tracker.get_slot(PHOTO), tracker.get_slot(TEXT)
        common = {"title": contest.title, "deadline": kst_datetime(contest.deadline)}
        if is_complete(contest.entry_form, photo, body):
            buttons = [{"title": CONFIRM, "payload": payload("contest_confirm", contest_id=contest.id)},
                       {"title": RETRY, "payload": payload("contest_retry", contest_id=contest.id)},
                       {"title": CANCEL, "payload": "/cancel"}]
            text = short(body or "", 300)
            if photo and body:
                dispatcher.utter_message(response="utter_contest_preview_both", entry_text=text, buttons=buttons, **common)
            elif photo:
                dispatcher.utter_message(response="utter_contest_preview_photo", buttons=buttons, **common)
            else:
                dispatcher.utter_message(response="utter_contest_preview_text", entry_text=text, buttons=buttons, **common)
        else:
            self._ask(dispatcher, contest.entry_form, photo, body,
                      rules=short(contest.rules, 300), max_mb=er.CONTEST_PHOTO_MAX_BYTES // (1024 * 1024),
                      max_len=f"{er.CONTEST_TEXT_MAX:,}", buttons=[{"title": CANCEL, "payload": "/cancel"}],
                      **common)
        return [SlotSet(CONTEST_ID, str(contest.id))]

    @staticmethod
    def _ask(dispatcher: CollectingDispatcher, form: EntryForm, photo: str | None, body: str | None,
             **params: Any) -> None:
        """Ask for what the contest's form still needs."""
        if form is EntryForm.text:
            dispatcher.utter_message(response="utter_contest_ask_text", **params)
        elif form is EntryForm.photo:
            dispatcher.utter_message(response="utter_contest_ask_photo", **params)
        elif photo:
            dispatcher.utter_message(response="utter_contest_ask_caption", **params)
        elif body:
            dispatcher.utter_message(response="utter_contest_ask_photo_after_text", **params)
        else:
            dispatcher.utter_message(response="utter_contest_ask_photo_and_text", **params)


class ActionContestMy(StorageAction):
    """The resident's entries, with [응모 취소] while the contest is open."""

    def name(self) -> str:
        return "action_contest_my"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        entries = contests.my_entries(session, resident_id=resident.id)
        if not entries:
            dispatcher.utter_message(response="utter_contest_my_empty",
                                     buttons=[{"title": "🏆 공모전", "payload": "/contest_list"}])
            return []
        lines, buttons = [], []
        for e in entries[:LIST_MAX]:
            parts = [p for p in ("📷" if e.photo_file_id else "", short(e.text or "", 40)) if p]
            state = "🏆 당선" if e.won else (f"~{kst_datetime(e.deadline)}" if e.can_withdraw else "마감")
            lines.append(f"• {e.contest_title} ({state})\n   {' '.join(parts)}")
            if e.can_withdraw:
                buttons.append({"title": WITHDRAW.format(title=short(e.contest_title, 16)),
                                "payload": payload("contest_withdraw", contest_id=e.contest_id)})
        dispatcher.utter_message(response="utter_contest_my", lines="\n".join(lines), buttons=buttons)
        return []


class ActionContestWithdraw(StorageAction):
    """Ask before withdrawing an entry."""

    def name(self) -> str:
        return "action_contest_withdraw"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        contest_id = _int(_entity(tracker, CONTEST_ID))
        if contest_id is None:
            return ActionContestMy().handle(dispatcher, tracker, session, who, resident)
        entry = next((e for e in contests.my_entries(session, resident_id=resident.id)
                      if e.contest_id == contest_id), None)
        if entry is None:
            raise DomainError("contest_entry_not_found", contest_id=contest_id)
        if not entry.can_withdraw:
            raise DomainError("contest_closed", contest_id=contest_id)
        dispatcher.utter_message(
            response="utter_contest_withdraw_confirm", title=entry.contest_title,
            buttons=[{"title": WITHDRAW_OK, "payload": payload("contest_withdraw_confirm", contest_id=contest_id)},
                     {"title": CANCEL, "payload": "/cancel"}])
        return []


class ActionContestWithdrawConfirm(StorageAction):
    def name(self) -> str:
        return "action_contest_withdraw_confirm"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        contest_id = _int(_entity(tracker, CONTEST_ID))
        if contest_id is None:
            return ActionContestMy().handle(dispatcher, tracker, session, who, resident)
        contest = contests.get_contest(session, contest_id)
        contests.withdraw_entry(session, contest_id=contest_id, resident_id=resident.id)
        dispatcher.utter_message(response="utter_contest_withdrawn", title=contest.title,
                                 deadline=kst_datetime(contest.deadline))
        return []


class ActionContestCancel(Action):
    """취소 or 메뉴 while writing an entry: nothing was stored; forget the parts."""

    def name(self) -> str:
        return "action_contest_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_cancelled")
        return [ActiveLoop(None), *STOP, SlotSet(CONTEST_ID, None)]
