"""Printable event posters (PNG, A5 or A4) with the signed check-in QR code."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Protocol

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_Q

from storage.fonts import korean_font_path
from storage.point_policy import load_policy
from storage.timeutil import kst_date, kst_datetime, to_kst

DPI = 200
PAPER_MM = {"A5": (148, 210), "A4": (210, 297)}
CAPTION = "카메라로 QR을 찍으면 온통중구 챗봇이 열리고 포인트가 적립됩니다"

NAVY = (18, 52, 110)
BLUE = (30, 96, 190)
SKY = (232, 241, 252)
ORANGE = (240, 120, 30)
INK = (28, 32, 40)
GREY = (96, 104, 116)
WHITE = (255, 255, 255)


class PosterEvent(Protocol):
    name: str
    place: str
    starts_at: datetime
    ends_at: datetime
    points: int


def render_poster(event: PosterEvent, link: str, size: str = "A5") -> bytes:
    """A poster PNG (200 dpi) with the event's name, time and place in KST, points and the QR of ``link``."""
    if size not in PAPER_MM:
        raise ValueError(f"poster size must be one of {sorted(PAPER_MM)}, got {size!r}")
    width, height = (round(mm / 25.4 * DPI) for mm in PAPER_MM[size])
    u = width / 1000  # layout unit: a thousandth of the page width
    img = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(img)

    # Header band.
    band = round(150 * u)
    draw.rectangle([0, 0, width, band], fill=NAVY)
    draw.rectangle([0, band, width, band + round(12 * u)], fill=ORANGE)
    _center(draw, "서울특별시 중구 · 온통중구", width, round(30 * u), _font("bold", 30 * u), (190, 210, 240))
    _center(draw, "주민소통 포인트 적립 행사", width, round(70 * u), _font("extrabold", 52 * u), WHITE)

    # Event name, as large as fits in two lines.
    y = band + round(50 * u)
    name_font, lines = _fit(event.name, width - round(120 * u), [88 * u, 76 * u, 66 * u, 56 * u], max_lines=2)
    for line in lines:
        _center(draw, line, width, y, name_font, INK)
        y += round(name_font.size * 1.22)

    # When and where.
    y += round(20 * u)
    box_left, box_right = round(80 * u), width - round(80 * u)
    rows = [("일시", _when(event)), ("장소", event.place)]
    label_font, value_font = _font("extrabold", 34 * u), _font("bold", 34 * u)
    row_h = round(56 * u)
    box_h = row_h * len(rows) + round(30 * u)
    draw.rounded_rectangle([box_left, y, box_right, y + box_h], radius=round(24 * u), fill=SKY)
    ty = y + round(19 * u)
    for label, value in rows:
        draw.text((box_left + round(36 * u), ty), label, font=label_font, fill=BLUE)
        value_x = box_left + round(150 * u)
        value = _ellipsize(value, value_font, box_right - value_x - round(30 * u))
        draw.text((value_x, ty), value, font=value_font, fill=INK)
        ty += row_h
    y += box_h + round(30 * u)

    # Points badge.
    badge_font = _font("extrabold", 44 * u)
    badge = f"참여 포인트 {event.points:,} P"
    bw = draw.textlength(badge, font=badge_font) + round(90 * u)
    bh = round(80 * u)
    bx = (width - bw) / 2
    draw.rounded_rectangle([bx, y, bx + bw, y + bh], radius=bh // 2, fill=ORANGE)
    _center(draw, badge, width, y + round(15 * u), badge_font, WHITE)
    y += bh + round(40 * u)

    # QR code: as large as the space left allows (about 60 mm on A5 with a two-line name).
    footer_h = round(100 * u)
    text_block = round(175 * u)
    frame = round(18 * u)
    y += round(22 * u) + frame
    qr_side = min(round(540 * u), height - y - frame - footer_h - text_block)
    qr_img = _qr(link, qr_side)
    qx = (width - qr_img.width) // 2
    draw.rounded_rectangle([qx - frame, y - frame, qx + qr_img.width + frame, y + qr_img.height + frame],
                           radius=round(20 * u), outline=BLUE, width=max(3, round(6 * u)))
    img.paste(qr_img, (qx, y))
    y += qr_img.height + frame + round(24 * u)

    caption_font, caption_lines = _fit(CAPTION, width - round(120 * u), [36 * u, 32 * u, 28 * u], max_lines=2)
    for line in caption_lines:
        _center(draw, line, width, y, caption_font, INK)
        y += round(caption_font.size * 1.35)
    _center(draw, _window_text(event), width, y + round(4 * u), _font("bold", 27 * u), GREY)

    # Footer band.
    draw.rectangle([0, height - footer_h, width, height], fill=NAVY)
    _center(draw, "텔레그램에서 온통중구 챗봇 · 1인 1회 적립", width, height - footer_h + round(16 * u),
            _font("bold", 28 * u), WHITE)
    _center(draw, "서울특별시 중구 주민소통 포인트제", width, height - footer_h + round(58 * u),
            _font("regular", 23 * u), (190, 210, 240))

    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def _when(event: PosterEvent) -> str:
    start, end = to_kst(event.starts_at), to_kst(event.ends_at)
    if start.date() == end.date():
        return f"{kst_date(event.starts_at)} {start:%H:%M} ~ {end:%H:%M}"
    return f"{kst_datetime(event.starts_at)} ~ {kst_datetime(event.ends_at)}"


def _window_text(event: PosterEvent) -> str:
    policy = load_policy()
    opens = to_kst(event.starts_at - policy.checkin_opens_before)
    closes = to_kst(event.ends_at + policy.checkin_closes_after)
    if opens.date() == closes.date():
        return f"QR 적립 가능 시간: {opens:%H:%M} ~ {closes:%H:%M}"
    return f"QR 적립 가능 시간: {opens.month}. {opens.day}. {opens:%H:%M} ~ {closes.month}. {closes.day}. {closes:%H:%M}"


def render_code_qr(link: str, side: int = 720) -> bytes:
    """A plain QR (PNG) to show full screen at the venue (rotating check-in codes)."""
    buffer = io.BytesIO()
    _qr(link, side).save(buffer, format="PNG")
    return buffer.getvalue()


def _qr(link: str, side: int) -> Image.Image:
    """The QR at an integer number of pixels per module (crisp edges), fitting in ``side``."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=4, box_size=1)
    code.add_data(link)
    code.make(fit=True)
    modules = code.modules_count + 2 * code.border
    code.box_size = max(1, side // modules)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def _center(draw: ImageDraw.ImageDraw, text: str, width: int, y: float, font: ImageFont.FreeTypeFont,
            fill: tuple[int, int, int]) -> None:
    draw.text(((width - draw.textlength(text, font=font)) / 2, y), text, font=font, fill=fill)


def _fit(text: str, max_width: int, sizes: list[float], max_lines: int,
         weight: str = "extrabold") -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font size at which ``text`` wraps into ``max_lines`` lines (else the smallest, ellipsized)."""
    for size in sizes:
        font = _font(weight, size)
        lines = _wrap(text, font, max_width)
        if len(lines) <= max_lines:
            return font, lines
    lines = _wrap(text, font, max_width)
    return font, lines[: max_lines - 1] + [_ellipsize(" ".join(lines[max_lines - 1:]), font, max_width)]


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Wrap at spaces; two lines are balanced (a poster reads better that way)."""
    lines = _greedy_wrap(text, font, max_width)
    if len(lines) != 2:
        return lines
    words = text.split()
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    fitting = [pair for pair in splits if max(font.getlength(part) for part in pair) <= max_width]
    if not fitting:
        return lines
    return list(min(fitting, key=lambda pair: max(font.getlength(part) for part in pair)))


def _greedy_wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy wrap at spaces; a word longer than a line breaks between syllables."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if font.getlength(current + char) > max_width and current:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines or [""]


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> str:
    if font.getlength(text) <= max_width:
        return text
    while text and font.getlength(text + "…") > max_width:
        text = text[:-1]
    return text + "…"


def _font(weight: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_font_path(weight)), max(8, round(size)))


def _font_path(weight: str) -> Path:
    path = korean_font_path(weight)
    if path is None:
        raise RuntimeError("NanumGothic font not found: install koreanize-matplotlib or fonts-nanum")
    return path
