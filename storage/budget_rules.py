"""Participatory budget (주민참여예산) as pure rules: phases, ballots, funding, won amounts.

No database imports. The services (``storage.services.budget``) store what
these functions decide; every number a budget rule depends on is named here.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from storage.errors import DomainError
from storage.notify_rules import CLOSING_REMINDER_WINDOW, DONGS
from storage.timeutil import as_utc

# --- Limits ---------------------------------------------------------------------
CYCLE_NAME_MAX = 100
PROJECT_TITLE_MIN = 2
# A title is a button label and a chart label; longer ones stop being readable.
PROJECT_TITLE_MAX = 60
PROJECT_DESCRIPTION_MIN = 10
PROJECT_DESCRIPTION_MAX = 1000
SCREENING_REASON_MAX = 500
# A resident can propose this many projects per cycle (spam guard, not a quota).
PROPOSALS_PER_RESIDENT_MAX = 5
# Bounds of a won amount a resident or staff types. Below the minimum is
# nearly always a missing unit ("3000" meant 3000만원); above the maximum is
# more than Jung-gu's whole yearly participatory budget.
PROJECT_COST_MIN_WON = 100_000  # 10만원
PROJECT_COST_MAX_WON = 10_000_000_000  # 100억원
CYCLE_BUDGET_MIN_WON = 1_000_000  # 100만원
CYCLE_BUDGET_MAX_WON = 100_000_000_000  # 1,000억원
# An approval ballot that allowed more picks than this would be a survey, not a vote.
MAX_PICKS_LIMIT = 50
# Draft ballots get their one reminder this long before voting closes (the
# closing-reminder window shared with surveys and contests).
BALLOT_REMINDER_LEAD = CLOSING_REMINDER_WINDOW
# Receipt codes: 8 characters from an alphabet without look-alikes (0/O, 1/I/L).
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 8

# The 15 administrative dongs of Jung-gu (행정동), written once in notify_rules.
JUNG_GU_DONGS = DONGS


# --- Phases ---------------------------------------------------------------------
class Phase(str, enum.Enum):
    """A cycle's phases in order; ``upcoming`` is the time before intake opens."""

    upcoming = "upcoming"
    intake = "intake"
    screening = "screening"
    voting = "voting"
    results = "results"
    closed = "closed"

    @property
    def order(self) -> int:
        return PHASE_ORDER.index(self)

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)
PHASE_LABELS = {
    Phase.upcoming: "준비 중",
    Phase.intake: "사업 제안 접수",
    Phase.screening: "심사",
    Phase.voting: "투표",
    Phase.results: "결과 발표",
    Phase.closed: "종료",
}


@dataclass(frozen=True)
class PhaseTimes:
    """When each phase starts; a phase runs until the next one starts."""

    intake_starts_at: datetime
    screening_starts_at: datetime
    voting_starts_at: datetime
    results_at: datetime
    closes_at: datetime

    def starts(self) -> list[tuple[Phase, datetime]]:
        return [
            (Phase.intake, as_utc(self.intake_starts_at)),
            (Phase.screening, as_utc(self.screening_starts_at)),
            (Phase.voting, as_utc(self.voting_starts_at)),
            (Phase.results, as_utc(self.results_at)),
            (Phase.closed, as_utc(self.closes_at)),
        ]

    def start_of(self, phase: Phase) -> datetime | None:
        return dict(self.starts()).get(phase)


def check_phase_times(times: PhaseTimes) -> None:
    """Raise ``phase_times_out_of_order`` unless every phase starts after the previous one."""
    starts = [at for _, at in times.starts()]
    if any(later <= earlier for earlier, later in zip(starts, starts[1:])):
        raise DomainError("phase_times_out_of_order")


def phase_at(times: PhaseTimes, now: datetime) -> Phase:
    """The scheduled phase at ``now``: a phase includes its start instant, excludes the next's."""
    now = as_utc(now)
    current = Phase.upcoming
    for phase, starts_at in times.starts():
        if now >= starts_at:
            current = phase
    return current


def effective_phase(stored: Phase, times: PhaseTimes, now: datetime) -> Phase:
    """The phase in force: the schedule's, unless staff already moved further ahead.

    Gating uses this rather than the stored phase alone so that a ballot sent
    one second after voting closed is refused even if the scheduler has not
    run yet.
    """
    scheduled = phase_at(times, now)
    return stored if stored.order >= scheduled.order else scheduled


def phases_between(current: Phase, target: Phase) -> list[Phase]:
    """Every phase entered when moving forward from ``current`` to ``target``."""
    return [p for p in PHASE_ORDER if current.order < p.order <= target.order]


