"""Hard limits on attachment inspection, and the per-message budget that enforces them.

Every limit that is hit becomes a finding (``limit.*``) that rules can score; none of
them raises out of :func:`emoguard.attachments.explode`. The defaults are sized for a
2-core mail gateway: a normal Office attachment is inspected in milliseconds, a hostile
one (zip bomb, nesting loop, 500 MB padding) stops within the time budget with bounded
memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Limits:
    """Configured bounds (config keys ``attachments.*``)."""

    max_depth: int = 8
    """Archive/embedding nesting below the attachment itself."""
    max_members: int = 500
    """Members looked at per archive (the rest are counted, not read)."""
    max_nodes: int = 2000
    """File nodes per message, all attachments together."""
    max_bytes: int = 256 * 1024 * 1024
    """Bytes produced by decompression and decryption per message."""
    max_file_bytes: int = 64 * 1024 * 1024
    """A member declaring more than this is read only up to ``head_bytes``."""
    head_bytes: int = 4 * 1024 * 1024
    """How much of an oversized or bomb-like member is read for inspection."""
    max_head_bytes: int = 16 * 1024 * 1024
    """Total bytes of such heads per message; later bomb-like members are listed, not read."""
    max_ratio: float = 200.0
    """Declared/compressed ratio above which a member counts as a bomb (members over 1 MB)."""
    oversize_bytes: int = 100 * 1024 * 1024
    """A member declaring at least this many bytes is reported as oversized (padding)."""
    time_budget: float = 10.0
    """Seconds of inspection per message."""
    max_password_tries: int = 40
    """Password attempts per message (each candidate on each encrypted item counts)."""
    yara_max_bytes: int = 16 * 1024 * 1024
    """Largest file node the YARA rules are run on (its head when larger)."""


@dataclass(slots=True)
class Budget:
    """What one message has used so far. Not shared between messages or threads."""

    limits: Limits
    started: float = field(default_factory=time.monotonic)
    produced: int = 0
    nodes: int = 0
    tries: int = 0
    heads: int = 0
    hit: set[str] = field(default_factory=set)

    @property
    def deadline(self) -> float:
        return self.started + self.limits.time_budget

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline

    def bytes_left(self) -> int:
        return max(0, self.limits.max_bytes - self.produced)


class LimitReached(Exception):
    """Raised inside an inspector to unwind when a limit stops the work."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


__all__ = ["Budget", "LimitReached", "Limits"]
