"""Every reply, rendered: no unfilled field, no particle fixed in advance, no doubled word.

Each response in domain.yml (text and button titles) and each template in
bot/texts.py is rendered three times: every field a value whose last syllable
has a 받침, one with ㄹ받침, one without. Particles written as ``{name_<suffix>}``
are computed by storage.korean the way actions and the bot compute them; a
particle written literally after a value must then agree with both values, so
it fails. A fourth rendering uses realistic values (a budget cycle's name
already says 주민참여예산) to catch doubled words.
"""
from __future__ import annotations

import re
import string
from collections.abc import Iterator

import pytest
import yaml

from bot import texts
from storage import korean
from storage.settings import PROJECT_ROOT

FIELD = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::([^{}]*))?}")
# A literal particle right after a value (longest first). 이/가 only when what follows is not another word.
PARTICLES = [("이에요", True), ("예요", False), ("이었", True), ("였", False), ("으로", True), ("로", False),
             ("을", True), ("를", False), ("은", True), ("는", False), ("과", True), ("와", False),
             ("이", True), ("가", False)]
CLOSERS = "」』\"'”’]"
KINDS = ("batchim", "rieul", "plain")
# Values residents really see, for the doubled-word check.
REALISTIC = {"cycle": "2027년 주민참여예산", "title": "2027년 주민참여예산", "name": "2027년 주민참여예산",
             "cycle_name": "2027년 주민참여예산", "category": "문화·체육", "dong": "신당동", "quarter": "2026년 4분기"}


