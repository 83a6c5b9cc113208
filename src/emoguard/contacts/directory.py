"""The contacts directory: who the organisation knows, as an immutable snapshot.

:class:`Directory` is what features see (``Context.directory``). It is built once per
run (from the SQLite store, a history folder, or a rule sample's ``context.yml``) and
travels to worker processes pickled inside the :class:`~emoguard.model.Context`, so it
holds only plain dicts, tuples and frozensets of normalised strings.

:class:`DirectoryBuilder` collects entries from address books (``add_contact``) and
from mail history (``learn``) and produces a ``Directory`` (``build``) or the rows the
store keeps (``entries``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from emoguard.contacts.normalize import (
    domain_of,
    in_domains,
    is_freemail,
    normalize_address,
    normalize_message_id,
    normalize_name,
    registrable_domain,
)
from emoguard.contacts.traits import TRAIT_HOP, TRAIT_HOPNET, TRAIT_PHONE, first_external_hop, signature_phones
from emoguard.model import Message

# Sources an entry can come from. Imports are "import:<format>".
SOURCE_MAIL = "mail"  # seen in From/To/Cc of mail the organisation received
SOURCE_SENT = "sent"  # the organisation wrote to this address (or sent from it)


@dataclass(frozen=True, slots=True)
class AddressStats:
    """What the directory knows about one address."""

    address: str
    names: tuple[str, ...]
    count: int
    first_seen: str
    last_seen: str
    sources: tuple[str, ...]

    @property
    def correspondent(self) -> bool:
        """The organisation has written to this address (a real two-way contact)."""
        return SOURCE_SENT in self.sources or any(s.startswith("import") for s in self.sources)


@dataclass(frozen=True, slots=True, eq=False)
class Directory:
    """Immutable, picklable contacts snapshot. Build with :class:`DirectoryBuilder`.

    ``by_name``: normalised display name -> addresses; ``by_address``: address ->
    (display names as written, count, first seen, last seen, sources);
    ``domains``: registrable domains of known addresses, freemail excluded;
    ``sent_ids``: Message-IDs of mail the organisation sent (``<id@host>``);
    ``own``: the organisation's domains; ``traits``: kind (``hop``, ``hopnet``, ``phone``)
    -> address -> value -> number of mails (see :mod:`emoguard.contacts.traits`).
    """

    by_name: dict[str, frozenset[str]] = field(default_factory=dict)
    by_address: dict[str, tuple[tuple[str, ...], int, str, str, tuple[str, ...]]] = field(default_factory=dict)
    domains: frozenset[str] = frozenset()
    sent_ids: frozenset[str] = frozenset()
    own: tuple[str, ...] = ()
    traits: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> Directory:
        return cls()

    @classmethod
    def load(cls, state_dir: str | Path, *, own_domains: Sequence[str] = ()) -> Directory:
        """The directory kept in the store under ``state_dir``; empty when there is none.

        Does not create a store that does not exist yet.
        """
        from emoguard.sinks.store import DB_NAME, Store

        path = Path(state_dir) / DB_NAME
        if not path.is_file():
            return cls.empty()
        with Store(path) as store:
            return store.load_directory(own_domains=own_domains)

    # -- size -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.by_address)

    def __bool__(self) -> bool:
        return True  # an empty directory is still a directory; use is_empty

    @property
    def is_empty(self) -> bool:
        return not self.by_address and not self.sent_ids

    # -- lookups ----------------------------------------------------------------------

    def addresses_for_name(self, name: str) -> frozenset[str]:
        """Addresses known for a display name (normalised: see ``normalize_name``;
        names too unspecific to identify a person give nothing: see ``person_key``)."""
        key = person_key(name)
        return self.by_name.get(key, frozenset()) if key else frozenset()

    def names_for_address(self, address: str) -> tuple[str, ...]:
        entry = self.by_address.get(normalize_address(address))
        return entry[0] if entry else ()

    def knows_address(self, address: str) -> bool:
        return normalize_address(address) in self.by_address

    def knows_domain(self, domain: str) -> bool:
        """A correspondent's (non-freemail) registrable domain, or an own domain."""
        reg = registrable_domain(domain)
        return bool(reg) and (reg in self.domains or self.is_own_domain(domain))

    def is_own_domain(self, domain: str) -> bool:
        return bool(domain) and in_domains(domain.lower(), self.own)

    @property
    def known_domains(self) -> frozenset[str]:
        return self.domains

    @property
    def own_domains(self) -> tuple[str, ...]:
        return self.own

    def stats(self, address: str) -> AddressStats | None:
        addr = normalize_address(address)
        entry = self.by_address.get(addr)
        if entry is None:
            return None
        names, count, first, last, sources = entry
        return AddressStats(addr, names, count, first, last, sources)

    def trait(self, address: str, kind: str) -> dict[str, int]:
        """What was learned of one kind for an address: value -> number of mails
        (``hop``: provider of the first external relay, ``hopnet``: its network,
        ``phone``: signature phone numbers as national digits)."""
        return self.traits.get(kind, {}).get(normalize_address(address), {})

    def is_sent_id(self, message_id: str) -> bool:
        return normalize_message_id(message_id) in self.sent_ids

    @property
    def has_sent_ids(self) -> bool:
        return bool(self.sent_ids)

    def contacts(self) -> Iterator[AddressStats]:
        """Every known address, sorted."""
        for addr in sorted(self.by_address):
            s = self.stats(addr)
            if s is not None:
                yield s

    def with_own_domains(self, domains: Iterable[str]) -> Directory:
        """A copy that also treats ``domains`` as the organisation's own."""
        own = tuple(dict.fromkeys([*self.own, *(d.lower().strip() for d in domains if d.strip())]))
        if own == self.own:
            return self
        return Directory(self.by_name, self.by_address, self.domains, self.sent_ids, own, self.traits)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def headers_only(data: bytes) -> bytes:
    """The header block of an RFC 5322 message (learning needs no body). Outlook .msg
    files (OLE) are returned whole: their headers are not a prefix."""
    if data.startswith(_OLE_MAGIC):
        return data
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = data.find(sep)
        if i >= 0:
            return data[: i + len(sep)]
    return data


