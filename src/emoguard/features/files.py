"""Deep attachment features: the exploded file tree and what the inspectors found.

All of these are *expensive*: they unpack archives, decrypt, parse Office documents and
run YARA. ``files.tree`` explodes every attachment once per message (memoized; the
engine's record uses the same tree), bounded by the ``attachments.*`` limits; the other
features read that tree. Evidence strings name the file by its path inside the mail
(``請求書.zip › 請求書.xls``) and the concrete thing found.
"""

from __future__ import annotations

from emoguard.attachments import default_inspector, iter_nodes
from emoguard.features.registry import Features, feature
from emoguard.model import FileNode


@feature("files.tree", type="list", cost="expensive")
def tree(fx: Features) -> tuple[FileNode, ...]:
    """The exploded attachments: one FileNode tree per attachment (members, embedded and decrypted files).

    Password candidates come from the subject, the body, other text parts, the caller's
    ``Context.passwords`` and ``attachments.passwords``. Bounded by depth, member,
    byte, ratio, password-try and time limits; never raises.
    """
    inspector = fx.settings.get("attachments.inspector") or default_inspector()
    return tuple(inspector.explode_message(
        fx.message, body_text=fx["body.text"], extra_passwords=fx.context.passwords))


def _with_code(fx: Features, *codes: str, show_detail: bool = True) -> tuple[str, ...]:
    roots = fx["files.tree"]
    if not roots:  # the common case: no attachments
        return ()
    out: list[str] = []
    for path, node in iter_nodes(roots):
        for code, text in zip(node.codes, node.findings, strict=False):
            if code in codes:
                out.append(f"{path}: {text}" if show_detail else path)
    return tuple(dict.fromkeys(out))


@feature("files.findings", type="list", cost="expensive")
def findings(fx: Features) -> tuple[str, ...]:
    """Distinct finding codes anywhere in the attachment trees (``office.vba_autoexec``, ``limit.time`` …)."""
    return tuple(dict.fromkeys(c for _, n in iter_nodes(fx["files.tree"]) for c in n.codes))


@feature("files.types", type="list", cost="expensive")
def types(fx: Features) -> tuple[str, ...]:
    """Content types of every file node, members included (``zip``, ``ole/xls``, ``ooxml/docm``, ``lnk`` …)."""
    return tuple(dict.fromkeys(n.type for _, n in iter_nodes(fx["files.tree"])))


@feature("files.names", type="list", cost="expensive")
def names(fx: Features) -> tuple[str, ...]:
    """Paths of every file node (``請求書.zip › 請求書.doc``), archive members and embedded files included."""
    return tuple(p for p, _ in iter_nodes(fx["files.tree"]))


@feature("files.vba", type="list", cost="expensive")
def vba(fx: Features) -> tuple[str, ...]:
    """Files containing VBA macros, with their module names."""
    return _with_code(fx, "office.vba")


@feature("files.macro_autoexec", type="list", cost="expensive")
def macro_autoexec(fx: Features) -> tuple[str, ...]:
    """Macros that run on open: VBA auto-exec procedures (also from p-code) and XLM ``Auto_Open``.

    Evidence like ``請求書.zip › 請求書.xls: VBA auto-exec: Workbook_Open`` (INDICATORS c1/c2).
    """
    return _with_code(fx, "office.vba_autoexec", "office.xlm_autoopen")


@feature("files.vba_suspicious", type="list", cost="expensive")
def vba_suspicious(fx: Features) -> tuple[str, ...]:
    """Suspicious VBA keywords per file (olevba: Shell, CreateObject, URLDownloadToFile …)."""
    return _with_code(fx, "office.vba_suspicious")


@feature("files.vba_stomping", type="list", cost="expensive")
def vba_stomping(fx: Features) -> tuple[str, ...]:
    """Files whose VBA p-code has procedures or strings missing from the source (VBA stomping)."""
    return _with_code(fx, "office.vba_stomping")


@feature("files.xlm", type="list", cost="expensive")
def xlm(fx: Features) -> tuple[str, ...]:
    """Files with Excel 4.0 (XLM) macro sheets (INDICATORS c2)."""
    return _with_code(fx, "office.xlm")


@feature("files.dde", type="list", cost="expensive")
def dde(fx: Features) -> tuple[str, ...]:
    """DDE fields and links in documents (msodde)."""
    return _with_code(fx, "office.dde")


@feature("files.external_links", type="list", cost="expensive")
def external_links(fx: Features) -> tuple[str, ...]:
    """External template/object links in OOXML relationships (remote template injection)."""
    return _with_code(fx, "office.external_link")


