"""Fixtures for the web tests: a shared analysis pool and app clients."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emoguard.web.analysis import AnalysisPool
from emoguard.web.app import Settings, create_app
from emoguard.web.auth import TokenCheck

sys.path.insert(0, str(Path(__file__).parent))
from web_support import TOKEN, config


@pytest.fixture(scope="session")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnalysisPool]:
    """One analysis worker for the whole session (starting one costs about a second)."""
    p = AnalysisPool(config(tmp_path_factory.mktemp("pool-state")), jobs=1, timeout=60)
    p.warm_up()
    yield p
    p.close()


MakeClient = Callable[..., TestClient]


@pytest.fixture()
def make_client(pool: AnalysisPool, tmp_path: Path) -> Iterator[MakeClient]:
    """``make_client(max_upload=..., **config overrides)``: a TestClient on a fresh state dir."""
    opened: list[TestClient] = []

    def make(*, max_upload: int = 2_000_000, history: bool = True, state_dir: Path | None = None,
             use_pool: AnalysisPool | None = None, **overrides: Any) -> TestClient:
        cfg = config(state_dir or tmp_path / "state", **overrides)
        s = Settings(config=cfg, token=TokenCheck.for_token(TOKEN), jobs=1, timeout=60, max_upload=max_upload,
                     history=history)
        c = TestClient(create_app(s, pool=use_pool or pool), base_url="http://testserver")
        c.__enter__()
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture()
def client(make_client: MakeClient) -> TestClient:
    return make_client()


