"""Read a staff survey file (YAML or JSON) into a SurveySpec, or list every mistake with its line.

PyYAML composes the file into nodes first, so every value keeps the line it came
from; all problems are collected before the file is refused, so staff fix the
file in one round instead of one error at a time.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from storage import survey_rules as sr
from storage.errors import DomainError
from storage.korean import attach, josa
from storage.timeutil import parse_kst

#: Staff survey files are small; anything larger is refused before parsing.
SURVEY_TEXT_MAX_CHARS = 256 * 1024
#: Nesting deeper than this is no survey (and would exhaust recursion).
SURVEY_MAX_DEPTH = 12
#: Wall-clock limit of one isolated parse (load_survey_isolated).
SURVEY_PARSE_TIMEOUT_SECONDS = 10.0


class SurveyValidationError(DomainError):
    """The file was refused; ``errors`` holds (line, Korean message) pairs in line order."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = sorted(errors, key=lambda e: e[0])
        super().__init__("survey_invalid", errors=self.lines())

    def lines(self) -> list[str]:
        return [f"{line}행: {message}" for line, message in self.errors]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class _Refused(yaml.MarkedYAMLError):
    """A construct survey files never need (aliases, deep nesting), refused while composing."""

    def __init__(self, message_ko: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem=message_ko, problem_mark=mark)
        self.message_ko = message_ko


class _Loader(yaml.SafeLoader):
    """YAML 1.2-like scalars: dates stay text, and only true/false are booleans.

    YAML 1.1 would turn an option id ``no`` into False and ``2026-12-01`` into a
    date, both surprising in a survey file. Aliases (``*name``) are refused: a few
    lines of nested aliases ("billion laughs") would expand to gigabytes.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _Refused("별칭(*이름)은 쓸 수 없습니다. 내용을 직접 적어 주세요.", self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > SURVEY_MAX_DEPTH:
                raise _Refused("항목이 너무 깊게 겹쳐 있습니다.", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (
        "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Map(dict):
    """A mapping that remembers the line of itself, of each key and of each value."""

    line: int
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]


class _Seq(list):
    line: int
    item_lines: list[int]


class _Errors:
    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _build(node: yaml.Node, loader: _Loader, errors: _Errors) -> Any:
    """Turn composed nodes into _Map/_Seq/scalars that keep their line numbers."""
    if isinstance(node, yaml.MappingNode):
        result = _Map()
        result.line, result.key_lines, result.value_lines = _line(node), {}, {}
        for key_node, value_node in node.value:
            key = _build(key_node, loader, errors)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                errors.add(_line(key_node), "항목 이름은 글자여야 합니다.")
                continue
            if key in result:
                errors.add(_line(key_node), f"'{key}' 항목이 두 번 있습니다.")
                continue
            result[key] = _build(value_node, loader, errors)
            result.key_lines[key] = _line(key_node)
            result.value_lines[key] = _line(value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = _Seq(_build(item, loader, errors) for item in node.value)
        seq.line, seq.item_lines = _line(node), [_line(item) for item in node.value]
        return seq
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        errors.add(_line(node), "이 값은 읽을 수 없습니다. 특수 태그(!!)를 쓰지 마세요.")
        return None


def _read(path_or_text: str | Path) -> tuple[str, bool]:
    """The file's text, and whether it is JSON (by its name, or by how the text starts)."""
    name = ""
    if isinstance(path_or_text, Path):
        name, text = path_or_text.name, path_or_text.read_text(encoding="utf-8")
    elif "\n" not in path_or_text and path_or_text.endswith((".yml", ".yaml", ".json")):
        name, text = path_or_text, Path(path_or_text).read_text(encoding="utf-8")
    else:
        text = path_or_text
    return text, name.endswith(".json") or text.lstrip().startswith('{"')


def _json_as_yaml(text: str) -> str:
    """Check JSON with the json module (its errors are clearer), then let YAML read it for lines.

    JSON is YAML except for tab indentation; tabs outside strings are mere
    whitespace in valid JSON (inside strings they must be escaped), so they
    become spaces and every line keeps its number.
    """
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise SurveyValidationError([(exc.lineno, f"{exc.colno}열 근처의 JSON 문법이 틀렸습니다. "
                                                  "쉼표(,), 따옴표, 괄호를 확인해 주세요.")]) from None
    return text.replace("\t", " ")


