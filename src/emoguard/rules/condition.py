"""Compile rule selections and condition strings into plain Python callables.

A selection is a mapping ``feature|modifier...: value(s)``; every item must
match (AND); a list of mappings means any of them (OR). A condition combines
selection names with ``and``, ``or``, ``not`` and parentheses. Compiling
happens once, at load; evaluation only calls closures. Matched values are
collected so the hit can name the concrete thing (habit 7).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from emoguard.features.registry import Features

Matches = list[tuple[str, str]]
Matcher = Callable[[Features, Matches], bool]


class CompileError(ValueError):
    """A problem in one rule; ``line`` points into the rule file when known."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def _as_text(v: Any) -> str:
    return v if isinstance(v, str) else str(v)


# --- value tests -----------------------------------------------------------
# Each takes the compiled expected values and returns a test of one scalar value.


def _t_eq(values: Sequence[Any], nocase: bool) -> Callable[[Any], bool]:
    if nocase:
        vs = {_as_text(v).casefold() for v in values}
        return lambda x: _as_text(x).casefold() in vs
    vset = set(values)
    return lambda x: x in vset


def _t_str(op: str) -> Callable[[Sequence[Any], bool], Callable[[Any], bool]]:
    def build(values: Sequence[Any], nocase: bool) -> Callable[[Any], bool]:
        vs = tuple(_as_text(v).casefold() if nocase else _as_text(v) for v in values)
        norm: Callable[[Any], str] = (
            (lambda x: _as_text(x).casefold()) if nocase else _as_text
        )
        if op == "contains":
            return lambda x: any(v in norm(x) for v in vs)
        if op == "startswith":
            return lambda x: norm(x).startswith(vs)
        return lambda x: norm(x).endswith(vs)

    return build


def _t_re(values: Sequence[Any], nocase: bool) -> Callable[[Any], bool]:
    flags = re.IGNORECASE if nocase else 0
    try:
        pat = re.compile("|".join(f"(?:{_as_text(v)})" for v in values), flags)
    except re.error as e:
        raise CompileError(f"bad regular expression: {e}") from e
    return lambda x: pat.search(_as_text(x)) is not None


def _t_num(op: str) -> Callable[[Sequence[Any], bool], Callable[[Any], bool]]:
    def build(values: Sequence[Any], nocase: bool) -> Callable[[Any], bool]:
        if len(values) != 1 or isinstance(values[0], bool) or not isinstance(
            values[0], int | float
        ):
            raise CompileError(f"modifier '{op}' takes one number")
        n = float(values[0])
        ops: dict[str, Callable[[Any], bool]] = {
            "gt": lambda x: x > n,
            "gte": lambda x: x >= n,
            "lt": lambda x: x < n,
            "lte": lambda x: x <= n,
        }
        return ops[op]

    return build


# The modifier registry (habit 8): names users write in rule files.
VALUE_TESTS: dict[str, Callable[[Sequence[Any], bool], Callable[[Any], bool]]] = {
    "eq": _t_eq,
    "contains": _t_str("contains"),
    "startswith": _t_str("startswith"),
    "endswith": _t_str("endswith"),
    "re": _t_re,
    "gt": _t_num("gt"),
    "gte": _t_num("gte"),
    "lt": _t_num("lt"),
    "lte": _t_num("lte"),
}
FLAG_MODIFIERS = {"nocase", "list", "count"}
MODIFIERS = sorted([*VALUE_TESTS, *FLAG_MODIFIERS, "exists"])


