"""Body features: the text a reader sees, its new part, openings, password lines."""

from __future__ import annotations

import re

from emoguard.features.registry import Features, feature

# Where a quoted (older) message starts. Japanese clients write
# "-----Original Message-----", "差出人:", "送信者:", or "2020/09/01 10:00、山田 wrote:".
_QUOTE_START = re.compile(
    r"^(?:>|＞|-{2,}\s*(?:original message|元のメッセージ|転送されたメッセージ|forwarded message)"
    r"|_{10,}$|(?:from|差出人|送信者|送信元)\s*[:：]\s*\S|on .{4,200}wrote:\s*$"
    r"|.{4,120}(?:wrote|書きました)[:：]?\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
_ADDR = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")

# A password announcement: a keyword, a separator, then a token of password shape.
# Strong keywords may be followed by a bare space ("パスワード Xk3pq9Ld"); short,
# ambiguous ones ("pass", "パス") only by an explicit separator ("pass: ...").
_SP = r"[ \t\u3000]"
_PW_STRONG = (
    r"(?:パスワード|ﾊﾟｽﾜｰﾄﾞ|暗証番号|解凍(?:用)?(?:キー|パス|番号)?|暗号(?:化)?キー|"
    r"PW|ＰＷ|P/W|password|passwort|passcode|pwd|kennwort|senha|contraseña)"
)
_PW_WEAK = r"(?:pass|パス)"
_PW_TOKEN = rf"{_SP}*[「『\"'(（\[]?{_SP}*(?P<pw>[A-Za-z0-9!#$%&*+\-./=?@^_~]{{4,40}})"
_PW_LINE = re.compile(
    rf"(?:{_PW_STRONG}{_SP}*(?:は|：|:|=|＝|\bis\b|-|{_SP})|{_PW_WEAK}{_SP}*(?:：|:|=|＝)){_PW_TOKEN}",
    re.IGNORECASE,
)


@feature("body.text", type="str")
def text(fx: Features) -> str:
    """Body text as read: text/plain, or the HTML part converted to text."""
    m = fx.message
    if m.text.strip():
        return m.text
    if m.html:
        from emoguard.parse import html_to_text

        return html_to_text(m.html)
    return ""


@feature("body.new_text", type="str")
def new_text(fx: Features) -> str:
    """The part of the body above any quoted earlier message."""
    t: str = fx["body.text"]
    q = _QUOTE_START.search(t)
    return t[: q.start()] if q else t


@feature("body.has_quote", type="bool")
def has_quote(fx: Features) -> bool:
    """The body quotes an earlier message (a thread)."""
    t: str = fx["body.text"]
    return len(t) != len(fx["body.new_text"])


@feature("body.new_text_length", type="int")
def new_text_length(fx: Features) -> int:
    """Characters of new (unquoted) text, whitespace excluded."""
    return sum(1 for c in fx["body.new_text"] if not c.isspace())


@feature("body.opening", type="list")
def opening(fx: Features) -> tuple[str, ...]:
    """The first three non-empty lines of the new text, stripped."""
    out: list[str] = []
    for line in fx["body.new_text"].splitlines():
        s = line.strip(" \t\u3000")
        if s:
            out.append(s)
            if len(out) == 3:
                break
    return tuple(out)


@feature("body.lines", type="list")
def lines(fx: Features) -> tuple[str, ...]:
    """Non-empty lines of the new text, stripped (at most 400)."""
    out = [s for line in fx["body.new_text"].splitlines()[:2000] if (s := line.strip(" \t\u3000"))]
    return tuple(out[:400])


@feature("body.password_announcements", type="list")
def password_announcements(fx: Features) -> tuple[str, ...]:
    """Lines announcing a password (パスワード: X, PW：X, Password is X; INDICATORS b6)."""
    text: str = fx["body.text"][:300_000]
    found: dict[str, None] = {}
    for m in _PW_LINE.finditer(text):  # one pass over the text, not one per line
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        line = text[start : end if end >= 0 else len(text)][:400]
        found.setdefault(line.strip(" \t\u3000>\r"), None)
        if len(found) == 10:
            break
    return tuple(found)


@feature("body.passwords", type="list")
def passwords(fx: Features) -> tuple[str, ...]:
    """Password candidates taken from the announcements, in order."""
    out = []
    for line in fx["body.password_announcements"]:
        m = _PW_LINE.search(line)
        if m:
            out.append(m.group("pw"))
    return tuple(dict.fromkeys(out))


@feature("body.addresses", type="list")
def addresses(fx: Features) -> tuple[str, ...]:
    """E-mail addresses written anywhere in the body text, lower-cased."""
    return tuple(dict.fromkeys(a.lower() for a in _ADDR.findall(fx["body.text"][:200_000])))
