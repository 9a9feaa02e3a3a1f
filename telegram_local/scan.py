"""QR "scan": decode a PNG with zxing-cpp and read a t.me deep link as a Telegram client does."""
from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

import zxingcpp
from PIL import Image, UnidentifiedImageError

# Telegram deep-link payloads: up to 64 characters of A–Z, a–z, 0–9, _ and -.
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HOSTS = {"t.me", "telegram.me", "telegram.dog", "www.t.me"}


class ScanError(ValueError):
    """A code or link that a Telegram client would not turn into /start <payload>; Korean message."""


def decode_png(data: bytes) -> str:
    """The text of the first QR code in the image."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ScanError("이미지를 열 수 없어요. PNG 파일인지 확인해 주세요.") from exc
    results = [r for r in zxingcpp.read_barcodes(image.convert("L")) if r.valid and r.text]
    if not results:
        raise ScanError("QR 코드를 읽을 수 없어요. 코드가 선명하게 보이는 이미지를 올려 주세요.")
    return results[0].text


def start_payload(link: str, bot_username: str) -> str:
    """The start payload of https://t.me/<bot>?start=<payload> (or tg://resolve?domain=…&start=…)."""
    link = link.strip()
    url = urlparse(link if "://" in link else f"https://{link}")
    if url.scheme == "tg" and url.netloc == "resolve":
        query = parse_qs(url.query)
        bot = (query.get("domain") or [""])[0]
    elif url.scheme in ("http", "https") and url.netloc.lower() in _HOSTS:
        bot = url.path.strip("/")
        query = parse_qs(url.query)
    else:
        raise ScanError("텔레그램 봇 링크(https://t.me/봇이름?start=…)가 아니에요.")
    if bot.lower() != bot_username.lower():
        raise ScanError(f"다른 봇(@{bot or '?'})의 링크예요. @{bot_username} 링크만 쓸 수 있어요.")
    payloads = query.get("start")
    if not payloads:
        raise ScanError("링크에 start 값이 없어요. 행사 QR 코드인지 확인해 주세요.")
    payload = payloads[0]
    if not PAYLOAD.match(payload):
        raise ScanError("start 값이 올바르지 않아요. 영문·숫자·_·- 64자 이내여야 해요.")
    return payload
