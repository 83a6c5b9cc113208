"""Incident sweep: every suspicious or malicious message in mailboxes over a time window.

Sources are IMAP URLs (read with EXAMINE and BODY.PEEK, so ``\\Seen`` is the user's own),
PST/OST files, Maildirs and anything else ``scan`` reads. Each finding is one entry:
``mailbox``, ``folder``, ``uid``, ``message_id``, ``seen``, ``level``, ``score``,
``hits`` plus ``date``, ``from``, ``subject``, ``attachments`` and ``source``: the
list of people to ask "did you open it?". With a quarantine folder the findings are
then moved there through :mod:`emoguard.quarantine`.
"""

from __future__ import annotations

import contextlib
import email.utils
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emoguard.sources import Item, RawMessage, Skipped, open_source
from emoguard.sources.imap import SCHEMES, ImapError, ImapURL, connect, folders_of, parse_url, read_mailbox

if TYPE_CHECKING:
    from emoguard.config import Config
    from emoguard.engine import Engine
    from emoguard.model import Context
    from emoguard.quarantine import Entry
    from emoguard.sinks.store import Store

LEVEL_ORDER = {"clean": 0, "suspicious": 1, "malicious": 2}


def parse_day(text: str) -> date:
    return date.fromisoformat(text.strip())


