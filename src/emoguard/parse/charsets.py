"""Bytes -> text for mail, the way Japanese mail really arrives.

The contract is :func:`decode_text`: it never raises, always returns text, and
says what was wrong with the bytes as stable defect names:

``charset.unknown``
    the declared charset is not one we know (``x-unknown``, ``unknown-8bit``,
    a typo); the text was decoded by detection.
``charset.mislabelled``
    the bytes are not valid in the declared charset but are valid (and look
    right) in another one: Shift_JIS labelled ``iso-2022-jp``, UTF-8 labelled
    ``shift_jis``, EUC-JP labelled ``gb2312``, 8-bit bytes labelled
    ``us-ascii``.
``charset.undeclared_8bit``
    8-bit bytes with no charset at all; decoded by detection.
``charset.decode_errors``
    some bytes could not be decoded and became U+FFFD.
``charset.iso2022_8bit``
    8-bit bytes inside ISO-2022-JP text (a 7-bit charset).
``charset.escape_flood``
    more than ``MAX_ESCAPES`` escape sequences in one text (a decoder DoS); decoded
    with the stdlib ISO-2022-JP codec instead of the CP932-aware decoder.

Japanese specifics (why this is not just ``bytes.decode``):

* ISO-2022-JP is decoded by converting JIS X 0208 byte pairs to Shift_JIS and
  decoding with cp932, so the vendor characters Windows users type (①, ㈱,
  ～, Ⅲ, NEC/IBM extension kanji) come out as Outlook shows them, where the
  stdlib ``iso2022_jp`` codec fails or maps differently.
* Every Shift_JIS spelling is decoded as cp932 (a superset that Windows uses).
* EUC-JP falls back from ``euc_jp`` to ``euc_jis_2004`` to a cp51932-style
  decoding (EUC pairs -> JIS -> Shift_JIS -> cp932) for NEC row 13.
* Detection among UTF-8, ISO-2022-JP, cp932 and EUC-JP is a cheap strict-decode
  plus "does it look like Japanese" score, used only when the declared charset
  is missing, unknown or wrong.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from functools import lru_cache

__all__ = ["decode_text", "detect_charset", "normalize_charset"]

# --- charset names -------------------------------------------------------------

# Families we treat specially; the value is the dispatch kind.
_FAMILIES: dict[str, str] = {}
for _n in (
    "shift-jis",
    "shift_jis",
    "x-sjis",
    "sjis",
    "s-jis",
    "shiftjis",
    "x-shift-jis",
    "windows-31j",
    "cp932",
    "ms932",
    "ms-kanji",
    "csshiftjis",
    "cswindows31j",
    "x-ms-cp932",
    "ibm-943",
    "cp943",
    "x-mac-japanese",
    "macjapanese",
    "shift-jis-2004",
    "shift-jisx0213",
    "sjis-win",
    "sjis-open",
    "x-sjis-cp932",
    "windows-932",
):
    _FAMILIES[_n] = "sjis"
for _n in (
    "iso-2022-jp",
    "iso-2022-jp-1",
    "iso-2022-jp-2",
    "iso-2022-jp-3",
    "iso-2022-jp-2004",
    "iso-2022-jp-ext",
    "iso-2022-jp-ms",
    "csiso2022jp",
    "csiso2022jp2",
    "jis",
    "jis7",
    "iso2022jp",
    "x-iso-2022-jp",
    "cp50220",
    "cp50221",
    "cp50222",
    "iso2022-jp",
):
    _FAMILIES[_n] = "jis"
for _n in (
    "euc-jp",
    "x-euc-jp",
    "eucjp",
    "ujis",
    "x-euc",
    "cp51932",
    "euc-jp-ms",
    "eucjp-ms",
    "eucjp-win",
    "euc-jis-2004",
    "euc-jisx0213",
    "cseucpkdfmtjapanese",
    "x-eucjp",
):
    _FAMILIES[_n] = "euc"
for _n in ("utf-8", "utf8", "unicode-1-1-utf-8", "unicode-2-0-utf-8", "x-unicode20utf8"):
    _FAMILIES[_n] = "utf8"
for _n in ("utf-7", "utf7", "unicode-1-1-utf-7", "x-unicode-2-0-utf-7", "csunicode11utf7"):
    _FAMILIES[_n] = "utf7"
for _n in (
    "us-ascii",
    "ascii",
    "ansi-x3.4-1968",
    "us",
    "iso646-us",
    "cp367",
    "csascii",
    "iso-ir-6",
    "7bit",
    "8bit",
    "ansi-x3.4-1986",
    "ibm367",
):
    _FAMILIES[_n] = "ascii"
for _n in (
    "iso-8859-1",
    "iso8859-1",
    "latin1",
    "latin-1",
    "l1",
    "cp819",
    "ibm819",
    "windows-1252",
    "cp1252",
    "x-cp1252",
    "iso-ir-100",
    "csisolatin1",
    "iso-8859-15",
    "latin-9",
    "iso8859-15",
):
    _FAMILIES[_n] = "latin"
for _n in (
    "gb2312",
    "gbk",
    "euc-cn",
    "x-euc-cn",
    "x-gbk",
    "cp936",
    "gb18030",
    "csgb2312",
    "chinese",
    "gb-2312",
    "windows-936",
    "ms936",
):
    _FAMILIES[_n] = "chinese"
for _n in ("big5", "x-x-big5", "big-5", "csbig5", "cn-big5", "cp950", "big5-hkscs"):
    _FAMILIES[_n] = "big5"
for _n in (
    "ks-c-5601-1987",
    "ks-c-5601",
    "ksc5601",
    "ks-c-5601-1989",
    "euc-kr",
    "korean",
    "cp949",
    "x-windows-949",
    "windows-949",
    "ksc-5601",
    "csksc56011987",
    "uhc",
):
    _FAMILIES[_n] = "korean"

# Labels that say "no idea" rather than naming a charset.
_UNKNOWN_LABELS = frozenset(
    {
        "unknown",
        "unknown-8bit",
        "x-unknown",
        "x-user-defined",
        "_autodetect",
        "-autodetect",
        "autodetect",
        "-autodetect-all",
        "_autodetect_all",
        "charset",
        "none",
        "default",
        "x-binaryenc",
        "binary",
        "x-unknown-8bit",
        "undefined",
    }
)

# Codec names Python knows under other spellings (after normalisation).
_ALIASES = {
    "windows-874": "cp874",
    "iso-8859-8-i": "iso8859_8",
    "iso-8859-6-i": "iso8859_6",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "ansi-1251": "cp1251",
    "x-cp1251": "cp1251",
    "x-cp1250": "cp1250",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
}

# Python "text encodings" that must never be applied to mail bytes.
_BANNED_CODECS = frozenset(
    {
        "unicode-escape",
        "raw-unicode-escape",
        "idna",
        "punycode",
        "undefined",
        "charmap",
        "unicode-internal",
        "utf-16",
        "utf-32",
    }
)

# Codecs whose ASCII bytes are not ASCII text (no ASCII fast path for them).
_NOT_ASCII_COMPATIBLE = frozenset(
    {
        "utf-7",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "utf-32-le",
        "utf-32-be",
        "hz",
        "iso2022_kr",
        "iso2022_jp",
        "iso2022_jp_1",
        "iso2022_jp_2",
        "iso2022_jp_3",
        "iso2022_jp_2004",
        "iso2022_jp_ext",
        "cp037",
        "cp500",
        "cp875",
        "cp1026",
        "cp1140",
        "cp273",
        "cp424",
    }
)

_KIND_CODEC = {
    "sjis": "cp932",
    "jis": "iso2022_jp",
    "euc": "euc_jp",
    "utf8": "utf-8",
    "utf7": "utf-7",
    "ascii": "ascii",
    "latin": "cp1252",
    "chinese": "gb18030",
    "big5": "cp950",
    "korean": "cp949",
}


@lru_cache(maxsize=512)
def _resolve(declared: str | None) -> tuple[str, str, bool]:
    """Declared label -> (kind, codec, unknown). kind '' means 'detect'."""
    if declared is None:
        return "", "", False
    name = declared.strip().strip("\"'").strip().lower().replace("_", "-")
    if not name:
        return "", "", False
    kind = _FAMILIES.get(name)
    if kind is not None:
        return kind, _KIND_CODEC[kind], False
    if name in _UNKNOWN_LABELS or len(name) > 40:
        return "", "", True
    codec_name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(codec_name)
    except (LookupError, ValueError, TypeError):
        return "", "", True
    if not getattr(info, "_is_text_encoding", True) or info.name in _BANNED_CODECS:
        return "", "", True
    # A known codec under an unusual spelling may still be one of our families.
    kind = _FAMILIES.get(info.name.replace("_", "-"))
    if kind is not None:
        return kind, _KIND_CODEC[kind], False
    return "codec", info.name, False


def normalize_charset(declared: str | None) -> str | None:
    """Canonical name of a declared charset (``cp932`` for every Shift_JIS
    spelling, ``iso-2022-jp``, ``euc-jp`` ...), or None when unknown/absent."""
    kind, codec, _ = _resolve(declared)
    if not kind:
        return None
    return {"jis": "iso-2022-jp", "euc": "euc-jp", "utf8": "utf-8"}.get(kind, codec)


# --- "does this look like Japanese" ---------------------------------------------

_KANA_RE = re.compile("[\u3041-\u3096\u309b-\u309e\u30a1-\u30fa\u30fc-\u30fe]")
_KANJI_RE = re.compile("[\u4e00-\u9fff\u3005\uf900-\ufaff]")
# CJK punctuation, full-width forms, and the NEC/JIS symbols (①, Ⅲ, ㈱, ㍻).
_PUNCT_RE = re.compile("[\u3000-\u303f\uff01-\uff5e\u2460-\u24ff\u2160-\u217f\u3200-\u33ff]")
_HWKANA_RE = re.compile("[\uff61-\uff9f]")
_BAD_RE = re.compile("[\x80-\x9f\ue000-\uf8ff\ufffd]")


def _ja_score(text: str) -> int:
    """>0 when ``text`` plausibly is Japanese; the larger the likelier.

    Half-width katakana alone only just pass: EUC-JP bytes read as cp932
    turn into exactly that, so they must lose to any real kana reading.
    """
    kana = len(_KANA_RE.findall(text))
    kanji = len(_KANJI_RE.findall(text))
    punct = len(_PUNCT_RE.findall(text))
    bad = len(_BAD_RE.findall(text))
    if kana or (kanji + punct >= 2 and bad == 0):
        return max(2 * kana + kanji + punct - 4 * bad, 0)
    if bad == 0 and kanji == 0 and len(_HWKANA_RE.findall(text)) >= 3:
        return 1
    return 0


# --- JIS X 0208 -> Shift_JIS --------------------------------------------------------


def _make_tables() -> tuple[bytes, bytes, bytes, bytes]:
    s1 = bytearray(256)
    s2_odd = bytearray(256)
    s2_even = bytearray(256)
    odd_mask = bytearray(256)
    for b in range(0x21, 0x7F):
        s1[b] = ((b + 1) >> 1) + (0x70 if b <= 0x5E else 0xB0)
        if b in (0x75, 0x76, 0x77, 0x78, 0x7D, 0x7E):
            # User-defined rows (carrier emoji live here): to cp932's
            # user-defined area F0-F4 -> U+E000.., as Microsoft's cp50221 does.
            # Rows 0x79-0x7C stay NEC-selected IBM extensions (ED/EE), as nkf.
            s1[b] += 5
        v = b + 0x1F
        s2_odd[b] = v + 1 if v >= 0x7F else v
        s2_even[b] = b + 0x7E
        odd_mask[b] = 0xFF if b & 1 else 0x00
    return bytes(s1), bytes(s2_odd), bytes(s2_even), bytes(odd_mask)


_T_S1, _T_S2_ODD, _T_S2_EVEN, _T_ODD = _make_tables()


def _jis_pairs_to_sjis(run: bytes) -> bytes:
    """Even-length run of bytes 0x21-0x7E (JIS X 0208 pairs) -> Shift_JIS bytes.

    Done with translate tables and big-int masking so it runs at C speed.
    """
    j1 = run[0::2]
    j2 = run[1::2]
    n = len(j1)
    mask = int.from_bytes(j1.translate(_T_ODD), "big")
    odd = int.from_bytes(j2.translate(_T_S2_ODD), "big")
    even = int.from_bytes(j2.translate(_T_S2_EVEN), "big")
    s2 = ((odd & mask) | (even & ~mask)).to_bytes(n, "big")
    out = bytearray(2 * n)
    out[0::2] = j1.translate(_T_S1)
    out[1::2] = s2
    return bytes(out)


_JIS_RUN_RE = re.compile(rb"[\x21-\x7e]+")


def _jis_gap(gap: bytes) -> tuple[str, int]:
    """Bytes between JIS pairs in 2-byte mode (whitespace, CR/LF): passed through leniently,
    like nkf; anything 8-bit becomes U+FFFD and counts as one error."""
    txt = gap.decode("latin-1")
    if gap.isascii():
        return txt, 0
    return "".join(c if c < "\x80" else "\ufffd" for c in txt), 1


def _decode_jis_segment(seg: bytes) -> tuple[str, int]:
    """JIS X 0208 two-byte segment -> text via cp932; (text, error count)."""
    out: list[str] = []
    errors = 0
    pos = 0
    for m in _JIS_RUN_RE.finditer(seg):
        if m.start() > pos:
            txt, err = _jis_gap(seg[pos : m.start()])
            errors += err
            out.append(txt)
        run = m.group()
        if len(run) & 1:
            run = run[:-1]
            errors += 1
            tail = "\ufffd"
        else:
            tail = ""
        if run:
            txt = _jis_pairs_to_sjis(run).decode("cp932", "replace")
            if "\ufffd" in txt:
                errors += txt.count("\ufffd")
            out.append(txt)
        out.append(tail)
        pos = m.end()
    if pos < len(seg):
        txt, err = _jis_gap(seg[pos:])
        errors += err
        out.append(txt)
    return "".join(out), errors


def _halfwidth_kana(seg: bytes) -> str:
    chars = []
    for b in seg:
        if 0x21 <= b <= 0x5F:
            chars.append(chr(0xFF61 + b - 0x21))
        elif 0xA1 <= b <= 0xDF:
            chars.append(chr(0xFF61 + b - 0xA1))
        else:
            chars.append(chr(b) if b < 0x80 else "\ufffd")
    return "".join(chars)


def _decode_ascii_segment(seg: bytes) -> tuple[str, int, bool]:
    """Bytes in ISO-2022-JP's single-byte mode: (text, errors, had_8bit)."""
    if b"\x0e" in seg:  # SO ... SI: JIS X 0201 katakana
        parts: list[str] = []
        errors = 0
        had8 = False
        pos = 0
        while True:
            so = seg.find(b"\x0e", pos)
            if so < 0:
                t, e, h = _decode_ascii_segment(seg[pos:])
                parts.append(t)
                return "".join(parts), errors + e, had8 or h
            t, e, h = _decode_ascii_segment(seg[pos:so])
            parts.append(t)
            errors += e
            had8 = had8 or h
            si = seg.find(b"\x0f", so + 1)
            end = len(seg) if si < 0 else si
            parts.append(_halfwidth_kana(seg[so + 1 : end]))
            if si < 0:
                return "".join(parts), errors, had8
            pos = si + 1
    if seg.isascii():
        if b"\x1b" in seg:  # an escape we did not recognise
            return seg.replace(b"\x1b", b"").decode("ascii"), 1, False
        return seg.decode("ascii"), 0, False
    for codec in ("utf-8", "cp932"):
        try:
            return seg.decode(codec), 0, True
        except UnicodeDecodeError:
            pass
    txt = seg.decode("cp932", "replace")
    return txt, max(1, txt.count("\ufffd")), True


