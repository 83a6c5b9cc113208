"""Quarantine and restore, with a journal in the store so nothing is ever lost.

A message is moved, never deleted: IMAP ``UID MOVE`` where the server has MOVE, else
``UID COPY`` + ``\\Deleted`` + ``UID EXPUNGE`` of exactly those UIDs (UIDPLUS; without it
we refuse rather than expunge other mail), up to ``BATCH`` UIDs per command; a Maildir
file is renamed into the Maildir++ folder ``.<QFOLDER>`` of its Maildir.

Every step is written to the ``quarantine`` table *before* the next one starts:

    q_intent ──MOVE──► q_moved ──locate──► quarantined
    q_intent ──COPY──► q_copied ──\\Deleted+UID EXPUNGE──► q_deleted ──locate──► quarantined
    (restore: the same with r_* states, ending in ``restored``)

A run that finds an entry still in a ``q_*``/``r_*`` state (the process was killed, the
connection dropped) looks at both places and finishes the move: present only at the
origin → move it now; present in both (copied, not yet expunged) → expunge the origin;
present only at the target → record where. The origin is only ever expunged after its
copy exists, so a message is never in neither place; if it is (someone else deleted it)
the entry goes to ``missing`` and is reported.

For tests only: ``EMOGUARD_TEST_QUARANTINE_CRASH=STATE:N`` makes the process exit
(``os._exit(137)``, as if killed) right after the N-th entry reached STATE
(``q_intent``, ``q_moved``, ``q_copied``, ``q_deleted``, ``r_moved``, …).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emoguard.sinks.store import Store

CRASH_ENV = "EMOGUARD_TEST_QUARANTINE_CRASH"
PENDING_Q = ("q_intent", "q_moved", "q_copied", "q_deleted")
PENDING_R = ("r_intent", "r_moved", "r_copied", "r_deleted")
BATCH = 50  # UIDs per MOVE / COPY command
_crash_counts: dict[str, int] = {}


class QuarantineError(Exception):
    pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _maybe_crash(state: str) -> None:
    spec = os.environ.get(CRASH_ENV)
    if not spec:
        return
    want, _, n = spec.partition(":")
    if want != state:
        return
    _crash_counts[state] = _crash_counts.get(state, 0) + 1
    if _crash_counts[state] >= int(n or 1):
        os._exit(137)


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    kind: str  # "imap" | "maildir"
    mailbox: str
    folder: str
    uidvalidity: int
    uid: int
    path: str
    qfolder: str
    q_uidvalidity: int
    q_uid: int
    q_path: str
    message_id: str
    sha256: str
    size: int
    from_addr: str
    subject: str
    level: str
    score: float
    state: str
    error: str
    created: str
    updated: str

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


_COLS = ("id", "kind", "mailbox", "folder", "uidvalidity", "uid", "path", "qfolder", "q_uidvalidity", "q_uid",
         "q_path", "message_id", "sha256", "size", "from_addr", "subject", "level", "score", "state", "error",
         "created", "updated")  # fmt: skip


class Journal:
    """The ``quarantine`` table of the store."""

    def __init__(self, store: Store) -> None:
        self.db = store.db

    def add(self, **fields: Any) -> int:
        now = _now()
        fields = {"created": now, "updated": now, **fields}
        cols = ", ".join(fields)
        with self.db:
            cur = self.db.execute(
                f"INSERT INTO quarantine ({cols}) VALUES ({', '.join('?' * len(fields))})",  # noqa: S608
                list(fields.values()),
            )
        if "state" in fields:
            _maybe_crash(str(fields["state"]))
        return int(cur.lastrowid or 0)

    def update(self, entry_id: int, **fields: Any) -> None:
        fields["updated"] = _now()
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.db:
            self.db.execute(f"UPDATE quarantine SET {sets} WHERE id = ?", [*fields.values(), entry_id])  # noqa: S608
        if "state" in fields:
            _maybe_crash(str(fields["state"]))

    def _rows(self, where: str = "", args: Iterable[Any] = ()) -> list[Entry]:
        sql = f"SELECT {', '.join(_COLS)} FROM quarantine {where} ORDER BY id"  # noqa: S608
        return [Entry(*row) for row in self.db.execute(sql, list(args))]

    def get(self, entry_id: int) -> Entry | None:
        rows = self._rows("WHERE id = ?", (entry_id,))
        return rows[0] if rows else None

    def all(self) -> list[Entry]:
        return self._rows()

    def in_state(self, *states: str) -> list[Entry]:
        return self._rows(f"WHERE state IN ({', '.join('?' * len(states))})", states)

    def pending(self) -> list[Entry]:
        return self.in_state(*PENDING_Q, *PENDING_R)

    def claimed(self, mailbox: str, folder: str, uidvalidity: int) -> set[int]:
        """UIDs in ``folder`` already recorded as some entry's current location."""
        out: set[int] = set()
        for e in self._rows("WHERE mailbox = ?", (mailbox,)):
            if e.state in ("quarantined", *PENDING_R) and e.qfolder == folder and e.q_uidvalidity == uidvalidity:
                out.add(e.q_uid)
            if e.state in ("restored", *PENDING_Q) and e.folder == folder and e.uidvalidity == uidvalidity:
                out.add(e.uid)
        out.discard(0)
        return out