def _record_day(rec: dict[str, Any]) -> date | None:
    meta = rec.get("meta") or {}
    idate = meta.get("internaldate") or meta.get("delivery_time")
    if idate:
        try:
            return date.fromisoformat(str(idate)[:10])
        except ValueError:
            pass
    try:
        d = email.utils.parsedate_to_datetime(str(rec.get("date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return d.date() if d is not None else None


def _attachment_names(nodes: Any) -> list[str]:
    out: list[str] = []
    for n in nodes or ():
        if isinstance(n, dict) and n.get("name"):
            out.append(str(n["name"]))
    return out


def entry_of(rec: dict[str, Any]) -> dict[str, Any]:
    """The sweep entry for one verdict record (``--format json`` writes a list of these)."""
    meta = rec.get("meta") or {}
    mailbox = meta.get("mailbox") or meta.get("pst") or meta.get("maildir") or meta.get("mbox") or ""
    return {
        "mailbox": str(mailbox or Path(str(rec.get("source", ""))).parent),
        "folder": str(meta.get("folder", "")),
        "uid": meta.get("uid"),
        "message_id": rec.get("message_id", ""),
        "seen": meta.get("seen"),
        "level": rec.get("level", ""),
        "score": rec.get("score", 0.0),
        "hits": rec.get("hits", []),
        "date": rec.get("date", ""),
        "received": meta.get("internaldate", ""),
        "from": rec.get("from", ""),
        "subject": rec.get("subject", ""),
        "attachments": _attachment_names(rec.get("attachments")),
        "source": rec.get("source", ""),
        "quarantine_id": None,
    }


@dataclass
class SweepResult:
    found: list[dict[str, Any]] = field(default_factory=list)  # verdict records at/above min level
    examined: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    quarantined: list[Entry] = field(default_factory=list)
    resumed: list[Entry] = field(default_factory=list)

    qids: dict[int, int] = field(default_factory=dict)  # index in found -> quarantine entry id

    def entries(self) -> list[dict[str, Any]]:
        out = []
        for i, rec in enumerate(self.found):
            e = entry_of(rec)
            e["quarantine_id"] = self.qids.get(i)
            out.append(e)
        return out


class Sweep:
    """One sweep run: open the sources, analyse, keep what reaches the level, quarantine."""

    def __init__(
        self,
        cfg: Config,
        engine: Engine,
        context: Context,
        *,
        since: date,
        until: date | None = None,
        min_level: str = "suspicious",
        jobs: int = 1,
        store: Store | None = None,
        incremental: bool = False,
        quarantine_folder: str | None = None,
        lang: str = "en",
        use_move: bool | None = None,
    ) -> None:
        self.cfg, self.engine, self.context = cfg, engine, context
        self.since, self.until = since, until
        self.min_level = LEVEL_ORDER[min_level]
        self.jobs = jobs
        self.store = store
        self.incremental = incremental
        self.qfolder = quarantine_folder
        self.lang = lang
        self.use_move = use_move
        self.clients: dict[str, Any] = {}
        self.result = SweepResult()

    # -- connections ------------------------------------------------------------------------

    def client(self, mailbox: str) -> Any:
        if mailbox not in self.clients:
            self.clients[mailbox] = connect(parse_url(mailbox), self.cfg, lang=self.lang)
        return self.clients[mailbox]

    def close(self) -> None:
        for c in self.clients.values():
            with contextlib.suppress(Exception):
                c.logout()
        self.clients.clear()

    # -- reading ---------------------------------------------------------------------------

    def _imap_items(self, url: ImapURL) -> Iterator[Item]:
        try:
            client = self.client(url.mailbox)
            folders = folders_of(client, url)
        except (ImapError, OSError) as e:
            yield Skipped(url.mailbox, str(e), unreadable=True)
            return
        except Exception as e:
            yield Skipped(url.mailbox, f"{type(e).__name__}: {e}", unreadable=True)
            return
        if self.qfolder and url.folder == "*":
            folders = [f for f in folders if f != self.qfolder]
        before = self.until + timedelta(days=1) if self.until else None
        yield from read_mailbox(client, url, since=self.since, before=before, store=self.store,
                                incremental=self.incremental, folders=folders)

    def items(self, locators: Sequence[str]) -> Iterator[RawMessage]:
        for loc in locators:
            its = self._imap_items(parse_url(loc)) if loc.startswith(SCHEMES) else open_source(loc)
            for it in its:
                if isinstance(it, Skipped):
                    (self.result.failed if it.unreadable else self.result.skipped).append((it.source, it.reason))
                    continue
                if self.qfolder and it.meta.get("folder") == f".{self.qfolder}":
                    continue  # the quarantine itself
                yield it

    def _in_window(self, rec: dict[str, Any]) -> bool:
        if (rec.get("meta") or {}).get("kind") == "imap":
            return True  # the server already applied SINCE/BEFORE
        d = _record_day(rec)
        if d is None:
            return True  # no usable date: listed rather than missed
        return d >= self.since and (self.until is None or d <= self.until)

    def run(self, locators: Sequence[str], *, on_record: Any = None) -> SweepResult:
        from emoguard.runner import run

        if self.qfolder and self.store is not None:
            self.resume([loc for loc in locators if loc.startswith(SCHEMES)])
        for rec in run(self.items(locators), engine=self.engine, context=self.context, jobs=self.jobs):
            if not self._in_window(rec):
                continue
            self.result.examined += 1
            if on_record is not None:
                on_record(rec)
            if LEVEL_ORDER.get(str(rec.get("level")), 0) >= self.min_level:
                self.result.found.append(rec)
        if self.qfolder:
            self.quarantine()
        return self.result

    # -- quarantine -------------------------------------------------------------------------

    def resume(self, imap_locators: Sequence[str]) -> None:
        from emoguard.quarantine import Journal, resume_pending

        assert self.store is not None
        boxes = [parse_url(u).mailbox for u in imap_locators]
        self.result.resumed = resume_pending(Journal(self.store), self.client, mailboxes=boxes)

    def quarantine(self) -> None:
        from emoguard.quarantine import ImapMover, Journal, maildir_step, maildir_target

        if self.store is None or not self.qfolder:
            return
        journal = Journal(self.store)
        by_box: dict[str, list[int]] = {}
        done: list[int] = []
        for idx, rec in enumerate(self.result.found):
            meta = rec.get("meta") or {}
            if not (meta.get("kind") == "imap" or "maildir" in meta):
                continue  # PST, mbox, single files: read-only sources, listed only
            common = {
                "qfolder": self.qfolder, "message_id": str(rec.get("message_id", "")),
                "from_addr": str(rec.get("from", "")), "subject": str(rec.get("subject", "")),
                "level": str(rec.get("level", "")), "score": float(rec.get("score", 0.0)), "state": "q_intent",
            }  # fmt: skip
            if meta.get("kind") == "imap":
                eid = journal.add(kind="imap", mailbox=meta["mailbox"], folder=meta["folder"],
                                  uidvalidity=meta["uidvalidity"], uid=meta["uid"], sha256=meta["sha256"],
                                  size=meta["size"], **common)
                by_box.setdefault(meta["mailbox"], []).append(eid)
            else:
                import hashlib

                path = Path(str(rec["source"]))
                data = path.read_bytes()
                eid = journal.add(kind="maildir", mailbox=meta.get("maildir", ""), folder=meta.get("folder", ""),
                                  path=str(path), q_path=str(maildir_target(path, self.qfolder)),
                                  sha256=hashlib.sha256(data).hexdigest(), size=len(data), **common)
                e = journal.get(eid)
                if e is not None:
                    maildir_step(journal, e)
            done.append(eid)
            self.result.qids[idx] = eid
        for box, ids in by_box.items():
            mover = ImapMover(self.client(box), journal, use_move=self.use_move)
            mover.quarantine([x for x in (journal.get(i) for i in ids) if x is not None])
        self.result.quarantined = [x for x in (journal.get(i) for i in done) if x is not None]
