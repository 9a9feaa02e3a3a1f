"""Policy proposals (정책제안) and endorsements (주민공감) as pure rules.

No database imports. Every number the proposal life cycle depends on is named
here once; ``load_config`` lets operators override them from the environment.
Services snapshot the threshold and the closing time on each proposal when it
opens, so changing a setting never moves the goalposts of a running proposal.
"""
from __future__ import annotations

import enum
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from storage.errors import DomainError
from storage.rules import DONGS  # noqa: F401  (re-exported: the form offers them)
from storage.timeutil import KST, as_utc, to_kst

# --- Thresholds and deadlines (defaults; see load_config) ----------------------
# 주민공감 50 or more → the district takes the proposal up (policy card).
ENDORSEMENTS_FOR_REVIEW = 50
# Endorsements are collected for this many KST calendar days after the day of
# submission; the window ends at midnight KST.
ENDORSEMENT_WINDOW_DAYS = 30
# Seoul answers a proposal with 50 endorsements within 30 days (DOMAIN.md).
REVIEW_DEADLINE_DAYS = 30
# Counts at which the author gets a nudge.
MILESTONES = (10, 25, 40)

# --- Text bounds (characters after NFC normalisation) --------------------------
TITLE_MIN, TITLE_MAX = 5, 60
BODY_MIN, BODY_MAX = 20, 2000
SUMMARY_MAX = 80
# Answers are delivered inside one Telegram message (4,096 chars) with a header.
ANSWER_MAX = 3000
HIDE_REASON_MAX = 200
PHOTO_FILE_ID_MAX = 255

# --- Browsing -------------------------------------------------------------------
PAGE_SIZE_DEFAULT = 5
PAGE_SIZE_MAX = 20
SEARCH_RESULTS_MAX = 5
SORTS = ("newest", "most_endorsed")

CATEGORIES: dict[str, str] = {
    "traffic": "교통·주차",
    "environment": "환경·청소",
    "welfare": "복지",
    "culture": "문화·관광",
    "safety": "안전",
    "education": "교육",
    "economy": "경제·일자리",
    "other": "기타",
}

class ProposalStatus(str, enum.Enum):
    open = "open"
    under_review = "under_review"
    answered = "answered"
    expired = "expired"
    hidden = "hidden"


class AnswerResult(str, enum.Enum):
    accepted = "accepted"
    partly_accepted = "partly_accepted"
    not_accepted = "not_accepted"


STATUS_LABELS: dict[str, str] = {
    "open": "공감 모집 중",
    "under_review": "구청 검토 중",
    "answered": "답변 완료",
    "expired": "기간 만료",
    "hidden": "비공개",
}

RESULT_LABELS: dict[str, str] = {
    "accepted": "수용",
    "partly_accepted": "일부 수용",
    "not_accepted": "불수용",
}


# --- Settings -------------------------------------------------------------------
@dataclass(frozen=True)
class ProposalConfig:
    """The tunable numbers of the life cycle, validated once."""

    endorsements_for_review: int = ENDORSEMENTS_FOR_REVIEW
    endorsement_window_days: int = ENDORSEMENT_WINDOW_DAYS
    review_deadline_days: int = REVIEW_DEADLINE_DAYS
    milestones: tuple[int, ...] = MILESTONES

    def __post_init__(self) -> None:
        if self.endorsements_for_review < 1:
            raise ValueError("endorsements_for_review must be at least 1")
        if self.endorsement_window_days < 1 or self.review_deadline_days < 1:
            raise ValueError("windows and deadlines are whole days, at least 1")
        if list(self.milestones) != sorted(set(self.milestones)) or any(
            not 0 < m < self.endorsements_for_review for m in self.milestones
        ):
            raise ValueError("milestones must be increasing and below the review threshold")


ENV_PREFIX = "PROPOSAL_"


def load_config(environ: Mapping[str, str] | None = None) -> ProposalConfig:
    """Defaults above, overridden by PROPOSAL_ENDORSEMENTS_FOR_REVIEW, PROPOSAL_MILESTONES="10,25,40" etc."""
    env = os.environ if environ is None else environ

    def number(name: str, default: int) -> int:
        raw = env.get(ENV_PREFIX + name)
        return default if raw is None or not raw.strip() else int(raw)

    raw_milestones = env.get(ENV_PREFIX + "MILESTONES")
    milestones = (
        MILESTONES if raw_milestones is None
        else tuple(int(part) for part in raw_milestones.split(",") if part.strip())
    )
    return ProposalConfig(
        endorsements_for_review=number("ENDORSEMENTS_FOR_REVIEW", ENDORSEMENTS_FOR_REVIEW),
        endorsement_window_days=number("ENDORSEMENT_WINDOW_DAYS", ENDORSEMENT_WINDOW_DAYS),
        review_deadline_days=number("REVIEW_DEADLINE_DAYS", REVIEW_DEADLINE_DAYS),
        milestones=milestones,
    )


