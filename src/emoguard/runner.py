"""Run the engine over a stream of messages, in this process or a process pool.

Results come back in input order. At most a few batches per worker are in
flight, so a 1 GB mbox streams through in flat memory (the source is read
only as fast as workers finish). File-backed messages travel as paths and
are read by the worker.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from emoguard.config import Config
from emoguard.engine import Engine
from emoguard.model import Context
from emoguard.sources import RawMessage

BATCH_MESSAGES = 32
BATCH_BYTES = 4 * 1024 * 1024
WINDOW_PER_WORKER = 3

_worker_engine: Engine | None = None
_worker_context: Context | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """What a worker needs to build its own engine (engines are not pickled)."""

    config: Config
    context: Context


def analyze_raw(engine: Engine, raw: RawMessage, context: Context) -> dict[str, Any]:
    """One record for one raw message; never raises."""
    try:
        data = raw.load()
    except OSError as e:
        rec = engine.unreadable(raw.source, f"cannot read: {e.strerror or e}").to_dict()
    else:
        if not data.strip():
            rec = engine.unreadable(raw.source, "empty input").to_dict()
        else:
            try:
                rec = engine.analyze(data, context, source=raw.source).to_dict()
            except Exception as e:  # the engine promises not to raise; keep the record anyway
                rec = engine.unreadable(raw.source, f"internal error: {type(e).__name__}: {e}").to_dict()
    if raw.meta:
        rec["meta"] = raw.meta
    return rec


def _init_worker(job: Job) -> None:
    global _worker_engine, _worker_context
    _worker_engine = Engine.load(config=job.config)
    _worker_context = job.context


def _run_batch(batch: list[RawMessage]) -> list[dict[str, Any]]:
    assert _worker_engine is not None and _worker_context is not None
    return [analyze_raw(_worker_engine, raw, _worker_context) for raw in batch]


def _batches(items: Iterable[RawMessage]) -> Iterator[list[RawMessage]]:
    batch: list[RawMessage] = []
    size = 0
    for raw in items:
        batch.append(raw)
        size += len(raw.data) if raw.data is not None else 0
        if len(batch) >= BATCH_MESSAGES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run(
    items: Iterable[RawMessage], *, engine: Engine, context: Context, jobs: int = 1
) -> Iterator[dict[str, Any]]:
    """Records for ``items`` in order. ``jobs`` > 1 uses a process pool."""
    if jobs <= 1:
        for raw in items:
            yield analyze_raw(engine, raw, context)
        return
    job = Job(engine.config, context)
    window = jobs * WINDOW_PER_WORKER
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(job,)) as pool:
        pending: deque[Future[list[dict[str, Any]]]] = deque()
        for batch in _batches(items):
            pending.append(pool.submit(_run_batch, batch))
            while len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
