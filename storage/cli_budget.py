"""Staff commands for the participatory budget: ``python -m storage.cli budget <action> --staff TELEGRAM_ID``.

Each command is one transaction (the CLI is an edge). Times are typed in KST
("2027-03-02 09:00"), amounts as residents would say them ("10억", "3000만원").
"""
from __future__ import annotations

import argparse
from pathlib import Path

from storage import budget_rules as rules
from storage.db import session_scope
from storage.services import budget, residents
from storage.timeutil import kst_datetime, parse_kst


def _staff_id(session, telegram_id: int) -> int:  # type: ignore[no-untyped-def]
    return residents.require_staff(session, telegram_id).id


def _kst(text: str):  # type: ignore[no-untyped-def]
    try:
        return parse_kst(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"한국 시간으로 적어 주세요 (예: 2027-03-02 09:00): {text!r}") from None


def _print_cycle(view: budget.CycleView) -> None:
    rule = view.ballot_rule.label + (f"(최대 {view.max_picks}개)" if view.max_picks else "")
    print(f"#{view.id} {view.name} · 현재 단계: {view.phase_label} · 예산 {view.budget_label} · {rule}"
          + (f" · 최소 {view.min_share_percent}% 사용" if view.min_share_percent else "")
          + (" · 제출 후 변경 가능" if view.allow_ballot_change else ""))
    for phase, at in view.times.starts():
        print(f"   {phase.label:<10} {kst_datetime(at)}부터")


def _cmd_create(args: argparse.Namespace) -> int:
    total = rules.parse_won(args.budget, minimum=rules.CYCLE_BUDGET_MIN_WON, maximum=rules.CYCLE_BUDGET_MAX_WON)
    times = rules.PhaseTimes(args.intake, args.screening, args.voting, args.results, args.closes)
    with session_scope() as session:
        view = budget.create_cycle(
            session, staff_id=_staff_id(session, args.staff), name=args.name, total_budget=total,
            ballot_rule=args.rule, phase_times=times, max_picks=args.max_picks,
            min_share_percent=args.min_share, allow_ballot_change=args.allow_change,
        )
        print("주민참여예산 회차를 만들었습니다.")
        _print_cycle(view)
    return 0


def _cmd_cycles(args: argparse.Namespace) -> int:
    with session_scope() as session:
        _staff_id(session, args.staff)
        views = budget.recent_cycles(session, limit=args.limit)
        if not views:
            print("등록된 회차가 없습니다. budget create-cycle 로 만들어 주세요.")
        for view in views:
            _print_cycle(view)
    return 0


def _cmd_projects(args: argparse.Namespace) -> int:
    with session_scope() as session:
        _staff_id(session, args.staff)
        projects = budget.list_projects(session, args.cycle_id, status=args.status)
        if not projects:
            print("해당하는 사업이 없습니다.")
        labels = {"submitted": "심사 대기", "accepted": "투표 대상", "rejected": "제외"}
        for p in projects:
            print(f"#{p.id} [{labels[p.status.value]}] {p.title} · {p.dong} · 제안 {rules.format_won(p.estimated_cost)}"
                  + (f" → 심사 {p.cost_label}" if p.status.value == "accepted" else "")
                  + (f" · 사유: {p.screening_reason}" if p.screening_reason else ""))
            print(f"   {p.short_description}")
    return 0


def _cmd_screen(args: argparse.Namespace) -> int:
    accept = args.decision == "accept"
    cost = rules.parse_won(args.cost) if args.cost else None
    with session_scope() as session:
        project = budget.screen_project(
            session, project_id=args.project_id, staff_id=_staff_id(session, args.staff), accept=accept,
            cost=cost, reason=args.reason or "",
        )
    verdict = f"투표 대상으로 선정 (사업비 {project.cost_label})" if accept else "제외"
    print(f"#{project.id} 「{project.title}」: {verdict}. 제안자에게 결과가 안내됩니다.")
    return 0


def _cmd_set_phase(args: argparse.Namespace) -> int:
    with session_scope() as session:
        view = budget.set_phase(session, cycle_id=args.cycle_id, phase=args.phase,
                                staff_id=_staff_id(session, args.staff))
        print(f"#{view.id} {view.name}: 현재 단계는 '{view.phase_label}'입니다.")
    return 0


def _cmd_advance(args: argparse.Namespace) -> int:
    with session_scope() as session:
        _staff_id(session, args.staff)
        report = budget.run_schedule(session)
    if not report.phase_changes:
        print("일정상 바뀔 단계가 없습니다.")
    for cycle_id, phase in report.phase_changes:
        print(f"#{cycle_id}: '{phase.label}' 단계로 바뀌었습니다.")
    for cycle_id, ids in report.reminded.items():
        print(f"#{cycle_id}: 투표지를 제출하지 않은 {len(ids)}명에게 알림을 보냅니다.")
    return 0