# --- Thresholds -----------------------------------------------------------------
def reaches_review(count: int, threshold: int = ENDORSEMENTS_FOR_REVIEW) -> bool:
    """True once the endorsement count is enough for official review."""
    return count >= threshold


def is_milestone(count: int, milestones: tuple[int, ...] = MILESTONES) -> bool:
    """True when the author deserves a nudge at exactly this count."""
    return count in milestones


def progress_percent(count: int, threshold: int = ENDORSEMENTS_FOR_REVIEW) -> int:
    """Whole percent toward the threshold, at most 100."""
    return min(100, count * 100 // threshold)


# --- Time -------------------------------------------------------------------------
def _kst_midnight(day: date) -> datetime:
    return as_utc(datetime.combine(day, time(0), tzinfo=KST))


def closes_at_for(opened_at: datetime, window_days: int = ENDORSEMENT_WINDOW_DAYS) -> datetime:
    """End of the endorsement window: midnight KST after the window's last day."""
    return _kst_midnight(to_kst(opened_at).date() + timedelta(days=window_days + 1))


def review_due_for(started_at: datetime, deadline_days: int = REVIEW_DEADLINE_DAYS) -> datetime:
    """End of the review deadline: midnight KST after its last day."""
    return _kst_midnight(to_kst(started_at).date() + timedelta(days=deadline_days + 1))


def last_day(closes_at: datetime) -> date:
    """The last KST calendar day before an exclusive midnight deadline."""
    return to_kst(as_utc(closes_at) - timedelta(microseconds=1)).date()


def is_past(deadline: datetime, now: datetime) -> bool:
    """Deadlines are exclusive: at the deadline instant it is already over."""
    return as_utc(now) >= as_utc(deadline)


def days_left(closes_at: datetime, now: datetime) -> int | None:
    """KST calendar days after today that are still open (0 = today is the last day); None once closed."""
    if is_past(closes_at, now):
        return None
    return (last_day(closes_at) - to_kst(now).date()).days


def review_overdue(status: str, review_due_at: datetime | None, now: datetime) -> bool:
    """A proposal under review whose answer deadline has passed."""
    return status == ProposalStatus.under_review.value and review_due_at is not None and is_past(review_due_at, now)


def effective_status(status: str, closes_at: datetime, now: datetime) -> str:
    """The status residents see: an open proposal past its window is expired even before the scheduler runs."""
    if status == ProposalStatus.open.value and is_past(closes_at, now):
        return ProposalStatus.expired.value
    return status


# --- Permissions (reason codes; None means allowed) --------------------------------
def can_endorse(status: str, now: datetime, closes_at: datetime, is_author: bool) -> str | None:
    """Why a resident may not endorse now, or None."""
    status = effective_status(status, closes_at, now)
    if status == ProposalStatus.hidden.value:
        return "proposal_hidden"
    if status == ProposalStatus.expired.value:
        return "proposal_expired"
    if status != ProposalStatus.open.value:
        return "proposal_not_open"
    if is_author:
        return "own_proposal"
    return None


def can_withdraw(status: str, now: datetime, closes_at: datetime) -> str | None:
    """Why an endorsement may not be withdrawn now, or None (only while open)."""
    status = effective_status(status, closes_at, now)
    if status == ProposalStatus.hidden.value:
        return "proposal_hidden"
    if status == ProposalStatus.expired.value:
        return "proposal_expired"
    if status != ProposalStatus.open.value:
        return "proposal_not_open"
    return None


# --- Text -------------------------------------------------------------------------
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str | None) -> str:
    """NFC (so decomposed Hangul counts one per syllable), no invisible characters, tidy whitespace."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_title(text: str | None) -> str:
    """A title is one line."""
    return " ".join(clean_text(text).split())


def text_length(text: str) -> int:
    """Characters as a resident counts them: precomposed Hangul syllables are one each."""
    return len(unicodedata.normalize("NFC", text))


def has_words(text: str) -> bool:
    """False for text made only of emoji, symbols and punctuation."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def _length_error(field: str, text: str, low: int, high: int) -> str | None:
    if not text:
        return f"{field}_empty"
    if not has_words(text):
        return f"{field}_emoji_only"
    length = text_length(text)
    if length < low:
        return f"{field}_too_short"
    if length > high:
        return f"{field}_too_long"
    return None


