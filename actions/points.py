"""소통 포인트: balance, history, how to earn, gift-certificate exchange, QR check-in."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.account import utter_consent_notice
from actions.base import Speaker, StorageAction
from actions.meetings import attend_and_reply
from storage.errors import DomainError
from storage.korean import josa
from storage.models import Resident
from storage.point_policy import load_policy
from storage import qr
from storage.services import events, meetings, points
from storage.timeutil import format_day, kst_date, utcnow


def _p(value: int) -> str:
    return f"{value:,}"


def parse_amount(text: str | None) -> int | None:
    """'5,000', '5000P', '1만', '만' → points; None when it is not a plain amount."""
    if text is None:
        return None
    raw = re.sub(r"[\s,]|포인트|점|[Pp]$", "", str(text))
    match = re.fullmatch(r"(\d*)만", raw)
    if match:
        return int(match.group(1) or 1) * 10_000
    match = re.fullmatch(r"(\d+)천", raw)
    if match:
        return int(match.group(1)) * 1_000
    korean = {"오천": 5_000, "일만": 10_000, "만": 10_000, "이만": 20_000, "삼만": 30_000}
    if raw in korean:
        return korean[raw]
    return int(raw) if raw.isdigit() else None


def utter_checkin(dispatcher: CollectingDispatcher, session: Session, resident: Resident,
                  payload: str) -> None:
    """Credit a scanned poster and say how it went (errors propagate as DomainError)."""
    result = events.check_in(session, resident_id=resident.id, payload=payload)
    if not result.created:
        raise DomainError("already_checked_in")
    if result.capped and result.points == 0:
        dispatcher.utter_message(response="utter_checkin_capped", event=result.event_name)
    else:
        dispatcher.utter_message(response="utter_checkin_done", event=result.event_name,
                                 points=_p(result.points), available=_p(result.balance_available))


class ActionPointsBalance(StorageAction):
    def name(self) -> str:
        return "action_points_balance"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        bal = points.balance(session, resident.id)
        policy = load_policy()
        if bal.available >= policy.min_exchange:
            hint = "🎁 상품권 교환을 신청할 수 있어요!"
        else:
            hint = f"상품권 교환까지 {_p(policy.min_exchange - bal.available)} P 남았어요."
        dispatcher.utter_message(
            response="utter_points_balance", name=resident.display_name,
            available=_p(bal.available), held=_p(bal.held),
            earned_this_year=_p(bal.earned_this_year), annual_cap=_p(bal.annual_cap),
            exchange_hint=hint,
        )
        return []


class ActionPointsHistory(StorageAction):
    def name(self) -> str:
        return "action_points_history"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        # Only the "다음 쪽" button carries a page; typed requests start at page 1.
        page_text = next(tracker.get_latest_entity_values("page"), None)
        page = int(page_text) if page_text and page_text.isdigit() else 1
        result = points.history(session, resident.id, page=page)
        if result.total == 0:
            dispatcher.utter_message(response="utter_points_history_empty")
            return [SlotSet("page", None)]
        lines = "\n".join(
            f"• {kst_date(item.at)} {item.description} {'+' if item.points > 0 else ''}{_p(item.points)} P"
            for item in result.entries
        )
        buttons = []
        if result.page < result.pages:
            buttons.append({"title": "다음 쪽 보기",
                            "payload": f'/points_history_more{{"page":"{result.page + 1}"}}'})
        dispatcher.utter_message(response="utter_points_history", page=result.page,
                                 pages=result.pages, lines=lines, buttons=buttons)
        return [SlotSet("page", None)]


class ActionPointsHowto(StorageAction):
    needs_resident = False

    def name(self) -> str:
        return "action_points_howto"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        policy = load_policy()
        dispatcher.utter_message(response="utter_points_howto", lines=policy.howto_lines(),
                                 rules=policy.rules_text())
        return []


class ActionExchangeRequest(StorageAction):
    """Without an amount: offer the allowed amounts. With one: ask to confirm it."""

    def name(self) -> str:
        return "action_exchange_request"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        policy = load_policy()
        bal = points.balance(session, resident.id)
        raw = next(tracker.get_latest_entity_values("amount"), None)
        if raw is None:
            options = points.exchange_options(session, resident.id)
            if not options:
                dispatcher.utter_message(response="utter_exchange_not_enough",
                                         min_exchange=_p(policy.min_exchange),
                                         available=_p(bal.available))
                return [SlotSet("amount", None)]
            buttons = [{"title": f"{_p(a)} P", "payload": f'/exchange_request{{"amount":"{a}"}}'}
                       for a in options]
            dispatcher.utter_message(response="utter_exchange_choose",
                                     available=_p(bal.available), buttons=buttons)
            return [SlotSet("amount", None)]
        amount = parse_amount(raw)
        if amount is None:
            raise DomainError("amount_invalid")
        points.check_exchange(session, resident_id=resident.id, amount=amount)
        payout_date = format_day(points.next_payout_date(utcnow()))
        dispatcher.utter_message(
            response="utter_exchange_confirm", amount=_p(amount),
            payout_date=payout_date, payout_date_ieyo=josa(payout_date, "이에요/예요"),
            buttons=[{"title": "교환 신청", "payload": f'/exchange_confirm{{"amount":"{amount}"}}'},
                     {"title": "취소", "payload": "/cancel"}],
        )
        return [SlotSet("amount", None)]


class ActionExchangeConfirm(StorageAction):
    def name(self) -> str:
        return "action_exchange_confirm"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        amount = parse_amount(next(tracker.get_latest_entity_values("amount"), None))
        if amount is None:
            # "네 교환해 주세요" without a chosen amount: start from the choice.
            return ActionExchangeRequest().handle(dispatcher, tracker, session, who, resident)
        request = points.request_exchange(session, resident_id=resident.id, amount=amount)
        bal = points.balance(session, resident.id)
        dispatcher.utter_message(
            response="utter_exchange_requested", amount=_p(request.amount),
            payout_date=format_day(points.next_payout_date(utcnow())), available=_p(bal.available),
        )
        return [SlotSet("amount", None)]


class ActionExchangeStatus(StorageAction):
    def name(self) -> str:
        return "action_exchange_status"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        _utter_pending(dispatcher, session, resident)
        return []


class ActionExchangeCancel(StorageAction):
    def name(self) -> str:
        return "action_exchange_cancel"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        raw = next(tracker.get_latest_entity_values("request_id"), None)
        if raw is None or not str(raw).isdigit():
            _utter_pending(dispatcher, session, resident)
            return []
        request = points.cancel_exchange(session, resident_id=resident.id, request_id=int(raw))
        bal = points.balance(session, resident.id)
        dispatcher.utter_message(response="utter_exchange_cancelled", amount=_p(request.amount),
                                 available=_p(bal.available))
        return [SlotSet("request_id", None)]


class ActionQrCheckin(StorageAction):
    needs_resident = False

    def name(self) -> str:
        return "action_qr_checkin"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        payload = next(tracker.get_latest_entity_values("qr_payload"), None)
        if not payload:
            raise DomainError("qr_invalid")
        if resident is None:
            # Validate before asking for consent, so a forged code is refused at once.
            events.parse_payload(payload)
            dispatcher.utter_message(response="utter_checkin_after_consent")
            utter_consent_notice(dispatcher)
            return [SlotSet("pending_checkin", payload)]
        spoken = qr.SPOKEN_PATTERN.match(payload)
        if spoken and meetings.owns_code(session, spoken.group(1)):
            # A typed "출석 123456" is an event's rotating code or a video meeting's code.
            attend_and_reply(dispatcher, session, resident, spoken.group(1), None)
            return []
        utter_checkin(dispatcher, session, resident, payload)
        return []


def _utter_pending(dispatcher: CollectingDispatcher, session: Session, resident: Resident) -> None:
    pending = points.pending_exchanges(session, resident.id)
    if not pending:
        dispatcher.utter_message(response="utter_exchange_none_pending")
        return
    lines = "\n".join(f"• {kst_date(r.created_at)} 신청 {_p(r.amount)} P" for r in pending)
    buttons = [{"title": f"{_p(r.amount)} P 신청 취소",
                "payload": f'/exchange_cancel{{"request_id":"{r.id}"}}'} for r in pending]
    dispatcher.utter_message(response="utter_exchange_pending_list", lines=lines,
                             payout_date=format_day(points.next_payout_date(utcnow())),
                             buttons=buttons)
