"""Linear-time scans of body text shared by several features.

``re.findall(r"[A-Za-z0-9._%+-]+@domain", text)`` is quadratic on a long run of
address characters without an ``@`` (200 KB of letters took minutes): the engine
retries at every position of the run and rescans it to its end each time.
:func:`find_addresses` returns exactly the matches ``findall`` would, in linear time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_LOCAL = r"[A-Za-z0-9._%+\-]"
ADDRESS = re.compile(_LOCAL + r"+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
"""An e-mail address in running text (what the features have always matched)."""
_ADDRESS_AT_RUN_START = re.compile(rf"(?<!{_LOCAL})" + ADDRESS.pattern)


def find_addresses(text: str) -> Iterator[re.Match[str]]:
    """The non-overlapping matches of :data:`ADDRESS` in ``text``, as ``finditer`` gives them.

    A match's local part always runs to the ``@`` that ends its run of address
    characters, so a try that starts inside a run fails exactly when the try at the
    run's previous character failed. Only run starts need trying, plus the position
    right after a match (whose previous character was consumed by that match).
    """
    pos = 0
    n = len(text)
    while pos < n:
        m = ADDRESS.match(text, pos) if pos else None
        if m is None:
            m = _ADDRESS_AT_RUN_START.search(text, pos)
            if m is None:
                return
        yield m
        pos = m.end() if m.end() > m.start() else m.end() + 1


__all__ = ["ADDRESS", "find_addresses"]
