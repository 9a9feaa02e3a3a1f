"""What every action shares: who is speaking, one transaction, errors as replies.

Rasa's REST channel swallows action errors and answers ``[]``; so an action
never lets an exception escape: a DomainError becomes its ``utter_err_<code>``
reply, anything else ``utter_err_internal`` (and the transaction is rolled back).
"""
from __future__ import annotations

import abc
import logging
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from storage.db import session_scope
from storage.errors import DomainError
from storage.korean import particle_params
from storage.models import Resident
from storage.rules import CONSENT_VERSION, RETENTION_YEARS
from storage.services import privacy, residents

log = logging.getLogger(__name__)

# A reply part with no text that tells the bot to delete this sender's
# conversation from Rasa's tracker store once the reply is delivered (Rasa
# saves the turn before it answers). Sent after withdrawal and decline.
FORGET_CONVERSATION: dict[str, Any] = {"privacy": "forget_conversation"}


@dataclass(frozen=True)
class Speaker:
    """The Telegram identity the bot put into the message metadata."""

    telegram_user_id: int
    first_name: str | None
    last_name: str | None


def speaker(tracker: Tracker) -> Speaker:
    meta = (tracker.latest_message or {}).get("metadata") or {}
    raw_id = meta.get("telegram_user_id", tracker.sender_id)
    return Speaker(
        telegram_user_id=int(raw_id),
        first_name=meta.get("first_name"),
        last_name=meta.get("last_name"),
    )


def utter_error(dispatcher: CollectingDispatcher, err: DomainError) -> None:
    params = {k: (f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v)
              for k, v in err.params.items()}
    # Rasa fills the response: pass every particle a value may need ({title_eul}, {receipt_code_euro} …).
    params.update(particle_params(**params))
    dispatcher.utter_message(response=f"utter_err_{err.code}", **params)


class StorageAction(Action, abc.ABC):
    """An action that runs one storage transaction and maps domain errors to replies."""

    #: Whether the speaker must have consented (be a registered resident).
    needs_resident = True

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""

    @abc.abstractmethod
    def handle(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        session: Session,
        who: Speaker,
        resident: Resident | None,
    ) -> list[dict[str, Any]]:
        """Do the work inside the transaction; return Rasa events."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = speaker(tracker)
        # Replies are collected apart and only released after commit, so a
        # rolled-back transaction never leaves a "done!" message behind.
        staged = CollectingDispatcher()
        try:
            with session_scope() as session:
                resident = residents.find(session, who.telegram_user_id)
                if self.needs_resident and resident is None:
                    raise DomainError("not_registered")
                if resident is not None:
                    privacy.touch(session, resident)
                if self.needs_resident and resident is not None and privacy.needs_reconsent(resident):
                    # The privacy notice changed: asked again before anything else.
                    staged.utter_message(response="utter_reconsent_notice", version=CONSENT_VERSION)
                    staged.utter_message(response="utter_consent_notice", retention_years=RETENTION_YEARS)
                    events: list[dict[str, Any]] = []
                else:
                    events = self.handle(staged, tracker, session, who, resident)
        except DomainError as err:
            utter_error(dispatcher, err)
            return []
        except Exception:
            log.exception("action %s failed for %s", self.name(), who.telegram_user_id)
            dispatcher.utter_message(response="utter_err_internal")
            return []
        dispatcher.messages.extend(staged.messages)
        return events
