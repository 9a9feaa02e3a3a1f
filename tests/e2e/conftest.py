"""End to end: the real processes (local Telegram, action server, Rasa with the
trained model, bot), started once per test session on free ports, with a
database of their own."""
from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import make_engine, migrate
from storage.settings import PROJECT_ROOT
from tests.e2e.driver import TelegramDriver

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
from stack import Stack, StackConfig  # noqa: E402

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        message = f"no trained model at {MODEL}: run scripts/train.sh (the test command does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    tmp = tmp_path_factory.mktemp("e2e")
    db_url = f"sqlite:///{tmp / 'ontong.db'}"
    migrate(db_url)
    config = StackConfig(
        telegram_port=_free_port(), rasa_port=_free_port(), actions_port=_free_port(),
        database_url=db_url, tracker_store_url=f"sqlite:///{tmp / 'tracker.db'}",
        log_dir=tmp / "log", media_dir=tmp / "media", local_telegram=True,
        extra_env={"OUTBOX_INTERVAL": "0.3", "QR_SECRET": "e2e-secret"},
    )
    with Stack(config) as running:
        yield running
    for name in ("bot", "actions", "rasa"):
        log = config.log_dir / f"{name}.log"
        if log.exists():
            print(f"--- tail of {name}.log ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))


@pytest.fixture(scope="session")
def e2e_engine(stack: Stack):  # type: ignore[no-untyped-def]
    engine = make_engine(stack.config.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def telegram(stack: Stack) -> TelegramDriver:
    return TelegramDriver(stack.config.telegram_url, stack.config.token)


@pytest.fixture(scope="module")
def telegram_module(stack: Stack) -> TelegramDriver:
    """For modules whose tests continue one story (the same residents throughout)."""
    return TelegramDriver(stack.config.telegram_url, stack.config.token)


@pytest.fixture
def e2e_env(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let test code call storage/ and the CLI against the stack's database."""
    for key in ("DATABASE_URL", "QR_SECRET", "MEDIA_DIR"):
        monkeypatch.setenv(key, stack.config.env()[key])
