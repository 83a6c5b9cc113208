"""Subject features: reply/forward markers and the subject's base text."""

from __future__ import annotations

import re

from emoguard.contacts.normalize import PERSON_HONORIFICS, strip_honorifics
from emoguard.features.registry import Features, feature

# Reply and forward prefixes as written by Japanese and Western clients, in
# ASCII or full width, repeated ("RE: RE: Fwd:"), with optional counters ("Re[2]:").
_REPLY = r"(?:re|ｒｅ|aw|sv|vs|返信|回答)"
_FWD = r"(?:fwd?|ｆｗｄ?|wg|tr|転送)"
_PREFIX = re.compile(
    rf"^\s*(?:(?P<r>{_REPLY})|(?P<f>{_FWD}))\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*", re.IGNORECASE
)
_BRACKET_TAG = re.compile(r"^\s*(?:\[[^\]]{1,40}\]|【[^】]{1,40}】)\s*")


def _strip(subject: str) -> tuple[str, bool, bool]:
    s, reply, fwd = subject, False, False
    for _ in range(20):
        m = _PREFIX.match(s)
        if not m:
            t = _BRACKET_TAG.match(s)
            if t and _PREFIX.match(s[t.end() :]):
                s = s[t.end() :]
                continue
            break
        reply |= m.group("r") is not None
        fwd |= m.group("f") is not None
        s = s[m.end() :]
    return s.strip(), reply, fwd


@feature("subject.text", type="str")
def text(fx: Features) -> str:
    """The decoded subject, whitespace-normalised."""
    return " ".join(fx.message.subject.split())


@feature("subject.is_reply", type="bool")
def is_reply(fx: Features) -> bool:
    """Subject starts with a reply marker (RE:, Re[2]:, ＲＥ：, 返信:, AW: …)."""
    return _strip(fx["subject.text"])[1]


@feature("subject.is_forward", type="bool")
def is_forward(fx: Features) -> bool:
    """Subject starts with a forward marker (Fwd:, FW:, 転送: …)."""
    return _strip(fx["subject.text"])[2]


@feature("subject.base", type="str")
def base(fx: Features) -> str:
    """The subject without reply/forward prefixes."""
    return _strip(fx["subject.text"])[0]


def _norm_name(s: str) -> str:
    return strip_honorifics(re.sub(r"[\s\u3000]+", "", s), PERSON_HONORIFICS).casefold()


@feature("subject.base_is_recipient_name", type="list")
def base_is_recipient_name(fx: Features) -> tuple[str, ...]:
    """Recipient display names equal to the subject base (``RE: 田中 太郎``; INDICATORS b4)."""
    base_n = _norm_name(fx["subject.base"])
    if not base_n:
        return ()
    m = fx.message
    names = [*fx.context.recipient_names, *(a.name for a in (*m.to, *m.cc) if a.name)]
    return tuple(dict.fromkeys(n for n in names if n.strip() and _norm_name(n) == base_n))


@feature("subject.base_is_sender_name", type="bool")
def base_is_sender_name(fx: Features) -> bool:
    """The subject base equals the From display name."""
    base_n = _norm_name(fx["subject.base"])
    return bool(base_n) and base_n == _norm_name(fx["sender.name"])


# An IME slip: a half-width romaji consonant left standing before the vowel kana it should
# have become part of (「アンケートwお」 for 「アンケートを」), glued inside Japanese text.
_ROMAJI_SLIP = re.compile(r"(?<=[\u3041-\u30ff\u4e00-\u9fff])[bcdfghjklmnpqrstvwxyz](?=[あいうえお])")


@feature("subject.garbled_japanese", type="list")
def garbled_japanese(fx: Features) -> tuple[str, ...]:
    """Machine-garbled Japanese in the subject: a stray half-width romaji consonant glued
    between Japanese characters before a vowel kana (the seed notice's 「アンケートwお」), as
    the snippet around it. Not found once in the Japanese ham corpora."""
    s: str = fx["subject.text"]
    if s.isascii():
        return ()
    return tuple(dict.fromkeys(s[max(0, m.start() - 6) : m.end() + 3] for m in _ROMAJI_SLIP.finditer(s)))[:5]
