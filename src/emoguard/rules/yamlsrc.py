"""YAML reading that remembers where every key was written (for file:line errors).

Only ``yaml.SafeLoader`` is used: rule files are data, never objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[Any, Any]):
    """A mapping that also knows the 1-based line of each key."""

    __slots__ = ("line", "lines")

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}
        self.line = 0


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    out = LineDict()
    out.line = node.start_mark.line + 1
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; raises ``yaml.YAMLError`` (with a mark) or ``OSError``."""
    with path.open("rb") as fh:
        return yaml.load(fh, Loader=_Loader)  # noqa: S506, TID251 - _Loader is a SafeLoader subclass


def line_of(obj: Any, key: Any = None) -> int:
    if isinstance(obj, LineDict):
        if key is not None and key in obj.lines:
            return obj.lines[key]
        return obj.line
    return 0
