"""What the verdict page shows of the mail itself, computed in the analysis worker.

The verdict record (DESIGN 2.2) says *why*; a person also wants to see *what*: the key
headers, who the sender is to us (a known contact?), the links (defanged) and the body.
:func:`build_view` turns a parsed :class:`~emoguard.model.Message` into a small JSON-able
dict with all of that, already made safe:

- every string from mail is truncated and defanged (``hxxps://evil[.]example/``);
  autoescaping in the templates does the HTML escaping;
- the HTML body goes through :func:`sanitize_html` (``nh3``, the Rust ``ammonia``
  sanitiser): no scripts, no event handlers, no styles, no forms, no frames, no remote
  images (only ``data:image/...`` survives), and links lose their ``href`` (the defanged
  URL becomes the title). The page then shows it inside ``<iframe sandbox srcdoc>``
  under a Content-Security-Policy that forbids scripts and every remote load, so a
  sanitiser bug still fetches and runs nothing.
"""

from __future__ import annotations

import html as html_mod
import re
from typing import Any

from emoguard.model import Message
from emoguard.sinks.html import defang

MAX_TEXT = 200_000  # characters of the text body shown
MAX_HTML_IN = 1_000_000  # characters of HTML given to the sanitiser
MAX_HEADER = 1_000  # characters of one header value
MAX_URLS = 200

# Headers shown on the verdict page, in this order (each at most MAX_PER_HEADER times).
KEY_HEADERS = (
    "From", "Sender", "Reply-To", "Return-Path", "To", "Cc", "Subject", "Date", "Message-ID",
    "In-Reply-To", "References", "X-Mailer", "User-Agent", "Authentication-Results", "Received-SPF",
    "Received",
)  # fmt: skip
MAX_PER_HEADER = 6

# Tags kept by the sanitiser: text structure and tables. No img src except data:image,
# no style, no form, no input, no iframe/object/embed, no svg/math, no link/meta/base.
_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "wbr",
}  # fmt: skip
_ATTRS = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "table": {"border", "cellpadding", "cellspacing", "width"},
    "ol": {"start"},
    "font": {"color", "size"},
    "*": {"dir", "lang"},
}
# Content dropped with its tag (the rest keep their text when the tag goes).
_DROP_CONTENT = {"script", "style", "title", "noscript", "template", "textarea", "select", "object", "embed",
                 "iframe", "frame", "frameset", "svg", "math", "head", "button", "applet"}  # fmt: skip
_DATA_IMAGE = re.compile(r"^data:image/(?:png|gif|jpeg|webp);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)
_A_TAG = re.compile(r"<a\b([^>]*)>")
_HREF = re.compile(r'\s(href|rel)="([^"]*)"')


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        return value if _DATA_IMAGE.match(value) else None
    if attr in ("width", "height", "border", "cellpadding", "cellspacing", "size", "colspan", "rowspan", "start"):
        return value if value.strip().rstrip("%").isdigit() and len(value) < 8 else None
    return value


def _unlink(m: re.Match[str]) -> str:
    """``<a href="X">`` -> ``<a class="eg-link" title="X defanged">``: shown, not followable."""
    title = ""
    for name, value in _HREF.findall(m.group(1)):
        if name == "href":
            title = defang(html_mod.unescape(value))[:MAX_HEADER]
    attrs = _HREF.sub("", m.group(1))
    t = f' title="{html_mod.escape(title, quote=True)}"' if title else ""
    return f'<a class="eg-link"{t}{attrs}>'


def sanitize_html(source: str) -> str:
    """HTML from mail -> inert HTML (see the module docstring). Never raises."""
    import nh3

    if not source:
        return ""
    text = source[:MAX_HTML_IN]
    try:
        clean = nh3.clean(
            text,
            tags=_TAGS,
            clean_content_tags=_DROP_CONTENT,
            attributes=_ATTRS,
            attribute_filter=_attribute_filter,
            strip_comments=True,
            link_rel=None,
            url_schemes={"http", "https", "mailto", "data"},
        )
    except Exception:  # the sanitiser rejected the input: show nothing of it as HTML
        return ""
    return _A_TAG.sub(_unlink, clean)


def _clip(value: str, n: int = MAX_HEADER) -> str:
    value = value.replace("\x00", "")
    return defang(value if len(value) <= n else value[:n] + "…")


def key_headers(message: Message) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name in KEY_HEADERS:
        for value in message.header_all(name)[:MAX_PER_HEADER]:
            out.append((name, _clip(" ".join(value.split()))))
    return out


def build_view(message: Message, fx: Any) -> dict[str, Any]:
    """The page's view of one message (JSON-able); ``fx`` is its :class:`Features`."""
    sender = message.sender_address
    try:
        urls = [str(u) for u in fx["urls.all"]][:MAX_URLS]
        identity = {
            "has_directory": bool(fx["identity.has_directory"]),
            "known_sender": bool(fx["identity.known_sender"]),
            "first_contact": bool(fx["identity.first_contact"]),
            "name_addresses": [str(a) for a in fx["identity.name_addresses"]][:20],
            "name_other_address": bool(fx["identity.name_known_other_address"]),
            "lookalike": [str(a) for a in fx["identity.lookalike_domains"]][:20],
        }
    except Exception:  # features contain their own failures; be safe anyway
        urls, identity = [], {}
    text = message.text or ""
    html_src = message.html or ""
    return {
        "kind": message.kind,
        "size": message.raw_size,
        "headers": key_headers(message),
        "sender": {
            "name": _clip(sender.name) if sender else "",
            "address": _clip(sender.addr) if sender else "",
            "domain": _clip(sender.domain) if sender else "",
            "reply_to": [_clip(str(a)) for a in message.reply_to][:5],
            **identity,
        },
        "urls": [_clip(u, 2000) for u in urls],
        "text": _clip(text, MAX_TEXT),
        "text_truncated": len(text) > MAX_TEXT,
        "html": sanitize_html(html_src),
        "has_html": bool(html_src.strip()),
        "html_truncated": len(html_src) > MAX_HTML_IN,
    }
