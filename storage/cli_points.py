"""Staff CLI for points: events and posters, volunteer import, quarterly payout, a resident's points.

Every command needs ``--staff TELEGRAM_ID`` of a staff member and runs in one transaction.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from storage.db import session_scope
from storage.errors import DomainError
from storage.point_policy import quarter_ko
from storage.poster import PAPER_MM, render_poster
from storage.services import events, payout, points, residents, volunteer
from storage.timeutil import kst_datetime, parse_kst


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add the event, volunteer, payout and points commands."""
    staff = argparse.ArgumentParser(add_help=False)
    staff.add_argument("--staff", type=int, required=True, metavar="TELEGRAM_ID", help="staff member acting")

    ev = subparsers.add_parser("event", help="offline events and QR posters").add_subparsers(dest="event_cmd", required=True)
    p = ev.add_parser("create", parents=[staff], help="create an event, print its link, write its poster")
    p.add_argument("--name", required=True)
    p.add_argument("--place", required=True)
    p.add_argument("--starts", required=True, help="KST, e.g. '2026-12-05 09:00'")
    p.add_argument("--ends", required=True, help="KST, e.g. '2026-12-05 13:00'")
    p.add_argument("--points", type=int, help="points for this event (default: the policy's)")
    p.add_argument("--capacity", type=int)
    _poster_args(p)
    p.set_defaults(func=_event_create)
    p = ev.add_parser("list", parents=[staff], help="list events")
    p.set_defaults(func=_event_list)
    p = ev.add_parser("rotate", parents=[staff], help="new QR code; old posters stop working")
    p.add_argument("event_id", type=int)
    _poster_args(p)
    p.set_defaults(func=_event_rotate)
    p = ev.add_parser("poster", parents=[staff], help="write an event's current poster again")
    p.add_argument("event_id", type=int)
    _poster_args(p)
    p.set_defaults(func=_event_poster)

    vol = subparsers.add_parser("volunteer", help="volunteer points").add_subparsers(dest="volunteer_cmd", required=True)
    p = vol.add_parser("import", parents=[staff], help="import a CSV of telegram_user_id,hours,year")
    p.add_argument("file", type=Path)
    p.set_defaults(func=_volunteer_import)

    pay = subparsers.add_parser("payout", help="quarterly payout").add_subparsers(dest="payout_cmd", required=True)
    p = pay.add_parser("close", parents=[staff], help="close the last ended quarter into a batch")
    p.set_defaults(func=_payout_close)
    p = pay.add_parser("export", parents=[staff], help="write a batch as CSV for accounting")
    p.add_argument("batch_id", type=int)
    p.add_argument("--out", type=Path, help="file to write (default: payout_<quarter>.csv)")
    p.set_defaults(func=_payout_export)
    p = pay.add_parser("paid", parents=[staff], help="mark a batch paid and notify residents")
    p.add_argument("batch_id", type=int)
    p.set_defaults(func=_payout_paid)

    pts = subparsers.add_parser("points", help="residents' points").add_subparsers(dest="points_cmd", required=True)
    p = pts.add_parser("show", parents=[staff], help="a resident's balance and recent history")
    p.add_argument("telegram_user_id", type=int)
    p.set_defaults(func=_points_show)


def _poster_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--poster", type=Path, help="PNG path (default: poster_event_<id>.png)")
    p.add_argument("--size", choices=sorted(PAPER_MM), default="A5")


def _event_create(args: argparse.Namespace) -> int:
    try:
        starts, ends = parse_kst(args.starts), parse_kst(args.ends)
    except ValueError as exc:
        print(f"시간 형식이 올바르지 않습니다 (예: 2026-12-05 09:00): {exc}")
        return 2
    with session_scope() as session:
        staff = residents.require_staff(session, args.staff)
        event = events.create_event(
            session, staff_resident_id=staff.id, name=args.name, place=args.place,
            starts_at=starts, ends_at=ends, points=args.points, capacity=args.capacity,
        )
        _write_poster(event, args)
    return 0


