"""Korean particles (조사) chosen from the word they follow: 을/를, 이/가, 은/는, …

A template never fixes a particle after a value: it writes ``「{title}」{title_eul}``
and the particle comes from the value's last pronounceable syllable. Hangul is
read by jongseong arithmetic; numbers by the Korean reading of their end (3 삼,
10 십, 1,000 천, 09:00 시); Latin letters by their names (QR 큐알, CSV 씨에스브이)
or, for words, by a few spelling rules; closing quotes, brackets and trailing
punctuation are looked through ("(수)" → 수).

Convention (everywhere: domain.yml, bot/texts.py): the particle is a parameter
of its own named ``<value name>_<suffix>`` (see SUFFIXES). Actions pass them
with :func:`particle_params`; the bot's templates are :class:`Template`, whose
``format`` derives any missing ``<name>_<suffix>`` from ``<name>``.
"""
from __future__ import annotations

import re
import string
from typing import Any, Mapping

# pair written "with 받침/without 받침"; the third item is the form after ㄹ (only (으)로)
PAIRS: dict[str, tuple[str, str]] = {
    "을/를": ("을", "를"),
    "이/가": ("이", "가"),
    "은/는": ("은", "는"),
    "과/와": ("과", "와"),
    "이에요/예요": ("이에요", "예요"),
    "이었/였": ("이었", "였"),
    "으로/로": ("으로", "로"),
    "이라/라": ("이라", "라"),
    "이나/나": ("이나", "나"),
    "아/야": ("아", "야"),
}
ALIASES = {"를/을": "을/를", "가/이": "이/가", "는/은": "은/는", "와/과": "과/와", "예요/이에요": "이에요/예요",
           "로/으로": "으로/로", "(으)로": "으로/로", "(이)라": "이라/라", "(이)나": "이나/나"}

#: parameter suffix → pair: ``title_eul`` is 을 or 를 after ``title``.
SUFFIXES: dict[str, str] = {
    "eul": "을/를",
    "i": "이/가",
    "eun": "은/는",
    "gwa": "과/와",
    "ieyo": "이에요/예요",
    "ieot": "이었/였",
    "euro": "으로/로",
    "ira": "이라/라",
}

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
RIEUL = 8  # jongseong index of ㄹ
NONE = 0

# Compatibility jamo read by their names: ㄱ 기역 … (all end in a 받침; ㄹ 리을 in ㄹ).
_JAMO_CONSONANTS = "ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JAMO_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"

# The final consonant of each digit's reading: 0 영 1 일 2 이 3 삼 4 사 5 오 6 육 7 칠 8 팔 9 구.
_DIGIT = {"0": 21, "1": RIEUL, "2": NONE, "3": 16, "4": NONE, "5": NONE, "6": 1, "7": RIEUL, "8": RIEUL,
          "9": NONE}
# Trailing zeros → the unit read last: 십(ㅂ) 백(ㄱ) 천(ㄴ) 만(ㄴ) 억(ㄱ) 조(-).
_ZEROS = {1: 17, 2: 1, 3: 4}
_BIG = [(12, NONE), (8, 1), (4, 4)]

# Latin letters by their Korean names: A 에이, B 비, … L 엘, M 엠, N 엔, R 알 …
_LETTER = {c: NONE for c in string.ascii_uppercase}
_LETTER.update({"L": RIEUL, "M": 16, "N": 4, "R": RIEUL})
# Latin word endings that are written with a 받침 in Korean (app 앱, chat 챗, mail 메일, team 팀 …).
_WORD_ENDINGS = [("ng", 21), ("ck", 1), ("ne", 4), ("me", 16), ("m", 16), ("n", 4), ("l", RIEUL), ("k", 1),
                 ("p", 17), ("b", 17), ("t", 19)]
# …but a consonant cluster is read with a vowel after it: 포스트, 라이트, 데스크, 캠프, 헬프.
_NO_BATCHIM_ENDINGS = ("st", "ght", "pt", "ct", "lt", "nt", "rt", "sk", "lk", "rk", "mp", "lp", "sp")

# Looked through when finding the last pronounceable character.
_SKIP = set(" \t\n\r\u00a0.,!?~…·:;'\"“”‘’」』》〉>)]}】〕-_/*·♡♥") | {"\ufe0f", "\u200d"}
_TIME = re.compile(r"(\d{1,2}):(\d{2})(:\d{2})?$")
_DATE_DOTS = re.compile(r"\d{4}\.\s*\d{1,2}\.\s*\d{1,2}\.?$")


def _is_hangul(ch: str) -> bool:
    return _HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST


def _number_final(digits: str) -> int:
    """The final consonant of a number's Korean reading (integer part of ``digits``)."""
    digits = digits.lstrip("0") or "0"
    if digits == "0":
        return _DIGIT["0"]
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == 0:
        return _DIGIT[digits[-1]]
    if zeros in _ZEROS:
        return _ZEROS[zeros]
    for at_least, final in _BIG:
        if zeros >= at_least:
            return final
    return NONE  # not reached


