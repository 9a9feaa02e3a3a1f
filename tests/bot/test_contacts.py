"""Every contact residents are given comes from storage/contacts.yml, written the same way everywhere."""
from __future__ import annotations

import re

import yaml

from bot import texts
from storage.contacts import contact, contacts, general_inquiries, template_params
from storage.settings import PROJECT_ROOT

PHONE = re.compile(r"(?<![\d-])0\d{1,2}-\d{3,4}-\d{4}(?![\d-])")
STATIC_REPLIES = ("utter_help", "utter_out_of_scope", "utter_fallback")  # uttered by rules: no action to pass it


def _domain_texts() -> dict[str, str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {name: "\n".join(v.get("text") or "" for v in variants) for name, variants in domain["responses"].items()}


def _sources() -> dict[str, str]:
    files = [PROJECT_ROOT / "domain.yml", PROJECT_ROOT / "bot" / "texts.py"]
    files += sorted((PROJECT_ROOT / "actions").glob("*.py")) + sorted((PROJECT_ROOT / "bot" / "handlers").glob("*.py"))
    return {str(f.relative_to(PROJECT_ROOT)): f.read_text(encoding="utf-8") for f in files}


def test_every_phone_number_is_a_configured_one():
    configured = {c.phone for c in contacts().values()}
    for where, text in _sources().items():
        for number in PHONE.findall(text):
            assert number in configured, f"{where}: {number} is not in storage/contacts.yml"


def test_every_contact_names_its_source():
    for c in contacts().values():
        assert c.source.strip() and c.phone and c.phone in c.display


def test_no_unsourced_civil_affairs_number():
    for where, text in _sources().items():
        assert "3396-4000" not in text and "민원실(" not in text, where


def test_static_replies_repeat_the_configuration_exactly():
    replies = _domain_texts()
    for name in STATIC_REPLIES:
        assert general_inquiries() in replies[name], name
    digital = contact("digital_policy")
    mentions = [(n, t) for n, t in replies.items() if digital.name in t]
    assert mentions
    for name, text in mentions:
        for m in re.finditer(re.escape(digital.name), text):
            assert re.match(r" ?\(" + re.escape(digital.phone) + r"\)", text[m.end():]), name


def test_bot_texts_take_contacts_from_the_configuration():
    notice = texts.NOTICES["proposal_hidden"].format(title="골목길 가로등", number=3, reason="개인정보 포함")
    assert contact("digital_policy").display in notice
    assert "{contact_" not in "".join(v for v in vars(texts).values() if isinstance(v, str))
    assert set(template_params()) >= {"contact_digital_policy", "contact_dasan_call", "contact_general"}
