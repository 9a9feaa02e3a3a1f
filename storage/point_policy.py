"""The point policy (``point_policy.yml``) as a validated, frozen object, and its pure rules.

No database imports: the ledger services ask this module how many points an
activity is worth, how much of it fits under the caps, which exchange amounts
are allowed and when a request made at a given instant is paid.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from storage.errors import DomainError
from storage.timeutil import KST, to_kst

ACTIVITIES = (
    "survey_completed", "contest_entry", "contest_win", "proposal_submitted",
    "endorsement_given", "proposal_reached_review", "budget_vote_cast",
    "offline_checkin", "attendance_checkin", "volunteer_100h",
    "meeting_attendance",  # issue 16 (영상회의)
)
TEXT_KEYS = {
    "award_subject": {"label", "subject"},
    "award_capped": {"requested", "points"},
    "hold": {"amount"},
    "release": {"amount"},
    "payout": {"amount", "quarter"},
    "reversal": {"label", "reason"},
    "expiry": {"months"},
}
QUARTER_MONTHS = 3


class PolicyError(ValueError):
    """The policy file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class ActivityRule:
    key: str
    points: int
    max_points: int
    daily_cap: int | None
    label: str
    howto: str


@dataclass(frozen=True)
class PointPolicy:
    activities: Mapping[str, ActivityRule]
    annual_cap: int
    min_exchange: int
    exchange_unit: int
    max_exchange: int | None
    exchange_choices: int
    expiry_months: int | None
    payout_day: int
    checkin_opens_before: timedelta
    checkin_closes_after: timedelta
    volunteer_min_hours: int
    texts: Mapping[str, str]

    def activity(self, key: str) -> ActivityRule:
        """The rule of one activity; unknown keys are a programming error."""
        try:
            return self.activities[key]
        except KeyError:
            raise ValueError(f"unknown point activity {key!r}") from None

    # --- caps -----------------------------------------------------------------
    def points_that_fit(self, requested: int, rule: ActivityRule, earned_year: int, earned_today: int) -> int:
        """How much of ``requested`` fits under the annual and the activity's daily cap."""
        room = max(0, self.annual_cap - earned_year)
        if rule.daily_cap is not None:
            room = min(room, max(0, rule.daily_cap - earned_today))
        return min(requested, room)

    # --- exchange ---------------------------------------------------------------
    def check_exchange_amount(self, amount: int, available: int) -> None:
        """Raise the DomainError that refuses ``amount`` given ``available``, if any."""
        if amount < self.min_exchange:
            raise DomainError("below_minimum", minimum=self.min_exchange, amount=amount)
        if amount % self.exchange_unit:
            raise DomainError("not_exchange_unit", unit=self.exchange_unit, amount=amount)
        if self.max_exchange is not None and amount > self.max_exchange:
            raise DomainError("above_maximum", maximum=self.max_exchange, amount=amount)
        if amount > available:
            raise DomainError("insufficient_points", available=available, amount=amount)

    def exchange_options(self, available: int) -> list[int]:
        """Allowed amounts for ``available`` points: a few, always the smallest and the largest."""
        top = available if self.max_exchange is None else min(available, self.max_exchange)
        top -= top % self.exchange_unit
        if top < self.min_exchange:
            return []
        amounts = list(range(self.min_exchange, top + 1, self.exchange_unit))
        if len(amounts) <= self.exchange_choices:
            return amounts
        last = len(amounts) - 1
        picks = {round(i * last / (self.exchange_choices - 1)) for i in range(self.exchange_choices)}
        return [amounts[i] for i in sorted(picks)]

    # --- payout schedule ------------------------------------------------------------
    def next_payout_date(self, now: datetime) -> date:
        """KST date by which a request made at ``now`` is paid (next quarter's first month)."""
        year, quarter = quarter_of(now)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        return date(year, quarter_first_month(quarter), self.payout_day)

    # --- Korean texts --------------------------------------------------------------
    def describe(self, kind: str, activity: str | None, points: int, params: Mapping[str, Any]) -> str:
        """The history line of one ledger entry, in Korean."""
        label = self.activities[activity].label if activity in self.activities else (activity or "")
        if kind == "award":
            text = label
            if params.get("subject"):
                text = self.texts["award_subject"].format(label=label, subject=params["subject"])
            if "requested" in params:
                text += self.texts["award_capped"].format(
                    requested=f"{params['requested']:,}", points=f"{points:,}")
            return text
        if kind == "reversal":
            return self.texts["reversal"].format(label=label, reason=params.get("reason", ""))
        if kind == "expiry":
            return self.texts["expiry"].format(months=params.get("months", self.expiry_months))
        return self.texts[kind].format(amount=f"{params.get('amount', 0):,}",
                                       quarter=quarter_ko(params.get("quarter", "")))

    def howto_lines(self) -> str:
        """One line per activity for "포인트 어떻게 모아요?"."""
        lines = []
        for rule in self.activities.values():
            amount = f"{rule.points:,} P" if rule.max_points == rule.points else f"기본 {rule.points:,} P"
            daily = f" (하루 최대 {rule.daily_cap:,} P)" if rule.daily_cap is not None else ""
            lines.append(f"• {rule.howto}: {amount}{daily}")
        return "\n".join(lines)

    def rules_text(self) -> str:
        """The caps, exchange and payout rules in plain Korean."""
        lines = [
            f"• 한 해 최대 {self.annual_cap:,} P까지 적립돼요.",
            f"• {self.min_exchange:,} P부터 {self.exchange_unit:,} P 단위로 상품권(1 P = 1원)으로 바꿀 수 있어요.",
            f"• 교환 신청은 분기마다 모아 다음 분기 첫 달 {self.payout_day}일까지 지급해요.",
        ]
        if self.max_exchange is not None:
            lines.append(f"• 한 번에 최대 {self.max_exchange:,} P까지 신청할 수 있어요.")
        if self.expiry_months is None:
            lines.append("• 포인트는 소멸되지 않아요.")
        else:
            lines.append(f"• 적립 후 {self.expiry_months}개월이 지난 포인트는 먼저 적립된 것부터 소멸돼요.")
        return "\n".join(lines)


