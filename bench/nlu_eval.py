"""NLU quality benchmark: stratified k-fold cross-validation of config.yml on nlu/data/nlu.

Runs in the Rasa venv:
    cd /work/main && PYTHONPATH=. RASA_TELEMETRY_ENABLED=false .venv-rasa/bin/python bench/nlu_eval.py

Writes Rasa's reports (intent_report.json, intent_errors.json, DIETClassifier_report.json …)
plus summary.json / summary.md to build/reports/nlu/ and prints the figures at the end:
intent accuracy, macro and weighted F1, the share of test messages that would fall back,
the `amount` entity F1 and the most frequent confusion pairs. The folds and DIET are
seeded, so two runs on the same data give the same figures. `--set` overrides one
pipeline option for an experiment, e.g. `--set KoreanTokenizer.mode=eojeol` or
`--set CountVectorsFeaturizer#0.use_lemma=false`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

TOP_PAIRS = 10
# Confidence cut-offs for the table "how many would fall back, how good is the rest".
FALLBACK_CURVE = (0.3, 0.4, 0.5, 0.55, 0.6, 0.7)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config.yml"))
    parser.add_argument("--data", default=str(ROOT / "nlu" / "data" / "nlu"))
    parser.add_argument("--out", default=str(ROOT / "build" / "reports" / "nlu"))
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="COMPONENT.KEY=VALUE",
        help="override a pipeline option (value parsed as YAML; Name#i for the i-th "
        "step of that name); repeatable",
    )
    return parser.parse_args()


def _component_name(step: Dict[str, Any]) -> str:
    return str(step.get("name", "")).rsplit(".", 1)[-1]


def load_config(path: str, overrides: List[str]) -> Dict[str, Any]:
    """Reads the Rasa config and applies `Component.key=value` overrides."""
    import rasa.shared.utils.io

    config = rasa.shared.utils.io.read_yaml_file(path)
    for item in overrides:
        target, _, raw = item.partition("=")
        component, _, key = target.rpartition(".")
        # "Name#1" picks the second step of that name (e.g. the char CountVectorsFeaturizer).
        component, _, index = component.partition("#")
        steps = [s for s in config["pipeline"] if _component_name(s) == component]
        if index:
            steps = steps[int(index) : int(index) + 1]
        if not steps or not key:
            raise SystemExit(f"--set {item!r}: no pipeline component {component!r}")
        value = rasa.shared.utils.io.read_yaml(raw) if raw else None
        for step in steps:
            step[key] = value
    return config


def fallback_thresholds(config: Dict[str, Any]) -> float:
    """The FallbackClassifier threshold of the pipeline (0 when there is none)."""
    for step in config["pipeline"]:
        if _component_name(step) == "FallbackClassifier":
            return float(step.get("threshold", 0.3))
    return 0.0


def confusion_pairs(predictions: List[Dict[str, Any]]) -> List[Tuple[str, str, int]]:
    """(target, predicted, count) for wrong predictions, most frequent first."""
    counts = Counter(
        (p["intent"], p["predicted"])
        for p in predictions
        if p["predicted"] != p["intent"]
    )
    return [(t, p, n) for (t, p), n in counts.most_common(TOP_PAIRS)]


def summarise(
    intent_eval: Dict[str, Any],
    entity_eval: Dict[str, Any],
    threshold: float,
    folds: int,
    seconds: float,
) -> Dict[str, Any]:
    """Boils Rasa's evaluation dicts down to the figures we track."""
    report = intent_eval["report"]
    predictions = intent_eval["predictions"]
    low = [p for p in predictions if (p["confidence"] or 0.0) < threshold]
    per_intent = sorted(
        (
            (name, round(values["f1-score"], 3), int(values["support"]))
            for name, values in report.items()
            if isinstance(values, dict) and name not in ("macro avg", "weighted avg", "micro avg")
        ),
        key=lambda row: row[1],
    )
    amount = (entity_eval.get("DIETClassifier") or {}).get("report", {}).get("amount", {})
    curve = []
    for cut in FALLBACK_CURVE:
        answered = [p for p in predictions if (p["confidence"] or 0.0) >= cut]
        right = sum(p["predicted"] == p["intent"] for p in answered)
        curve.append(
            (cut, round(1 - len(answered) / max(len(predictions), 1), 4),
             round(right / max(len(answered), 1), 4))
        )
    return {
        "folds": folds,
        "examples": len(predictions),
        "intent_accuracy": round(intent_eval["accuracy"], 4),
        "intent_macro_f1": round(report["macro avg"]["f1-score"], 4),
        "intent_weighted_f1": round(intent_eval["f1_score"], 4),
        "fallback_threshold": threshold,
        "below_fallback_threshold": round(len(low) / max(len(predictions), 1), 4),
        "amount_entity_f1": round(amount.get("f1-score", 0.0), 4),
        "amount_entity_support": int(amount.get("support", 0)),
        "fallback_curve": curve,
        "weakest_intents": per_intent[:8],
        "top_confusions": confusion_pairs(predictions),
        "seconds": round(seconds, 1),
    }


