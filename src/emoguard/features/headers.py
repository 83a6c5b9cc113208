"""Header and sender-identity features (DESIGN 3.1, "headers")."""

from __future__ import annotations

import re

from emoguard.features.registry import Features, feature
from emoguard.features.textscan import find_addresses
from emoguard.model import Message

# An address written inside a display name: "yamada@partner.co.jp" <x@y.com.br>


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
    return tuple(dict.fromkeys(m.lower() for m in (a.group(0) for a in find_addresses(fx["sender.name"]))))


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


def _related(a: str, b: str) -> bool:
    """Same domain, or one a subdomain of the other (mail.example.co.jp ~ example.co.jp)."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def is_list_message(m: Message) -> bool:
    """List-Id / List-Post / List-Unsubscribe / Mailing-List headers, or Precedence: list|bulk|junk."""
    for k, v in m.headers:
        lk = k.lower()
        if lk in ("list-id", "list-post", "list-unsubscribe", "mailing-list", "x-mailing-list"):
            return True
        if lk == "precedence" and v.strip().lower() in ("list", "bulk", "junk"):
            return True
    return False


@feature("headers.is_list", type="bool")
def is_list(fx: Features) -> bool:
    """Mailing-list or bulk mail (List-Id / List-Post / List-Unsubscribe / Precedence: list|bulk).

    Lists rewrite Reply-To and Return-Path by design, so those checks ignore them.
    """
    return is_list_message(fx.message)


_BOUNCE_LOCALS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})


@feature("headers.is_bounce", type="bool")
def is_bounce(fx: Features) -> bool:
    """A delivery report: From mailer-daemon/postmaster, or a multipart/report or delivery-status part.

    Bounces quote mail the sender never took part in and come from other
    domains by design, so the quote and Return-Path checks skip them.
    """
    m = fx.message
    if fx["sender.address"].partition("@")[0] in _BOUNCE_LOCALS:
        return True
    ct = (m.header("Content-Type") or "").lower()
    return "multipart/report" in ct or any(p.content_type.lower() == "message/delivery-status" for p in m.parts)


@feature("headers.reply_to_foreign", type="list")
def reply_to_foreign(fx: Features) -> tuple[str, ...]:
    """Reply-To addresses on a domain unrelated to the From domain (not for list mail).

    Emotet itself did not use Reply-To (INDICATORS a8); a diverted Reply-To is a
    BEC trait, so this is a weak sign that only adds to others.
    """
    if fx["headers.is_list"]:
        return ()
    dom = fx["sender.domain"]
    if not dom:
        return ()
    return tuple(
        dict.fromkeys(
            a.addr.lower() for a in fx.message.reply_to if a.domain and not _related(a.domain, dom)
        )
    )


@feature("headers.return_path_foreign", type="str")
def return_path_foreign(fx: Features) -> str:
    """The Return-Path address when its domain is unrelated to the From domain (not list mail).

    Bulk senders and bounce handlers do this legitimately; Emotet's mail sent
    through a stolen account has the stolen account there while the display
    name claims someone else. Weak alone.
    """
    rpd = fx["headers.return_path_domain"]
    dom = fx["sender.domain"]
    if not rpd or not dom or fx["headers.is_list"] or fx["headers.is_bounce"] or _related(rpd, dom):
        return ""
    if fx.message.header("Sender"):
        return ""
    return fx.message.return_path.strip().strip("<>").lower()


# IntegralDefense eventsentry emotet.py (INDICATORS a2): v1/v2 and v3 Message-ID shapes.
_MID_EMOTET = re.compile(r"^(?:[0-9]{5,}\.20[12][0-9][0-9]{5,}|[0-9]{18,21}\.[0-9a-z]{16})@")


@feature("headers.message_id_emotet_shape", type="bool")
def message_id_emotet_shape(fx: Features) -> bool:
    """The Message-ID has the 2017-2019 Emotet mailer's shape (digits.timestamp@ or 18-21 digits.16 chars@)."""
    return bool(_MID_EMOTET.match(fx["headers.message_id"]))


# Country-code TLDs of the sending accounts seen in the Japanese waves (INDICATORS a1:
# com.br, com.ar, .mx, .vn, …) and other regions far from a Japanese partner.
_FAR_CCTLDS = frozenset({
    "br", "ar", "mx", "vn", "co", "cl", "pe", "ve", "ec", "bo", "uy", "py", "id", "th", "my",
    "ph", "in", "pk", "bd", "ir", "tr", "ua", "ru", "by", "kz", "ng", "za", "ke", "eg", "ma",
    "ro", "bg", "rs", "gr", "pt", "it", "es", "pl", "cz", "hu", "sk", "hr", "si", "lt", "lv",
})  # fmt: skip
_JA_CHARS = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")


@feature("sender.japanese_name_far_domain", type="str")
def japanese_name_far_domain(fx: Features) -> str:
    """The From address when a Japanese display name sends from a distant country's domain.

    .com.br, .com.ar, .mx, .vn…

    A1 without a directory: the name is a Japanese partner's, the account a
    stolen foreign one. Weak alone (people travel, companies have subsidiaries).
    """
    name = fx["sender.name"]
    dom = fx["sender.domain"]
    if not dom or len(_JA_CHARS.findall(name)) < 2:
        return ""
    addr: str = fx["sender.address"]
    return addr if dom.rsplit(".", 1)[-1] in _FAR_CCTLDS else ""


_BOUNDARY_34 = re.compile(r"""boundary\s*=\s*["']?-*(\d{34})["';\s]""", re.IGNORECASE)


@feature("headers.boundary_34_digits", type="str")
def boundary_34_digits(fx: Features) -> str:
    """The MIME boundary when it is ``--`` followed by 34 decimal digits (INDICATORS a6, one 2020 sample)."""
    ct = fx.message.header("Content-Type") or ""
    m = _BOUNDARY_34.search(ct + ";")
    return m.group(0).split("=", 1)[1].strip("\"'; \t") if m else ""
