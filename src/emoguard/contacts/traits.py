"""What a contact's mail usually looks like, beyond the address: the relay it arrives
from and the phone numbers in its signature.

Both are offline substitutes for things emoguard cannot look up (no GeoIP/ASN data, no
network): instead of asking "which country is this relay in?" the directory remembers
which provider a partner's mail has always come through, and which numbers they sign
with, and the identity rules notice a change (INDICATORS a4, b7).

- :func:`first_external_hop`: walking the ``Received`` headers from the top (the hop
  nearest to us) down, the first one whose sending host is not internal (loopback,
  private or link-local addresses, ``localhost``, the organisation's own domains): the
  relay that handed the mail to the organisation. Its *provider* is the registrable
  domain of its reverse-DNS name (``nx3oBP01-01.ezweb.ne.jp`` -> ``ezweb.ne.jp``), else
  of its HELO name, else its IPv4 /16 (IPv6 /32) network; the network is kept too.
- :func:`signature_phones`: Japanese phone numbers (``03-1234-5678``, ``090-1234-5678``,
  ``(06)6123-4567``, ``+81-3-1234-5678``, full-width digits) in the last lines of the new
  text of a mail (its signature), normalised to national digits (``0312345678``).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from emoguard.contacts.normalize import in_domains, registrable_domain
from emoguard.model import Message

__all__ = ["Hop", "first_external_hop", "format_phone", "signature_phones"]

TRAIT_HOP = "hop"  # provider key of the first external hop
TRAIT_HOPNET = "hopnet"  # its /16 (IPv4) or /32 (IPv6) network
TRAIT_PHONE = "phone"  # a signature phone number, national digits


@dataclass(frozen=True, slots=True)
class Hop:
    """The first external relay of a mail, as its Received header names it."""

    helo: str
    rdns: str
    ip: str
    provider: str  # registrable domain of rdns/helo, or the network when there is no name
    net: str  # "203.0.0.0/16" or "" (no address)

    def describe(self) -> str:
        """``host [ip]``, ``[ip]`` or ``host``."""
        host = self.rdns or self.helo
        if host == self.ip:
            host = ""
        if not self.ip:
            return host or "?"
        return f"{host} [{self.ip}]" if host else f"[{self.ip}]"


_FROM = re.compile(r"^\s*from\s+(?P<helo>\S+)(?P<rest>.*?)(?:\bby\b|;|$)", re.IGNORECASE | re.DOTALL)
_PAREN_NAME_IP = re.compile(r"\(\s*(?:(?P<name>[A-Za-z0-9._\-]+)\s+)?\[?(?P<ip>[0-9A-Fa-f:.]{3,45}?)\]?\s*\)")
_HELO_IN_PAREN = re.compile(r"\(\s*HELO\s+(?P<helo>[^\s)]+)\s*\)", re.IGNORECASE)
_BRACKET_IP = re.compile(r"\[(?:IPv6:)?(?P<ip>[0-9A-Fa-f:.]{3,45})\]")
_INTERNAL_NAMES = frozenset({"localhost", "localhost.localdomain", "unknown", "127.0.0.1", "::1"})


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _name(host: str) -> str:
    """A usable DNS name ('' for IP literals, 'unknown', single labels)."""
    h = host.strip("[]().").lower()
    if not h or h in _INTERNAL_NAMES or _ip(h) is not None or "." not in h:
        return ""
    if not re.fullmatch(r"[a-z0-9\-]+(?:\.[a-z0-9\-]+)+", h):
        return ""
    return h


def _parse(value: str) -> tuple[str, str, str] | None:
    """(helo, rdns, ip) of a Received header's ``from`` clause, or None without one."""
    m = _FROM.match(value)
    if m is None:
        return None
    helo, rest = m.group("helo"), m.group("rest")
    rdns = ip = ""
    hp = _HELO_IN_PAREN.search(rest)
    if hp is not None:  # qmail: "from unknown (HELO rhenium.btinternet.com) (194.73.73.93)"
        helo = hp.group("helo")
    for pm in _PAREN_NAME_IP.finditer(rest):
        if _ip(pm.group("ip")) is not None:
            rdns, ip = pm.group("name") or "", pm.group("ip")
            break
    if not ip:
        bm = _BRACKET_IP.search(helo + " " + rest)
        if bm is not None and _ip(bm.group("ip")) is not None:
            ip = bm.group("ip")
    return helo, rdns, ip


