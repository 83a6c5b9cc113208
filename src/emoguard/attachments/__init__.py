"""Attachments: typing by content and the file-node tree (DESIGN 3.3).

``sniff`` names a file's type from its first bytes, never from its name.
``explode`` turns an attachment into a :class:`FileNode` tree: archive members, embedded
objects, decrypted documents and attached mails become children, each typed by content,
with size, declared size, hashes and findings. Findings are English sentences for people
(``FileNode.findings``) with a parallel machine code each (``FileNode.codes``, see
:mod:`emoguard.attachments.codes` for the ja/en labels).

The work is bounded (:mod:`emoguard.attachments.limits`): depth, members, bytes
produced, compression ratio, password tries and a per-message time budget. Hitting a
limit is a ``limit.*`` finding; ``explode`` never raises and never executes anything.
Nothing is written to disk except, for the two readers that need a file (DDE fields
via msodde, RAR via an external unpacker), a private temporary directory that is
removed at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from emoguard.attachments.codes import CODES, label
from emoguard.attachments.limits import Budget, LimitReached, Limits
from emoguard.attachments.passwords import OFFICE_DEFAULT, Candidate, candidates
from emoguard.model import FileNode, Message, Part

T = TypeVar("T")

# (magic, offset, type) checked in order; the first match wins.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "ole"),
    (b"PK\x03\x04", 0, "zip"),
    (b"PK\x05\x06", 0, "zip"),
    (b"PK\x07\x08", 0, "zip"),
    (b"Rar!\x1a\x07", 0, "rar"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7z"),
    (b"\x1f\x8b", 0, "gzip"),
    (b"%PDF", 0, "pdf"),
    (b"MZ", 0, "pe"),
    (b"\x7fELF", 0, "elf"),
    (b"{\\rt", 0, "rtf"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", 0, "lnk"),
    (b"\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d", 0, "onenote"),
    (b"\x89PNG", 0, "png"),
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"GIF8", 0, "gif"),
    (b"BM", 0, "bmp"),
    (b"\x78\x9f\x3e\x22", 0, "tnef"),
    (b"CD001", 0x8001, "iso"),
    (b"CD001", 0x8801, "iso"),
    (b"CD001", 0x9001, "iso"),
    (b"ustar", 257, "tar"),
    (b"MSCF", 0, "cab"),
    (b"ID;P", 0, "slk"),
)


def sniff(data: bytes) -> str:
    """Type of ``data`` from its content: 'ole', 'zip', 'pdf', 'pe', … or 'text'/'binary'/'empty'."""
    if not data:
        return "empty"
    for magic, off, kind in _MAGIC:
        if data[off : off + len(magic)] == magic:
            return kind
    head = data[:2048]
    low = head.lstrip().lower()
    if low.startswith((b"<!doctype html", b"<html", b"<head", b"<script", b"<body", b"<hta:")):
        return "html"
    if low.startswith(b"<?xml"):
        return "xml"
    if b"\x00" in head:
        return "binary"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:
            return "binary" if sum(b < 9 for b in head) > 8 else "text"
    return "text"


ARCHIVE_TYPES = frozenset({"zip", "7z", "rar", "gzip", "tar", "iso", "cab"})


@dataclass(frozen=True, slots=True)
class Inspector:
    """What is loaded once per engine: limits, configured passwords, compiled YARA rules."""

    limits: Limits = field(default_factory=Limits)
    passwords: tuple[str, ...] = ()
    yara_rules: Any = None  # yara_x.Rules, or None when YARA is off/unavailable

    @classmethod
    def from_config(cls, cfg: Any) -> Inspector:
        """Build from an :class:`emoguard.config.Config` (keys ``attachments.*``, ``yara.*``)."""
        limits = Limits(
            max_depth=int(cfg["attachments.max_depth"]),
            max_members=int(cfg["attachments.max_members"]),
            max_bytes=int(cfg["attachments.max_bytes"]),
            max_ratio=float(cfg["attachments.max_ratio"]),
            oversize_bytes=int(cfg["attachments.oversize_bytes"]),
            time_budget=float(cfg["attachments.time_budget"]),
            max_password_tries=int(cfg["attachments.max_password_tries"]),
        )
        rules = None
        if cfg["yara.enabled"]:
            from emoguard.attachments.yara import load_rules

            rules = load_rules([Path(d).expanduser() for d in cfg["yara.dirs"]])
        return cls(limits=limits, passwords=tuple(cfg["attachments.passwords"]), yara_rules=rules)

    def explode_message(
        self,
        message: Message,
        *,
        body_text: str | None = None,
        extra_passwords: Sequence[str] = (),
    ) -> tuple[FileNode, ...]:
        """The trees of all attachments of ``message``, sharing one budget. Never raises."""
        if not message.attachments:
            return ()
        extra = [(p, "the caller's context") for p in extra_passwords]
        extra += [(p, "the configuration") for p in self.passwords]
        try:
            cands = candidates(message, body_text=body_text, extra=extra)
        except Exception:  # candidates are a help, never a reason to fail
            cands = tuple(Candidate(p, s) for p, s in extra)
        walker = Walker(self, Budget(self.limits), cands)
        return tuple(walker.explode_part(p) for p in message.attachments)


_DEFAULT_INSPECTOR: Inspector | None = None


def default_inspector() -> Inspector:
    """An inspector with the shipped defaults (used when no engine configured one)."""
    global _DEFAULT_INSPECTOR
    if _DEFAULT_INSPECTOR is None:
        from emoguard.config import load_config

        _DEFAULT_INSPECTOR = Inspector.from_config(load_config(search_defaults=False))
    return _DEFAULT_INSPECTOR


class Walker:
    """One message's walk over its attachments: budget, password candidates, node builder."""

    def __init__(self, inspector: Inspector, budget: Budget, passwords: Sequence[Candidate] = ()) -> None:
        self.inspector = inspector
        self.budget = budget
        self.limits = inspector.limits
        self.passwords = tuple(passwords)

    # -- entry points ----------------------------------------------------------

    def explode_part(self, part: Part) -> FileNode:
        name = part.filename or ""
        try:
            if part.message is not None:
                return self._mail_node(part.message, name, part.payload, depth=0, ancestors=frozenset())
            return self.node(part.payload, name, depth=0)
        except Exception as exc:  # the last line of defence: explode never raises
            data = part.payload
            return FileNode(
                name=name, type=sniff(data), size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                findings=(f"could not be inspected: {type(exc).__name__}: {exc}",),
                codes=("file.unparsed",),
            )

    def _mail_node(
        self, msg: Message, name: str, raw: bytes, *, depth: int, ancestors: frozenset[str]
    ) -> FileNode:
        found = [("file.attached_mail", f"attached mail, subject {msg.subject!r}")]
        kids: list[FileNode] = []
        sha = hashlib.sha256(raw).hexdigest()
        if depth >= self.limits.max_depth:
            found.append(("limit.depth", f"not opened: nesting depth limit ({self.limits.max_depth})"))
        else:
            outer = self.passwords
            self.passwords = outer + self._inner_passwords(msg, name, outer)
            try:
                for p in msg.attachments:
                    if p.message is not None:
                        kids.append(self._mail_node(p.message, p.filename or "", p.payload,
                                                    depth=depth + 1, ancestors=ancestors | {sha}))
                    else:
                        kids.append(self.node(p.payload, p.filename or "", depth=depth + 1,
                                              ancestors=ancestors | {sha}))
            finally:
                self.passwords = outer
        self.budget.nodes += 1
        return _make(name, "message/rfc822", raw, found, kids, None)

    @staticmethod
    def _inner_passwords(msg: Message, name: str, outer: Sequence[Candidate]) -> tuple[Candidate, ...]:
        """An attached mail's own password candidates (a forwarded Emotet mail carries its
        zip and the password together), tried after the outer mail's, for its attachments."""
        known = {c.password for c in outer}
        label = f"the attached mail {name!r}" if name else f"the attached mail (subject {msg.subject!r})"
        return tuple(Candidate(c.password, f"{c.source} of {label}", c.strong)
                     for c in candidates(msg) if c.password not in known)

    # -- the node builder --------------------------------------------------------

    def node(
        self,
        data: bytes,
        name: str,
        *,
        depth: int,
        declared_size: int | None = None,
        pre: Sequence[tuple[str, str]] = (),
        ancestors: frozenset[str] = frozenset(),
    ) -> FileNode:
        """The node for ``data`` (already produced, i.e. counted against the budget)."""
        b = self.budget
        b.nodes += 1
        found: list[tuple[str, str]] = list(pre)
        kids: list[FileNode] = []
        kind = sniff(data)
        sha = hashlib.sha256(data).hexdigest()
        stop: tuple[str, str] | None = None
        if b.nodes > self.limits.max_nodes:
            stop = ("limit.members", f"not inspected: more than {self.limits.max_nodes} files in this mail")
        elif depth > self.limits.max_depth:
            stop = ("limit.depth", f"not inspected: nesting depth limit ({self.limits.max_depth})")
        elif sha in ancestors:
            stop = ("limit.loop", "not inspected: this archive contains itself (nesting loop)")
        elif b.out_of_time():
            stop = ("limit.time", f"not inspected: time budget ({self.limits.time_budget:g} s) used up")
        if stop:
            found.append(stop)
            b.hit.add(stop[0])
            from emoguard.attachments import scripts

            scripts.inspect_name(self, name, kind, found)
            return _make(name, kind, data, found, kids, declared_size)
        handler = _HANDLERS.get(kind)
        if handler is None and kind in {"text", "html", "xml"}:
            handler = _text_handler
        if handler is not None:
            try:
                refined = handler(self, data, name, depth, found, kids, ancestors | {sha})
                if refined:
                    kind = refined
            except LimitReached as e:
                found.append((e.code, e.detail))
                b.hit.add(e.code)
            except Exception as exc:
                code = "archive.corrupt" if kind in ARCHIVE_TYPES else (
                    "office.unparsed" if kind in {"ole", "rtf", "slk"} else "file.unparsed")
                found.append((code, f"{kind} could not be read: {type(exc).__name__}: {str(exc)[:160]}"))
        from emoguard.attachments import scripts

        scripts.inspect_name(self, name, kind, found)
        if self.inspector.yara_rules is not None and not b.out_of_time():
            from emoguard.attachments.yara import scan

            for rule in scan(self.inspector.yara_rules, data[: self.limits.yara_max_bytes],
                             timeout=max(1, int(b.time_left()))):
                found.append(("file.yara", f"YARA rule {rule} matches"))
        return _make(name, kind, data, found, kids, declared_size)

    # -- helpers for the inspectors -------------------------------------------------

    def take(self, n: int) -> int:
        """Account for ``n`` produced bytes; raises ``LimitReached`` past the budget."""
        b = self.budget
        if b.produced + n > self.limits.max_bytes:
            b.produced = self.limits.max_bytes
            raise LimitReached("limit.bytes", f"stopped: more than {self.limits.max_bytes} bytes produced "
                                              "from this mail's attachments")
        b.produced += n
        return n

    def read_cap(self, declared: int) -> int:
        """How many bytes of a member declaring ``declared`` bytes to read."""
        cap = min(self.limits.max_file_bytes, self.budget.bytes_left())
        if declared > self.limits.max_file_bytes:
            cap = min(cap, self.limits.head_bytes)
        return cap

    def head_cap(self, cap: int) -> int:
        """Cap for a bomb-like/oversized member: its head, within the per-message head budget."""
        lim = self.limits
        n = max(0, min(cap, lim.head_bytes, lim.max_head_bytes - self.budget.heads))
        self.budget.heads += n
        return n

    def check_time(self) -> None:
        if self.budget.out_of_time():
            raise LimitReached("limit.time", f"stopped: time budget ({self.limits.time_budget:g} s) used up")

    def try_passwords(
        self, attempt: Callable[[str], T | None], *, office: bool = False,
        found: list[tuple[str, str]] | None = None,
    ) -> tuple[T, Candidate] | None:
        """Try candidates with ``attempt`` (returns a result, or None for a wrong password).

        When the per-message try limit runs out, a ``limit.passwords`` finding goes to
        ``found`` and None is returned, so the caller still reports the item as
        "encrypted, could not inspect" (without ``found``, ``LimitReached`` is raised).
        """
        cands: list[Candidate] = []
        if office:
            cands.append(Candidate(OFFICE_DEFAULT, "the Office default password"))
        cands.extend(self.passwords)
        for c in cands:
            self.check_time()
            if self.budget.tries >= self.limits.max_password_tries:
                self.budget.hit.add("limit.passwords")
                text = f"password try limit ({self.limits.max_password_tries} per mail) reached"
                if found is None:
                    raise LimitReached("limit.passwords", "encrypted, could not inspect: " + text)
                found.append(("limit.passwords", text))
                return None
            self.budget.tries += 1
            try:
                res = attempt(c.password)
            except LimitReached:
                raise
            except Exception:
                res = None
            if res is not None:
                return res, c
        return None