_ESC_RE = re.compile(rb"\x1b(?:\$[@B]|\$\([@BQOP]|&@|\([BJIH])")
_EXOTIC_2022 = (b"\x1b$A", b"\x1b$(C", b"\x1b$(D", b"\x1b.", b"\x1bN", b"\x1b$(P")


MAX_ESCAPES = 100_000
"""More escape sequences than this in one text is a flood (defect ``charset.escape_flood``)."""


def _escape_flood(data: bytes) -> bool:
    return len(data) > MAX_ESCAPES * 3 and data.count(b"\x1b") > MAX_ESCAPES


def _decode_iso2022jp(data: bytes) -> tuple[str, int, bool]:
    """ISO-2022-JP(-1/-2/-3) -> (text, error count, had 8-bit bytes)."""
    if _escape_flood(data):
        # Millions of ESC $ B / ESC ( B toggles took 10 s segment by segment below;
        # the stdlib codec decodes them at C speed (without the CP932 extensions).
        text = data.decode("iso2022_jp", "replace")
        return text, text.count("\ufffd"), not data.isascii()
    if any(x in data for x in _EXOTIC_2022):
        for codec in ("iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3"):
            try:
                return data.decode(codec), 0, False
            except UnicodeDecodeError:
                pass
    out: list[str] = []
    errors = 0
    had8 = False
    mode = 0  # 0 ascii/roman, 1 JIS X 0208 (and 0213 plane 1), 2 half-width kana
    pos = 0
    for m in _ESC_RE.finditer(data):
        if m.start() > pos:
            seg = data[pos : m.start()]
            if mode == 1:
                t, e = _decode_jis_segment(seg)
            elif mode == 2:
                t, e = _halfwidth_kana(seg), 0
            else:
                t, e, h = _decode_ascii_segment(seg)
                had8 = had8 or h
            out.append(t)
            errors += e
        esc = m.group()
        if esc[1:2] == b"$":
            mode = 1
        elif esc == b"\x1b(I":
            mode = 2
        elif esc == b"\x1b&@":
            pass  # JIS X 0208-1990 announcer, followed by ESC $ B
        else:
            mode = 0
        pos = m.end()
    if pos < len(data):
        seg = data[pos:]
        if mode == 1:
            t, e = _decode_jis_segment(seg)
        elif mode == 2:
            t, e = _halfwidth_kana(seg), 0
        else:
            t, e, h = _decode_ascii_segment(seg)
            had8 = had8 or h
        out.append(t)
        errors += e
    return "".join(out), errors, had8


