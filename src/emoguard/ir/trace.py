"""Which PC or mailbox leaked? Rank address books and mail stores against the spam's targets.

Emotet steals the address book and the mail threads of the infected PC, then mails the
people in them "as if from" people in them. So the set of partners who received spam in
the company's name (the *targets*) is a sample of one PC's contacts, and the spoofed
sender names are names from the same PC. :func:`read_reports` collects the targets from
what partners forwarded (the spam itself, a forward with the spam attached or quoted
inline, or a CSV of addresses/names); :func:`load_source` reads one PC's or mailbox's
contacts (an address book: Outlook CSV, vCard, LDIF, PST contacts; or a mail store: PST,
mbox, Maildir, .eml/.msg folders, IMAP, whose correspondents stand for what was stolen);
:func:`rank` scores every source.

The model (docs/incident-response.md has the derivation):

    P(t | s leaked) = (1 - ε) · [t ∈ C_s] / |C_s|  +  ε / U

for every target token t (an address, or a person's name for spoofed senders), where
C_s is the source's contacts of that kind, U the number of distinct tokens of that kind
over all sources and targets, and ε the share of targets that are noise (reports from
elsewhere, contacts the export no longer holds). The score of a source is the log10
likelihood ratio against "the targets are noise" (P = 1/U):

    score(s) = Σ_t log10( (1 - ε) · U · [t ∈ C_s] / |C_s| + ε )

A target the source holds counts more the smaller the source (a huge address book does
not win by size alone: holding everything, it scores 0); a target it lacks costs
log10(ε). Targets held by every source shift all scores alike, so common contacts
(colleagues, a shared distribution list) do not decide the ranking; a target found in
one source only is worth the most. Targets found in no source are listed as unexplained
and left out of the sums. ``probability`` is the posterior under a uniform prior over the
sources plus "none of these" (score 0).
"""

from __future__ import annotations

import csv
import email.utils
import io
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from emoguard.contacts.directory import headers_only, person_key
from emoguard.contacts.importers import decode_bytes, import_file, sniff_format
from emoguard.contacts.normalize import domain_of, in_domains, normalize_address
from emoguard.model import Address, Message

DEFAULT_NOISE = 0.3
NEAR_TIE = 1.0  # log10: sources within a likelihood ratio of 10 of the first are named as near-ties
MAX_NESTING = 5
_ADDR = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_FWD_MARKER = re.compile(
    r"(?:-{2,}\s*(?:Forwarded message|Original Message|Weitergeleitete Nachricht)\s*-{2,}|"
    r"Begin forwarded message:|-{2,}\s*(?:転送メッセージ|元のメッセージ|Original)\s*-{2,}|^\s*>?\s*-+\s*転送\s*-+)",
    re.I | re.M,
)
_FWD_FIELD = re.compile(
    r"^\s*>?\s*(from|to|cc|差出人|送信者|宛先|送信先|cc|件名|subject|date|sent|送信日時|日付)\s*[:：]\s*(.*)$",
    re.I,
)
_NAME_HEADERS = ("name", "名前", "氏名", "表示名", "displayname", "display name", "sender", "差出人", "spoofed")


# -- targets -------------------------------------------------------------------------------


