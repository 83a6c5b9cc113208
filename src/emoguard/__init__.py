"""emoguard: catch Emotet-style malicious mail and help a small company recover.

The public API is deliberately small (DESIGN 2.1)::

    from emoguard import Engine, Context
    engine = Engine.load()
    verdict = engine.analyze(raw_bytes, context=Context(recipients=("a@example.co.jp",)))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Context", "Engine", "FileNode", "Hit", "Message", "Verdict", "__version__"]

if TYPE_CHECKING:
    from emoguard.engine import Engine
    from emoguard.model import Context, FileNode, Hit, Message, Verdict


def __getattr__(name: str) -> Any:
    # Imported lazily so `emoguard --version` and the parser stay light.
    if name == "Engine":
        from emoguard.engine import Engine

        return Engine
    if name in {"Context", "FileNode", "Hit", "Message", "Verdict"}:
        from emoguard import model

        return getattr(model, name)
    raise AttributeError(f"module 'emoguard' has no attribute {name!r}")
