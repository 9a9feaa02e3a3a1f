"""QR "scan": real QR PNGs and links become /start <payload>, as a Telegram client sends it."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from telegram_local.scan import ScanError, start_payload

CHAT = 710001
TOKEN = "123456:TEST-TOKEN"
BOT = "ontong_junggu_bot"


def last_update_text(client) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/bot{TOKEN}/getUpdates").json()["result"][-1]["message"]["text"]


def test_scanning_a_real_qr_png_delivers_start_with_payload(client, resident, qr_png, b64):
    resident()
    png = qr_png(f"https://t.me/{BOT}?start=ev_12-Ab9")
    result = client.post("/test/scan", json={"user_id": CHAT, "png_base64": b64(png)}).json()
    assert result["payload"] == "ev_12-Ab9" and set(result) == {"update_id", "message_id", "payload", "link"}
    update = client.get(f"/bot{TOKEN}/getUpdates").json()["result"][0]
    assert update["update_id"] == result["update_id"]
    assert update["message"]["text"] == "/start ev_12-Ab9"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]


def test_scanning_a_pasted_link(client, resident):
    resident()
    client.post("/test/scan", json={"user_id": CHAT, "link": f"t.me/{BOT.upper()}?start=abc"}).raise_for_status()
    assert last_update_text(client) == "/start abc"


@pytest.mark.parametrize(("link", "reason"), [
    (f"https://t.me/other_bot?start=abc", "다른 봇"),
    (f"https://t.me/{BOT}", "start 값이 없어요"),
    (f"https://t.me/{BOT}?start=a%20b", "start 값이 올바르지 않아요"),
    (f"https://t.me/{BOT}?start=" + "a" * 65, "start 값이 올바르지 않아요"),
    ("https://evil.example/ontong_junggu_bot?start=abc", "텔레그램 봇 링크"),
])
def test_bad_links_are_refused_in_korean(client, resident, link, reason):
    resident()
    response = client.post("/test/scan", json={"user_id": CHAT, "link": link})
    assert response.status_code == 400 and reason in response.json()["description"]
    assert client.get(f"/bot{TOKEN}/getUpdates").json()["result"] == []


def test_payload_length_boundary():
    assert start_payload(f"https://t.me/{BOT}?start=" + "a" * 64, BOT) == "a" * 64
    assert start_payload(f"tg://resolve?domain={BOT}&start=x_y-z", BOT) == "x_y-z"
    with pytest.raises(ScanError):
        start_payload(f"https://t.me/{BOT}?start=" + "a" * 65, BOT)


def test_qr_of_another_bot_is_refused(client, resident, qr_png, b64):
    resident()
    png = qr_png("https://t.me/some_other_bot?start=ev_1")
    response = client.post("/test/scan", json={"user_id": CHAT, "png_base64": b64(png)})
    assert response.status_code == 400 and "다른 봇(@some_other_bot)" in response.json()["description"]


def test_tampered_qr_cannot_be_read(client, resident, qr_png, b64):
    resident()
    image = Image.open(io.BytesIO(qr_png(f"https://t.me/{BOT}?start=ev_12"))).convert("L")
    # Paint over the three finder patterns and the middle: no reader can find the code any more.
    w, h = image.size
    for box in ((0, 0, w // 2, h // 2), (w // 2, 0, w, h // 2), (0, h // 2, w // 2, h)):
        image.paste(255, box)
    out = io.BytesIO()
    image.save(out, format="PNG")
    response = client.post("/test/scan", json={"user_id": CHAT, "png_base64": b64(out.getvalue())})
    assert response.status_code == 400 and "QR 코드를 읽을 수 없어요" in response.json()["description"]


def test_not_an_image(client, resident, b64):
    resident()
    response = client.post("/test/scan", json={"user_id": CHAT, "png_base64": b64(b"%PDF-1.4 not a png")})
    assert response.status_code == 400 and "이미지를 열 수 없어요" in response.json()["description"]


def test_nothing_to_scan(client, resident):
    resident()
    response = client.post("/test/scan", json={"user_id": CHAT})
    assert response.status_code == 400 and "link 또는 png_base64" in response.json()["description"]


def test_bot_poster_photo_can_be_scanned_back(client, resident, qr_png, b64):
    """The e2e path: the bot sends a QR poster, the resident scans the downloaded photo."""
    resident()
    png = qr_png(f"https://t.me/{BOT}?start=ev_7-Xy")
    sent = client.post(f"/bot{TOKEN}/sendPhoto", data={"chat_id": CHAT}, files={"photo": ("poster.png", png)}).json()
    largest = sent["result"]["photo"][-1]["file_id"]
    poster = client.get(f"/test/files/{largest}").content
    result = client.post("/test/scan", json={"user_id": CHAT, "png_base64": b64(poster)}).json()
    assert result["payload"] == "ev_7-Xy"
