"""Staff and operator command line: ``python -m storage.cli <command> ...``.

Each command opens one transaction (the CLI is an edge) and prints Korean
results for staff. Feature modules add subcommands through ``register``.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from storage.db import migrate, session_scope
from storage.errors import DomainError, error_message
from storage.models import Role
from storage.services import residents

Handler = Callable[[argparse.Namespace], int]


def _cmd_migrate(args: argparse.Namespace) -> int:
    migrate()
    print("데이터베이스를 최신 구조로 맞췄습니다.")
    return 0


def _cmd_staff(args: argparse.Namespace) -> int:
    role = Role.resident if args.action == "revoke" else Role(args.role)
    with session_scope() as session:
        resident = residents.set_role(session, args.telegram_user_id, role)
        print(f"{resident.display_name}({args.telegram_user_id}) 님의 권한: {role.value}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m storage.cli", description="온통중구 운영 도구")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply Alembic migrations to DATABASE_URL")
    p.set_defaults(func=_cmd_migrate)

    p = sub.add_parser("staff", help="grant or revoke the staff role")
    p.add_argument("action", choices=["grant", "revoke"])
    p.add_argument("telegram_user_id", type=int)
    p.add_argument("--role", choices=["staff", "admin"], default="staff")
    p.set_defaults(func=_cmd_staff)

    for register in _feature_commands():
        register(sub)
    return parser


def _feature_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Feature modules' ``register_cli(subparsers)`` functions, in menu order."""
    registrars: list[Callable[[argparse._SubParsersAction], None]] = []
    # Features add their registrar here, e.g.:
    # from storage.cli_points import register_cli as points_cli; registrars.append(points_cli)
    from storage.cli_points import register_cli as points_cli; registrars.append(points_cli)
    from storage.cli_proposals import register_cli as proposals_cli; registrars.append(proposals_cli)
    from storage.cli_engagement import register_cli as engagement_cli; registrars.append(engagement_cli)
    from storage.cli_budget import register_cli as budget_cli; registrars.append(budget_cli)
    from storage.cli_broadcast import register_cli as broadcast_cli; registrars.append(broadcast_cli)
    from storage.cli_privacy import register_cli as privacy_cli; registrars.append(privacy_cli)
    from storage.cli_demo import register_cli as demo_cli; registrars.append(demo_cli)
    return registrars


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DomainError as err:
        print(f"처리할 수 없습니다: {error_message(err.code, **err.params)} ({err.code})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
