"""Archives: zip (ZipCrypto and WinZip AES), 7z, rar, gzip, tar, ISO/IMG.

Sizes come from the archive directory first (``declared_size``), *before* anything is
decompressed: the 2023 padded ``.doc`` (INDICATORS c4) is flagged from the zip central
directory alone, and only the head of such a member is read. Members are read in
memory, bounded by the walker's limits; nothing is extracted to disk (RAR, whose
decompressors live in an external program, goes through ``rarfile`` and ``unar``).
"""

from __future__ import annotations

import contextlib
import io
import zlib
from typing import TYPE_CHECKING, Any

from emoguard.attachments.limits import LimitReached
from emoguard.model import FileNode

if TYPE_CHECKING:
    from emoguard.attachments import Walker

Found = list[tuple[str, str]]

_OOXML_HINTS = ("[Content_Types].xml", "word/", "xl/", "ppt/")


def _mb(n: int) -> str:
    return f"{n:,} bytes" if n < 10_000_000 else f"{n / 1_000_000:,.0f} MB ({n:,} bytes)"


def _zip_name(info: Any) -> str:
    name: str = info.filename
    if not info.flag_bits & 0x800:
        # zipfile decoded the raw bytes as cp437; Japanese Windows wrote cp932
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("cp932")
    return name


def _member_checks(w: Walker, archive: str, member: str, declared: int, packed: int | None,
                   found: Found) -> tuple[bool, bool]:
    """(oversize, bomb) for one member, adding findings from its declared size."""
    lim = w.limits
    oversize = declared >= lim.oversize_bytes
    if oversize:
        extra = f" ({_mb(packed)} compressed)" if packed is not None else ""
        found.append(("archive.declared_oversize",
                      f"{member} declares {_mb(declared)} uncompressed{extra} in the {archive} directory"))
    bomb = packed is not None and declared > 1_000_000 and declared > lim.max_ratio * max(packed, 1)
    if bomb:
        found.append(("limit.ratio", f"{member}: compression ratio {declared / max(packed or 1, 1):,.0f}:1 "
                                     f"over the limit ({lim.max_ratio:g}:1); only its head was read"))
        w.budget.hit.add("limit.ratio")
    return oversize, bomb


