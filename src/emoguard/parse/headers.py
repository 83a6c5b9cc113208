"""Header decoding: RFC 2047 encoded words, raw 8-bit headers, addresses, ids.

Values come from the stdlib ``compat32`` parser as raw folded strings in which
8-bit bytes are surrogate-escaped; everything here turns them into text
without raising. We decode ourselves instead of using ``email.header`` /
``policy.default`` because real Japanese mail breaks both:

* encoded words split in the middle of a multibyte character (adjacent words in
  the same charset are joined at the byte level before decoding);
* base64 without padding, lower-case ``b``/``q``, words glued to text, words
  inside quoted display names, whitespace inside folded words;
* raw Shift_JIS / EUC-JP / UTF-8 / ISO-2022-JP bytes with no encoding at all
  (charset detected, defect ``header.raw_8bit``);
* display names that decode to text containing commas, quotes or ``<addr>``
  (addresses are split *before* the names are decoded).
"""

from __future__ import annotations

import binascii
import re
from email.utils import getaddresses

from emoguard.model import Address

from .charsets import decode_text

__all__ = [
    "decode_header",
    "decode_words",
    "extract_ids",
    "parse_addresses",
    "raw_to_text",
    "unfold",
]

# charset, optional RFC 2231 language, encoding, text. The text may not contain
# '?', which also keeps a failed match from scanning past the next '?'.
_EW_RE = re.compile(r"=\?([^?\s*]{1,64})(?:\*[^?\s]{0,32})?\?([bBqQ])\?([^?]*)\?=")
# Fallback for broken encoders that leave a bare '?' inside Q text
# (``=?ISO-2022-JP?Q?=1B$B:9=3DP?M=1B(B?=``); bounded, and only tried on short
# values where the strict pattern left an encoded word undecoded.
_EW_LOOSE_RE = re.compile(r"=\?([^?\s*]{1,64})(?:\*[^?\s]{0,32})?\?([bBqQ])\?((?:[^?]|\?(?!=)){0,300}?)\?=")
_LOOSE_MAX = 4096


def _ew_pattern(value: str) -> re.Pattern[str]:
    """The strict pattern, unless it leaves an ``=?`` undecoded in a short value."""
    if len(value) <= _LOOSE_MAX and "=?" in _EW_RE.sub("", value) and _EW_LOOSE_RE.search(value):
        return _EW_LOOSE_RE
    return _EW_RE


_WS = frozenset(" \t\r\n")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_SPACE_RE = re.compile(r"[ \t\r\n]+")


def unfold(value: str) -> str:
    """Undo header folding (drop CR/LF, keep the folding whitespace)."""
    if "\n" in value or "\r" in value:
        value = value.replace("\r", "").replace("\n", "")
    return value


def _b64decode(text: str) -> tuple[bytes, bool]:
    """Lenient base64 for encoded words: (bytes, was_broken)."""
    raw = text.encode("ascii", "ignore")
    if len(raw) % 4 == 0 and b" " not in raw:
        try:
            return binascii.a2b_base64(raw), False
        except binascii.Error:
            pass
    clean = _B64_JUNK.sub(b"", raw)
    rem = len(clean) % 4
    broken = bool(rem)
    if rem == 1:
        clean = clean[:-1]
    elif rem:
        clean += b"=" * (4 - rem)
    try:
        return binascii.a2b_base64(clean), broken
    except binascii.Error:
        return b"", True


def _qdecode(text: str) -> bytes:
    return binascii.a2b_qp(text.encode("utf-8", "surrogateescape"), header=True)


def decode_words(value: str) -> tuple[str, tuple[str, ...]]:
    """Decode RFC 2047 encoded words anywhere in ``value``.

    Adjacent encoded words (only whitespace between them) lose that
    whitespace, and when they share a charset their bytes are joined before
    decoding, so a character split across two words comes out whole.
    """
    if "=?" not in value:
        return value, ()
    pieces: list[str | tuple[str, bytearray]] = []
    defects: list[str] = []
    pos = 0
    for m in _ew_pattern(value).finditer(value):
        between = value[pos : m.start()]
        last_is_word = bool(pieces) and isinstance(pieces[-1], tuple)
        if between and not (last_is_word and all(c in _WS for c in between)):
            pieces.append(between)
            last_is_word = False
        charset = m.group(1).lower()
        if m.group(2) in "bB":
            raw, broken = _b64decode(m.group(3))
            if broken:
                defects.append("header.bad_encoded_word")
        else:
            raw = _qdecode(m.group(3))
        prev = pieces[-1] if last_is_word else None
        if isinstance(prev, tuple) and prev[0] == charset:
            prev[1].extend(raw)
        else:
            pieces.append((charset, bytearray(raw)))
        pos = m.end()
    if pos < len(value):
        pieces.append(value[pos:])
    out: list[str] = []
    for p in pieces:
        if isinstance(p, str):
            out.append(p)
        else:
            text, d = decode_text(bytes(p[1]), p[0])
            out.append(text)
            defects.extend(d)
    return "".join(out), tuple(defects)


