"""/start payload router: which Rasa message a deep link stands for.

Payloads are routed by prefix; anything no feature claims stays what it always
was, a QR check-in (event posters use "k…" and the legacy "e…").

- ``m<id>``         (issue 16) opens the meeting card: t.me/<bot>?start=m3
- ``ma<id>_<code>`` (issue 16) a scanned meeting attendance QR
"""
from __future__ import annotations

import json

from storage import meeting_rules


def _message(intent: str, **entities: str) -> str:
    return f"/{intent}" + json.dumps(entities, ensure_ascii=True, separators=(",", ":"))


def route(payload: str) -> str | None:
    """The Rasa message of a feature's deep link, or None for a QR check-in payload."""
    meeting_id = meeting_rules.parse_card_payload(payload)
    if meeting_id is not None:
        return _message("meeting_detail", meeting_id=str(meeting_id))
    attend = meeting_rules.parse_attend_payload(payload)
    if attend is not None:
        return _message("meeting_attend", meeting_id=str(attend[0]), meeting_code=attend[1])
    return None
