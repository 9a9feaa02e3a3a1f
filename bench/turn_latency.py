"""Turn latency through the whole stack vs. Rasa alone.

N residents × M turns are sent through the local Telegram server (bot → Rasa
→ actions → storage → bot → Telegram), and the same messages are sent by
other senders straight to Rasa's REST endpoint. Prints p50/p95/p99 of both
and the ratio of the p95s. Target: the full stack adds at most 30 % to
Rasa's own p95.

Telegram's per-chat limit is lifted for this run: it measures the software,
not the pacing (bench/broadcast measures the pacing).

    .venv/bin/python bench/turn_latency.py --residents 20 --turns 10
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from stack import Stack, StackConfig  # noqa: E402
from storage.db import migrate  # noqa: E402
from tests.e2e.driver import TelegramDriver  # noqa: E402

# (message, replies expected) — a registered resident's everyday turns.
SCRIPT = [("안녕하세요", 2), ("내 포인트", 1), ("도움말", 1), ("메뉴", 1), ("포인트 내역", 1)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def through_stack(driver: TelegramDriver, user_id: int, turns: int, think: float) -> list[float]:
    chat = driver.resident(user_id, f"주민{user_id % 1000}")
    chat.send("/start", replies=2)
    chat.send("/consent_accept", replies=2)
    latencies = []
    for turn in range(turns):
        text, replies = SCRIPT[turn % len(SCRIPT)]
        started = time.perf_counter()
        chat.send(text, replies=replies)
        latencies.append(time.perf_counter() - started)
        time.sleep(think)
    return latencies


def straight_to_rasa(rasa_url: str, user_id: int, turns: int, think: float) -> list[float]:
    meta = {"telegram_user_id": user_id, "chat_id": user_id, "first_name": "벤치"}
    url = f"{rasa_url}/webhooks/rest/webhook"
    latencies = []
    with httpx.Client(timeout=60) as http:
        http.post(url, json={"sender": str(user_id), "message": "/consent_accept", "metadata": meta})
        for turn in range(turns):
            text, _ = SCRIPT[turn % len(SCRIPT)]
            started = time.perf_counter()
            reply = http.post(url, json={"sender": str(user_id), "message": text, "metadata": meta})
            reply.raise_for_status()
            latencies.append(time.perf_counter() - started)
            time.sleep(think)
    return latencies


def report(name: str, values: list[float]) -> dict[str, float]:
    figures = {q: percentile(values, q) * 1000 for q in (50, 95, 99)}
    print(f"{name:<22} n={len(values):4d}  p50={figures[50]:7.1f} ms  p95={figures[95]:7.1f} ms"
          f"  p99={figures[99]:7.1f} ms  mean={statistics.mean(values) * 1000:7.1f} ms")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a resident pauses between turns (keeps the load under Telegram's 30 msg/s)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-turns-"))
    db_url = f"sqlite:///{tmp / 'ontong.db'}"
    migrate(db_url)
    config = StackConfig(telegram_port=18081, rasa_port=15005, actions_port=15055,
                         database_url=db_url, tracker_store_url=f"sqlite:///{tmp / 'tracker.db'}",
                         log_dir=tmp / "log", media_dir=tmp / "media", local_telegram=True,
                         telegram_args=["--no-limits"])
    print(f"starting the stack (logs in {config.log_dir}) …", flush=True)
    with Stack(config) as stack:
        driver = TelegramDriver(stack.config.telegram_url, stack.config.token)
        ids = range(800_000, 800_000 + args.residents)
        with ThreadPoolExecutor(max_workers=args.residents) as pool:
            full = [x for part in pool.map(lambda u: through_stack(driver, u, args.turns, args.think), ids) for x in part]
            rasa_ids = range(900_000, 900_000 + args.residents)
            alone = [x for part in pool.map(lambda u: straight_to_rasa(stack.config.rasa_url, u, args.turns, args.think), rasa_ids)
                     for x in part]
    print(f"\n{args.residents} residents × {args.turns} turns, concurrently, {args.think:.1f} s between turns")
    rasa_fig = report("Rasa REST alone", alone)
    full_fig = report("full stack (Telegram)", full)
    ratio = full_fig[95] / rasa_fig[95]
    print(f"\np95 ratio full/Rasa = {ratio:.2f}  (target ≤ 1.30: {'met' if ratio <= 1.30 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