def _trim_padding(head: bytes) -> bytes:
    """The head of a padded member without its trailing zero bytes (kept 512-byte aligned).

    The 2023 documents were a normal .doc followed by hundreds of MB of zeros; inspecting
    megabytes of zeros costs memory and finds nothing.
    """
    end = len(head.rstrip(b"\x00"))
    return head[: min(len(head), -(-max(end, 1) // 512) * 512)]


def _stub(w: Walker, name: str, declared: int | None, code: str, text: str) -> FileNode:
    """A member that was listed but not read (encrypted, over a limit): type ``unread``."""
    import dataclasses

    n = w.node(b"", name, depth=0, declared_size=declared, pre=[(code, text)])
    return dataclasses.replace(n, type="unread")


def _finish(found: Found, kids: list[FileNode]) -> None:
    from emoguard.attachments import ARCHIVE_TYPES

    nested = [k.name for k in kids if k.type in ARCHIVE_TYPES]
    if nested:
        found.append(("archive.nested", "contains another archive: " + ", ".join(nested[:5])))


def inspect(w: Walker, kind: str, data: bytes, name: str, depth: int, found: Found,
            kids: list[FileNode], anc: frozenset[str]) -> str | None:
    if kind == "zip":
        return _zip(w, data, name, depth, found, kids, anc)
    if kind == "7z":
        _7z(w, data, name, depth, found, kids, anc)
    elif kind == "rar":
        _rar(w, data, name, depth, found, kids, anc)
    elif kind == "gzip":
        _gzip(w, data, name, depth, found, kids, anc)
    elif kind == "tar":
        _tar(w, data, name, depth, found, kids, anc)
    elif kind == "iso":
        from emoguard.attachments import iso

        iso.inspect(w, data, name, depth, found, kids, anc)
    _finish(found, kids)
    return None


# -- zip ---------------------------------------------------------------------------------


def _zip(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
         anc: frozenset[str]) -> str | None:
    import pyzipper

    zf = pyzipper.AESZipFile(io.BytesIO(data))
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if any(n == "[Content_Types].xml" for n in names) and any(n.startswith(_OOXML_HINTS[1:]) for n in names):
        from emoguard.attachments import office

        return office.inspect_ooxml(w, zf, data, name, depth, found, kids, anc)
    files = [i for i in infos if not i.is_dir()]
    enc = [i for i in files if i.flag_bits & 1]
    method = "AES" if any(getattr(i, "wz_aes_strength", None) or i.compress_type == 99 for i in enc) \
        else "ZipCrypto"
    # Sizes from the central directory first: nothing is decompressed for these findings.
    for i in files:
        _member_checks(w, "zip", _zip_name(i), i.file_size, i.compress_size, found)
    pwd: bytes | None = None
    if enc:
        found.append(("archive.encrypted", f"encrypted ({method}): {len(enc)} of {len(files)} files"))
        probe = min(enc, key=lambda i: i.file_size)

        def attempt(pw: str) -> bytes | None:
            p = pw.encode("utf-8")
            with zf.open(probe, pwd=p) as fh:
                fh.read(min(probe.file_size, 1 << 20) + 1)
            return p

        got = w.try_passwords(attempt, found=found)
        if got:
            pwd, cand = got
            found.append(("archive.opened_with_password",
                          f"encrypted ({method}); opened with password '{cand.password}' found in {cand.source}"))
        else:
            tried = len(w.passwords)
            found.append(("file.encrypted_uninspected",
                          f"encrypted ({method}), could not inspect: none of {tried} password candidates "
                          "from the mail and configuration opened it"))
    for n, i in enumerate(files):
        mname = _zip_name(i)
        if n >= w.limits.max_members:
            found.append(("limit.members", f"only the first {w.limits.max_members} of {len(files)} files inspected"))
            w.budget.hit.add("limit.members")
            break
        w.check_time()
        if i.flag_bits & 1 and pwd is None:
            kids.append(_stub(w, mname, i.file_size, "file.encrypted_uninspected",
                              "encrypted, could not inspect (no password)"))
            continue
        _, bomb = _member_checks(w, "zip", mname, i.file_size, i.compress_size, [])
        # zipfile returns at most the declared size but inflates up to the size asked for first:
        # a central directory declaring 0 bytes made it inflate 64 MiB per member for nothing.
        cap = min(w.read_cap(i.file_size), max(i.file_size, 1))
        if bomb:
            cap = w.head_cap(cap)
            if cap <= 0:
                kids.append(_stub(w, mname, i.file_size, "limit.ratio",
                                  "not read: too many bomb-like members in this mail"))
                continue
        if cap <= 0:
            raise LimitReached("limit.bytes", f"stopped before {mname}: more than {w.limits.max_bytes} bytes "
                                              "produced from this mail's attachments")
        try:
            with zf.open(i, pwd=pwd) as fh:
                buf = fh.read(cap)
        except LimitReached:
            raise
        except Exception as exc:
            kids.append(_stub(w, mname, i.file_size, "archive.corrupt",
                              f"could not be read: {type(exc).__name__}: {str(exc)[:120]}"))
            continue
        w.take(len(buf))
        if len(buf) < i.file_size:
            buf = _trim_padding(buf)
        kids.append(w.node(buf, mname, depth=depth + 1, declared_size=i.file_size, ancestors=anc))
    return None


# -- 7z ------------------------------------------------------------------------------------


def _7z(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
        anc: frozenset[str]) -> None:
    import py7zr
    from py7zr.io import BytesIOFactory

    def open_(pw: str | None) -> Any:
        return py7zr.SevenZipFile(io.BytesIO(data), password=pw)

    pw_used: str | None = None
    try:
        z = open_(None)
        listing = z.list()
        encrypted = z.needs_password()
    except Exception as exc:  # encrypted headers: the listing itself needs the password
        if "password" not in str(exc).lower() and "Password" not in type(exc).__name__:
            raise
        listing, encrypted = None, True
    if encrypted:
        found.append(("archive.encrypted", "encrypted (7z AES)"))

        def attempt(pw: str) -> tuple[Any, Any] | None:
            z2 = open_(pw)
            lst = z2.list()
            fac = BytesIOFactory(1 << 20)
            small = min((e for e in lst if not e.is_directory), key=lambda e: e.uncompressed, default=None)
            if small is not None:
                z2.extract(targets=[small.filename], factory=fac)
                z2.close()
            return lst, None

        got = w.try_passwords(attempt, found=found)
        if got is None:
            found.append(("file.encrypted_uninspected", "encrypted (7z), could not inspect: no password "
                                                         f"among {len(w.passwords)} candidates opened it"))
            for e in listing or []:
                if not e.is_directory:
                    kids.append(_stub(w, e.filename, e.uncompressed, "file.encrypted_uninspected",
                                      "encrypted, could not inspect (no password)"))
            return
        (listing, _), cand = got
        pw_used = cand.password
        found.append(("archive.opened_with_password",
                      f"encrypted (7z AES); opened with password '{cand.password}' found in {cand.source}"))
    assert listing is not None
    entries = [e for e in listing if not e.is_directory]
    for e in entries:
        _member_checks(w, "7z", e.filename, e.uncompressed, e.compressed, found)
    take = entries[: w.limits.max_members]
    if len(entries) > len(take):
        found.append(("limit.members", f"only the first {len(take)} of {len(entries)} files inspected"))
    for e in take:
        w.check_time()
        cap = w.read_cap(e.uncompressed)
        _, bomb = _member_checks(w, "7z", e.filename, e.uncompressed, e.compressed, [])
        if bomb:
            cap = w.head_cap(cap)
        fac = BytesIOFactory(max(cap, 1))
        z = open_(pw_used)
        try:
            z.extract(targets=[e.filename], factory=fac)
        finally:
            z.close()
        prod = fac.products.get(e.filename)
        buf = b""
        if prod is not None:
            prod.seek(0)
            buf = prod.read(cap)
        w.take(len(buf))
        kids.append(w.node(buf, e.filename, depth=depth + 1, declared_size=e.uncompressed, ancestors=anc))


# -- rar -----------------------------------------------------------------------------------


def _rar(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
         anc: frozenset[str]) -> None:
    import rarfile

    rf = rarfile.RarFile(io.BytesIO(data))
    headers_encrypted = False
    try:
        infos = rf.infolist()
    except rarfile.PasswordRequired:
        infos, headers_encrypted = [], True
    if not infos and rf.needs_password():
        headers_encrypted = True
    encrypted = headers_encrypted or any(i.needs_password() for i in infos)
    if not infos and not encrypted:
        found.append(("archive.corrupt", "RAR archive with no readable entries (corrupt or truncated)"))
        return
    pw_used: str | None = None
    if encrypted:
        found.append(("archive.encrypted", "encrypted (RAR" + (", names hidden)" if headers_encrypted else ")")))
        try:
            rarfile.tool_setup()
            have_tool = True
        except rarfile.RarCannotExec:
            have_tool = False

        def attempt(pw: str) -> list[Any] | None:
            r2 = rarfile.RarFile(io.BytesIO(data))
            r2.setpassword(pw)
            lst = [i for i in r2.infolist() if not i.is_dir()]
            if not lst:
                return None
            small = min(lst, key=lambda i: i.file_size)
            if have_tool or not small.needs_password():
                r2.read(small)
            else:
                return None
            return lst

        got = w.try_passwords(attempt, found=found) if (have_tool or headers_encrypted) else None
        if got is None:
            why = "" if have_tool else " (no RAR unpacker installed: install 'unar')"
            found.append(("file.encrypted_uninspected",
                          f"encrypted (RAR), could not inspect{why}"))
            for i in infos:
                if not i.is_dir():
                    kids.append(_stub(w, i.filename, i.file_size, "file.encrypted_uninspected",
                                      "encrypted, could not inspect"))
            return
        infos, cand = got
        pw_used = cand.password
        found.append(("archive.opened_with_password",
                      f"encrypted (RAR); opened with password '{cand.password}' found in {cand.source}"))
        rf = rarfile.RarFile(io.BytesIO(data))
        rf.setpassword(pw_used)
        infos = rf.infolist()
    files = [i for i in infos if not i.is_dir()]
    for i in files:
        _member_checks(w, "rar", i.filename, i.file_size, i.compress_size, found)
    for n, i in enumerate(files):
        if n >= w.limits.max_members:
            found.append(("limit.members", f"only the first {w.limits.max_members} of {len(files)} files inspected"))
            break
        w.check_time()
        cap = w.read_cap(i.file_size)
        try:
            with rf.open(i) as fh:
                buf = fh.read(cap)
        except rarfile.RarCannotExec:
            kids.append(_stub(w, i.filename, i.file_size, "file.unparsed",
                              "compressed RAR member not read: no RAR unpacker installed (install 'unar')"))
            continue
        except LimitReached:
            raise
        except Exception as exc:
            kids.append(_stub(w, i.filename, i.file_size, "archive.corrupt",
                              f"could not be read: {type(exc).__name__}: {str(exc)[:120]}"))
            continue
        w.take(len(buf))
        kids.append(w.node(buf, i.filename, depth=depth + 1, declared_size=i.file_size, ancestors=anc))


# -- gzip / tar ----------------------------------------------------------------------------


def _gzip_name(data: bytes, outer: str) -> str:
    if len(data) > 10 and data[3] & 0x08:  # FNAME
        off = 10
        if data[3] & 0x04 and len(data) > 12:  # FEXTRA
            off += 2 + int.from_bytes(data[10:12], "little")
        end = data.find(b"\x00", off)
        if end > off:
            return data[off:end].decode("latin-1")
    low = outer.lower()
    for ext in (".tgz", ".gz"):
        if low.endswith(ext):
            return outer[: -len(ext)] + (".tar" if ext == ".tgz" else "")
    return outer + ".out" if outer else ""


def _gzip(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
          anc: frozenset[str]) -> None:
    declared = int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0  # ISIZE, mod 2**32
    member = _gzip_name(data, name)
    _member_checks(w, "gzip", member, declared, len(data), found)
    cap = w.read_cap(declared)
    if declared > 1_000_000 and declared > w.limits.max_ratio * len(data):
        cap = w.head_cap(cap)
    d = zlib.decompressobj(wbits=31)
    out = bytearray()
    chunk = data
    while chunk and len(out) < cap:
        w.check_time()
        out += d.decompress(chunk, cap - len(out))
        chunk = d.unconsumed_tail
    if len(out) >= cap and not d.eof:
        found.append(("limit.ratio" if cap <= w.limits.head_bytes else "limit.bytes",
                      f"only the first {len(out):,} bytes decompressed"))
    elif not d.eof:
        found.append(("archive.corrupt", "gzip stream is truncated"))
    w.take(len(out))
    kids.append(w.node(bytes(out), member, depth=depth + 1, declared_size=declared or None, ancestors=anc))


def _tar(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
         anc: frozenset[str]) -> None:
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
        members = [m for m in tf.getmembers() if m.isfile()]
        for n, m in enumerate(members):
            if n >= w.limits.max_members:
                found.append(("limit.members", f"only the first {w.limits.max_members} of {len(members)} "
                                               "files inspected"))
                break
            w.check_time()
            fh = tf.extractfile(m)
            buf = fh.read(w.read_cap(m.size)) if fh else b""
            w.take(len(buf))
            kids.append(w.node(buf, m.name, depth=depth + 1, declared_size=m.size, ancestors=anc))