# --- quarters (KST calendar quarters) ---------------------------------------------
def quarter_of(instant: datetime) -> tuple[int, int]:
    """(year, quarter 1–4) of an instant in KST."""
    local = to_kst(instant)
    return local.year, (local.month - 1) // QUARTER_MONTHS + 1


def quarter_first_month(quarter: int) -> int:
    return (quarter - 1) * QUARTER_MONTHS + 1


def quarter_start(year: int, quarter: int) -> datetime:
    """The first instant of a KST quarter, as aware UTC."""
    return datetime(year, quarter_first_month(quarter), 1, tzinfo=KST).astimezone(timezone.utc)


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"


def quarter_ko(label: str) -> str:
    """'2026-Q3' → '2026년 3분기' (anything else is returned unchanged)."""
    year, _, quarter = label.partition("-Q")
    return f"{year}년 {quarter}분기" if year.isdigit() and quarter.isdigit() else label


def last_closed_quarter(now: datetime) -> tuple[int, int, datetime]:
    """(year, quarter, cut-off) of the latest quarter that has ended by ``now``.

    The cut-off is the first instant of the current quarter: requests made
    before it belong to the closed quarter's payout.
    """
    year, quarter = quarter_of(now)
    cutoff = quarter_start(year, quarter)
    year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return year, quarter, cutoff


def kst_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the KST day containing ``now``, as aware UTC."""
    local = to_kst(now)
    start = datetime(local.year, local.month, local.day, tzinfo=KST)
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)


def kst_year_bounds(now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the KST calendar year containing ``now``, as aware UTC."""
    year = to_kst(now).year
    return (datetime(year, 1, 1, tzinfo=KST).astimezone(timezone.utc),
            datetime(year + 1, 1, 1, tzinfo=KST).astimezone(timezone.utc))


def months_before(now: datetime, months: int) -> datetime:
    """The same KST wall-clock instant ``months`` months earlier (day clamped to month end)."""
    local = to_kst(now)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    day = min(local.day, (next_first - timedelta(days=1)).day)
    return local.replace(year=year, month=month, day=day).astimezone(timezone.utc)


# --- loading and validation ---------------------------------------------------------
def load_policy(path: Path | str | None = None) -> PointPolicy:
    """The policy from ``path`` or StorageSettings.point_policy_path, parsed once per path."""
    if path is None:
        from storage.settings import StorageSettings

        path = StorageSettings.from_env().point_policy_path
    return _load_cached(Path(path).resolve())


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> PointPolicy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the point policy ({exc})") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML ({exc})") from exc
    return parse_policy(raw, source=str(path))