def load_survey_file(path_or_text: str | Path) -> sr.SurveySpec:
    """Parse and validate a survey file (a Path, a file name, or the text itself)."""
    text, is_json = _read(path_or_text)
    if len(text) > SURVEY_TEXT_MAX_CHARS:
        raise SurveyValidationError([(1, f"파일이 너무 큽니다({SURVEY_TEXT_MAX_CHARS // 1024}KB까지).")])
    if is_json:
        text = _json_as_yaml(text)
    errors = _Errors()
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except _Refused as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise SurveyValidationError([(line, exc.message_ko)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        where = f"{mark.column + 1}열 근처의 " if mark else ""
        raise SurveyValidationError([(line, f"{where}YAML 문법이 틀렸습니다. "
                                            "들여쓰기, 콜론(:), 따옴표, 괄호를 확인해 주세요.")]) from None
    except yaml.YAMLError:
        raise SurveyValidationError([(1, "YAML 문법이 틀렸습니다.")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise SurveyValidationError([(1, "파일이 비어 있습니다.")])
    data = _build(node, loader, errors)
    spec = _survey(data, errors)
    if errors.items or spec is None:
        raise SurveyValidationError(errors.items)
    return spec


def _load_in_worker(text: str) -> tuple[bool, Any]:
    """Runs in the worker process: (True, spec) or (False, [(line, message)])."""
    try:
        return True, load_survey_file(text)
    except SurveyValidationError as err:
        return False, err.errors


def load_survey_isolated(text: str, timeout_seconds: float = SURVEY_PARSE_TIMEOUT_SECONDS) -> sr.SurveySpec:
    """load_survey_file(text) in a separate process, killed after ``timeout_seconds``.

    For uploads from the chat: a hostile file costs one short-lived process, never
    the bot's event loop or its memory. Blocking: call it from a worker thread.
    """
    import multiprocessing

    if len(text) > SURVEY_TEXT_MAX_CHARS:
        raise SurveyValidationError([(1, f"파일이 너무 큽니다({SURVEY_TEXT_MAX_CHARS // 1024}KB까지).")])
    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    with context.Pool(processes=1, maxtasksperchild=1) as pool:
        pending = pool.apply_async(_load_in_worker, (text,))
        try:
            ok, value = pending.get(timeout=timeout_seconds)
        except multiprocessing.TimeoutError:
            pool.terminate()
            raise SurveyValidationError([(1, "파일을 읽는 데 너무 오래 걸립니다. 내용을 줄이거나 "
                                             "형식을 확인해 주세요.")]) from None
    if not ok:
        raise SurveyValidationError(value)
    return value


# --- validation --------------------------------------------------------------------

_TOP_KEYS = {"title", "description", "opens_at", "closes_at", "anonymous", "points", "questions"}
_QUESTION_KEYS = {"id", "type", "text", "options", "max_picks", "scale", "required", "show_if"}
_TYPES = ", ".join(t.value for t in sr.QuestionType)


def _unknown_keys(m: _Map, allowed: set[str], where: str, errors: _Errors) -> None:
    for key in m:
        if key not in allowed:
            errors.add(m.key_lines[key], f"{where}에 알 수 없는 항목 '{key}'가 있습니다. "
                                         f"쓸 수 있는 항목: {', '.join(sorted(allowed))}.")


def _text(m: _Map, key: str, where: str, limit: int, errors: _Errors, *, required: bool = True) -> str | None:
    if key not in m or m[key] is None:
        if required:
            errors.add(m.line, f"{where}에 '{key}'가 없습니다.")
        return None
    value = m[key]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        errors.add(m.value_lines[key], f"{where}의 '{key}'는 비어 있지 않은 글자여야 합니다.")
        return None
    value = value.strip()
    if len(value) > limit:
        errors.add(m.value_lines[key], f"{where}의 '{key}'가 너무 깁니다({len(value)}자, 최대 {limit}자).")
        return None
    return value


def _slug(value: Any, line: int, what: str, errors: _Errors) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not sr.ID_PATTERN.match(value):
        errors.add(line, f"{what} '{value}'는 영문 소문자·숫자·_·- 로 된 20자 이내여야 합니다.")
        return None
    return value


def _int(m: _Map, key: str, where: str, errors: _Errors, lo: int, hi: int) -> int | None:
    value = m[key]
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        errors.add(m.value_lines[key], f"{where}의 '{key}'는 {lo}~{hi} 사이의 정수여야 합니다.")
        return None
    return value


def _bool(m: _Map, key: str, where: str, errors: _Errors) -> bool | None:
    if not isinstance(m[key], bool):
        errors.add(m.value_lines[key], f"{where}의 '{key}'는 true 또는 false여야 합니다.")
        return None
    return m[key]


def _time(m: _Map, key: str, errors: _Errors) -> Any:
    if key not in m:
        errors.add(m.line, f"'{key}'(한국 시간, 예: \"2026-12-01 09:00\")가 없습니다.")
        return None
    try:
        return parse_kst(str(m[key]))
    except ValueError:
        errors.add(m.value_lines[key], f"'{key}'는 \"2026-12-01 09:00\" 형식의 한국 시간이어야 합니다.")
        return None


def _survey(data: Any, errors: _Errors) -> sr.SurveySpec | None:
    if not isinstance(data, _Map):
        errors.add(getattr(data, "line", 1), "파일 맨 위에는 title, questions 같은 항목이 와야 합니다.")
        return None
    _unknown_keys(data, _TOP_KEYS, "설문", errors)
    title = _text(data, "title", "설문", sr.TITLE_MAX, errors)
    description = _text(data, "description", "설문", sr.DESCRIPTION_MAX, errors, required=False) or ""
    opens_at, closes_at = _time(data, "opens_at", errors), _time(data, "closes_at", errors)
    if opens_at and closes_at and closes_at <= opens_at:
        errors.add(data.value_lines["closes_at"], "closes_at은 opens_at보다 뒤여야 합니다.")
    anonymous = None
    if "anonymous" not in data:
        errors.add(data.line, "'anonymous'(익명 설문이면 true, 아니면 false)가 없습니다.")
    else:
        anonymous = _bool(data, "anonymous", "설문", errors)
    # The ceiling is the point policy's, checked when the survey is published.
    points = _int(data, "points", "설문", errors, 0, 10**9) if "points" in data else None
    points_bad = "points" in data and points is None
    questions = _questions(data, errors)
    if None in (title, opens_at, closes_at, anonymous) or questions is None or points_bad:
        return None
    return sr.SurveySpec(title=title, description=description, opens_at=opens_at, closes_at=closes_at,
                         anonymous=bool(anonymous), points=points, questions=tuple(questions))


def _questions(data: _Map, errors: _Errors) -> list[sr.Question] | None:
    items = data.get("questions")
    if not isinstance(items, _Seq) or not items:
        errors.add(data.value_lines.get("questions", data.line), "'questions'에 질문을 하나 이상 적어 주세요.")
        return None
    if len(items) > sr.QUESTIONS_MAX:
        errors.add(items.line, f"질문이 너무 많습니다({len(items)}개, 최대 {sr.QUESTIONS_MAX}개).")
    seen: dict[str, sr.Question | None] = {}
    result: list[sr.Question] = []
    ok = True
    for number, (item, line) in enumerate(zip(items, items.item_lines), start=1):
        q = _question(item, line, number, seen, errors)
        ok = ok and q is not None
        if q is not None:
            result.append(q)
    return result if ok else None


def _question(item: Any, line: int, number: int, seen: dict[str, sr.Question | None],
              errors: _Errors) -> sr.Question | None:
    if not isinstance(item, _Map):
        errors.add(line, f"{number}번째 질문은 id, type, text 항목으로 적어야 합니다.")
        return None
    qid = _slug(item["id"], item.value_lines["id"], "질문 id", errors) if "id" in item else None
    if "id" not in item:
        errors.add(item.line, f"{number}번째 질문에 'id'가 없습니다.")
    name = f"질문 {qid}" if qid else f"{number}번째 질문"
    if qid is not None and qid in seen:
        errors.add(item.value_lines["id"], f"질문 id '{qid}'가 이미 앞에서 쓰였습니다.")
        qid = None
    _unknown_keys(item, _QUESTION_KEYS, name, errors)
    text = _text(item, "text", name, sr.QUESTION_TEXT_MAX, errors)
    qtype = None
    if "type" not in item:
        errors.add(item.line, f"{name}에 'type'이 없습니다({_TYPES}).")
    else:
        try:
            qtype = sr.QuestionType(item["type"])
        except ValueError:
            errors.add(item.value_lines["type"], f"{name}의 type '{item['type']}'은 쓸 수 없습니다({_TYPES}).")
    required = _bool(item, "required", name, errors) if "required" in item else True
    options = max_picks = scale = None
    if qtype is not None:
        options = _options(item, name, qtype, errors)
        max_picks = _max_picks(item, name, qtype, options, errors)
        scale = _scale(item, name, qtype, errors)
    show_if = _show_if(item, name, seen, errors) if "show_if" in item else None
    if qid is not None:
        seen[qid] = None
    if None in (qid, text, qtype, required, options, scale) or max_picks is False or show_if is False:
        return None
    q = sr.Question(id=qid, type=qtype, text=text, options=tuple(options), max_picks=max_picks or None,
                    scale_min=scale[0], scale_max=scale[1], min_label=scale[2], max_label=scale[3],
                    required=bool(required), show_if=show_if or None)
    seen[qid] = q
    return q


def _options(item: _Map, name: str, qtype: sr.QuestionType, errors: _Errors) -> list[sr.Option] | None:
    if not qtype.is_choice:
        if "options" in item:
            errors.add(item.key_lines["options"], f"{attach(name, '은/는')} 선택형이 아니어서 options를 쓸 수 없습니다.")
            return None
        return []
    raw = item.get("options")
    if not isinstance(raw, _Seq) or not raw:
        errors.add(item.value_lines.get("options", item.line), f"{name}의 선택지가 비어 있습니다.")
        return None
    ok = True
    if not sr.OPTIONS_MIN <= len(raw) <= sr.OPTIONS_MAX:
        errors.add(raw.line, f"{name}의 선택지는 {sr.OPTIONS_MIN}~{sr.OPTIONS_MAX}개여야 합니다(지금 {len(raw)}개).")
        ok = False
    options: list[sr.Option] = []
    ids: set[str] = set()
    labels: set[str] = set()
    for opt, line in zip(raw, raw.item_lines):
        if not isinstance(opt, _Map):
            errors.add(line, f"{name}의 선택지는 id와 label로 적어야 합니다(예: {{id: good, label: 좋아요}}).")
            ok = False
            continue
        _unknown_keys(opt, {"id", "label"}, f"{name}의 선택지", errors)
        oid = _slug(opt["id"], opt.value_lines["id"], "선택지 id", errors) if "id" in opt else None
        if "id" not in opt:
            errors.add(opt.line, f"{name}의 선택지에 'id'가 없습니다.")
        label = _text(opt, "label", f"{name}의 선택지", sr.OPTION_LABEL_MAX, errors)
        if oid is not None and oid in ids:
            errors.add(opt.value_lines["id"], f"{name}의 선택지 id '{oid}'가 두 번 있습니다.")
            oid = None
        if label is not None and label in labels:
            errors.add(opt.value_lines["label"], f"{name}의 선택지 '{label}'{josa(label, '이/가')} 두 번 있습니다.")
            label = None
        if oid is None or label is None:
            ok = False
            continue
        ids.add(oid)
        labels.add(label)
        options.append(sr.Option(oid, label))
    return options if ok else None


def _max_picks(item: _Map, name: str, qtype: sr.QuestionType | None, options: list | None,
               errors: _Errors) -> int | None | bool:
    """The cap for a multi question (default: all options); False = invalid."""
    if "max_picks" not in item:
        return len(options) if qtype is sr.QuestionType.multi and options else None
    if qtype is not sr.QuestionType.multi:
        errors.add(item.key_lines["max_picks"], f"{attach(name, '은/는')} 복수 선택(multi)이 아니어서 max_picks를 쓸 수 없습니다.")
        return False
    value = _int(item, "max_picks", name, errors, 1, len(options) if options else sr.OPTIONS_MAX)
    return False if value is None else value


def _scale(item: _Map, name: str, qtype: sr.QuestionType | None,
           errors: _Errors) -> tuple[int | None, int | None, str | None, str | None] | None:
    if qtype is not sr.QuestionType.scale:
        if "scale" in item:
            errors.add(item.key_lines["scale"], f"{attach(name, '은/는')} 척도(scale) 질문이 아니어서 scale을 쓸 수 없습니다.")
            return None
        return (None, None, None, None)
    raw = item.get("scale")
    if raw is None:
        return (1, 5, None, None)
    if not isinstance(raw, _Map):
        errors.add(item.value_lines["scale"], f"{name}의 scale은 min, max, min_label, max_label로 적어 주세요.")
        return None
    _unknown_keys(raw, {"min", "max", "min_label", "max_label"}, f"{name}의 scale", errors)
    lo, hi = raw.get("min", 1), raw.get("max", 5)
    if (lo, hi) not in sr.SCALE_RANGES or isinstance(lo, bool) or isinstance(hi, bool):
        allowed = " 또는 ".join(f"{a}~{b}" for a, b in sr.SCALE_RANGES)
        errors.add(raw.line, f"{name}의 척도는 {allowed}만 쓸 수 있습니다(지금 {lo}~{hi}).")
        return None
    labels = [_text(raw, key, f"{name}의 scale", sr.SCALE_LABEL_MAX, errors, required=False)
              for key in ("min_label", "max_label")]
    if any(key in raw and label is None for key, label in zip(("min_label", "max_label"), labels)):
        return None
    return (lo, hi, labels[0], labels[1])


def _show_if(item: _Map, name: str, seen: dict[str, sr.Question | None],
             errors: _Errors) -> sr.Condition | bool:
    """The condition, or False when it is invalid."""
    raw = item["show_if"]
    line = item.value_lines["show_if"]
    if not isinstance(raw, _Map) or "question" not in raw or ("equals" in raw) == ("in" in raw):
        errors.add(line, f"{name}의 show_if는 question과 equals(또는 in: [...]) 중 하나로 적어 주세요.")
        return False
    _unknown_keys(raw, {"question", "equals", "in"}, f"{name}의 show_if", errors)
    ref = str(raw["question"])
    qline = raw.value_lines["question"]
    if ref not in seen:
        errors.add(qline, f"{name}의 show_if는 앞에 나온 질문만 가리킬 수 있습니다('{ref}'는 앞에 없습니다).")
        return False
    target = seen[ref]
    if target is None:
        return False  # the earlier question is itself invalid and already reported
    if not (target.type.is_choice or target.type is sr.QuestionType.scale):
        errors.add(qline, f"{name}의 show_if가 가리키는 질문 {attach(ref, '은/는')} 선택형(single, multi)이나 척도(scale)여야 합니다.")
        return False
    key = "equals" if "equals" in raw else "in"
    values = raw[key] if key == "in" else [raw[key]]
    vline = raw.value_lines[key]
    if not isinstance(values, list) or not values:
        errors.add(vline, f"{name}의 show_if의 in에는 선택지 id 목록을 적어 주세요(예: [a, b]).")
        return False
    if target.type is sr.QuestionType.scale:
        bad = [str(v) for v in values if isinstance(v, bool) or v not in target.scale_values]
    else:
        bad = [str(v) for v in values if target.option(str(v)) is None]
    if bad:
        errors.add(vline, f"{name}의 show_if: 질문 {ref}에 선택지 {attach(', '.join(bad), '이/가')} 없습니다.")
        return False
    return sr.Condition(ref, tuple(dict.fromkeys(str(v) for v in values)))
