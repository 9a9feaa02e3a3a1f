"""설문: the survey menu and the walk through one survey, one question at a time.

The walk is the form ``survey_form`` used as a mode: its one slot
``survey_reply`` takes the raw text of every message while the form is active
(typed answers are never classified as other intents), and also of every survey
button pressed outside the form (which re-enters the survey where the database
says the resident is). ``validate_survey_form`` applies the message to the
stored progress and clears the slot; the form then asks again through
``action_ask_survey_reply``, which shows the current question or the summary.
Submitting, pausing or a closed survey end the form.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import survey_views as views
from actions.base import FORGET_CONVERSATION, Speaker, StorageAction, utter_error
from actions.survey_walk import SurveyWalk
from storage import survey_rules as sr
from storage.errors import DomainError
from storage.models import Resident
from storage.models.surveys import Survey
from storage.services import surveys
from storage.services.surveys import QuestionView, SummaryView
from storage.timeutil import kst_datetime

FORM = "survey_form"
REPLY = "survey_reply"
SURVEY_ID = "survey_id"
# Errors after which there is nothing left to answer: the form ends.
TERMINAL = frozenset({"survey_not_found", "survey_not_open", "survey_closed", "already_responded",
                      "not_registered"})
# Typed words that steer the walk ("이전", "건너뛸게요") when the classifier is this sure.
NAV_CONFIDENCE = 0.8
NAV_TEXT_MAX = 15
NAV_INTENTS = frozenset({"survey_back", "survey_skip", "survey_keep", "survey_pause", "survey_submit",
                         "survey_edit", "survey_done"})
# A confidently recognised request of another feature ("내 포인트") typed where a
# button was expected leaves the survey (saved) and is answered instead.
LEAVE_CONFIDENCE = 0.8
NOT_A_REQUEST = frozenset({"nlu_fallback", "affirm", "deny", "out_of_scope", "photo_sent", "thanks"})
SURVEY_INTENTS = frozenset({"survey_start", "survey_answer", "survey_toggle", "survey_done", "survey_skip",
                            "survey_back", "survey_keep", "survey_edit", "survey_submit", "survey_pause"})

CONTINUE = [SlotSet(REPLY, None)]
STOP = [SlotSet(REPLY, None), SlotSet("requested_slot", None)]


def _leave() -> list[dict[str, Any]]:
    """End the form and reject this turn, so the rules answer the message instead."""
    return [SlotSet(REPLY, None), SlotSet("requested_slot", None), ActiveLoop(None),
            ActionExecutionRejected(FORM)]


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return None if value is None else str(value)


def _survey_id(tracker: Tracker) -> int | None:
    raw = _entity(tracker, "s") or tracker.get_slot(SURVEY_ID)
    return int(raw) if raw is not None and str(raw).isdigit() else None


def _intent(tracker: Tracker) -> tuple[str, float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def _text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "").strip()


def utter_paused(dispatcher: CollectingDispatcher, session: Session, survey_id: int | None) -> None:
    """"Saved; say 설문 to go on" with the closing time when the survey is known."""
    survey = session.get(Survey, survey_id) if survey_id is not None else None
    if survey is None:
        dispatcher.utter_message(response="utter_survey_paused_plain")
        return
    dispatcher.utter_message(response="utter_survey_paused", title=survey.title,
                             closes=kst_datetime(survey.closes_at))


class _FormStep(StorageAction):
    """A step of the survey form: an internal failure ends the form instead of leaving it stuck."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        # StorageAction answers [] only after it has uttered an error.
        return events or [*STOP, ActiveLoop(None)]


class ActionSurveysMenu(StorageAction):
    """설문·공모: open surveys as buttons (new or resume), then 공모전 and 출석체크."""

    needs_resident = False

    def name(self) -> str:
        return "action_surveys_menu"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        listings = surveys.open_surveys(session, resident_id=resident.id if resident else None)
        dispatcher.utter_message(**views.menu_reply(listings).kwargs())
        return []