def _syllable(k: int) -> str:
    return chr(0xAC00 + 28 * 21 * (k % 19) + 28 * (k // 19 % 21))  # distinct, no 받침


def sample(kind: str, k: int, spec: str | None) -> object:
    """A distinct value for field number ``k`` that ends as ``kind`` says."""
    if spec:  # a format spec such as ":," needs a number: …3 삼, …1 일, …2 이
        return 9_000_000 + 10 * k + {"batchim": 3, "rieul": 1, "plain": 2}[kind]
    tail = {"batchim": "책", "rieul": "길", "plain": "나무"}[kind]
    return f"표본{_syllable(k)}{_syllable(k + 7)}{tail}"


def fields(template: str) -> dict[str, str | None]:
    return {m.group(1): m.group(2) for m in FIELD.finditer(template)}


def render(template: str, kind: str) -> tuple[str, dict[str, object]]:
    base = {}
    for k, (name, spec) in enumerate(sorted(fields(template).items())):
        m = korean._SUFFIXED.match(name)
        if m and m.group(1) in fields(template):
            continue  # a particle: derived below from the value it follows
        base[name] = sample(kind, k, spec)
    return korean.fill(template, **base), base


def particle_errors(text: str, values: dict[str, object]) -> list[str]:
    errors = []
    for name, value in values.items():
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        for m in re.finditer(re.escape(shown), text):
            before, after = text[: m.start()], text[m.end():]
            closer = re.match(f"[{re.escape(CLOSERS)}]*", after).group(0)
            after = after[len(closer):]
            if after.startswith(")"):
                if re.search(r"\([^()]*$", before):
                    continue  # 결과(2027년)는: the particle follows the word before the bracket
                after = after[1:]
            after = re.sub(r"^\([^()]*\)", "", after)  # 「제목」(3번 제안)이: the particle follows 제목
            final = korean.final_consonant(shown)
            for particle, wants_batchim in PARTICLES:
                if after.startswith(particle):
                    if particle in ("로", "으로") and final == korean.RIEUL:
                        ok = particle == "로"
                    else:
                        ok = wants_batchim == (final != korean.NONE)
                    if not ok:
                        errors.append(f"{{{name}}}={shown!r} followed by {particle!r}: …{text[m.start():m.end() + 12]}…")
                    break
    return errors


def doubled_words(text: str) -> list[str]:
    """A word said twice in a row ("주민참여예산 주민참여예산"); a list ("포인트", "포인트 내역") is fine."""
    raw = text.split()
    words = [w.strip(string.punctuation + "「」『』“”‘’·…") for w in raw]
    return [a for i, (a, b) in enumerate(zip(words, words[1:]))
            if a and a == b and re.search("[가-힣]", a) and not re.search(r"[,.!?·:;」』”\"')\]]$", raw[i])]


def _domain_templates() -> Iterator[tuple[str, str]]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        for i, variant in enumerate(variants):
            if variant.get("text"):
                yield f"domain.yml {name}[{i}]", variant["text"]
            for b in variant.get("buttons") or []:
                yield f"domain.yml {name}[{i}] button", b["title"]


def _bot_templates() -> Iterator[tuple[str, str]]:
    for name, value in vars(texts).items():
        if name.isupper() and isinstance(value, str):
            yield f"bot/texts.py {name}", value
        elif name.isupper() and isinstance(value, dict):
            for key, v in value.items():
                if isinstance(v, str):
                    yield f"bot/texts.py {name}[{key}]", v
        elif name.isupper() and isinstance(value, list):
            for item in value:
                for v in item if isinstance(item, tuple) else [item]:
                    if isinstance(v, str):
                        yield f"bot/texts.py {name}", v


TEMPLATES = list(_domain_templates()) + list(_bot_templates())


def test_there_are_many_templates():
    assert len(TEMPLATES) > 300


@pytest.mark.parametrize("where, template", TEMPLATES, ids=[w for w, _ in TEMPLATES])
def test_renders_with_agreeing_particles(where, template):
    problems = []
    for kind in KINDS:
        text, values = render(template, kind)
        left = re.findall(r"{[^{}]*}", text)
        if left:
            problems.append(f"unfilled {left}")
        problems += particle_errors(text, values)
    real = korean.fill(template, **{n: REALISTIC.get(n, sample("plain", k, s))
                                    for k, (n, s) in enumerate(sorted(fields(template).items()))
                                    if not (korean._SUFFIXED.match(n) and korean._SUFFIXED.match(n).group(1)
                                            in fields(template))})
    problems += [f"doubled word {w!r}" for w in doubled_words(real)]
    assert not problems, f"{where}: {template!r}\n" + "\n".join(problems)


def test_particle_fields_follow_their_value():
    """``{x_eul}`` stands right after ``{x}`` (closers and a bracket between are fine)."""
    for where, template in TEMPLATES:
        for m in FIELD.finditer(template):
            s = korean._SUFFIXED.match(m.group(1))
            if not s or s.group(1) not in fields(template):
                continue
            head = template[: m.start()]
            assert re.search(r"{" + re.escape(s.group(1)) + r"(?::[^{}]*)?}[" + re.escape(CLOSERS) + r"]*(\([^()]*\))?$",
                             head), f"{where}: {{{m.group(1)}}} does not follow {{{s.group(1)}}}"


def test_the_checker_catches_fixed_particles():
    assert particle_errors(*render("「{title}」을 등록했어요.", "plain"))
    assert particle_errors(*render("{date}이에요", "plain"))
    assert particle_errors(*render("{code}로 확인", "batchim"))
    assert not particle_errors(*render("{code}로 확인", "rieul"))
    assert not particle_errors(*render("「{title}」{title_eul} 등록했어요.", "plain"))
    assert not particle_errors(*render("결과({cycle})는 아래", "batchim"))
    assert particle_errors(*render("「{title}」({n}번 제안)이 공개됐어요", "plain"))
    assert doubled_words("2027년 주민참여예산 주민참여예산 투표가")


def test_bot_templates_fill_their_own_particles():
    """bot/texts.py templates are korean.Template: the handlers' plain ``.format`` picks the particles."""
    assert isinstance(texts.PROPOSAL_HIDDEN, korean.Template)
    assert all(isinstance(t, korean.Template) for t in texts.NOTICES.values())
    assert texts.PROPOSAL_HIDDEN.format(id=3, title="가로등 설치해 주세요") == (
        "#3 「가로등 설치해 주세요」를 비공개 처리했어요. 작성자에게 사유가 안내돼요.")
    assert texts.NOTICES["proposal_unhidden"].format(title="골목길", number=12) == "「골목길」(12번 제안)이 다시 공개되었어요."
    assert texts.ANNOUNCE_CANCELLED_REPORT.format(id=10, sent=1, cancelled=2).startswith("공지 #10이 취소")


def test_error_replies_outside_rasa_choose_particles():
    assert texts.error_text("ballot_already_submitted", receipt_code="AB12") == (
        "이미 투표하셨어요. 접수번호 AB12로 집계 여부를 확인할 수 있어요.")


# One register: 해요체 with 감사합니다 / 별말씀을요, the resident's acts with -시-, no particle left to the reader.
FORBIDDEN = ("고마워", "고맙", "천만에", "내가 쓴", "을(를)", "이(가)", "은(는)", "를(을)", "가(이)", "(으)로",
             "출석했어요", "응모했어요", "응모한 공모전", "제출한 투표지")


@pytest.mark.parametrize("phrase", FORBIDDEN)
def test_no_off_register_phrase(phrase):
    found = [where for where, template in TEMPLATES if phrase in template]
    assert not found, f"{phrase!r} in {found}"


# Sentences the actions still build themselves, each for a reason; anything new belongs in
# domain.yml (Rasa's words) or bot/texts.py (the bot's own).
SENTENCES_IN_CODE = {
    # a fragment inside utter_notifications_toggled / utter_points_balance; moving it means new responses
    ("actions/notifications.py", "켰어요"), ("actions/notifications.py", "껐어요"),
    ("actions/points.py", "🎁 상품권 교환을 신청할 수 있어요!"), ("actions/points.py", " P 남았어요."),
    # not a reply: a typed "…해 달라고 건의할래요" becomes the draft title "…해 주세요"
    ("actions/proposal_form.py", " 주세요"),
}


def _korean_sentences_in_code() -> set[tuple[str, str]]:
    import ast

    found = set()
    files = sorted((PROJECT_ROOT / "actions").glob("*.py"))
    files += sorted(p for p in (PROJECT_ROOT / "bot").rglob("*.py") if p.name != "texts.py")
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                skip.add(id(body[0].value))  # docstrings
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.endswith("WORDS")
                                                    for t in node.targets):
                skip |= {id(n) for n in ast.walk(node.value)}  # words residents type
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                    and node.value not in korean.PAIRS and re.search("[가-힣]", node.value)
                    and re.search(r"(요|다|까)[.!?]?\s*$|(요|다)[.!?]\s", node.value)):
                found.add((str(path.relative_to(PROJECT_ROOT)), node.value))
    return found


def test_code_builds_no_korean_sentences():
    assert _korean_sentences_in_code() <= SENTENCES_IN_CODE


def test_actions_pass_the_particles_their_responses_need():
    """Rasa shows a response raw when a field is missing: every {x_eul} of a non-error response is passed."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "actions").glob("*.py"))
    for where, template in _domain_templates():
        if where.startswith("domain.yml utter_err_"):
            continue  # actions.base.utter_error passes every particle of every value
        for field in fields(template):
            s = korean._SUFFIXED.match(field)
            if s and s.group(1) in fields(template):
                assert re.search(rf"\b{field}\b", source), f"{where}: no action passes {field}"