# --- EUC-JP ------------------------------------------------------------------------

_EUC_TOKEN_RE = re.compile(rb"((?:[\xa1-\xfe][\xa1-\xfe])+)|\x8e([\xa1-\xdf])|(\x8f[\xa1-\xfe]{2})")


def _decode_euc_cp51932(data: bytes) -> tuple[str, int]:
    """EUC-JP decoded the cp51932 way: pairs -> JIS -> Shift_JIS -> cp932."""
    out: list[str] = []
    errors = 0
    pos = 0
    for m in _EUC_TOKEN_RE.finditer(data):
        if m.start() > pos:
            gap = data[pos : m.start()]
            txt = gap.decode("ascii", "replace")
            errors += txt.count("\ufffd")
            out.append(txt)
        if m.group(1):
            jis = bytes(b - 0x80 for b in m.group(1))
            txt = _jis_pairs_to_sjis(jis).decode("cp932", "replace")
        elif m.group(2):
            txt = m.group(2).decode("cp932", "replace")
        else:
            txt = m.group(3).decode("euc_jp", "replace")
        errors += txt.count("\ufffd")
        out.append(txt)
        pos = m.end()
    if pos < len(data):
        txt = data[pos:].decode("ascii", "replace")
        errors += txt.count("\ufffd")
        out.append(txt)
    return "".join(out), errors


