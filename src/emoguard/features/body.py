"""Body features: the text a reader sees, its new part, openings, password lines."""

from __future__ import annotations

import re

from emoguard.contacts.normalize import PERSON_HONORIFICS, strip_honorifics
from emoguard.features.registry import Features, feature
from emoguard.features.textscan import find_addresses

# Where a quoted (older) message starts. Japanese clients write
# "-----Original Message-----", "差出人:", "送信者:", or "2020/09/01 10:00、山田 wrote:".
_QUOTE_START = re.compile(
    r"^(?:>|＞|-{2,}\s*(?:original message|元のメッセージ|転送されたメッセージ|forwarded message)"
    r"|_{10,}$|(?:from|差出人|送信者|送信元)\s*[:：]\s*\S|on .{4,200}wrote:\s*$"
    r"|.{4,120}(?:wrote|書きました)[:：]?\s*$)",
    re.IGNORECASE | re.MULTILINE,
)

# A password announcement: a keyword, a separator, then a token of password shape.
# Strong keywords may be followed by a bare space ("パスワード Xk3pq9Ld"); short,
# ambiguous ones ("pass", "パス") only by an explicit separator ("pass: ...").
_SP = r"[ \t\u3000]"
_PW_STRONG = (
    r"(?:パスワード|ﾊﾟｽﾜｰﾄﾞ|暗証番号|解凍(?:用)?(?:キー|パス|番号)?|暗号(?:化)?キー|"
    r"PW|ＰＷ|P/W|password|passwort|passcode|pwd|kennwort|senha|contraseña)"
)
_PW_WEAK = r"(?:pass|パス)"
# Lower-cased prefixes: every _PW_LINE match starts with one of them (matching is tried only there).
_PW_HINTS = ("pass", "パス", "ﾊﾟｽ", "暗証", "解凍", "暗号", "pw", "ｐｗ", "p/w", "kennwort", "senha", "contraseña")
_PW_TOKEN = rf"{_SP}*[「『\"'(（\[]?{_SP}*(?P<pw>[A-Za-z0-9!#$%&*+\-./=?@^_~]{{4,40}})"
_PW_LINE = re.compile(
    rf"(?:{_PW_STRONG}{_SP}*(?:は|：|:|=|＝|\bis\b|-|{_SP})|{_PW_WEAK}{_SP}*(?:：|:|=|＝)){_PW_TOKEN}",
    re.IGNORECASE,
)


def _find_all(text: str, sub: str, limit: int = 200) -> list[int]:
    out: list[int] = []
    i = text.find(sub)
    while i >= 0 and len(out) < limit:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


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


def split_quote(text: str) -> tuple[str, str]:
    """(new text, quoted rest): the body split where a quoted earlier message starts."""
    q = _QUOTE_START.search(text)
    return (text[: q.start()], text[q.start() :]) if q else (text, "")


@feature("body.new_text", type="str")
def new_text(fx: Features) -> str:
    """The part of the body above any quoted earlier message."""
    return split_quote(fx["body.text"])[0]


@feature("body.has_quote", type="bool")
def has_quote(fx: Features) -> bool:
    """The body quotes an earlier message (a thread)."""
    t: str = fx["body.text"]
    return len(t) != len(fx["body.new_text"])


@feature("body.new_text_length", type="int")
def new_text_length(fx: Features) -> int:
    """Characters of new (unquoted) text, whitespace excluded."""
    t: str = fx["body.new_text"]
    return len("".join(t.split()))


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
    low = text.lower()
    starts = sorted({i for k in _PW_HINTS for i in _find_all(low, k)})
    if not starts:
        return ()  # most mail names no password keyword at all
    if len(low) != len(text):  # lower() changed lengths (rare scripts): scan the whole text
        matches = list(_PW_LINE.finditer(text))
    else:  # every match starts at a keyword, so try the regex only there
        matches, end = [], 0
        for i in starts:
            if i >= end and (m := _PW_LINE.match(text, i)):
                matches.append(m)
                end = m.end()
    found: dict[str, None] = {}
    for m in matches:
        if not any(c.isdigit() for c in m.group("pw")) and not re.search(
            r"[:：=＝は]|\bis\b|-", text[m.start() : m.start("pw")], re.IGNORECASE
        ):
            continue  # "password protection": a bare space needs a digit in the token
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
    return tuple(dict.fromkeys(m.group(0).lower() for m in find_addresses(fx["body.text"][:200_000])))


# Header-like lines of a quoted message, as Outlook / Thunderbird / webmail write
# them (optionally behind "> "), and "On ..., Name <addr> wrote:" attributions.
_QUOTE_HDR = re.compile(
    r"^[>＞ \t]*(?:from|to|cc|差出人|送信者|送信元|宛先|宛て先|ｃｃ)[ \t\u3000]*[:：][ \t\u3000]*(?P<v>.{3,300})$"
    r"|^[>＞ \t]*(?:on .{4,120}?,[ \t]*)?(?P<w>[^\n]{1,120}?<[^<>\s]+@[^<>\s]+>)[^\n]{0,40}(?:wrote|書きました)",
    re.IGNORECASE | re.MULTILINE,
)
_MAILBOX = re.compile(
    r"""["'“]?(?P<n>[^"'“”<>,;@\n]{0,80}?)["'”]?\s*[<＜\[](?:mailto:)?(?P<a>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)[>＞\]]"""
    r"|(?P<b>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)(?:\s*\((?P<m>[^()\n]{1,80})\))?"
)


