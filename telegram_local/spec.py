"""Reads the machine-readable Bot API description (`api.json`) and checks objects against it.

The file is third-party data kept outside the project (`../shared/telegram/`);
nothing here copies it. Set TELEGRAM_API_SPEC to use another path.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = PROJECT_ROOT.parent / "shared" / "telegram" / "api.json"
PRIMITIVES = {"Integer", "String", "Boolean", "Float", "True", "InputFile"}

Fields = dict[str, tuple[tuple[str, ...], bool]]


def spec_path() -> Path:
    """Where api.json is expected (TELEGRAM_API_SPEC overrides)."""
    return Path(os.environ.get("TELEGRAM_API_SPEC") or DEFAULT_SPEC)


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_spec(path: Path | None = None) -> dict[str, Any] | None:
    """The parsed description, or None when the file is absent."""
    path = path or spec_path()
    return _load(str(path)) if path.exists() else None


def _fields(rows: list[dict[str, Any]]) -> Fields:
    return {row["name"]: (tuple(row["types"]), bool(row["required"])) for row in rows}


def method_params(spec: dict[str, Any], method: str) -> Fields:
    """Parameter name → (types, required) of one method."""
    return _fields(spec["methods"][method].get("fields", []))


def type_fields(spec: dict[str, Any], type_name: str) -> Fields:
    """Field name → (types, required) of one type."""
    return _fields(spec["types"][type_name].get("fields", []))


_FIXED = re.compile(r"(?:always|must be) [“\"]?([A-Za-z_]+)[”\"]?\.?$")


def _fixed_values(spec: dict[str, Any], type_name: str) -> dict[str, str]:
    """Fields whose description ends 'always "x"' or 'must be x': a union member's discriminator."""
    fixed = {}
    for row in spec["types"][type_name].get("fields", []):
        description = row.get("description", "")
        match = _FIXED.search(" ".join(description) if isinstance(description, list) else description)
        if match:
            fixed[row["name"]] = match.group(1)
    return fixed


def _matches_primitive(type_name: str, value: Any) -> bool:
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name in ("Boolean", "True"):
        return isinstance(value, bool)
    return isinstance(value, str)


def check_value(spec: dict[str, Any], types: tuple[str, ...], value: Any, where: str) -> list[str]:
    """Problems of one value against its allowed spec types (empty list: fine)."""
    problems: list[str] = []
    for type_name in types:
        if type_name.startswith("Array of "):
            if isinstance(value, list):
                inner = (type_name[len("Array of "):],)
                for i, item in enumerate(value):
                    problems += check_value(spec, inner, item, f"{where}[{i}]")
                return problems
            continue
        if type_name in PRIMITIVES:
            if _matches_primitive(type_name, value):
                return []
            continue
        if isinstance(value, dict):
            return check_object(spec, type_name, value, where)
    return [f"{where}: {value!r} is not {' or '.join(types)}"]


def check_object(spec: dict[str, Any], type_name: str, obj: dict[str, Any], where: str = "") -> list[str]:
    """Problems of an object against a spec type: unknown fields, missing required ones, wrong types."""
    where = where or type_name
    subtypes = spec["types"][type_name].get("subtypes")
    if subtypes:
        # A union (MaybeInaccessibleMessage, BotCommandScope…): fine if one member fits.
        attempts = [check_object(spec, sub, obj, where) for sub in subtypes]
        return min(attempts, key=len)
    fields = type_fields(spec, type_name)
    problems = [f"{where}.{name}: not a field of {type_name}" for name in obj if name not in fields]
    problems += [f"{where}.{name}: required field missing" for name, (_, required) in fields.items()
                 if required and name not in obj]
    problems += [f"{where}.{name}: must be {value!r} in {type_name}"
                 for name, value in _fixed_values(spec, type_name).items() if name in obj and obj[name] != value]
    for name, value in obj.items():
        if name in fields:
            problems += check_value(spec, fields[name][0], value, f"{where}.{name}")
    return problems
