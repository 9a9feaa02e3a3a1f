"""Smoke test: a tiny model with KoreanTokenizer trains, loads and parses Korean."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict

import pytest

CONFIG = """
recipe: default.v1
assistant_id: nlu-smoke-test
language: ko
pipeline:
  - name: nlu.components.korean_tokenizer.KoreanTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    use_lemma: false
    min_ngram: 1
    max_ngram: 3
  - name: DIETClassifier
    epochs: 40
    constrain_similarities: true
    random_seed: 1
  - name: EntitySynonymMapper
policies: []
"""

DATA = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - 안녕하세요
    - 안녕
    - 하이
    - 반가워요
- intent: points_balance
  examples: |
    - 내 포인트
    - 포인트 얼마 있어
    - 포인트 잔액
    - 내포인트얼마야
- intent: exchange_request
  examples: |
    - [5000](amount)포인트 교환할래
    - [오천]{"entity": "amount", "value": "5000"} 포인트 바꿔줘
    - [1만](amount)포인트 교환 신청
    - 상품권으로 바꾸고 싶어요
"""


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import rasa.model_training
    from rasa.core.agent import Agent

    workdir: Path = tmp_path_factory.mktemp("nlu_smoke")
    (workdir / "config.yml").write_text(CONFIG, encoding="utf-8")
    (workdir / "nlu.yml").write_text(DATA, encoding="utf-8")
    model = rasa.model_training.train_nlu(
        str(workdir / "config.yml"),
        str(workdir / "nlu.yml"),
        str(workdir / "models"),
        fixed_model_name="smoke",
    )
    assert model is not None
    return Agent.load(model)


def parse(agent: Any, text: str) -> Dict[str, Any]:
    return asyncio.run(agent.parse_message(text))


def test_trained_model_recognises_korean_training_phrases(agent: Any) -> None:
    assert parse(agent, "안녕하세요")["intent"]["name"] == "greet"
    assert parse(agent, "포인트 잔액")["intent"]["name"] == "points_balance"


def test_amount_entity_is_extracted_from_glued_number(agent: Any) -> None:
    result = parse(agent, "5000포인트 교환할래")
    assert result["intent"]["name"] == "exchange_request"
    amounts = [e for e in result["entities"] if e["entity"] == "amount"]
    assert [(e["value"], e["start"], e["end"]) for e in amounts] == [("5000", 0, 4)]


@pytest.mark.parametrize("text", ["", "😀😀", "???", "ㅋㅋㅋ"])
def test_odd_messages_parse_without_error(agent: Any, text: str) -> None:
    result = parse(agent, text)
    assert "intent" in result


def test_payload_message_is_handled_by_rasa_itself(agent: Any) -> None:
    result = parse(agent, '/exchange_request{"amount":"7000"}')
    assert result["intent"]["name"] == "exchange_request"
    assert result["intent"]["confidence"] == 1.0
    assert [(e["entity"], e["value"]) for e in result["entities"]] == [("amount", "7000")]
