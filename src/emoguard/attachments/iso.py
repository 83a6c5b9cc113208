"""ISO 9660 / UDF-bridge disk images (INDICATORS c8), read in memory with pycdlib."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from emoguard.model import FileNode

if TYPE_CHECKING:
    from emoguard.attachments import Walker

Found = list[tuple[str, str]]


def inspect(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
            anc: frozenset[str]) -> None:
    import pycdlib

    iso: Any = pycdlib.PyCdlib()
    iso.open_fp(io.BytesIO(data))
    try:
        joliet = iso.has_joliet()
        facade = iso.get_joliet_facade() if joliet else iso.get_iso9660_facade()
        files: list[str] = []
        for root, _dirs, fnames in facade.walk("/"):
            for f in fnames:
                files.append(root.rstrip("/") + "/" + f)
                if len(files) > w.limits.max_members:
                    break
        shown = [f.lstrip("/").split(";")[0] for f in files[:10]]
        found.append(("file.iso", f"disk image with {len(files)} files: " + ", ".join(shown)))
        for n, path in enumerate(files):
            if n >= w.limits.max_members:
                found.append(("limit.members", f"only the first {w.limits.max_members} files inspected"))
                break
            w.check_time()
            rec = facade.get_record(path)
            size = int(rec.get_data_length())
            out = io.BytesIO()
            with facade.open_file_from_iso(path) as fh:
                out.write(fh.read(w.read_cap(size)))
            buf = out.getvalue()
            w.take(len(buf))
            kids.append(w.node(buf, path.lstrip("/").split(";")[0], depth=depth + 1, declared_size=size,
                               ancestors=anc))
    finally:
        iso.close()


__all__ = ["inspect"]
