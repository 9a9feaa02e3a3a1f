"""``python -m storage.cli demo seed|reset``: the demo district of `make run`."""
from __future__ import annotations

import argparse

from storage import demo

MESSAGES = {
    "disabled": "예시 데이터를 만들지 않습니다 (DEMO=0 이거나 PostgreSQL 데이터베이스).",
    "real": "실제 데이터가 있는 데이터베이스라서 예시 데이터를 넣지 않았습니다.",
    "seeded": "예시 데이터가 이미 있습니다 (바꾼 것 없음).",
    "created": "예시 데이터를 만들었습니다.",
}


def describe(outcome: str, info: demo.DemoInfo | None) -> str:
    line = MESSAGES[outcome]
    if info is not None:
        line += (f"\n  주민: {info.resident_name} (id {info.resident_id}), "
                 f"두 번째 주민: {info.second_resident_name} (id {info.second_resident_id}), "
                 f"직원: {info.staff_name} (id {info.staff_id})")
    return line


def _cmd_demo(args: argparse.Namespace) -> int:
    outcome, info = demo.reset() if args.action == "reset" else demo.ensure()
    print(describe(outcome, info))
    return 1 if args.action == "reset" and outcome == "real" else 0


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="seed the demo district (empty SQLite only) or rebuild it")
    p.add_argument("action", choices=["seed", "reset"])
    p.set_defaults(func=_cmd_demo)
