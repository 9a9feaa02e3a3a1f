"""Posters: printable size, and the QR decodes (with a real decoder) to the exact deep link."""
from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
import zxingcpp
from PIL import Image

from points_helpers import NOW
from storage import qr
from storage.errors import DomainError
from storage.poster import CAPTION, DPI, PAPER_MM, _font_path, _wrap, _font, render_poster


def event(name: str = "중구민 어울림한마당", event_id: int = 17, version: int = 3) -> SimpleNamespace:
    return SimpleNamespace(id=event_id, code_version=version, name=name, place="충무아트센터 대극장",
                           starts_at=NOW, ends_at=NOW + timedelta(hours=3), points=2_000)


def decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize("size", sorted(PAPER_MM))
def test_poster_qr_decodes_to_the_exact_deep_link(size):
    e = event()
    link = qr.deep_link(e, "ontong_junggu_bot", "poster-secret")
    png = render_poster(e, link, size=size)
    image = Image.open(io.BytesIO(png))
    width_mm, height_mm = PAPER_MM[size]
    assert image.size == (round(width_mm / 25.4 * DPI), round(height_mm / 25.4 * DPI))
    assert round(image.info["dpi"][0]) == DPI
    assert decode(png) == [link]
    payload = link.split("start=", 1)[1]
    assert qr.parse_payload(payload, "poster-secret") == (17, 3)
    tampered = payload[:3] + ("x" if payload[3] != "x" else "y") + payload[4:]
    with pytest.raises(DomainError):
        qr.parse_payload(tampered, "poster-secret")


def test_long_names_still_render_and_scan():
    e = event(name="2026 중구민 어울림한마당 및 장애인체육대회 — 동화동 주민센터 앞 특설무대 " * 2)
    link = qr.deep_link(e, "ontong_junggu_bot", "s")
    assert decode(render_poster(e, link)) == [link]


def test_unknown_size_is_refused():
    with pytest.raises(ValueError):
        render_poster(event(), "https://t.me/x?start=e", size="B5")


def test_korean_font_and_caption_wrapping():
    assert _font_path("regular").name == "NanumGothic.ttf" and _font_path("extrabold").is_file()
    lines = _wrap(CAPTION, _font("bold", 40), 800)
    assert "".join(lines).replace(" ", "") == CAPTION.replace(" ", "") and len(lines) == 2
