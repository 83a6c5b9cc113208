"""Windows shortcuts (LNK; INDICATORS c5): target, arguments, icon, via LnkParse3.

An LNK by mail is almost never legitimate (the 2022-04 wave attached one, or put one
in a zip, with PowerShell or ``findstr``/``Set-Content`` in its arguments).
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Any

from emoguard.model import FileNode

if TYPE_CHECKING:
    from emoguard.attachments import Walker

Found = list[tuple[str, str]]
_INTERPRETERS = re.compile(
    r"powershell|pwsh|cmd(?:\.exe)?\b|mshta|wscript|cscript|rundll32|regsvr32|certutil|bitsadmin|"
    r"findstr|set-content|frombase64string|-enc(?:odedcommand)?\b",
    re.IGNORECASE,
)


def _fields(data: bytes) -> dict[str, Any]:
    import LnkParse3

    with warnings.catch_warnings():  # LnkParse3 warns on every odd field of a malformed link
        warnings.simplefilter("ignore")
        lnk = LnkParse3.lnk_file(indata=data)
        info: dict[str, Any] = lnk.get_json() or {}
    sd = info.get("data") or {}
    li = info.get("link_info") or {}
    target = (li.get("local_base_path") or li.get("common_path_suffix") or sd.get("relative_path") or "")
    if not target:
        for item in (info.get("target") or {}).get("items") or []:
            if isinstance(item, dict) and item.get("primary_name"):
                target = (target + "\\" + str(item["primary_name"])).lstrip("\\")
    header = info.get("header") or {}
    return {
        "target": str(target),
        "arguments": str(sd.get("command_line_arguments") or ""),
        "icon": str(sd.get("icon_location") or ""),
        "description": str(sd.get("description") or ""),
        "working_dir": str(sd.get("working_directory") or ""),
        "target_size": header.get("file_size"),
    }


def inspect(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
            anc: frozenset[str]) -> str | None:
    try:
        f = _fields(data)
    except Exception as exc:
        found.append(("file.lnk", f"Windows shortcut (unparsed: {type(exc).__name__})"))
        return None
    parts = [f"target {f['target'] or '(none)'}"]
    if f["arguments"]:
        parts.append(f"arguments {f['arguments'][:300]!r}")
    if f["icon"]:
        parts.append(f"icon {f['icon'][:120]}")
    found.append(("file.lnk", "Windows shortcut: " + ", ".join(parts)))
    cmd = f"{f['target']} {f['arguments']}"
    hits = sorted({m.group(0).lower() for m in _INTERPRETERS.finditer(cmd)})
    if hits:
        found.append(("file.lnk_command", "shortcut runs " + ", ".join(hits[:8])))
    return None


__all__ = ["inspect"]
