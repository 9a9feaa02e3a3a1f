"""Demo content: a realistic Jung-gu for `make run`, seeded through the same services the chat uses.

Every item is marked 예시, dated relative to today (KST) and built offline.
Seeding happens only into a new SQLite database with no rows of its own
(never into a database with real rows, never into PostgreSQL, never with
``DEMO=0``), in one transaction, and a second run changes nothing.

Notices the services queue while the demo's past is replayed are marked sent:
they belong to the past, and nobody should be woken by them.
"""
from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from storage import proposal_rules, qr
from storage.budget_rules import BallotRule, PhaseTimes
from storage.db import engine_for, migrate, session_scope
from storage.models import Announcement, BudgetCycle, Event, PointEntry, Proposal, Resident, Role
from storage.models.contests import Contest
from storage.models.news import NewsItem
from storage.models.surveys import Survey
from storage.point_policy import load_policy, quarter_of, quarter_start
from storage.poster import render_poster
from storage.services import (
    announcements, attendance, budget, contests, events, meetings, news, outbox, points, proposals, residents,
    subscriptions, surveys, volunteer,
)
from storage.services.survey_loader import load_survey_file
from storage.settings import PROJECT_ROOT, StorageSettings
from storage.timeutil import KST, utcnow

# Fixed Telegram ids the chat page opens (telegram_local gets them from the stack).
RESIDENT_ID = 700001
RESIDENT_NAME = "김중구(예시)"
SECOND_RESIDENT_ID = 700002
SECOND_RESIDENT_NAME = "이을지(예시)"
STAFF_ID = 900001
STAFF_NAME = "박민원(예시 직원)"
FILLER_BASE = 7_100_000  # 주민 예시 01 … : endorsers, voters, proposers
FILLERS = 60

SURVEY_FILE = PROJECT_ROOT / "storage" / "surveys" / "satisfaction_2026.yml"
MARK = "(예시)"


@dataclass(frozen=True)
class DemoInfo:
    """What the stack tells the chat page and the banner."""

    resident_id: int = RESIDENT_ID
    resident_name: str = RESIDENT_NAME
    second_resident_id: int = SECOND_RESIDENT_ID
    second_resident_name: str = SECOND_RESIDENT_NAME
    staff_id: int = STAFF_ID
    staff_name: str = STAFF_NAME
    poster_link: str | None = None
    poster_png: str | None = None
    poster_pdf: str | None = None
    near_proposal_id: int | None = None  # two 공감 short of review

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2)


# --- when and whether ---------------------------------------------------------------
def enabled(database_url: str, env: dict[str, str] | None = None) -> bool:
    """Demo content only for the embedded SQLite database and unless DEMO=0."""
    env = dict(os.environ) if env is None else env
    return env.get("DEMO", "1") != "0" and database_url.startswith("sqlite")


_CONTENT_TABLES = (Resident, Proposal, Survey, NewsItem, Event, BudgetCycle, Contest, Announcement, PointEntry)


def state(session: Session) -> str:
    """'seeded' (demo rows present), 'empty' (nothing at all) or 'real' (rows that are not the demo's)."""
    if residents.find(session, RESIDENT_ID) is not None and residents.find(session, STAFF_ID) is not None:
        return "seeded"
    for model in _CONTENT_TABLES:
        if session.scalar(select(func.count()).select_from(model)):
            return "real"
    return "empty"


