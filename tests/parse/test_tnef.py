"""winmail.dat expansion."""

from __future__ import annotations

import struct

from emoguard.parse import parse_message
from emoguard.parse.tnef import expand_tnef, is_tnef


def _obj(level: int, name: int, typ: int, data: bytes) -> bytes:
    return bytes([level]) + struct.pack("<HHI", name, typ, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def make_tnef(files: list[tuple[bytes, bytes]]) -> bytes:
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += _obj(1, 0x9006, 0x0008, b"\x00\x00\x01\x00")  # TNEF version
    for name, data in files:
        out += _obj(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff")  # attach rend data
        out += _obj(2, 0x8010, 0x0001, name + b"\x00")  # attach title
        out += _obj(2, 0x800F, 0x0006, data)  # attach data
    return out


def test_expand() -> None:
    blob = make_tnef([(b"invoice.doc", b"\xd0\xcf\x11\xe0fake"), (b"a.txt", b"hello")])
    assert is_tnef("application/ms-tnef", None, blob)
    assert is_tnef("application/octet-stream", "WINMAIL.DAT", b"")
    res = expand_tnef(blob, "2", 100)
    assert [(p.path, p.filename, p.payload, p.origin) for p in res.parts] == [
        ("2.t1", "invoice.doc", b"\xd0\xcf\x11\xe0fake", "tnef"),
        ("2.t2", "a.txt", b"hello", "tnef"),
    ]
    assert res.parts[0].content_type == "application/msword"
    assert all(p.is_attachment for p in res.parts)


def test_unreadable() -> None:
    res = expand_tnef(b"not tnef at all", "1", 100)
    assert res.parts == [] and res.defects == ["tnef.unreadable"]


def test_in_a_mail() -> None:
    import base64

    blob = base64.encodebytes(make_tnef([(b"report.xls", b"DATA")])).decode()
    raw = (
        "From: a@b.jp\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        '--B\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + blob + "--B--\r\n"
    ).encode()
    m = parse_message(raw)
    names = [(p.path, p.filename, p.origin) for p in m.attachments]
    assert names == [("2", "winmail.dat", "mime"), ("2.t1", "report.xls", "tnef")]
    assert m.attachments[1].payload == b"DATA"

    broken = raw.replace(blob.encode(), base64.encodebytes(b"garbage"))
    m = parse_message(broken)
    assert [p.filename for p in m.attachments] == ["winmail.dat"]
    assert "tnef.unreadable" in m.defects