def _decode_euc(data: bytes) -> str | None:
    """Strict EUC-JP decode with the documented fallbacks; None if not EUC-JP."""
    for codec in ("euc_jp", "euc_jis_2004"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    text, errors = _decode_euc_cp51932(data)
    return None if errors else text


# --- detection ---------------------------------------------------------------------


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes, exclude: str = "") -> tuple[str, str] | None:
    """Best (charset, text) among UTF-8 / ISO-2022-JP / cp932 / EUC-JP, or None.

    ``data`` is expected to contain non-ASCII bytes or escapes. UTF-8 wins when
    it decodes strictly (random 8-bit bytes almost never do); otherwise cp932
    and EUC-JP compete on a Japanese-likeness score.
    """
    if data.isascii():
        if b"\x1b$" in data or b"\x1b(" in data:
            text, errors, _ = _decode_iso2022jp(data)
            return ("iso-2022-jp", text) if not errors else None
        return None
    if exclude != "utf-8":
        t = _try(data, "utf-8")
        if t is not None:
            return "utf-8", t
    best: tuple[int, str, str] | None = None
    if exclude != "cp932":
        t = _try(data, "cp932")
        if t is not None:
            s = _ja_score(t)
            if s > 0:
                best = (s, "cp932", t)
    if exclude != "euc-jp":
        t = _decode_euc(data)
        if t is not None:
            s = _ja_score(t)
            if s > 0 and (best is None or s > best[0]):
                best = (s, "euc-jp", t)
    if best is None:
        return None
    return best[1], best[2]


