"""Sources: where mail comes from, behind one interface (DESIGN 2, "source").

Every source yields :class:`RawMessage` objects. A file-backed message keeps
only its path until a worker loads it, so a folder of 100k files costs a list
of paths, and an mbox is split while streaming. Problems that stop a path from
being read are yielded as :class:`Skipped` items, never raised, so the caller
reports them and carries on. PST and IMAP sources plug in through
:func:`register_scheme` and :func:`register_sniffer`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message to analyse: bytes in hand, or a path to read them from."""

    source: str
    data: bytes | None = None
    path: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def load(self) -> bytes:
        """The message bytes (reads ``path`` when needed; raises OSError)."""
        if self.data is not None:
            return self.data
        if self.path is None:
            return b""
        with open(self.path, "rb") as fh:
            return fh.read()


@dataclass(frozen=True, slots=True)
class Skipped:
    """A path that yields no message, and why (reported, never silent)."""

    source: str
    reason: str
    unreadable: bool = False  # True: an error (permission, I/O); False: not mail


Item = RawMessage | Skipped
Opener = Callable[[str], Iterator[Item]]

_SCHEMES: dict[str, Opener] = {}


def register_scheme(prefix: str, opener: Opener) -> None:
    """Route locators starting with ``prefix`` (e.g. ``imap://``) to ``opener``."""
    _SCHEMES[prefix] = opener


_BUILTINS_REGISTERED = False


def _register_builtins() -> None:
    """The built-in URL schemes (IMAP), registered on first use (cheap: nothing heavy imported)."""
    global _BUILTINS_REGISTERED
    if _BUILTINS_REGISTERED:
        return
    _BUILTINS_REGISTERED = True
    from emoguard.sources.imap import SCHEMES, open_imap

    for s in SCHEMES:
        _SCHEMES.setdefault(s, open_imap)


def open_source(locator: str, *, stdin: Any = None) -> Iterator[Item]:
    """Everything one command-line argument names: '-', a file, a folder, a URL."""
    _register_builtins()
    for prefix, opener in _SCHEMES.items():
        if locator.startswith(prefix):
            yield from opener(locator)
            return
    if locator == "-":
        from emoguard.sources.files import from_stdin

        yield from from_stdin(stdin)
        return
    from emoguard.sources.files import from_path

    yield from from_path(Path(locator))


def open_sources(locators: Iterable[str], *, stdin: Any = None) -> Iterator[Item]:
    for loc in locators:
        yield from open_source(loc, stdin=stdin)


__all__ = ["Item", "RawMessage", "Skipped", "open_source", "open_sources", "register_scheme"]
