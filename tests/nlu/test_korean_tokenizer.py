"""KoreanTokenizer: offsets into the original text, Hangul kept, lemmas, options."""
from __future__ import annotations

import copy
import pickle
import unicodedata
from typing import Any, Dict, List

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.korean_tokenizer import KoreanTokenizer


def make(**overrides: Any) -> KoreanTokenizer:
    """A tokenizer with the default config plus overrides."""
    return KoreanTokenizer({**KoreanTokenizer.get_default_config(), **overrides})


@pytest.fixture(scope="module")
def tokenizer() -> KoreanTokenizer:
    return make()


def tokenize(tokenizer: KoreanTokenizer, text: str) -> List[Any]:
    return tokenizer.tokenize(Message(data={TEXT: text}), TEXT)


def texts(tokenizer: KoreanTokenizer, text: str) -> List[str]:
    return [t.text for t in tokenize(tokenizer, text)]


@pytest.mark.parametrize(
    "text",
    [
        "포인트 얼마 있어요?",
        "내포인트얼마있어",  # no spaces at all
        "교환신청한거 어떻게됬어",  # typo 됬 for 됐
        "안녕하세용ㅋㅋ",  # cute coda typo
        "포인트 얼마잇어. 교환신청 됬나요?",  # 잇 for 있, two sentences
        "😀😀 안녕 👨‍👩‍👧 가족이랑 ❤️ 좋아요",  # astral, ZWJ and variation-selector emoji
        "포인트\n\t내역  보여줘",
        "5,000포인트 교환할래요!!",
        unicodedata.normalize("NFD", "안녕하세요 포인트 교환"),  # decomposed Hangul
    ],
)
def test_offsets_point_into_the_original_text(tokenizer: KoreanTokenizer, text: str) -> None:
    tokens = tokenize(tokenizer, text)
    assert tokens
    previous_end = 0
    for token in tokens:
        assert text[token.start : token.end] == token.text
        assert token.start >= previous_end  # ordered, never overlapping
        assert token.end > token.start
        previous_end = token.end


def test_offsets_survive_missing_spaces(tokenizer: KoreanTokenizer) -> None:
    tokens = tokenize(tokenizer, "내포인트얼마있어")
    assert [(t.text, t.start, t.end) for t in tokens[:3]] == [
        ("내", 0, 1),
        ("포인트", 1, 4),
        ("얼마", 4, 6),
    ]


def test_decomposed_hangul_is_analysed_like_composed(tokenizer: KoreanTokenizer) -> None:
    nfd = unicodedata.normalize("NFD", "포인트 교환")
    tokens = tokenize(tokenizer, nfd)
    assert [unicodedata.normalize("NFC", t.text) for t in tokens] == ["포인트", "교환"]
    assert [t.lemma for t in tokens] == ["포인트", "교환"]
    assert tokens[0].start == 0 and tokens[1].end == len(nfd)


def test_whitespace_tokenizer_drops_hangul_and_ours_keeps_it(tokenizer: KoreanTokenizer) -> None:
    text = "포인트 얼마 있어요"
    whitespace = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    dropped = [t.text for t in whitespace.tokenize(Message(data={TEXT: text}), TEXT)]
    # Every Hangul word matches its emoji regex; only the whole-text fallback is left.
    assert "포인트" not in dropped and "얼마" not in dropped
    assert dropped == [text]
    assert texts(tokenizer, text)[:2] == ["포인트", "얼마"]


@pytest.mark.parametrize(
    "text, surface, lemma",
    [
        ("상품권으로 바꿔줘", "바꿔", "바꾸다"),
        ("교환 신청한 거 어떻게 됐어?", "됐", "되다"),
        ("안녕하세용", "세용", "세요"),
        ("포인트 얼마잇어", "잇", "있다"),  # typo corrected by Kiwi's basic typo model
        ("알림 꺼주세요", "꺼", "끄다"),
    ],
)
def test_lemma_is_the_morpheme_dictionary_form(
    tokenizer: KoreanTokenizer, text: str, surface: str, lemma: str
) -> None:
    by_text = {t.text: t for t in tokenize(tokenizer, text)}
    assert by_text[surface].lemma == lemma


def test_mixed_korean_ascii_and_numbers(tokenizer: KoreanTokenizer) -> None:
    assert texts(tokenizer, "5000포인트 교환") == ["5000", "포인트", "교환"]
    assert texts(tokenizer, "5,000원") == ["5,000", "원"]
    assert texts(tokenizer, "QR체크인")[:1] == ["QR"]
    assert texts(tokenizer, "1만포인트")[:2] == ["1", "만"]


