"""Header and sender-identity features (DESIGN 3.1, "headers")."""

from __future__ import annotations

import re

from emoguard.features.registry import Features, feature

# An address written inside a display name: "yamada@partner.co.jp" <x@y.com.br>
_ADDR_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


@feature("sender.address", type="str")
def sender_address(fx: Features) -> str:
    """The From address, lower-cased ('' when there is none)."""
    a = fx.message.sender_address
    return a.addr.strip().lower() if a else ""


@feature("sender.domain", type="str")
def sender_domain(fx: Features) -> str:
    """Domain of the From address, lower-cased."""
    a = fx.message.sender_address
    return a.domain if a else ""


@feature("sender.name", type="str")
def sender_name(fx: Features) -> str:
    """Decoded From display name, whitespace-normalised."""
    a = fx.message.sender_address
    return " ".join(a.name.split()) if a else ""


@feature("sender.display_name_addresses", type="list")
def display_name_addresses(fx: Features) -> tuple[str, ...]:
    """E-mail addresses written inside the From display name."""
    return tuple(dict.fromkeys(m.lower() for m in _ADDR_IN_TEXT.findall(fx["sender.name"])))


@feature("sender.display_name_foreign_addresses", type="list")
def display_name_foreign_addresses(fx: Features) -> tuple[str, ...]:
    """Addresses in the display name whose domain differs from the From domain (INDICATORS a9)."""
    dom = fx["sender.domain"]
    out = []
    for addr in fx["sender.display_name_addresses"]:
        other = addr.rpartition("@")[2]
        if other != dom and not (dom.endswith("." + other) or other.endswith("." + dom)):
            out.append(addr)
    return tuple(out)


@feature("headers.in_reply_to", type="str")
def in_reply_to(fx: Features) -> str:
    """The In-Reply-To message id ('' when absent)."""
    return fx.message.in_reply_to


@feature("headers.references", type="list")
def references(fx: Features) -> tuple[str, ...]:
    """Message ids listed in References."""
    return fx.message.references


@feature("headers.has_threading", type="bool")
def has_threading(fx: Features) -> bool:
    """True when the mail carries In-Reply-To or References (or Outlook's Thread-Index)."""
    m = fx.message
    return bool(m.in_reply_to or m.references or m.header("Thread-Index"))


@feature("headers.message_id", type="str")
def message_id(fx: Features) -> str:
    """The Message-ID, without angle brackets."""
    return fx.message.message_id.strip("<>")


@feature("headers.message_id_domain", type="str")
def message_id_domain(fx: Features) -> str:
    """Right-hand side of the Message-ID, lower-cased."""
    mid = fx["headers.message_id"]
    return mid.rpartition("@")[2].lower() if "@" in mid else ""


@feature("headers.reply_to_domains", type="list")
def reply_to_domains(fx: Features) -> tuple[str, ...]:
    """Domains of the Reply-To addresses."""
    return tuple(dict.fromkeys(a.domain for a in fx.message.reply_to if a.domain))


@feature("headers.return_path_domain", type="str")
def return_path_domain(fx: Features) -> str:
    """Domain of the Return-Path (envelope sender) address."""
    rp = fx.message.return_path.strip().strip("<>")
    return rp.rpartition("@")[2].lower() if "@" in rp else ""


@feature("headers.x_mailer", type="str")
def x_mailer(fx: Features) -> str:
    """X-Mailer or User-Agent value."""
    return fx.message.header("X-Mailer") or fx.message.header("User-Agent") or ""


@feature("headers.received_count", type="int")
def received_count(fx: Features) -> int:
    """Number of Received headers."""
    return len(fx.message.header_all("Received"))


@feature("headers.recipient_addresses", type="list")
def recipient_addresses(fx: Features) -> tuple[str, ...]:
    """Envelope recipients from the context, else the To/Cc addresses, lower-cased."""
    if fx.context.recipients:
        return tuple(r.lower() for r in fx.context.recipients)
    m = fx.message
    return tuple(dict.fromkeys(a.addr.lower() for a in (*m.to, *m.cc) if a.addr))


@feature("headers.recipient_domains", type="list")
def recipient_domains(fx: Features) -> tuple[str, ...]:
    """Domains of the recipients."""
    return tuple(
        dict.fromkeys(r.rpartition("@")[2] for r in fx["headers.recipient_addresses"] if "@" in r)
    )


@feature("message.defects", type="list")
def defects(fx: Features) -> tuple[str, ...]:
    """Parser defect names (``mime.*``, ``charset.*``, ``header.*``)."""
    return fx.message.defects


@feature("message.kind", type="str")
def kind(fx: Features) -> str:
    """'eml' for RFC 5322 mail, 'msg' for Outlook .msg files."""
    return fx.message.kind


@feature("headers.message_id_is_recipient_domain", type="bool")
def message_id_is_recipient_domain(fx: Features) -> bool:
    """The Message-ID's right-hand side is a recipient's domain but not the sender's (INDICATORS a2).

    Emotet's own mailer (2017-2019) wrote the *recipient's* domain there; a
    mail really sent by the recipient's organisation is not inbound.
    """
    dom = fx["headers.message_id_domain"]
    if not dom or dom == fx["sender.domain"]:
        return False
    own = set(fx.context.own_domains)
    if fx["sender.domain"] in own:
        return False
    return dom in fx["headers.recipient_domains"]
