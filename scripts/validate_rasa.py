"""`rasa data validate`, with one Rasa blind spot made precise.

Rasa warns about every response that no story or rule mentions, but most of
ours are chosen by custom actions (`dispatcher.utter_message(response=...)`),
and every `utter_err_<code>` is chosen by `actions.base.utter_error`. This
script runs Rasa's validator and fails on any warning or error, except that
warning for a response the actions really use. A response used by nothing
still fails.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule\.")
WARNING = re.compile(r"(UserWarning|FutureWarning|DeprecationWarning|WARNING|ERROR)")
# Noise from Rasa's pinned libraries, not about our data.
IGNORED = ("MovedIn20Warning", "declarative_base", "SQLALCHEMY_SILENCE_UBER_WARNING",
           "site-packages/pkg_resources", "pkg_resources is deprecated", "jax.xla_computation")


def used_by_actions() -> set[str]:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "actions").rglob("*.py"))
    return set(re.findall(r'response="(utter_\w+)"', source))


def named_in_code() -> set[str]:
    """Every identifier-like word in storage/ and actions/ (error codes may be built
    as f"{field}_empty", so a code counts as used when its name appears at all)."""
    files = [*(ROOT / "storage").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]
    source = "\n".join(p.read_text(encoding="utf-8") for p in files)
    return set(re.findall(r"\b([a-z][a-z0-9_]+)\b", source))


def main() -> int:
    result = subprocess.run(
        [str(RASA), "data", "validate", "--domain", "domain.yml", "--data", "nlu/data",
         "--config", "config.yml"],
        cwd=ROOT, capture_output=True, text=True,
    )
    output = result.stdout + result.stderr
    by_actions, codes = used_by_actions(), named_in_code()
    problems = []
    for line in output.splitlines():
        if any(marker in line for marker in IGNORED):
            continue
        unused = UNUSED.search(line)
        if unused:
            name = unused.group(1)
            if name in by_actions or (name.startswith("utter_err_") and name[10:] in codes):
                continue
            problems.append(f"response {name} is used by no story, rule or action")
        elif WARNING.search(line):
            problems.append(line.strip())
    if result.returncode != 0:
        problems.append(f"rasa data validate exited with {result.returncode}")
    for problem in problems:
        print(f"validate: {problem}", file=sys.stderr)
    print("rasa data validate: clean" if not problems else f"rasa data validate: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
