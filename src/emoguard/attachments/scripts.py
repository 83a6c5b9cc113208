"""Scripts, executables and deceptive names (INDICATORS c5, e10; rspamd MIME_BAD_EXTENSION).

Script files (js, jse, vbs, vbe, wsf, wsh, hta, ps1, bat, cmd) are text, so their type
by content is ``text``/``html``; they are recognised by name *and* by content keywords,
and their suspicious commands are listed. Names are checked for double extensions
(``請求書.pdf.exe``, ``資料.txt.lnk``), right-to-left override characters and runs of
spaces that push the real extension out of sight.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from emoguard.model import FileNode

if TYPE_CHECKING:
    from emoguard.attachments import Walker

Found = list[tuple[str, str]]

SCRIPT_EXTS = frozenset({"js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "bat", "cmd", "sct"})
EXEC_EXTS = frozenset({"exe", "scr", "com", "pif", "cpl", "dll", "msi", "jar", "reg", "vb", "application"})
RISKY_EXTS = SCRIPT_EXTS | EXEC_EXTS | {"lnk", "one", "iso", "img", "vhd", "vhdx", "url", "xll", "chm"}
DOC_EXTS = frozenset({"doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "pdf", "txt", "jpg", "jpeg",
                      "png", "zip", "csv", "rtf"})
_SUSPICIOUS = re.compile(
    r"wscript\.shell|shell\.application|createobject|powershell|frombase64string|downloadfile|"
    r"downloadstring|invoke-expression|\biex\b|invoke-webrequest|start-process|certutil|bitsadmin|mshta|"
    r"regsvr32|rundll32|-enc(?:odedcommand)?\b|-executionpolicy\s+bypass|urldownloadtofile|adodb\.stream|"
    r"msxml2\.xmlhttp|winhttp|eval\(|activexobject",
    re.IGNORECASE,
)
_RLO = "\u202e"


def _ext(name: str) -> str:
    base = name.strip().rstrip(". ").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[1].lower() if "." in base else ""


def inspect_name(w: Walker, name: str, kind: str, found: Found) -> None:
    """Findings from the file name alone (also for members that could not be read)."""
    if not name:
        return
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    ext = _ext(base)
    if _RLO in base or "\u200e" in base or "\u200f" in base:
        found.append(("file.hidden_extension", f"{base!r} hides its extension with a right-to-left override"))
    elif re.search(r"[ \u3000_]{6,}\.[A-Za-z0-9]{1,5}$", base):
        found.append(("file.hidden_extension", f"{base.strip()!r} pushes its extension out of sight with spaces"))
    parts = base.lower().split(".")
    if len(parts) >= 3 and parts[-2] in DOC_EXTS and ext in RISKY_EXTS:
        found.append(("file.double_extension", f"{base} poses as .{parts[-2]} but is .{ext}"))
    if (ext in SCRIPT_EXTS and kind in {"text", "html", "xml", "binary", "empty", "unread"}
            and not any(c == "file.script" for c, _ in found)):
        found.append(("file.script", f"script file (.{ext})"))
    if ext in EXEC_EXTS and not any(c == "file.executable" for c, _ in found) and kind != "ole/msg":
        found.append(("file.executable", f"executable file type (.{ext})"))
    if ext == "lnk" and kind != "lnk" and not any(c == "file.lnk" for c, _ in found):
        found.append(("file.lnk", "named as a Windows shortcut (.lnk)"))
    if ext == "one" and kind != "onenote" and not any(c == "file.onenote" for c, _ in found):
        found.append(("file.onenote", "named as a OneNote file (.one)"))
    if ext in {"iso", "img", "vhd", "vhdx"} and kind != "iso" and not any(c == "file.iso" for c, _ in found):
        found.append(("file.iso", f"named as a disk image (.{ext})"))


def inspect_text(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
                 anc: frozenset[str]) -> str | None:
    """Scripts by name or content; attached mails (.eml) become children."""
    ext = _ext(name)
    head = data[:4096]
    if ext == "eml" or (ext not in SCRIPT_EXTS and _looks_like_mail(head)):
        from emoguard.parse import parse_message

        msg = parse_message(data)
        if msg.from_ or msg.subject or msg.attachments:
            found.append(("file.attached_mail", f"attached mail, subject {msg.subject!r}"))
            for p in msg.attachments[: w.limits.max_members]:
                kids.append(w.node(p.payload, p.filename or "", depth=depth + 1, ancestors=anc))
            return "message/rfc822"
    from emoguard.attachments import office

    if ext not in SCRIPT_EXTS and office.inspect_text(w, data, name, found):
        return "xml/office"
    text = data[: 1 << 20].decode("utf-8", "ignore")
    if "\x00" in text[:200]:
        text = data[: 1 << 20].decode("utf-16-le", "ignore")
    is_script = ext in SCRIPT_EXTS or bool(
        re.match(r"\s*(?:@echo off|<job\b|<hta:|<package>|#!/)", text[:200], re.IGNORECASE))
    hits = sorted({m.group(0).lower() for m in _SUSPICIOUS.finditer(text)})
    if is_script:
        found.append(("file.script", f"script file (.{ext or 'unknown'})"))
        if hits:
            found.append(("file.script_suspicious", "suspicious commands: " + ", ".join(hits[:10])))
    return None


def _looks_like_mail(head: bytes) -> bool:
    return bool(re.match(rb"(?:(?:Received|From|Return-Path|Message-ID|Date|Subject|MIME-Version|To|"
                         rb"X-[A-Za-z-]+|Delivered-To):[^\r\n]*\r?\n){3}", head, re.IGNORECASE))


__all__ = ["EXEC_EXTS", "RISKY_EXTS", "SCRIPT_EXTS", "inspect_name", "inspect_text"]
