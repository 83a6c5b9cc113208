"""The embedded SQLite store in the state directory (DESIGN 4).

One file, ``emoguard.sqlite3``: scan history now; contacts and the quarantine
index join it as those features land. Schema changes go through
``_MIGRATIONS`` and ``PRAGMA user_version``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emoguard.contacts.directory import Directory, DirectoryBuilder

DB_NAME = "emoguard.sqlite3"

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        origin TEXT NOT NULL,
        source TEXT NOT NULL,
        message_id TEXT NOT NULL,
        from_addr TEXT NOT NULL,
        subject TEXT NOT NULL,
        level TEXT NOT NULL,
        score REAL NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX history_at ON history(at);
    CREATE INDEX history_level ON history(level);
    CREATE INDEX history_message_id ON history(message_id);
    """,
    # 2: the contacts directory (emoguard.contacts): one row per (address, name as
    # written, source) with counters, the Message-IDs the organisation sent, and the
    # organisation's domains as given to `contacts learn`.
    """
    CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        address TEXT NOT NULL,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL DEFAULT '',
        last_seen TEXT NOT NULL DEFAULT '',
        UNIQUE (address, name, source)
    );
    CREATE INDEX contacts_name ON contacts(name);
    CREATE TABLE sent_messages (
        message_id TEXT PRIMARY KEY,
        sent_at TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE own_domains (
        domain TEXT PRIMARY KEY
    );
    """,
    # 3: IMAP sync state (emoguard.sources.imap): the highest UID read per mailbox and
    # folder, valid while the folder's UIDVALIDITY stays the same (incremental scans).
    """
    CREATE TABLE imap_state (
        mailbox TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        last_uid INTEGER NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (mailbox, folder)
    );
    """,
    # 4: the quarantine journal (emoguard.quarantine): one row per quarantined message,
    # written before every step so an interrupted move is resumed by the next run.
    """
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        kind TEXT NOT NULL,
        mailbox TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL DEFAULT 0,
        uid INTEGER NOT NULL DEFAULT 0,
        path TEXT NOT NULL DEFAULT '',
        qfolder TEXT NOT NULL,
        q_uidvalidity INTEGER NOT NULL DEFAULT 0,
        q_uid INTEGER NOT NULL DEFAULT 0,
        q_path TEXT NOT NULL DEFAULT '',
        message_id TEXT NOT NULL DEFAULT '',
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        from_addr TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        level TEXT NOT NULL DEFAULT '',
        score REAL NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        error TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX quarantine_state ON quarantine(state);
    """,
    # 5: what the contacts directory learns per address beyond names (emoguard.contacts.traits):
    # the provider and network of the first external hop, and signature phone numbers.
    """
    CREATE TABLE contact_traits (
        address TEXT NOT NULL,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL DEFAULT '',
        last_seen TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (address, kind, value)
    );
    """,
)


