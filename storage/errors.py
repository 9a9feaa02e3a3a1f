"""Domain errors: each carries a stable code that the edges map to a Korean reply.

Actions answer ``utter_err_<code>`` from domain.yml; bot handlers look the code
up in ``bot.texts.ERRORS``. A test checks that every code has a reply.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A use case refused the request; nothing was changed."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.params!r})"