# -- IMAP --------------------------------------------------------------------------------


def _uidvalidity(client: Any, folder: str, *, readonly: bool) -> int:
    info = client.select_folder(folder, readonly=readonly)
    return int(info.get(b"UIDVALIDITY", 0))


def ensure_folder(client: Any, folder: str) -> None:
    if not client.folder_exists(folder):
        client.create_folder(folder)
        with contextlib.suppress(Exception):  # subscribing is a courtesy
            client.subscribe_folder(folder)


def locate(client: Any, folder: str, message_id: str, size: int, sha256: str, exclude: set[int]) -> tuple[int, int]:
    """(uidvalidity, uid) of the message with this content in ``folder``, or (uidvalidity, 0)."""
    uv = _uidvalidity(client, folder, readonly=True)
    if message_id:
        cands = client.search(["HEADER", "Message-ID", message_id])
    else:
        cands = client.search(["LARGER", max(0, size - 1), "SMALLER", size + 1])
    cands = sorted(u for u in cands if u not in exclude)
    for i in range(0, len(cands), 32):
        batch = cands[i : i + 32]
        for uid, item in client.fetch(batch, [b"BODY.PEEK[]"]).items():
            if hashlib.sha256(bytes(item.get(b"BODY[]") or b"")).hexdigest() == sha256:
                return uv, int(uid)
    return uv, 0


def _present(client: Any, folder: str, uidvalidity: int, uid: int) -> bool:
    """The exact UID is still in the folder (and the folder is the same folder)."""
    if not uid:
        return False
    uv = _uidvalidity(client, folder, readonly=True)
    if uv != uidvalidity:
        return False
    return uid in client.search(["UID", str(uid)])


