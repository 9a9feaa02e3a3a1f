"""Broadcast benchmark: one announcement to 8,403 subscribers through the local Telegram server.

The server runs as a subprocess with its limits on (global token bucket at
``--global-rate``, per-chat 1/s with a burst of 1); the sender is the real
``python -m bot.broadcast`` process at the same rate. Three runs, each a fresh
announcement to every subscriber:

1. clean: achieved rate (first → last send, from the database's sent_at) as a
   fraction of the allowed rate (target ≥ 95 %), duplicates and losses
   (messages per chat counted by the server: must be 0 and 0);
2. SIGTERM halfway, then restart: graceful stop drains in-flight sends;
3. SIGKILL halfway, then restart: rows left "sending" by the dead process
   become "unconfirmed" and are never resent; the bench checks each against
   the server (delivered or not) and reports the window honestly.

Telegram's own limit is 30/s (8,403 messages take ≥ 280 s); the default here
scales it to 150/s to keep the whole run to a few minutes, and reports the
ratio. ``--limiters`` also compares our pacer with ptb's AIORateLimiter on
the bare send path. The announcement is an urgent one so the run does not
depend on the time of day (quiet hours are tested separately).

    .venv/bin/python bench/broadcast.py [--recipients 8403] [--global-rate 150] [--database-url URL]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.broadcast import Pacer, fan_out, make_bot  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from storage.db import make_engine, migrate, session_scope  # noqa: E402
from storage.models import OutboxMessage, OutboxStatus, Resident, Role, Subscription  # noqa: E402
from storage.notify_rules import ALL_TOPICS  # noqa: E402
from storage.services import announcements  # noqa: E402
from storage.timeutil import utcnow  # noqa: E402

TOKEN = "123456:BENCH-BROADCAST"
FIRST_CHAT = 70_000_000
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunResult:
    label: str
    recipients: int
    delivered: int
    duplicates: int
    losses: int
    rate: float
    rate_limited: int
    in_flight_at_stop: int = 0
    unconfirmed: int = 0
    unconfirmed_delivered: int = 0
    seconds: float = 0.0


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.http = httpx.Client(base_url=self.base, timeout=60)
        self.log = open(workdir / "sender.log", "ab")
        self.server: subprocess.Popen | None = None
        self.db = None

    # --- setup -------------------------------------------------------------------
    def start_server(self) -> None:
        self.server = subprocess.Popen(
            [PY, "-m", "telegram_local", "--port", str(self.port), "--token", TOKEN,
             "--global-rate", str(self.args.global_rate), "--chat-rate", "1", "--chat-burst", "1"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(300):
            try:
                if self.http.get(f"/bot{TOKEN}/getMe").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit("telegram_local did not start")

    def populate(self) -> None:
        n = self.args.recipients
        chats = range(FIRST_CHAT, FIRST_CHAT + n)

        def register(chat_id: int) -> None:
            self.http.post("/test/users", json={"user_id": chat_id, "first_name": "주민", "started": True}
                           ).raise_for_status()

        with ThreadPoolExecutor(4) as pool:   # one keep-alive client, shared (httpx is thread-safe)
            list(pool.map(register, chats, chunksize=256))
        migrate(self.url)
        self.db = make_engine(self.url)
        now = utcnow()
        with session_scope(self.db) as s:
            s.execute(insert(Resident), [
                dict(telegram_user_id=c, display_name="주민", consent_version="bench", consented_at=now,
                     role=Role.resident, reachable=True, created_at=now) for c in chats])
            ids = list(s.scalars(select(Resident.id)))
            s.execute(insert(Subscription), [dict(resident_id=i, topic=t, enabled=True, updated_at=now)
                                             for i in ids for t in ALL_TOPICS])

    def delivered(self) -> dict[int, int]:
        chats = self.http.get("/test/counters").raise_for_status().json()["chats"]
        return {int(c): v["delivered"] for c, v in chats.items()}

    def rate_limited(self) -> int:
        return self.http.get("/test/counters").raise_for_status().json()["rate_limited"]

    # --- one run ---------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": self.url, "TELEGRAM_TOKEN": TOKEN,
                "TELEGRAM_BASE_URL": f"{self.base}/bot", "TELEGRAM_BASE_FILE_URL": f"{self.base}/file/bot"}

    def _sender(self) -> subprocess.Popen:
        return subprocess.Popen([PY, "-m", "bot.broadcast", "--rate", str(self.args.global_rate), "--until-idle",
                                 "--quiet"], cwd=ROOT, env=self._env(), stdout=self.log, stderr=self.log)

    def _count(self, a_id: int, status: OutboxStatus) -> int:
        with session_scope(self.db) as s:
            return s.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.announcement_id == a_id, OutboxMessage.status == status)) or 0

    def run(self, label: str, kill: int | None) -> RunResult:
        before = self.delivered()
        limited_before = self.rate_limited()
        with session_scope(self.db) as s:
            a_id = announcements.create(s, text=f"[{label}] 중구청 안내 방송 시험입니다.", urgent=True).id
        started = time.perf_counter()
        fan_out(self.db, a_id)
        fanned = time.perf_counter() - started
        in_flight = 0
        proc = self._sender()
        if kill is not None:
            while self._count(a_id, OutboxStatus.sent) < self.args.recipients // 2:
                if proc.poll() is not None:
                    raise SystemExit(f"sender exited early ({proc.returncode}); see sender.log")
                time.sleep(0.05)
            proc.send_signal(kill)
            proc.wait(timeout=60)
            in_flight = self._count(a_id, OutboxStatus.sending)
            if kill == signal.SIGTERM and in_flight:
                self.log.flush()
                tail = Path(self.log.name).read_text(errors="replace").splitlines()[-15:]
                print("  rows left sending after SIGTERM; sender log:\n    " + "\n    ".join(tail))
            proc = self._sender()
        if proc.wait(timeout=3600) != 0:
            raise SystemExit(f"sender failed ({proc.returncode}); see sender.log")
        seconds = time.perf_counter() - started
        after = self.delivered()
        recipients = range(FIRST_CHAT, FIRST_CHAT + self.args.recipients)
        delta = {c: after.get(c, 0) - before.get(c, 0) for c in recipients}
        with session_scope(self.db) as s:
            first, last, sent = s.execute(select(func.min(OutboxMessage.sent_at), func.max(OutboxMessage.sent_at),
                                                 func.count()).where(OutboxMessage.announcement_id == a_id,
                                                                     OutboxMessage.status == OutboxStatus.sent)).one()
            unconfirmed = set(s.scalars(select(OutboxMessage.chat_id).where(
                OutboxMessage.announcement_id == a_id, OutboxMessage.status == OutboxStatus.unconfirmed)))
        span = (last - first).total_seconds() if first and last else 0.0
        print(f"  fan-out of {self.args.recipients:,} rows: {fanned:.1f} s", flush=True)
        return RunResult(
            label=label, recipients=self.args.recipients, delivered=sum(1 for v in delta.values() if v >= 1),
            duplicates=sum(v - 1 for v in delta.values() if v > 1),
            losses=sum(1 for v in delta.values() if v == 0),
            rate=(sent - 1) / span if span > 0 else 0.0, rate_limited=self.rate_limited() - limited_before,
            in_flight_at_stop=in_flight, unconfirmed=len(unconfirmed),
            unconfirmed_delivered=sum(1 for c in unconfirmed if delta.get(c, 0) >= 1), seconds=seconds)

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=15)
        self.log.close()


# --- limiter comparison on the bare send path ------------------------------------------
async def _send_all(bot, chats: list[int], pacer: Pacer | None, concurrency: int = 16) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from telegram.error import RetryAfter

    gate = asyncio.Semaphore(concurrency)
    limited = 0
    stamps: list[float] = []

    async def one(chat_id: int) -> None:
        nonlocal limited
        async with gate:
            try:
                await bot.send_message(chat_id, "속도 비교")
                stamps.append(time.monotonic())
            except RetryAfter:
                limited += 1

    tasks = []
    for chat_id in chats:
        if pacer is not None:
            await asyncio.sleep(pacer.reserve())
        tasks.append(asyncio.create_task(one(chat_id)))
    await asyncio.gather(*tasks)
    stamps.sort()
    return ((len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0), limited


def compare_limiters(bench: Bench, rate: float) -> None:
    from telegram.ext import AIORateLimiter, ExtBot

    settings = BotSettings.from_env()
    settings = BotSettings(**{**settings.__dict__, "token": TOKEN, "base_url": f"{bench.base}/bot",
                              "base_file_url": f"{bench.base}/file/bot"})
    n = int(rate * 10)
    chats = list(range(FIRST_CHAT, FIRST_CHAT + n))

    async def own() -> tuple[float, int]:
        bot = make_bot(settings)
        async with bot:
            return await _send_all(bot, chats, Pacer(rate, burst=max(1, int(rate * 0.1))))

    async def aio() -> tuple[float, int]:
        limiter = AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=0)
        from telegram.request import HTTPXRequest
        bot = ExtBot(TOKEN, base_url=f"{bench.base}/bot", request=HTTPXRequest(connection_pool_size=16),
                     rate_limiter=limiter)
        async with bot:
            return await _send_all(bot, chats, None)

    for name, run in (("own token bucket", own), ("ptb AIORateLimiter", aio)):
        time.sleep(2)  # let the server's bucket refill
        achieved, limited = asyncio.run(run())
        print(f"  {name:<20} {achieved:7.1f}/s of {rate:g}/s = {achieved / rate:6.1%}   429s: {limited}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=8403)
    parser.add_argument("--global-rate", type=float, default=150.0,
                        help="the server's (and sender's) overall limit, messages/s (Telegram: 30)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="default: a throwaway SQLite file (PostgreSQL: an empty database)")
    parser.add_argument("--runs", default="clean,sigterm,sigkill")
    parser.add_argument("--limiters", action="store_true", help="also compare our pacer with AIORateLimiter")
    args = parser.parse_args()
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    with tempfile.TemporaryDirectory(prefix="bench_broadcast_") as tmp:
        bench = Bench(args, Path(tmp))
        try:
            t0 = time.perf_counter()
            bench.start_server()
            bench.populate()
            print(f"setup: {args.recipients:,} subscribers on the server and in {bench.url.split(':')[0]} "
                  f"({time.perf_counter() - t0:.0f} s); allowed rate {args.global_rate:g}/s, per chat 1/s")
            if args.limiters:
                print("limiters (bare send path, 10 s worth of messages each):")
                compare_limiters(bench, args.global_rate)
            results = []
            for label in runs:
                kill = {"clean": None, "sigterm": signal.SIGTERM, "sigkill": signal.SIGKILL}[label]
                print(f"run {label} …", flush=True)
                results.append(bench.run(label, kill))
        finally:
            bench.stop()
    print()
    print(f"{'run':<9} {'rate/s':>8} {'of allowed':>10} {'delivered':>10} {'dupl.':>6} {'lost':>5} "
          f"{'429':>4} {'in flight':>9} {'unconfirmed (delivered)':>24} {'time':>7}")
    ok = True
    for r in results:
        print(f"{r.label:<9} {r.rate:8.1f} {r.rate / args.global_rate:10.1%} {r.delivered:10,} {r.duplicates:6} "
              f"{r.losses:5} {r.rate_limited:4} {r.in_flight_at_stop:9} "
              f"{f'{r.unconfirmed} ({r.unconfirmed_delivered})':>24} {r.seconds:6.0f}s")
        ok &= r.duplicates == 0 and (r.losses == 0 or r.losses <= r.unconfirmed - r.unconfirmed_delivered)
    clean = next((r for r in results if r.label == "clean"), None)
    if clean is not None:
        print(f"\nachieved {clean.rate:.1f}/s of the allowed {args.global_rate:g}/s = "
              f"{clean.rate / args.global_rate:.1%} (target ≥ 95 %); duplicates {clean.duplicates}, "
              f"losses {clean.losses}")
        ok &= clean.rate / args.global_rate >= 0.95 and clean.losses == 0
    print("lost = recipients the server never saw; after SIGKILL these can only be rows the dead sender "
          "had claimed (unconfirmed, never resent, shown to staff).")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