@dataclass
class Targets:
    """What the reports say: who received spam, and whose names were spoofed.

    ``addresses``/``names`` map a normalised token to where it was seen (first place);
    ``spoofed`` maps a normalised spoofed sender name to the name as written.
    """

    addresses: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    name_labels: dict[str, str] = field(default_factory=dict)
    spoofed: dict[str, str] = field(default_factory=dict)
    spoofed_addresses: dict[str, str] = field(default_factory=dict)
    subjects: dict[str, int] = field(default_factory=dict)
    attachments: dict[str, int] = field(default_factory=dict)
    dates: list[str] = field(default_factory=list)
    messages: int = 0
    reports: int = 0
    problems: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.addresses) + len(self.names)

    def add_address(self, addr: str, where: str) -> None:
        a = normalize_address(addr)
        if a:
            self.addresses.setdefault(a, where)

    def add_name(self, name: str, where: str, *, spoofed: bool = False, address: str = "") -> None:
        key = person_key(name, address)
        if not key:
            return
        self.names.setdefault(key, where)
        self.name_labels.setdefault(key, " ".join(name.split()))
        if spoofed:
            self.spoofed.setdefault(key, " ".join(name.split()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "addresses": sorted(self.addresses),
            "names": [self.name_labels.get(k, k) for k in sorted(self.names)],
            "spoofed_names": sorted(set(self.spoofed.values())),
            "spoofed_addresses": sorted(self.spoofed_addresses),
            "subjects": _top(self.subjects),
            "attachments": _top(self.attachments),
            "dates": sorted(set(self.dates)),
            "messages": self.messages,
            "reports": self.reports,
            "problems": list(self.problems),
        }


def _top(counter: dict[str, int], n: int = 20) -> list[str]:
    return [k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _mail_kind(path: Path) -> str:
    """'mail', 'pst' or 'list' (a CSV/text list or an address book) for one file."""
    from emoguard.sources.sniff import sniff_bytes

    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        return "mail"  # from_file reports the error
    kind = sniff_bytes(head, name_hint=path.name)
    if kind == "pst":
        return "pst"
    if kind == "ole":
        return "mail"
    text, _enc = decode_bytes(head)
    if sniff_format(text.lstrip("\ufeff")) in ("vcard", "ldif"):
        return "list"
    if kind in ("eml", "mbox"):
        return "mail"
    return "list"


def _walk_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for f in sorted(filenames):
                if not f.startswith("."):
                    yield Path(dirpath) / f
    else:
        yield root


def read_reports(paths: Sequence[str], *, own_domains: Sequence[str] = ()) -> Targets:
    """The targets in the reports: mails (.eml/.msg/mbox/Maildir/folders, forwards with the
    spam attached or quoted) and CSV/text lists of addresses or names. Never raises: a
    file or row that cannot be read is named in ``problems`` (``file:line: why``)."""
    from emoguard.sources import open_source
    from emoguard.sources.files import from_file

    tg = Targets()
    own = tuple(d.lower() for d in own_domains)
    for loc in paths:
        p = Path(loc)
        if "://" in loc or loc == "-":
            items: Iterable[Any] = open_source(loc)
            _read_mail_items(items, tg, own)
            continue
        if not p.exists():
            tg.problems.append(f"{loc}: no such file or directory")
            continue
        for f in _walk_files(p):
            tg.reports += 1
            kind = _mail_kind(f)
            if kind == "list":
                _read_target_list(f, tg)
            else:
                _read_mail_items(from_file(f), tg, own)
    return tg


def _loaded(items: Iterable[Any], problems: list[str], *, report_skipped: bool = True) -> Iterator[tuple[str, bytes]]:
    """(source, bytes) of each readable message among ``items``; the others go to ``problems``."""
    from emoguard.sources import Skipped

    for it in items:
        if isinstance(it, Skipped):
            if report_skipped:
                problems.append(f"{it.source}: {it.reason}")
            continue
        try:
            yield it.source, it.load()
        except OSError as e:
            problems.append(f"{it.source}: cannot read: {e.strerror or e}")


def _read_mail_items(items: Iterable[Any], tg: Targets, own: tuple[str, ...]) -> None:
    from emoguard.parse import parse_message

    for source, data in _loaded(items, tg.problems):
        msg = parse_message(data)
        if not (msg.from_ or msg.to or msg.text):
            tg.problems.append(f"{source}: not a readable mail ({', '.join(msg.defects[:3]) or 'no headers'})")
            continue
        _read_report_message(msg, source, tg, own, 0)


def _is_own(addr: str, own: tuple[str, ...]) -> bool:
    return bool(own) and in_domains(domain_of(addr), own)


def _read_report_message(msg: Message, where: str, tg: Targets, own: tuple[str, ...], depth: int) -> None:
    inner = _attached_mails(msg)
    inline = _inline_forwards(msg.text) if not inner else []
    if (inner or inline) and depth < MAX_NESTING:
        # A forward: whoever forwarded it from outside received it.
        for a in msg.from_:
            if not _is_own(a.addr, own):
                tg.add_address(a.addr, where)  # (not the name: forwarders sign as 「取引先」, "IT")
        for m in inner:
            _read_report_message(m, where, tg, own, depth + 1)
        for frm, rcpts, subject in inline:
            tg.messages += 1
            _spam(frm, rcpts, subject, (), "", where, tg)
        return
    tg.messages += 1
    names = tuple(a.filename or "" for a in msg.attachments if a.filename)
    _spam(msg.from_, msg.to + msg.cc, msg.subject, names, msg.date, where, tg)


def _attached_mails(msg: Message) -> list[Message]:
    """Mails attached to ``msg``: message/rfc822 parts, and .eml/.msg files attached as
    plain files (application/octet-stream), the way some clients forward."""
    from emoguard.parse import parse_message
    from emoguard.sources.sniff import OLE_MAGIC, looks_like_headers

    out = []
    for p in msg.parts:
        if p.message is not None:
            out.append(p.message)
            continue
        name = (p.filename or "").lower()
        named_mail = name.endswith((".eml", ".msg")) or p.content_type.lower() == "message/rfc822"
        is_mail = p.payload[:8] == OLE_MAGIC or looks_like_headers(p.payload[:4096])
        if p.is_attachment and p.payload and named_mail and is_mail:
            out.append(parse_message(p.payload))
    return out


def _spam(frm: Sequence[Address], rcpts: Sequence[Address], subject: str, attachments: Sequence[str],
          date: str, where: str, tg: Targets) -> None:
    for a in rcpts:
        tg.add_address(a.addr, where)
        tg.add_name(a.name, where, address=a.addr)
    for a in frm:
        # The sending account is unrelated (stolen elsewhere); the display name, and any
        # address written inside it, come from the leaking PC.
        tg.add_name(a.name, where, spoofed=True, address=a.addr)
        for written in _ADDR.findall(a.name or ""):
            w = normalize_address(written)
            if w and w != normalize_address(a.addr):
                tg.add_address(w, where)
                tg.spoofed_addresses.setdefault(w, where)
    if subject:
        tg.subjects[subject] = tg.subjects.get(subject, 0) + 1
    for n in attachments:
        tg.attachments[n] = tg.attachments.get(n, 0) + 1
    if date:
        tg.dates.append(date)


def _addresses_of(value: str) -> list[Address]:
    out = []
    for name, addr in email.utils.getaddresses([value.replace("；", ";").replace(";", ",")]):
        if "@" in addr:
            out.append(Address(name.strip().strip('"'), addr.strip()))
    if not out:
        out = [Address("", a) for a in _ADDR.findall(value)]
    return out


def _inline_forwards(text: str) -> list[tuple[list[Address], list[Address], str]]:
    """(From, To+Cc, Subject) of each forwarded header block quoted in a body."""
    out: list[tuple[list[Address], list[Address], str]] = []
    for m in _FWD_MARKER.finditer(text or ""):
        frm: list[Address] = []
        rcpts: list[Address] = []
        subject = ""
        seen = 0
        for line in text[m.end():].splitlines()[:40]:
            if not line.strip():
                if seen:
                    break
                continue
            f = _FWD_FIELD.match(line)
            if not f:
                if seen:
                    break
                continue
            seen += 1
            key, value = f.group(1).lower(), f.group(2)
            if key in ("from", "差出人", "送信者"):
                frm = _addresses_of(value)
            elif key in ("to", "cc", "宛先", "送信先"):
                rcpts.extend(_addresses_of(value))
            elif key in ("件名", "subject"):
                subject = value.strip()
        if frm or rcpts:
            out.append((frm, rcpts, subject))
    return out


def _read_target_list(path: Path, tg: Targets) -> None:
    """A CSV (or plain list) of targeted addresses and/or names; any encoding Windows writes."""
    try:
        data = path.read_bytes()
    except OSError as e:
        tg.problems.append(f"{path}: cannot read: {e.strerror or e}")
        return
    if not data.strip():
        tg.problems.append(f"{path}: empty file")
        return
    text, _enc = decode_bytes(data)
    text = text.lstrip("\ufeff")
    fmt = sniff_format(text)
    if fmt in ("vcard", "ldif"):  # an address book given as a list of targets
        from emoguard.contacts.importers import import_bytes

        res = import_bytes(data, str(path))
        tg.problems.extend(res.problems)
        for c in res.contacts:
            tg.add_address(c.address, f"{path}:{c.line}")
            tg.add_name(c.name, f"{path}:{c.line}", address=c.address)
        return
    if "\x00" in text:
        tg.problems.append(f"{path}: binary data, not a list of addresses")
        return
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    delim = "\t" if first.count("\t") > first.count(",") else ","
    name_col: int | None = None
    header_seen = False
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.count('"') % 2:
            tg.problems.append(f"{path}:{lineno}: unbalanced quote; row skipped")
            continue
        try:
            row = next(csv.reader(io.StringIO(line), delimiter=delim))
        except (csv.Error, StopIteration) as e:
            tg.problems.append(f"{path}:{lineno}: unreadable row ({e})")
            continue
        cells = [c.strip() for c in row]
        found = [a for c in cells for a in _ADDR.findall(c)]
        if not header_seen:
            header_seen = True
            if not found:  # a header line
                keys = [re.sub(r"\s+", "", c).casefold() for c in cells]
                name_col = next((i for i, k in enumerate(keys) if any(h.replace(" ", "") in k
                                 for h in _NAME_HEADERS)), None)
                if len(cells) == 1 and name_col is None and not _looks_like_header(cells[0]):
                    tg.add_name(cells[0], f"{path}:{lineno}")
                continue
        where = f"{path}:{lineno}"
        if found:
            for a in found:
                if normalize_address(a):
                    tg.add_address(a, where)
                else:
                    tg.problems.append(f"{where}: not an address: {a!r}")
            if name_col is not None and name_col < len(cells) and not _ADDR.search(cells[name_col]):
                tg.add_name(cells[name_col], where, address=found[0])
            continue
        name = cells[name_col] if name_col is not None and name_col < len(cells) else (
            cells[0] if len([c for c in cells if c]) == 1 else "")
        if name and person_key(name):
            tg.add_name(name, where)
        else:
            tg.problems.append(f"{where}: no address or person's name in this row")


def _looks_like_header(cell: str) -> bool:
    k = cell.casefold()
    return any(w in k for w in ("address", "mail", "アドレス", "メール", "宛先", "name", "名前"))


# -- sources -------------------------------------------------------------------------------


@dataclass
class SourceBook:
    """One PC's or mailbox's contacts: normalised addresses and person-name keys."""

    name: str
    locator: str
    addresses: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    name_labels: dict[str, str] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)
    contacts_read: int = 0
    messages_read: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, name: str, address: str) -> None:
        a = normalize_address(address)
        if a:
            self.addresses.add(a)
        key = person_key(name, a)
        if key:
            self.names.add(key)
            self.name_labels.setdefault(key, " ".join(name.split()))