def _latin_final(word: str) -> int:
    if word.isupper() or len(word) == 1 or sum(c.isupper() for c in word) >= 2:  # QR, IoT: letter by letter
        return _LETTER[word[-1].upper()]
    low = word.lower()
    if low.endswith(_NO_BATCHIM_ENDINGS):
        return NONE
    for ending, final in _WORD_ENDINGS:
        if low.endswith(ending):
            return final
    return NONE  # like tossi: words read with no 받침 by default


def final_consonant(word: Any) -> int | None:
    """Jongseong index (0 = none, 8 = ㄹ) of how ``word`` ends when read aloud; None if unreadable."""
    text = str(word)
    end = len(text)
    while end > 0:
        ch = text[end - 1]
        if ch in _SKIP or ord(ch) >= 0x1F000 or 0x2190 <= ord(ch) <= 0x2BFF:  # punctuation, emoji, arrows
            end -= 1
            continue
        if ch == "(" or ch == "[" or ch == "「" or ch == "『":
            end -= 1
            continue
        break
    text = text[:end]
    if not text:
        return None
    ch = text[-1]
    if _is_hangul(ch):
        return (ord(ch) - _HANGUL_FIRST) % 28
    if ch in _JAMO_CONSONANTS:
        return RIEUL if ch == "ㄹ" else 1
    if ch in _JAMO_VOWELS:
        return NONE
    if ch.isdigit():
        time = _TIME.search(text)
        if time:  # 09:00 → 9시, 09:30 → 9시 30분
            return NONE if int(time.group(2)) == 0 else 4
        if _DATE_DOTS.search(text):  # 2026. 12. 2. → 2일
            return RIEUL
        run = re.search(r"[\d,]*\d$", text).group(0).replace(",", "")
        before = text[: len(text) - len(re.search(r"[\d,]*\d$", text).group(0))]
        if before.endswith(".") and re.search(r"\d\.$", before):  # 1.5 → 오 (decimals read digit by digit)
            return _DIGIT[run[-1]]
        return _number_final(run)
    if ch == "%":
        return NONE  # 퍼센트
    if ch in string.ascii_letters:
        latin = re.search(r"[A-Za-z]+$", text).group(0)
        return _latin_final(latin)
    return None


def has_batchim(word: Any) -> bool | None:
    """Whether ``word`` ends in a 받침 when read aloud (None when it cannot be read)."""
    final = final_consonant(word)
    return None if final is None else final != NONE


_UNKNOWN = {"이에요": "(이)에요", "이었": "(이)었", "으로": "(으)로", "이라": "(이)라", "이나": "(이)나"}


def _pair(pair: str) -> tuple[str, str]:
    key = ALIASES.get(pair, pair)
    if key not in PAIRS:
        raise ValueError(f"unknown particle pair: {pair!r}")
    return PAIRS[key]


def josa(word: Any, pair: str) -> str:
    """The particle of ``pair`` (e.g. "을/를") that follows ``word``: josa("제안", "을/를") == "을"."""
    with_, without = _pair(pair)
    final = final_consonant(word)
    if final is None:  # unreadable (an emoji, a symbol): the written-out convention
        return _UNKNOWN.get(with_, f"{with_}({without})")
    if with_ == "으로":
        return "로" if final in (NONE, RIEUL) else "으로"
    return with_ if final != NONE else without


def attach(word: Any, pair: str) -> str:
    """``word`` followed by its particle: attach("투표", "이에요/예요") == "투표예요"."""
    return f"{word}{josa(word, pair)}"


def particle_params(**values: Any) -> dict[str, str]:
    """Every ``<name>_<suffix>`` particle for the given values, to pass to a template."""
    return {f"{name}_{suffix}": josa(value, pair)
            for name, value in values.items() for suffix, pair in SUFFIXES.items()}


_FIELD = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)")
_SUFFIXED = re.compile(r"^(.+)_(" + "|".join(sorted(SUFFIXES, key=len, reverse=True)) + r")$")


def derived_particles(template: str, params: Mapping[str, Any]) -> dict[str, str]:
    """The ``<name>_<suffix>`` fields of ``template`` not in ``params`` but derivable from ``params[name]``."""
    out: dict[str, str] = {}
    for field in set(_FIELD.findall(template)):
        if field in params:
            continue
        m = _SUFFIXED.match(field)
        if m and m.group(1) in params:
            out[field] = josa(params[m.group(1)], SUFFIXES[m.group(2)])
    return out


def fill(template: str, /, **params: Any) -> str:
    """``template.format(**params)`` with particles derived from the values they follow."""
    return template.format(**params, **derived_particles(template, params))


class Template(str):
    """A ``str`` whose ``format`` also fills ``<name>_<suffix>`` particles from ``<name>``."""

    def format(self, /, *args: Any, **params: Any) -> str:  # type: ignore[override]
        return str.format(self, *args, **params, **derived_particles(self, params))
