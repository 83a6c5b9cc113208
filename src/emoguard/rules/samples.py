"""Run each rule alone against its samples (DESIGN 3.2, habit 4).

Layout: ``<samples>/<rule id>/hit-*.eml`` must fire, ``miss-*.eml`` must
not; ``expect.yml`` maps each hit sample to evidence fragments that must
appear in the hit's evidence (so the explanation is asserted, not just the
match); an optional ``context.yml`` gives ``recipients``,
``recipient_names`` and ``own_domains``, and a contacts directory for the
identity rules: ``contacts: [{name: ..., address: ...}]``,
``sent_message_ids: ["<id@host>"]`` (mail the organisation sent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from emoguard.engine import Engine
from emoguard.features.registry import Features
from emoguard.model import Context
from emoguard.parse import parse_message


@dataclass(frozen=True, slots=True)
class SampleResult:
    rule: str
    sample: str
    ok: bool
    reason: str = ""


def default_samples_dir() -> Path | None:
    """``tests/rules`` of a source checkout (cwd or the package's repository)."""
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        cand = base / "tests" / "rules"
        if cand.is_dir():
            return cand
    return None


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return yaml.safe_load(fh)


def context_from_mapping(cdoc: dict[str, Any]) -> Context:
    """The :class:`Context` a sample's ``context.yml`` describes."""
    directory = None
    if cdoc.get("contacts") or cdoc.get("sent_message_ids"):
        from emoguard.contacts.directory import directory_from_mapping

        directory = directory_from_mapping(cdoc)
    return Context(
        recipients=tuple(cdoc.get("recipients", ())),
        recipient_names=tuple(cdoc.get("recipient_names", ())),
        own_domains=tuple(cdoc.get("own_domains", ())),
        directory=directory,
    )


def run_samples(
    engine: Engine, samples: Path, ids: Sequence[str] | None = None
) -> tuple[list[SampleResult], list[str]]:
    """Results for every sample, and the ids of rules that have no hit sample."""
    results: list[SampleResult] = []
    missing: list[str] = []
    lists = dict(engine.ruleset.lists)
    for rule in engine.ruleset.rules:
        if ids and rule.id not in ids:
            continue
        d = samples / rule.id
        hits = sorted(d.glob("hit-*.eml")) if d.is_dir() else []
        if not hits:
            missing.append(rule.id)
            continue
        expect = _read_yaml(d / "expect.yml") or {}
        cdoc = _read_yaml(d / "context.yml") or {}
        ctx = context_from_mapping(cdoc)
        for path in [*hits, *sorted(d.glob("miss-*.eml"))]:
            fx = Features(parse_message(path.read_bytes()), ctx, lists=lists, settings=engine.feature_settings(ctx))
            hit = rule.evaluate(fx)
            want = path.name.startswith("hit-")
            if fx.errors:
                results.append(SampleResult(rule.id, path.name, False, "; ".join(fx.errors)))
            elif want and hit is None:
                results.append(SampleResult(rule.id, path.name, False, "did not fire"))
            elif not want and hit is not None:
                results.append(SampleResult(rule.id, path.name, False, f"fired: {hit.evidence}"))
            elif want and hit is not None:
                frags = expect.get(path.name)
                if not frags:
                    results.append(SampleResult(rule.id, path.name, False, "no evidence expectation in expect.yml"))
                    continue
                text = "\n".join((*hit.evidence, *hit.evidence_ja))
                lost = [f for f in frags if f not in text]
                if lost:
                    results.append(SampleResult(rule.id, path.name, False,
                                                f"evidence lacks {lost!r}; got {list(hit.evidence)!r}"))
                else:
                    results.append(SampleResult(rule.id, path.name, True))
            else:
                results.append(SampleResult(rule.id, path.name, True))
    return results, missing
