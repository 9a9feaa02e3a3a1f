"""Demo mode: users and poster come by flags; the page learns them from /test/demo; without flags, no demo."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from telegram_local.__main__ import parse_args
from telegram_local.testing import run_server

TOKEN = "123456:LOCAL-DEV-TOKEN"


def test_without_flags_there_is_no_demo() -> None:
    config = parse_args([])
    assert not config.demo.enabled
    with run_server(config) as url:
        assert httpx.get(f"{url}/test/demo").json() == {"enabled": False, "users": [], "poster": None,
                                                         "facts": {}}
        assert httpx.get(f"{url}/test/demo/poster.png").status_code == 404


def test_bad_demo_user_flag_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--demo-user", "mayor:1:x"])


def test_demo_users_exist_from_the_start_and_the_poster_is_served(tmp_path: Path) -> None:
    poster = tmp_path / "poster.png"
    poster.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    config = parse_args(["--token", TOKEN, "--demo-user", "resident:700001:김중구(예시)",
                         "--demo-user", "staff:900001:박민원(예시 직원)", "--demo-poster", str(poster),
                         "--demo-fact", "near_proposal=2"])
    with run_server(config) as url:
        info = httpx.get(f"{url}/test/demo").json()
        assert info["enabled"] and info["poster"] == "/test/demo/poster.png"
        assert info["facts"] == {"near_proposal": "2"}
        assert [(u["id"], u["role"]) for u in info["users"]] == [(700001, "resident"), (900001, "staff")]
        assert httpx.get(f"{url}{info['poster']}").content == poster.read_bytes()
        # The bot may write first: the demo users count as having started the bot.
        sent = httpx.post(f"{url}/bot{TOKEN}/sendMessage", json={"chat_id": 700001, "text": "안녕하세요"}).json()
        assert sent["ok"], sent
        # A reset keeps them.
        httpx.post(f"{url}/test/reset", json={})
        assert httpx.post(f"{url}/bot{TOKEN}/sendMessage", json={"chat_id": 900001, "text": "x"}).json()["ok"]
