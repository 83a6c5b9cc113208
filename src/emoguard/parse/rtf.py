"""HTML encapsulated in RTF (``\\fromhtml1``, [MS-OXRTFEX]) -> HTML text.

Outlook stores many HTML mails only as compressed RTF that wraps the HTML.
``extract_msg`` can unwrap it through RTFDE, a pure-Python grammar parser that
needs ~0.5-1 s per message; this single-pass tokenizer does the part we need
(the HTML text, for reading and URL extraction) in milliseconds and is linear
in the input size.

Rules implemented: text inside ``{\\*\\htmltagN ...}`` groups and text outside
``\\htmlrtf`` ... ``\\htmlrtf0`` regions is HTML; other ignorable
destinations (``{\\* ...}``), font/colour/style tables and pictures are
skipped; ``\\'hh`` bytes are decoded with the ``\\ansicpg`` code page;
``\\uN`` characters skip their ``\\ucN`` fallback characters.
"""

from __future__ import annotations

import re

__all__ = ["html_from_rtf"]

_TOKEN_RE = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z'])|([{}])|([^\\{}\r\n]+)|[\r\n]+"
)
_SKIP_DESTS = frozenset(
    {
        b"fonttbl",
        b"colortbl",
        b"stylesheet",
        b"info",
        b"pict",
        b"object",
        b"header",
        b"footer",
        b"headerl",
        b"headerr",
        b"footerl",
        b"footerr",
        b"listtable",
        b"listoverridetable",
        b"rsidtbl",
        b"generator",
        b"xmlnstbl",
        b"themedata",
        b"datastore",
        b"latentstyles",
        b"colorschememapping",
        b"filetbl",
        b"revtbl",
        b"mhtmltag",
    }
)
_CHAR_WORDS = {
    b"par": "\n",
    b"line": "\n",
    b"tab": "\t",
    b"lquote": "\u2018",
    b"rquote": "\u2019",
    b"ldblquote": "\u201c",
    b"rdblquote": "\u201d",
    b"bullet": "\u2022",
    b"endash": "\u2013",
    b"emdash": "\u2014",
}


_FCHARSET_CODEPAGE = {
    0: "cp1252",
    128: "cp932",
    129: "cp949",
    134: "gb18030",
    136: "cp950",
    161: "cp1253",
    162: "cp1254",
    163: "cp1258",
    177: "cp1255",
    178: "cp1256",
    186: "cp1257",
    204: "cp1251",
    222: "cp874",
    238: "cp1250",
}
_FONT_RE = re.compile(rb"\\f(\d{1,5})[^{}\\]{0,40}(?:\\[a-z]+-?\d*\s?){0,20}?\\fcharset(\d{1,3})")


def _font_codepages(rtf: bytes, default: str) -> dict[int, str]:
    """Font number -> code page, from the font table (``\\fN ... \\fcharsetM``)."""
    start = rtf.find(b"{\\fonttbl")
    if start < 0:
        return {}
    table = rtf[start : start + 65536]
    fonts: dict[int, str] = {}
    for m in _FONT_RE.finditer(table):
        cp = _FCHARSET_CODEPAGE.get(int(m.group(2)))
        fonts[int(m.group(1))] = cp or default
    return fonts


def html_from_rtf(rtf: bytes) -> str | None:
    """The HTML wrapped in ``rtf``, or None when it is not ``\\fromhtml1`` RTF."""
    if b"\\fromhtml1" not in rtf[:1024]:
        return None
    m = re.search(rb"\\ansicpg(\d{1,5})", rtf[:1024])
    codepage = f"cp{int(m.group(1))}" if m else "cp1252"
    try:
        b"".decode(codepage)
    except LookupError:
        codepage = "cp1252"

    fonts = _font_codepages(rtf, codepage)
    out: list[str] = []
    pending = bytearray()
    cur_cp = codepage

    def flush() -> None:
        if pending:
            out.append(pending.decode(cur_cp, "replace"))
            pending.clear()

    # Per-group state: (skip, suppressed, in_htmltag, uc, code page)
    skip = False
    suppressed = False
    in_tag = False
    uc = 1
    stack: list[tuple[bool, bool, bool, int, str]] = []
    star = False  # the group just opened with \*
    group_start = False
    to_skip = 0  # fallback chars still to drop after \uN

    for tok in _TOKEN_RE.finditer(rtf):
        word, param, hexbyte, sym, brace, text = tok.groups()
        if brace is not None:
            if brace == b"{":
                stack.append((skip, suppressed, in_tag, uc, cur_cp))
                group_start = True
                star = False
            else:
                if stack:
                    flush()
                    skip, suppressed, in_tag, uc, cur_cp = stack.pop()
                group_start = False
                star = False
            to_skip = 0
            continue
        first = group_start
        group_start = False
        if word is not None:
            if star:
                if word == b"htmltag":
                    in_tag = True
                else:
                    skip = True  # any other ignorable destination
            elif first and word in _SKIP_DESTS:
                skip = True
            star = False
            if skip:
                continue
            if word == b"htmlrtf":
                suppressed = param != b"0"
            elif word == b"f" and param is not None:
                new_cp = fonts.get(int(param), codepage)
                if new_cp != cur_cp:
                    flush()
                    cur_cp = new_cp
            elif word == b"uc" and param is not None:
                uc = max(0, min(int(param), 10))
            elif word == b"u" and param is not None:
                if not suppressed or in_tag:
                    flush()
                    n = int(param)
                    out.append(chr(n + 65536 if n < 0 else n) if -32768 <= n <= 65535 else "\ufffd")
                to_skip = uc
            elif word in _CHAR_WORDS and (not suppressed or in_tag):
                flush()
                out.append(_CHAR_WORDS[word])
            continue
        if sym is not None:
            if sym == b"*":
                star = True
                group_start = first  # still at the start of the group
                continue
            star = False
            if skip or (suppressed and not in_tag):
                continue
            if to_skip:
                to_skip -= 1
                continue
            if sym in (b"\\", b"{", b"}"):
                pending.extend(sym)
            elif sym == b"~":
                flush()
                out.append("\xa0")
            continue
        star = False
        if skip or (suppressed and not in_tag):
            to_skip = 0
            continue
        if hexbyte is not None:
            if to_skip:
                to_skip -= 1
                continue
            pending.append(int(hexbyte, 16))
        elif text is not None:
            if to_skip:
                drop = min(to_skip, len(text))
                text = text[drop:]
                to_skip -= drop
            pending.extend(text)
    flush()
    return "".join(out)
