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
from typing import Any

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
)


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
        (version,) = self.db.execute("PRAGMA user_version").fetchone()
        for i, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self.db:
                self.db.executescript(script)
                self.db.execute(f"PRAGMA user_version={i}")

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
