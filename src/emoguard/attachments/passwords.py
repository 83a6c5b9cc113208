"""Password candidates for encrypted attachments, taken from the mail itself.

Emotet (2020-2022) and Japanese PPAP mail put the zip password in the same mail
(INDICATORS b6/c3): 「パスワード: Xk3pq9Ld」, ``PW：…``, ``Password is …``, 解凍キー…, or the
bare token on the line after the keyword. Candidates come, in this order, from

1. tokens after a password keyword in the body, the subject, other text parts;
2. the token on the line after a keyword that stands alone on its line;
3. other tokens of password shape (letters *and* digits, 4-32 characters) in those texts;
4. ``Context.passwords`` and the configured ``attachments.passwords``.

Each candidate records where it came from, so a finding can say "opened with password
'Xk3pq9Ld' found in the body, line 4". Tries are bounded by the caller (limits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from emoguard.model import Message

_SP = r"[ \t\u3000]"
_KEYWORD = (
    r"(?:パスワード|ﾊﾟｽﾜｰﾄﾞ|パス\s*ワード|暗証番号|解凍(?:用)?(?:キー|パス|番号|パスワード)?|"
    r"暗号(?:化)?(?:キー|パスワード)?|PW|ＰＷ|P/W|password|passwort|passcode|pwd|kennwort|"
    r"senha|contraseña|mot de passe|pass(?:word)?|パス)"
)
_TOKEN_CHARS = r"A-Za-z0-9!#$%&*+\-./=?@^_~"  # noqa: S105 - a character class, not a password
_AFTER = re.compile(
    rf"{_KEYWORD}{_SP}*(?:[(（][^)）\n]{{0,12}}[)）])?{_SP}*(?:は|：|:|=|＝|\bis\b|-|→|{_SP}){_SP}*"
    rf"[「『\"'(（\[<＜]?{_SP}*(?P<pw>[{_TOKEN_CHARS}]{{3,64}})",
    re.IGNORECASE,
)
_ALONE = re.compile(rf"^{_SP}*[【\[<＜]?{_SP}*{_KEYWORD}{_SP}*[】\]>＞]?{_SP}*[:：]?{_SP}*$", re.IGNORECASE)
_SHAPE = re.compile(rf"(?<![{_TOKEN_CHARS}])(?P<pw>[{_TOKEN_CHARS}]{{4,32}})(?![{_TOKEN_CHARS}])")
_BARE = re.compile(rf"^{_SP}*[「『\"'(（\[<＜]?{_SP}*(?P<pw>[{_TOKEN_CHARS}]{{3,64}})")
_TRAIL = ".,;:)]}>」』）】\"'"

MAX_CANDIDATES = 50
OFFICE_DEFAULT = "VelvetSweatshop"
"""The password Excel uses when a workbook is "encrypted" without one (read-only protection)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    password: str
    source: str  # "the body, line 4", "the subject", "configuration", ...
    strong: bool = True  # found next to a password keyword (vs. merely password-shaped)


def _clean(tok: str) -> str:
    return tok.rstrip(_TRAIL)


def _shaped(tok: str) -> bool:
    if "@" in tok or "://" in tok or tok.lower().startswith(("http", "www.")):
        return False
    if re.fullmatch(r"[\d\-./:]+", tok):  # dates, times, phone numbers, amounts
        return False
    has_alpha = any(c.isalpha() for c in tok)
    has_digit = any(c.isdigit() for c in tok)
    return has_alpha and has_digit


def _from_text(text: str, where: str) -> tuple[list[Candidate], list[Candidate]]:
    strong: list[Candidate] = []
    weak: list[Candidate] = []
    lines = text[:300_000].splitlines()[:5000]
    pending_alone = False
    for i, line in enumerate(lines, 1):
        src = f"{where}, line {i}" if len(lines) > 1 else where
        found_here = False
        for m in _AFTER.finditer(line):
            tok = _clean(m.group("pw"))
            if len(tok) >= 3 and tok.lower() not in {"word", "ward", "is", "the"}:
                strong.append(Candidate(tok, src))
                found_here = True
        if pending_alone and not found_here:
            m2 = _BARE.match(line)
            if m2 and line.strip():
                strong.append(Candidate(_clean(m2.group("pw")), src))
        if line.strip():
            pending_alone = bool(_ALONE.match(line))
        for m in _SHAPE.finditer(line):
            tok = _clean(m.group("pw"))
            if _shaped(tok):
                weak.append(Candidate(tok, src, strong=False))
    return strong, weak


def _other_texts(message: Message) -> Iterable[tuple[str, str]]:
    main = message.text
    for i, p in enumerate(message.parts, 1):
        if p.text and p.text is not main and p.text != main and not p.content_type.endswith("html"):
            label = f"text part {i}" + (f" ({p.filename})" if p.filename else "")
            yield p.text, label


def candidates(
    message: Message,
    *,
    body_text: str | None = None,
    extra: Sequence[tuple[str, str]] = (),
) -> tuple[Candidate, ...]:
    """Ordered, de-duplicated candidates (first source wins), at most ``MAX_CANDIDATES``.

    ``body_text`` is the body as read (the ``body.text`` feature); ``extra`` are
    (password, source) pairs from the context and configuration, tried after the mail's own.
    """
    strong: list[Candidate] = []
    weak: list[Candidate] = []
    sources: list[tuple[str, str]] = [
        (message.subject, "the subject"),
        (body_text if body_text is not None else message.text, "the body"),
        *_other_texts(message),
    ]
    for text, where in sources:
        if not text:
            continue
        s, w = _from_text(text, where)
        strong.extend(s)
        weak.extend(w)
    out: dict[str, Candidate] = {}
    for c in [*strong, *(Candidate(p, src) for p, src in extra), *weak]:
        if c.password and c.password not in out:
            out[c.password] = c
        if len(out) >= MAX_CANDIDATES:
            break
    return tuple(out.values())


__all__ = ["OFFICE_DEFAULT", "Candidate", "candidates"]