def _make(
    name: str, kind: str, data: bytes, found: Sequence[tuple[str, str]], kids: Sequence[FileNode],
    declared: int | None,
) -> FileNode:
    seen: set[tuple[str, str]] = set()
    uniq = [f for f in found if not (f in seen or seen.add(f))]  # type: ignore[func-returns-value]
    return FileNode(
        name=name,
        type=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        declared_size=declared,
        findings=tuple(t for _, t in uniq),
        codes=tuple(c for c, _ in uniq),
        children=tuple(kids),
    )


Handler = Callable[[Walker, bytes, str, int, list[tuple[str, str]], list[FileNode], frozenset[str]], "str | None"]


def _archives(kind: str) -> Handler:
    def h(w: Walker, data: bytes, name: str, depth: int, found: list[tuple[str, str]],
          kids: list[FileNode], anc: frozenset[str]) -> str | None:
        from emoguard.attachments import archives

        return archives.inspect(w, kind, data, name, depth, found, kids, anc)

    return h


def _office(w: Walker, data: bytes, name: str, depth: int, found: list[tuple[str, str]],
            kids: list[FileNode], anc: frozenset[str]) -> str | None:
    from emoguard.attachments import office

    return office.inspect(w, data, name, depth, found, kids, anc)


def _lnk(w: Walker, data: bytes, name: str, depth: int, found: list[tuple[str, str]],
         kids: list[FileNode], anc: frozenset[str]) -> str | None:
    from emoguard.attachments import lnk

    return lnk.inspect(w, data, name, depth, found, kids, anc)