def _event_list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        residents.require_staff(session, args.staff)
        rows = events.list_events(session)
        if not rows:
            print("등록된 행사가 없습니다.")
        for e in rows:
            capacity = f" / 정원 {e.capacity:,}명" if e.capacity else ""
            print(f"#{e.id} {e.name} · {e.place} · {kst_datetime(e.starts_at)} ~ {kst_datetime(e.ends_at)} · "
                  f"{e.points:,} P · 적립 {events.checkin_count(session, e.id):,}명{capacity} · 코드 v{e.code_version}")
    return 0


def _event_rotate(args: argparse.Namespace) -> int:
    with session_scope() as session:
        staff = residents.require_staff(session, args.staff)
        event = events.rotate_code(session, event_id=args.event_id, staff_resident_id=staff.id)
        print("QR 코드를 새로 만들었습니다. 이전 포스터로는 더 이상 적립되지 않습니다.")
        _write_poster(event, args)
    return 0


def _event_poster(args: argparse.Namespace) -> int:
    with session_scope() as session:
        residents.require_staff(session, args.staff)
        _write_poster(events.get_event(session, args.event_id), args)
    return 0


def _write_poster(event: events.Event, args: argparse.Namespace) -> None:
    link = events.deep_link(event)
    path = args.poster or Path(f"poster_event_{event.id}.png")
    path.write_bytes(render_poster(event, link, size=args.size))
    print(f"#{event.id} {event.name} ({kst_datetime(event.starts_at)} ~ {kst_datetime(event.ends_at)}, {event.points:,} P)")
    print(f"QR 링크: {link}")
    print(f"포스터({args.size}): {path}")


def _volunteer_import(args: argparse.Namespace) -> int:
    raw = args.file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp949")  # Excel on Korean Windows saves CSV in CP949
    with session_scope() as session:
        staff = residents.require_staff(session, args.staff)
        report = volunteer.import_volunteer_csv(session, text, staff_resident_id=staff.id)
    print(f"적립 {report.awarded}명, 이미 적립 {report.already}명, 기준 미달 {report.below_threshold}명, "
          f"미가입 {report.unknown_residents}명, 오류 {len(report.errors)}줄")
    for line_no, message in report.errors:
        print(f"  {line_no}행: {message}")
    return 0


def _payout_close(args: argparse.Namespace) -> int:
    with session_scope() as session:
        staff = residents.require_staff(session, args.staff)
        batch = payout.close_quarter(session, staff_resident_id=staff.id)
        session.flush()
        s = payout.batch_summary(session, batch.id)
    print(f"{s['quarter']} 지급 배치 #{s['batch_id']}: {s['count']}명, {s['requests']}건, 합계 {s['total']:,}원")
    return 0


def _payout_export(args: argparse.Namespace) -> int:
    with session_scope() as session:
        residents.require_staff(session, args.staff)
        s = payout.batch_summary(session, args.batch_id)
        text = payout.export_batch_csv(session, args.batch_id)
    path = args.out or Path(f"payout_{s['label']}.csv")
    path.write_text(text, encoding="utf-8", newline="")
    print(f"{s['quarter']} 배치 #{s['batch_id']} ({s['count']}명, {s['total']:,}원) → {path}")
    return 0


def _payout_paid(args: argparse.Namespace) -> int:
    with session_scope() as session:
        staff = residents.require_staff(session, args.staff)
        batch = payout.mark_batch_paid(session, batch_id=args.batch_id, staff_resident_id=staff.id)
        s = payout.batch_summary(session, batch.id)
    print(f"{quarter_ko(batch.quarter)} 배치 #{batch.id} 지급 완료: {s['count']}명에게 안내를 보냅니다.")
    return 0


def _points_show(args: argparse.Namespace) -> int:
    with session_scope() as session:
        residents.require_staff(session, args.staff)
        resident = residents.find(session, args.telegram_user_id)
        if resident is None:
            raise DomainError("not_registered")
        b = points.balance(session, resident.id)
        print(f"{resident.display_name} (회원번호 {resident.id}): 사용 가능 {b.available:,} P, 지급 대기 {b.held:,} P, "
              f"올해 적립 {b.earned_this_year:,}/{b.annual_cap:,} P, 누적 지급 {b.paid_total:,}원")
        for item in points.history(session, resident.id).entries:
            print(f"  {kst_datetime(item.at)} {item.points:+,} P {item.description}")
    return 0
