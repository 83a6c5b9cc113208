"""Inert attachment files for tests: OLE compound files and (encrypted) zip archives.

Everything here is harmless by construction: the OLE documents hold plain text and no
VBA storage, padding is zero bytes, and nothing is ever executable. They exist so the
attachment code can be tested on real file structures (a CFB that ``olefile`` opens, a
zip that ``zipfile`` decrypts) without shipping live malware.

The writers are byte-stable: no clocks, no randomness (the "random" bytes an encryption
header needs come from a hash of the seed and the content).
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import struct
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "INERT_MARKER",
    "PaddedFile",
    "cfb_file",
    "ole_document",
    "zip_archive",
]

INERT_MARKER = "EMOGUARD-INERT-TEST-FILE"
"""Written into every generated document so a human (or a rule) can tell it is a fake."""

# -- OLE compound file (MS-CFB, version 3, 512-byte sectors) -------------------------

_SECTOR = 512
_MINI = 64
_CUTOFF = 4096
_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
_FATSECT = 0xFFFFFFFD
_DIFSECT = 0xFFFFFFFC
_NOSTREAM = 0xFFFFFFFF
_PER_FAT = _SECTOR // 4
_HEADER_DIFAT = 109

# Root-entry CLSIDs Word 97-2003 and Excel 97-2003 write (little-endian GUID layout).
_CLSID_WORD = bytes.fromhex("0609020000000000c000000000000046")
_CLSID_EXCEL = bytes.fromhex("2008020000000000c000000000000046")


@dataclass
class _Dir:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: dict[str, _Dir] | None = None
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    red: bool = False
    start: int = _ENDOFCHAIN
    size: int = 0
    clsid: bytes = b"\x00" * 16


def _cfb_key(name: str) -> tuple[int, str]:
    # MS-CFB 2.6.4: shorter names sort first, then an upper-cased code-unit comparison.
    return (len(name), name.upper())


def _ceil(n: int, d: int) -> int:
    return -(-n // d)


def _link_siblings(entries: list[_Dir], ids: list[int]) -> int:
    """Make ``ids`` (one storage's children) a valid red-black tree; return its root.

    The tree is built by median split, so its leaves sit on the last two levels;
    colouring the last level red when it is incomplete keeps every path's black
    height equal.
    """
    ids = sorted(ids, key=lambda i: _cfb_key(entries[i].name))
    depth: dict[int, int] = {}

    def build(lo: int, hi: int, d: int) -> int:
        if lo >= hi:
            return _NOSTREAM
        mid = (lo + hi) // 2
        node = ids[mid]
        depth[node] = d
        entries[node].left = build(lo, mid, d + 1)
        entries[node].right = build(mid + 1, hi, d + 1)
        return node

    root = build(0, len(ids), 0)
    if ids:
        bottom = max(depth.values())
        if len(ids) != 2 ** (bottom + 1) - 1 and bottom > 0:
            for node, d in depth.items():
                entries[node].red = d == bottom
    return root


def cfb_file(
    streams: Mapping[str, bytes], *, root_clsid: bytes = b"\x00" * 16, pad_to: int = 0
) -> bytes:
    """A valid MS-CFB v3 compound file holding ``streams``.

    Keys are stream paths; ``/`` separates storages (``"Macros/VBA/dir"`` creates the
    storages ``Macros`` and ``Macros/VBA``). Streams under 4096 bytes go to the mini
    stream, as the spec requires. ``pad_to`` appends zero bytes after the last sector
    until the file is that long (what the 2023 padded documents did); the padding is
    not referenced by the FAT, so readers see the same compound file.
    """
    if len(root_clsid) != 16:
        raise ValueError("root_clsid must be 16 bytes")
    root = _Dir("Root Entry", 5, children={}, clsid=root_clsid)
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for i, part in enumerate(parts):
            if not part or len(part) > 31 or any(c in part for c in "\\:!"):
                raise ValueError(f"invalid CFB entry name {part!r} in {path!r}")
            assert node.children is not None
            last = i == len(parts) - 1
            existing = node.children.get(part)
            if last:
                if existing is not None:
                    raise ValueError(f"duplicate CFB entry {path!r}")
                node.children[part] = _Dir(part, 2, data=bytes(data))
            else:
                if existing is None:
                    existing = node.children[part] = _Dir(part, 1, children={})
                elif existing.kind != 1:
                    raise ValueError(f"{part!r} in {path!r} is a stream, not a storage")
                node = existing

    # Flatten (breadth first) and link each storage's children into a tree.
    entries: list[_Dir] = [root]
    queue = [root]
    while queue:
        parent = queue.pop(0)
        assert parent.children is not None
        child_ids = []
        for child in parent.children.values():
            child_ids.append(len(entries))
            entries.append(child)
            if child.children is not None:
                queue.append(child)
        parent.child = _link_siblings(entries, child_ids)

    # Small streams live in the mini stream (64-byte mini sectors).
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Dir] = []
    for e in entries:
        if e.kind != 2:
            continue
        e.size = len(e.data)
        if e.size == 0:
            e.start = _ENDOFCHAIN
        elif e.size < _CUTOFF:
            n = _ceil(e.size, _MINI)
            e.start = len(minifat)
            minifat.extend(range(e.start + 1, e.start + n))
            minifat.append(_ENDOFCHAIN)
            mini += e.data + b"\x00" * (n * _MINI - e.size)
        else:
            big.append(e)

    n_dir = _ceil(len(entries), 4)
    n_minifat = _ceil(len(minifat) * 4, _SECTOR)
    n_mini = _ceil(len(mini), _SECTOR)
    n_big = sum(_ceil(e.size, _SECTOR) for e in big)
    data_sectors = n_dir + n_minifat + n_mini + n_big
    n_fat = n_difat = 0
    while True:
        need_fat = _ceil(data_sectors + n_fat + n_difat, _PER_FAT)
        need_difat = _ceil(max(0, need_fat - _HEADER_DIFAT), _PER_FAT - 1)
        if (need_fat, need_difat) == (n_fat, n_difat):
            break
        n_fat, n_difat = need_fat, need_difat

    fat = [_FREESECT] * (n_fat * _PER_FAT)
    for s in range(n_fat):
        fat[s] = _FATSECT
    for s in range(n_fat, n_fat + n_difat):
        fat[s] = _DIFSECT
    cursor = n_fat + n_difat

    def chain(count: int) -> int:
        nonlocal cursor
        if count == 0:
            return _ENDOFCHAIN
        first = cursor
        for s in range(first, first + count - 1):
            fat[s] = s + 1
        fat[first + count - 1] = _ENDOFCHAIN
        cursor += count
        return first

    dir_start = chain(n_dir)
    minifat_start = chain(n_minifat)
    mini_start = chain(n_mini)
    root.start = mini_start if mini else _ENDOFCHAIN
    root.size = len(minifat) * _MINI
    for e in big:
        e.start = chain(_ceil(e.size, _SECTOR))

    fat_ids = list(range(n_fat))
    difat_ids = list(range(n_fat, n_fat + n_difat))
    header_difat = fat_ids[:_HEADER_DIFAT] + [_FREESECT] * (_HEADER_DIFAT - min(n_fat, 109))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("d0cf11e0a1b11ae1"),
        b"\x00" * 16,
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # byte order mark
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift: 2**6 = 64
        b"\x00" * 6,
        0,  # number of directory sectors: must be 0 in version 3
        n_fat,
        dir_start,
        0,  # transaction signature
        _CUTOFF,
        minifat_start if n_minifat else _ENDOFCHAIN,
        n_minifat,
        difat_ids[0] if difat_ids else _ENDOFCHAIN,
        n_difat,
    ) + struct.pack(f"<{_HEADER_DIFAT}I", *header_difat)
    assert len(header) == _SECTOR

    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    rest = fat_ids[_HEADER_DIFAT:]
    for i in range(n_difat):
        ids = rest[i * 127 : (i + 1) * 127]
        ids += [_FREESECT] * (127 - len(ids))
        nxt = difat_ids[i + 1] if i + 1 < n_difat else _ENDOFCHAIN
        out += struct.pack("<128I", *ids, nxt)
    for e in entries:
        name = e.name.encode("utf-16-le")
        out += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name) + 2,
            e.kind,
            0 if e.red else 1,
            e.left,
            e.right,
            e.child,
            e.clsid,
            0,  # state bits
            0,  # creation time (none: byte-stable)
            0,  # modified time
            e.start,
            e.size,
        )
    unused = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM,
                         b"\x00" * 16, 0, 0, 0, 0, 0)
    out += unused * (n_dir * 4 - len(entries))
    if minifat:
        mf = minifat + [_FREESECT] * (n_minifat * _PER_FAT - len(minifat))
        out += struct.pack(f"<{len(mf)}I", *mf)
    if mini:
        out += mini + b"\x00" * (n_mini * _SECTOR - len(mini))
    for e in big:
        out += e.data + b"\x00" * (_ceil(e.size, _SECTOR) * _SECTOR - e.size)
    if pad_to > len(out):
        out += b"\x00" * (pad_to - len(out))
    return bytes(out)


def _word_stream(text: str) -> bytes:
    # A FibBase (MS-DOC 2.5.2) that says "Word 97, Japanese, not encrypted, not a
    # template", a zeroed rest of the FIB, then the text as UTF-16LE. Enough for
    # tools that read the FIB flags; Word itself would not open it, nor should it.
    fib = struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x0411, 0, 0)
    return fib + b"\x00" * (0x200 - len(fib)) + text.encode("utf-16-le")


def _biff_record(rtype: int, payload: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(payload)) + payload


def _workbook_stream(text: str) -> bytes:
    # BIFF8: BOF (workbook globals), the text in STRING records (harmless data
    # records, UTF-16LE, at most 4000 characters each), EOF.
    out = _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    for i in range(0, max(len(text), 1), 4000):
        chunk = text[i : i + 4000]
        out += _biff_record(0x0207, struct.pack("<HB", len(chunk), 1) + chunk.encode("utf-16-le"))
    return out + _biff_record(0x000A, b"")


DEFAULT_DOCUMENT_TEXT = (
    f"{INERT_MARKER}\n"
    "このファイルは emoguard のテスト用に生成された無害なファイルです。マクロは含まれていません。\n"
    "This file was generated for emoguard tests. It is harmless and contains no macros.\n"
)


def ole_document(
    kind: Literal["doc", "xls"] = "doc",
    text: str = DEFAULT_DOCUMENT_TEXT,
    pad_to: int = 0,
    *,
    streams: Mapping[str, bytes] | None = None,
) -> bytes:
    """A minimal legacy Office file: a CFB with a ``WordDocument`` or ``Workbook`` stream.

    The stream holds ``text`` (UTF-16LE) behind a minimal FIB or BIFF8 BOF record, so
    type detection by content sees Word or Excel 97-2003; there is no VBA storage and
    nothing executable. ``streams`` adds further (inert) streams, e.g. a
    ``"\\x05SummaryInformation"`` or a fake storage path, to test structure checks.
    ``pad_to`` appends zero bytes up to that size (the 2023 padding trick).
    """
    if kind == "doc":
        main = {"WordDocument": _word_stream(text)}
        clsid = _CLSID_WORD
    elif kind == "xls":
        main = {"Workbook": _workbook_stream(text)}
        clsid = _CLSID_EXCEL
    else:
        raise ValueError(f"kind must be 'doc' or 'xls', not {kind!r}")
    return cfb_file({**main, **(streams or {})}, root_clsid=clsid, pad_to=pad_to)


# -- zip ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaddedFile:
    """A zip member made of ``data`` followed by zero bytes up to ``pad_to`` bytes.

    ``zip_archive`` streams the padding through the compressor, so a member of
    hundreds of megabytes (the 2023 ">500 MB .doc in a 900 KB zip") is built without
    holding it in memory. Only the compressed bytes are kept.
    """

    data: bytes
    pad_to: int

    @property
    def size(self) -> int:
        return max(len(self.data), self.pad_to)

    def chunks(self, chunk: int = 1 << 20) -> Iterator[bytes]:
        yield self.data
        left = self.size - len(self.data)
        zeros = b"\x00" * chunk
        while left > 0:
            n = min(left, chunk)
            yield zeros if n == chunk else b"\x00" * n
            left -= n


def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (0xEDB88320 ^ (c >> 1)) if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc_table()


class _ZipCrypto:
    """PKWARE traditional encryption (APPNOTE 6.1), in pure Python.

    Weak and slow, but it is what Emotet's password zips (and Japanese PPAP mail) used,
    and the standard library can decrypt it, which makes it easy to test against.
    """

    def __init__(self, password: bytes) -> None:
        self.k0, self.k1, self.k2 = 0x12345678, 0x23456789, 0x34567890
        for b in password:
            self._update(b)

    def _update(self, b: int) -> None:
        t = _CRC_TABLE
        self.k0 = t[(self.k0 ^ b) & 0xFF] ^ (self.k0 >> 8)
        self.k1 = ((self.k1 + (self.k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        self.k2 = t[(self.k2 ^ (self.k1 >> 24)) & 0xFF] ^ (self.k2 >> 8)

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray(len(data))
        for i, b in enumerate(data):
            temp = (self.k2 | 2) & 0xFFFF
            out[i] = b ^ (((temp * (temp ^ 1)) >> 8) & 0xFF)
            self._update(b)
        return bytes(out)


def _pseudo_random(n: int, *parts: object) -> bytes:
    out = b""
    counter = 0
    while len(out) < n:
        h = hashlib.sha256()
        for p in (*parts, counter):
            h.update(p if isinstance(p, bytes) else str(p).encode("utf-8"))
            h.update(b"\x00")
        out += h.digest()
        counter += 1
    return out[:n]


def _aes_ctr_le(key: bytes, data: bytes) -> bytes:
    """WinZip AES: AES in counter mode with a little-endian counter starting at 1."""
    # Imported by name so that mypy and the package do not depend on `cryptography`;
    # only callers who ask for AES need it installed.
    try:
        ciphers: Any = importlib.import_module("cryptography.hazmat.primitives.ciphers")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("AES zip encryption needs the 'cryptography' package") from exc
    blocks = _ceil(len(data), 16)
    counters = b"".join((i + 1).to_bytes(16, "little") for i in range(blocks))
    encryptor = ciphers.Cipher(ciphers.algorithms.AES(key), ciphers.modes.ECB()).encryptor()
    stream: bytes = encryptor.update(counters) + encryptor.finalize()
    n = len(data)
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream[:n], "little")).to_bytes(
        n, "little"
    )


def _compress(member: bytes | PaddedFile, method: int) -> tuple[bytes, int, int]:
    """(compressed bytes, crc32, uncompressed size)."""
    chunks: Iterator[bytes] = member.chunks() if isinstance(member, PaddedFile) else iter(
        [member]
    )
    crc = 0
    size = 0
    out = bytearray()
    comp = zlib.compressobj(9, zlib.DEFLATED, -15) if method == 8 else None
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out += comp.compress(chunk) if comp else chunk
    if comp:
        out += comp.flush()
    return bytes(out), crc, size


def zip_archive(
    members: Mapping[str, bytes | PaddedFile],
    password: str | None = None,
    *,
    encryption: Literal["zipcrypto", "aes"] = "zipcrypto",
    compression: Literal["stored", "deflated"] = "stored",
    name_encoding: Literal["utf-8", "cp932"] = "utf-8",
    date_time: tuple[int, int, int, int, int, int] = (2020, 9, 24, 10, 15, 0),
    comment: str = "",
    seed: str | int = 0,
) -> bytes:
    """A zip archive of ``members`` (name -> bytes), optionally password-protected.

    - ``password`` with ``encryption="zipcrypto"``: PKWARE traditional encryption,
      written in pure Python (the standard ``zipfile`` module can decrypt it).
    - ``encryption="aes"``: WinZip AE-2, AES-256 (needs the ``cryptography`` package;
      ``zipfile`` cannot read it, ``pyzipper`` and 7-Zip can).
    - ``compression`` defaults to ``"stored"`` because deflate output depends on the
      zlib build, and the committed examples must be byte-stable everywhere.
    - ``name_encoding="cp932"`` writes names in the Windows Japanese code page without
      the UTF-8 flag, as Explorer's "send to compressed folder" did for years.
    """
    if encryption not in ("zipcrypto", "aes"):
        raise ValueError(f"encryption must be 'zipcrypto' or 'aes', not {encryption!r}")
    method = {"stored": 0, "deflated": 8}[compression]
    year, month, day, hour, minute, second = date_time
    dos_time = (hour << 11) | (minute << 5) | (second // 2)
    dos_date = ((year - 1980) << 9) | (month << 5) | day
    pw = password.encode("utf-8") if password is not None else None

    local = bytearray()
    central = bytearray()
    for name, member in members.items():
        if name_encoding == "utf-8":
            raw_name = name.encode("utf-8")
            flags = 0 if raw_name.isascii() else 0x0800
        else:
            raw_name = name.encode("cp932")
            flags = 0
        data, crc, size = _compress(member, method)
        if size > 0xFFFFFFFF or len(data) > 0xFFFFFFFF:
            raise ValueError(f"{name!r}: members over 4 GiB need zip64, which is not written")
        extra = b""
        version = 20
        header_crc = crc
        header_method = method
        if pw is not None:
            flags |= 0x0001
            if encryption == "zipcrypto":
                head = _pseudo_random(11, "zipcrypto", seed, name, password, crc)
                head += bytes([(crc >> 24) & 0xFF])
                data = _ZipCrypto(pw).encrypt(head + data)
            else:
                salt = _pseudo_random(16, "aes-salt", seed, name, password)
                keys = hashlib.pbkdf2_hmac("sha1", pw, salt, 1000, 66)
                ciphertext = _aes_ctr_le(keys[:32], data)
                mac = hmac.new(keys[32:64], ciphertext, "sha1").digest()[:10]
                data = salt + keys[64:66] + ciphertext + mac
                # AE-2: CRC not stored; method 99 with the real method in the extra field.
                extra = struct.pack("<HHH2sBH", 0x9901, 7, 2, b"AE", 3, method)
                version = 51
                header_crc = 0
                header_method = 99
        offset = len(local)
        fields = (version, flags, header_method, dos_time, dos_date, header_crc, len(data), size,
                  len(raw_name), len(extra))
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + raw_name + extra + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            version,  # made by: MS-DOS, spec version
            *fields,
            0,  # comment length
            0,  # disk number
            0,  # internal attributes
            0x20,  # external attributes: FILE_ATTRIBUTE_ARCHIVE
            offset,
        ) + raw_name + extra
    raw_comment = comment.encode("utf-8")
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                       len(local), len(raw_comment)) + raw_comment
    return bytes(local + central + eocd)
