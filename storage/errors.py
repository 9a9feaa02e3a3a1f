"""Domain errors: each carries a stable code that the edges map to a Korean reply.

Actions answer ``utter_err_<code>`` from domain.yml; bot handlers look the code
up in ``bot.texts.ERRORS``. A test checks that every code has a reply.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from storage.korean import fill
from storage.settings import PROJECT_ROOT


class DomainError(Exception):
    """A use case refused the request; nothing was changed."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.params!r})"


@lru_cache(maxsize=1)
def _replies() -> dict[str, str]:
    """utter_err_* texts from domain.yml, where every error is worded once."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {
        name.removeprefix("utter_err_"): variants[0]["text"]
        for name, variants in domain.get("responses", {}).items()
        if name.startswith("utter_err_")
    }


def error_message(code: str, **params: Any) -> str:
    """The Korean sentence for an error code, for edges outside Rasa (bot staff commands, CLI)."""
    template = _replies().get(code) or _replies()["internal"]
    shown = {k: (f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v)
             for k, v in params.items()}
    try:
        return fill(template, **shown)
    except (KeyError, IndexError):
        return template
