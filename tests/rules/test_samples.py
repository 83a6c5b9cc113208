"""Every rule, alone, against its samples: hit-* fire with the expected evidence, miss-* don't."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoguard.engine import Engine
from emoguard.rules.samples import run_samples

SAMPLES = Path(__file__).parent

ENGINE = Engine.load(search_defaults=False)
RESULTS, MISSING = run_samples(ENGINE, SAMPLES)


def test_every_rule_has_a_hit_sample() -> None:
    assert MISSING == []


def test_every_rule_has_a_miss_sample() -> None:
    lacking = [r.id for r in ENGINE.ruleset.rules if not list((SAMPLES / r.id).glob("miss-*.eml"))]
    assert lacking == []


@pytest.mark.parametrize("result", RESULTS, ids=[f"{r.rule}/{r.sample}" for r in RESULTS])
def test_sample(result) -> None:  # type: ignore[no-untyped-def]
    assert result.ok, result.reason
