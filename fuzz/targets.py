"""Fuzz targets: each takes arbitrary bytes and must neither raise nor hang.

A target's contract is the product's: ``parse_message`` and ``Engine.analyze`` never
raise on any input and always give a well-formed result.
"""

from __future__ import annotations

import io
from collections.abc import Callable

_engine = None


def parse(data: bytes) -> None:
    from emoguard.parse import parse_message

    m = parse_message(data)
    assert isinstance(m.subject, str) and isinstance(m.defects, tuple)


def mbox(data: bytes) -> None:
    from emoguard.sources.files import split_mbox

    total = sum(len(m.data or b"") for m in split_mbox(io.BytesIO(data), "fuzz"))
    assert total <= len(data)


def explode(data: bytes) -> None:
    from emoguard.attachments import explode as explode_part
    from emoguard.model import Part

    node = explode_part(Part(path="1", content_type="application/octet-stream", payload=data,
                             filename="fuzz.bin", is_attachment=True))
    assert node.size == len(data) and isinstance(node.findings, tuple)


def engine(data: bytes) -> None:
    global _engine
    if _engine is None:
        from emoguard.engine import Engine

        _engine = Engine.load(search_defaults=False)
    d = _engine.analyze(data, source="fuzz").to_dict()
    assert d["level"] in ("clean", "suspicious", "malicious")
    assert isinstance(d["hits"], list) and isinstance(d["errors"], list)


TARGETS: dict[str, Callable[[bytes], None]] = {"parse": parse, "mbox": mbox, "explode": explode, "engine": engine}