class ImapMover:
    """Moves between two folders of one logged-in account, journalled step by step."""

    def __init__(self, client: Any, journal: Journal, *, use_move: bool | None = None) -> None:
        self.client = client
        self.journal = journal
        caps = {c.upper() for c in client.capabilities()}
        self.has_move = b"MOVE" in caps if use_move is None else (use_move and b"MOVE" in caps)
        self.has_uidplus = b"UIDPLUS" in caps

    def _copyuids(self) -> dict[int, tuple[int, int]]:
        """Origin UID -> (target UIDVALIDITY, target UID) from the server's COPYUID codes (UIDPLUS),
        consumed from the connection's untagged responses."""
        imap = getattr(self.client, "_imap", None)
        found = imap.untagged_responses.pop("COPYUID", []) if imap is not None else []
        out: dict[int, tuple[int, int]] = {}
        for data in found:
            raw = data if isinstance(data, bytes) else str(data).encode()
            parts = raw.split()
            if len(parts) < 3 or not parts[0].isdigit():
                continue
            src, dst = _uid_set(parts[1]), _uid_set(parts[2])
            if len(src) == len(dst):
                out.update({s: (int(parts[0]), d) for s, d in zip(src, dst, strict=True)})
        return out

    def _transfer(self, entries: list[Entry], origin: str, target: str, restore: bool) -> None:
        """Move the entries' messages from ``origin`` (selected read-write) to ``target``,
        BATCH at a time, journalling each entry after each step."""
        p = "r_" if restore else "q_"
        if not entries:
            return
        uv = _uidvalidity(self.client, origin, readonly=False)
        live: list[tuple[Entry, int]] = []
        for e in entries:
            src_uv, src_uid = (e.q_uidvalidity, e.q_uid) if restore else (e.uidvalidity, e.uid)
            if src_uv != uv:
                self.journal.update(e.id, state=_final_fail(restore), error=f"UIDVALIDITY of {origin} changed")
            else:
                live.append((e, src_uid))
        if not self.has_move and not self.has_uidplus:
            raise QuarantineError("the server has neither MOVE nor UIDPLUS: refusing to expunge")
        for i in range(0, len(live), BATCH):
            chunk = live[i : i + BATCH]
            uids = [u for _e, u in chunk]
            self._copyuids()  # drop stale codes
            if self.has_move:
                self.client.move(uids, target)
                mapped = self._copyuids()
                for e, u in chunk:
                    self.journal.update(e.id, state=p + "moved", **_target_fields(restore, *mapped.get(u, (0, 0))))
            else:
                self.client.copy(uids, target)
                mapped = self._copyuids()
                for e, u in chunk:
                    self.journal.update(e.id, state=p + "copied", **_target_fields(restore, *mapped.get(u, (0, 0))))
                self.client.add_flags(uids, [b"\\Deleted"], silent=True)
                self.client.uid_expunge(uids)
                for e, _u in chunk:
                    self.journal.update(e.id, state=p + "deleted")
        self._settle([e for e, _u in live], target, restore)

    def _settle(self, entries: list[Entry], target: str, restore: bool) -> None:
        """Mark moved entries done: at once where the server gave the new UID, else found by content."""
        done = "restored" if restore else "quarantined"
        unknown: list[Entry] = []
        for e in entries:
            cur = self.journal.get(e.id)
            if cur is None or cur.state in (done, "failed", "missing") or cur.state.endswith("_intent"):
                continue
            if (cur.uid if restore else cur.q_uid):
                self.journal.update(e.id, state=done, error="")
            else:
                unknown.append(cur)
        for cur in unknown:
            excl = self.journal.claimed(cur.mailbox, target, _uidvalidity(self.client, target, readonly=True))
            t_uv, t_uid = locate(self.client, target, cur.message_id, cur.size, cur.sha256, excl)
            if t_uid:
                self.journal.update(cur.id, state=done, error="", **_target_fields(restore, t_uv, t_uid))
            else:
                self.journal.update(cur.id, error=f"not found in {target} after the move")

    def quarantine(self, entries: list[Entry]) -> None:
        """Entries in state q_intent, all from one folder, to their qfolder."""
        by: dict[tuple[str, str], list[Entry]] = {}
        for e in entries:
            by.setdefault((e.folder, e.qfolder), []).append(e)
        for (folder, qfolder), group in by.items():
            ensure_folder(self.client, qfolder)
            self._transfer(group, folder, qfolder, restore=False)

    def restore(self, entries: list[Entry]) -> None:
        by: dict[tuple[str, str], list[Entry]] = {}
        for e in entries:
            by.setdefault((e.qfolder, e.folder), []).append(e)
        for (qfolder, folder), group in by.items():
            ids = [g.id for g in group]
            for i in ids:
                self.journal.update(i, state="r_intent")
            ensure_folder(self.client, folder)
            self._transfer([x for x in (self.journal.get(i) for i in ids) if x], qfolder, folder, restore=True)

    def resume(self, e: Entry) -> str:
        """Finish an interrupted entry; returns the final state."""
        restore = e.state.startswith("r_")
        origin, target = (e.qfolder, e.folder) if restore else (e.folder, e.qfolder)
        o_uv, o_uid = (e.q_uidvalidity, e.q_uid) if restore else (e.uidvalidity, e.uid)
        done = "restored" if restore else "quarantined"
        in_origin = _present(self.client, origin, o_uv, o_uid) if self.client.folder_exists(origin) else False
        t_uv, t_uid = 0, 0
        if self.client.folder_exists(target):
            t_uv = _uidvalidity(self.client, target, readonly=True)
            known = e.uid if restore else e.q_uid
            if known and _present(self.client, target, t_uv, known):
                t_uid = known
            else:
                excl = self.journal.claimed(e.mailbox, target, t_uv)
                t_uv, t_uid = locate(self.client, target, e.message_id, e.size, e.sha256, excl)
        if in_origin and not t_uid:  # nothing happened yet: do it now
            if not restore:
                ensure_folder(self.client, target)
            self.journal.update(e.id, state=("r_" if restore else "q_") + "intent")
            cur = self.journal.get(e.id)
            if cur is not None:
                self._transfer([cur], origin, target, restore)
        elif in_origin and t_uid:  # copied, origin not yet expunged
            self.journal.update(e.id, **_target_fields(restore, t_uv, t_uid))
            _uidvalidity(self.client, origin, readonly=False)
            self.client.add_flags([o_uid], [b"\\Deleted"], silent=True)
            if self.has_uidplus:
                self.client.uid_expunge([o_uid])
            else:
                raise QuarantineError("cannot finish: the server lacks UIDPLUS (UID EXPUNGE)")
            self.journal.update(e.id, state=done, error="")
        elif t_uid:
            self.journal.update(e.id, state=done, error="", **_target_fields(restore, t_uv, t_uid))
        else:
            self.journal.update(e.id, state="missing", error=f"in neither {origin} nor {target}")
        final = self.journal.get(e.id)
        return final.state if final else "missing"


