"""Starts and stops the whole product as real processes.

Order: local Telegram server → action server → Rasa (loads the model before it
listens) → bot. Used by the run command, the end-to-end tests and the
benchmarks, so all three run exactly the same thing.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_PY = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
LOCAL_TOKEN = "123456:LOCAL-DEV-TOKEN"


@dataclass
class StackConfig:
    telegram_port: int = int(os.environ.get("LOCAL_TELEGRAM_PORT", 8081))
    rasa_port: int = int(os.environ.get("RASA_PORT", 5005))
    actions_port: int = int(os.environ.get("ACTIONS_PORT", 5055))
    database_url: str = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'ontong.db'}")
    tracker_store_url: str = os.environ.get(
        "TRACKER_STORE_URL", f"sqlite:///{ROOT / 'var' / 'rasa_tracker.db'}")
    model: Path = ROOT / "models" / "current.tar.gz"
    log_dir: Path = ROOT / "var" / "log"
    media_dir: Path = Path(os.environ.get("MEDIA_DIR", ROOT / "var" / "media"))
    endpoints: str = os.environ.get("RASA_ENDPOINTS", "endpoints.yml")
    token: str = os.environ.get("TELEGRAM_TOKEN", LOCAL_TOKEN)
    local_telegram: bool = not os.environ.get("TELEGRAM_TOKEN")
    telegram_args: list[str] = field(default_factory=list)
    scheduler: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    # The secret Rasa sends to the action server: the operator's, or a fresh one per start.
    action_secret: str = field(
        default_factory=lambda: os.environ.get("ACTION_SERVER_SECRET") or secrets.token_urlsafe(32))

    @property
    def telegram_url(self) -> str:
        return f"http://127.0.0.1:{self.telegram_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": self.tracker_store_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "ACTION_SERVER_SECRET": self.action_secret,
            "RASA_URL": self.rasa_url,
            "MEDIA_DIR": str(self.media_dir),
            "TELEGRAM_TOKEN": self.token,
            "LOCAL_TELEGRAM_TOKEN": self.token,
        })
        if self.local_telegram:
            env["TELEGRAM_BASE_URL"] = f"{self.telegram_url}/bot"
            env["TELEGRAM_BASE_FILE_URL"] = f"{self.telegram_url}/file/bot"
        env.update(self.extra_env)
        return env


class StackError(RuntimeError):
    """A process did not come up; the message points at its log."""


def _http_ok(url: str, data: bytes | None = None) -> bytes | None:
    try:
        with urllib.request.urlopen(url, data=data, timeout=2) as response:
            return response.read() if response.status == 200 else None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


class Stack:
    """The processes, started in order and stopped in reverse."""

    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig()
        self.procs: dict[str, subprocess.Popen] = {}

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.config.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.config.env(), stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def _wait(self, name: str, check, timeout: float) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.procs[name]
            if proc.poll() is not None:
                raise StackError(f"{name} exited with {proc.returncode}; see {self.log(name)}")
            if check():
                return
            time.sleep(0.3)
        raise StackError(f"{name} not ready after {timeout:.0f} s; see {self.log(name)}")

    def log(self, name: str) -> Path:
        return self.config.log_dir / f"{name}.log"

    def start_telegram(self) -> None:
        c = self.config
        self._spawn("telegram_local", [str(APP_PY), "-m", "telegram_local", "--host", "127.0.0.1",
                                       "--port", str(c.telegram_port), "--token", c.token,
                                       *c.telegram_args])
        self._wait("telegram_local", lambda: _http_ok(f"{c.telegram_url}/bot{c.token}/getMe"), 30)

    def start_actions(self) -> None:
        c = self.config
        self._spawn("actions", [str(APP_PY), "-m", "actions.server", "--host", "127.0.0.1",
                                "--port", str(c.actions_port)])
        self._wait("actions", lambda: _http_ok(f"http://127.0.0.1:{c.actions_port}/health"), 60)

    def start_rasa(self) -> None:
        c = self.config
        if not c.model.exists():
            raise StackError(f"no trained model at {c.model}: run scripts/train.sh")
        self._spawn("rasa", [str(RASA), "run", "-m", str(c.model), "--interface", "127.0.0.1",
                             "--port", str(c.rasa_port), "--endpoints", c.endpoints,
                             "--credentials", "credentials.yml"])
        # Rasa loads the model before it starts listening, so an answer means ready.
        self._wait("rasa", lambda: _http_ok(f"{c.rasa_url}/webhooks/rest/"), 240)

    def start_bot(self) -> None:
        c = self.config
        self._spawn("bot", [str(APP_PY), "-m", "bot"])
        if c.local_telegram:
            url = f"{c.telegram_url}/bot{c.token}/getMyCommands"

            def commands_registered() -> bool:
                body = _http_ok(url)
                return bool(body and json.loads(body).get("result"))

            self._wait("bot", commands_registered, 60)
        else:
            time.sleep(3)
            if self.procs["bot"].poll() is not None:
                raise StackError(f"bot exited; see {self.log('bot')}")

    def start_scheduler(self) -> None:
        """The one scheduler process (reminders, scheduled announcements, phase changes)."""
        self._spawn("scheduler", [str(APP_PY), "-m", "bot.scheduler"])
        time.sleep(0.5)
        if self.procs["scheduler"].poll() is not None:
            raise StackError(f"scheduler exited; see {self.log('scheduler')}")

    def start(self) -> "Stack":
        try:
            if self.config.local_telegram:
                self.start_telegram()
            self.start_actions()
            self.start_rasa()
            self.start_bot()
            if self.config.scheduler:
                self.start_scheduler()
        except BaseException:
            self.stop()
            raise
        return self

    def stop_one(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop_one(name)

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the whole 온통중구 stack")
    parser.parse_args()
    stack = Stack()
    print("starting: local Telegram, action server, Rasa (about a minute), bot …", flush=True)
    try:
        stack.start()
    except StackError as err:
        print(f"failed: {err}", file=sys.stderr)
        return 1
    c = stack.config
    if c.local_telegram:
        print(f"\n  온통중구 챗봇이 준비되었습니다. 브라우저에서 여세요:  {c.telegram_url}/\n"
              f"  (logs: {c.log_dir}; stop with Ctrl+C)\n", flush=True)
    else:
        print("\n  The bot is connected to Telegram. Stop with Ctrl+C.\n", flush=True)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for name, proc in list(stack.procs.items()):
                if proc.poll() is not None:
                    print(f"{name} stopped ({proc.returncode}); see {stack.log(name)}", file=sys.stderr)
                    stopping = True
            time.sleep(1)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
