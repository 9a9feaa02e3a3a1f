"""NLU quality on the held-out test set: a trained model against utterances written apart from the training data.

Runs in the Rasa venv, from the repository root:
    .venv-rasa/bin/python bench/nlu_eval.py                      # models/current.tar.gz, targets enforced
    .venv-rasa/bin/python bench/nlu_eval.py --model build/exp/x.tar.gz --no-targets

The test set is `nlu/tests/utterances/test_*.yml` (held out: never tune on it, never copy it
into training data, tests/nlu/test_no_leak.py checks); `dev.yml` next to it is for tuning and
is reported separately. Labels are the typed intents of TAXONOMY.md; features come from
nlu/features.yml. Figures per set:
- intent accuracy: predicted intent == label (`faq/<topic>` counts as `faq`; for an
  out_of_scope label, nlu_fallback counts as right, since both get the out-of-scope answer);
- feature accuracy: the predicted intent's feature == the label's feature (same rule);
- in-scope fallback rate: share of in-scope utterances (label != out_of_scope) answered nlu_fallback;
- out-of-scope recall: share of out_of_scope utterances predicted out_of_scope or nlu_fallback.
It also replays the model's raw ranking under other FallbackClassifier thresholds (no retraining),
and writes summary.json, summary.md, confusion_<set>.csv and dev_errors.txt to build/reports/nlu/.
Exit status 1 when a test-set figure misses its target (TARGETS) or the test set is missing.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

UTTERANCES = ROOT / "nlu" / "tests" / "utterances"
TARGETS = {"feature_accuracy": 0.95, "intent_accuracy": 0.92, "in_scope_fallback": 0.05, "oos_recall": 0.90}
# What `make test` enforces until the targets are met (issue 12 is open): under the shipped
# model's held-out figures by more than the spread between two trainings of the same data
# (seen: feature 0.913–0.916, intent 0.879–0.883, fallback 0.027, OOS recall 0.769–0.808), so
# that a change that makes understanding clearly worse fails, while the gap to TARGETS is
# printed on every run.
FLOORS = {"feature_accuracy": 0.88, "intent_accuracy": 0.84, "in_scope_fallback": 0.06, "oos_recall": 0.70}
# (threshold, ambiguity_threshold) pairs replayed on the raw ranking.
REPLAY = ((0.3, 0.05), (0.4, 0.05), (0.4, 0.1), (0.5, 0.1), (0.55, 0.1), (0.6, 0.1), (0.7, 0.1))
FALLBACK = "nlu_fallback"
OOS = "out_of_scope"


def load_features(path: Path = ROOT / "nlu" / "features.yml") -> Dict[str, str]:
    """intent → feature, from nlu/features.yml."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {intent: feature for feature, intents in data["features"].items() for intent in intents}


