"""Frozen data passed between the stages: parse -> features -> rules -> verdict.

Nothing here does I/O or analysis; these are the shapes every front end and
test relies on (DESIGN 2.1/2.2). Defects are plain strings with stable
snake_case names (``mime.boundary_missing``) so rules can match them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = 1

Level = Literal["clean", "suspicious", "malicious"]
LEVELS: tuple[Level, ...] = ("clean", "suspicious", "malicious")


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox from an address header, display name already decoded."""

    name: str
    addr: str

    @property
    def domain(self) -> str:
        """Lower-cased domain part ('' when the address has no '@')."""
        _, at, dom = self.addr.rpartition("@")
        return dom.strip().strip(">").lower() if at else ""

    @property
    def local(self) -> str:
        return self.addr.rpartition("@")[0]

    def __str__(self) -> str:
        if self.name:
            return f"{self.name} <{self.addr}>"
        return self.addr


@dataclass(frozen=True, slots=True)
class Part:
    """A leaf MIME part (or an attachment recovered from uuencode/TNEF/.msg).

    ``payload`` holds the transfer-decoded bytes; ``text`` the charset-decoded
    text for ``text/*`` parts (``None`` otherwise). ``message`` is the parsed
    nested mail for ``message/rfc822`` parts.
    """

    path: str
    content_type: str
    payload: bytes = b""
    charset: str | None = None
    filename: str | None = None
    disposition: str | None = None
    content_id: str | None = None
    text: str | None = None
    is_attachment: bool = False
    origin: str = "mime"  # mime | uuencode | tnef | msg
    message: Message | None = None

    @property
    def size(self) -> int:
        return len(self.payload)


@dataclass(frozen=True, slots=True)
class Message:
    """A parsed mail. Headers are decoded to text; nothing here raises.

    ``headers`` keeps every header in order as (name, decoded value); the
    convenience fields are decoded once by the parser. ``parts`` are the leaf
    parts in MIME order, ``attachments`` the subset a mail client would show
    as attachments.
    """

    headers: tuple[tuple[str, str], ...] = ()
    subject: str = ""
    from_: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    sender: tuple[Address, ...] = ()
    return_path: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    date: str = ""
    text: str = ""
    html: str = ""
    parts: tuple[Part, ...] = ()
    attachments: tuple[Part, ...] = ()
    defects: tuple[str, ...] = ()
    raw_size: int = 0
    kind: str = "eml"  # eml | msg

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive), or None."""
        low = name.lower()
        for k, v in self.headers:
            if k.lower() == low:
                return v
        return None

    def header_all(self, name: str) -> tuple[str, ...]:
        low = name.lower()
        return tuple(v for k, v in self.headers if k.lower() == low)

    @property
    def sender_address(self) -> Address | None:
        return self.from_[0] if self.from_ else None


@dataclass(frozen=True, slots=True)
class FileNode:
    """An attachment (or a member inside one), typed by content.

    ``findings`` are English sentences for people; ``codes`` holds the machine code of
    each finding, in the same order (``emoguard.attachments.codes`` has ja/en labels).
    ``declared_size`` is what an archive directory claims the member expands to.
    """

    name: str
    type: str
    size: int
    sha256: str
    declared_size: int | None = None
    findings: tuple[str, ...] = ()
    children: tuple[FileNode, ...] = ()
    codes: tuple[str, ...] = ()
    md5: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "size": self.size,
            "sha256": self.sha256,
            "findings": list(self.findings),
            "codes": list(self.codes),
            "children": [c.to_dict() for c in self.children],
        }
        if self.md5:
            d["md5"] = self.md5
        if self.declared_size is not None:
            d["declared_size"] = self.declared_size
        return d


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule that fired, with the concrete things that made it fire."""

    rule: str
    score: float
    evidence: tuple[str, ...] = ()
    title_ja: str = ""
    title_en: str = ""
    tags: tuple[str, ...] = ()
    evidence_ja: tuple[str, ...] = ()
    group: str = ""

    def title(self, lang: str = "en") -> str:
        return self.title_ja if lang == "ja" and self.title_ja else self.title_en

    def evidence_for(self, lang: str = "en") -> tuple[str, ...]:
        return self.evidence_ja if lang == "ja" and self.evidence_ja else self.evidence

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "score": self.score,
            "evidence": list(self.evidence),
            "evidence_ja": list(self.evidence_ja),
            "title": {"ja": self.title_ja, "en": self.title_en},
            "tags": list(self.tags),
        }


@dataclass(frozen=True, slots=True)
class Context:
    """What the caller knows about the mail's surroundings (DESIGN 2.1).

    ``directory`` is the contacts store (any object with the lookup methods
    the identity features use); ``known_message_ids`` the Message-IDs of mail
    the organisation really sent; ``passwords`` extra archive passwords.
    """

    recipients: tuple[str, ...] = ()
    recipient_names: tuple[str, ...] = ()
    own_domains: tuple[str, ...] = ()
    directory: Any = None
    known_message_ids: frozenset[str] = frozenset()
    passwords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one analysis. ``to_dict`` is the one serialisation."""

    level: Level
    score: float
    hits: tuple[Hit, ...] = ()
    errors: tuple[str, ...] = ()
    source: str = ""
    message_id: str = ""
    from_: str = ""
    to: tuple[str, ...] = ()
    subject: str = ""
    date: str = ""
    attachments: tuple[FileNode, ...] = ()
    defects: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "source": self.source,
            "message_id": self.message_id,
            "from": self.from_,
            "to": list(self.to),
            "subject": self.subject,
            "date": self.date,
            "level": self.level,
            "score": self.score,
            "hits": [h.to_dict() for h in self.hits],
            "attachments": [a.to_dict() for a in self.attachments],
            "defects": list(self.defects),
            "errors": list(self.errors),
        }
        d.update(self.extra)
        return d