def _norm_person(s: str) -> str:
    return strip_honorifics(re.sub(r"[\s\u3000\"'“”]+", "", s), PERSON_HONORIFICS).casefold()


def _related(a: str, b: str) -> bool:
    return a == b or a.endswith("." + b) or b.endswith("." + a)


@feature("body.quoted_participants", type="list")
def quoted_participants(fx: Features) -> tuple[str, ...]:
    """People named with an address in the quoted thread's header lines.

    ``差出人: 山田 <a@b>``, ``From:``, ``To:``, ``... wrote:``.

    Returned as ``name <address>`` (or just the address), address lower-cased, at most 50.
    """
    if not fx["body.has_quote"]:
        return ()
    text: str = fx["body.text"][len(fx["body.new_text"]) :][:50_000]
    out: dict[str, None] = {}
    for line in text.splitlines()[:1000]:
        if "@" not in line:
            continue
        m = _QUOTE_HDR.match(line)
        if m is None:
            continue
        v = m.group("v") or m.group("w") or ""
        for mb in _MAILBOX.finditer(v):
            addr = (mb.group("a") or mb.group("b") or "").lower()
            name = " ".join((mb.group("n") or mb.group("m") or "").split()).strip("\"' ")
            out.setdefault(f"{name} <{addr}>" if name else addr, None)
        if len(out) >= 50:
            break
    return tuple(out)


@feature("body.quote_sender_mismatch", type="list")
def quote_sender_mismatch(fx: Features) -> tuple[str, ...]:
    """Quoted-thread participants with the sender's display name but another domain (INDICATORS b1+b2).

    A hijacked thread quotes the real conversation, in which the person the
    display name claims to be has their *real* address; the mail itself came
    from an unrelated account.
    """
    sname = _norm_person(fx["sender.name"])
    sdom = fx["sender.domain"]
    slocal = fx["sender.address"].partition("@")[0]
    if len(sname) < 2 or "@" in sname or not sdom:
        return ()
    out = []
    for p in fx["body.quoted_participants"]:
        name, _, addr = p.rpartition(" <")
        addr = addr.rstrip(">")
        if (name and _norm_person(name) == sname and not _related(addr.rpartition("@")[2], sdom)
                and addr.partition("@")[0] != slocal):
            out.append(p)
    return tuple(out)


@feature("body.quote_without_sender", type="list")
def quote_without_sender(fx: Features) -> tuple[str, ...]:
    """Quoted-thread participant addresses when the sender's address/domain is not among them (INDICATORS b1).

    A real reply quotes a conversation the sender took part in; a hijacked one
    quotes somebody else's. Empty unless the quote names at least one address.
    """
    parts = fx["body.quoted_participants"]
    sdom = fx["sender.domain"]
    if not parts or not sdom or fx["headers.is_bounce"]:
        return ()
    addrs = [p.rpartition("<")[2].rstrip(">") if "<" in p else p for p in parts]
    if any(_related(a.rpartition("@")[2], sdom) for a in addrs):
        return ()
    return tuple(dict.fromkeys(addrs))


_PRE_DOC = re.compile(r"(?is)<pre\b[^>]{0,200}>(?:(?!</pre).){0,3000}?(<!DOCTYPE[^>]{0,100}>|<html\b|&lt;!DOCTYPE)")


@feature("body.html_document_in_pre", type="str")
def html_document_in_pre(fx: Features) -> str:
    """A complete HTML document nested inside a ``<pre>`` block (the quoted stolen thread; INDICATORS b1)."""
    return _pre_doc(fx.message.html[:500_000])[:60]


_PRE_OPEN = re.compile(r"(?i)<pre\b[^>]{0,200}>")
_PRE_CLOSE = re.compile(r"(?i)</pre")
_PRE_TARGET = re.compile(r"(?is)<!DOCTYPE[^>]{0,100}>|<html\b|&lt;!DOCTYPE")


def _pre_doc(html: str) -> str:
    """``_PRE_DOC.search(html).group(1)`` in linear time ('' when none).

    The regex scans up to 3000 characters after every ``<pre>``; here the next document
    start and the next ``</pre`` are found once and reused while they lie ahead.
    """
    pos = 0
    target: re.Match[str] | None = None
    close: re.Match[str] | None = None
    t_from = c_from = -1
    while (m := _PRE_OPEN.search(html, pos)) is not None:
        e = m.end()
        if t_from < 0 or (target is not None and target.start() < e):
            target, t_from = _PRE_TARGET.search(html, e), e
        if target is None:
            return ""
        if c_from < 0 or (close is not None and close.start() < e):
            close, c_from = _PRE_CLOSE.search(html, e), e
        if target.start() - e <= 3000 and (close is None or close.start() >= target.start()):
            return target.group(0)
        pos = m.start() + 1
    return ""
