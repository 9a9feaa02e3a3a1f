"""Announcements from the command line: ``python -m storage.cli announce …``.

create / schedule / list / cancel / status / requeue, and ``send``, which fans
the announcement out and shows a progress bar while it goes out. The bot's
sender delivers it; ``send --here`` sends from this process instead when no
other sender holds the database's sender lock (the bot is not running).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time

from storage.db import default_engine, session_scope
from storage.korean import attach
from storage.notify_rules import is_quiet_hours
from storage.services import announcements, delivery, residents
from storage.services.announcements import Progress
from storage.settings import StorageSettings
from storage.timeutil import kst_datetime, parse_kst, utcnow

BAR_WIDTH = 30


def progress_line(announcement_id: int, p: Progress) -> str:
    """[#####-----] 4,201/8,403 전송 … as one terminal line."""
    done = p.total - p.waiting
    filled = BAR_WIDTH if p.total == 0 else done * BAR_WIDTH // p.total
    return (f"#{announcement_id} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done:,}/{p.total:,} "
            f"전송 {p.sent:,} · 실패 {p.failed:,} · 차단 {p.blocked:,} · 확인 필요 {p.unconfirmed:,}")


def _staff_id(telegram_user_id: int | None) -> int | None:
    if telegram_user_id is None:
        return None
    with session_scope() as session:
        return residents.require_staff(session, telegram_user_id).id


def _cmd_create(args: argparse.Namespace) -> int:
    text = args.text if args.text is not None else open(args.text_file, encoding="utf-8").read().strip()
    if args.photo and not (StorageSettings.from_env().media_dir / args.photo).is_file():
        print(f"사진 파일이 없습니다: MEDIA_DIR/{args.photo}", file=sys.stderr)
        return 2
    staff_id = _staff_id(args.staff)
    with session_scope() as session:
        a = announcements.create(
            session, text=text, created_by_resident_id=staff_id, photo_path=args.photo,
            button_text=args.button_text, button_url=args.button_url, target_kind=args.target,
            target_value=args.value, urgent=args.urgent)
        count = announcements.count_recipients(session, a.target_kind, a.target_value)
        print(f"공지 #{attach(a.id, '을/를')} 만들었습니다. 대상 {count:,}명{' · 긴급 공지' if a.urgent else ''}.")
        print(f"보내기: python -m storage.cli announce send {a.id}   예약: … announce schedule {a.id} \"2026-12-01 09:00\"")
    return 0


def _cmd_urgent(args: argparse.Namespace) -> int:
    staff_id = _staff_id(args.staff)
    with session_scope() as session:
        announcements.set_urgent(session, args.id, args.state == "on", by_resident_id=staff_id)
    print(f"공지 #{args.id}: 긴급 공지 {'지정' if args.state == 'on' else '해제'} (기록됨)")
    return 0


def _cmd_schedule(args: argparse.Namespace) -> int:
    try:
        when = parse_kst(args.when)
    except ValueError:
        print("날짜와 시간을 \"2026-12-01 09:00\" 형식(한국 시간)으로 입력해 주세요.", file=sys.stderr)
        return 2
    with session_scope() as session:
        announcements.schedule(session, args.id, when)
    print(f"공지 #{attach(args.id, '을/를')} {kst_datetime(when)}에 보내도록 예약했습니다. (스케줄러: python -m bot.scheduler)")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        rows = announcements.list_recent(session, args.limit)
        if not rows:
            print("공지가 없습니다.")
        for a in rows:
            when = kst_datetime(a.scheduled_for) if a.scheduled_for else "-"
            target = a.target_kind.value + (f":{a.target_value}" if a.target_value else "")
            first_line = a.text.splitlines()[0][:40] if a.text else ""
            print(f"#{a.id:<5} {a.status.value:<10} 예약 {when:<24} 대상 {target:<16} "
                  f"{'긴급 ' if a.urgent else ''}{first_line}")
    return 0


def _cmd_cancel(args: argparse.Namespace) -> int:
    staff_id = _staff_id(args.staff)
    with session_scope() as session:
        count = announcements.cancel(session, args.id, by_resident_id=staff_id)
    print(f"공지 #{attach(args.id, '을/를')} 취소했습니다. 보내지 않은 {count:,}명에게는 보내지 않습니다.")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    with session_scope() as session:
        a = announcements.get(session, args.id)
        print(f"공지 #{a.id} · {a.status.value}")
        print(progress_line(a.id, announcements.progress(session, a.id)))
    return 0


def _cmd_requeue(args: argparse.Namespace) -> int:
    with session_scope() as session:
        count = delivery.requeue_unconfirmed(session, announcement_id=args.id)
    print(f"확인 필요 {count:,}건을 다시 보내도록 했습니다. (받은 분께는 두 번 갈 수 있습니다)")
    return 0


def _watch(announcement_id: int, interval: float) -> int:
    """Print the progress bar until the announcement is out (the bot's sender delivers)."""
    last = ""
    while True:
        with session_scope() as session:
            p = announcements.progress(session, announcement_id)
            announcements.complete_if_finished(session, announcement_id)
        line = progress_line(announcement_id, p)
        if line != last:
            print("\r" + line, end="", flush=True)
            last = line
        if p.finished:
            print()
            return 0
        if is_quiet_hours(utcnow()) and p.waiting and p.sent + p.failed + p.blocked == 0:
            print("\n심야 시간(21:00~08:00)이라 08:00에 발송됩니다. 봇의 발송기가 보냅니다.")
            return 0
        time.sleep(interval)


def _send_here(announcement_id: int, rate: float) -> bool:
    """Run the sender in this process; False if another sender holds the lock."""
    from bot.broadcast import run_sender  # the CLI is an edge: it may drive the bot's engine

    db = default_engine()

    def show(_stats: object) -> None:
        with session_scope(db) as session:
            print("\r" + progress_line(announcement_id, announcements.progress(session, announcement_id)),
                  end="", flush=True)

    stats = asyncio.run(run_sender(db, rate=rate, until_idle=True, on_progress=show, wait_for_lock=False))
    if stats is None:
        return False
    with session_scope(db) as session:
        announcements.complete_if_finished(session, announcement_id)
        print("\r" + progress_line(announcement_id, announcements.progress(session, announcement_id)))
    print(f"발송 속도 {stats.rate:.1f}건/초")
    return True


def _cmd_send(args: argparse.Namespace) -> int:
    from bot.broadcast import fan_out

    staff_id = _staff_id(args.staff)
    with session_scope() as session:
        a = announcements.get(session, args.id)
        if staff_id is not None and a.created_by_resident_id is None:
            a.created_by_resident_id = staff_id
    created = fan_out(default_engine(), args.id)
    print(f"공지 #{args.id}: 받는 사람 {created:,}명을 발송 대기열에 넣었습니다.")
    if args.here and _send_here(args.id, args.rate):
        return 0
    if args.here:
        print("다른 발송기(봇)가 실행 중이라 그쪽에서 보냅니다. 진행 상황만 표시합니다.")
    return _watch(args.id, args.interval)


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``announce`` and its subcommands to python -m storage.cli."""
    parser = subparsers.add_parser("announce", help="announcements to subscribers (issue 8)")
    sub = parser.add_subparsers(dest="announce_command", required=True)

    p = sub.add_parser("create", help="create a draft announcement")
    body = p.add_mutually_exclusive_group(required=True)
    body.add_argument("--text")
    body.add_argument("--text-file")
    p.add_argument("--photo", help="image path under MEDIA_DIR")
    p.add_argument("--button-text")
    p.add_argument("--button-url")
    p.add_argument("--target", choices=["all", "topic", "dong"], default="all")
    p.add_argument("--value", help="topic (surveys, proposals, budget, news, events or 한글 이름) or 동")
    p.add_argument("--urgent", action="store_true", help="urgent public notice: skips quiet hours (recorded)")
    p.add_argument("--staff", type=int, help="Telegram user id of the staff member (recorded)")
    p.set_defaults(func=_cmd_create)

    p = sub.add_parser("send", help="send now, with a progress bar")
    p.add_argument("id", type=int)
    p.add_argument("--here", action="store_true", help="send from this process if the bot is not sending")
    p.add_argument("--rate", type=float, default=30.0)
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--staff", type=int)
    p.set_defaults(func=_cmd_send)

    p = sub.add_parser("schedule", help="send at a KST date and time")
    p.add_argument("id", type=int)
    p.add_argument("when", help='"2026-12-01 09:00" (KST)')
    p.set_defaults(func=_cmd_schedule)

    p = sub.add_parser("urgent", help="mark or unmark an urgent public notice")
    p.add_argument("id", type=int)
    p.add_argument("state", choices=["on", "off"])
    p.add_argument("--staff", type=int)
    p.set_defaults(func=_cmd_urgent)

    p = sub.add_parser("list", help="latest announcements")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("cancel", help="cancel a scheduled announcement (or the rest of one being sent)")
    p.add_argument("id", type=int)
    p.add_argument("--staff", type=int)
    p.set_defaults(func=_cmd_cancel)

    p = sub.add_parser("status", help="progress of one announcement")
    p.add_argument("id", type=int)
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("requeue", help="send unconfirmed rows again (staff's decision)")
    p.add_argument("id", type=int)
    p.set_defaults(func=_cmd_requeue)