_DOCUMENTATION = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
                                                           "2001:db8::/32"))


def _internal(helo: str, rdns: str, ip: str, own: Sequence[str]) -> bool:
    """A hop inside the organisation (or one that names no usable sender at all)."""
    addr = _ip(ip) if ip else None
    if addr is not None:
        documentation = any(addr.version == n.version and addr in n for n in _DOCUMENTATION)
        # RFC 5737/3849 ranges stand for the Internet in examples and tests
        if not documentation and (addr.is_private or addr.is_loopback or addr.is_link_local
                                  or addr.is_unspecified or addr.is_reserved):
            return True
    names = [n for n in (_name(rdns), _name(helo)) if n]
    if own and any(in_domains(n, tuple(own)) for n in names):
        return True
    return addr is None and not names


def _network(ip: str) -> str:
    addr = _ip(ip)
    if addr is None:
        return ""
    prefix = 16 if addr.version == 4 else 32
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def first_external_hop(message: Message, own_domains: Sequence[str] = ()) -> Hop | None:
    """The relay that handed this mail to the organisation (see the module docstring),
    or None when no Received header names an external sending host."""
    for value in message.header_all("Received")[:30]:
        parsed = _parse(value[:2000])
        if parsed is None:
            continue
        helo, rdns, ip = parsed
        if _internal(helo, rdns, ip, own_domains):
            continue
        net = _network(ip)
        name = _name(rdns) or _name(helo)
        provider = registrable_domain(name) if name else net
        if not provider:
            return None
        return Hop(_name(helo) or helo.strip("[]"), _name(rdns), ip, provider, net)
    return None


# -- signature phone numbers ---------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\d\-+])(?:"
    r"\+81[\s\-.]?\(?0?\)?(?P<i1>\d{1,4})[\s\-.]?(?P<i2>\d{1,4})[\s\-.](?P<i3>\d{3,4})"  # +81-3-1234-5678
    r"|\(0(?P<p1>\d{1,4})\)[\s\-]?(?P<p2>\d{1,4})[\s\-](?P<p3>\d{3,4})"  # (03)1234-5678
    r"|0(?P<d1>\d{1,4})[\-.\s](?P<d2>\d{1,4})[\-.\s](?P<d3>\d{3,4})"  # 03-1234-5678, 090-1234-5678
    r")(?![\d\-])"
)
_SIG_LINES = 12
_QUOTE_MARKS = (">", "＞", "|")


def _digits(m: re.Match[str]) -> str:
    if m.group("i1"):
        return "0" + m.group("i1") + m.group("i2") + m.group("i3")
    if m.group("p1"):
        return "0" + m.group("p1") + m.group("p2") + m.group("p3")
    return "0" + m.group("d1") + m.group("d2") + m.group("d3")


def signature_phones(new_text: str) -> tuple[str, ...]:
    """Phone numbers in the last lines of ``new_text`` (the unquoted part of a body),
    as national digits (``0312345678``), in order. Only 10- and 11-digit numbers
    starting with 0 count (Japanese fixed, mobile, IP and toll-free numbers)."""
    lines = [ln for ln in new_text[-20_000:].splitlines() if ln.strip() and not ln.lstrip().startswith(_QUOTE_MARKS)]
    out: dict[str, None] = {}
    for line in lines[-_SIG_LINES:]:
        s = unicodedata.normalize("NFKC", line).replace("\u2010", "-").replace("\u2212", "-").replace("\u30fc", "-")
        if not any(c.isdigit() for c in s):
            continue
        for m in _PHONE.finditer(s):
            d = _digits(m)
            if len(d) in (10, 11) and not d.startswith("00"):
                out.setdefault(d, None)
    return tuple(out)


def format_phone(digits: str) -> str:
    """A readable form of national digits: 03-1234-5678, 090-1234-5678, 0120-775-200."""
    d = digits
    if len(d) == 11 and d[:3] in ("070", "080", "090", "050"):
        return f"{d[:3]}-{d[3:7]}-{d[7:]}"
    if len(d) == 10 and d.startswith(("0120", "0800")):
        return f"{d[:4]}-{d[4:7]}-{d[7:]}"
    if len(d) == 10 and d[:2] in ("03", "06"):
        return f"{d[:2]}-{d[2:6]}-{d[6:]}"
    if len(d) == 10:
        return f"{d[:3]}-{d[3:6]}-{d[6:]}"
    return d