def compile_item(
    feature: str,
    ftype: str,
    modifiers: Sequence[str],
    value: Any,
    lists: Mapping[str, tuple[str, ...]],
) -> Matcher:
    """One ``feature|mods: value`` item -> a matcher recording what matched."""
    mods = list(modifiers)
    nocase = "nocase" in mods
    use_list = "list" in mods
    count = "count" in mods
    tests = [m for m in mods if m in VALUE_TESTS or m == "exists"]
    if len(tests) > 1:
        raise CompileError(f"{feature}: only one of {', '.join(tests)} may be given")
    op = tests[0] if tests else "eq"

    if op == "exists":
        if not isinstance(value, bool):
            raise CompileError(f"{feature}|exists takes true or false")
        want = value

        def m_exists(fx: Features, out: Matches) -> bool:
            v = fx[feature]
            ok = bool(v) is want
            if ok and want:
                for x in v if isinstance(v, tuple) else (v,):
                    out.append((feature, _as_text(x)))
            return ok

        return m_exists

    values: list[Any] = list(value) if isinstance(value, list) else [value]
    if use_list:
        names = values
        values = []
        for name in names:
            if name not in lists:
                raise CompileError(f"unknown list '{name}'" + _suggest(str(name), lists))
            values.extend(lists[name])
    if not values:
        raise CompileError(f"{feature}: no values to compare with")
    test = VALUE_TESTS[op](values, nocase)
    is_list = ftype == "list"

    if count:
        if op not in {"gt", "gte", "lt", "lte", "eq"}:
            raise CompileError(f"{feature}|count needs a numeric comparison")

        def m_count(fx: Features, out: Matches) -> bool:
            v = fx[feature]
            n = len(v) if isinstance(v, tuple | str) else int(bool(v))
            if test(n):
                out.append((feature, str(n)))
                return True
            return False

        return m_count

    if is_list:

        def m_list(fx: Features, out: Matches) -> bool:
            hit = False
            for x in fx[feature]:
                if test(x):
                    out.append((feature, _as_text(x)))
                    hit = True
            return hit

        return m_list

    def m_scalar(fx: Features, out: Matches) -> bool:
        x = fx[feature]
        if test(x):
            if not isinstance(x, bool):
                out.append((feature, _as_text(x)))
            return True
        return False

    return m_scalar


def all_of(matchers: Sequence[Matcher]) -> Matcher:
    def m(fx: Features, out: Matches) -> bool:
        mark = len(out)
        for sub in matchers:
            if not sub(fx, out):
                del out[mark:]
                return False
        return True

    return m


def any_of(matchers: Sequence[Matcher]) -> Matcher:
    def m(fx: Features, out: Matches) -> bool:
        hit = False
        for sub in matchers:
            hit = sub(fx, out) or hit
        return hit

    return m


def not_(matcher: Matcher) -> Matcher:
    def m(fx: Features, out: Matches) -> bool:
        return not matcher(fx, [])

    return m


# --- condition strings -------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\()|(\))|([A-Za-z_][A-Za-z0-9_]*))")


def compile_condition(text: str, selections: dict[str, Matcher]) -> Matcher:
    """``a and not (b or c)`` -> one matcher. Precedence: not > and > or."""
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise CompileError(f"condition: cannot read {text[pos:pos + 20]!r}")
        tokens.append(m.group(1) or m.group(2) or m.group(3))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        raise CompileError("condition is empty")
    i = 0

    def peek() -> str | None:
        return tokens[i] if i < len(tokens) else None

    def take() -> str:
        nonlocal i
        if i >= len(tokens):
            raise CompileError("condition ends too early")
        i += 1
        return tokens[i - 1]

    def p_or() -> Matcher:
        parts = [p_and()]
        while peek() == "or":
            take()
            parts.append(p_and())
        return parts[0] if len(parts) == 1 else any_of(parts)

    def p_and() -> Matcher:
        parts = [p_not()]
        while peek() == "and":
            take()
            parts.append(p_not())
        return parts[0] if len(parts) == 1 else all_of(parts)

    def p_not() -> Matcher:
        if peek() == "not":
            take()
            return not_(p_not())
        return p_atom()

    def p_atom() -> Matcher:
        t = take()
        if t == "(":
            inner = p_or()
            if take() != ")":
                raise CompileError("condition: missing ')'")
            return inner
        if t in {")", "and", "or", "not"}:
            raise CompileError(f"condition: unexpected '{t}'")
        if t not in selections:
            raise CompileError(f"condition: unknown selection '{t}'" + _suggest(t, selections))
        return selections[t]

    result = p_or()
    if i != len(tokens):
        raise CompileError(f"condition: unexpected '{tokens[i]}'")
    return result


def condition_names(text: str) -> set[str]:
    return {t for t in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text) if t not in {"and", "or", "not"}}


def _suggest(name: str, known: Any) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""


suggest = _suggest