def validate_title(text: str | None) -> str | None:
    """title_empty / title_emoji_only / title_too_short / title_too_long, or None."""
    return _length_error("title", clean_title(text), TITLE_MIN, TITLE_MAX)


def validate_body(text: str | None) -> str | None:
    """body_empty / body_emoji_only / body_too_short / body_too_long, or None."""
    return _length_error("body", clean_text(text), BODY_MIN, BODY_MAX)


def ensure_title(text: str | None) -> str:
    """The cleaned title, or DomainError(code, min, max, length) for the form's reply."""
    cleaned = clean_title(text)
    code = validate_title(cleaned)
    if code:
        raise DomainError(code, min=TITLE_MIN, max=TITLE_MAX, length=text_length(cleaned))
    return cleaned


def ensure_body(text: str | None) -> str:
    """The cleaned body, or DomainError(code, min, max, length) for the form's reply."""
    cleaned = clean_text(text)
    code = validate_body(cleaned)
    if code:
        raise DomainError(code, min=BODY_MIN, max=BODY_MAX, length=text_length(cleaned))
    return cleaned


def summarize(text: str, limit: int = SUMMARY_MAX) -> str:
    """One line of at most ``limit`` characters, cut with an ellipsis."""
    line = " ".join(clean_text(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# --- Parsing what residents type or press ------------------------------------------
def _key(text: str) -> str:
    return "".join(clean_text(text).split()).lower()


def parse_category(text: str | None) -> str | None:
    """'traffic', '교통·주차', '교통', '주차', '기타' → category code, else None."""
    if not text:
        return None
    key = _key(text).replace("ㆍ", "·").replace("/", "·").replace(",", "·")
    for code, label in CATEGORIES.items():
        if key in (code, label, label.replace("·", "")) or key in label.split("·"):
            return code
    return None


def parse_dong(text: str | None) -> str | None:
    """'myeong', '명동', '신당 5동', '을지로' → dong code, else None."""
    if not text:
        return None
    key = _key(text)
    for code, name in DONGS.items():
        stem = name[:-1]
        if key in (code, name) or (len(stem) >= 2 and key == stem):
            return code
    return None


def require_category(code: str | None) -> str:
    """A known category code, or ``unknown_category``."""
    if code not in CATEGORIES:
        raise DomainError("unknown_category", category=code or "")
    return code


def require_dong(code: str | None) -> str | None:
    """A known dong code, None when not given, or ``unknown_dong``."""
    if code is None or code == "":
        return None
    if code not in DONGS:
        raise DomainError("unknown_dong", dong=code)
    return code


_NUMBER = re.compile(r"(?:#\s*(\d{1,9})|(\d{1,9})\s*번)")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,9})\s*$")


def parse_number(text: str | None) -> int | None:
    """'3번 제안에 공감할래', '#3', '3' → 3; None when no proposal number is given."""
    if not text:
        return None
    match = _NUMBER.search(text) or _BARE_NUMBER.match(text)
    if not match:
        return None
    return int(next(group for group in match.groups() if group))


# Words that ask for proposals rather than describe them.
_STOPWORDS = frozenset(
    "제안 제안들 정책 정책제안 보여줘 보여주세요 보여 줘 주세요 찾아줘 찾아 찾아주세요 검색 검색해줘 "
    "관련 관련된 관한 대한 있어 있어요 있나요 있니 좀 알려줘 알려주세요 목록 뭐 어떤 것 거 "
    "공감 공감할래 공감해줘 공감해요 자세히".split()
)
# Particles stripped from the end of a search word (longest first).
_PARTICLES = ("에서", "으로", "에게", "까지", "부터", "이랑", "하고", "에", "의", "을", "를", "은", "는", "이", "가", "로", "도", "만")


def search_terms(text: str | None) -> list[str]:
    """'가로등 제안 보여줘' → ['가로등']: words worth matching against titles and bodies."""
    terms: list[str] = []
    for word in re.findall(r"[\w·]+", clean_text(text or "")):
        word = word.lower()
        if word in _STOPWORDS or re.fullmatch(r"\d+번?", word):
            continue
        for particle in _PARTICLES:
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                word = word[: -len(particle)]
                break
        if word in _STOPWORDS or len(word) < 2 or word in terms:
            continue
        terms.append(word)
    return terms


def page_count(total: int, page_size: int) -> int:
    """At least one page, even when empty."""
    return max(1, -(-total // page_size))