def parse_policy(raw: Any, source: str = "point policy") -> PointPolicy:
    """Validate the YAML document and build the policy; errors name the offending field."""
    v = _Validator(source)
    top = v.mapping(raw, "", {"activities", "annual_cap", "exchange", "expiry_months", "payout",
                             "events", "volunteer", "texts"})
    volunteer = v.mapping(top["volunteer"], "volunteer", {"min_hours"})
    min_hours = v.integer(volunteer["min_hours"], "volunteer.min_hours", minimum=1)
    activities = v.mapping(top["activities"], "activities", set(ACTIVITIES))
    rules = {key: v.activity(activities[key], key, min_hours) for key in ACTIVITIES}
    exchange = v.mapping(top["exchange"], "exchange", {"minimum", "unit", "max_per_request", "choices"})
    minimum = v.integer(exchange["minimum"], "exchange.minimum", minimum=1)
    unit = v.integer(exchange["unit"], "exchange.unit", minimum=1)
    if minimum % unit:
        v.fail("exchange.minimum", f"must be a multiple of exchange.unit ({unit}), got {minimum}")
    maximum = v.optional_integer(exchange["max_per_request"], "exchange.max_per_request", minimum=minimum)
    if maximum is not None and maximum % unit:
        v.fail("exchange.max_per_request", f"must be a multiple of exchange.unit ({unit})")
    payout = v.mapping(top["payout"], "payout", {"pay_day"})
    events = v.mapping(top["events"], "events", {"open_before_minutes", "close_after_minutes"})
    texts = v.mapping(top["texts"], "texts", set(TEXT_KEYS))
    return PointPolicy(
        activities=MappingProxyType(rules),
        annual_cap=v.integer(top["annual_cap"], "annual_cap", minimum=1),
        min_exchange=minimum,
        exchange_unit=unit,
        max_exchange=maximum,
        exchange_choices=v.integer(exchange["choices"], "exchange.choices", minimum=2),
        expiry_months=v.optional_integer(top["expiry_months"], "expiry_months", minimum=1),
        # Day 28 at most so every month has it.
        payout_day=v.integer(payout["pay_day"], "payout.pay_day", minimum=1, maximum=28),
        checkin_opens_before=timedelta(minutes=v.integer(
            events["open_before_minutes"], "events.open_before_minutes", minimum=0)),
        checkin_closes_after=timedelta(minutes=v.integer(
            events["close_after_minutes"], "events.close_after_minutes", minimum=0)),
        volunteer_min_hours=min_hours,
        texts=MappingProxyType({key: v.template(texts[key], f"texts.{key}", TEXT_KEYS[key])
                                for key in TEXT_KEYS}),
    )


class _Validator:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> None:
        raise PolicyError(f"{self.source}: {where or 'top level'} {problem}")

    def mapping(self, value: Any, where: str, keys: set[str], optional: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"must be a mapping, got {type(value).__name__}")
        missing = keys - optional - set(value)
        unknown = set(value) - keys
        if missing:
            self.fail(where, f"is missing {', '.join(sorted(missing))}")
        if unknown:
            self.fail(where, f"has unknown keys {', '.join(sorted(map(str, unknown)))}")
        return value

    def integer(self, value: Any, where: str, minimum: int = 0, maximum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"must be a whole number, got {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.fail(where, f"must be {bound}, got {value}")
        return value

    def optional_integer(self, value: Any, where: str, minimum: int = 0) -> int | None:
        return None if value is None else self.integer(value, where, minimum)

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"must be a non-empty text, got {value!r}")
        return value.strip()

    def template(self, value: Any, where: str, allowed: set[str]) -> str:
        # Not stripped: a template may start with a space on purpose (a suffix).
        text = value if isinstance(value, str) and value.strip() else self.text(value, where)
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        if used - allowed:
            self.fail(where, f"uses unknown placeholders {sorted(used - allowed)}; allowed: {sorted(allowed)}")
        return text

    def activity(self, value: Any, key: str, min_hours: int) -> ActivityRule:
        where = f"activities.{key}"
        entry = self.mapping(value, where, {"points", "max_points", "daily_cap", "label", "howto"},
                             optional={"max_points"})
        points = self.integer(entry["points"], f"{where}.points")
        max_points = self.integer(entry.get("max_points", points), f"{where}.max_points", minimum=points)
        daily_cap = self.optional_integer(entry["daily_cap"], f"{where}.daily_cap", minimum=1)
        return ActivityRule(
            key=key, points=points, max_points=max_points, daily_cap=daily_cap,
            label=self.template(entry["label"], f"{where}.label", {"min_hours"}).format(min_hours=min_hours),
            howto=self.template(entry["howto"], f"{where}.howto", {"min_hours"}).format(min_hours=min_hours),
        )