def _print_results(results: budget.Results) -> None:
    state = "발표된 결과" if results.published_at else "현재 집계(비공개)"
    print(f"{results.cycle_name} {state} · {results.summary}")
    for line in results.lines:
        mark = "✅" if line.funded else "  "
        print(f"{mark} {line.rank}. {line.title} ({line.dong}) · {line.votes:,}표 · {line.cost_label}"
              f" · {line.reason.label}")


def _cmd_tally(args: argparse.Namespace) -> int:
    with session_scope() as session:
        _print_results(budget.tally(session, args.cycle_id, staff_id=_staff_id(session, args.staff)))
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    with session_scope() as session:
        results = budget.publish_results(session, cycle_id=args.cycle_id, staff_id=_staff_id(session, args.staff))
    _print_results(results)
    print(f"결과를 발표했습니다. 투표한 주민 {results.ballots_counted:,}명에게 결과와 그래프가 발송됩니다.")
    return 0


def _write(data: bytes, output: str | None, default_name: str) -> None:
    path = Path(output or default_name)
    path.write_bytes(data)
    print(f"저장했습니다: {path} ({len(data):,} bytes, UTF-8 BOM, 엑셀에서 바로 열 수 있습니다)")


def _cmd_export_ballots(args: argparse.Namespace) -> int:
    with session_scope() as session:
        data = budget.export_ballots_csv(session, cycle_id=args.cycle_id, staff_id=_staff_id(session, args.staff))
    _write(data, args.output, f"budget_{args.cycle_id}_ballots.csv")
    return 0


def _cmd_export_results(args: argparse.Namespace) -> int:
    with session_scope() as session:
        data = budget.export_results_csv(session, cycle_id=args.cycle_id, staff_id=_staff_id(session, args.staff))
    _write(data, args.output, f"budget_{args.cycle_id}_results.csv")
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``budget <action>`` to the staff command line."""
    parser = subparsers.add_parser("budget", help="주민참여예산 (회차·심사·단계·결과·내보내기)")
    sub = parser.add_subparsers(dest="budget_command", required=True)

    def add(name: str, handler, help_text: str) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--staff", type=int, required=True, metavar="TELEGRAM_ID", help="직원의 텔레그램 ID")
        p.set_defaults(func=handler)
        return p

    p = add("create-cycle", _cmd_create, "새 회차 만들기 (시간은 한국 시간)")
    p.add_argument("--name", required=True, help="예: 2027년 주민참여예산")
    p.add_argument("--budget", required=True, help="총예산, 예: 10억, 5억 5000만원")
    p.add_argument("--rule", choices=[r.value for r in rules.BallotRule], required=True,
                   help="approval: 최대 N개 선택 / budget_limited: 예산 한도 내 선택")
    p.add_argument("--max-picks", type=int, help="선택할 수 있는 최대 사업 수 (approval 필수)")
    p.add_argument("--min-share", type=int, help="budget_limited: 예산의 최소 사용 비율(%%)")
    p.add_argument("--allow-change", action="store_true", help="제출한 투표지를 마감 전까지 바꿀 수 있게 함")
    for phase in ("intake", "screening", "voting", "results", "closes"):
        p.add_argument(f"--{phase}", type=_kst, required=True, metavar="'YYYY-MM-DD HH:MM'",
                       help=f"{phase} 시작 (한국 시간)")

    p = add("cycles", _cmd_cycles, "최근 회차와 현재 단계")
    p.add_argument("--limit", type=int, default=5)

    p = add("projects", _cmd_projects, "회차의 사업 목록 (심사용)")
    p.add_argument("cycle_id", type=int)
    p.add_argument("--status", choices=["submitted", "accepted", "rejected"])

    p = add("screen", _cmd_screen, "사업 심사: accept(사업비 추정) 또는 reject(사유 필수)")
    p.add_argument("project_id", type=int)
    p.add_argument("decision", choices=["accept", "reject"])
    p.add_argument("--cost", help="심사 후 사업비, 예: 3000만원 (생략하면 제안 금액)")
    p.add_argument("--reason", help="심사 사유 (제안자에게 그대로 안내됩니다)")

    p = add("set-phase", _cmd_set_phase, "단계를 직접 바꾸기")
    p.add_argument("cycle_id", type=int)
    p.add_argument("phase", choices=[ph.value for ph in rules.Phase])

    add("advance", _cmd_advance, "일정에 따라 단계 진행 · 미제출 투표지 알림 (스케줄러와 같음)")

    p = add("tally", _cmd_tally, "현재 집계 보기 (직원만)")
    p.add_argument("cycle_id", type=int)

    p = add("publish", _cmd_publish, "결과 발표 (투표한 주민 모두에게 안내)")
    p.add_argument("cycle_id", type=int)

    for name, handler, text in (("export-ballots", _cmd_export_ballots, "투표지 CSV (개인 식별 정보 없음)"),
                                ("export-results", _cmd_export_results, "결과 CSV")):
        p = add(name, handler, text)
        p.add_argument("cycle_id", type=int)
        p.add_argument("-o", "--output", help="저장할 파일 경로")
