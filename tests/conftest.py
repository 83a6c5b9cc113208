"""Shared fixtures: where the third-party corpora live (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def corpora_dir() -> Path | None:
    env = os.environ.get("EMOGUARD_CORPORA")
    cand = Path(env) if env else ROOT.parent / "shared" / "corpora"
    return cand if cand.is_dir() else None


@pytest.fixture(scope="session")
def corpora() -> Path:
    """Path to ../shared/corpora. In CI its absence is a failure, elsewhere a skip."""
    d = corpora_dir()
    if d is None:
        if os.environ.get("CI"):
            pytest.fail("../shared/corpora is missing; CI must have it beside the checkout")
        pytest.skip("../shared/corpora not available")
    return d


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``slow`` tests are left out of the default run; ``-m slow`` (or any -m naming slow) runs them."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
