"""The condition compiler: precedence, modifiers, and what gets recorded as matched."""

from __future__ import annotations

from typing import Any

import pytest

from emoguard.features.registry import Features
from emoguard.model import Context, Message
from emoguard.rules.condition import CompileError, compile_condition, compile_item


class FakeFeatures(Features):
    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(Message(), Context())
        self._cache.update(values)


def m(name: str, val: bool):  # type: ignore[no-untyped-def]
    return compile_item(name, "bool", [], val, {})


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ("a and b or c", True),
        ("a and (b or c)", False),
        ("not a or c", True),
        ("not (a or c)", False),
        ("not a and b and c", True),
        ("a and not b and c", False),
        ("not not a", False),
    ],
)
def test_precedence(cond: str, expected: bool) -> None:
    fx = FakeFeatures({"f.a": False, "f.b": True, "f.c": True})
    sels = {"a": m("f.a", True), "b": m("f.b", True), "c": m("f.c", True)}
    assert compile_condition(cond, sels)(fx, []) is expected


@pytest.mark.parametrize("cond", ["", "a and", "(a", "a b", "a or or b", ")"])
def test_bad_conditions(cond: str) -> None:
    with pytest.raises(CompileError):
        compile_condition(cond, {"a": m("f.a", True), "b": m("f.a", True)})


def test_list_feature_records_every_matching_element() -> None:
    fx = FakeFeatures({"attachments.names": ("a.doc", "b.pdf", "c.DOC")})
    item = compile_item("attachments.names", "list", ["endswith", "nocase"], [".doc"], {})
    out: list[tuple[str, str]] = []
    assert item(fx, out)
    assert out == [("attachments.names", "a.doc"), ("attachments.names", "c.DOC")]


def test_not_does_not_leak_evidence_and_and_rolls_back() -> None:
    fx = FakeFeatures({"x.names": ("evil",), "x.flag": False})
    names = compile_item("x.names", "list", ["contains"], "evil", {})
    flag = compile_item("x.flag", "bool", [], True, {})
    out: list[tuple[str, str]] = []
    assert not compile_condition("n and f", {"n": names, "f": flag})(fx, out)
    assert out == []
    assert compile_condition("not n or not f", {"n": names, "f": flag})(fx, out)
    assert out == []


def test_numeric_count_and_list_modifiers() -> None:
    fx = FakeFeatures({"body.new_text_length": 12, "body.opening": ("協力会社各位", "いつも")})
    short = compile_item("body.new_text_length", "int", ["lt"], 30, {})
    assert short(fx, [])
    sal = compile_item("body.opening", "list", ["startswith", "list"], "sal", {"sal": ("協力会社各位",)})
    out: list[tuple[str, str]] = []
    assert sal(fx, out) and out == [("body.opening", "協力会社各位")]
    cnt = compile_item("body.opening", "list", ["count", "gte"], 2, {})
    assert cnt(fx, [])
    with pytest.raises(CompileError):
        compile_item("body.new_text_length", "int", ["gt"], "many", {})
    with pytest.raises(CompileError):
        compile_item("body.opening", "list", ["contains", "re"], "x", {})
