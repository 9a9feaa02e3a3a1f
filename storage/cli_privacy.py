"""Privacy operations: the retention purge (``python -m storage.cli privacy purge [--dry-run]``).

:func:`run_purge` is the edge shared by the CLI, the scheduler's daily job and
the staff chat's ``/purge_report``: one transaction deletes residents past the
retention period (like a 탈퇴, keeping what the district must keep); after it
commits, their conversations are deleted from Rasa's tracker store.
"""
from __future__ import annotations

import argparse
import logging
from datetime import datetime

from storage import tracker_store
from storage.db import session_scope
from storage.rules import RETENTION_YEARS
from storage.services import privacy
from storage.timeutil import kst_date

log = logging.getLogger(__name__)


def run_purge(*, dry_run: bool, now: datetime | None = None) -> privacy.PurgeReport:
    """Purge (or with ``dry_run`` only list) residents inactive for the retention period."""
    with session_scope() as session:
        report = privacy.purge(session, now=now, dry_run=dry_run)
    if not dry_run and report.candidates:
        try:
            deleted = tracker_store.forget_senders(str(c.telegram_user_id) for c in report.candidates)
            log.info("retention purge: %d residents, %d tracker events", report.deleted, deleted)
        except Exception:  # noqa: BLE001 — the next run finds no residents but the tracker keeps them; logged
            log.exception("retention purge could not delete tracker events")
    return report


def report_lines(report: privacy.PurgeReport) -> list[str]:
    """One line per resident (internal id and last activity; no names) for staff."""
    return [f"#{c.resident_id} · 마지막 이용 {kst_date(c.last_active_at)}" for c in report.candidates]


def _cmd_purge(args: argparse.Namespace) -> int:
    report = run_purge(dry_run=args.dry_run)
    head = "미리보기(삭제하지 않음)" if report.dry_run else "삭제 완료"
    print(f"[보유기간 파기 {head}] 기준: 마지막 이용이 {kst_date(report.cutoff)} 이전 "
          f"(보유기간 {RETENTION_YEARS}년) · 대상 {len(report.candidates)}명 · 삭제 {report.deleted}명")
    for line in report_lines(report):
        print(line)
    return 0


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("privacy", help="privacy operations (retention purge)")
    psub = p.add_subparsers(dest="privacy_command", required=True)
    purge = psub.add_parser("purge", help="delete residents inactive for the retention period")
    purge.add_argument("--dry-run", action="store_true", help="only list who would be deleted")
    purge.set_defaults(func=_cmd_purge)
