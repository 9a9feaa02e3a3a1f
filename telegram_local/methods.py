"""The Bot API method table and dispatch: parameter checks and type coercion, then the handler.

Parameters arrive as query strings, form fields (ptb sends non-string values
JSON-encoded), multipart file parts or a JSON body; each is coerced by the
types in `method_table.METHOD_PARAMS`.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram_local.errors import ApiError, bad_request
from telegram_local.method_table import METHOD_PARAMS

# Telegram's wording where it has its own; otherwise "<name> is empty".
MISSING = {
    "text": "message text is empty",
    "photo": "there is no photo in the request",
    "document": "there is no document in the request",
    "message_id": "message identifier is not specified",
    "callback_query_id": "query_id is empty",
}


@dataclass(frozen=True)
class Param:
    """One parameter of the table: its spec types and whether it is required."""

    types: tuple[str, ...]
    required: bool


@dataclass
class Upload:
    """A file sent as a multipart part."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Reply:
    """A result plus Telegram's optional success description (e.g. "Webhook was set")."""

    result: Any
    description: str | None = None


Handler = Callable[[Any, dict[str, Any]], Awaitable[Any]]
METHODS: dict[str, dict[str, Param]] = {
    name: {row[0]: Param(tuple(row[1].split("|")), row[2]) for row in rows}
    for name, rows in METHOD_PARAMS.items()
}
HANDLERS: dict[str, Handler] = {}
_BY_LOWER = {name.lower(): name for name in METHODS}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register the handler of a method that is in the table."""
    if name not in METHODS:
        raise KeyError(f"{name} is not in the method table")

    def register(fn: Handler) -> Handler:
        """Store the handler under the method name."""
        HANDLERS[name] = fn
        return fn

    return register


def canonical(name: str) -> str | None:
    """Bot API method names are case-insensitive."""
    return _BY_LOWER.get(name.lower())


def _coerce_bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0", ""):
        return False
    raise bad_request(f"can't parse {name} as Boolean")


def _coerce_int(name: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise bad_request(f"invalid {name} specified")
    try:
        return int(str(raw).strip()) if not isinstance(raw, int) else raw
    except ValueError as exc:
        raise bad_request(f"invalid {name} specified") from exc


def coerce(name: str, param: Param, raw: Any, uploads: dict[str, Upload]) -> Any:
    """One raw value → the Python value its spec types describe."""
    types = param.types
    if isinstance(raw, Upload):
        if "InputFile" not in types:
            raise bad_request(f"can't parse {name}: a file was sent")
        return raw
    if "InputFile" in types:
        text = str(raw)
        if text.startswith("attach://"):
            upload = uploads.get(text[len("attach://"):])
            if upload is None:
                raise bad_request(f"can't find attached file {text!r}")
            return upload
        return text
    if types == ("Integer", "String"):
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        text = str(raw).strip()
        return int(text) if text.lstrip("-").isdigit() else text
    kind = types[0]
    if kind == "Integer":
        return _coerce_int(name, raw)
    if kind == "Float":
        try:
            return float(raw)
        except (TypeError, ValueError) as exc:
            raise bad_request(f"invalid {name} specified") from exc
    if kind in ("Boolean", "True"):
        return _coerce_bool(name, raw)
    if kind == "String":
        return raw if isinstance(raw, str) else json.dumps(raw) if isinstance(raw, (dict, list)) else str(raw)
    # Objects and arrays: JSON-serialized strings in forms, real JSON in a JSON body.
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise bad_request(f"can't parse {name} JSON object") from exc
    expect = list if kind.startswith("Array of ") else dict
    if not isinstance(raw, expect):
        raise bad_request(f"can't parse {name} JSON object")
    return raw


def parse_params(method_name: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Check names against the table, coerce values, and refuse missing required parameters."""
    table = METHODS[method_name]
    uploads = {k: v for k, v in raw.items() if isinstance(v, Upload)}
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if name in table:
            if value is None or value == "":
                continue
            params[name] = coerce(name, table[name], value, uploads)
        elif not isinstance(value, Upload):
            # Telegram would ignore it; a stand-in says so, to catch a bot passing the wrong name.
            raise bad_request(f'parameter "{name}" is not accepted by {method_name}')
    for name, param in table.items():
        if param.required and name not in params:
            raise bad_request(MISSING.get(name, f"{name} is empty"))
    return params


async def call(state: Any, method_name: str, raw: dict[str, Any]) -> Reply:
    """Run one Bot API call; ApiError carries Telegram's error answer."""
    handler = HANDLERS.get(method_name)
    if handler is None:
        raise ApiError(404, "Not Found: method not found")
    result = await handler(state, parse_params(method_name, raw))
    return result if isinstance(result, Reply) else Reply(result)
