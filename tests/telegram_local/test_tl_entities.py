"""Message text as Telegram stores it: HTML entities, detection, trimming, UTF-16 offsets."""
from __future__ import annotations

import pytest

from telegram_local.entities import detect_entities, format_text, parse_html, utf16_len
from telegram_local.errors import ApiError


def test_utf16_length_counts_emoji_twice():
    assert utf16_len("가나다") == 3
    assert utf16_len("👍") == 2


def test_html_nesting_and_escapes():
    text, entities = parse_html("<b>굵게 <i>둘 다</i></b> &lt;태그&gt; &amp; <u>밑줄</u>")
    assert text == "굵게 둘 다 <태그> & 밑줄"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 6), ("italic", 3, 3), ("underline", 14, 2)]


def test_html_pre_with_language_and_spoiler_and_blockquote():
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>'
                                '<tg-spoiler>비밀</tg-spoiler><blockquote expandable>인용</blockquote>')
    assert text == "x = 1비밀인용"
    assert entities == [{"type": "pre", "language": "python", "offset": 0, "length": 5},
                        {"type": "spoiler", "offset": 5, "length": 2},
                        {"type": "expandable_blockquote", "offset": 7, "length": 2}]


def test_offsets_after_emoji_are_utf16():
    text, entities = format_text("👍 <b>좋아요</b>", "HTML", None)
    assert text == "👍 좋아요" and entities == [{"type": "bold", "offset": 3, "length": 3}]


@pytest.mark.parametrize("html", ["<b>열림", "</b>", "<div>x</div>", "<span>x</span>", "<a>x</a>"])
def test_bad_html_is_refused(html):
    with pytest.raises(ApiError) as caught:
        parse_html(html)
    assert caught.value.code == 400 and "can't parse entities" in caught.value.description


def test_trimming_shifts_entities():
    text, entities = format_text("\n  <b>굵게</b> 끝  \n", "HTML", None)
    assert text == "굵게 끝" and entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_detection_skips_code_and_links():
    text, entities = format_text("<code>/start</code> /menu <a href='https://a.kr'>https://b.kr</a> a@b.kr #중구",
                                 "HTML", None)
    kinds = [(e["type"], text[e["offset"]:e["offset"] + e["length"]]) for e in entities]
    assert kinds == [("code", "/start"), ("bot_command", "/menu"), ("text_link", "https://b.kr"),
                     ("email", "a@b.kr"), ("hashtag", "#중구")]


def test_command_with_bot_name_and_no_false_commands():
    assert [e["length"] for e in detect_entities("/start@ontong_junggu_bot payload", [])] == [24]
    assert detect_entities("1/2 또는 and/or", []) == []
    assert detect_entities("/menu로 보세요", []) == [{"type": "bot_command", "offset": 0, "length": 5}]


def test_url_trailing_punctuation_is_not_part_of_the_link():
    (entity,) = detect_entities("여기 보세요: https://junggu.seoul.kr.", [])
    assert entity == {"type": "url", "offset": 8, "length": 23}


def test_markdown_modes_are_accepted_verbatim():
    assert format_text("*굵게*", "MarkdownV2", None) == ("*굵게*", [])