def _statements(script: str) -> list[str]:
    """Split a migration script into complete SQL statements."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


class Store:
    """A connection to the store; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    @classmethod
    def open(cls, state_dir: Path) -> Store:
        return cls(Path(state_dir) / DB_NAME)

    def _migrate(self) -> None:
        """Bring the schema up to date, once, even with several processes opening a new store.

        The version is re-read under an IMMEDIATE (write) lock and each migration runs in
        that one transaction; ``executescript`` is avoided because it commits first.
        """
        (version,) = self.db.execute("PRAGMA user_version").fetchone()
        if version >= len(_MIGRATIONS):
            return
        saved = self.db.isolation_level
        self.db.isolation_level = None  # explicit transactions below
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                (version,) = self.db.execute("PRAGMA user_version").fetchone()
                for i, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                    for stmt in _statements(script):
                        self.db.execute(stmt)
                    self.db.execute(f"PRAGMA user_version={i}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        finally:
            self.db.isolation_level = saved

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_history(self, records: Iterable[dict[str, Any]], *, origin: str = "scan") -> int:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            (
                now, origin, str(r.get("source", "")), str(r.get("message_id", "")),
                str(r.get("from", "")), str(r.get("subject", "")), str(r.get("level", "")),
                float(r.get("score", 0.0)), json.dumps(r, ensure_ascii=False),
            )
            for r in records
        ]  # fmt: skip
        with self.db:
            self.db.executemany(
                "INSERT INTO history (at, origin, source, message_id, from_addr, subject,"
                " level, score, record) VALUES (?,?,?,?,?,?,?,?,?)",
                rows,
            )
        return len(rows)

    def history(
        self, *, level: str | None = None, limit: int = 100, offset: int = 0
    ) -> Iterator[dict[str, Any]]:
        sql = "SELECT id, at, origin, record FROM history"
        args: list[Any] = []
        if level:
            sql += " WHERE level = ?"
            args.append(level)
        sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
        args += [limit, offset]
        for hid, at, origin, rec in self.db.execute(sql, args):
            d = json.loads(rec)
            d["history"] = {"id": hid, "at": at, "origin": origin}
            yield d

    # -- contacts directory -------------------------------------------------------------

    def save_contacts(self, builder: DirectoryBuilder) -> tuple[int, int]:
        """Merge a builder's entries into the store (counts add up, first/last seen
        widen). Returns (rows written, sent Message-IDs written)."""
        rows = [
            (e.address, e.name, e.source, e.count, e.first_seen, e.last_seen) for e in builder.entries()
        ]
        traits = [(t.address, t.kind, t.value, t.count, t.first_seen, t.last_seen) for t in builder.trait_entries()]
        sent = builder.sent_ids()
        with self.db:
            self.db.executemany(
                "INSERT INTO contacts (address, name, source, count, first_seen, last_seen)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT (address, name, source) DO UPDATE SET"
                " count = count + excluded.count,"
                " first_seen = CASE WHEN first_seen = '' OR (excluded.first_seen != ''"
                "   AND excluded.first_seen < first_seen) THEN excluded.first_seen ELSE first_seen END,"
                " last_seen = CASE WHEN excluded.last_seen > last_seen THEN excluded.last_seen"
                "   ELSE last_seen END",
                rows,
            )
            self.db.executemany(
                "INSERT INTO sent_messages (message_id, sent_at) VALUES (?,?)"
                " ON CONFLICT (message_id) DO NOTHING",
                sent,
            )
            self.db.executemany(
                "INSERT INTO own_domains (domain) VALUES (?) ON CONFLICT (domain) DO NOTHING",
                [(d,) for d in builder.own_domains()],
            )
            self.db.executemany(
                "INSERT INTO contact_traits (address, kind, value, count, first_seen, last_seen)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT (address, kind, value) DO UPDATE SET"
                " count = count + excluded.count,"
                " first_seen = CASE WHEN first_seen = '' OR (excluded.first_seen != ''"
                "   AND excluded.first_seen < first_seen) THEN excluded.first_seen ELSE first_seen END,"
                " last_seen = CASE WHEN excluded.last_seen > last_seen THEN excluded.last_seen"
                "   ELSE last_seen END",
                traits,
            )
        return len(rows), len(sent)

    def has_contacts(self) -> bool:
        row = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM contacts) OR EXISTS (SELECT 1 FROM sent_messages)"
        ).fetchone()
        return bool(row and row[0])

    def contact_rows(self) -> Iterator[tuple[str, str, str, int, str, str]]:
        """(address, name, source, count, first_seen, last_seen), by address."""
        yield from self.db.execute(
            "SELECT address, name, source, count, first_seen, last_seen FROM contacts ORDER BY address, name"
        )

    def load_directory(self, *, own_domains: Iterable[str] = ()) -> Directory:
        """The stored contacts as an immutable :class:`~emoguard.contacts.Directory`."""
        from emoguard.contacts.directory import DirectoryBuilder

        b = DirectoryBuilder()
        stored_own = [d for (d,) in self.db.execute("SELECT domain FROM own_domains")]
        b.merge_rows(
            self.contact_rows(),
            self.db.execute("SELECT message_id, sent_at FROM sent_messages"),
            [*stored_own, *own_domains],
        )
        b.merge_traits(self.db.execute(
            "SELECT address, kind, value, count, first_seen, last_seen FROM contact_traits"))
        return b.build()