def person_key(name: str, address: str = "") -> str:
    """The key a display name is indexed under as a *person*, or '' when the name is too
    unspecific to identify one: role words, the mailbox's own local part ("info"), a
    one- or two-character name (a bare surname such as 佐藤 is shared by many people),
    or a single Latin word ("yamada")."""
    key = normalize_name(name)
    if not key or key == address.partition("@")[0].casefold():
        return ""
    if key.isascii():
        words = [w for w in unicodedata.normalize("NFKC", name).split() if any(c.isalpha() for c in w)]
        return key if len(words) >= 2 else ""
    return key if len(key) >= 3 else ""


def _trusted_addresses(addrs: set[str], sources: dict[str, dict[str, None]]) -> frozenset[str]:
    """The addresses a name stands for. When some of them are trusted (the organisation
    wrote to them, or an address book lists them), an address only ever seen in
    *received* mail on another domain is left out: it may be the spoof itself, learned
    from an inbox that already held Emotet mail."""
    trusted = {a for a in addrs if any(src != SOURCE_MAIL for src in sources.get(a, {}))}
    if not trusted or trusted == addrs:
        return frozenset(addrs)
    regs = {registrable_domain(domain_of(a)) for a in trusted}
    return frozenset(trusted | {a for a in addrs if registrable_domain(domain_of(a)) in regs})


def _iso(value: str | datetime | None) -> str:
    """A sortable UTC timestamp ('' when unknown or unreadable)."""
    if value is None or value == "":
        return ""
    dt: datetime
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            try:
                dt = datetime.fromisoformat(value)
            except ValueError:
                return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return ""


def _seen(row: Entry | Trait, when: str, n: int) -> None:
    """Count ``n`` more sightings of a row and widen its first/last seen to ``when``."""
    row.count += n
    if when:
        if not row.first_seen or when < row.first_seen:
            row.first_seen = when
        if not row.last_seen or when > row.last_seen:
            row.last_seen = when


@dataclass(slots=True)
class Entry:
    """One (address, name as written, source) row with its counters."""

    address: str
    name: str
    source: str
    count: int = 0
    first_seen: str = ""
    last_seen: str = ""

    def seen(self, when: str, n: int = 1) -> None:
        _seen(self, when, n)


@dataclass(slots=True)
class Trait:
    """One (address, kind, value) observation with its counters (a learned hop or phone)."""

    address: str
    kind: str
    value: str
    count: int = 0
    first_seen: str = ""
    last_seen: str = ""

    def seen(self, when: str, n: int = 1) -> None:
        _seen(self, when, n)


LEARN_PREFIX = 256 * 1024
"""Bytes of a history mail read when learning: the headers and the text part (for the
signature's phone numbers); attachments further on are not needed."""


def _body_text(message: Message) -> str:
    if message.text.strip():
        return message.text
    if message.html:
        from emoguard.parse import html_to_text

        return html_to_text(message.html)
    return ""


