"""URL features: every link in the text and HTML parts, its host and shape."""

from __future__ import annotations

import ipaddress
import re
from html import unescape
from urllib.parse import urlsplit

from emoguard.features.registry import Features, feature

_URL = re.compile(r"""(?i)\b(?:https?|ftp)://[^\s<>"'`{}|\\^\u3000-\u30ff\u4e00-\u9fff]{1,2000}""")
_HREF = re.compile(r"""(?is)<a\b[^>]{0,2000}?\bhref\s*=\s*["']?([^"'\s>]{1,2000})""")


@feature("urls.all", type="list")
def all_urls(fx: Features) -> tuple[str, ...]:
    """Distinct http(s)/ftp URLs in the text body and HTML links (at most 500)."""
    m = fx.message
    found: dict[str, None] = {}
    for src in (m.text[:500_000], m.html[:2_000_000]):
        for u in _URL.findall(src):
            found.setdefault(u.rstrip(".,;:)]>'\"）」。、"), None)
    for h in _HREF.findall(m.html[:2_000_000]):
        h = unescape(h)
        if h.lower().startswith(("http://", "https://", "ftp://")):
            found.setdefault(h, None)
    return tuple(found)[:500]


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@feature("urls.hosts", type="list")
def hosts(fx: Features) -> tuple[str, ...]:
    """Distinct host names of the URLs, lower-cased."""
    return tuple(dict.fromkeys(h for u in fx["urls.all"] if (h := _host(u))))


@feature("urls.ip_hosts", type="list")
def ip_hosts(fx: Features) -> tuple[str, ...]:
    """URLs whose host is a literal IP address (INDICATORS d4)."""
    out = []
    for u in fx["urls.all"]:
        h = _host(u)
        try:
            ipaddress.ip_address(h)
        except ValueError:
            continue
        out.append(u)
    return tuple(out)


@feature("urls.paths", type="list")
def paths(fx: Features) -> tuple[str, ...]:
    """The path (and query) of every URL."""
    out = []
    for u in fx["urls.all"]:
        try:
            s = urlsplit(u)
        except ValueError:
            continue
        out.append(s.path + ("?" + s.query if s.query else ""))
    return tuple(out)
