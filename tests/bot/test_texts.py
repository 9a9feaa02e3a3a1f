from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot import texts
from storage.settings import PROJECT_ROOT


def _raised_codes() -> set[str]:
    codes = set()
    for path in list((PROJECT_ROOT / "storage").rglob("*.py")) + list((PROJECT_ROOT / "actions").rglob("*.py")):
        codes |= set(re.findall(r'DomainError\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    return codes


def test_every_domain_error_code_has_a_korean_reply():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    replies = {name.removeprefix("utter_err_") for name in domain["responses"] if name.startswith("utter_err_")}
    missing = _raised_codes() - replies
    assert not missing, f"add utter_err_<code> to domain.yml for: {sorted(missing)}"


def test_error_text_formats_numbers_and_falls_back():
    assert "5,000" in texts.error_text("below_minimum", minimum=5000)
    assert texts.error_text("no_such_code") == texts.error_text("internal")


def test_notice_templates_are_korean_and_formattable():
    for key, template in texts.NOTICES.items():
        assert re.search("[가-힣]", template), key
        fields = set(re.findall(r"{(\w+)", template))
        template.format(**{f: 1 for f in fields})


def test_command_menu_is_valid_for_telegram():
    for command, description in texts.COMMANDS + texts.STAFF_COMMANDS:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command)
        assert 3 <= len(description) <= 256
