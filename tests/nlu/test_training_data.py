"""Training data hygiene: no held-out utterance (or near-copy) in training, no near-copies inside it,
every typed intent well covered, and FAQ numbers that agree with the point policy."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nlu.similarity import NearDuplicateIndex, plain_text, THRESHOLD  # noqa: E402

DATA = ROOT / "nlu" / "data"
UTTERANCES = ROOT / "nlu" / "tests" / "utterances"
MIN_EXAMPLES = 60


def examples(path: Path) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []) or []:
        if "intent" in block:
            lines = [l.strip()[2:] for l in block["examples"].splitlines() if l.strip().startswith("- ")]
            out.setdefault(block["intent"], []).extend(lines)
    return out


def training() -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for path in sorted(DATA.rglob("*.yml")):
        for intent, lines in examples(path).items():
            out.setdefault(intent, []).extend(lines)
    return out


def held_out_files() -> List[Path]:
    return sorted(UTTERANCES.glob("*.yml"))


def test_held_out_set_is_present() -> None:
    assert (UTTERANCES / "dev.yml").exists()
    assert list(UTTERANCES.glob("test_*.yml"))


def test_no_held_out_utterance_or_near_copy_in_training_data() -> None:
    index = NearDuplicateIndex()
    for lines in training().values():
        for line in lines:
            index.add(plain_text(line))
    leaks = []
    for path in held_out_files():
        for lines in examples(path).values():
            for line in lines:
                score, _ = index.nearest(plain_text(line))
                if score >= THRESHOLD:
                    # Only the file name: the test utterances are not printed.
                    leaks.append(f"{path.name}: similarity {score:.2f}")
    assert not leaks, f"{len(leaks)} held-out utterance(s) have a near-copy in training data: {leaks[:10]}"


def test_no_near_copies_inside_training_data() -> None:
    index = NearDuplicateIndex()
    copies = []
    for intent, lines in training().items():
        for line in lines:
            plain = plain_text(line)
            score, other = index.nearest(plain)
            if score >= THRESHOLD:
                copies.append(f"{intent}: {line!r} ~ {other!r} ({score:.2f})")
            index.add(plain)
    assert not copies, f"{len(copies)} near-copies: {copies[:15]}"


def test_every_typed_intent_has_enough_examples() -> None:
    features = yaml.safe_load((ROOT / "nlu" / "features.yml").read_text(encoding="utf-8"))["features"]
    counts: Dict[str, int] = {}
    for intent, lines in training().items():
        counts[intent.split("/")[0]] = counts.get(intent.split("/")[0], 0) + len(lines)
    typed = [i for intents in features.values() for i in intents]
    short = {i: counts.get(i, 0) for i in typed if counts.get(i, 0) < MIN_EXAMPLES}
    assert not short, f"typed intents with fewer than {MIN_EXAMPLES} examples: {short}"
    for intent in ("out_of_scope", "faq"):
        assert counts[intent] > 100


def test_generator_is_deterministic() -> None:
    from nlu import generate

    assert generate.generate() == generate.generate()


# --- FAQ ------------------------------------------------------------------------------

def faq_answers() -> Dict[str, str]:
    data = yaml.safe_load((DATA / "faq.yml").read_text(encoding="utf-8"))
    return {name: variants[0]["text"] for name, variants in data["responses"].items()}


def policy_numbers() -> set:
    policy = yaml.safe_load((ROOT / "storage" / "point_policy.yml").read_text(encoding="utf-8"))
    numbers = set()

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, int) and not isinstance(value, bool):
            numbers.add(value)

    walk(policy)
    return numbers


def test_faq_has_30_topics_each_with_a_source_and_questions() -> None:
    answers = faq_answers()
    assert len(answers) >= 30
    for name, text in answers.items():
        assert name.startswith("utter_faq/")
        assert re.search(r"\(근거: [^)]+\)\s*$", text), f"{name} names no source rule"
    questions = examples(DATA / "faq.yml")
    assert {f"utter_{i}" for i in questions} == set(answers)


def test_faq_point_numbers_match_the_policy() -> None:
    numbers = policy_numbers()
    for name, text in faq_answers().items():
        for raw in re.findall(r"(\d[\d,]*)\s*P\b", text):
            assert int(raw.replace(",", "")) in numbers, f"{name}: {raw} P is not in storage/point_policy.yml"


def test_faq_states_the_policy_minimum_cap_and_payday() -> None:
    policy = yaml.safe_load((ROOT / "storage" / "point_policy.yml").read_text(encoding="utf-8"))
    answers = faq_answers()
    assert f"{policy['exchange']['minimum']:,} P부터" in answers["utter_faq/exchange_minimum"]
    assert f"{policy['annual_cap']:,} P" in answers["utter_faq/annual_cap"]
    assert f"{policy['payout']['pay_day']}일까지" in answers["utter_faq/payout_when"]
    assert policy["expiry_months"] is None  # the answer says points do not expire
    assert f"{policy['volunteer']['min_hours']}시간" in answers["utter_faq/points_volunteer"]
    for key in ("open_before_minutes", "close_after_minutes"):
        assert f"{policy['events'][key]}분" in answers["utter_faq/qr_howto"]
