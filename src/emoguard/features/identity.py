"""Identity features: the sender against the contacts directory (DESIGN 3.1 "identity").

They read ``fx.context.directory`` (an :class:`emoguard.contacts.Directory`, or None when
the caller has none: then they give empty / False results, except where a fallback is
documented). These are the strongest cheap signals against Emotet (INDICATORS "Design
notes" 1): the display name is a real partner, the address is not theirs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from emoguard.contacts.directory import Directory
from emoguard.contacts.normalize import (
    in_domains,
    is_freemail,
    lookalikes,
    normalize_message_id,
    normalize_name,
    registrable_domain,
)
from emoguard.contacts.traits import (
    TRAIT_HOP,
    TRAIT_HOPNET,
    TRAIT_PHONE,
    first_external_hop,
    format_phone,
    signature_phones,
)
from emoguard.features.registry import Features, feature
from emoguard.features.textscan import find_addresses


def _directory(fx: Features) -> Directory | None:
    d = fx.context.directory
    if not isinstance(d, Directory) or d.is_empty:
        return None
    return d


def _own(fx: Features) -> tuple[str, ...]:
    d = fx.context.directory
    own = [x.lower() for x in fx.context.own_domains]
    if isinstance(d, Directory):
        own.extend(d.own)
    return tuple(dict.fromkeys(own))


@lru_cache(maxsize=8)
def _targets(domains: frozenset[str], own: tuple[str, ...]) -> frozenset[str]:
    """Look-alike targets: correspondents' and own registrable domains (cached per
    directory, so a scan does not rebuild the set for every mail)."""
    return frozenset(domains | {registrable_domain(o) for o in own if o}) - {""}


@feature("identity.has_directory", type="bool")
def has_directory(fx: Features) -> bool:
    """A non-empty contacts directory is available (``emoguard contacts``); without one the
    identity features stay silent, except the documented fallbacks (b2 without a
    directory, look-alikes of own domains)."""
    return _directory(fx) is not None


@feature("identity.known_sender", type="bool")
def known_sender(fx: Features) -> bool:
    """The From address is in the contacts directory."""
    d = _directory(fx)
    addr = fx["sender.address"]
    return bool(d is not None and addr and d.knows_address(addr))


@feature("identity.name_addresses", type="list")
def name_addresses(fx: Features) -> tuple[str, ...]:
    """Addresses the directory knows for the From display name (normalised: NFKC, no
    spaces, honorifics 様/さん/殿 stripped, casefolded; 「姓 名」 and romaji are not guessed;
    bare surnames, single Latin words and role names such as 営業部 identify nobody)."""
    d = _directory(fx)
    name = fx["sender.name"]
    if d is None or not name:
        return ()
    return tuple(sorted(d.addresses_for_name(name)))


@feature("identity.name_known_other_address", type="list")
def name_known_other_address(fx: Features) -> tuple[str, ...]:
    """``<name> is known as <address>`` when the From display name is a known contact and
    the From address is none of theirs (INDICATORS a1). Silent when the address shares a
    registrable domain with one of theirs (a colleague or alias at the same company),
    unless that domain is a freemail service (gmail.com is shared by strangers), and when
    the From address is the recipient's own (the mailbox owner writing to themselves)."""
    known = fx["identity.name_addresses"]
    addr = fx["sender.address"]
    if not known or not addr or addr in known or addr in fx["headers.recipient_addresses"]:
        return ()
    reg = registrable_domain(fx["sender.domain"])
    if not is_freemail(reg) and any(registrable_domain(k.rpartition("@")[2]) == reg for k in known):
        return ()
    name = fx["sender.name"]
    return tuple(f"{name} is known as {k}" for k in known)


def _line_names_person(text: str, start: int, name_key: str) -> bool:
    """The display name is written on the same line, before the address."""
    line_start = text.rfind("\n", 0, start) + 1
    seg = normalize_name(text[line_start:start]) or ""
    return bool(name_key) and name_key in seg


def _local_matches_name(local: str, name: str) -> bool:
    tokens = [t.casefold() for t in re.split(r"[\s\u3000.,_\-]+", name) if t.isascii() and len(t) >= 4]
    low = local.casefold()
    return bool(tokens) and any(t.isalpha() and t in low for t in tokens)