# --- helpers ------------------------------------------------------------------------
class _Clock:
    """KST days relative to the seeding day."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = now.astimezone(KST).date()

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def at(self, offset: int, hour: int = 10, minute: int = 0) -> datetime:
        local = datetime.combine(self.day(offset), time(hour, minute), tzinfo=KST)
        return local.astimezone(timezone.utc)


def _register(session: Session, telegram_id: int, name: str, when: datetime) -> Resident:
    resident, _ = residents.register(session, telegram_id, name, now=when)
    session.flush()
    return resident


def _photo(path: Path, seed: int, label: str) -> None:
    """A small generated 'photo' (sky, skyline, lights) so contest entries have pictures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = 480, 320
    img = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(img)
    top = [(20, 40, 90), (250, 150, 80), (40, 90, 160)][seed % 3]
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(c * (1 - t) + 15 * t) for c in top))
    x = 0
    for i in range(14):
        bw = 22 + (i * 37 + seed * 11) % 30
        bh = 60 + (i * 53 + seed * 29) % 140
        draw.rectangle([x, h - bh, x + bw, h], fill=(30 + i * 3, 30, 45))
        for wy in range(h - bh + 8, h - 8, 14):
            for wx in range(x + 4, x + bw - 4, 8):
                if (wx + wy + seed) % 3:
                    draw.rectangle([wx, wy, wx + 3, wy + 5], fill=(255, 220, 120))
        x += bw + 4
    draw.rectangle([0, 0, 120, 28], fill=(0, 0, 0))
    draw.text((8, 8), label, fill=(255, 255, 255))
    img.save(path, "PNG")


# --- the seed -----------------------------------------------------------------------
def seed(session: Session, *, now: datetime | None = None, media_dir: Path | None = None) -> DemoInfo:
    """Build the demo district; the caller checked :func:`state` is 'empty'."""
    now = now or utcnow()
    clock = _Clock(now)
    media = media_dir or StorageSettings.from_env().media_dir
    long_ago = clock.at(-240, 9)

    staff = _register(session, STAFF_ID, STAFF_NAME, long_ago)
    residents.set_role(session, STAFF_ID, Role.staff)
    me = _register(session, RESIDENT_ID, RESIDENT_NAME, long_ago)
    second = _register(session, SECOND_RESIDENT_ID, SECOND_RESIDENT_NAME, long_ago)
    for person, dong in ((me, "sindang"), (second, "euljiro")):
        subscriptions.set_defaults(session, person.id, None, now=long_ago)
        subscriptions.set_dong(session, person.id, dong)
    fillers = [_register(session, FILLER_BASE + i, f"주민 예시{i:02d}", long_ago) for i in range(1, FILLERS + 1)]

    _points_history(session, clock, staff, me, fillers)
    _budget(session, clock, staff, me, fillers, media)
    near = _proposals(session, clock, staff, me, fillers)
    _survey(session, clock, staff)
    _contest(session, clock, staff, me, fillers, media)
    _news(session, clock, staff)
    _attendance(session, clock, staff, me)
    info = _event(session, clock, staff, media)
    _announcement(session, clock, staff)
    meetings.seed_demo_meetings(session, now)  # one upcoming, one past 영상회의
    _past_notices_delivered(session, now)
    return replace(info, near_proposal_id=near)


def _points_history(session: Session, clock: _Clock, staff: Resident, me: Resident,
                    fillers: list[Resident]) -> None:
    """Volunteer hours, a past event, and last quarter's exchange requests for the payout tour."""
    vol_day = clock.at(-40, 11)
    csv_text = f"telegram_user_id,hours,year\n{RESIDENT_ID},112,{vol_day.astimezone(KST).year}\n"
    volunteer.import_volunteer_csv(session, csv_text, staff_resident_id=staff.id, now=vol_day)

    past = events.create_event(session, staff_resident_id=staff.id, name=f"{MARK} 중구 가을 걷기 대회",
                               place="남산 북측순환로 입구", starts_at=clock.at(-60, 9), ends_at=clock.at(-60, 12),
                               capacity=500, now=clock.at(-75, 10))
    payload = qr.make_payload(past, StorageSettings.from_env().qr_secret)
    events.check_in(session, resident_id=me.id, payload=payload, now=clock.at(-60, 10))

    # Requests made before this quarter began wait for staff's "분기 지급 마감".
    year, quarter = quarter_of(clock.now)
    before = quarter_start(year, quarter) - timedelta(days=12)
    unit = load_policy().min_exchange
    rows = "\n".join(f"{f.telegram_user_id},{104 + i},{before.astimezone(KST).year}" for i, f in enumerate(fillers[:3]))
    volunteer.import_volunteer_csv(session, "telegram_user_id,hours,year\n" + rows,
                                   staff_resident_id=staff.id, now=before - timedelta(days=3))
    for f in fillers[:3]:
        points.request_exchange(session, resident_id=f.id, amount=unit, now=before)


