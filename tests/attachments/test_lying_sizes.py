"""A zip whose central directory declares 0 bytes is reported corrupt without inflating the member (issue 9)."""

from __future__ import annotations

import time
import zlib

from emoguard import Engine
from emoguard.testing import MailBuilder, PaddedFile, zip_archive

ENGINE = Engine.load(search_defaults=False)


def _lying_zip(members: int) -> bytes:
    z = bytearray(zip_archive({f"{i}.doc": PaddedFile(b"", 100_000_000) for i in range(members)},
                              compression="deflated"))
    pos = 0
    while (cd := z.find(b"PK\x01\x02", pos)) >= 0:
        z[cd + 24:cd + 28] = b"\x00\x00\x00\x00"  # uncompressed size: 0
        pos = cd + 4
    return bytes(z)


def test_members_declaring_zero_bytes_are_corrupt_and_cheap(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    inflated = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *a, **k):  # type: ignore[no-untyped-def]
            self._d = real(*a, **k)

        def decompress(self, data, max_length=0):  # type: ignore[no-untyped-def]
            out = self._d.decompress(data, max_length)
            inflated.append(len(out))
            return out

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(self._d, name)

    monkeypatch.setattr(zlib, "decompressobj", Counting)
    mail = (MailBuilder().from_("a@partner.example").to("b@example.co.jp").subject("請求書")
            .text("ご確認ください。\n").attach(_lying_zip(10), "請求書.zip").build())
    t0 = time.process_time()
    v = ENGINE.analyze(mail)
    assert time.process_time() - t0 < 5
    kids = v.attachments[0].children
    assert len(kids) == 10 and all("archive.corrupt" in k.codes for k in kids)
    assert sum(inflated) < 10 * 64 * 1024  # was 64 MiB inflated per member