def detect_charset(data: bytes) -> str | None:
    """Guess the charset of 8-bit/escaped ``data``: 'utf-8', 'iso-2022-jp',
    'cp932', 'euc-jp', or None when nothing fits (or the data is plain ASCII)."""
    try:
        r = _detect(data)
    except Exception:  # detection must never take a parse down
        return None
    return r[0] if r else None


def _fallback_8bit(data: bytes) -> str:
    t = _try(data, "cp1252")
    return t if t is not None else data.decode("latin-1")


_MUTF7_RE = re.compile(rb"&([A-Za-z0-9+,]+)-")
_UTF7_RUN_RE = re.compile(rb"\+[A-Za-z0-9+/,]+-?")


def _decode_utf7(data: bytes) -> tuple[str, bool]:
    if b"&" in data and b"+" not in data and _MUTF7_RE.search(data):
        # IMAP "modified UTF-7" (&...-) where plain UTF-7 was declared.
        data = _MUTF7_RE.sub(lambda m: b"+" + m.group(1).replace(b",", b"/") + b"-", data)
    try:
        return data.decode("utf-7"), False
    except UnicodeDecodeError:
        pass
    if b"," in data:
        # Encoders that use IMAP's ',' for '/' inside +...- runs.
        fixed = _UTF7_RUN_RE.sub(lambda m: m.group().replace(b",", b"/"), data)
        try:
            return fixed.decode("utf-7"), False
        except UnicodeDecodeError:
            pass
    return data.decode("utf-7", "replace"), True