class ValidateSurveyForm(_FormStep):
    """Apply the message (button or typed text) to the stored progress; decide whether the walk goes on."""

    needs_resident = False

    def name(self) -> str:
        return "validate_survey_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        # The form also calls its validation on activation and on return from
        # an interruption, with nothing new to apply.
        if REPLY not in tracker.slots_to_validate():
            return []
        return await super().run(dispatcher, tracker, domain)

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        if resident is None:
            raise DomainError("not_registered")
        survey_id = _survey_id(tracker)
        if survey_id is None:
            dispatcher.utter_message(response="utter_survey_choose")
            return STOP
        events: list[dict[str, Any]] = [SlotSet(SURVEY_ID, str(survey_id))]
        try:
            walk = SurveyWalk(session, survey_id, resident.id)
            return events + self._apply(dispatcher, tracker, walk)
        except DomainError as err:
            utter_error(dispatcher, err)
            return events + (STOP if err.code in TERMINAL else CONTINUE)

    def _apply(self, dispatcher: CollectingDispatcher, tracker: Tracker, walk: SurveyWalk) -> list[dict[str, Any]]:
        intent, confidence = _intent(tracker)
        text = _text(tracker)
        if text.startswith("/"):
            return self._button(dispatcher, tracker, walk, intent)
        if intent == "photo_sent":
            dispatcher.utter_message(response="utter_survey_photo_ignored")
            return CONTINUE
        return self._typed(dispatcher, tracker, walk, text, intent, confidence)

    def _button(self, dispatcher: CollectingDispatcher, tracker: Tracker, walk: SurveyWalk,
                intent: str) -> list[dict[str, Any]]:
        if intent not in SURVEY_INTENTS:
            if intent == "photo_sent":
                dispatcher.utter_message(response="utter_survey_photo_ignored")
                return CONTINUE
            # A button of another feature (an older message): keep the answers, answer that.
            utter_paused(dispatcher, walk.session, walk.survey_id)
            return _leave()
        q_ref, o_ref = _entity(tracker, "q"), _entity(tracker, "o")
        if intent == "survey_start":
            self._greet(dispatcher, walk)
        elif intent == "survey_answer":
            walk.answer_button(q_ref, o_ref)
        elif intent == "survey_toggle":
            walk.toggle(q_ref, o_ref)
        elif intent == "survey_done":
            walk.confirm(q_ref)
        elif intent == "survey_skip":
            walk.skip(walk.question(q_ref).id)
        elif intent == "survey_keep":
            self._keep(walk, q_ref)
        elif intent == "survey_edit":
            if q_ref is not None:
                walk.edit(q_ref)
            # Without a question the ask action shows the numbered choice.
        else:
            return self._navigate(dispatcher, walk, intent)
        return CONTINUE

    def _navigate(self, dispatcher: CollectingDispatcher, walk: SurveyWalk, intent: str) -> list[dict[str, Any]]:
        """이전 / 건너뛰기 / 선택 완료 / 그대로 / 나중에 / 제출, by button or typed."""
        if intent == "survey_back":
            walk.back()
        elif intent == "survey_pause":
            utter_paused(dispatcher, walk.session, walk.survey_id)
            return STOP
        elif intent == "survey_submit":
            return self._submit(dispatcher, walk)
        elif intent in ("survey_skip", "survey_done", "survey_keep"):
            step = walk.current()
            if isinstance(step, QuestionView):
                if intent == "survey_skip":
                    walk.skip(step.question.id)
                elif intent == "survey_done" and step.question.type is sr.QuestionType.multi:
                    walk.confirm(views.question_ref(walk.spec, step.question.id))
                elif intent == "survey_keep" and step.answered:
                    walk.advance(walk.keep(step))
        # survey_edit without a question: the ask action shows which answer to change.
        return CONTINUE

    def _keep(self, walk: SurveyWalk, q_ref: str | None) -> None:
        step = walk.current()
        if not isinstance(step, QuestionView) or step.question.id != walk.question(q_ref).id:
            raise DomainError("stale_question", question_id=str(q_ref))
        walk.advance(walk.keep(step))

    def _greet(self, dispatcher: CollectingDispatcher, walk: SurveyWalk) -> None:
        step = walk.current()
        survey = surveys.get_survey(walk.session, walk.survey_id)
        fresh = isinstance(step, QuestionView) and step.index == 1 and not step.answered
        if not fresh:
            dispatcher.utter_message(response="utter_survey_resumed", title=survey.title)
            return
        params = {"title": survey.title, "description": survey.description, "count": step.total_visible,
                  "points": f"{survey.points:,}", "closes": kst_datetime(survey.closes_at)}
        if survey.anonymous:
            dispatcher.utter_message(response="utter_survey_intro_anonymous", **params)
        else:
            dispatcher.utter_message(response="utter_survey_intro", **params)

    def _submit(self, dispatcher: CollectingDispatcher, walk: SurveyWalk) -> list[dict[str, Any]]:
        result = walk.submit()
        survey = surveys.get_survey(walk.session, walk.survey_id)
        if result.points_awarded > 0 and result.award_created:
            dispatcher.utter_message(response="utter_survey_submitted", title=survey.title,
                                     points=f"{result.points_awarded:,}")
        else:
            dispatcher.utter_message(response="utter_survey_submitted_no_points", title=survey.title)
        if survey.anonymous:
            # Answers typed as text must not stay in Rasa's tracker next to the Telegram id.
            dispatcher.utter_message(json_message=FORGET_CONVERSATION)
        return [*STOP, SlotSet(SURVEY_ID, None)]

    def _typed(self, dispatcher: CollectingDispatcher, tracker: Tracker, walk: SurveyWalk, text: str,
               intent: str, confidence: float) -> list[dict[str, Any]]:
        step = walk.current()
        steering = (intent in NAV_INTENTS and confidence >= NAV_CONFIDENCE and len(text) <= NAV_TEXT_MAX)
        if isinstance(step, SummaryView):
            if steering:
                return self._navigate(dispatcher, walk, intent)
            dispatcher.utter_message(response="utter_survey_use_buttons")
            return CONTINUE
        q = step.question
        if q.type.is_text:
            if steering:
                return self._navigate(dispatcher, walk, intent)
            walk.typed(q.id, text)
            return CONTINUE
        try:
            walk.typed(q.id, text)
        except DomainError as err:
            if err.code != "not_a_choice":
                raise
            if steering:
                return self._navigate(dispatcher, walk, intent)
            if (intent not in SURVEY_INTENTS and intent not in NOT_A_REQUEST
                    and confidence >= LEAVE_CONFIDENCE):
                utter_paused(dispatcher, walk.session, walk.survey_id)
                return _leave()
            raise
        return CONTINUE