def parse_source_arg(arg: str) -> tuple[str, str]:
    """``NAME=PATH`` (or a bare PATH, named after its file or folder)."""
    if "=" in arg and not arg.startswith(("imap://", "imaps://")):
        name, _, loc = arg.partition("=")
        if name and loc:
            return name.strip(), loc.strip()
    p = Path(arg.rstrip("/"))
    return (p.stem or p.name or arg), arg


def load_source(name: str, locator: str) -> SourceBook:
    """Read one source; never raises (problems are kept on the book, ``file:line: why``)."""
    book = SourceBook(name, locator)
    if "://" in locator:
        from emoguard.sources import open_source

        _learn_mail(open_source(locator), book)
        return book
    root = Path(locator)
    if not root.exists():
        book.problems.append(f"{locator}: no such file or directory")
        return book
    from emoguard.sources.files import from_file

    for f in _walk_files(root):
        kind = _mail_kind(f)
        if kind == "list":
            res = import_file(f)
            book.problems.extend(res.problems)
            if res.contacts:
                book.kinds.add(f"address book ({res.format})")
            for c in res.contacts:
                book.add(c.name, c.address)
                book.contacts_read += 1
        elif kind == "pst":
            try:
                from emoguard.sources.pst import read_contacts

                contacts, _info = read_contacts(f)
            except Exception as e:  # a broken PST: its mail may still be readable below
                book.problems.append(f"{f}: cannot read PST contacts: {type(e).__name__}: {e}")
                contacts = []
            if contacts:
                book.kinds.add("PST contacts")
            for pc in contacts:
                book.add(pc.name, pc.address)
                book.contacts_read += 1
            _learn_mail(from_file(f), book, quiet_empty=True)
        else:
            _learn_mail(from_file(f), book)
    return book