@feature("identity.body_names_real_address", type="list")
def body_names_real_address(fx: Features) -> tuple[str, ...]:
    """Addresses of the display-name person written in the body while the mail comes from
    another address (INDICATORS b2). With a directory: the person's known addresses. Else
    (or for an unknown name, from a sender not in the directory), and only for mail that
    is neither a threaded reply nor a list post: an address whose line names the person,
    or whose local part holds the romaji name (4+ letters), on a registrable domain other
    than the From domain."""
    sender = fx["sender.address"]
    name = fx["sender.name"]
    if not sender or not name or sender in fx["headers.recipient_addresses"]:
        return ()  # a note to oneself (From is the recipient) impersonates nobody
    body_addrs = fx["body.addresses"]
    if not body_addrs:
        return ()
    known = set(fx["identity.name_addresses"])
    if known:
        if sender in known:
            return ()
        return tuple(a for a in body_addrs if a in known)
    name_key = normalize_name(name)
    d = _directory(fx)
    if not name_key or (d is not None and d.knows_address(sender)):
        return ()  # a known sender listing another address of theirs is not a spoof
    if fx["headers.has_threading"] or fx["headers.is_list"]:
        # Without a directory the name alone is weak evidence: a real reply (threading
        # headers) or a list post quoting the author's other address looks the same.
        # Emotet's hijacks are new mails without threading headers, sent to people.
        return ()
    sender_reg = registrable_domain(fx["sender.domain"])
    text: str = fx["body.text"][:200_000]
    out: dict[str, None] = {}
    for m in find_addresses(text):
        a = m.group(0).lower()
        if a == sender or a in out:
            continue
        local, _, dom = a.rpartition("@")
        if registrable_domain(dom) == sender_reg:
            continue
        if _line_names_person(text, m.start(), name_key) or _local_matches_name(local, name):
            out[a] = None
    return tuple(out)


@feature("identity.first_contact", type="bool")
def first_contact(fx: Features) -> bool:
    """A directory is available and neither the From address nor its (non-freemail)
    domain has ever been seen: the first mail from this correspondent."""
    d = _directory(fx)
    addr = fx["sender.address"]
    dom = fx["sender.domain"]
    if d is None or not addr or not dom:
        return False
    if d.knows_address(addr) or in_domains(dom, _own(fx)):
        return False
    return not d.knows_domain(dom)


_RESERVED = frozenset({"example.com", "example.net", "example.org"})
_RESERVED_TLDS = (".test", ".example", ".invalid", ".localhost")


@feature("identity.lookalike_domains", type="list")
def lookalike_domains(fx: Features) -> tuple[str, ...]:
    """``sender-domain ~ known-domain`` pairs: the From or Reply-To domain imitates a known
    correspondent's or an own domain (edit distance ≤ 2 on the registrable label, or equal
    after folding confusables: 0/o, 1/l/i, rn/m, vv/w, Cyrillic/Greek homoglyphs, punycode).
    Known and own domains themselves never match. Own domains are checked even without a
    directory."""
    d = _directory(fx)
    own = _own(fx)
    targets = _targets(d.domains if d is not None else frozenset(), own)
    if not targets:
        return ()
    cands = [fx["sender.domain"], *fx["headers.reply_to_domains"]]
    out: dict[str, None] = {}
    for c in dict.fromkeys(x for x in cands if x):
        reg = registrable_domain(c)
        if not reg or in_domains(c, own) or reg in targets or (d is not None and d.knows_domain(c)):
            continue
        if reg in _RESERVED or reg.endswith(_RESERVED_TLDS):
            continue  # RFC 2606 documentation domains: nobody can register a look-alike there
        for t in lookalikes(c, targets):
            out[f"{c} ~ {t}"] = None
    return tuple(out)


@feature("identity.unknown_thread_references", type="list")
def unknown_thread_references(fx: Features) -> tuple[str, ...]:
    """The Message-IDs referenced (In-Reply-To, References) when
    ``identity.reply_to_unknown_thread`` holds; empty otherwise."""
    if not fx["identity.reply_to_unknown_thread"]:
        return ()
    m = fx.message
    return tuple(dict.fromkeys(r for r in (m.in_reply_to, *m.references) if r))


@feature("identity.reply_to_unknown_thread", type="bool")
def reply_to_unknown_thread(fx: Features) -> bool:
    """The mail refers to earlier mail (In-Reply-To/References), the organisation's sent
    Message-IDs are known, and none of the referenced ids is one it sent: a made-up thread.
    Mail from an own domain is exempt."""
    d = _directory(fx)
    sent = set(fx.context.known_message_ids)
    if d is not None:
        sent |= d.sent_ids
    if not sent:
        return False
    m = fx.message
    refs = [r for r in (m.in_reply_to, *m.references) if r]
    if not refs:
        return False
    if in_domains(fx["sender.domain"], _own(fx)):
        return False
    norm_sent = {normalize_message_id(s) for s in sent}
    return not any(normalize_message_id(r) in norm_sent for r in refs)


# -- what a contact's mail usually looks like (INDICATORS a4, b7) -----------------------------------

MIN_HOP_MAILS = 3
"""Learned mails with a first external hop a contact needs before a new relay counts."""
MIN_PHONE_MAILS = 2
"""Learned signature phone observations a contact needs before a new number counts."""


@feature("received.first_hop", type="str")
def first_hop(fx: Features) -> str:
    """The relay that handed the mail to the organisation, ``host [ip]``: the first Received
    hop from the top whose sending host is not internal (loopback or private addresses,
    localhost, own domains). '' when no hop names one."""
    hop = first_external_hop(fx.message, _own(fx))
    return hop.describe() if hop is not None else ""