def test_punctuation_is_dropped_by_default_and_kept_on_request(tokenizer: KoreanTokenizer) -> None:
    assert texts(tokenizer, "메뉴!!") == ["메뉴"]
    assert texts(make(drop_tags=[]), "메뉴!!") == ["메뉴", "!!"]


def test_pos_tags_are_kept_in_token_data(tokenizer: KoreanTokenizer) -> None:
    token = tokenize(tokenizer, "교환할래")[-1]
    assert token.text == "할래"
    assert token.get("pos") == "XSV+EF"


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_gives_the_whitespace_tokenizer_fallback(tokenizer: KoreanTokenizer, text: str) -> None:
    tokens = tokenize(tokenizer, text)
    assert [(t.text, t.start) for t in tokens] == [(text, 0)]


def test_emoji_only_text_keeps_the_emoji(tokenizer: KoreanTokenizer) -> None:
    assert texts(tokenizer, "😀👍") == ["😀", "👍"]


def test_punctuation_only_text_falls_back_to_one_token(tokenizer: KoreanTokenizer) -> None:
    assert texts(tokenizer, "???") == ["???"]


def test_payload_messages_are_tokenized_without_kiwi() -> None:
    fresh = make()
    text = '/exchange_request{"amount":"5000"}'
    tokens = tokenize(fresh, text)
    assert [t.text for t in tokens] == ["exchange", "request", "amount", "5000"]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert fresh._kiwi is None  # a button press never pays for building Kiwi


def test_eojeol_mode_keeps_words_whole_with_content_lemma() -> None:
    tokens = tokenize(make(mode="eojeol"), "교환할래요 포인트가 안녕하세용")
    assert [t.text for t in tokens] == ["교환할래요", "포인트가", "안녕하세용"]
    assert [t.lemma for t in tokens] == ["교환하다", "포인트", "안녕하다"]


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="mode"):
        make(mode="syllable")


def test_user_words_stay_whole() -> None:
    assert texts(make(), "온통중구")[:1] != ["온통중구"]
    assert texts(make(user_words=["온통중구"]), "온통중구 좋아요")[0] == "온통중구"


def test_create_builds_kiwi_before_the_first_message() -> None:
    loaded = KoreanTokenizer.create(KoreanTokenizer.get_default_config(), None, None, None)
    assert loaded._kiwi is not None


def test_bad_typo_model_fails_when_the_model_loads() -> None:
    config = {**KoreanTokenizer.get_default_config(), "typos": "nonsense"}
    with pytest.raises(ValueError, match="typos"):
        KoreanTokenizer.create(config, None, None, None)


def test_kiwi_is_built_once_per_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = make()
    builds: List[int] = []
    original = KoreanTokenizer._build_kiwi

    def counting(self: KoreanTokenizer) -> Any:
        builds.append(1)
        return original(self)

    monkeypatch.setattr(KoreanTokenizer, "_build_kiwi", counting)
    for text in ("안녕", "메뉴", "포인트 내역"):
        tokenize(fresh, text)
    assert len(builds) == 1


@pytest.mark.parametrize("clone", [lambda t: pickle.loads(pickle.dumps(t)), copy.deepcopy])
def test_tokenizer_survives_pickle_and_deepcopy(tokenizer: KoreanTokenizer, clone: Any) -> None:
    before = texts(tokenizer, "5000포인트 교환할래")
    copied = clone(tokenizer)
    assert copied._kiwi is None  # rebuilt lazily, never serialised
    assert texts(copied, "5000포인트 교환할래") == before


def _intent_tokens(config: Dict[str, Any], intent: str) -> List[str]:
    example = Message(data={TEXT: "포인트 내역", INTENT: intent})
    make(**config).process_training_data(TrainingData([example]))
    return [t.text for t in example.get(TOKENS_NAMES[INTENT])]


def test_intent_names_are_split_like_the_base_tokenizer() -> None:
    assert _intent_tokens({}, "points_history") == ["points_history"]
    split = {"intent_tokenization_flag": True, "intent_split_symbol": "_"}
    assert _intent_tokens(split, "points_history") == ["points", "history"]


def test_process_sets_text_tokens_on_messages(tokenizer: KoreanTokenizer) -> None:
    messages = [Message(data={TEXT: "메뉴 보여줘"}), Message(data={TEXT: "/menu"})]
    tokenizer.process(messages)
    assert [t.text for t in messages[0].get(TOKENS_NAMES[TEXT])][:1] == ["메뉴"]
    assert [t.text for t in messages[1].get(TOKENS_NAMES[TEXT])] == ["menu"]
