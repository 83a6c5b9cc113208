"""URL features: every link in the text and HTML parts, its host and shape."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import lru_cache
from html import unescape
from itertools import pairwise
from urllib.parse import urlsplit

from emoguard.features.registry import Features, feature

_URL = re.compile(r"""(?i)\b(?:https?|ftp)://[^\s<>"'`{}|\\^\u3000-\u30ff\u4e00-\u9fff]{1,2000}""")
_HREF = re.compile(r"""(?is)<a\b[^>]{0,2000}?\bhref\s*=\s*["']?([^"'\s>]{1,2000})""")


_HREF_WORD = re.compile(r"(?i)\bhref")
_HREF_REGEX_MAX_ANCHORS = 1000


def _urls(text: str) -> Iterator[str]:
    """``_URL.findall(text)``, found from the ``://`` of each URL instead of trying the regex
    at every character (it starts with ``\\b``, which defeats the regex engine's prefix scan).

    Every match has its ``://`` right after the scheme, so it starts 5, 4 or 3 characters
    before one; trying those in order, and skipping starts inside the previous match, gives
    the same leftmost, non-overlapping matches.
    """
    end = 0
    p = text.find("://")
    while p >= 0:
        for start in (p - 5, p - 4, p - 3):
            if start >= end:
                m = _URL.match(text, start)
                if m is not None:
                    yield m.group(0)
                    end = m.end()
                    break
        p = text.find("://", max(p + 3, end))


def _hrefs(html: str) -> Iterator[str]:
    """``_HREF.findall(html)`` in linear time (the regex rescans 2000 characters at every ``<a``).

    From each ``<a``, the regex's lazy prefix settles on the first ``href`` within 2000
    characters, before the tag's ``>``, whose ``= value`` continuation matches. ``href``
    positions are looked for only inside tags, and no stretch of the page is searched twice.
    """
    anchors = html.count("<a") + html.count("<A")
    if not anchors:
        return
    if anchors <= _HREF_REGEX_MAX_ANCHORS:
        # Few anchors: the regex is faster, and each "<a" costs it at most a few thousand steps.
        yield from _HREF.findall(html)
        return
    found: list[int] = []  # href positions seen, ascending
    conts: dict[int, re.Match[str] | None] = {}
    skip: dict[int, int] = {}  # index in found -> a later index; every href between has no continuation
    scanned = 0  # every href starting in [the current tag's start, scanned) is in found
    i = 0
    pos = 0
    gt = -1
    while True:
        m, gt = _next_a(html, pos, gt)
        if m is None:
            return
        pos = m.start() + 1
        lo, hi = m.end(), min(gt, m.end() + 2001)  # the href must start in [lo, hi)
        while i < len(found) and found[i] < lo:
            i += 1
        j = i
        failed: list[int] = []
        while True:
            while j in skip:
                j = skip[j]
            if j == len(found):
                a = max(scanned, lo)
                if a >= hi:
                    break
                h = _HREF_WORD.search(html, a, min(len(html), hi + 3))
                if h is None:
                    scanned = hi
                    break
                found.append(h.start())
                scanned = h.start() + 1
            hp = found[j]
            if hp >= hi:
                break
            if hp not in conts:
                conts[hp] = _A_HREF.match(html, hp)
            c = conts[hp]
            if c is not None:
                yield c.group(1)
                pos = c.end()
                break
            failed.append(j)
            j += 1
        for k in failed:
            skip[k] = j


@feature("urls.all", type="list")
def all_urls(fx: Features) -> tuple[str, ...]:
    """Distinct http(s)/ftp URLs in the text body and HTML links (at most 500)."""
    m = fx.message
    found: dict[str, None] = {}
    for src in (m.text[:500_000], m.html[:2_000_000]):
        for u in _urls(src):
            found.setdefault(u.rstrip(".,;:)]>'\"）」。、"), None)
    for h in _hrefs(m.html[:2_000_000]):
        h = unescape(h)
        if h.lower().startswith(("http://", "https://", "ftp://")):
            found.setdefault(h, None)
    return tuple(found)[:500]


@lru_cache(maxsize=4096)
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
        if not h or not (h[-1].isdigit() or ":" in h):
            continue  # a name, not an address: skip the (slow, raising) parse
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


