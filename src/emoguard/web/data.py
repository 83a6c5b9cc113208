"""History and quarantine, read from (and released through) the SQLite store.

Each call opens its own :class:`~emoguard.sinks.store.Store` connection (SQLite
connections stay in the thread that made them; opening one costs well under a
millisecond), so these functions are safe to call from the server's thread pool.

The quarantine has two kinds of entries:

- ``sweep``: rows of the quarantine journal (``emoguard sweep --quarantine``); the id
  is the journal id that ``emoguard restore`` uses, and release is that same restore
  (Maildir rename or IMAP MOVE, journalled step by step);
- ``milter``: mail the milter put in Postfix's HOLD queue, found in the history (origin
  ``milter``, ``milter.action = hold``); the id is ``milter-<history id>``. Release runs
  ``web.release_held_command`` with the Postfix queue ID appended (``postsuper -H``);
  the outcome is written to the journal (kind ``milter``) so the page shows it.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from emoguard.config import Config
from emoguard.sinks.store import Store

HISTORY_COLUMNS = ("id", "at", "origin", "source", "message_id", "from_addr", "subject", "level", "score")
LEVELS = ("clean", "suspicious", "malicious")
MILTER_PREFIX = "milter-"
QID = re.compile(r"^(?:\d{1,12}|milter-\d{1,12})$")
_QUEUE_ID = re.compile(r"^[A-Za-z0-9]{5,32}$")
_release_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    level: tuple[str, ...] = ()
    origin: str = ""
    since: date | None = None
    until: date | None = None
    text: str = ""
    limit: int = 50
    offset: int = 0


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _row(r: tuple[Any, ...]) -> dict[str, Any]:
    d = dict(zip(HISTORY_COLUMNS, r, strict=True))
    d["from"] = d.pop("from_addr")
    return d


def history(state_dir: Path, q: HistoryQuery) -> tuple[int, list[dict[str, Any]]]:
    """(total matching, one page of summaries), newest first."""
    where: list[str] = []
    args: list[Any] = []
    levels = [lv for lv in q.level if lv in LEVELS]
    if levels:
        where.append(f"level IN ({', '.join('?' * len(levels))})")
        args += levels
    if q.origin:
        where.append("origin = ?")
        args.append(q.origin)
    if q.since:
        where.append("at >= ?")
        args.append(q.since.isoformat())
    if q.until:
        where.append("at < ?")
        args.append((q.until + timedelta(days=1)).isoformat())
    if q.text:
        where.append("(subject LIKE ? ESCAPE '\\' OR from_addr LIKE ? ESCAPE '\\' OR source LIKE ? ESCAPE '\\'"
                     " OR message_id LIKE ? ESCAPE '\\')")
        args += [_like(q.text)] * 4
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    with Store.open(state_dir) as store:
        (total,) = store.db.execute(f"SELECT COUNT(*) FROM history{cond}", args).fetchone()  # noqa: S608
        rows = store.db.execute(
            f"SELECT {', '.join(HISTORY_COLUMNS)} FROM history{cond} ORDER BY id DESC LIMIT ? OFFSET ?",  # noqa: S608
            [*args, q.limit, q.offset],
        ).fetchall()
    return int(total), [_row(r) for r in rows]


def history_entry(state_dir: Path, hid: int) -> dict[str, Any] | None:
    """``{"id", "at", "origin", "record"}`` or None."""
    with Store.open(state_dir) as store:
        row = store.db.execute("SELECT id, at, origin, record FROM history WHERE id = ?", (hid,)).fetchone()
    if row is None:
        return None
    try:
        record = json.loads(row[3])
    except ValueError:
        record = {"errors": ["history record is not valid JSON"]}
    return {"id": row[0], "at": row[1], "origin": row[2], "record": record}


def add_history(state_dir: Path, record: dict[str, Any], origin: str = "web") -> int:
    """Store one record; its history id."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    r = record
    row = (now, origin, str(r.get("source", "")), str(r.get("message_id", "")), str(r.get("from", "")),
           str(r.get("subject", "")), str(r.get("level", "")), float(r.get("score", 0.0)),
           json.dumps(r, ensure_ascii=False))  # the columns Store.add_history writes
    with Store.open(state_dir) as store, store.db:
        cur = store.db.execute(
            "INSERT INTO history (at, origin, source, message_id, from_addr, subject, level, score, record)"
            " VALUES (?,?,?,?,?,?,?,?,?)", row)
    return int(cur.lastrowid or 0)


# -- quarantine ------------------------------------------------------------------------------


def _sweep_item(e: Any) -> dict[str, Any]:
    d = e.to_dict()
    return {
        "id": str(e.id), "origin": "sweep", "state": e.state, "kind": e.kind, "mailbox": e.mailbox,
        "folder": e.folder, "quarantine_folder": e.qfolder, "from": e.from_addr, "subject": e.subject,
        "level": e.level, "score": e.score, "message_id": e.message_id, "created": e.created,
        "updated": e.updated, "error": e.error, "releasable": e.state == "quarantined", "journal": d,
    }  # fmt: skip


