"""Deep links of meetings through the real bot: m<id> opens the card, ma<id>_<code> attends; QR check-ins unchanged."""
from __future__ import annotations

from bot import deep_links
from tests.bot.conftest import read


def test_router_claims_only_meeting_prefixes():
    assert deep_links.route("m42") == '/meeting_detail{"meeting_id":"42"}'
    assert deep_links.route("ma42_012345") == '/meeting_attend{"meeting_id":"42","meeting_code":"012345"}'
    for payload in ("kAbCdEfGhIjKlMnOpQrStUvWxYz012", "eAbC_12-x", "m", "m0", "mx1", "ma42_1234", ""):
        assert deep_links.route(payload) is None


async def test_meeting_deep_links_reach_rasa(running_bot, tg):
    await tg.post("/test/users", json={"user_id": 3161, "first_name": "주민"})
    await tg.post("/test/scan", json={"user_id": 3161, "link": "https://t.me/ontong_junggu_bot?start=m7"})
    await read(tg, 3161, 1)
    assert running_bot.received[-1]["message"] == '/meeting_detail{"meeting_id":"7"}'
    await tg.post("/test/scan", json={"user_id": 3161, "link": "https://t.me/ontong_junggu_bot?start=ma7_482913"})
    await read(tg, 3161, 2)
    assert running_bot.received[-1]["message"] == '/meeting_attend{"meeting_id":"7","meeting_code":"482913"}'
    await tg.post("/test/scan", json={"user_id": 3161, "link": "https://t.me/ontong_junggu_bot?start=eAbC_12-x"})
    await read(tg, 3161, 3)
    assert running_bot.received[-1]["message"] == '/qr_checkin{"qr_payload":"eAbC_12-x"}'