BUDGET_PROJECTS = [
    ("신당동 골목길 LED 보안등 교체", "sindang", "어두운 골목 30곳의 보안등을 밝은 LED로 바꿉니다.", 45_000_000),
    ("약수동 어린이공원 그늘막 설치", "yaksu", "여름에도 아이들이 놀 수 있도록 그늘막 6개를 설치합니다.", 30_000_000),
    ("명동 외국인 관광객 다국어 안내판", "myeong", "명동 거리 12곳에 4개 언어 안내판을 세웁니다.", 60_000_000),
    ("을지로 노포 골목 야간 경관 조명", "euljiro", "을지로 노포 골목에 따뜻한 경관 조명을 답니다.", 80_000_000),
    ("다산동 경로당 스마트 건강측정기", "dasan", "경로당 5곳에 혈압·체성분 측정기를 놓습니다.", 25_000_000),
    ("신당동 중앙시장 공영 주차 안내 시스템", "sindang", "남은 주차면을 입구 전광판에 알려 줍니다.", 120_000_000),
    ("약수역 주변 자전거 보관대 확충", "yaksu", "자전거 보관대 40면과 공기주입기를 설치합니다.", 35_000_000),
    ("명동성당 앞 보행로 턱 낮춤", "myeong", "휠체어·유모차가 다니기 쉽게 보행로 턱을 낮춥니다.", 50_000_000),
    ("회현동 남산 산책로 쉼터 벤치", "hoehyeon", "남산 산책로에 쉼터 벤치 20개를 놓습니다.", 20_000_000),
    ("중림동 청소년 방과후 공부방 리모델링", "jungnim", "낡은 공부방의 조명과 책상을 바꿉니다.", 70_000_000),
]
PAST_PROJECTS = [
    ("황학동 벼룩시장 공용 화장실 개선", "hwanghak", 90_000_000),
    ("필동 한옥마을길 보행 안전 펜스", "pil", 40_000_000),
    ("장충동 족발골목 음식물 쓰레기 수거함", "jangchung", 30_000_000),
    ("광희동 다문화 가족 한국어 교실", "gwanghui", 55_000_000),
    ("청구동 주민센터 옥상 정원", "cheonggu", 75_000_000),
    ("동화동 통학로 노란 발자국", "donghwa", 15_000_000),
]


def _cycle(session: Session, staff: Resident, name: str, times: PhaseTimes, budget_won: int, created: datetime):
    return budget.create_cycle(session, staff_id=staff.id, name=name, total_budget=budget_won,
                               ballot_rule=BallotRule.budget_limited, phase_times=times, now=created)