class ActionAskSurveyReply(_FormStep):
    """Show where the resident is: the current question, the summary, or which answer to change."""

    needs_resident = False

    def name(self) -> str:
        return "action_ask_survey_reply"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        survey_id = _survey_id(tracker)
        if resident is None or survey_id is None:
            if resident is None:
                utter_error(dispatcher, DomainError("not_registered"))
            else:
                dispatcher.utter_message(response="utter_survey_choose")
            return [*STOP, ActiveLoop(None)]
        try:
            walk = SurveyWalk(session, survey_id, resident.id)
            step = walk.current()
        except DomainError as err:
            utter_error(dispatcher, err)
            return [*STOP, ActiveLoop(None)]
        if isinstance(step, SummaryView):
            intent, _ = _intent(tracker)
            if intent == "survey_edit" and _entity(tracker, "q") is None and step.items:
                reply = views.edit_reply(step, walk.spec)
            else:
                reply = views.summary_reply(step)
        else:
            reply = views.question_reply(step, walk.spec)
        dispatcher.utter_message(**reply.kwargs())
        return [SlotSet(SURVEY_ID, str(survey_id))]


class ActionSurveyPause(StorageAction):
    """취소 or 메뉴 during a survey: leave it; the answers stay for later."""

    needs_resident = False

    def name(self) -> str:
        return "action_survey_pause"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        utter_paused(dispatcher, session, _survey_id(tracker))
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(REPLY, None)]
