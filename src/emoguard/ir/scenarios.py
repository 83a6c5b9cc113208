"""Seeded leak scenarios built from real address graphs, for the trace tests and bench.

The correspondents in real mail (mailing-list archives, SpamAssassin ham, LKML threads
from ``../shared/corpora``) are split into per-person "PCs": a person's PC holds every
address and display name that appeared with them in From/To/Cc. A scenario picks some
PCs as the sources, plants a leaker, and draws the targets the way Emotet reports
arrive: a partial sample of the leaker's contacts (only some partners report), noise
(addresses from other PCs and from nowhere), a few spoofed sender names from the
leaker's book, and a leaker book that lacks some of what was stolen (the export made
after the theft is not the same file). Nothing is copied into the repository: the
corpora are read where they are.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from emoguard.contacts.directory import headers_only, person_key
from emoguard.contacts.normalize import normalize_address
from emoguard.ir.trace import SourceBook, Targets

GRAPH_DIRS: tuple[str, ...] = (
    "linux_nvdimm_list_archive/ham_patch_traffic_sample",
    "linux_nvdimm_list_archive/ham_japanese_charset",
    "notmuch_test_corpora/default",
    "notmuch_test_corpora/lkml",
    "spamassassin_public/easy_ham",
    "spamassassin_public/easy_ham_2",
    "ja_tomoyo_users_ml",
)


@dataclass(frozen=True)
class Person:
    address: str
    contacts: dict[str, str]  # address -> display name ('' when none was seen)


def correspondent_graph(corpora: Path, dirs: Sequence[str] = GRAPH_DIRS, *, min_contacts: int = 12) -> list[Person]:
    """Every person with at least ``min_contacts`` correspondents, sorted by address."""
    from emoguard.parse import parse_message

    book: dict[str, dict[str, str]] = {}
    for d in dirs:
        root = corpora / d
        if not root.is_dir():
            continue
        for f in sorted(root.rglob("*.eml")):
            try:
                data = f.read_bytes()
            except OSError:
                continue
            msg = parse_message(headers_only(data))
            people: dict[str, str] = {}
            for a in (*msg.from_, *msg.to, *msg.cc):
                addr = normalize_address(a.addr)
                if addr:
                    people.setdefault(addr, a.name or people.get(addr, ""))
            for p in people:
                mine = book.setdefault(p, {})
                for q, name in people.items():
                    if q != p and (q not in mine or (name and not mine[q])):
                        mine[q] = name
    return [Person(a, c) for a, c in sorted(book.items()) if len(c) >= min_contacts]


@dataclass
class Scenario:
    seed: int
    leaker: str
    books: list[SourceBook]
    targets: Targets


def _book(name: str, contacts: dict[str, str]) -> SourceBook:
    b = SourceBook(name, f"<scenario:{name}>")
    for addr, disp in contacts.items():
        b.add(disp, addr)
        b.contacts_read += 1
    b.kinds.add("address book (scenario)")
    return b


def make_scenario(people: Sequence[Person], seed: int, *, sources: tuple[int, int] = (20, 80),
                  report_share: tuple[float, float] = (0.1, 0.5), noise_share: float = 0.2,
                  missing_share: float = 0.05, max_targets: int = 150,
                  max_similarity: float = 0.8) -> Scenario:
    """One seeded scenario; the leaker is ``PC-xx`` at a random rank in ``books``.

    PCs whose contact sets are near-copies of one already chosen (Jaccard similarity
    above ``max_similarity``; 1.0 keeps them) are not drawn: in a mailing-list graph they
    are the participants of one thread, which no method can tell apart (the trace output
    marks such near-ties).
    """
    rng = random.Random(seed)
    n = min(rng.randint(*sources), len(people))
    order = list(people)
    rng.shuffle(order)
    chosen: list[Person] = []
    sets: list[set[str]] = []
    for p in order:
        if len(chosen) >= n:
            break
        s = set(p.contacts)
        if max_similarity < 1.0 and any(len(s & o) / len(s | o) > max_similarity for o in sets):
            continue
        chosen.append(p)
        sets.append(s)
    n = len(chosen)
    leak_i = rng.randrange(n)
    leaker = chosen[leak_i]
    stolen = sorted(leaker.contacts)
    k = max(5, min(max_targets, round(len(stolen) * rng.uniform(*report_share))))
    k = min(k, len(stolen))
    tg = Targets()
    for a in rng.sample(stolen, k):
        tg.add_address(a, "report")
    # noise: other PCs' contacts (misattributed reports) and addresses from nowhere
    n_noise = round(k * noise_share)
    others = [p for i, p in enumerate(chosen) if i != leak_i]
    for j in range(n_noise):
        if j % 2 == 0 and others:
            o = rng.choice(others)
            tg.add_address(rng.choice(sorted(o.contacts)), "noise")
        else:
            tg.add_address(f"user{rng.randrange(10**6)}@noise{rng.randrange(1000)}.example", "noise")
    named = [(a, nm) for a, nm in leaker.contacts.items() if nm and person_key(nm, a)]
    for a, nm in rng.sample(sorted(named), min(len(named), rng.randint(0, 3))):
        tg.add_name(nm, "report", spoofed=True, address=a)
    books = []
    for i, p in enumerate(chosen):
        contacts = dict(p.contacts)
        if i == leak_i and missing_share > 0:
            for a in rng.sample(sorted(contacts), int(len(contacts) * missing_share)):
                del contacts[a]
        books.append(_book(f"PC-{i + 1:02d}", contacts))
    return Scenario(seed, f"PC-{leak_i + 1:02d}", books, tg)


def first_rank_rate(people: Sequence[Person], seeds: Iterable[int], **kw: object) -> tuple[int, int, list[int]]:
    """(scenarios where the leaker ranks first, scenarios run, seeds that failed)."""
    from emoguard.ir.trace import rank

    ok = total = 0
    failed = []
    for s in seeds:
        sc = make_scenario(people, s, **kw)  # type: ignore[arg-type]
        res = rank(sc.targets, sc.books)
        total += 1
        if res.ranking and res.ranking[0].source == sc.leaker:
            ok += 1
        else:
            failed.append(s)
    return ok, total, failed