@feature("received.first_hop_provider", type="str")
def first_hop_provider(fx: Features) -> str:
    """Who runs ``received.first_hop``: the registrable domain of its reverse-DNS (else HELO)
    name (``ezweb.ne.jp``), else its network (``198.51.0.0/16``)."""
    hop = first_external_hop(fx.message, _own(fx))
    return hop.provider if hop is not None else ""


@feature("received.first_hop_network", type="str")
def first_hop_network(fx: Features) -> str:
    """The IPv4 /16 (IPv6 /32) network of ``received.first_hop`` ('' without an address)."""
    hop = first_external_hop(fx.message, _own(fx))
    return hop.net if hop is not None else ""


@feature("identity.claimed_contact", type="list")
def claimed_contact(fx: Features) -> tuple[str, ...]:
    """The known addresses the mail claims to come from: the From address when the directory
    knows it, else the addresses known for the display name (and for an address written in
    the display name)."""
    d = _directory(fx)
    addr = fx["sender.address"]
    if d is None or not addr:
        return ()
    if d.knows_address(addr):
        return (addr,)
    out = dict.fromkeys(fx["identity.name_addresses"])
    for a in fx["sender.display_name_addresses"]:
        if d.knows_address(a):
            out.setdefault(a, None)
    return tuple(out)


def _usual_hops(fx: Features) -> tuple[dict[str, int], set[str]]:
    """(provider -> mails, networks) learned for the claimed contact."""
    d = _directory(fx)
    providers: dict[str, int] = {}
    nets: set[str] = set()
    if d is None:
        return providers, nets
    for a in fx["identity.claimed_contact"]:
        for v, n in d.trait(a, TRAIT_HOP).items():
            providers[v] = providers.get(v, 0) + n
        nets.update(d.trait(a, TRAIT_HOPNET))
    return providers, nets


@feature("identity.usual_first_hops", type="list")
def usual_first_hops(fx: Features) -> tuple[str, ...]:
    """``provider (N mails)`` for the claimed contact when its learned mail came through one
    provider only, at least 3 times (``emoguard contacts learn``); empty otherwise."""
    providers, _ = _usual_hops(fx)
    if len(providers) != 1 or sum(providers.values()) < MIN_HOP_MAILS:
        return ()
    return tuple(f"{p} ({n} mails)" for p, n in providers.items())


@feature("identity.unusual_first_hop", type="list")
def unusual_first_hop(fx: Features) -> tuple[str, ...]:
    """A known contact's mail arriving through a relay never seen for them (INDICATORS a4,
    the offline substitute for a GeoIP/ASN check): the contact's learned mails (at least 3)
    all came through one provider, and this one comes through another provider and
    another network. Names the hop and what was usual."""
    usual = fx["identity.usual_first_hops"]
    desc = fx["received.first_hop"]
    if not usual or not desc:
        return ()
    providers, nets = _usual_hops(fx)
    provider, net = fx["received.first_hop_provider"], fx["received.first_hop_network"]
    if provider in providers or (net and net in nets):
        return ()
    who = ", ".join(fx["identity.claimed_contact"])
    via = f"{desc} ({provider})" if provider != net else f"{desc} (network {net})"
    return (f"came via {via}; {who}'s earlier mail always came via {', '.join(usual)}",)


@feature("body.signature_phones", type="list")
def body_signature_phones(fx: Features) -> tuple[str, ...]:
    """Japanese phone numbers in the signature (last lines of the new text): 03-1234-5678,
    090-…, (06)…, +81 …, full-width digits; written in the usual form."""
    return tuple(format_phone(p) for p in signature_phones(fx["body.new_text"]))


def _known_phones(fx: Features) -> dict[str, int]:
    d = _directory(fx)
    out: dict[str, int] = {}
    if d is None:
        return out
    for a in fx["identity.claimed_contact"]:
        for v, n in d.trait(a, TRAIT_PHONE).items():
            out[v] = out.get(v, 0) + n
    return out


@feature("identity.known_phones", type="list")
def known_phones(fx: Features) -> tuple[str, ...]:
    """Signature phone numbers learned for the claimed contact (at least 2 observations in
    all), in the usual form; empty otherwise."""
    known = _known_phones(fx)
    if sum(known.values()) < MIN_PHONE_MAILS:
        return ()
    return tuple(format_phone(p) for p in sorted(known, key=lambda p: -known[p]))


@feature("identity.unknown_signature_phones", type="list")
def unknown_signature_phones(fx: Features) -> tuple[str, ...]:
    """Signature phone numbers of a mail from (or claiming to be from) a known contact that
    differ from every number learned for them, when none of the learned ones appears in the
    new text (INDICATORS b7: same name, different phone number)."""
    known = fx["identity.known_phones"]
    phones = fx["body.signature_phones"]
    if not known or not phones:
        return ()
    known_digits = set(_known_phones(fx))
    new_text = unicodedata.normalize("NFKC", fx["body.new_text"][-20_000:])
    flat = re.sub(r"\D", "", new_text)
    if any(k in flat for k in known_digits):
        return ()
    return tuple(p for p in phones if re.sub(r"\D", "", p) not in known_digits)
