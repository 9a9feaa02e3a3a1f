"""python -m storage.cli announce …: create, schedule, list, cancel, send with a progress bar."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.cli import main
from storage.db import session_scope
from storage.models import Announcement, AnnouncementStatus
from tests.broadcast.conftest import TOKEN, delivered_per_chat, populate


@pytest.fixture
def cli_env(engine, telegram, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", f"{telegram.url}/bot")
    monkeypatch.setenv("TELEGRAM_BASE_FILE_URL", f"{telegram.url}/file/bot")
    return engine


def _last_id(engine) -> str:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return str(s.scalar(select(Announcement.id).order_by(Announcement.id.desc())))


def _status(engine) -> AnnouncementStatus:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return s.scalar(select(Announcement.status).order_by(Announcement.id.desc()))


def test_create_schedule_list_cancel(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    populate(cli_env, None, 2, topics=["budget"])
    assert main(["announce", "create", "--text", "참여예산 투표 안내", "--target", "topic", "--value", "참여예산"]) == 0
    assert "대상 2명" in capsys.readouterr().out
    a_id = _last_id(cli_env)
    assert main(["announce", "schedule", a_id, "2020-01-01 09:00"]) == 2          # schedule_in_past
    assert main(["announce", "schedule", a_id, "2030-01-01 09:00"]) == 0
    assert _status(cli_env) == AnnouncementStatus.scheduled
    capsys.readouterr()
    assert main(["announce", "list"]) == 0
    assert "scheduled" in capsys.readouterr().out
    assert main(["announce", "cancel", a_id]) == 0
    assert _status(cli_env) == AnnouncementStatus.cancelled
    assert main(["announce", "create", "--text", "x", "--target", "dong", "--value", "강남"]) == 2


def test_send_here_prints_a_progress_bar_and_delivers_once(cli_env, telegram, capsys) -> None:  # type: ignore[no-untyped-def]
    people = populate(cli_env, telegram, 5)
    assert main(["announce", "create", "--text", "대설 특보: 외출을 자제해 주세요", "--urgent"]) == 0
    a_id = _last_id(cli_env)
    assert main(["announce", "send", a_id, "--here", "--rate", "30"]) == 0
    out = capsys.readouterr().out
    assert f"#{a_id} [##############################] 5/5 전송 5" in out
    assert delivered_per_chat(telegram) == {chat: 1 for _rid, chat in people}
    assert _status(cli_env) == AnnouncementStatus.done
    assert main(["announce", "send", a_id, "--here"]) == 0                     # a rerun sends nothing more
    assert delivered_per_chat(telegram) == {chat: 1 for _rid, chat in people}