@feature("files.embedded_objects", type="list", cost="expensive")
def embedded_objects(fx: Features) -> tuple[str, ...]:
    """Embedded OLE objects and packages in Office and RTF documents."""
    return _with_code(fx, "office.embedded_object", "office.rtf_object")


@feature("files.lure_text", type="list", cost="expensive")
def lure_text(fx: Features) -> tuple[str, ...]:
    """Documents whose text asks to enable content / macros (「コンテンツの有効化」, "Enable Content")."""
    return _with_code(fx, "office.lure")


@feature("files.encrypted", type="list", cost="expensive")
def encrypted(fx: Features) -> tuple[str, ...]:
    """Encrypted archives and documents, whether or not a password opened them."""
    return _with_code(fx, "archive.encrypted", "office.encrypted")


@feature("files.encrypted_uninspected", type="list", cost="expensive")
def encrypted_uninspected(fx: Features) -> tuple[str, ...]:
    """Encrypted files no candidate password opened: "encrypted, could not inspect" — never "clean"."""
    return _with_code(fx, "file.encrypted_uninspected")


@feature("files.opened_with_password", type="list", cost="expensive")
def opened_with_password(fx: Features) -> tuple[str, ...]:
    """Encrypted files opened with a password, naming the password and where it was found.

    ``請求書.zip: encrypted (AES); opened with password 'Xk3pq9Ld' found in the body, line 6``.
    """
    return _with_code(fx, "archive.opened_with_password", "office.decrypted")


@feature("files.password_from_mail", type="list", cost="expensive")
def password_from_mail(fx: Features) -> tuple[str, ...]:
    """Like ``files.opened_with_password``, but only passwords found in the mail itself (INDICATORS b6+c3)."""
    return tuple(e for e in fx["files.opened_with_password"]
                 if "found in the body" in e or "found in the subject" in e or "found in text part" in e)


@feature("files.declared_oversize", type="list", cost="expensive")
def declared_oversize(fx: Features) -> tuple[str, ...]:
    """Archive members declaring a huge uncompressed size in the archive directory (2023 padded .doc, c4)."""
    return _with_code(fx, "archive.declared_oversize")


@feature("files.lnk", type="list", cost="expensive")
def lnk(fx: Features) -> tuple[str, ...]:
    """Windows shortcuts, attached or inside archives, with target, arguments and icon (INDICATORS c5)."""
    return _with_code(fx, "file.lnk", "file.lnk_command")


@feature("files.onenote_embedded", type="list", cost="expensive")
def onenote_embedded(fx: Features) -> tuple[str, ...]:
    """Files embedded in OneNote sections (INDICATORS c6)."""
    return _with_code(fx, "file.onenote_embedded")


@feature("files.disk_images", type="list", cost="expensive")
def disk_images(fx: Features) -> tuple[str, ...]:
    """ISO/IMG disk images and what they hold (INDICATORS c8)."""
    return _with_code(fx, "file.iso")


@feature("files.scripts", type="list", cost="expensive")
def scripts(fx: Features) -> tuple[str, ...]:
    """Script files (js, vbs, wsf, hta, ps1, bat …) and their suspicious commands."""
    return _with_code(fx, "file.script", "file.script_suspicious")


@feature("files.executables", type="list", cost="expensive")
def executables(fx: Features) -> tuple[str, ...]:
    """Executables by content (PE, ELF) or by name (.exe, .scr, .com, .pif …)."""
    return _with_code(fx, "file.executable")


@feature("files.deceptive_names", type="list", cost="expensive")
def deceptive_names(fx: Features) -> tuple[str, ...]:
    """Double extensions (``資料.pdf.exe``) and hidden extensions (RLO, runs of spaces)."""
    return _with_code(fx, "file.double_extension", "file.hidden_extension")


@feature("files.yara", type="list", cost="expensive")
def yara(fx: Features) -> tuple[str, ...]:
    """YARA-X matches (shipped rules and ``yara.dirs``), naming the file and the rule."""
    return _with_code(fx, "file.yara")


@feature("files.limits_hit", type="list", cost="expensive")
def limits_hit(fx: Features) -> tuple[str, ...]:
    """Limits that stopped the inspection (depth, members, bytes, ratio, time, passwords, loop)."""
    return _with_code(fx, "limit.depth", "limit.members", "limit.bytes", "limit.ratio", "limit.time",
                      "limit.passwords", "limit.loop")


@feature("files.corrupt", type="list", cost="expensive")
def corrupt(fx: Features) -> tuple[str, ...]:
    """Archives and documents that could not be read (truncated, corrupt)."""
    return _with_code(fx, "archive.corrupt", "office.unparsed", "file.unparsed")