def can_set_phase(target: Phase, times: PhaseTimes, now: datetime) -> bool:
    """Staff may move a cycle anywhere not behind its schedule.

    Moving ahead (open voting early, close it early) sticks because the
    scheduler only moves forward; moving back is allowed only to a phase the
    schedule has not passed yet (undoing an early move), so the stored phase is
    never behind the schedule.
    """
    return target.order >= phase_at(times, now).order


def reminder_due(times: PhaseTimes, now: datetime) -> bool:
    """Whether draft ballots should get their reminder now (the last day of voting)."""
    now = as_utc(now)
    closes = as_utc(times.results_at)
    return closes - BALLOT_REMINDER_LEAD <= now < closes


# --- Ballots --------------------------------------------------------------------
class BallotRule(str, enum.Enum):
    approval = "approval"  # pick up to max_picks projects
    budget_limited = "budget_limited"  # picks' total cost within the budget

    @property
    def label(self) -> str:
        return {"approval": "찬성 투표", "budget_limited": "예산 한도 내 선택"}[self.value]


@dataclass(frozen=True)
class BallotPolicy:
    """One cycle's ballot settings."""

    rule: BallotRule
    budget: int
    max_picks: int | None = None
    min_share_percent: int | None = None

    @property
    def min_total(self) -> int:
        """The smallest total a budget-limited ballot must reach (Decidim's minimum rule)."""
        if self.rule is not BallotRule.budget_limited or not self.min_share_percent:
            return 0
        # Round up: "at least 50%" of an odd budget is never met by less than half.
        return -(-self.budget * self.min_share_percent // 100)


def check_ballot_policy(policy: BallotPolicy) -> None:
    """Raise unless the settings make sense together (checked when a cycle is created)."""
    if not CYCLE_BUDGET_MIN_WON <= policy.budget <= CYCLE_BUDGET_MAX_WON:
        raise DomainError("budget_out_of_range", minimum=format_won(CYCLE_BUDGET_MIN_WON),
                          maximum=format_won(CYCLE_BUDGET_MAX_WON))
    if policy.rule is BallotRule.approval and policy.max_picks is None:
        raise DomainError("max_picks_required")
    if policy.max_picks is not None and not 1 <= policy.max_picks <= MAX_PICKS_LIMIT:
        raise DomainError("max_picks_out_of_range", maximum=MAX_PICKS_LIMIT)
    if policy.min_share_percent is not None:
        if policy.rule is not BallotRule.budget_limited or not 0 <= policy.min_share_percent <= 100:
            raise DomainError("min_share_invalid")


def ballot_errors(policy: BallotPolicy, picks: Sequence[tuple[int, int]]) -> list[str]:
    """Every reason the ballot ``picks`` [(project_id, cost)] cannot be submitted, in order."""
    errors: list[str] = []
    ids = [project_id for project_id, _ in picks]
    if not picks:
        errors.append("empty_ballot")
    if len(set(ids)) != len(ids):
        errors.append("duplicate_pick")
    if policy.max_picks is not None and len(picks) > policy.max_picks:
        errors.append("too_many_picks")
    if policy.rule is BallotRule.budget_limited:
        total = sum(cost for _, cost in picks)
        if total > policy.budget:
            errors.append("over_budget")
        if picks and total < policy.min_total:
            errors.append("below_min_share")
    return errors


def check_ballot(
    rule: BallotRule | BallotPolicy,
    budget: int | None = None,
    picks: Sequence[tuple[int, int]] = (),
    *,
    max_picks: int | None = None,
    min_share_percent: int | None = None,
) -> str | None:
    """The first reason the ballot cannot be submitted, or None when it can."""
    policy = rule if isinstance(rule, BallotPolicy) else BallotPolicy(
        rule=BallotRule(rule), budget=int(budget or 0), max_picks=max_picks,
        min_share_percent=min_share_percent,
    )
    errors = ballot_errors(policy, picks)
    return errors[0] if errors else None


def check_add_pick(policy: BallotPolicy, picks: Sequence[tuple[int, int]], cost: int) -> str | None:
    """Why adding a project of ``cost`` to a draft is refused: only hard limits count.

    A draft may be below the minimum share or empty while it is being built;
    it may never hold more picks or more cost than a submittable ballot.
    """
    if policy.max_picks is not None and len(picks) + 1 > policy.max_picks:
        return "too_many_picks"
    if policy.rule is BallotRule.budget_limited and sum(c for _, c in picks) + cost > policy.budget:
        return "over_budget"
    return None


# --- Funding (CONSUL's rule) ----------------------------------------------------
@dataclass(frozen=True)
class ProjectVotes:
    project_id: int
    votes: int
    cost: int


class FundingReason(str, enum.Enum):
    funded = "funded"
    does_not_fit = "does_not_fit"  # skipped: more than the budget still left
    no_votes = "no_votes"  # a project nobody voted for is never funded

    @property
    def label(self) -> str:
        return {"funded": "선정", "does_not_fit": "예산 부족으로 미선정", "no_votes": "득표 없음"}[self.value]


@dataclass(frozen=True)
class FundingLine:
    project_id: int
    votes: int
    cost: int
    funded: bool
    reason: FundingReason
    rank: int


def ranking_key(project: ProjectVotes) -> tuple[int, int, int]:
    """Tie-break: more votes first, then the lower cost (funds more with the same
    money), then the lower project id (submitted earlier). Total and deterministic."""
    return (-project.votes, project.cost, project.project_id)


def fund(projects_with_votes: Iterable[ProjectVotes | tuple[int, int, int]], budget: int) -> list[FundingLine]:
    """CONSUL's rule: in ranking order, fund each project the remaining budget still
    covers and skip (without stopping) the ones that no longer fit."""
    projects = sorted(
        (p if isinstance(p, ProjectVotes) else ProjectVotes(*p) for p in projects_with_votes),
        key=ranking_key,
    )
    remaining = budget
    lines = []
    for rank, project in enumerate(projects, start=1):
        if project.votes <= 0:
            reason = FundingReason.no_votes
        elif project.cost <= remaining:
            reason = FundingReason.funded
            remaining -= project.cost
        else:
            reason = FundingReason.does_not_fit
        lines.append(FundingLine(project.project_id, project.votes, project.cost,
                                 reason is FundingReason.funded, reason, rank))
    return lines


# --- Project fields -------------------------------------------------------------
def clean_title(text: str) -> str:
    """A project title trimmed to one line, or ``project_title_invalid``."""
    title = " ".join((text or "").split())
    if not PROJECT_TITLE_MIN <= len(title) <= PROJECT_TITLE_MAX:
        raise DomainError("project_title_invalid", minimum=PROJECT_TITLE_MIN, maximum=PROJECT_TITLE_MAX)
    return title


def clean_description(text: str) -> str:
    """A project description trimmed, or ``project_description_invalid``."""
    description = (text or "").strip()
    if not PROJECT_DESCRIPTION_MIN <= len(description) <= PROJECT_DESCRIPTION_MAX:
        raise DomainError(
            "project_description_invalid", minimum=PROJECT_DESCRIPTION_MIN, maximum=PROJECT_DESCRIPTION_MAX
        )
    return description


def normalize_dong(text: str) -> str:
    """'명동', ' 신당5동 ', '신당' → the official 행정동 name, or ``unknown_dong``."""
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if name in JUNG_GU_DONGS:
        return name
    if f"{name}동" in JUNG_GU_DONGS:
        return f"{name}동"
    raise DomainError("unknown_dong")


def check_project_cost(cost: int, budget: int) -> None:
    """A project's cost must be a sane amount that fits the cycle's whole budget."""
    check_amount(cost, PROJECT_COST_MIN_WON, PROJECT_COST_MAX_WON)
    if cost > budget:
        raise DomainError("cost_exceeds_budget", budget=format_won(budget))


# --- Won amounts ----------------------------------------------------------------
# Words that make an amount approximate. An estimated cost is fine, a vague one
# is not: screening and the ballot's running total use the number exactly as
# given, so we ask for a plain number instead of silently dropping "쯤".
APPROXIMATION_MARKERS = ("쯤", "정도", "약", "대략", "가량", "내외", "안팎", "남짓", "언저리",
                         "이상", "이하", "미만", "초과", "넘게", "여", "~", "∼")
_NEGATIVE = re.compile(r"^(-|−|마이너스)")
_POLITE_ENDINGS = ("입니다", "이에요", "예요", "이요", "요")
_KOREAN_DIGITS = {"영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5,
                  "육": 6, "칠": 7, "팔": 8, "구": 9}
_SMALL_UNITS = {"십": 10, "백": 100, "천": 1000}
_BIG_UNITS = {"만": 10**4, "억": 10**8, "조": 10**12}
_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|[영공일이삼사오육칠팔구십백천만억조]")


def parse_won(text: str, *, minimum: int = PROJECT_COST_MIN_WON, maximum: int = PROJECT_COST_MAX_WON) -> int:
    """'3000만원', '3,000만 원', '1억 2천만원', '1.5억', '30000000', '삼천만원' → won.

    Raises ``amount_approximate`` ("삼천만원쯤"), ``amount_not_positive``
    (negative or zero), ``amount_unreadable``, ``amount_too_small`` or
    ``amount_too_large`` (outside [minimum, maximum]).
    """
    raw = unicodedata.normalize("NFKC", text or "").strip()
    compact = re.sub(r"\s+", "", raw)
    if any(marker in compact for marker in APPROXIMATION_MARKERS):
        raise DomainError("amount_approximate")
    if _NEGATIVE.match(compact):
        raise DomainError("amount_not_positive")
    for ending in _POLITE_ENDINGS:
        if compact.endswith(ending) and len(compact) > len(ending):
            compact = compact[: -len(ending)]
            break
    says_won = compact.endswith("원")
    amount = _parse_korean_number(compact.removesuffix("원"), trailing_digits_ok=says_won)
    if amount is None:
        raise DomainError("amount_unreadable")
    if amount <= 0:
        raise DomainError("amount_not_positive")
    check_amount(amount, minimum, maximum)
    return amount


def check_amount(amount: int, minimum: int, maximum: int) -> None:
    """Raise ``amount_not_positive``, ``amount_too_small`` or ``amount_too_large``."""
    if amount <= 0:
        raise DomainError("amount_not_positive")
    if amount < minimum:
        raise DomainError("amount_too_small", minimum=format_won(minimum))
    if amount > maximum:
        raise DomainError("amount_too_large", maximum=format_won(maximum))


def _parse_korean_number(text: str, *, trailing_digits_ok: bool = False) -> int | None:
    """Digits, Korean numerals and 십/백/천/만/억/조 in any mix; None if malformed.

    A bare number after 만/억 ("1억 5000") is read only when the text ended
    in 원 ("1억 5000원"): people say "1억 5000" for 1억 5천만.
    """
    if not text:
        return None
    tokens = _TOKEN.findall(text)
    if "".join(tokens) != text:
        return None
    total = Decimal(0)
    section = Decimal(0)  # the part below the next big unit, e.g. 2천 in 1억 2천만
    number: Decimal | None = None
    last_big = None
    last_small = None
    for token in tokens:
        if token[0].isdigit() or token in _KOREAN_DIGITS:
            if number is not None:
                return None  # two numbers in a row: "삼오", "3 000" read as two
            try:
                number = Decimal(token.replace(",", "")) if token[0].isdigit() else Decimal(_KOREAN_DIGITS[token])
            except InvalidOperation:
                return None
        elif token in _SMALL_UNITS:
            unit = _SMALL_UNITS[token]
            if last_small is not None and unit >= last_small:
                return None  # "백천"
            section += (Decimal(1) if number is None else number) * unit
            number, last_small = None, unit
        else:
            unit = _BIG_UNITS[token]
            if last_big is not None and unit >= last_big:
                return None  # "만억", "3천만 5백만"
            section += number if number is not None else Decimal(0)
            total += (section if section else Decimal(1)) * unit
            section, number, last_big, last_small = Decimal(0), None, unit, None
    if last_big is not None and number is not None and not trailing_digits_ok:
        return None
    total += section + (number if number is not None else Decimal(0))
    if total != total.to_integral_value():
        return None  # fractions of a won: "1.5원"
    return int(total)


def format_won(amount: int) -> str:
    """30000000 → '3,000만원'; 120000000 → '1억 2,000만원'; 1234567 → '1,234,567원'."""
    if amount <= 0 or amount % 10_000:
        return f"{amount:,}원"
    eok, man = divmod(amount // 10_000, 10_000)
    parts = ([f"{eok:,}억"] if eok else []) + ([f"{man:,}만"] if man else [])
    return " ".join(parts) + "원"


def format_won_short(amount: int) -> str:
    """A compact label for charts: 150000000 → '1.5억', 30000000 → '3,000만', 5000 → '5,000원'."""
    if amount >= 10**8:
        value = f"{amount / 10**8:.2f}".rstrip("0").rstrip(".")
        return f"{value}억"
    if amount >= 10_000:
        return f"{round(amount / 10_000):,}만"
    return f"{amount:,}원"


def receipt_code_format(raw: str) -> str:
    """'7K3MQ9XA' → '7K3M-Q9XA' (easier to read aloud)."""
    return f"{raw[:4]}-{raw[4:]}"


def normalize_receipt_code(text: str) -> str:
    """What a resident typed ('7k3m q9xa', '7K3M-Q9XA') → the stored form."""
    raw = re.sub(r"[^0-9A-Za-z]", "", text or "").upper()
    return receipt_code_format(raw) if len(raw) == RECEIPT_LENGTH else raw
