"""The contacts residents are given (``contacts.yml``): one place for every phone number."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from storage.settings import PROJECT_ROOT

CONTACTS_PATH = PROJECT_ROOT / "storage" / "contacts.yml"


@dataclass(frozen=True)
class Contact:
    key: str
    name: str
    phone: str
    display: str   # how sentences write it, e.g. 중구청 디지털정책과(02-3396-4707)
    source: str


@lru_cache(maxsize=1)
def _load() -> dict:
    return yaml.safe_load(CONTACTS_PATH.read_text(encoding="utf-8"))


def contacts() -> dict[str, Contact]:
    """Every configured contact by key."""
    return {key: Contact(key=key, name=c["name"], phone=str(c["phone"]), display=c["display"],
                         source=c["source"])
            for key, c in _load()["contacts"].items()}


def contact(key: str) -> Contact:
    return contacts()[key]


def general_inquiries() -> str:
    """Where general complaints go, as a sentence fragment: 중구청 홈페이지나 120 다산콜재단."""
    return str(_load()["general_inquiries"])


def template_params() -> dict[str, str]:
    """``{contact_<key>}`` and ``{contact_general}`` fields for templates."""
    params = {f"contact_{key}": c.display for key, c in contacts().items()}
    params["contact_general"] = general_inquiries()
    return params