def _learn_mail(items: Iterable[Any], book: SourceBook, *, quiet_empty: bool = False) -> None:
    from emoguard.parse import parse_message

    for _source, data in _loaded(items, book.problems, report_skipped=not quiet_empty):
        msg = parse_message(headers_only(data))
        book.messages_read += 1
        book.kinds.add("mail store")
        for a in (*msg.from_, *msg.to, *msg.cc, *msg.reply_to, *msg.sender):
            book.add(a.name, a.addr)


# -- ranking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    source: str
    score: float
    probability: float
    coverage: float
    found: int
    exclusive: int
    exclusive_addresses: int
    addresses_found: int
    names_found: int
    spoofed_seen: tuple[str, ...]
    contacts: int
    evidence: tuple[str, ...]
    evidence_ja: tuple[str, ...]
    locator: str = ""
    tied_with: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "score": round(self.score, 3),
            "probability": round(self.probability, 6),
            "coverage": round(self.coverage, 4),
            "exclusive": self.exclusive,
            "exclusive_addresses": self.exclusive_addresses,
            "found": self.found,
            "addresses_found": self.addresses_found,
            "names_found": self.names_found,
            "spoofed_names_seen": list(self.spoofed_seen),
            "contacts": self.contacts,
            "evidence": list(self.evidence),
            "evidence_ja": list(self.evidence_ja),
            "path": self.locator,
            "near_tie_with": list(self.tied_with),
        }


