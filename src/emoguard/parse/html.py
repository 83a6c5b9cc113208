"""HTML -> plain text, fast and linear-time on hostile input.

Only for reading what a mail says (features look for lure phrases and
passwords in it); never for display. Every pattern is bounded so that a
failed match cannot rescan the input: tags may not contain ``<``, and
comments / script blocks are cut with ``str.find``-style forward scans.
"""

from __future__ import annotations

import re
from html import unescape

__all__ = ["html_to_text"]

# Elements whose content is never shown.
_DROP_OPEN_RE = re.compile(r"<(script|style|head|title|noscript|template|xml)\b[^<>]*>", re.I)
_CLOSE_RES = {
    name: re.compile(rf"</{name}\s*>", re.I)
    for name in ("script", "style", "head", "title", "noscript", "template", "xml")
}
# Unclosed script/style hides the rest of the page in a browser, too.
_DROP_TO_END = frozenset({"script", "style", "template", "xml"})

_WS_RE = re.compile(r"[ \t\n\r\f]+")
_BLOCK_RE = re.compile(
    r"<(?:br|p|div|li|tr|h[1-6]|table|tbody|thead|ul|ol|dl|dt|dd|blockquote|pre|hr|"
    r"section|article|header|footer|address|center|form|fieldset|caption|"
    r"/p|/div|/li|/tr|/h[1-6]|/table|/ul|/ol|/dl|/blockquote|/pre|/section|/article|"
    r"/header|/footer|/center|/form|/caption|/address)\b[^<>]*>",
    re.I,
)
_CELL_RE = re.compile(r"</?(?:td|th)\b[^<>]*>", re.I)
_TAG_RE = re.compile(r"<[/!?a-zA-Z][^<>]*>")
_HSPACE_RE = re.compile(r"[ \t\f\v\u00a0\u200b]+")
_BLANKS_RE = re.compile(r"\n{3,}")


def _strip_comments(html: str) -> str:
    if "<!--" not in html:
        return html
    out: list[str] = []
    pos = 0
    while True:
        start = html.find("<!--", pos)
        if start < 0:
            out.append(html[pos:])
            break
        out.append(html[pos:start])
        end = html.find("-->", start + 4)
        if end < 0:
            break  # an unclosed comment swallows the rest, as in a browser
        pos = end + 3
    return "".join(out)


def _strip_hidden(html: str) -> str:
    out: list[str] = []
    pos = 0
    # Per element name: where the last search for its close tag started, and what it found
    # (None: no close tag after that point). Reusing it keeps a page of many unclosed
    # <title>s or <head>s linear instead of rescanning the rest of the page for each.
    closes: dict[str, tuple[int, re.Match[str] | None]] = {}
    while True:
        m = _DROP_OPEN_RE.search(html, pos)
        if m is None:
            out.append(html[pos:])
            break
        out.append(html[pos : m.start()])
        name = m.group(1).lower()
        searched, close = closes.get(name, (-1, None))
        if searched < 0 or (close is not None and close.start() < m.end()):
            close = _CLOSE_RES[name].search(html, m.end())
            closes[name] = (m.end(), close)
        if close is not None:
            pos = close.end()
        elif name in _DROP_TO_END:
            break
        else:
            pos = m.end()  # an unclosed <head>/<title>: drop just the tag
    return "".join(out)


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, with line breaks at block elements,
    entities unescaped and whitespace collapsed. Linear time; never raises."""
    try:
        return _html_to_text(html)
    except Exception:
        return ""


def _html_to_text(html: str) -> str:
    if not html:
        return ""
    s = _strip_comments(html)
    s = _strip_hidden(s)
    s = _WS_RE.sub(" ", s)
    s = _BLOCK_RE.sub("\n", s)
    s = _CELL_RE.sub(" ", s)
    s = _TAG_RE.sub("", s)
    if "&" in s:
        s = unescape(s)
    s = _HSPACE_RE.sub(" ", s)
    lines = [line.strip() for line in s.split("\n")]
    s = "\n".join(lines)
    s = _BLANKS_RE.sub("\n\n", s)
    return s.strip()
