"""How a survey step looks in the chat: which response, its variables, its buttons.

Pure functions over the storage views (no database). Button payloads carry
positions, not ids: ``q4`` is the 4th question of the survey, ``o2`` the 2nd
button of that question. Positions keep every payload far below Telegram's
64-byte callback data whatever the staff's ids are (``r|survey_toggle|s=12|q=q15|o=o7``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from storage import survey_rules as sr
from storage.services.surveys import QuestionView, SummaryView, SurveyListing
from storage.timeutil import kst_date

# Button labels (short: two fit on a phone's row when every label has ≤ 9 characters).
BACK = "◀ 이전"
SKIP = "건너뛰기 ▶"
KEEP = "그대로 ▶"
DONE = "선택 완료 ▶"
PAUSE = "⏸ 나중에"
SUBMIT = "✅ 제출하기"
EDIT = "✏️ 수정하기"
TICKED, UNTICKED = "☑️", "⬜"
PICKED = "✔️"
RESUME_MARK = "▶ 이어하기"
CONTESTS = "🏆 공모전"
ATTENDANCE = "✅ 출석체크"
# Summary lines stay short so that 15 answers fit in one message (4,096 characters).
SUMMARY_ANSWER_MAX = 60
LIST_MAX = 8


def payload(intent: str, **entities: str | int) -> str:
    """A Rasa button payload such as ``/survey_answer{"s":"3","q":"q4","o":"o2"}``."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps({k: str(v) for k, v in entities.items()}, separators=(",", ":"))


def question_ref(spec: sr.SurveySpec, question_id: str) -> str:
    """``q4`` for the 4th question of the spec."""
    ids = [q.id for q in spec.questions]
    return f"q{ids.index(question_id) + 1}"


def question_at(spec: sr.SurveySpec, ref: str | None) -> sr.Question | None:
    """The question a ``q4`` reference points at (None if it points nowhere)."""
    if not ref or not ref.startswith("q") or not ref[1:].isdigit():
        return None
    index = int(ref[1:]) - 1
    return spec.questions[index] if 0 <= index < len(spec.questions) else None


def option_at(view: QuestionView, ref: str | None) -> str | None:
    """The option id (or scale point) an ``o2`` reference points at on this view."""
    if not ref or not ref.startswith("o") or not ref[1:].isdigit():
        return None
    index = int(ref[1:]) - 1
    return view.options[index].id if 0 <= index < len(view.options) else None


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Reply:
    """One ``dispatcher.utter_message`` call."""

    response: str
    params: dict[str, Any] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        return {"response": self.response, "buttons": self.buttons, **self.params}


def question_reply(view: QuestionView, spec: sr.SurveySpec) -> Reply:
    """The question with its answer buttons and 이전 / 건너뛰기 / 나중에."""
    q = view.question
    s, ref = view.survey_id, question_ref(spec, q.id)
    params: dict[str, Any] = {"progress": view.progress, "question": q.text, "title": view.survey_title}
    nav = _nav_buttons(view, ref)
    if q.type is sr.QuestionType.multi:
        buttons = [{"title": f"{TICKED if opt.selected else UNTICKED} {opt.label}",
                    "payload": payload("survey_toggle", s=s, q=ref, o=f"o{n}")}
                   for n, opt in enumerate(view.options, start=1)]
        buttons.append({"title": DONE, "payload": payload("survey_done", s=s, q=ref)})
        return Reply(response="utter_survey_question_multi", buttons=buttons + nav,
                     params={**params, "max_picks": view.max_picks or len(view.options)})
    if q.type.is_choice or q.type is sr.QuestionType.scale:
        buttons = [{"title": f"{PICKED} {opt.label}" if opt.selected else opt.label,
                    "payload": payload("survey_answer", s=s, q=ref, o=f"o{n}")}
                   for n, opt in enumerate(view.options, start=1)]
        if q.type is sr.QuestionType.scale:
            hint = view.scale_hint or f"{q.scale_min} ~ {q.scale_max}"
            return Reply(response="utter_survey_question_scale", buttons=buttons + nav,
                         params={**params, "hint": hint})
        return Reply(response="utter_survey_question_choice", buttons=buttons + nav, params=params)
    params["max_len"] = f"{sr.TEXT_MAX[q.type]:,}"
    if view.answered and view.previous_answer:
        keep = [{"title": KEEP, "payload": payload("survey_keep", s=s, q=ref)}]
        return Reply(response="utter_survey_question_text_answered", buttons=keep + nav,
                     params={**params, "previous": short(str(view.previous_answer), SUMMARY_ANSWER_MAX)})
    return Reply(response="utter_survey_question_text", buttons=nav, params=params)


def _nav_buttons(view: QuestionView, ref: str) -> list[dict[str, str]]:
    buttons = []
    if view.can_go_back:
        buttons.append({"title": BACK, "payload": payload("survey_back", s=view.survey_id)})
    if view.can_skip:
        buttons.append({"title": SKIP, "payload": payload("survey_skip", s=view.survey_id, q=ref)})
    buttons.append({"title": PAUSE, "payload": payload("survey_pause", s=view.survey_id)})
    return buttons


def summary_lines(view: SummaryView) -> str:
    return "\n".join(
        f"{n}. {short(item.text, 40)}\n   → {short(item.answer_text, SUMMARY_ANSWER_MAX)}"
        for n, item in enumerate(view.items, start=1)
    )


def summary_reply(view: SummaryView) -> Reply:
    """All answers, then 제출 / 수정 / 나중에."""
    s = view.survey_id
    buttons = [{"title": EDIT, "payload": payload("survey_edit", s=s)},
               {"title": PAUSE, "payload": payload("survey_pause", s=s)}]
    params = {"title": view.survey_title, "lines": summary_lines(view), "count": len(view.items)}
    if not view.complete:
        return Reply(response="utter_survey_summary_incomplete", params=params, buttons=buttons)
    buttons.insert(0, {"title": SUBMIT, "payload": payload("survey_submit", s=s)})
    return Reply(response="utter_survey_summary", params=params, buttons=buttons)


def edit_reply(view: SummaryView, spec: sr.SurveySpec) -> Reply:
    """One button per answered question, numbered as in the summary."""
    buttons = [{"title": f"{n}번", "payload": payload("survey_edit", s=view.survey_id, q=question_ref(spec, item.question_id))}
               for n, item in enumerate(view.items, start=1)]
    return Reply(response="utter_survey_edit_choose", buttons=buttons)


def menu_reply(listings: list[SurveyListing]) -> Reply:
    """Open surveys as buttons (new / resume), then 공모전 and 출석체크."""
    lines, buttons = [], []
    for listing in listings[:LIST_MAX]:
        state = {"done": "✅", "in_progress": "▶", "new": "📝"}.get(listing.my_state or "new", "📝")
        lines.append(f"{state} {listing.title}\n   ~{kst_date(listing.closes_at)} · "
                     f"{listing.question_count}문항 · {listing.points:,} P")
        if listing.my_state == "done":
            continue
        title = short(listing.title, 24)
        if listing.my_state == "in_progress":
            title = f"{RESUME_MARK}: {short(listing.title, 18)}"
        buttons.append({"title": title, "payload": payload("survey_start", s=listing.id)})
    buttons += [{"title": CONTESTS, "payload": "/contest_list"},
                {"title": ATTENDANCE, "payload": "/attendance_check"}]
    if not lines:
        return Reply(response="utter_surveys_menu_empty", buttons=buttons)
    return Reply(response="utter_surveys_menu", params={"lines": "\n".join(lines)}, buttons=buttons)
