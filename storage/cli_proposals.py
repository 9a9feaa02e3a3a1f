"""Staff commands for policy proposals: ``python -m storage.cli proposals <action> --staff TELEGRAM_ID``.

Each command is one transaction (the CLI is an edge); every change is
recorded in proposal_audit under the staff member given by --staff.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from storage import proposal_rules as rules
from storage.db import session_scope
from storage.korean import attach, josa
from storage.services import proposals, residents
from storage.timeutil import format_day, kst_date, kst_datetime


def _staff_id(session, telegram_id: int) -> int:  # type: ignore[no-untyped-def]
    return residents.require_staff(session, telegram_id).id


def _cmd_list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        _staff_id(session, args.staff)
        rows = proposals.staff_list(session, status=args.status)
        if not rows:
            print("해당하는 제안이 없습니다.")
        for row in rows:
            flag = "⚠️ 기한 초과 " if row.overdue else ""
            if row.status == "under_review" and row.review_due_at:
                when = f"답변 기한 {kst_date(row.review_due_at)}"
            elif row.status == "open":
                when = f"공감 마감 {format_day(rules.last_day(row.closes_at))}"
            else:
                when = f"등록 {kst_date(row.opened_at)}"
            print(f"{flag}#{row.id} [{row.status_label}] {row.title} · {row.category_label}"
                  f" · 공감 {row.count}/{row.threshold} · {row.author_name} · {when}"
                  + (f" · 중간답변 {row.interim_answers}건" if row.interim_answers else "")
                  + (f" · 결과 {row.answer_result_label}" if row.answer_result_label else "")
                  + (f" · 비공개 사유: {row.hidden_reason}" if row.hidden_reason else ""))
    return 0


def _answer_text(args: argparse.Namespace) -> str:
    if args.text_file:
        return Path(args.text_file).read_text(encoding="utf-8")
    return args.text


def _cmd_answer(args: argparse.Namespace) -> int:
    with session_scope() as session:
        posted = proposals.post_answer(
            session, proposal_id=args.proposal_id, staff_id=_staff_id(session, args.staff),
            text=_answer_text(args), result=args.result, interim=args.interim,
        )
    kind = "중간 답변" if args.interim else "최종 답변"
    print(f"#{posted.proposal_id} {attach(kind, '을/를')} 등록했습니다. 안내 {posted.notified}건이 발송 대기 중입니다.")
    return 0


def _cmd_hide(args: argparse.Namespace) -> int:
    with session_scope() as session:
        proposal = proposals.hide(session, proposal_id=args.proposal_id, staff_id=_staff_id(session, args.staff),
                                  reason=args.reason)
        print(f"#{proposal.id} 「{proposal.title}」{josa(proposal.title, '을/를')} 비공개 처리했습니다. 작성자에게 사유가 안내됩니다.")
    return 0


def _cmd_unhide(args: argparse.Namespace) -> int:
    with session_scope() as session:
        proposal = proposals.unhide(session, proposal_id=args.proposal_id,
                                    staff_id=_staff_id(session, args.staff), reason=args.reason)
        print(f"#{proposal.id} 「{proposal.title}」{josa(proposal.title, '을/를')} 다시 공개했습니다. 상태: "
              f"{rules.STATUS_LABELS[proposal.status.value]}")
    return 0


def _cmd_expire(args: argparse.Namespace) -> int:
    with session_scope() as session:
        expired = proposals.expire_due(session, staff_id=_staff_id(session, args.staff))
    print(f"공감 기간이 끝난 제안 {len(expired)}건을 마감했습니다." + (
        " (" + ", ".join(f"#{n}" for n in expired) + ")" if expired else ""))
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    with session_scope() as session:
        _staff_id(session, args.staff)
        rows = proposals.audit_log(session, args.proposal_id)
        if not rows:
            print(f"#{args.proposal_id} 제안에 기록된 직원 조치가 없습니다.")
        for row in rows:
            print(f"{kst_datetime(row.created_at)} {row.staff_name} {row.action.value} "
                  f"{row.from_status.value}→{row.to_status.value}" + (f" · {row.detail[:60]}" if row.detail else ""))
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``proposals list|answer|hide|unhide|expire|audit`` to the staff CLI."""
    staff = argparse.ArgumentParser(add_help=False)
    staff.add_argument("--staff", type=int, required=True, metavar="TELEGRAM_ID",
                       help="telegram user id of the staff member acting (recorded in the audit)")
    parser = subparsers.add_parser("proposals", help="policy proposals: review queue, answers, hiding")
    sub = parser.add_subparsers(dest="proposals_command", required=True)

    p = sub.add_parser("list", parents=[staff], help="proposals, overdue reviews first")
    p.add_argument("--status", choices=list(rules.STATUS_LABELS))
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("answer", parents=[staff], help="post an interim or the final answer")
    p.add_argument("proposal_id", type=int)
    text = p.add_mutually_exclusive_group(required=True)
    text.add_argument("--text")
    text.add_argument("--text-file", help="UTF-8 file with the answer (for long answers)")
    p.add_argument("--result", choices=list(rules.RESULT_LABELS), help="required for the final answer")
    p.add_argument("--interim", action="store_true", help="an interim answer; the proposal stays under review")
    p.set_defaults(func=_cmd_answer)

    p = sub.add_parser("hide", parents=[staff], help="hide a proposal for abuse, with a reason")
    p.add_argument("proposal_id", type=int)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=_cmd_hide)

    p = sub.add_parser("unhide", parents=[staff], help="restore a hidden proposal")
    p.add_argument("proposal_id", type=int)
    p.add_argument("--reason")
    p.set_defaults(func=_cmd_unhide)

    p = sub.add_parser("expire", parents=[staff], help="close proposals whose endorsement window has ended")
    p.set_defaults(func=_cmd_expire)

    p = sub.add_parser("audit", parents=[staff], help="staff actions recorded for one proposal")
    p.add_argument("proposal_id", type=int)
    p.set_defaults(func=_cmd_audit)