def raw_to_text(value: str, hint: str | None) -> tuple[str, tuple[str, ...]]:
    """Header text holding raw 8-bit bytes (surrogate-escaped) or raw
    ISO-2022-JP escapes -> text, by detection (``hint``: a charset declared
    elsewhere in the mail, used when detection finds nothing)."""
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value, ()  # already real text (not from our bytes parser)
    if raw.isascii():  # only escapes: ISO-2022-JP without MIME encoding
        text, _ = decode_text(raw, "iso-2022-jp")
        return text, ("header.raw_iso2022",)
    text, d = decode_text(raw, None)
    if hint and "charset.undeclared_8bit" in d:
        text2, d2 = decode_text(raw, hint)
        if "charset.decode_errors" not in d2:
            text = text2
    return text, ("header.raw_8bit",)


def decode_header(value: object, hint: str | None = None) -> tuple[str, tuple[str, ...]]:
    """A raw header value -> (decoded, unfolded text, defects). Never raises."""
    try:
        s = value if isinstance(value, str) else str(value)
        s = unfold(s)
        if s.isascii() and "=?" not in s and "\x1b" not in s:
            return s, ()
        defects: tuple[str, ...] = ()
        if not s.isascii() or "\x1b" in s:
            s, defects = raw_to_text(s, hint)
        if "=?" in s:
            s, d = decode_words(s)
            defects += d
        return s, defects
    except Exception:
        return "", ("header.undecodable",)


# --- addresses ---------------------------------------------------------------------

_ADDR_SPECIALS_RE = re.compile(r'["(\\:;]')
_EMAIL_RE = re.compile(r"[^\s<>,;:\"()\[\]]+@[^\s<>,;:\"()\[\]]+")
_TOKEN_RE = re.compile(r"EWTOKEN(\d+)X")


def _simple_addresses(s: str) -> list[tuple[str, str]] | None:
    """Fast path for the common shapes (``a@b``, ``Name <a@b>``, lists of
    those); None when the value needs the full parser."""
    out: list[tuple[str, str]] = []
    for item in s.split(","):
        if "<" in item:
            name, _, rest = item.partition("<")
            addr, gt, tail = rest.partition(">")
            if not gt or "<" in rest or tail.strip() or " " in addr.strip():
                return None
            out.append((name.strip(), addr.strip()))
        else:
            addr = item.strip()
            if not addr:
                continue
            if " " in addr or "\t" in addr or ">" in addr:
                return None
            out.append(("", addr))
    return out


def parse_addresses(value: object, hint: str | None = None) -> tuple[tuple[Address, ...], tuple[str, ...]]:
    """An address header (From/To/Cc/...) -> Address tuples with decoded names.

    The value is split into mailboxes *before* display names are decoded, so a
    name that decodes to ``"Yamada, Taro <t@partner.co.jp>"`` stays one name.
    Group syntax, garbage and CR/LF never raise; the worst case is a regex
    scrape of anything that looks like an address.
    """
    try:
        return _parse_addresses(value, hint)
    except Exception:
        try:
            s = unfold(str(value))
            found = tuple(Address("", a) for a in _EMAIL_RE.findall(s))
            return found, ("header.bad_address",)
        except Exception:
            return (), ("header.bad_address",)


def _parse_addresses(value: object, hint: str | None) -> tuple[tuple[Address, ...], tuple[str, ...]]:
    s = unfold(value if isinstance(value, str) else str(value))
    defects: tuple[str, ...] = ()
    if not s.isascii() or "\x1b" in s:
        s, defects = raw_to_text(s, hint)
    words: list[str] = []
    if "=?" in s:
        # Protect encoded words from the address parser: their text may hold
        # ',', '"' or '(' (broken Q encoders) which would split the mailbox.
        def _stash(m: re.Match[str]) -> str:
            words.append(m.group())
            return f"EWTOKEN{len(words) - 1}X"

        s = _ew_pattern(s).sub(_stash, s)
    pairs: list[tuple[str, str]] | None = None
    if not _ADDR_SPECIALS_RE.search(s):
        pairs = _simple_addresses(s)
    if pairs is None:
        pairs = getaddresses([s])
    out: list[Address] = []
    for name, addr in pairs:
        if words:
            name = _TOKEN_RE.sub(lambda m: words[int(m.group(1))], name)
            addr = _TOKEN_RE.sub(lambda m: words[int(m.group(1))], addr)
        if "=?" in name:
            name, d = decode_words(name)
            defects += d
        if "=?" in addr:
            decoded, d = decode_words(addr)
            defects += d
            if "@" in decoded:
                addr = decoded  # an encoded local part: keep it as written
            else:
                # An encoded word where the address should be: it is a name.
                name = name or decoded
                addr = ""
        name = _SPACE_RE.sub(" ", name).strip()
        addr = addr.strip()
        if not name and not addr:
            continue
        out.append(Address(name, addr))
    return tuple(out), defects


# --- message ids -------------------------------------------------------------------

_ID_RE = re.compile(r"<([^<>]*)>")


def extract_ids(value: object) -> tuple[str, ...]:
    """All ``<...>`` message ids in a header value, whitespace removed, with
    their angle brackets; bare tokens when the value has no brackets at all."""
    try:
        s = unfold(value if isinstance(value, str) else str(value))
        ids = [f"<{''.join(x.split())}>" for x in _ID_RE.findall(s) if x.strip()]
        if ids:
            return tuple(ids)
        return tuple(t for t in s.split() if "@" in t or len(t) > 4)
    except Exception:
        return ()