def _budget(session: Session, clock: _Clock, staff: Resident, me: Resident, fillers: list[Resident],
            media: Path) -> None:
    """A finished cycle with its results chart, then this cycle, voting now."""
    past_times = PhaseTimes(
        intake_starts_at=clock.at(-200, 9), screening_starts_at=clock.at(-185, 9),
        voting_starts_at=clock.at(-175, 9), results_at=clock.at(-165, 18), closes_at=clock.at(-150, 18),
    )
    past = _cycle(session, staff, f"{MARK} {clock.day(-200).year}년 주민참여예산", past_times, 300_000_000, clock.at(-201, 10))
    ids = []
    for i, (title, dong, cost) in enumerate(PAST_PROJECTS):
        ids.append(budget.propose_project(
            session, cycle_id=past.id, proposer_id=fillers[20 + i].id, title=f"{MARK} {title}",
            description=f"{MARK} 주민이 제안한 사업입니다.", dong=_dong(dong), estimated_cost=cost,
            now=clock.at(-195, 10 + i)).project.id)
    for pid in ids:
        budget.screen_project(session, project_id=pid, staff_id=staff.id, accept=True, now=clock.at(-180, 10))
    budget.advance_phases(session, clock.at(-175, 9))
    # Voters pick within the budget; the ranking follows how many pick each project.
    patterns = [[0, 1, 5], [0, 2, 5], [1, 3], [0, 5, 2], [4, 5], [0, 1, 2, 5], [3, 5], [0, 4]]
    voters = [me, *fillers[:29]]
    for n, voter in enumerate(voters):
        when = clock.at(-174 + n % 8, 10 + n % 8)
        for index in patterns[n % len(patterns)]:
            budget.ballot_toggle(session, cycle_id=past.id, resident_id=voter.id, project_id=ids[index], now=when)
        budget.submit_ballot(session, cycle_id=past.id, resident_id=voter.id, now=when)
    budget.publish_results(session, cycle_id=past.id, staff_id=staff.id, now=clock.at(-165, 19), media_dir=media)
    budget.advance_phases(session, clock.at(-150, 19))

    times = PhaseTimes(
        intake_starts_at=clock.at(-30, 9), screening_starts_at=clock.at(-16, 9),
        voting_starts_at=clock.at(-2, 9), results_at=clock.at(12, 18), closes_at=clock.at(40, 18),
    )
    cycle = _cycle(session, staff, f"{MARK} {clock.day(-30).year + 1}년 주민참여예산", times, 500_000_000,
                   clock.at(-31, 10))
    ids = []
    for i, (title, dong, text, cost) in enumerate(BUDGET_PROJECTS):
        ids.append(budget.propose_project(
            session, cycle_id=cycle.id, proposer_id=fillers[30 + i].id, title=f"{MARK} {title}",
            description=f"{MARK} {text}", dong=_dong(dong), estimated_cost=cost,
            now=clock.at(-28 + i, 11)).project.id)
    for pid in ids:
        budget.screen_project(session, project_id=pid, staff_id=staff.id, accept=True, now=clock.at(-10, 10))
    budget.advance_phases(session, clock.at(-2, 9))
    for n, voter in enumerate(fillers[40:52]):
        when = clock.at(-2 + n % 2, 12 + n % 6)
        for index in ([0, 1, 4], [3, 6], [1, 2, 8], [0, 9])[n % 4]:
            budget.ballot_toggle(session, cycle_id=cycle.id, resident_id=voter.id, project_id=ids[index], now=when)
        budget.submit_ballot(session, cycle_id=cycle.id, resident_id=voter.id, now=when)


def _dong(code: str) -> str:
    from storage.rules import DONGS
    return DONGS[code]


