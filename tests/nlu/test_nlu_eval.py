"""The figures of bench/nlu_eval.py, on hand-made predictions (no model needed)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("nlu_eval", ROOT / "bench" / "nlu_eval.py")
nlu_eval = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nlu_eval)  # type: ignore[union-attr]


def test_scores_count_fallback_as_right_only_for_out_of_scope() -> None:
    features = nlu_eval.load_features()
    pairs = [
        ("points_balance", "points_balance"),   # right
        ("points_history", "points_balance"),   # wrong intent, right feature
        ("budget_vote", "nlu_fallback"),        # in-scope fallback
        ("out_of_scope", "nlu_fallback"),       # caught
        ("out_of_scope", "faq"),                # missed
    ]
    s = nlu_eval.score(pairs, features)
    assert s["intent_accuracy"] == 0.4
    assert s["feature_accuracy"] == 0.6
    assert s["in_scope_fallback"] == round(1 / 3, 4)
    assert s["oos_recall"] == 0.5


def test_threshold_replay_uses_the_raw_ranking() -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "faq/points_expire", "confidence": 0.5},
               {"name": "points_balance", "confidence": 0.3}]
    assert nlu_eval.decide(ranking, 0.55, 0.1) == "nlu_fallback"
    assert nlu_eval.decide(ranking, 0.4, 0.1) == "faq"
    assert nlu_eval.decide(ranking, 0.4, 0.25) == "nlu_fallback"


def test_targets() -> None:
    good = {"feature_accuracy": 0.96, "intent_accuracy": 0.93, "in_scope_fallback": 0.04, "oos_recall": 0.91}
    assert nlu_eval.misses(good) == []
    assert len(nlu_eval.misses({**good, "in_scope_fallback": 0.06, "oos_recall": 0.8})) == 2


def test_every_typed_intent_of_the_feature_map_is_in_the_domain() -> None:
    import yaml

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    assert set(nlu_eval.load_features()) <= intents
