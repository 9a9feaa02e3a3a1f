"""The action server process (actions/server.py): loopback only, and only for callers with the secret."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from actions.server import SECRET_HEADER
from storage.db import migrate, session_scope
from storage.services import residents

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s" * 20 + "-test-secret-0123456789"
VICTIM = 777001


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of listening TCP sockets on the port (from /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":
                found.add(addr)
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    db_url = f"sqlite:///{tmp_path_factory.mktemp('actsrv') / 'app.db'}"
    migrate(db_url)
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=db_url, ACTION_SERVER_SECRET=SECRET)
    env.pop("SANIC_HOST", None)
    log = tmp_path_factory.mktemp("actsrv-log") / "actions.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            urllib.request.urlopen(f"{base}/health", timeout=1).read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"action server did not start: {log.read_text()}")
    engine = create_engine(db_url)
    yield {"base": base, "port": port, "engine": engine, "log": log}
    proc.terminate()
    proc.wait(timeout=10)
    engine.dispose()


def _withdraw_call(user_id: int) -> bytes:
    tracker = {
        "sender_id": str(user_id),
        "slots": {"withdraw_requested": True},
        "latest_message": {"intent": {"name": "withdraw_consent", "confidence": 1.0}, "entities": [],
                           "text": "탈퇴", "metadata": {"telegram_user_id": user_id}},
        # The bot asked "탈퇴할까요?" just before, and this message confirms it
        # (deletion needs a fresh confirmation: actions.consent.asked_just_before).
        "events": [{"event": "action", "name": "action_withdraw_consent"},
                   {"event": "action", "name": "action_listen"},
                   {"event": "user", "text": "탈퇴", "parse_data": {"intent": {"name": "withdraw_consent"}}}],
        "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    }
    return json.dumps({"next_action": "action_withdraw_consent", "sender_id": str(user_id),
                       "tracker": tracker, "domain": {}, "version": "3.6.21"}).encode()


def _post(base: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(f"{base}/webhook", data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _register(engine, user_id: int) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        residents.register(session, user_id, "피해자", None)


def _exists(engine, user_id: int) -> bool:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return residents.find(session, user_id) is not None


def test_binds_loopback_only(server) -> None:  # type: ignore[no-untyped-def]
    addresses = _listening_addresses(server["port"])
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, nothing on 0.0.0.0 or ::


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]},
                                     {"Authorization": f"Bearer {SECRET}"}])
def test_call_without_the_secret_is_refused_and_deletes_nothing(server, headers) -> None:  # type: ignore[no-untyped-def]
    _register(server["engine"], VICTIM)
    status, body = _post(server["base"], _withdraw_call(VICTIM), headers)
    assert status == 401
    assert b"utter_withdrawn" not in body
    assert _exists(server["engine"], VICTIM)


def test_action_list_needs_the_secret_too(server) -> None:  # type: ignore[no-untyped-def]
    try:
        urllib.request.urlopen(f"{server['base']}/actions", timeout=5)
        status = 200
    except urllib.error.HTTPError as err:
        status = err.code
    assert status == 401


def test_rasa_with_the_secret_is_served(server) -> None:  # type: ignore[no-untyped-def]
    _register(server["engine"], VICTIM + 1)
    status, body = _post(server["base"], _withdraw_call(VICTIM + 1), {SECRET_HEADER: SECRET})
    assert status == 200, body
    assert "utter_withdrawn" in body.decode()
    assert not _exists(server["engine"], VICTIM + 1)


def test_refuses_to_start_without_a_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    env.pop("ACTION_SERVER_SECRET", None)
    result = subprocess.run([sys.executable, "-m", "actions.server", "--port", str(_free_port())],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ACTION_SERVER_SECRET is not set" in result.stderr


def test_rasa_endpoints_send_the_secret_header() -> None:
    import yaml
    for name in ("endpoints.yml", "endpoints.scale.yml"):
        config = yaml.safe_load((ROOT / name).read_text())
        assert config["action_endpoint"]["headers"] == {SECRET_HEADER: "${ACTION_SERVER_SECRET}"}