# d1: /wp-content|wp-includes|wp-admin/<1-30 alnum>/ ; d2: /<dir>/<random token>/
_WP = re.compile(r"^/(?:[^/?#]+/)?(?:wp-content|wp-includes|wp-admin)/[A-Za-z0-9]{1,30}/?$")
_D2 = re.compile(r"^/[A-Za-z0-9_.\-]{1,40}/(?P<t>[A-Za-z0-9]{3,30})/$")
_DOWNLOAD_EXT = re.compile(
    r"\.(?P<e>docm?|xls[mb]?|dotm|xlam|zip|rar|7z|iso|img|lnk|one|exe|scr|js|jse|vbs|vbe|hta|wsf|bat|cmd|ps1|msi|jar)$",
    re.IGNORECASE,
)
_DOWNLOAD_EXT_ANY = re.compile(_DOWNLOAD_EXT.pattern.replace("$", r"(?:[?#]|$)"), re.IGNORECASE)
_EXEC_EXT = {"exe", "scr", "jse", "vbs", "vbe", "hta", "wsf", "bat", "cmd", "ps1", "msi", "jar", "lnk"}


def _random_token(t: str) -> bool:
    """Looks machine-made: letters and digits mixed, with mixed case or several letter/digit switches.

    A digit is required: case-mixed words alone (``/merlyn/LinuxMag/``, ``/users/daWB/``)
    are common in real paths.
    """
    if not any(c.isdigit() for c in t) or not any(c.isalpha() for c in t):
        return False
    inner_upper = any(c.isupper() for c in t[1:])
    has_lower = any(c.islower() for c in t)
    switches = sum(1 for a, b in pairwise(t) if a.isdigit() != b.isdigit())
    return (inner_upper and has_lower) or switches >= 3


@lru_cache(maxsize=4096)
def _split(u: str) -> tuple[str, str, str, int | None] | None:
    try:
        s = urlsplit(u)
        port = s.port
    except ValueError:
        return None
    return (s.hostname or "").lower(), s.path, s.query, port


@feature("urls.emotet_path_shape", type="list")
def emotet_path_shape(fx: Features) -> tuple[str, ...]:
    """URLs shaped like Emotet's compromised-site links, with no file name.

    ``/wp-content/<random>/`` (d1) or ``/<dir>/<RaNd0m>/`` (d2).
    """
    out = []
    for u in fx["urls.all"]:
        if not u.endswith(("/", "?i=1")):
            continue
        sp = _split(u)
        if sp is None:
            continue
        _, path, query, _ = sp
        if query and query != "i=1":
            continue
        if _WP.match(path):
            out.append(u)
            continue
        m = _D2.match(path)
        if m and _random_token(m.group("t")):
            out.append(u)
    return tuple(out)


@feature("urls.query_i1", type="list")
def query_i1(fx: Features) -> tuple[str, ...]:
    """URLs ending in ``?i=1`` (the 2022 epoch-4 download link; INDICATORS d3)."""
    return tuple(u for u in fx["urls.all"] if u.endswith("?i=1"))


@feature("urls.explicit_ports", type="list")
def explicit_ports(fx: Features) -> tuple[str, ...]:
    """URLs that name a port explicitly (``https://site:443/``, ``http://host:8080/``; INDICATORS d4)."""
    out = []
    for u in fx["urls.all"]:
        if ":" not in u[u.find("//") + 2 :].split("/", 1)[0]:
            continue
        sp = _split(u)
        if sp is not None and sp[3] is not None:
            out.append(u)
    return tuple(out)


@feature("urls.download_targets", type="list")
def download_targets(fx: Features) -> tuple[str, ...]:
    """URLs whose path ends in an Office macro, archive, disk-image, shortcut or script/executable file name."""
    out = []
    for u in fx["urls.all"]:
        if not _DOWNLOAD_EXT_ANY.search(u):
            continue
        sp = _split(u)
        if sp is not None and _DOWNLOAD_EXT.search(sp[1]):
            out.append(u)
    return tuple(out)