def render_markdown(summary: Dict[str, Any], overrides: List[str]) -> str:
    """Human-readable summary written next to Rasa's JSON reports."""
    lines = [
        "# NLU cross-validation",
        "",
        f"- folds: {summary['folds']}, test examples: {summary['examples']}"
        + (f", overrides: {', '.join(overrides)}" if overrides else ""),
        f"- intent accuracy: {summary['intent_accuracy']:.4f}",
        f"- intent macro F1: {summary['intent_macro_f1']:.4f}"
        f" (weighted {summary['intent_weighted_f1']:.4f})",
        f"- below fallback threshold {summary['fallback_threshold']}:"
        f" {summary['below_fallback_threshold']:.2%}",
        f"- entity `amount` F1 (DIET): {summary['amount_entity_f1']:.4f}"
        f" (support {summary['amount_entity_support']})",
        f"- wall time: {summary['seconds']} s",
        "",
        "## Top confusion pairs (target → predicted: count)",
    ]
    lines += [f"- {t} → {p}: {n}" for t, p, n in summary["top_confusions"]] or ["- none"]
    lines += ["", "## Fallback threshold trade-off (threshold: falls back, accuracy of the rest)"]
    lines += [f"- {cut}: {low:.2%}, {acc:.4f}" for cut, low, acc in summary["fallback_curve"]]
    lines += ["", "## Weakest intents (F1, support)"]
    lines += [f"- {name}: {f1} ({support})" for name, f1, support in summary["weakest_intents"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Runs the cross-validation and prints the figures."""
    args = _parse_args()
    import numpy as np
    import rasa.shared.utils.io
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Without this Rasa logs every parsed test message at debug level.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    from rasa.nlu.test import cross_validate, drop_intents_below_freq
    from rasa.shared.nlu.training_data.loading import load_data

    # StratifiedKFold in Rasa shuffles with numpy's global generator: seed it so the
    # folds, and therefore the figures, are the same on every run.
    random.seed(args.seed)
    np.random.seed(args.seed)

    config = load_config(args.config, args.set)
    data = drop_intents_below_freq(load_data(args.data), cutoff=args.folds)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    intent_cv, entity_cv, _ = asyncio.run(
        cross_validate(
            data,
            args.folds,
            config,
            str(out),
            successes=False,
            errors=True,
            disable_plotting=True,
            report_as_dict=True,
        )
    )
    summary = summarise(
        intent_cv.evaluation,
        entity_cv.evaluation,
        fallback_thresholds(config),
        args.folds,
        time.monotonic() - started,
    )
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    markdown = render_markdown(summary, args.set)
    (out / "summary.md").write_text(markdown)
    rasa.shared.utils.io.write_yaml(config, out / "config.evaluated.yml")
    print(markdown)


if __name__ == "__main__":
    main()
