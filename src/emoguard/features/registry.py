"""The feature registry: named, typed, lazily computed, memoized per message.

Rules name features (``subject.is_reply``); the loader checks every name
against this registry at load time, so a typo fails with a location and a
"did you mean" instead of silently never matching. Extractors are plain
functions of a :class:`Features` object; one that raises is contained here:
its failure is recorded once in ``errors`` and it yields the type's empty
value, so the rest of the verdict stands (DESIGN 5, habit 6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from emoguard.model import Context, Message

FeatureType = Literal["bool", "int", "float", "str", "list"]
Cost = Literal["cheap", "expensive"]

_EMPTY: dict[str, Any] = {"bool": False, "int": 0, "float": 0.0, "str": "", "list": ()}


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    name: str
    func: Callable[[Features], Any]
    type: FeatureType
    cost: Cost
    doc: str


class Registry:
    """Explicit name -> extractor table (habit 8: users write these names)."""

    def __init__(self) -> None:
        self._specs: dict[str, FeatureSpec] = {}

    def feature(
        self, name: str, *, type: FeatureType, cost: Cost = "cheap"
    ) -> Callable[[Callable[[Features], Any]], Callable[[Features], Any]]:
        def deco(func: Callable[[Features], Any]) -> Callable[[Features], Any]:
            if name in self._specs:
                raise ValueError(f"feature {name!r} registered twice")
            doc = " ".join((func.__doc__ or "").split())
            self._specs[name] = FeatureSpec(name, func, type, cost, doc)
            return func

        return deco

    def get(self, name: str) -> FeatureSpec | None:
        return self._specs.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def specs(self) -> list[FeatureSpec]:
        return [self._specs[k] for k in sorted(self._specs)]

    def names(self) -> list[str]:
        return sorted(self._specs)


REGISTRY = Registry()
feature = REGISTRY.feature


class Features:
    """Feature values of one message, computed on first use and cached."""

    __slots__ = ("_cache", "context", "errors", "lists", "message", "registry", "settings")

    def __init__(
        self,
        message: Message,
        context: Context,
        *,
        lists: dict[str, tuple[str, ...]] | None = None,
        registry: Registry = REGISTRY,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self.message = message
        # engine-loaded helpers the features may use (e.g. the attachment inspector)
        self.settings: dict[str, Any] = settings or {}
        self.context = context
        self.lists = lists or {}
        self.registry = registry
        self.errors: list[str] = []
        self._cache: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        try:
            return self._cache[name]
        except KeyError:
            pass
        spec = self.registry.get(name)
        if spec is None:
            raise KeyError(name)
        try:
            value = spec.func(self)
        except Exception as exc:  # contained: one extractor never sinks the verdict
            self.errors.append(f"feature {name} failed: {type(exc).__name__}: {exc}")
            value = _EMPTY[spec.type]
        self._cache[name] = value
        return value

    def computed(self) -> dict[str, Any]:
        return dict(self._cache)