def _target_fields(restore: bool, uv: int, uid: int) -> dict[str, int]:
    return {"uidvalidity": uv, "uid": uid} if restore else {"q_uidvalidity": uv, "q_uid": uid}


def _uid_set(text: bytes) -> list[int]:
    """``5:7,9`` -> [5, 6, 7, 9] (in the order the server wrote them)."""
    out: list[int] = []
    for part in text.decode("ascii", "replace").split(","):
        a, _, b = part.partition(":")
        if not a.isdigit() or (b and not b.isdigit()):
            return []
        lo, hi = int(a), int(b or a)
        out.extend(range(lo, hi + 1) if lo <= hi else range(lo, hi - 1, -1))
    return out


def _final_fail(restore: bool) -> str:
    return "quarantined" if restore else "failed"


# -- Maildir -------------------------------------------------------------------------------


def maildir_root(maildir: Path) -> Path:
    """The top Maildir: a Maildir++ sub-folder ``.Name`` belongs to its parent."""
    return maildir.parent if maildir.name.startswith(".") and (maildir.parent / "cur").is_dir() else maildir


def maildir_target(path: Path, qfolder: str) -> Path:
    maildir = path.parent.parent
    q = maildir_root(maildir) / f".{qfolder}"
    for sub in ("cur", "new", "tmp"):
        (q / sub).mkdir(parents=True, exist_ok=True)
    return q / "cur" / path.name


def _move_file(src: Path, dst: Path) -> None:
    """Atomic rename; across file systems copy + fsync, then unlink the origin."""
    try:
        src.rename(dst)
    except OSError:
        tmp = dst.with_name(dst.name + ".emoguard-tmp")
        shutil.copy2(src, tmp)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        tmp.rename(dst)
        src.unlink()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def maildir_step(journal: Journal, e: Entry) -> str:
    """Do or finish a Maildir entry (quarantine or restore) from its state."""
    restore = e.state.startswith("r_") or e.state == "quarantined"
    src, dst = (Path(e.q_path), Path(e.path)) if restore else (Path(e.path), Path(e.q_path))
    done = "restored" if restore else "quarantined"
    if e.state == "quarantined":
        journal.update(e.id, state="r_intent")
    if src.exists() and dst.exists():
        if _sha(dst) == e.sha256:
            src.unlink()
        else:
            journal.update(e.id, state="failed", error=f"{dst} exists with other content")
            return "failed"
    elif src.exists():
        dst.parent.mkdir(parents=True, exist_ok=True)
        _move_file(src, dst)
    elif not dst.exists():
        journal.update(e.id, state="missing", error=f"in neither {src} nor {dst}")
        return "missing"
    journal.update(e.id, state=done, error="")
    return done


# -- front: what sweep and restore call ----------------------------------------------------------


Connector = Callable[[str], Any]  # mailbox URL -> logged-in IMAPClient


def resume_pending(journal: Journal, connect: Connector, *, mailboxes: Iterable[str] | None = None) -> list[Entry]:
    """Finish every interrupted entry (optionally only for these mailboxes); returns them."""
    pending = journal.pending()
    if mailboxes is not None:
        wanted = set(mailboxes)
        pending = [e for e in pending if e.kind == "maildir" or e.mailbox in wanted]
    by_box: dict[str, list[Entry]] = {}
    for e in pending:
        if e.kind == "maildir":
            maildir_step(journal, e)
        else:
            by_box.setdefault(e.mailbox, []).append(e)
    for box, entries in by_box.items():
        client = connect(box)
        mover = ImapMover(client, journal)
        for e in entries:
            mover.resume(e)
    return [x for x in (journal.get(e.id) for e in pending) if x is not None]


def restore_entries(journal: Journal, entries: list[Entry], connect: Connector) -> list[Entry]:
    """Move quarantined entries back; returns them as they end."""
    by_box: dict[str, list[Entry]] = {}
    for e in entries:
        if e.state != "quarantined":
            continue
        if e.kind == "maildir":
            maildir_step(journal, e)
        else:
            by_box.setdefault(e.mailbox, []).append(e)
    for box, group in by_box.items():
        mover = ImapMover(connect(box), journal)
        mover.restore(group)
    return [x for x in (journal.get(e.id) for e in entries) if x is not None]


def iter_summary(entries: Iterable[Entry]) -> Iterator[str]:
    for e in entries:
        where = f"{e.mailbox} {e.folder}" + (f" UID {e.uid}" if e.uid else "")
        yield f"#{e.id} {e.state:12} {where} -> {e.qfolder} {e.subject[:60]}"