@dataclass
class TraceResult:
    ranking: list[Ranked]
    targets: Targets
    explained: int
    unexplained: list[str]
    none_probability: float
    noise: float
    problems: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ranking": [r.to_dict() for r in self.ranking],
            "targets": {**self.targets.to_dict(), "total": len(self.targets), "explained": self.explained,
                        "unexplained": self.unexplained},
            "none_of_these_probability": round(self.none_probability, 6),
            "model": {"noise": self.noise, "score": "log10 likelihood ratio against chance"},
            "problems": self.problems,
        }


def rank(targets: Targets, books: Sequence[SourceBook], *, noise: float = DEFAULT_NOISE) -> TraceResult:
    """Score every source against the targets (see the module docstring for the model)."""
    eps = min(max(noise, 1e-6), 0.999)
    kinds: list[tuple[str, dict[str, str], list[set[str]]]] = [
        ("address", targets.addresses, [b.addresses for b in books]),
        ("name", targets.names, [b.names for b in books]),
    ]
    n = len(books)
    scores = [0.0] * n
    found_a = [0] * n
    found_n = [0] * n
    excl = [0] * n
    excl_a = [0] * n
    explained = 0
    unexplained: list[str] = []
    for kind, tokens, sets in kinds:
        if not tokens:
            continue
        universe: set[str] = set(tokens)
        for s in sets:
            universe |= s
        u = max(len(universe), 1)
        hit_w = [math.log10((1 - eps) * u / len(s) + eps) if s else 0.0 for s in sets]
        miss_w = math.log10(eps)
        for tok in tokens:
            holders = [i for i, s in enumerate(sets) if tok in s]
            if not holders:
                unexplained.append(tok if kind == "address" else targets.name_labels.get(tok, tok))
                continue
            explained += 1
            hs = set(holders)
            for i in range(n):
                if i in hs:
                    scores[i] += hit_w[i]
                    if kind == "address":
                        found_a[i] += 1
                    else:
                        found_n[i] += 1
                    if len(holders) == 1:
                        excl[i] += 1
                        if kind == "address":
                            excl_a[i] += 1
                else:
                    scores[i] += miss_w
    # posterior over the sources and "none of these" (score 0), uniform prior
    top = max([0.0, *scores])
    weights = [10 ** (s - top) for s in scores]
    none_w = 10 ** (0.0 - top)
    z = sum(weights) + none_w
    total = len(targets)
    ranking = []
    for i, b in enumerate(books):
        found = found_a[i] + found_n[i]
        spoofed_seen = tuple(sorted(targets.spoofed[k] for k in targets.spoofed if k in b.names))
        ev_en, ev_ja = _evidence(b, targets, found_a[i], found_n[i], excl_a[i], excl[i] - excl_a[i],
                                 spoofed_seen, scores[i])
        ranking.append(Ranked(
            source=b.name, score=scores[i], probability=weights[i] / z,
            coverage=found / total if total else 0.0, found=found, exclusive=excl[i], exclusive_addresses=excl_a[i],
            addresses_found=found_a[i], names_found=found_n[i], spoofed_seen=spoofed_seen,
            contacts=len(b.addresses), evidence=ev_en, evidence_ja=ev_ja, locator=b.locator,
        ))
    ranking.sort(key=lambda r: (-r.score, -r.exclusive, -r.found, r.source))
    if len(ranking) > 1 and explained:
        first = ranking[0]
        ties = [r.source for r in ranking[1:] if first.score - r.score < NEAR_TIE]
        if ties:
            shown = ", ".join(ties[:5]) + (" …" if len(ties) > 5 else "")
            ranking[0] = replace(first, tied_with=tuple(ties), evidence=(
                *first.evidence, f"near-tie: {shown} explain the targets almost as well (likelihood ratio under 10)"),
                evidence_ja=(*first.evidence_ja, f"僅差: {shown} もほぼ同じ程度に説明できます(尤度比 10 倍未満)"))
    problems = list(targets.problems) + [p for b in books for p in b.problems]
    return TraceResult(ranking, targets, explained, sorted(unexplained), none_w / z, eps, problems)