PROPOSALS = [
    # (category, dong, title, body, days ago opened, endorsements)
    ("traffic", "sindang", "신당역 5번 출구 앞 불법 주정차 단속 강화",
     "출근 시간마다 5번 출구 앞 정차 차량 때문에 버스가 정류장에 서지 못합니다. CCTV 단속을 늘려 주세요.", 10, None),
    ("environment", "euljiro", "을지로 골목 재활용 분리수거함 늘리기",
     "인쇄소 골목에 종이 박스가 쌓여 보행이 어렵습니다. 요일별 수거와 분리수거함을 늘려 주세요.", 25, "answered"),
    ("welfare", "dasan", "홀몸 어르신 안부 확인 문자 서비스", "주 1회 안부 문자를 보내고 답이 없으면 방문해 주세요.", 8, 27),
    ("culture", "myeong", "명동 거리 공연 예약 시스템", "버스킹 공연 시간을 온라인으로 예약해 소음 분쟁을 줄였으면 합니다.", 12, 12),
    ("safety", "hwanghak", "황학동 통학로 과속방지턱 설치", "초등학교 앞 통학로에 과속 차량이 많습니다.", 6, 33),
    ("education", "jungnim", "주말 청소년 코딩 교실", "구립 도서관에서 주말 코딩 교실을 열어 주세요.", 15, 9),
    ("economy", "sindang", "중앙시장 청년 상인 임대료 지원", "빈 점포에 청년 상인이 들어올 수 있게 1년간 임대료를 지원해 주세요.", 20, 18),
    ("other", "pil", "구청 민원실 점심시간 운영", "직장인도 점심시간에 민원 업무를 볼 수 있게 해 주세요.", 4, 5),
    ("traffic", "yaksu", "약수역 공유 자전거 대여소 추가", "약수역 주변에 공유 자전거 대여소가 부족합니다.", 9, 14),
    ("environment", "hoehyeon", "남산 산책로 반려견 배변봉투함", "산책로 입구마다 배변봉투함을 놓아 주세요.", 3, 2),
    ("culture", "jangchung", "장충단공원 야외 영화 상영", "여름 밤에 공원에서 가족 영화를 상영해 주세요.", 14, 21),
    ("welfare", "cheonggu", "공공 키즈카페 주말 운영 시간 연장", "주말 오후 6시까지 운영해 주세요.", 7, 7),
    ("safety", "gwanghui", "광희동 골목 비상벨 설치", "밤길이 어두운 골목에 비상벨을 설치해 주세요.", 11, 16),
    ("education", "donghwa", "어르신 스마트폰 교실", "키오스크와 모바일 뱅킹 사용법을 알려 주는 교실이 필요해요.", 5, 4),
]


