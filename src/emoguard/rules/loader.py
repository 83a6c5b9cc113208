"""Load rule and list files, check them, and compile them (DESIGN 3.2).

Every problem is reported as ``path:line: message`` and all problems of a
load are collected before failing (habit 5), so ``emoguard rules validate``
shows the whole list at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from emoguard.features.registry import REGISTRY, Features, Registry
from emoguard.model import Hit
from emoguard.rules.condition import (
    MODIFIERS,
    CompileError,
    Matcher,
    Matches,
    all_of,
    any_of,
    compile_condition,
    compile_item,
    condition_names,
    suggest,
)
from emoguard.rules.yamlsrc import LineDict, line_of, load_yaml

RULE_KEYS = {
    "id", "title", "description", "score", "group", "tags", "references",
    "detection", "condition", "evidence", "enabled",
}  # fmt: skip
REQUIRED_KEYS = ("id", "title", "score", "group", "detection", "condition")
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
EVIDENCE_MAX = 300


class RuleLoadError(Exception):
    """Raised with every problem found in a load (``problems``: 'file:line: msg')."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def builtin_rules_dir() -> Path:
    return Path(str(resources.files("emoguard.rules")))


@dataclass(frozen=True, slots=True)
class Rule:
    """A compiled rule. ``evaluate`` returns a Hit or None; it never raises."""

    id: str
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    score: float
    group: str
    tags: tuple[str, ...]
    references: tuple[str, ...]
    path: str
    line: int
    features: tuple[str, ...]
    matcher: Matcher = field(repr=False)
    evidence_en: str = ""
    evidence_ja: str = ""

    def evaluate(self, fx: Features) -> Hit | None:
        out: Matches = []
        if not self.matcher(fx, out):
            return None
        return Hit(
            rule=self.id,
            score=self.score,
            evidence=_render(self.evidence_en, fx, out),
            evidence_ja=_render(self.evidence_ja or self.evidence_en, fx, out),
            title_ja=self.title_ja,
            title_en=self.title_en,
            tags=self.tags,
            group=self.group,
        )


def _fmt(v: Any) -> str:
    if isinstance(v, tuple | list):
        s = ", ".join(str(x) for x in v)
    else:
        s = str(v)
    return s if len(s) <= EVIDENCE_MAX else s[: EVIDENCE_MAX - 1] + "…"