class DirectoryBuilder:
    """Collects contacts from address books and mail history, then ``build()``s."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], Entry] = {}
        self._traits: dict[tuple[str, str, str], Trait] = {}
        self._sent: dict[str, str] = {}
        self._own: dict[str, None] = {}
        self.messages = 0

    # -- input ------------------------------------------------------------------------

    def add_contact(
        self,
        name: str,
        address: str,
        *,
        source: str,
        count: int = 0,
        first_seen: str = "",
        last_seen: str = "",
    ) -> bool:
        """Add one (name, address) pair; False when the address is unusable."""
        addr = normalize_address(address)
        if not addr:
            return False
        clean = " ".join((name or "").split())
        if clean.lower() == addr:
            clean = ""
        key = (addr, clean, source)
        e = self._entries.get(key)
        if e is None:
            e = self._entries[key] = Entry(addr, clean, source)
        e.count += count
        for when in (first_seen, last_seen):
            if when:
                e.seen(when, 0)
        return True

    def add_trait(self, address: str, kind: str, value: str, *, count: int = 1, first_seen: str = "",
                  last_seen: str = "") -> None:
        """Count one observation (a first external hop, a signature phone) for an address."""
        addr = normalize_address(address)
        if not addr or not value:
            return
        key = (addr, kind, value)
        t = self._traits.get(key)
        if t is None:
            t = self._traits[key] = Trait(addr, kind, value)
        t.count += count
        for when in (first_seen, last_seen):
            if when:
                t.seen(when, 0)

    def add_sent_id(self, message_id: str, when: str = "") -> None:
        mid = normalize_message_id(message_id)
        if mid and (mid not in self._sent or (when and when < self._sent[mid])):
            self._sent[mid] = when

    def add_own_domains(self, domains: Iterable[str]) -> None:
        for d in domains:
            d = d.strip().lower()
            if d:
                self._own.setdefault(d, None)

    def learn(
        self, message: Message, *, own_domains: Sequence[str], date: str | datetime | None = None
    ) -> None:
        """Record the mailboxes of one mail from history.

        From/To/Cc are counted with first/last seen (the mail's Date unless ``date``
        is given). Mail sent *from* an own domain also records its Message-ID as sent
        and its recipients as correspondents (source ``sent``).
        """
        self.add_own_domains(own_domains)
        own = tuple(self._own)
        when = _iso(date if date is not None else message.date)
        sender = message.from_[0] if message.from_ else None
        outgoing = bool(sender and sender.domain and in_domains(sender.domain, own))
        self.messages += 1
        for a in (*message.from_, *message.to, *message.cc):
            addr = normalize_address(a.addr)
            if not addr:
                continue
            is_sender = sender is not None and a is sender
            source = SOURCE_SENT if outgoing and not is_sender else SOURCE_MAIL
            name = " ".join(a.name.split())
            if name.lower() == addr:
                name = ""
            key = (addr, name, source)
            e = self._entries.get(key)
            if e is None:
                e = self._entries[key] = Entry(addr, name, source)
            e.seen(when)
        if outgoing and message.message_id:
            self.add_sent_id(message.message_id, when)
        if sender is not None and (saddr := normalize_address(sender.addr)):
            self._learn_traits(saddr, message, own, when)

    def _learn_traits(self, address: str, message: Message, own: tuple[str, ...], when: str) -> None:
        """The relay this sender's mail came through and the phones in its signature.

        List posts teach no hop: they arrive through the list server, not the author's provider.
        """
        from emoguard.features.headers import is_list_message

        hop = None if is_list_message(message) else first_external_hop(message, own)
        if hop is not None:
            self.add_trait(address, TRAIT_HOP, hop.provider, first_seen=when, last_seen=when)
            self.add_trait(address, TRAIT_HOPNET, hop.net, first_seen=when, last_seen=when)
        text = _body_text(message)
        if text:
            from emoguard.features.body import split_quote

            for phone in signature_phones(split_quote(text[:200_000])[0]):
                self.add_trait(address, TRAIT_PHONE, phone, first_seen=when, last_seen=when)

    def learn_bytes(
        self, raw: bytes, *, own_domains: Sequence[str], date: str | datetime | None = None
    ) -> bool:
        """:meth:`learn` from raw mail bytes, parsing only the first :data:`LEARN_PREFIX`
        bytes (headers and the text part; a history of thousands of mails with attachments
        learns in seconds). False for empty input."""
        from emoguard.parse import parse_message

        if not raw.strip():
            return False
        data = raw if raw.startswith(_OLE_MAGIC) else raw[:LEARN_PREFIX]
        self.learn(parse_message(data), own_domains=own_domains, date=date)
        return True

    def merge_rows(
        self,
        rows: Iterable[tuple[str, str, str, int, str, str]],
        sent_ids: Iterable[tuple[str, str]] = (),
        own_domains: Iterable[str] = (),
    ) -> None:
        """Add stored rows (address, name, source, count, first, last) as they are."""
        for addr, name, source, count, first, last in rows:
            key = (addr, name, source)
            e = self._entries.get(key)
            if e is None:
                e = self._entries[key] = Entry(addr, name, source)
            e.count += int(count)
            for when in (first, last):
                if when:
                    e.seen(when, 0)
        for mid, when in sent_ids:
            self.add_sent_id(mid, when)
        self.add_own_domains(own_domains)

    # -- output -----------------------------------------------------------------------

    def merge_traits(self, rows: Iterable[tuple[str, str, str, int, str, str]]) -> None:
        """Add stored trait rows (address, kind, value, count, first, last) as they are."""
        for addr, kind, value, count, first, last in rows:
            self.add_trait(addr, kind, value, count=int(count), first_seen=first, last_seen=last)

    def entries(self) -> list[Entry]:
        return list(self._entries.values())

    def trait_entries(self) -> list[Trait]:
        return list(self._traits.values())

    def sent_ids(self) -> list[tuple[str, str]]:
        return list(self._sent.items())

    def own_domains(self) -> tuple[str, ...]:
        return tuple(self._own)

    def __len__(self) -> int:
        return len({e.address for e in self._entries.values()})

    def build(self) -> Directory:
        by_name: dict[str, set[str]] = {}
        names: dict[str, dict[str, None]] = {}
        count: dict[str, int] = {}
        first: dict[str, str] = {}
        last: dict[str, str] = {}
        sources: dict[str, dict[str, None]] = {}
        for e in self._entries.values():
            a = e.address
            names.setdefault(a, {})
            if e.name:
                names[a].setdefault(e.name, None)
                key = person_key(e.name, a)
                if key:
                    by_name.setdefault(key, set()).add(a)
            count[a] = count.get(a, 0) + e.count
            if e.first_seen and (a not in first or e.first_seen < first[a]):
                first[a] = e.first_seen
            if e.last_seen and (a not in last or e.last_seen > last[a]):
                last[a] = e.last_seen
            sources.setdefault(a, {}).setdefault(e.source, None)
        own = tuple(self._own)
        domains = frozenset(
            reg
            for a in names
            if (dom := domain_of(a)) and not is_freemail(dom) and not in_domains(dom, own)
            and (reg := registrable_domain(dom))
        )
        by_address = {
            a: (tuple(names[a]), count[a], first.get(a, ""), last.get(a, ""), tuple(sorted(sources[a])))
            for a in sorted(names)
        }
        traits: dict[str, dict[str, dict[str, int]]] = {}
        for t in self._traits.values():
            per = traits.setdefault(t.kind, {}).setdefault(t.address, {})
            per[t.value] = per.get(t.value, 0) + t.count
        return Directory(
            by_name={k: _trusted_addresses(v, sources) for k, v in by_name.items()},
            by_address=by_address,
            domains=domains,
            sent_ids=frozenset(self._sent),
            own=own,
            traits=traits,
        )


def directory_from_mapping(doc: dict[str, object]) -> Directory:
    """A directory from plain data (a rule sample's ``context.yml``)::

        contacts:
          - {name: 山田 太郎, address: yamada@partner.co.jp,
             hops: {partner.co.jp: 5, 203.0.0.0/16: 5},   # first external hop -> mails
             phones: {03-1234-5678: 3}}                  # signature phones -> mails
        sent_message_ids: ["<abc@example.co.jp>"]
        own_domains: [example.co.jp]

    ``hops`` keys with a ``/`` are networks, the others providers; ``phones`` may also
    be a plain list (each counted once).
    """
    b = DirectoryBuilder()
    contacts = doc.get("contacts") or []
    if isinstance(contacts, list):
        for c in contacts:
            if isinstance(c, dict):
                addr = str(c.get("address", "") or "")
                b.add_contact(
                    str(c.get("name", "") or ""), addr,
                    source=str(c.get("source", SOURCE_SENT)), count=int(c.get("count", 1) or 0),
                    first_seen=str(c.get("first_seen", "") or ""), last_seen=str(c.get("last_seen", "") or ""),
                )
                hops = c.get("hops") or {}
                if isinstance(hops, dict):
                    for value, n in hops.items():
                        b.add_trait(addr, TRAIT_HOPNET if "/" in str(value) else TRAIT_HOP, str(value), count=int(n))
                phones = c.get("phones") or {}
                items = phones.items() if isinstance(phones, dict) else ((p, 1) for p in phones) \
                    if isinstance(phones, list) else ()
                for value, n in items:
                    for digits in signature_phones(str(value)):
                        b.add_trait(addr, TRAIT_PHONE, digits, count=int(n))
    ids = doc.get("sent_message_ids") or []
    if isinstance(ids, list):
        for mid in ids:
            b.add_sent_id(str(mid))
    own = doc.get("own_domains") or []
    if isinstance(own, list):
        b.add_own_domains(str(d) for d in own)
    return b.build()