def _evidence(b: SourceBook, tg: Targets, fa: int, fn: int, ex_a: int, ex_n: int, spoofed: tuple[str, ...],
              score: float) -> tuple[tuple[str, ...], tuple[str, ...]]:
    en: list[str] = []
    ja: list[str] = []
    na, nn = len(tg.addresses), len(tg.names)
    if na:
        en.append(f"{b.name}: {fa} of {na} targeted addresses, {ex_a} in no other source")
        ja.append(f"{b.name}: 攻撃対象のアドレス {na} 件中 {fa} 件を保持(うち {ex_a} 件はほかのどの情報源にもない)")
    if nn:
        en.append(f"{fn} of {nn} targeted or spoofed names are contacts here, {ex_n} in no other source")
        ja.append(f"攻撃対象・なりすましの名前 {nn} 件中 {fn} 件がこの連絡先にある(うち {ex_n} 件はほかにない)")
    if tg.spoofed:
        shown = ", ".join(spoofed[:5]) + (" …" if len(spoofed) > 5 else "")
        en.append(f"{len(spoofed)} of {len(tg.spoofed)} spoofed sender names are contacts here"
                  + (f": {shown}" if spoofed else ""))
        ja.append(f"なりすましに使われた差出人名 {len(tg.spoofed)} 件中 {len(spoofed)} 件がこの連絡先にある"
                  + (f": {shown}" if spoofed else ""))
    what = ", ".join(sorted(b.kinds)) or "nothing readable"
    en.append(f"{len(b.addresses)} addresses and {len(b.names)} names read ({what}); "
              f"log10 likelihood ratio {score:+.1f}")
    ja.append(f"アドレス {len(b.addresses)} 件・名前 {len(b.names)} 件を読み込み({what})。対数尤度比 {score:+.1f}")
    return tuple(en), tuple(ja)


def trace(reports: Sequence[str], sources: Sequence[str], *, own_domains: Sequence[str] = (),
          noise: float = DEFAULT_NOISE) -> TraceResult:
    """Read the reports and the ``NAME=PATH`` sources and rank the sources."""
    targets = read_reports(reports, own_domains=own_domains)
    books = [load_source(*parse_source_arg(s)) for s in sources]
    return rank(targets, books, noise=noise)