def _render(template: str, fx: Features, out: Matches) -> tuple[str, ...]:
    """Evidence strings: one per distinct match when the template says {match}."""
    matched = list(dict.fromkeys(v for _, v in out))
    if not template:
        return tuple(dict.fromkeys(f"{f}: {_fmt(v)}" for f, v in out))[:20] or ("matched",)

    def fill(match: str) -> str:
        def sub(m: re.Match[str]) -> str:
            key = m.group(1)
            if key == "match":
                return _fmt(match)
            try:
                return _fmt(fx[key])
            except KeyError:
                return m.group(0)

        return _PLACEHOLDER.sub(sub, template)

    if "{match}" in template:
        return tuple(dict.fromkeys(fill(v) for v in matched))[:20] or (fill(""),)
    return (fill(", ".join(matched)),)


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    lists: Mapping[str, tuple[str, ...]]

    def by_id(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None


def load_lists(
    dirs: Iterable[Path], extra: Mapping[str, Sequence[str]] | None, problems: list[str]
) -> dict[str, tuple[str, ...]]:
    """Word lists (``lists/*.yml``: ``items: [...]``); site config adds items."""
    lists: dict[str, list[str]] = {}
    for d in dirs:
        ldir = d / "lists"
        if not ldir.is_dir():
            continue
        for path in sorted(ldir.glob("*.yml")):
            try:
                doc = load_yaml(path)
            except (OSError, yaml.YAMLError) as e:
                problems.append(f"{path}: {_yaml_msg(e)}")
                continue
            items = doc.get("items") if isinstance(doc, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                problems.append(f"{path}:{line_of(doc)}: a list file needs 'items:' of strings")
                continue
            lists.setdefault(path.stem, []).extend(items)
    for name, items in (extra or {}).items():
        lists.setdefault(name, []).extend(str(i) for i in items)
    return {k: tuple(dict.fromkeys(v)) for k, v in lists.items()}


def _yaml_msg(e: Exception) -> str:
    mark = getattr(e, "problem_mark", None)
    if mark is not None:
        return f"line {mark.line + 1}: YAML error: {getattr(e, 'problem', e)}"
    return f"cannot read: {e}"


def load_rules(
    dirs: Sequence[Path] | None = None,
    *,
    groups: Mapping[str, float] | None = None,
    score_overrides: Mapping[str, float] | None = None,
    disabled: Iterable[str] = (),
    extra_lists: Mapping[str, Sequence[str]] | None = None,
    registry: Registry = REGISTRY,
) -> RuleSet:
    """Load every ``<area>/*.yml`` rule under ``dirs`` (built-ins first).

    Raises :class:`RuleLoadError` listing every problem when any is found.
    """
    import emoguard.features  # noqa: F401 - registers the built-in features

    dirs = list(dirs) if dirs is not None else [builtin_rules_dir()]
    problems: list[str] = []
    lists = load_lists(dirs, extra_lists, problems)
    disabled_set = set(disabled)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for d in dirs:
        if not d.is_dir():
            problems.append(f"{d}: rule directory does not exist")
            continue
        for path in sorted(d.rglob("*.yml")):
            if "lists" in path.relative_to(d).parts:
                continue
            rule = _load_one(path, registry, lists, groups, problems)
            if rule is None:
                continue
            if rule.id in seen:
                problems.append(f"{path}:{rule.line}: rule id '{rule.id}' also in {seen[rule.id]}")
                continue
            seen[rule.id] = f"{path}:{rule.line}"
            if rule.id in disabled_set:
                continue
            if score_overrides and rule.id in score_overrides:
                rule = _replace_score(rule, float(score_overrides[rule.id]))
            rules.append(rule)
    for rid in [*(score_overrides or {}), *disabled_set]:
        if rid not in seen:
            problems.append(f"config: unknown rule id '{rid}'" + suggest(rid, seen))
    if problems:
        raise RuleLoadError(problems)
    return RuleSet(tuple(rules), lists)


def _replace_score(rule: Rule, score: float) -> Rule:
    from dataclasses import replace

    return replace(rule, score=score)


def _bilingual(doc: LineDict, key: str, path: Path, problems: list[str], required: bool) -> tuple[str, str]:
    v = doc.get(key)
    if v is None:
        if required:
            problems.append(f"{path}:{doc.line}: missing '{key}'")
        return "", ""
    if isinstance(v, str):
        problems.append(f"{path}:{line_of(doc, key)}: '{key}' needs both 'ja' and 'en'")
        return v, v
    if not isinstance(v, dict) or not isinstance(v.get("ja"), str) or not isinstance(v.get("en"), str):
        problems.append(f"{path}:{line_of(doc, key)}: '{key}' needs both 'ja' and 'en' strings")
        return "", ""
    return v["ja"].strip(), v["en"].strip()


def _load_one(
    path: Path,
    registry: Registry,
    lists: Mapping[str, tuple[str, ...]],
    groups: Mapping[str, float] | None,
    problems: list[str],
) -> Rule | None:
    try:
        doc = load_yaml(path)
    except (OSError, yaml.YAMLError) as e:
        problems.append(f"{path}: {_yaml_msg(e)}")
        return None
    if not isinstance(doc, LineDict):
        problems.append(f"{path}:1: a rule file must be a mapping")
        return None
    before = len(problems)
    for key in doc:
        if key not in RULE_KEYS:
            problems.append(f"{path}:{line_of(doc, key)}: unknown key '{key}'" + suggest(str(key), RULE_KEYS))
    for key in REQUIRED_KEYS:
        if key not in doc:
            problems.append(f"{path}:{doc.line}: missing '{key}'")
    rid = doc.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        problems.append(f"{path}:{line_of(doc, 'id')}: id must look like 'area.name' (got {rid!r})")
        rid = str(rid)
    title_ja, title_en = _bilingual(doc, "title", path, problems, True)
    desc_ja, desc_en = _bilingual(doc, "description", path, problems, False)
    ev_ja, ev_en = _bilingual(doc, "evidence", path, problems, False)
    score = doc.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float):
        problems.append(f"{path}:{line_of(doc, 'score')}: score must be a number")
        score = 0.0
    group = doc.get("group")
    if not isinstance(group, str):
        problems.append(f"{path}:{line_of(doc, 'group')}: group must be a name")
        group = ""
    elif groups is not None and group not in groups:
        problems.append(f"{path}:{line_of(doc, 'group')}: unknown group '{group}'" + suggest(group, groups))
    tags = doc.get("tags", [])
    refs = doc.get("references", [])
    if not isinstance(tags, list) or not isinstance(refs, list):
        problems.append(f"{path}:{doc.line}: tags and references must be lists")
        tags, refs = [], []

    used: list[str] = []
    selections: dict[str, Matcher] = {}
    detection = doc.get("detection")
    if not isinstance(detection, LineDict) or not detection:
        if "detection" in doc:
            problems.append(f"{path}:{line_of(doc, 'detection')}: detection must map selection names to items")
    else:
        for name, body in detection.items():
            m = _compile_selection(path, detection, name, body, registry, lists, used, problems)
            if m is not None:
                selections[str(name)] = m
    cond = doc.get("condition")
    matcher: Matcher | None = None
    if not isinstance(cond, str):
        if "condition" in doc:
            problems.append(f"{path}:{line_of(doc, 'condition')}: condition must be a string")
    elif isinstance(detection, dict) and len(selections) == len(detection):
        try:
            matcher = compile_condition(cond, selections)
        except CompileError as e:
            problems.append(f"{path}:{line_of(doc, 'condition')}: {e}")
        unused = set(selections) - condition_names(cond)
        for name in sorted(unused):
            problems.append(f"{path}:{line_of(detection, name)}: selection '{name}' is not used in the condition")
    for lang_tpl in (ev_ja, ev_en):
        for ph in _PLACEHOLDER.findall(lang_tpl):
            if ph != "match" and ph not in registry:
                problems.append(
                    f"{path}:{line_of(doc, 'evidence')}: unknown feature '{ph}' in evidence"
                    + suggest(ph, registry.names())
                )
    if len(problems) > before or matcher is None:
        return None
    return Rule(
        id=rid, title_ja=title_ja, title_en=title_en, description_ja=desc_ja,
        description_en=desc_en, score=float(score), group=group,
        tags=tuple(str(t) for t in tags), references=tuple(str(r) for r in refs),
        path=str(path), line=doc.line, features=tuple(dict.fromkeys(used)),
        matcher=matcher, evidence_en=ev_en, evidence_ja=ev_ja,
    )  # fmt: skip


def _compile_selection(
    path: Path,
    detection: LineDict,
    name: Any,
    body: Any,
    registry: Registry,
    lists: Mapping[str, tuple[str, ...]],
    used: list[str],
    problems: list[str],
) -> Matcher | None:
    line = line_of(detection, name)
    if not isinstance(name, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) or name in {
        "and", "or", "not"
    }:
        problems.append(f"{path}:{line}: bad selection name {name!r}")
        return None
    alternatives = body if isinstance(body, list) else [body]
    compiled: list[Matcher] = []
    for alt in alternatives:
        if not isinstance(alt, LineDict) or not alt:
            problems.append(f"{path}:{line}: selection '{name}' must be a mapping (or a list of mappings)")
            return None
        items: list[Matcher] = []
        for key, value in alt.items():
            kline = line_of(alt, key)
            fname, *mods = str(key).split("|")
            spec = registry.get(fname)
            if spec is None:
                problems.append(
                    f"{path}:{kline}: unknown feature '{fname}'" + suggest(fname, registry.names())
                )
                continue
            bad = [m for m in mods if m not in MODIFIERS]
            if bad:
                problems.append(
                    f"{path}:{kline}: unknown modifier '{bad[0]}'" + suggest(bad[0], MODIFIERS)
                )
                continue
            used.append(fname)
            try:
                items.append(compile_item(fname, spec.type, mods, value, lists))
            except CompileError as e:
                problems.append(f"{path}:{kline}: {e}")
        if len(items) != len(alt):
            return None
        compiled.append(items[0] if len(items) == 1 else all_of(items))
    return compiled[0] if len(compiled) == 1 else any_of(compiled)
