"""Analyses for the web server, in worker processes that can be abandoned.

:class:`AnalysisPool` keeps ``jobs`` worker processes ("slots"), each with its own
:class:`~emoguard.engine.Engine` and contacts directory, loaded once. A request takes a
free slot, sends the message down a pipe and waits at most ``timeout`` seconds. If the
worker does not answer in time it is killed and replaced by a fresh one, and the request
gets :class:`AnalysisTimeout`; other requests and the server go on. A worker that dies
(a crash in a native library) is replaced the same way (:class:`WorkerDied`).

The workers are started with the ``spawn`` method: the server has threads (uvicorn,
the thread pool), and a ``fork`` taken while another thread holds a lock can leave the
child waiting on it forever. This module does not import FastAPI, so workers stay lean.

:func:`prepare_upload` decides, before any worker is involved, whether uploaded bytes
are one message emoguard can read (RFC 5322 mail, an Outlook .msg, an .eml saved with
its mbox ``From`` line) and turns everything else into an :class:`UploadError` with an
HTTP status and a machine-readable code.

For tests only: ``EMOGUARD_TEST_ANALYSIS_HANG=MARKER`` makes a worker sleep for an hour
on any message containing ``MARKER`` (a hung analysis, to show the time-out), and
``EMOGUARD_TEST_ANALYSIS_CRASH=MARKER`` makes it exit at once as if killed (a crash in a
native library).
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import queue
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from emoguard.config import Config

HANG_ENV = "EMOGUARD_TEST_ANALYSIS_HANG"
CRASH_ENV = "EMOGUARD_TEST_ANALYSIS_CRASH"
LOAD_TIMEOUT = 120.0  # seconds a new worker may take to load rules and the directory


class AnalysisError(Exception):
    """The analysis could not give a verdict (the reason is in the message)."""

    code = "analysis_failed"


class AnalysisTimeout(AnalysisError):
    code = "analysis_timeout"


class WorkerDied(AnalysisError):
    code = "worker_died"


class Busy(AnalysisError):
    code = "busy"


class UploadError(Exception):
    """A bad upload: HTTP status, machine code, English message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Upload:
    """One message to analyse, with the ``meta`` the CLI would attach to its record."""

    __slots__ = ("data", "meta")

    def __init__(self, data: bytes, meta: dict[str, Any] | None = None) -> None:
        self.data = data
        self.meta = meta or {}


def prepare_upload(data: bytes, filename: str = "") -> Upload:
    """The message to analyse, or :class:`UploadError` (never anything else).

    Mirrors what ``emoguard scan FILE`` does with a file of that name, so the record is
    the same: an Outlook .msg gets ``meta.kind = "msg"``, an .eml saved with its mbox
    ``From`` line loses that line to ``meta.envelope``.
    """
    from emoguard.sources.files import HEAD_BYTES, SINGLE_MESSAGE_SUFFIXES, split_mbox
    from emoguard.sources.sniff import is_outlook_msg_bytes, sniff_bytes

    if not data.strip():
        raise UploadError(400, "empty", "the upload is empty")
    name = filename.lower()
    kind = sniff_bytes(data[:HEAD_BYTES], name_hint=name)
    if kind == "eml":
        return Upload(data)
    if kind == "ole":
        if is_outlook_msg_bytes(data):
            return Upload(data, {"kind": "msg"})
        raise UploadError(422, "not_mail", "not a mail: an OLE document that is not an Outlook .msg")
    if kind == "pst":
        raise UploadError(422, "not_single_message",
                          "an Outlook .pst/.ost mailbox: upload one message, or use `emoguard scan` on the file")
    if kind == "mbox":
        if any(name.endswith(s) for s in SINGLE_MESSAGE_SUFFIXES):
            first, _, rest = data.lstrip(b"\r\n").partition(b"\n")
            if rest.strip():
                return Upload(rest, {"envelope": first.decode("latin-1").rstrip("\r")})
        msgs = [m.data or b"" for m in split_mbox(io.BytesIO(data), filename or "-")]
        if len(msgs) == 1 and msgs[0].strip():
            return Upload(msgs[0])
        raise UploadError(422, "not_single_message",
                          f"an mbox of {len(msgs)} messages: upload one message at a time, or use `emoguard scan`")
    raise UploadError(422, "not_mail", "not a mail: no header block (From:, Subject:, ...) at the start")


# -- in the worker process ---------------------------------------------------------------

_engine: Any = None
_directory: Any = None


def _load(cfg: Config) -> None:
    global _engine, _directory
    import emoguard.features  # noqa: F401  (registers the features the view reads)
    from emoguard.contacts import Directory
    from emoguard.engine import Engine

    _engine = Engine.load(config=cfg)
    try:
        d = Directory.load(cfg.state_dir, own_domains=tuple(d.lower() for d in cfg["organisation.domains"]))
        _directory = None if d.is_empty else d
    except Exception:  # identity checks are lost; analyses go on
        _directory = None


