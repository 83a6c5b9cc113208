"""Inert files: a CFB that OLE readers accept, zips that open with their password."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest

from emoguard.testing import INERT_MARKER, PaddedFile, cfb_file, ole_document, zip_archive

CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def test_header_fields_of_a_v3_compound_file() -> None:
    # Checked by hand so this holds without olefile installed.
    data = ole_document("doc")
    assert data[:8] == CFB_MAGIC
    minor, major, bom, sector_shift, mini_shift = struct.unpack_from("<HHHHH", data, 24)
    assert (minor, major, bom, sector_shift, mini_shift) == (0x3E, 3, 0xFFFE, 9, 6)
    n_dir, n_fat, first_dir, _, cutoff = struct.unpack_from("<IIIII", data, 40)
    assert n_dir == 0 and n_fat >= 1 and cutoff == 4096
    assert len(data) % 512 == 0
    # the directory's first entry is the Root Entry
    entry = data[512 * (first_dir + 1) : 512 * (first_dir + 1) + 128]
    assert entry[:20].decode("utf-16-le") == "Root Entry"
    assert entry[66] == 5  # object type: root storage


@pytest.mark.parametrize(("kind", "stream"), [("doc", "WordDocument"), ("xls", "Workbook")])
def test_olefile_opens_the_document(kind: str, stream: str) -> None:
    olefile = pytest.importorskip("olefile")
    data = ole_document(kind, text="請求書 テスト")  # type: ignore[arg-type]
    assert olefile.isOleFile(io.BytesIO(data))
    with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.listdir() == [[stream]]
        content = ole.openstream(stream).read()
    assert "請求書 テスト".encode("utf-16-le") in content
    if kind == "doc":
        assert content[:2] == b"\xec\xa5"  # FIB wIdent
    else:
        assert content[:4] == b"\x09\x08\x10\x00"  # BIFF8 BOF
    assert INERT_MARKER.encode("utf-16-le") in ole_document(kind)  # type: ignore[arg-type]


def test_documents_contain_no_macros() -> None:
    olevba = pytest.importorskip("oletools.olevba")
    for kind in ("doc", "xls"):
        parser = olevba.VBA_Parser("x." + kind, data=ole_document(kind))
        try:
            assert not parser.detect_vba_macros()
        finally:
            parser.close()


def _check_red_black(ole: Any, sid: int) -> int:
    """Black height of the sibling tree rooted at ``sid``; asserts no red-red edge."""
    if sid == 0xFFFFFFFF:
        return 1
    e = ole.direntries[sid]
    for child in (e.sid_left, e.sid_right):
        if e.color == 0 and child != 0xFFFFFFFF:
            assert ole.direntries[child].color == 1, "red node with a red child"
    left = _check_red_black(ole, e.sid_left)
    assert left == _check_red_black(ole, e.sid_right), "unequal black heights"
    return int(left + (e.color == 1))


def test_storages_big_and_small_streams_and_padding() -> None:
    olefile = pytest.importorskip("olefile")
    streams = {
        "\x05SummaryInformation": b"s" * 100,
        "Data/Big": bytes(range(256)) * 40,  # 10 KB: regular sectors
        "Data/Small": b"small",  # mini stream
        "Data/Deeper/Empty": b"",
        **{f"N{i}": bytes([i]) * (i * 37) for i in range(1, 12)},
    }
    data = cfb_file(streams, pad_to=200_000)
    assert len(data) == 200_000 and data[-1000:] == b"\x00" * 1000
    with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        for path, content in streams.items():
            assert ole.exists(path)
            assert ole.openstream(path).read() == content
        assert ole.get_type("Data") == olefile.STGTY_STORAGE
        for entry in ole.direntries:
            if entry is not None and entry.sid_child != 0xFFFFFFFF:
                assert ole.direntries[entry.sid_child].color == 1  # tree roots are black
                _check_red_black(ole, entry.sid_child)


def test_large_file_needs_difat_sectors() -> None:
    olefile = pytest.importorskip("olefile")
    data = cfb_file({f"s{i}": bytes([i % 251]) * 4096 for i in range(1800)})
    assert struct.unpack_from("<I", data, 72)[0] >= 1  # DIFAT sectors in use
    with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.openstream("s1799").read() == bytes([1799 % 251]) * 4096


def test_invalid_names_are_refused() -> None:
    with pytest.raises(ValueError):
        cfb_file({"a" * 32: b""})
    with pytest.raises(ValueError):
        cfb_file({"a/b": b"", "a": b""})


def test_zipcrypto_opens_with_the_password() -> None:
    doc = ole_document("doc")
    data = zip_archive({"請求書.doc": doc, "readme.txt": b"hello"}, "Xk3pq9Ld")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["請求書.doc", "readme.txt"]
        info = zf.getinfo("請求書.doc")
        assert info.flag_bits & 0x1 and info.flag_bits & 0x800  # encrypted, UTF-8 name
        with pytest.raises(RuntimeError, match="password required"):
            zf.read("readme.txt")
        with pytest.raises(RuntimeError, match="Bad password"):
            zf.read("readme.txt", pwd=b"wrong-password")
        assert zf.read("請求書.doc", pwd=b"Xk3pq9Ld") == doc
        assert zf.read("readme.txt", pwd=b"Xk3pq9Ld") == b"hello"


def test_plain_deflated_and_cp932_names() -> None:
    data = zip_archive({"見積書.txt": "本文".encode() * 100}, compression="deflated",
                       name_encoding="cp932")
    with zipfile.ZipFile(io.BytesIO(data), metadata_encoding="cp932") as zf:
        info = zf.getinfo("見積書.txt")
        assert info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 0x800
        assert zf.read("見積書.txt") == "本文".encode() * 100


def test_zip_is_byte_stable() -> None:
    args: dict[str, Any] = {"members": {"a.doc": b"abc"}, "password": "pw"}
    assert zip_archive(**args) == zip_archive(**args)
    assert zip_archive(**args) != zip_archive(**args, seed=1)


def test_padded_member_declares_its_size_without_holding_it() -> None:
    member = PaddedFile(ole_document("doc"), 30_000_000)
    data = zip_archive({"a.doc": member}, compression="deflated")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("a.doc")
        assert info.file_size == 30_000_000
        assert info.compress_size < 100_000
        with zf.open("a.doc") as f:
            assert f.read(8) == CFB_MAGIC


def test_aes_zip_opens_with_pyzipper() -> None:
    pytest.importorskip("cryptography")
    pyzipper = pytest.importorskip("pyzipper")
    doc = ole_document("doc")
    for compression in ("stored", "deflated"):
        data = zip_archive({"請求書.doc": doc}, "Xk3pq9Ld", encryption="aes",
                           compression=compression)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:  # the stdlib sees AES (method 99)
            assert zf.getinfo("請求書.doc").compress_type == 99
        with pyzipper.AESZipFile(io.BytesIO(data)) as zf:
            zf.setpassword(b"Xk3pq9Ld")
            assert zf.read("請求書.doc") == doc
