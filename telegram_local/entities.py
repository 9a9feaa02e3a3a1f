"""Message text as Telegram stores it: HTML parse mode, detected entities, trimming.

Offsets and lengths count UTF-16 code units, as the Bot API does.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from telegram_local.errors import bad_request

Entity = dict[str, Any]

_SIMPLE_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "code": "code", "pre": "pre", "blockquote": "blockquote", "a": "text_link", "span": "spoiler",
}
# Detected in every message, as Telegram does (not inside code, pre or links).
_DETECTORS = [
    ("url", re.compile(r"(?:https?://|www\.|t\.me/)[^\s<>\"']+", re.IGNORECASE)),
    ("email", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    # A command ends at the first other character, so "/menu로" (Korean particle attached) is "/menu".
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?(?![A-Za-z0-9_/@])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")),
]
_NO_DETECTION = {"code", "pre", "text_link", "url", "email"}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.length = 0
        self.stack: list[tuple[str, int, Entity]] = []
        self.entities: list[Entity] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an entity for a supported tag; refuse any other tag as Telegram does."""
        values = dict(attrs)
        kind = _SIMPLE_TAGS.get(tag)
        if kind is None or (tag == "span" and values.get("class") != "tg-spoiler"):
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        entity: Entity = {"type": kind}
        if tag == "a":
            href = values.get("href") or ""
            if not href:
                raise bad_request("can't parse entities: Can't find href in <a> tag")
            entity["url"] = href
        if tag == "blockquote" and "expandable" in values:
            entity["type"] = "expandable_blockquote"
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            language = (values.get("class") or "").removeprefix("language-")
            if language:
                self.stack[-1][2]["language"] = language
        self.stack.append((tag, self.length, entity))

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost entity; tags must nest."""
        if not self.stack or self.stack[-1][0] != tag:
            raise bad_request(f'can\'t parse entities: Unmatched end tag "{tag}"')
        _, start, entity = self.stack.pop()
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            return
        if self.length > start:
            entity.update(offset=start, length=self.length - start)
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        """Plain text between tags."""
        self.out.append(data)
        self.length += utf16_len(data)


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Strip Telegram's HTML tags; return the plain text and its entities."""
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.stack:
        tag = parser.stack[-1][0]
        raise bad_request(f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{tag}"')
    return "".join(parser.out), sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))


def _utf16_index(text: str) -> list[int]:
    """UTF-16 offset of each character index (plus the end)."""
    offsets, acc = [], 0
    for ch in text:
        offsets.append(acc)
        acc += 2 if ord(ch) > 0xFFFF else 1
    offsets.append(acc)
    return offsets


def detect_entities(text: str, existing: list[Entity]) -> list[Entity]:
    """URLs, e-mails, /commands, @mentions and #hashtags outside code and links."""
    index = _utf16_index(text)
    taken = [(e["offset"], e["offset"] + e["length"]) for e in existing if e["type"] in _NO_DETECTION]
    found: list[Entity] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            value = match.group(0)
            end = match.end() - (len(value) - len(value.rstrip(".,!?;:)")))
            start16, end16 = index[match.start()], index[end]
            if end16 <= start16 or any(a < end16 and start16 < b for a, b in taken):
                continue
            found.append({"type": kind, "offset": start16, "length": end16 - start16})
            taken.append((start16, end16))
    # Telegram lists entities by offset; ptb treats a message as a command only
    # when its first entity is the bot_command at offset 0.
    return sorted(found, key=lambda e: e["offset"])


def _trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Telegram drops leading and trailing whitespace; entities shift and clip with it."""
    stripped = text.strip()
    if not stripped:
        return "", []
    head = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - head, 0)
        end = min(entity["offset"] + entity["length"] - head, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def format_text(text: str, parse_mode: str | None, entities: list[Entity] | None) -> tuple[str, list[Entity]]:
    """The stored text and entities for what the bot sent (parse mode, explicit entities, detection)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, parsed = parse_html(text)
    elif mode in ("", "markdown", "markdownv2"):
        # Markdown modes are accepted but kept verbatim (documented limitation).
        plain, parsed = text, list(entities or [])
    else:
        raise bad_request("unsupported parse_mode")
    plain, parsed = _trim(plain, parsed)
    detected = detect_entities(plain, parsed)
    return plain, sorted(parsed + detected, key=lambda e: (e["offset"], -e["length"]))