def load_utterances(path: Path) -> List[Tuple[str, str]]:
    """(text, typed intent) pairs of a Rasa NLU yml file."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(ex.get("text"), str(ex.get("intent")).split("/")[0]) for ex in data.intent_examples]


def base(intent: Optional[str]) -> str:
    return str(intent or "").split("/")[0]


def decide(ranking: List[Dict[str, Any]], threshold: float, ambiguity: float) -> str:
    """What FallbackClassifier would answer for this raw ranking."""
    raw = [r for r in ranking if r["name"] != FALLBACK]
    if not raw:
        return FALLBACK
    top = raw[0]["confidence"]
    second = raw[1]["confidence"] if len(raw) > 1 else 0.0
    if top < threshold or top - second < ambiguity:
        return FALLBACK
    return base(raw[0]["name"])


def score(pairs: List[Tuple[str, str]], features: Dict[str, str]) -> Dict[str, Any]:
    """Figures for (label, prediction) pairs."""
    n = len(pairs)
    right_intent = right_feature = fallback_in = in_scope = oos = oos_caught = 0
    for label, pred in pairs:
        if label == OOS:
            oos += 1
            hit = pred in (OOS, FALLBACK)
            oos_caught += hit
            right_intent += hit
            right_feature += hit
            continue
        in_scope += 1
        fallback_in += pred == FALLBACK
        right_intent += pred == label
        right_feature += pred != FALLBACK and features.get(pred, pred) == features.get(label, label)
    return {
        "n": n,
        "intent_accuracy": round(right_intent / n, 4) if n else 0.0,
        "feature_accuracy": round(right_feature / n, 4) if n else 0.0,
        "in_scope_fallback": round(fallback_in / in_scope, 4) if in_scope else 0.0,
        "oos_recall": round(oos_caught / oos, 4) if oos else 0.0,
    }


def per_intent(pairs: List[Tuple[str, str]]) -> Dict[str, Dict[str, Any]]:
    out: Dict[str, Dict[str, Any]] = {}
    for label in sorted({label for label, _ in pairs}):
        preds = [p for l, p in pairs if l == label]
        ok = sum(p == label or (label == OOS and p == FALLBACK) for p in preds)
        out[label] = {"n": len(preds), "accuracy": round(ok / len(preds), 3),
                      "fallback": sum(p == FALLBACK for p in preds),
                      "top_confusions": Counter(p for p in preds if p != label).most_common(3)}
    return out


def misses(values: Dict[str, float], bars: Dict[str, float] = TARGETS) -> List[str]:
    out = []
    for key, target in bars.items():
        value = values[key]
        ok = value <= target if key == "in_scope_fallback" else value >= target
        if not ok:
            out.append(f"{key} {value:.3f} (target {'≤' if key == 'in_scope_fallback' else '≥'} {target})")
    return out


async def parse_all(agent: Any, texts: List[str]) -> List[Dict[str, Any]]:
    return [await agent.parse_message(text) for text in texts]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--out", default=str(ROOT / "build" / "reports" / "nlu"))
    parser.add_argument("--no-targets", action="store_true", help="report only, exit 0 even below the targets")
    parser.add_argument("--gate", choices=("targets", "floor"), default="targets",
                        help="fail below the issue's targets (default) or only below the regression floors")
    parser.add_argument("--dev-only", action="store_true", help="score dev.yml only (while tuning)")
    args = parser.parse_args()
    # Rasa logs every parsed text at debug level: keep it quiet (test utterances stay unread).
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.ERROR)

    features = load_features()
    sets: Dict[str, List[Tuple[str, str]]] = {}
    if (UTTERANCES / "dev.yml").exists():
        sets["dev"] = load_utterances(UTTERANCES / "dev.yml")
    test_files = sorted(UTTERANCES.glob("test_*.yml"))
    if not args.dev_only:
        sets["test"] = [pair for path in test_files for pair in load_utterances(path)]
    if not args.dev_only and not sets["test"]:
        print(f"nlu_eval: no test utterances in {UTTERANCES}/test_*.yml", file=sys.stderr)
        return 1

    from rasa.core.agent import Agent

    started = time.monotonic()
    agent = Agent.load(args.model)
    load_seconds = time.monotonic() - started
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary: Dict[str, Any] = {"model": args.model, "load_seconds": round(load_seconds, 1), "targets": TARGETS, "sets": {}}
    for name, utterances in sets.items():
        parsed = asyncio.run(parse_all(agent, [text for text, _ in utterances]))
        predicted = [base(p["intent"]["name"]) for p in parsed]
        pairs = [(label, pred) for (_, label), pred in zip(utterances, predicted)]
        figures = score(pairs, features)
        replay = {}
        for threshold, ambiguity in REPLAY:
            replayed = [(label, decide(p.get("intent_ranking") or [], threshold, ambiguity))
                        for (_, label), p in zip(utterances, parsed)]
            replay[f"{threshold}/{ambiguity}"] = score(replayed, features)
        summary["sets"][name] = {**figures, "per_intent": per_intent(pairs), "threshold_replay": replay}
        labels = sorted({l for l, _ in pairs} | set(predicted))
        confusion = Counter(pairs)
        with (out / f"confusion_{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["label \\ predicted", *labels])
            for label in labels:
                writer.writerow([label, *(confusion.get((label, p), 0) for p in labels)])
        if name == "dev":
            # Texts only for the dev set: test utterances stay unread.
            with (out / "dev_errors.txt").open("w", encoding="utf-8") as fh:
                for (text, label), p in zip(utterances, parsed):
                    pred = base(p["intent"]["name"])
                    if pred != label and not (label == OOS and pred == FALLBACK):
                        raw = [r for r in p.get("intent_ranking") or [] if r["name"] != FALLBACK][:2]
                        top = ", ".join(f"{r['name']} {r['confidence']:.2f}" for r in raw)
                        fh.write(f"{label}\t{pred}\t{text}\t[{top}]\n")
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = ["| set | n | intent acc | feature acc | in-scope fallback | OOS recall |", "|---|---|---|---|---|---|"]
    for name, s in summary["sets"].items():
        lines.append(f"| {name} | {s['n']} | {s['intent_accuracy']:.3f} | {s['feature_accuracy']:.3f} | "
                     f"{s['in_scope_fallback']:.3f} | {s['oos_recall']:.3f} |")
    lines += ["", "Threshold replay (threshold/ambiguity → intent acc, feature acc, in-scope fallback, OOS recall):"]
    for name, s in summary["sets"].items():
        for key, r in s["threshold_replay"].items():
            lines.append(f"- {name} {key}: {r['intent_accuracy']:.3f} {r['feature_accuracy']:.3f} "
                         f"{r['in_scope_fallback']:.3f} {r['oos_recall']:.3f}")
    lines += ["", "Per intent (accuracy, fallbacks, top confusions):"]
    for name, s in summary["sets"].items():
        for intent, r in s["per_intent"].items():
            if r["accuracy"] < 1.0:
                lines.append(f"- {name} {intent}: {r['accuracy']:.2f} ({r['n']}), fallback {r['fallback']}, "
                             f"{r['top_confusions']}")
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    if "test" in summary["sets"] and not args.no_targets:
        gap = misses(summary["sets"]["test"])
        if args.gate == "floor":
            if gap:
                print("nlu_eval: not yet at target on the test set: " + "; ".join(gap), file=sys.stderr)
            failed = misses(summary["sets"]["test"], FLOORS)
            if failed:
                print("nlu_eval: below the regression floor on the test set: " + "; ".join(failed), file=sys.stderr)
                return 1
            print("nlu_eval: test-set regression floors held")
            return 0
        if gap:
            print("nlu_eval: below target on the test set: " + "; ".join(gap), file=sys.stderr)
            return 1
        print("nlu_eval: test-set targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