def _proposals(session: Session, clock: _Clock, staff: Resident, me: Resident, fillers: list[Resident]) -> int:
    """15 proposals: one two short of the threshold, one answered, the rest on their way."""
    needed = proposal_rules.load_config().endorsements_for_review
    authors = iter(fillers[::4] + fillers[1::4])
    mine = proposals.submit(session, author_id=me.id, title=f"{MARK} 신당동 떡볶이타운 보행자 전용 시간제",
                            body=f"{MARK} 주말 저녁에는 차량 통행을 막고 보행자 전용 거리로 운영해 주세요.",
                            category="traffic", dong="sindang", now=clock.at(-6, 20)).proposal
    for n, f in enumerate(fillers[:6]):
        proposals.endorse(session, proposal_id=mine.id, resident_id=f.id, now=clock.at(-5 + n % 4, 12 + n))
    for category, dong, title, body, ago, count in PROPOSALS:
        author = next(authors)
        opened = clock.at(-ago, 9)
        proposal = proposals.submit(session, author_id=author.id, title=f"{MARK} {title}", body=f"{MARK} {body}",
                                    category=category, dong=dong, now=opened).proposal
        if count is None:
            near = proposal.id
            count = needed - 2  # a visitor's and the second demo resident's 공감 send it to review
        elif count == "answered":
            count = needed
        pool = [f for f in fillers if f.id != author.id]
        if 10 <= count < needed - 2:
            pool = [me, *pool]  # the demo resident's own 공감 history
        for n, supporter in enumerate(pool[:count]):
            when = opened + timedelta(hours=1 + n * (ago * 20) // max(count, 1))
            proposals.endorse(session, proposal_id=proposal.id, resident_id=supporter.id, now=when)
        if count == needed:
            proposals.post_answer(
                session, proposal_id=proposal.id, staff_id=staff.id, result="partly_accepted",
                text=f"{MARK} 자원순환과입니다. 을지로 인쇄 골목에 분리수거함 8개를 추가하고 종이류 수거를 "
                     "주 3회로 늘리겠습니다. 요일별 수거는 상인회와 협의해 내년 상반기에 시범 운영합니다.",
                now=clock.at(-2, 15))
    return near


def _survey(session: Session, clock: _Clock, staff: Resident) -> None:
    spec = load_survey_file(SURVEY_FILE)
    spec = replace(spec, title=f"{MARK} {spec.title}", opens_at=clock.at(-1, 9), closes_at=clock.at(14, 18))
    surveys.publish_survey(session, spec, staff_id=staff.id, now=clock.at(-2, 10))


def _contest(session: Session, clock: _Clock, staff: Resident, me: Resident, fillers: list[Resident],
             media: Path) -> None:
    contest = contests.open_contest(
        session, title=f"{MARK} 중구의 겨울 풍경 사진 공모전",
        rules=f"{MARK} 중구에서 찍은 겨울 풍경 사진 한 장과 한 줄 설명을 보내 주세요. 1인 1작품, "
              "입상작은 구청 소식지에 실립니다.",
        deadline=clock.at(20, 18), entry_form="both", staff_id=staff.id, now=clock.at(-5, 9))
    entries = [(me, "눈 내린 신당동 골목"), (fillers[5], "명동성당의 성탄 불빛"), (fillers[6], "서울로 7017 야경")]
    for n, (who, caption) in enumerate(entries):
        name = f"demo/contest_entry_{n + 1}.png"
        _photo(media / name, n, "EXAMPLE")
        contests.submit_entry(session, contest_id=contest.id, resident_id=who.id, text=f"{MARK} {caption}",
                              photo_file_id=f"demo-contest-photo-{n + 1}", photo_size=(media / name).stat().st_size,
                              now=clock.at(-4 + n, 13))


NEWS = [
    ("gov_news", "2027년 주민참여예산 투표가 시작됐어요", "우리 동네 사업 10건 중 마음에 드는 사업에 투표해 주세요.", -2),
    ("gov_news", "겨울철 제설 대책 본격 가동", "구청과 15개 동 주민센터가 24시간 제설 대책본부를 운영합니다.", -6),
    ("gov_news", "중구 공공 와이파이 120곳 확대", "버스정류장과 공원 120곳에서 무료 와이파이를 쓸 수 있어요.", -11),
    ("gov_news", "주민소통 포인트 상품권 교환 안내", "5,000 P부터 상품권으로 바꿀 수 있어요. 분기마다 지급합니다.", -17),
    ("press", "중구, 전통시장 활성화 우수 자치구 선정", "신당동 중앙시장 청년몰 사업이 좋은 평가를 받았습니다.", -3),
    ("press", "을지로 노포 골목, 외국인 관광 명소로", "을지로 노포 투어 참가자가 작년보다 두 배 늘었습니다.", -8),
    ("press", "중구 어르신 스마트폰 교실 호응", "15개 동에서 열린 교실에 1,200명이 참여했습니다.", -13),
    ("press", "명동 거리 보행 환경 개선 완료", "명동 거리의 턱을 낮추고 점자 블록을 새로 깔았습니다.", -19),
    ("events", "중구 겨울 빛축제 개막", "청계천 광교 일대에서 빛 조형물 전시가 열립니다. 현장 QR로 포인트도 받으세요.", -1),
    ("events", "장충단공원 송년 음악회", "구립 합창단과 주민 동아리가 함께하는 송년 음악회입니다.", -4),
    ("events", "신당동 떡볶이 축제", "떡볶이타운에서 시식과 공연이 열립니다.", -9),
    ("events", "남산 둘레길 함께 걷기", "주말 아침 남산 둘레길을 함께 걸어요.", -15),
]


def _news(session: Session, clock: _Clock, staff: Resident) -> None:
    for category, title, summary, offset in NEWS:
        news.post_news(session, category=category, title=f"{MARK} {title}", summary=f"{MARK} {summary}",
                       link="https://www.junggu.seoul.kr/", staff_id=staff.id, now=clock.at(offset, 10))


def _attendance(session: Session, clock: _Clock, staff: Resident, me: Resident) -> None:
    attendance.open_attendance(session, title=f"{MARK} 겨울맞이 출석체크", starts_on=clock.day(-3),
                               ends_on=clock.day(11), staff_id=staff.id, now=clock.at(-4, 10))
    for offset in (-2, -1):
        attendance.check(session, resident_id=me.id, now=clock.at(offset, 9))


def _event(session: Session, clock: _Clock, staff: Resident, media: Path) -> DemoInfo:
    """An event running now whose poster the chat page's QR button can scan."""
    settings = StorageSettings.from_env()
    start = clock.now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    event = events.create_event(session, staff_resident_id=staff.id, name=f"{MARK} 중구 겨울 빛축제 현장 참여",
                                place="청계천 광교 일대", starts_at=start, ends_at=start + timedelta(days=7),
                                capacity=300, now=clock.at(-7, 10))
    link = events.deep_link(event, settings.bot_username, settings.qr_secret)
    png = render_poster(event, link)
    png_rel, pdf_rel = f"demo/poster_event_{event.id}.png", f"demo/poster_event_{event.id}.pdf"
    (media / "demo").mkdir(parents=True, exist_ok=True)
    (media / png_rel).write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.save(media / pdf_rel, "PDF", resolution=200.0)
    return DemoInfo(poster_link=link, poster_png=str(media / png_rel), poster_pdf=str(media / pdf_rel))


def _announcement(session: Session, clock: _Clock, staff: Resident) -> None:
    draft = announcements.create(
        session, text=f"{MARK} 내일 오전 10시, 2027년 주민참여예산 투표 마감까지 열흘 남았어요. "
                      "우리 동네 사업에 한 표를 보태 주세요!",
        created_by_resident_id=staff.id, target_kind="topic", target_value="budget", now=clock.now)
    announcements.schedule(session, draft.id, clock.at(1, 10), now=clock.now)


def _past_notices_delivered(session: Session, now: datetime) -> None:
    """Every notice queued while the past was replayed counts as delivered."""
    for message in outbox.due(session, limit=100_000, now=now + timedelta(days=3650)):
        outbox.mark_sent(session, message.id, now=now)


# --- edges --------------------------------------------------------------------------
def sqlite_path(database_url: str) -> Path:
    return Path(database_url.split("///", 1)[-1])


def info_path(database_url: str | None = None) -> Path:
    """demo.json next to the SQLite file (var/demo.json by default): what the stack passes to the chat page."""
    url = database_url or StorageSettings.from_env().database_url
    return sqlite_path(url).with_name("demo.json")


def ensure(database_url: str | None = None, *, now: datetime | None = None, media_dir: Path | None = None,
           env: dict[str, str] | None = None) -> tuple[str, DemoInfo | None]:
    """Seed when allowed and the database is empty; returns (what happened, info) for the banner.

    Outcomes: 'disabled' (DEMO=0 or PostgreSQL), 'real' (the database has rows of its own: untouched),
    'seeded' (already there: unchanged), 'created'.
    """
    url = database_url or StorageSettings.from_env().database_url
    if not enabled(url, env):
        return "disabled", None
    engine: Engine = engine_for(url)
    with session_scope(engine) as session:
        found = state(session)
        if found == "real":
            return "real", None
        if found == "seeded":
            return "seeded", read_info(url)
        info = seed(session, now=now, media_dir=media_dir)
    _write_info(url, info)
    return "created", info


def _write_info(url: str, info: DemoInfo) -> None:
    path = info_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(info.to_json(), encoding="utf-8")


def read_info(database_url: str | None = None) -> DemoInfo:
    """The seeded demo's ids, names and poster (defaults if the file is gone)."""
    try:
        return DemoInfo(**json.loads(info_path(database_url).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return DemoInfo()


def reset(database_url: str | None = None, *, media_dir: Path | None = None) -> tuple[str, DemoInfo | None]:
    """Delete a demo SQLite database (never one with real rows), migrate and seed again."""
    url = database_url or StorageSettings.from_env().database_url
    if not enabled(url):
        return "disabled", None
    path = sqlite_path(url)
    if path.exists():
        engine = engine_for(url)
        with session_scope(engine) as session:
            if state(session) == "real":
                return "real", None
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        info_path(url).unlink(missing_ok=True)
    migrate(url)
    return ensure(url, media_dir=media_dir)