def analyze_in_worker(raw: bytes, source: str, with_view: bool) -> dict[str, Any]:
    """``{"record": <Verdict.to_dict()>, "view": {...} | None}`` for one message."""
    from emoguard.model import Context

    marker = os.environ.get(HANG_ENV)
    if marker and marker.encode() in raw:
        time.sleep(3600)
    marker = os.environ.get(CRASH_ENV)
    if marker and marker.encode() in raw:
        os._exit(139)
    ctx = Context(own_domains=tuple(d.lower() for d in _engine.config["organisation.domains"]),
                  directory=_directory)
    if _directory is not None and not ctx.own_domains:
        ctx = Context(own_domains=_directory.own_domains, directory=_directory)
    try:
        record = _engine.analyze(raw, ctx, source=source).to_dict()
    except Exception as e:  # the engine promises not to raise; keep a record anyway (as the CLI does)
        record = _engine.unreadable(source, f"internal error: {type(e).__name__}: {e}").to_dict()
    view = _view(raw, ctx) if with_view else None
    return {"record": record, "view": view}


def _view(raw: bytes, ctx: Any) -> dict[str, Any] | None:
    from emoguard.features.registry import Features
    from emoguard.parse import parse_message
    from emoguard.web.view import build_view

    try:
        cfg = _engine.config
        message = parse_message(raw, max_depth=cfg["limits.max_depth"], max_parts=cfg["limits.max_parts"])
        fx = Features(message, ctx, lists=dict(_engine.ruleset.lists),
                      settings={"attachments.inspector": _engine.inspector})
        return build_view(message, fx)
    except Exception:
        return None


def _worker_main(conn: Connection, cfg: Config) -> None:
    try:
        _load(cfg)
    except Exception as e:
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            raw, source, with_view = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            result: tuple[str, Any] = ("ok", analyze_in_worker(raw, source, with_view))
        except Exception as e:
            result = ("error", f"{type(e).__name__}: {e}")
        try:
            conn.send(result)
        except (OSError, ValueError):
            return


# -- in the server -----------------------------------------------------------------------


class _Slot:
    """One worker process and its end of the pipe."""

    def __init__(self, cfg: Config) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, cfg), name="emoguard-web-worker", daemon=True)
        self.proc.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(LOAD_TIMEOUT):
            raise WorkerDied("the analysis worker did not start")
        try:
            status, detail = self.conn.recv()
        except (EOFError, OSError):
            raise WorkerDied("the analysis worker exited while starting") from None
        if status != "ready":
            raise WorkerDied(f"the analysis worker could not load the rules: {detail}")
        self.ready = True

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class AnalysisPool:
    """``jobs`` worker processes; :meth:`analyze` blocks (call it from a thread)."""

    def __init__(self, cfg: Config, *, jobs: int, timeout: float, queue_timeout: float | None = None) -> None:
        self.cfg = cfg
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.queue_timeout = timeout if queue_timeout is None else queue_timeout
        self._free: queue.Queue[_Slot] = queue.Queue()
        self._all: set[_Slot] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.replaced = 0  # workers killed or lost and replaced (shown by /health)
        for _ in range(self.jobs):
            self._add()

    def _add(self) -> _Slot:
        slot = _Slot(self.cfg)
        with self._lock:
            self._all.add(slot)
        self._free.put(slot)
        return slot

    def _replace(self, slot: _Slot) -> None:
        slot.kill()
        with self._lock:
            self._all.discard(slot)
            self.replaced += 1
            closed = self._closed
        if not closed:
            self._add()

    def warm_up(self) -> None:
        """Wait until every worker has loaded (raises WorkerDied when one cannot)."""
        slots = [self._free.get() for _ in range(self.jobs)]
        try:
            for s in slots:
                s.wait_ready()
        finally:
            for s in slots:
                self._free.put(s)

    def analyze(self, raw: bytes, *, source: str = "", with_view: bool = False) -> dict[str, Any]:
        slot: _Slot | None
        try:
            slot = self._free.get(timeout=self.queue_timeout)
        except queue.Empty:
            raise Busy(f"every analysis worker stayed busy for {self.queue_timeout:g} s") from None
        try:
            slot.wait_ready()
            slot.conn.send((raw, source, with_view))
            if not slot.conn.poll(self.timeout):
                self._replace(slot)
                slot = None
                raise AnalysisTimeout(f"the analysis took longer than {self.timeout:g} s and was abandoned")
            status, payload = slot.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as e:
            if slot is not None:
                self._replace(slot)
                slot = None
            raise WorkerDied(f"the analysis worker died ({type(e).__name__})") from None
        except WorkerDied:
            if slot is not None:
                self._replace(slot)
                slot = None
            raise
        finally:
            if slot is not None:
                self._free.put(slot)
        if status != "ok":
            raise AnalysisError(str(payload))
        return dict(payload)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            slots = list(self._all)
            self._all.clear()
        for s in slots:
            with contextlib.suppress(Exception):
                s.conn.close()  # the worker's recv() ends: it exits by itself
        for s in slots:
            s.proc.join(2)
            if s.proc.is_alive():
                s.kill()
