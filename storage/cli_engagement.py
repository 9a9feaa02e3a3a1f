"""Staff commands for surveys, contests, news and attendance events.

    python -m storage.cli survey load FILE [--check] [--staff TELEGRAM_ID]
    python -m storage.cli survey list | results ID [--csv OUT.csv] [--chart OUT.png] | close ID
    python -m storage.cli contest open --title … --rules … --deadline "2026-12-20 18:00" --form photo
    python -m storage.cli contest list-entries ID | pick-winners ID ENTRY_ID [ENTRY_ID …]
    python -m storage.cli news post --category press --title … --summary … [--link URL]
    python -m storage.cli attendance open --title … --from 2026-09-04 --to 2026-09-30

Each command is one transaction (the CLI is an edge). ``--staff`` records which
staff member acted; without it the command runs as the operator.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import engagement_rules as er
from storage.db import session_scope
from storage.korean import attach, josa
from storage.models.surveys import Survey
from storage.services import attendance, contests, news, residents, surveys
from storage.services.survey_loader import SurveyValidationError, load_survey_file
from storage.timeutil import kst_datetime, parse_kst, to_kst


def _staff(session: Session, telegram_id: int | None) -> int | None:
    return None if telegram_id is None else residents.require_staff(session, telegram_id).id


def _kst_day(text: str):  # type: ignore[no-untyped-def]
    return to_kst(parse_kst(text)).date()


# --- survey -------------------------------------------------------------------------------

def _survey_load(args: argparse.Namespace) -> int:
    try:
        spec = load_survey_file(Path(args.file))
    except SurveyValidationError as err:
        print(f"설문 파일 {args.file}에 고칠 곳이 {len(err.errors)}군데 있습니다:", file=sys.stderr)
        for line in err.lines():
            print(f"  {line}", file=sys.stderr)
        return 1
    visible = sum(1 for q in spec.questions if q.show_if is None)
    print(f"「{spec.title}」 질문 {len(spec.questions)}개 (조건부 {len(spec.questions) - visible}개), "
          f"{kst_datetime(spec.opens_at)} ~ {kst_datetime(spec.closes_at)}, "
          f"{'익명' if spec.anonymous else '실명'}")
    if args.check:
        print("파일에 문제가 없습니다. (--check: 등록하지 않았습니다)")
        return 0
    with session_scope() as session:
        survey = surveys.publish_survey(session, spec, staff_id=_staff(session, args.staff))
        print(f"설문 #{attach(survey.id, '을/를')} 등록했습니다. 참여 포인트 {survey.points:,} P.")
    return 0


def _survey_list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        rows = session.scalars(select(Survey).order_by(Survey.opens_at.desc(), Survey.id.desc())).all()
        if not rows:
            print("등록된 설문이 없습니다.")
        for s in rows:
            print(f"#{s.id} {s.title} · {kst_datetime(s.opens_at)} ~ {kst_datetime(s.closes_at)} · "
                  f"{s.status.value} · 질문 {s.question_count}개 · {'익명' if s.anonymous else '실명'}")
    return 0


def _survey_results(args: argparse.Namespace) -> int:
    with session_scope() as session:
        res = surveys.results(session, args.survey_id)
        print(surveys.results_text(res, texts_per_question=args.texts))
        if args.csv:
            # utf-8-sig: spreadsheet programs then read the Korean headers correctly.
            Path(args.csv).write_text(surveys.results_csv(session, args.survey_id), encoding="utf-8-sig")
            print(f"CSV를 {args.csv}에 저장했습니다.")
        if args.chart:
            Path(args.chart).write_bytes(surveys.render_results_chart(res))
            print(f"그래프를 {args.chart}에 저장했습니다.")
    return 0


def _survey_close(args: argparse.Namespace) -> int:
    with session_scope() as session:
        survey = surveys.close_survey(session, args.survey_id, staff_id=_staff(session, args.staff))
        print(f"설문 #{survey.id} 「{survey.title}」{josa(survey.title, '을/를')} 마감했습니다.")
    return 0


# --- contest ----------------------------------------------------------------------------

def _contest_open(args: argparse.Namespace) -> int:
    rules = Path(args.rules_file).read_text(encoding="utf-8") if args.rules_file else args.rules
    with session_scope() as session:
        contest = contests.open_contest(
            session, title=args.title, rules=rules or "", deadline=parse_kst(args.deadline),
            entry_form=args.form, entry_points=args.entry_points, win_points=args.win_points,
            staff_id=_staff(session, args.staff),
        )
        print(f"공모 #{contest.id} 「{contest.title}」{josa(contest.title, '을/를')} 열었습니다. 마감 {kst_datetime(contest.deadline)}, "
              f"응모 {contest.entry_points:,} P · 당선 {contest.win_points:,} P.")
    return 0


def _contest_entries(args: argparse.Namespace) -> int:
    with session_scope() as session:
        entries = contests.list_entries(session, args.contest_id, staff_id=_staff(session, args.staff))
        if not entries:
            print("응모작이 없습니다.")
        for e in entries:
            parts = [f"응모 #{e.id}", kst_datetime(e.submitted_at)]
            if e.photo_file_id:
                parts.append(f"사진 {e.photo_file_id}")
            if e.text:
                parts.append(e.text.replace("\n", " ")[:80])
            if e.won:
                parts.append("🏆 당선")
            print(" · ".join(parts))
    return 0


def _contest_winners(args: argparse.Namespace) -> int:
    with session_scope() as session:
        result = contests.pick_winners(session, contest_id=args.contest_id, entry_ids=args.entry_ids,
                                       staff_id=_staff(session, args.staff))
    print(f"당선 {result.winners}명을 확정했습니다. 당선 안내 {result.winners}건, "
          f"결과 안내 {result.others_notified}건이 발송 대기 중입니다.")
    return 0


# --- news and attendance --------------------------------------------------------------------

def _news_post(args: argparse.Namespace) -> int:
    with session_scope() as session:
        posted = news.post_news(session, category=args.category, title=args.title, summary=args.summary,
                                link=args.link, photo_file_id=args.photo, staff_id=_staff(session, args.staff))
        print(f"소식 #{attach(posted.item.id, '을/를')} [{news.category_label(posted.item.category)}]에 올렸습니다. "
              f"안내 {posted.notified:,}건이 발송 대기 중입니다.")
    return 0


def _attendance_open(args: argparse.Namespace) -> int:
    with session_scope() as session:
        event = attendance.open_attendance(
            session, title=args.title, starts_on=_kst_day(args.starts), ends_on=_kst_day(args.ends),
            points_per_day=args.points, max_days=args.max_days, staff_id=_staff(session, args.staff),
        )
        print(f"출석체크 #{event.id} 「{event.title}」 {event.starts_on:%Y. %m. %d.} ~ {event.ends_on:%Y. %m. %d.}, "
              f"하루 {event.points_per_day:,} P, 최대 {event.max_days}일 적립.")
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add the survey, contest, news and attendance commands."""
    staff = argparse.ArgumentParser(add_help=False)
    staff.add_argument("--staff", type=int, metavar="TELEGRAM_ID", help="acting staff member")

    survey = subparsers.add_parser("survey", help="설문 등록·결과").add_subparsers(dest="action", required=True)
    p = survey.add_parser("load", parents=[staff], help="YAML/JSON 설문 파일 검사·등록")
    p.add_argument("file")
    p.add_argument("--check", action="store_true", help="검사만 하고 등록하지 않기")
    p.set_defaults(func=_survey_load)
    p = survey.add_parser("list", help="설문 목록")
    p.set_defaults(func=_survey_list)
    p = survey.add_parser("results", help="결과 요약 (CSV·그래프 저장)")
    p.add_argument("survey_id", type=int)
    p.add_argument("--csv", metavar="OUT.csv")
    p.add_argument("--chart", metavar="OUT.png")
    p.add_argument("--texts", type=int, default=5, help="문항별로 보여 줄 주관식 답 수")
    p.set_defaults(func=_survey_results)
    p = survey.add_parser("close", parents=[staff], help="설문 조기 마감")
    p.add_argument("survey_id", type=int)
    p.set_defaults(func=_survey_close)

    contest = subparsers.add_parser("contest", help="공모").add_subparsers(dest="action", required=True)
    p = contest.add_parser("open", parents=[staff], help="공모 열기")
    p.add_argument("--title", required=True)
    rules = p.add_mutually_exclusive_group(required=True)
    rules.add_argument("--rules")
    rules.add_argument("--rules-file")
    p.add_argument("--deadline", required=True, help='한국 시간, 예: "2026-12-20 18:00"')
    p.add_argument("--form", choices=["text", "photo", "both"], required=True)
    p.add_argument("--entry-points", type=int)
    p.add_argument("--win-points", type=int)
    p.set_defaults(func=_contest_open)
    p = contest.add_parser("list-entries", parents=[staff], help="응모작 목록")
    p.add_argument("contest_id", type=int)
    p.set_defaults(func=_contest_entries)
    p = contest.add_parser("pick-winners", parents=[staff], help="당선작 확정 (마감 후 한 번)")
    p.add_argument("contest_id", type=int)
    p.add_argument("entry_ids", type=int, nargs="+")
    p.set_defaults(func=_contest_winners)

    news_cmd = subparsers.add_parser("news", help="중구소식").add_subparsers(dest="action", required=True)
    p = news_cmd.add_parser("post", parents=[staff], help="소식 올리기")
    p.add_argument("--category", required=True, help=", ".join(f"{k}({v})" for k, v in er.NEWS_CATEGORY_LABELS.items()))
    p.add_argument("--title", required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--link")
    p.add_argument("--photo", metavar="TELEGRAM_FILE_ID")
    p.set_defaults(func=_news_post)

    att = subparsers.add_parser("attendance", help="출석체크 이벤트").add_subparsers(dest="action", required=True)
    p = att.add_parser("open", parents=[staff], help="출석체크 이벤트 열기")
    p.add_argument("--title", required=True)
    p.add_argument("--from", dest="starts", required=True, help="첫날(한국 날짜), 예: 2026-09-04")
    p.add_argument("--to", dest="ends", required=True, help="마지막 날, 예: 2026-09-30")
    p.add_argument("--points", type=int, help="하루 포인트 (기본: 포인트 정책)")
    p.add_argument("--max-days", type=int, help="포인트를 주는 최대 일수 (기본: 기간 전체)")
    p.set_defaults(func=_attendance_open)
