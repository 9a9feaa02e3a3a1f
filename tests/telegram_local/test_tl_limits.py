"""Token-bucket limits: per chat (burst, then about 1/s) and per bot (about 30/s)."""
from __future__ import annotations

import pytest

from telegram_local.config import DEFAULT_CHAT_BURST, DEFAULT_CHAT_RATE, DEFAULT_GLOBAL_RATE, Limits
from telegram_local.errors import ApiError
from telegram_local.limits import Limiter

TOKEN = "123456:TEST-TOKEN"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused(limiter: Limiter, chat_id: int) -> int | None:
    """retry_after when refused, None when admitted."""
    try:
        limiter.admit(chat_id)
    except ApiError as err:
        assert err.code == 429 and err.description == f"Too Many Requests: retry after {err.parameters['retry_after']}"
        return err.parameters["retry_after"]
    return None


def test_defaults_follow_telegram():
    assert (DEFAULT_GLOBAL_RATE, DEFAULT_CHAT_RATE) == (30, 1)
    assert 3 <= DEFAULT_CHAT_BURST <= 4  # one reply of 2–3 bubbles passes at once


def test_chat_burst_boundary_and_refill():
    clock = Clock()
    limiter = Limiter(Limits(chat_rate=1, chat_burst=4), clock)
    assert [refused(limiter, 1) for _ in range(4)] == [None] * 4
    assert refused(limiter, 1) == 1
    assert refused(limiter, 2) is None  # other chats have their own bucket
    clock.now += 0.999
    assert refused(limiter, 1) == 1  # not a whole token yet; retry_after is never 0
    clock.now += 0.001
    assert refused(limiter, 1) is None
    assert refused(limiter, 1) == 1


def test_retry_after_rounds_up_to_whole_seconds():
    clock = Clock()
    limiter = Limiter(Limits(chat_rate=0.25, chat_burst=1), clock)
    assert refused(limiter, 1) is None
    assert refused(limiter, 1) == 4
    clock.now += 0.5
    assert refused(limiter, 1) == 4  # 3.5 s left → 4
    clock.now += 2.5
    assert refused(limiter, 1) == 1


def test_global_bucket_boundary_29_30_31():
    clock = Clock()
    limiter = Limiter(Limits(global_rate=30, chat_rate=1, chat_burst=1), clock)
    assert [refused(limiter, chat) for chat in range(29)] == [None] * 29
    assert refused(limiter, 29) is None  # the 30th message in the same instant
    assert refused(limiter, 30) == 1  # the 31st
    clock.now += 1 / 30
    assert refused(limiter, 30) is None


def test_refusal_takes_no_token_from_the_other_bucket():
    clock = Clock()
    limiter = Limiter(Limits(global_rate=1, chat_rate=0.001, chat_burst=3), clock)
    assert refused(limiter, 1) is None
    assert refused(limiter, 1) == 1  # the global bucket is empty …
    assert limiter.chat_buckets[1].tokens == pytest.approx(2.0)  # … and the chat keeps its 2 tokens
    clock.now += 1
    assert refused(limiter, 1) is None
    assert limiter.chat_buckets[1].tokens == pytest.approx(1.001)


def test_switched_off():
    limiter = Limiter(Limits(enabled=False, chat_rate=1, chat_burst=1), Clock())
    assert all(refused(limiter, 1) is None for _ in range(100))


def test_config_endpoint_and_global_limit_over_http(client, resident):
    for user in (1001, 1002, 1003):
        resident(user, f"주민{user}")
    limits = client.post("/test/config", json={"global_rate": 2}).json()
    assert limits == {"limits_enabled": True, "global_rate": 2.0, "chat_rate": 1.0, "chat_burst": 4}
    codes = [client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": user, "text": "공지"}).status_code
             for user in (1001, 1002, 1003)]
    assert codes == [200, 200, 429]
    counters = client.get("/test/counters").json()
    assert (counters["delivered"], counters["rate_limited"]) == (2, 1)
    assert counters["chats"]["1003"]["rate_limited"] == 1
    client.post("/test/config", json={"limits_enabled": False})
    assert client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": 1003, "text": "공지"}).status_code == 200


def test_default_burst_lets_a_three_bubble_reply_through(client, resident):
    resident()
    codes = [client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": 710001, "text": f"말풍선 {i}"}).status_code
             for i in range(DEFAULT_CHAT_BURST + 1)]
    assert codes == [200] * DEFAULT_CHAT_BURST + [429]


def test_edits_and_chat_actions_are_not_limited(client, resident):
    resident()
    client.post("/test/config", json={"chat_burst": 1, "chat_rate": 0.01})
    sent = client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": 710001, "text": "0"}).json()["result"]
    for i in range(1, 6):
        edit = client.post(f"/bot{TOKEN}/editMessageText",
                           data={"chat_id": 710001, "message_id": sent["message_id"], "text": str(i)})
        assert edit.status_code == 200
        action = client.post(f"/bot{TOKEN}/sendChatAction", data={"chat_id": 710001, "action": "typing"})
        assert action.status_code == 200
    assert client.get("/test/counters").json()["edited"] == 5


def test_bad_config_is_refused_in_korean(client):
    response = client.post("/test/config", json={"chat_rate": 0})
    assert response.status_code == 400 and "0보다 큰" in response.json()["description"]


def test_reset_restores_start_limits(client):
    client.post("/test/config", json={"chat_rate": 5, "limits_enabled": False})
    assert client.post("/test/reset", json={}).json()["chat_rate"] == 1.0
    assert client.get("/test/config").json()["limits_enabled"] is True
