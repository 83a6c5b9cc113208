"""YARA-X: the rules shipped in ``emoguard/yara/*.yar`` plus the user's directories.

Rules are compiled once per engine; a user rule that does not compile fails the engine
load with the file and the compiler's message (like a bad YAML rule). Matches become
``file.yara`` findings naming the rule. Without the ``yara-x`` package YARA is off and
the engine says so once in its load warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any


class YaraLoadError(ValueError):
    """A rule file that does not compile, with its path."""


def builtin_sources() -> list[tuple[str, str]]:
    out = []
    base = resources.files("emoguard") / "yara"
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yar"):
            out.append((f"emoguard/yara/{entry.name}", entry.read_text(encoding="utf-8")))
    return out


def load_rules(dirs: Sequence[Path] = (), *, builtin: bool = True) -> Any:
    """Compiled rules (``yara_x.Rules``), or None when yara-x is not installed."""
    try:
        import yara_x
    except ImportError:  # pragma: no cover - yara-x is a dependency
        return None
    compiler = yara_x.Compiler()
    sources = builtin_sources() if builtin else []
    for d in dirs:
        if not d.is_dir():
            raise YaraLoadError(f"{d}: YARA rule directory not found")
        for p in sorted([*d.glob("*.yar"), *d.glob("*.yara")]):
            sources.append((str(p), p.read_text(encoding="utf-8", errors="replace")))
    problems = []
    for origin, text in sources:
        try:
            compiler.new_namespace(Path(origin).stem.replace("-", "_").replace(".", "_"))
            compiler.add_source(text, origin=origin)
        except Exception as exc:
            problems.append(f"{origin}: {exc}")
    if problems:
        raise YaraLoadError("\n".join(problems))
    return compiler.build()


def scan(rules: Any, data: bytes, *, timeout: int = 5) -> list[str]:
    """Names of the rules matching ``data`` (``namespace.rule`` for user rules)."""
    import yara_x

    if not data:
        return []
    scanner = yara_x.Scanner(rules)
    scanner.set_timeout(max(1, timeout))
    try:
        res = scanner.scan(data)
    except Exception:  # a timeout or scan error never fails the inspection
        return []
    out = []
    for r in res.matching_rules:
        ns = getattr(r, "namespace", "") or ""
        out.append(r.identifier if ns in ("", "default", "emoguard") else f"{ns}.{r.identifier}")
    return out


__all__ = ["YaraLoadError", "builtin_sources", "load_rules", "scan"]