# --- the entry point ---------------------------------------------------------------


def decode_text(data: bytes, declared: str | None) -> tuple[str, tuple[str, ...]]:
    """Decode mail bytes to text. Never raises.

    ``declared`` is the charset label from the mail (may be None, empty,
    unknown or wrong). Returns ``(text, defects)``; defects are the stable
    ``charset.*`` names documented in this module. Line endings are left as
    they are.
    """
    try:
        data = bytes(data)
        text, defects = _decode_text(data, declared)
        if _escape_flood(data):
            defects += ("charset.escape_flood",)
        return text, defects
    except Exception:  # last resort: the contract is "never raises"
        try:
            return bytes(data).decode("utf-8", "replace"), ("charset.decode_errors",)
        except Exception:
            return "", ("charset.decode_errors",)


def _decode_text(data: bytes, declared: str | None) -> tuple[str, tuple[str, ...]]:
    if not data:
        return "", ()
    kind, codec, unknown = _resolve(declared)
    defects: tuple[str, ...] = ("charset.unknown",) if unknown else ()

    if data.isascii():
        if kind == "utf7":
            text, bad = _decode_utf7(data)
            return text, defects + (("charset.decode_errors",) if bad else ())
        if kind == "codec" and codec in _NOT_ASCII_COMPATIBLE:
            t = _try(data, codec)
            if t is not None:
                return t, defects
            return data.decode(codec, "replace"), defects + ("charset.decode_errors",)
        if (b"\x1b" in data and (b"\x1b$" in data or b"\x1b(" in data)) or (kind == "jis" and b"\x0e" in data):
            text, errors, _ = _decode_iso2022jp(data)
            if kind not in ("jis", ""):
                defects += ("charset.mislabelled",)
            if errors:
                defects += ("charset.decode_errors",)
            return text, defects
        return data.decode("ascii"), defects

    # 8-bit data from here on.
    if kind == "":
        found = _detect(data)
        if found is not None:
            text = found[1]
        else:
            text = _fallback_8bit(data)
        return text, defects + (() if unknown else ("charset.undeclared_8bit",))

    if kind == "jis":
        if b"\x1b" not in data:
            return _relabel(data, defects, "", lambda: data.decode("cp932", "replace"), declared=False)
        text, errors, had8 = _decode_iso2022jp(data)
        if had8:
            defects += ("charset.iso2022_8bit",)
        if errors:
            defects += ("charset.decode_errors",)
        return text, defects

    if kind == "sjis":
        t = _try(data, "cp932")
        if t is not None:
            return t, defects
        t = _try(data, "shift_jis_2004")
        if t is not None:
            return t, defects
        return _relabel(data, defects, "cp932", lambda: data.decode("cp932", "replace"))

    if kind == "euc":
        t = _decode_euc(data)
        if t is not None:
            return t, defects
        return _relabel(data, defects, "euc-jp", lambda: _decode_euc_cp51932(data)[0])

    if kind == "utf8":
        t = _try(data, "utf-8")
        if t is not None:
            return t, defects
        return _relabel(data, defects, "utf-8", lambda: data.decode("utf-8", "replace"))

    if kind == "utf7":
        text, bad = _decode_utf7(data)
        found = _detect(data)
        if found is not None:
            return found[1], defects + ("charset.mislabelled",)
        return text, defects + (("charset.decode_errors",) if bad else ())

    if kind == "ascii":
        found = _detect(data)
        if found is not None:
            return found[1], defects + ("charset.mislabelled",)
        return _fallback_8bit(data), defects + ("charset.mislabelled",)

    if kind == "latin":
        # Real Latin-1 text is never valid multi-byte UTF-8; Japanese must also
        # look like Japanese to win over the declared label.
        t = _try(data, "utf-8")
        if t is not None:
            return t, defects + ("charset.mislabelled",)
        t = _try(data, "cp932")
        if t is not None and _ja_score(t) >= 6 and _KANA_RE.search(t):
            return t, defects + ("charset.mislabelled",)
        return _fallback_8bit(data), defects

    if kind == "chinese":
        t = _try(data, "gb18030")
        if t is not None:
            ja = _japanese_instead(data, t)
            if ja is not None:
                return ja, defects + ("charset.mislabelled",)
            return t, defects
        return _relabel(data, defects, "", lambda: data.decode("gb18030", "replace"))

    # big5, korean and any other codec Python knows.
    t = _try(data, codec)
    if t is not None:
        if kind == "big5":
            ja = _japanese_instead(data, t)
            if ja is not None:
                return ja, defects + ("charset.mislabelled",)
        return t, defects
    return _relabel(data, defects, "", lambda: data.decode(codec, "replace"))