@feature("urls.executable_targets", type="list")
def executable_targets(fx: Features) -> tuple[str, ...]:
    """Download targets that are executables, scripts or shortcuts (.exe, .js, .vbs, .hta, .lnk …)."""
    out = []
    for u in fx["urls.download_targets"]:
        sp = _split(u)
        m = _DOWNLOAD_EXT.search(sp[1]) if sp else None
        if m and m.group("e").lower() in _EXEC_EXT:
            out.append(u)
    return tuple(out)


_ANCHOR = re.compile(r"""(?is)<a\b[^>]{0,2000}?\bhref\s*=\s*["']?([^"'\s>]{1,2000})[^>]{0,2000}>(.{0,500}?)</a\s*>""")
# _ANCHOR in pieces: on a page of "<a href='" with no ">" the one regex backtracked
# 2000 x 2000 steps at every "<a" (minutes for 2 MB). _anchors() finds the same pairs.
_A_OPEN = re.compile(r"(?i)<a\b")
_A_HREF = re.compile(r"""(?is)\bhref\s*=\s*["']?([^"'\s>]{1,2000})""")
_A_INNER = re.compile(r"(?is)(.{0,500}?)</a\s*>")
_A_SPAN = 8192  # longest <a ...> tag _ANCHOR can match: 3 bounded runs of 2000 plus the fixed parts
_TAG = re.compile(r"<[^>]{0,2000}>")
_HOSTLIKE = re.compile(r"(?i)^(?:https?://)?(?:www\.)?((?:[a-z0-9\-]+\.)+[a-z]{2,})(?::\d+)?(?:[/?#]\S*)?$")


def _next_a(html: str, pos: int, gt: int) -> tuple[re.Match[str] | None, int]:
    """The next ``<a`` at or after ``pos`` and the first ``>`` after it (``len(html)`` if none);
    ``gt`` is the previous answer, reused while it still lies ahead."""
    m = _A_OPEN.search(html, pos)
    if m is not None and gt < m.end():
        gt = html.find(">", m.end())
        if gt < 0:
            gt = len(html)
    return m, gt


def _anchors(html: str) -> Iterator[tuple[str, str]]:
    """``_ANCHOR.findall(html)`` in linear time (for tags up to ``_A_SPAN`` characters).

    A match is ``<a`` ... its first ``>`` (the tag holds no other ``>``), then up to 500
    characters and ``</a>``. Within the tag, the first ``href=`` whose value ends at most
    2000 characters before the ``>`` is the one the regex's lazy prefix settles on.
    """
    pos = 0
    gt = -1
    while True:
        m, gt = _next_a(html, pos, gt)
        if m is None or gt == len(html):
            return
        start = m.start()
        pos = start + 1
        if gt - start > _A_SPAN:
            continue
        inner = _A_INNER.match(html, gt + 1)
        if inner is None:
            continue
        p = m.end()
        while p <= min(gt, m.end() + 2000):
            h = _A_HREF.search(html, p, gt)
            if h is None or h.start() > m.end() + 2000:
                break
            if gt - h.end() <= 2000:
                yield h.group(1), inner.group(1)
                pos = inner.end()
                break
            p = h.start() + 1


def _base(h: str) -> str:
    return h[4:] if h.startswith("www.") else h


@feature("urls.text_host_mismatch", type="list")
def text_host_mismatch(fx: Features) -> tuple[str, ...]:
    """HTML links whose visible text is a URL or host name other than the one the link goes to.

    Returned as ``shown -> target``. Subdomains of each other count as the same site.
    """
    html = fx.message.html[:2_000_000]
    if "<a" not in html and "<A" not in html:
        return ()
    out: dict[str, None] = {}
    for href, inner in _anchors(html):
        href = unescape(href)
        if not href.lower().startswith(("http://", "https://")):
            continue
        shown = " ".join(unescape(_TAG.sub("", inner)).split())
        m = _HOSTLIKE.match(shown)
        if not m:
            continue
        a, b = _base(m.group(1).lower()), _base(_host(href))
        if not b or a == b or a.endswith("." + b) or b.endswith("." + a):
            continue
        out.setdefault(f"{shown} -> {href}", None)
        if len(out) >= 10:
            break
    return tuple(out)
