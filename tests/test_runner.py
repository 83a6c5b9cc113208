"""The runner: order kept, bounded in-flight work, unreadable inputs recorded."""

from __future__ import annotations

from collections.abc import Iterator

from emoguard.engine import Engine
from emoguard.model import Context
from emoguard.runner import WINDOW_PER_WORKER, run
from emoguard.sources import RawMessage

MAIL = b"From: a@example.com\nTo: b@example.co.jp\nSubject: RE: n%d\n\nbody\n"


def test_pool_keeps_order_and_reads_lazily() -> None:
    engine = Engine.load(search_defaults=False)
    pulled = 0

    def gen() -> Iterator[RawMessage]:
        nonlocal pulled
        for i in range(2000):
            pulled += 1
            yield RawMessage(source=f"m{i}", data=MAIL % i)

    it = run(gen(), engine=engine, context=Context(), jobs=2)
    first = next(it)
    assert first["source"] == "m0"
    # the source is consumed only a bounded window ahead of the results
    assert pulled <= 2 * WINDOW_PER_WORKER * 32 + 32
    rest = list(it)
    assert [r["source"] for r in rest] == [f"m{i}" for i in range(1, 2000)]
    assert all(r["subject"] == f"RE: n{i}" for i, r in enumerate([first, *rest]))


def test_unreadable_path_and_empty_input_get_records(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = Engine.load(search_defaults=False)
    recs = list(run([RawMessage(source="gone", path=str(tmp_path / "gone.eml")), RawMessage(source="e", data=b"  \n")],
                    engine=engine, context=Context(), jobs=1))
    assert [r["source"] for r in recs] == ["gone", "e"]
    assert all(r["level"] == "suspicious" and r["errors"][0].startswith("unreadable") for r in recs)
    assert recs[1]["errors"] == ["unreadable: empty input"]