def _japanese_instead(data: bytes, chinese: str) -> str | None:
    """Japanese text labelled as Chinese (seen in real phishing): return the
    Japanese decoding when it is clearly better, else None."""
    # EUC-JP kana sit at the same code points in GB2312 (rows 4/5), so EUC-JP
    # labelled gb2312 decodes "cleanly" with correct kana and wrong kanji.
    if _KANA_RE.search(chinese):
        t = _decode_euc(data)
        if t is not None:
            return t
    t = _try(data, "cp932")
    if t is not None:
        kana = len(_KANA_RE.findall(t))
        non_ascii = sum(1 for c in t if c >= "\x80")
        if kana >= 2 and kana * 3 >= non_ascii and not _BAD_RE.search(t):
            return t
    return None


def _relabel(
    data: bytes,
    defects: tuple[str, ...],
    exclude: str,
    fallback: Callable[[], str],
    *,
    declared: bool = True,
) -> tuple[str, tuple[str, ...]]:
    """The declared charset failed strictly: keep it when only a few bytes are
    bad (a truncated or slightly damaged body), else try detection, else the
    lenient fallback. ``declared`` says whether ``fallback`` decodes with the
    declared charset (False: it is only a last resort)."""
    if exclude != "utf-8":
        t = _try(data, "utf-8")
        if t is not None:  # valid multi-byte UTF-8 is never an accident
            return t, defects + ("charset.mislabelled",)
    if declared:
        text = fallback()
        if text.count("\ufffd") <= max(2, len(text) // 200):
            return text, defects + ("charset.decode_errors",)
    found = _detect(data, exclude)
    if found is not None:
        return found[1], defects + ("charset.mislabelled",)
    return fallback(), defects + ("charset.decode_errors",)