def _onenote(w: Walker, data: bytes, name: str, depth: int, found: list[tuple[str, str]],
             kids: list[FileNode], anc: frozenset[str]) -> str | None:
    from emoguard.attachments import onenote

    return onenote.inspect(w, data, name, depth, found, kids, anc)


def _exe(w: Walker, data: bytes, name: str, depth: int, found: list[tuple[str, str]],
         kids: list[FileNode], anc: frozenset[str]) -> str | None:
    found.append(("file.executable", f"{'Windows PE' if data[:2] == b'MZ' else 'ELF'} executable"))
    return None


def _text_handler(w: Walker, data: bytes, name: str, depth: int, found: list[tuple[str, str]],
                  kids: list[FileNode], anc: frozenset[str]) -> str | None:
    from emoguard.attachments import scripts

    return scripts.inspect_text(w, data, name, depth, found, kids, anc)


_HANDLERS: dict[str, Handler] = {
    **{k: _archives(k) for k in ("zip", "7z", "rar", "gzip", "tar", "iso")},
    "ole": _office,
    "rtf": _office,
    "slk": _office,
    "lnk": _lnk,
    "onenote": _onenote,
    "pe": _exe,
    "elf": _exe,
}


def explode(part: Part, ctx: Walker | None = None) -> FileNode:
    """The file-node tree of one attachment. Never raises.

    ``ctx`` is the message's :class:`Walker` (shared budget and password candidates);
    without one, a walker with the default limits and no candidates is used.
    """
    if ctx is None:
        ctx = Walker(Inspector(), Budget(Limits()))
    return ctx.explode_part(part)


def iter_nodes(roots: Sequence[FileNode], prefix: str = "") -> list[tuple[str, FileNode]]:
    """Every node below ``roots`` with its path (``請求書.zip › 請求書.doc``), depth first."""
    out: list[tuple[str, FileNode]] = []

    def walk(n: FileNode, path: str) -> None:
        here = f"{path} › {n.name or '(unnamed ' + n.type + ')'}" if path else (n.name or f"(unnamed {n.type})")
        out.append((here, n))
        for c in n.children:
            walk(c, here)

    for r in roots:
        walk(r, prefix)
    return out


__all__ = [
    "CODES",
    "Inspector",
    "Limits",
    "Walker",
    "default_inspector",
    "explode",
    "iter_nodes",
    "label",
    "sniff",
]
