"""OneNote sections (INDICATORS c6): files embedded as FileDataStoreObjects.

The 2023-03 wave hid a script behind a fake "double-click" button image. Each embedded
file sits after the FileDataStoreObject GUID {BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC}
(MS-ONESTORE 2.6.13): GUID, 8-byte length, 4 unused + 8 reserved bytes, then the data.
Every embedded file becomes a child node, so scripts, LNK and executables inside are
found by the same inspectors.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from emoguard.model import FileNode

if TYPE_CHECKING:
    from emoguard.attachments import Walker

Found = list[tuple[str, str]]
FILE_DATA_GUID = bytes.fromhex("e716e3bd65261145a4c48d4d0b7a9eac")
_IMAGE_TYPES = frozenset({"png", "jpeg", "gif", "bmp"})
_EXT = {"text": "txt", "pe": "exe", "jpeg": "jpg", "binary": "bin", "html": "html", "ole": "ole"}


def inspect(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
            anc: frozenset[str]) -> str | None:
    from emoguard.attachments import sniff

    found.append(("file.onenote", "OneNote section file"))
    pos = 0
    n = 0
    while True:
        i = data.find(FILE_DATA_GUID, pos)
        if i < 0 or i + 36 > len(data):
            break
        (length,) = struct.unpack_from("<Q", data, i + 16)
        start = i + 36
        payload = data[start : start + min(length, len(data) - start)]
        pos = start + max(len(payload), 1)
        n += 1
        if n > w.limits.max_members:
            found.append(("limit.members", f"more than {w.limits.max_members} embedded files"))
            break
        w.check_time()
        kind = sniff(payload)
        if kind not in _IMAGE_TYPES:
            found.append(("file.onenote_embedded", f"embedded file #{n} ({kind}, {len(payload):,} bytes)"))
        w.take(len(payload))
        ext = _EXT.get(kind, kind.split("/")[0])
        kids.append(w.node(payload, f"embedded-{n}.{ext}", depth=depth + 1, ancestors=anc))
    return None


__all__ = ["FILE_DATA_GUID", "inspect"]