def _held_items(store: Store, hid: int | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT id, at, record FROM history WHERE origin = 'milter'"
           " AND json_extract(record, '$.milter.action') = 'hold'")
    args: list[Any] = []
    if hid is not None:
        sql += " AND id = ?"
        args.append(hid)
    rows = store.db.execute(sql + " ORDER BY id DESC LIMIT 1000", args).fetchall()
    released: dict[str, tuple[str, str, str]] = {}
    for path, state, err, updated in store.db.execute(
        "SELECT path, state, error, updated FROM quarantine WHERE kind = 'milter' ORDER BY id"
    ):
        released[path] = (state, err, updated)
    out = []
    for hid_, at, rec_text in rows:
        try:
            rec = json.loads(rec_text)
        except ValueError:
            continue
        m = rec.get("milter") or {}
        qid = str(m.get("queue_id") or "")
        state, err, updated = released.get(f"history:{hid_}", ("held", "", at))
        out.append({
            "id": f"{MILTER_PREFIX}{hid_}", "origin": "milter", "state": state, "kind": "postfix-hold",
            "mailbox": "postfix", "folder": "hold", "quarantine_folder": "hold", "from": str(rec.get("from", "")),
            "subject": str(rec.get("subject", "")), "level": str(rec.get("level", "")),
            "score": float(rec.get("score", 0.0) or 0.0), "message_id": str(rec.get("message_id", "")),
            "created": at, "updated": updated, "error": err,
            "releasable": state == "held" and bool(_QUEUE_ID.match(qid)),
            "queue_id": qid, "recipients": [str(r) for r in m.get("recipients") or []], "history_id": hid_,
        })  # fmt: skip
    return out


def quarantine(state_dir: Path, *, state: str = "") -> list[dict[str, Any]]:
    """Every quarantine entry (sweep journal, newest first, then milter holds)."""
    from emoguard.quarantine import Journal

    with Store.open(state_dir) as store:
        items = [_sweep_item(e) for e in reversed(Journal(store).all()) if e.kind != "milter"]
        items += _held_items(store)
    if state:
        items = [i for i in items if i["state"] == state]
    return items


def quarantine_entry(state_dir: Path, qid: str) -> dict[str, Any] | None:
    from emoguard.quarantine import Journal

    if not QID.match(qid):
        return None
    with Store.open(state_dir) as store:
        if qid.startswith(MILTER_PREFIX):
            found = _held_items(store, int(qid[len(MILTER_PREFIX):]))
            return found[0] if found else None
        e = Journal(store).get(int(qid))
        return _sweep_item(e) if e is not None and e.kind != "milter" else None


class ReleaseError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def release(cfg: Config, state_dir: Path, qid: str, *, lang: str = "en") -> dict[str, Any]:
    """Release one entry; the entry as it ends. Raises :class:`ReleaseError`."""
    with _release_lock:  # two clicks on one entry must not race
        item = quarantine_entry(state_dir, qid)
        if item is None:
            raise ReleaseError(404, "not_found", f"no quarantine entry {qid}")
        if not item["releasable"]:
            raise ReleaseError(409, "not_releasable", f"entry {qid} is {item['state']}, not releasable")
        if item["origin"] == "milter":
            _release_held(cfg, state_dir, item)
        else:
            _release_sweep(cfg, state_dir, int(qid), lang)
        after = quarantine_entry(state_dir, qid)
        assert after is not None
        return after


def _release_sweep(cfg: Config, state_dir: Path, jid: int, lang: str) -> None:
    import contextlib

    from emoguard.quarantine import Journal, restore_entries

    clients: dict[str, Any] = {}

    def client(box: str) -> Any:
        from emoguard.sources.imap import connect, parse_url

        if box not in clients:
            clients[box] = connect(parse_url(box), cfg, lang=lang)
        return clients[box]

    with Store.open(state_dir) as store:
        journal = Journal(store)
        entry = journal.get(jid)
        if entry is None:
            raise ReleaseError(404, "not_found", f"no quarantine entry {jid}")
        try:
            done = restore_entries(journal, [entry], client)
        except Exception as e:  # a dropped IMAP connection: the journal lets `emoguard restore` finish it
            raise ReleaseError(502, "release_failed", f"restore stopped: {type(e).__name__}: {e}") from None
        finally:
            for c in clients.values():
                with contextlib.suppress(Exception):
                    c.logout()
    if not done or done[0].state != "restored":
        err = done[0].error if done else "unknown"
        raise ReleaseError(502, "release_failed", f"entry {jid} not restored: {err}")


def _release_held(cfg: Config, state_dir: Path, item: dict[str, Any]) -> None:
    from emoguard.quarantine import Journal

    cmd = [str(c) for c in cfg["web.release_held_command"]]
    if not cmd:
        raise ReleaseError(409, "release_not_configured",
                           "releasing held mail from the web is off: set web.release_held_command "
                           f"(or run: postsuper -H {item['queue_id']})")
    try:
        r = subprocess.run([*cmd, item["queue_id"]], capture_output=True, text=True, timeout=30, check=False)
        ok, err = r.returncode == 0, (r.stderr or r.stdout).strip()[:500]
    except (OSError, subprocess.TimeoutExpired) as e:
        ok, err = False, f"{type(e).__name__}: {e}"
    if ok:
        with Store.open(state_dir) as store:
            Journal(store).add(kind="milter", mailbox="postfix", folder="hold", path=f"history:{item['history_id']}",
                               qfolder="hold", message_id=item["message_id"], sha256="", size=0,
                               from_addr=item["from"], subject=item["subject"], level=item["level"],
                               score=item["score"], state="restored", error="")
        return
    raise ReleaseError(502, "release_failed", f"{' '.join(cmd)} {item['queue_id']} failed: {err}")
