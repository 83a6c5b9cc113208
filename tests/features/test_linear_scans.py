"""The linear-time rewrites of quadratic feature regexes give exactly the old matches (issue 9)."""

from __future__ import annotations

import random
import time

import pytest

from emoguard.features import urls
from emoguard.features.body import _PRE_DOC, _pre_doc
from emoguard.features.textscan import ADDRESS, find_addresses
from emoguard.features.urls import _ANCHOR, _HREF, _anchors, _hrefs


def _random_texts(tokens: list[str], seed: int, n: int = 5000, long: str = "y") -> list[str]:
    rnd = random.Random(seed)
    out = ["".join(rnd.choice(tokens) for _ in range(rnd.randrange(30))) for _ in range(n)]
    out += ["".join(rnd.choice([*tokens, long * rnd.randrange(3000)]) for _ in range(rnd.randrange(40)))
            for _ in range(100)]
    return out


def test_find_addresses_equals_finditer() -> None:
    for s in _random_texts(list("ab.@-_ x%+\n") + ["@a.example", "x@y.z"], seed=1):
        assert [m.span() for m in find_addresses(s)] == [m.span() for m in ADDRESS.finditer(s)], s


def test_anchors_equal_the_regex() -> None:
    toks = ["<a", "<A", " ", "href", "HREF", "=", "'", '"', ">", "</a>", "</a >", "x", "http://a.example/", "\n"]
    for s in _random_texts(toks, seed=2):
        assert list(_anchors(s)) == _ANCHOR.findall(s), s


def test_hrefs_equal_the_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(urls, "_HREF_REGEX_MAX_ANCHORS", 0)  # the linear path even for a few anchors
    toks = ["<a", "<A", " ", "href", "HREF", "=", "'", '"', ">", "</a>", "x", "http://a.example/", "=href", "<ab"]
    for s in _random_texts(toks, seed=3):
        assert list(_hrefs(s)) == _HREF.findall(s), s


def test_urls_equal_the_regex() -> None:
    toks = ["http", "HTTPS", "s", "ftp", "://", ":", "/", " ", "x", "あ", "a.example", "<", "\n", "Ftp", "httpſ", "xhttp"]
    for s in _random_texts(toks, seed=5, long="z"):
        assert list(urls._urls(s)) == urls._URL.findall(s), s


def test_pre_doc_equals_the_regex() -> None:
    toks = ["<pre", "<PRE", " ", ">", "</pre>", "</PRE", "<!DOCTYPE", "<html", "&lt;!DOCTYPE", "x", "<pre>", "<pRe >"]
    for s in _random_texts(toks, seed=4):
        m = _PRE_DOC.search(s)
        assert _pre_doc(s) == (m.group(1) if m else ""), s


@pytest.mark.parametrize(("name", "fn", "text"), [
    ("200 KB of letters (addresses)", lambda s: list(find_addresses(s)), "x" * 200_000),
    ("2 MB of '<a href=' without '>' (anchors)", lambda s: list(_anchors(s)), "<a href='" * 222_000),
    ("2 MB of '<a href=' (hrefs)", lambda s: list(_hrefs(s)), "<a href='" * 222_000),
    ("2 MB of '<a href href' (hrefs)", lambda s: list(_hrefs(s)), "<a href href " * 150_000),
    ("2 MB of '://' (urls)", lambda s: list(urls._urls(s)), "://" * 600_000),
    ("500 KB of '<pre>' (pre doc)", _pre_doc, "<pre>" * 100_000),
])
def test_hostile_text_is_linear(name: str, fn, text: str) -> None:  # type: ignore[no-untyped-def]
    t0 = time.process_time()
    fn(text)
    assert time.process_time() - t0 < 2.0, name  # the old regexes took from 5 s to minutes
