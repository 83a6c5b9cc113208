"""A zip file that contains itself: the nested-archive loop, built for tests.

    python -m emoguard.testing.quine OUT.zip

Russ Cox's construction ("Zip Files All The Way Down", 2010), written from its
description. DEFLATE (RFC 1951) is a tiny program of two instructions: a *literal*
(a stored block: "print the next n bytes") and a *repeat* (a fixed-Huffman block with one
back-reference: "print the last n bytes again"). With both encoded in 5 bytes, the token
sequence below prints itself, framed by an arbitrary header ``P`` (the zip local file
header) and trailer ``S`` (central directory and end record), so the member's
uncompressed bytes are the whole archive::

    L(p+5) [P L(p+5)]   R(p+5)
    L(5) [R(p+5)]       L(5) [L(5)]
    L(20) [R(p+5) L(5) L(5) L(20)]   R(20)
    L(20) [R(20) L(20) R(20) L(20)]  R(20)
    L(20) [R(20) L(0) L(0) L(s+r)]   R(20)   L(0)   L(0)
    L(s+r) [R(s+r) S]   R(s+r)

(``[...]`` are a literal's bytes; ``r`` is the size of the last repeat, the only one not
bound to 5 bytes.) A repeat's block may end one or two bits before its fifth byte does:
those zero bits are the start of the next stored block's header, which is all zero
bits too, so the stream stays aligned. The member's CRC-32 appears inside the data it
covers; CRC-32 is affine over GF(2), so the fixed point ``crc32(file(x)) == x`` is a
32x32 linear system, solved by Gaussian elimination (if it has no solution, the
modification time is changed and the system solved again).

The result is about 400 bytes, inert (it contains nothing but itself), and opens with the
standard :mod:`zipfile` module, whose member equals the archive byte for byte.
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

__all__ = ["zip_quine"]

# -- DEFLATE bits -------------------------------------------------------------------------------

# (code, base length, extra bits) for lengths 3..258 and (code, base distance, extra bits).
_LEN = [(257 + i, b, e) for i, (b, e) in enumerate([
    (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 1), (13, 1), (15, 1), (17, 1),
    (19, 2), (23, 2), (27, 2), (31, 2), (35, 3), (43, 3), (51, 3), (59, 3), (67, 4), (83, 4), (99, 4),
    (115, 4), (131, 5), (163, 5), (195, 5), (227, 5), (258, 0)])]
_DIST = [(i, b, e) for i, (b, e) in enumerate([
    (1, 0), (2, 0), (3, 0), (4, 0), (5, 1), (7, 1), (9, 2), (13, 2), (17, 3), (25, 3), (33, 4), (49, 4),
    (65, 5), (97, 5), (129, 6), (193, 6), (257, 7), (385, 7), (513, 8), (769, 8), (1025, 9), (1537, 9),
    (2049, 10), (3073, 10), (4097, 11), (6145, 11), (8193, 12), (12289, 12), (16385, 13), (24577, 13)])]


class _Bits:
    """An LSB-first bit stream (RFC 1951 3.1.1)."""

    def __init__(self) -> None:
        self.bits: list[int] = []

    def put(self, value: int, n: int) -> None:  # data elements: least significant bit first
        self.bits.extend((value >> i) & 1 for i in range(n))

    def put_code(self, code: int, n: int) -> None:  # Huffman codes: most significant bit first
        self.bits.extend((code >> (n - 1 - i)) & 1 for i in range(n))

    def lit_len(self, sym: int) -> None:  # the fixed literal/length code (RFC 1951 3.2.6)
        if sym < 144:
            self.put_code(0x30 + sym, 8)
        elif sym < 256:
            self.put_code(0x190 + sym - 144, 9)
        elif sym < 280:
            self.put_code(sym - 256, 7)
        else:
            self.put_code(0xC0 + sym - 280, 8)

    def copy(self, length: int, distance: int) -> None:
        code, base, extra = next(x for x in reversed(_LEN) if x[1] <= length)
        if length == 258:
            code, base, extra = 285, 258, 0
        self.lit_len(code)
        self.put(length - base, extra)
        dcode, dbase, dextra = next(x for x in reversed(_DIST) if x[1] <= distance)
        self.put_code(dcode, 5)
        self.put(distance - dbase, dextra)

    def block(self, final: bool, copies: Sequence[int], distance: int) -> None:
        """One fixed-Huffman block: header, back-references, end of block."""
        self.put(1 if final else 0, 1)
        self.put(1, 2)  # BTYPE 01: fixed Huffman codes
        for length in copies:
            self.copy(length, distance)
        self.lit_len(256)

    def to_bytes(self) -> bytes:
        out = bytearray((len(self.bits) + 7) // 8)
        for i, b in enumerate(self.bits):
            out[i // 8] |= b << (i % 8)
        return bytes(out)


def _literal(n: int, *, final: bool = False) -> bytes:
    """L(n): a stored block header announcing n literal bytes (5 bytes)."""
    return bytes([1 if final else 0]) + struct.pack("<HH", n, n ^ 0xFFFF)


def _repeat5(n: int) -> bytes:
    """R(n) in exactly 5 bytes: "print the last n bytes", non-final.

    The blocks must use 38 to 40 bits: the zero bits left in the fifth byte are the first
    header bits of the stored block that always follows (BFINAL=0, BTYPE=00 are zeros).
    """
    for copies, empty in (([n], False), ([n], True), ([n // 2, n - n // 2], False), ([n // 2, n - n // 2], True)):
        if min(copies) < 3 or max(copies) > 258:
            continue
        b = _Bits()
        b.block(False, copies, n)
        if empty:
            b.block(False, [], n)  # an empty block: 10 more bits
        if 38 <= len(b.bits) <= 40:
            return b.to_bytes().ljust(5, b"\x00")
    raise ValueError(f"no 5-byte repeat encoding for {n} bytes")


def _repeat_final(n: int) -> bytes:
    """The last R(n): one final fixed-Huffman block, any length."""
    b = _Bits()
    b.block(True, [n] if n <= 258 else [258] * (n // 258) + ([n % 258] if n % 258 else []), n)
    return b.to_bytes()


# -- zip framing ---------------------------------------------------------------------------------

_DOS_TIME = (10 << 11) | (15 << 5)
_DOS_DATE = ((2020 - 1980) << 9) | (9 << 5) | 24


def _local(name: bytes, crc: int, csize: int, usize: int, time: int) -> bytes:
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, time, _DOS_DATE, crc, csize, usize,
                       len(name), 0) + name


def _central(name: bytes, crc: int, csize: int, usize: int, time: int, cd_offset: int) -> bytes:
    cd = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, time, _DOS_DATE, crc, csize, usize,
                     len(name), 0, 0, 0, 0, 0x20, 0) + name
    return cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(cd), cd_offset, 0)


def _stream(head: bytes, foot: bytes, r_final: bytes) -> bytes:
    """The self-printing token sequence (module docstring) around ``head`` and ``foot``."""
    p, tail = len(head), len(foot) + len(r_final)
    lp, r_p, r20 = _literal(p + 5), _repeat5(p + 5), _repeat5(20)
    l5, l20, l0, lt = _literal(5), _literal(20), _literal(0), _literal(tail)
    return b"".join([
        lp, head, lp, r_p,
        l5, r_p, l5, l5,
        l20, r_p, l5, l5, l20, r20,
        l20, r20, l20, r20, l20, r20,
        l20, r20, l0, l0, lt, r20, l0, l0,
        lt, r_final, foot, r_final,
    ])


def _build(name: bytes, crc: int, time: int) -> bytes:
    s = 46 + len(name) + 22
    r = len(_repeat_final(s + 4))  # the last repeat's own size is part of what it repeats
    while len(_repeat_final(s + r)) != r:
        r = len(_repeat_final(s + r))
    r_final = _repeat_final(s + r)
    # lengths first (they do not depend on the header values), then the real bytes
    dlen = len(_stream(_local(name, 0, 0, 0, time), _central(name, 0, 0, 0, time, 0), r_final))
    p = 30 + len(name)
    usize = p + dlen + s
    head = _local(name, crc, dlen, usize, time)
    foot = _central(name, crc, dlen, usize, time, p + dlen)
    return head + _stream(head, foot, r_final) + foot


def _solve_crc(name: bytes, time: int) -> int | None:
    """x with crc32(_build(x)) == x, or None: crc32 of the file is affine in x over GF(2)."""
    f0 = zlib.crc32(_build(name, 0, time))
    cols = [zlib.crc32(_build(name, 1 << i, time)) ^ f0 for i in range(32)]
    # (A + I) x = f0: equation j says bit j of A x, plus x_j, equals bit j of f0.
    rows = [[sum(((cols[i] >> j) & 1) << i for i in range(32)) ^ (1 << j), (f0 >> j) & 1] for j in range(32)]
    pivots: list[tuple[int, list[int]]] = []
    for col in range(32):
        sel = next((r for r in rows if (r[0] >> col) & 1), None)
        if sel is None:
            continue  # a free variable: taken as 0
        rows.remove(sel)
        for r in rows + [row for _, row in pivots]:
            if (r[0] >> col) & 1:
                r[0] ^= sel[0]
                r[1] ^= sel[1]
        pivots.append((col, sel))
    if any(r[1] for r in rows):  # a remaining row reads 0 = 1: no solution
        return None
    return sum(1 << col for col, (_, value) in pivots if value)


def zip_quine(name: str = "quine.zip") -> bytes:
    """A zip archive whose only member, ``name`` (deflated), is the archive itself."""
    raw = name.encode("ascii")
    if not 1 <= len(raw) <= 31:
        raise ValueError("the member name must be 1 to 31 ASCII characters")
    for t in range(64):
        time = _DOS_TIME + t  # two-second steps: a different system when this one has no solution
        crc = _solve_crc(raw, time)
        if crc is not None:
            data = _build(raw, crc, time)
            if zlib.crc32(data) == crc:
                return data
    raise RuntimeError("no CRC fixed point found")  # pragma: no cover - not seen in practice


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        raise SystemExit("usage: python -m emoguard.testing.quine OUT.zip")
    Path(args[0]).write_bytes(zip_quine(Path(args[0]).name if len(Path(args[0]).name) <= 31 else "quine.zip"))


if __name__ == "__main__":
    main()
