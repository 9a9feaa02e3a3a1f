"""Withdrawal and decline delete the sender's Rasa tracker events (issue 13)."""
from __future__ import annotations

import asyncio

from sqlalchemy import create_engine, text

from storage import tracker_store
from tests.bot.conftest import say


def _tracker_db(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        # The columns Rasa 3.6's SQLTrackerStore creates.
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,"
                          " type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),"
                          " action_name VARCHAR(255), data TEXT)"))
        for sender in ("3101", "3101", "3102"):
            conn.execute(text("INSERT INTO events (sender_id, type_name, data) VALUES (:s, 'user', "
                              "'{\"text\": \"저는 신당동 홍길동이에요\"}')"), {"s": sender})
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    return engine


async def _settled_count(engine, sender: str, expected: int) -> int:  # type: ignore[no-untyped-def]
    """The bot deletes right after delivering the reply: poll briefly (no wall-clock assertion)."""
    for _ in range(100):
        if _count(engine, sender) == expected:
            break
        await asyncio.sleep(0.05)
    return _count(engine, sender)


def _count(engine, sender: str) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()


async def test_withdrawal_reply_deletes_the_senders_tracker_events(running_bot, tg, tmp_path, monkeypatch):
    engine = _tracker_db(tmp_path, monkeypatch)
    running_bot.replies["탈퇴 확인"] = [{"text": "탈퇴 처리되었어요."},
                                       {"custom": {"privacy": "forget_conversation"}}]
    (reply,) = await say(tg, 3101, "탈퇴 확인")
    assert reply["text"] == "탈퇴 처리되었어요."
    assert await _settled_count(engine, "3101", 0) == 0
    assert _count(engine, "3102") == 1  # nobody else's conversation


async def test_an_ordinary_reply_deletes_nothing(running_bot, tg, tmp_path, monkeypatch):
    engine = _tracker_db(tmp_path, monkeypatch)
    await say(tg, 3101, "안녕")
    assert _count(engine, "3101") == 2


def test_postgres_style_urls_use_the_apps_driver():
    assert tracker_store.tracker_store_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert tracker_store.tracker_store_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_missing_events_table_is_nothing_to_delete(tmp_path):
    assert tracker_store.forget_sender("1", f"sqlite:///{tmp_path / 'empty.db'}") == 0


async def test_a_data_download_is_sent_as_a_document_and_then_deleted(running_bot, tg, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path))
    (tmp_path / "exports").mkdir()
    export = tmp_path / "exports" / "my_data_x.json"
    export.write_text('{"residents": []}', encoding="utf-8")
    running_bot.replies["내 정보 내려받기"] = [{"text": "내 정보 파일이에요.",
                                            "custom": {"document": "exports/my_data_x.json"}}]
    (reply,) = await say(tg, 3103, "내 정보 내려받기")
    assert reply.get("document") and reply.get("caption") == "내 정보 파일이에요."
    assert not export.exists()


async def test_purge_report_for_staff_only(running_bot, tg, bot_db):
    from datetime import timedelta

    from bot import texts
    from storage.db import session_scope
    from storage.models import Role
    from storage.services import residents
    from storage.timeutil import utcnow

    with session_scope(bot_db) as s:
        staff, _ = residents.register(s, 3201, "담당자")
        staff.role = Role.staff
        old, _ = residents.register(s, 3202, "오래된 주민")
        old.last_active_at = utcnow() - timedelta(days=3 * 366)
        old_id = old.id
    (report,) = await say(tg, 3201, "/purge_report")
    assert "보유기간 파기 미리보기" in report["text"] and f"#{old_id}" in report["text"]
    assert "오래된 주민" not in report["text"]  # no names
    # A resident's /purge_report is what any unknown command is (the one staff gate):
    # it goes on to the conversation as plain words and reveals nothing of the report.
    (refused,) = await say(tg, 3202, "/purge_report")
    assert "보유기간" not in refused["text"] and f"#{old_id}" not in refused["text"]
    with session_scope(bot_db) as s:
        assert residents.find(s, 3202) is not None  # a report deletes nothing
