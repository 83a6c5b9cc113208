"""The milter itself: pymilter (libmilter) callbacks around a process pool.

libmilter runs one thread per SMTP session; each session collects its
message and hands the bytes to a shared process pool, so analyses run on
every core while sessions wait. Any failure — an exception, a time-out, a
dead worker — becomes the configured fail action (``accept`` = fail-open,
``tempfail`` = fail-closed); the milter never dies on a message. Each message
gets one structured log line and a history record.
"""

from __future__ import annotations

import io
import json
import logging
import os
import queue
import socket
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import Milter  # type: ignore[import-untyped]

# Everything the workers and the history thread use is imported here, before any thread
# starts or any worker is forked: a fork taken while another thread holds the import
# lock leaves the child waiting on that lock forever.
import emoguard.contacts
import emoguard.engine
import emoguard.model
import emoguard.sinks.store
import milter  # type: ignore[import-not-found]
from emoguard.config import Config
from emoguard.milter.policy import Decision, decide, failure_decision, libmilter_socket

log = logging.getLogger("emoguard.milter")

# -- analysis in worker processes ---------------------------------------------------

_engine: Any = None
_directory: Any = None


def _init_worker(cfg: Config) -> None:
    """Each worker loads the engine and the contacts directory of the state dir once."""
    global _engine, _directory
    _engine = emoguard.engine.Engine.load(config=cfg)
    try:
        d = emoguard.contacts.Directory.load(cfg.state_dir, own_domains=tuple(cfg["organisation.domains"]))
        _directory = None if d.is_empty else d
    except Exception as e:  # identity checks are lost; the milter goes on
        log.error(json.dumps({"event": "contacts directory unavailable", "error": str(e)}))
        _directory = None


def _analyze(raw: bytes, recipients: tuple[str, ...], own: tuple[str, ...], source: str) -> dict[str, Any]:
    assert _engine is not None
    ctx = emoguard.model.Context(recipients=recipients, own_domains=own, directory=_directory)
    return dict(_engine.analyze(raw, ctx, source=source).to_dict())


class Service:
    """What all sessions share: config, the analysis pool, the history writer."""

    def __init__(self, cfg: Config, *, jobs: int, history: bool = True) -> None:
        self.cfg = cfg
        self.jobs = jobs
        self._lock = threading.Lock()
        self._pool = self._new_pool()
        self._records: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=10_000)
        self._writer: threading.Thread | None = None
        self._history = history

    def start_history(self) -> None:
        """Start the history writer (after the workers exist: no fork under a running thread)."""
        if self._history and self._writer is None:
            self._writer = threading.Thread(target=self._write_history, name="emoguard-history", daemon=True)
            self._writer.start()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.jobs, initializer=_init_worker, initargs=(self.cfg,))

    def warm_up(self) -> None:
        """Start every worker and load its engine before the first mail arrives."""
        futures = [self._pool.submit(_analyze, b"Subject: warm-up\r\n\r\n.\r\n", (), (), "warm-up")
                   for _ in range(self.jobs)]
        for f in futures:
            f.result(timeout=120)

    def analyze(self, raw: bytes, recipients: tuple[str, ...], source: str) -> dict[str, Any]:
        own = tuple(d.lower() for d in self.cfg["organisation.domains"])
        with self._lock:
            pool = self._pool
        try:
            fut = pool.submit(_analyze, raw, recipients, own, source)
        except BrokenProcessPool:
            self._replace_pool(pool)
            raise
        try:
            return fut.result(timeout=float(self.cfg["milter.timeout"]))
        except BrokenProcessPool:
            self._replace_pool(pool)
            raise

    def _replace_pool(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                log.error(json.dumps({"event": "worker pool broken; restarting it"}))
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                self.warm_up()

    def record(self, rec: dict[str, Any]) -> None:
        if self._writer is not None:
            try:
                self._records.put_nowait(rec)
            except queue.Full:
                log.warning(json.dumps({"event": "history queue full; record dropped from history only"}))

    def _write_history(self) -> None:
        try:
            store = emoguard.sinks.store.Store.open(self.cfg.state_dir)
        except Exception as e:
            log.error(json.dumps({"event": "history store unavailable", "error": str(e)}))
            return
        with store:
            while True:
                rec = self._records.get()
                if rec is None:
                    return
                batch = [rec]
                while len(batch) < 200:
                    try:
                        nxt = self._records.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        store.add_history(batch, origin="milter")
                        return
                    batch.append(nxt)
                try:
                    store.add_history(batch, origin="milter")
                except Exception as e:
                    log.error(json.dumps({"event": "history write failed", "error": str(e)}))

    def close(self) -> None:
        if self._writer is not None:
            self._records.put(None)
            self._writer.join(timeout=10)
        self._pool.shutdown(wait=False, cancel_futures=True)


SERVICE: Service | None = None


class EmoguardMilter(Milter.Base):  # type: ignore[misc]
    """One SMTP session. Collects the message, asks the service, applies the decision."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.buf = io.BytesIO()
        self.recipients: list[str] = []
        self.mail_from = ""
        self.started = 0.0

    @Milter.noreply  # type: ignore[untyped-decorator]
    def envfrom(self, mailfrom: str, *params: str) -> int:
        self._reset()
        self.mail_from = mailfrom.strip("<>")
        self.started = time.monotonic()
        return Milter.CONTINUE  # type: ignore[no-any-return]

    def data(self) -> int:
        # Answered on purpose (no ``noreply``): see _disable_nagle's note on Postfix's side.
        return Milter.CONTINUE  # type: ignore[no-any-return]

    @Milter.noreply  # type: ignore[untyped-decorator]
    def envrcpt(self, to: str, *params: str) -> int:
        self.recipients.append(to.strip("<>"))
        return Milter.CONTINUE  # type: ignore[no-any-return]

    @Milter.decode("bytes")  # type: ignore[untyped-decorator]
    @Milter.noreply  # type: ignore[untyped-decorator]
    def header(self, name: str, value: bytes) -> int:
        v = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape")
        v = v.replace(b"\n", b"\r\n").replace(b"\r\r", b"\r")  # libmilter folds with bare LF
        self.buf.write(name.encode("ascii", "replace") + b": " + v + b"\r\n")
        return Milter.CONTINUE  # type: ignore[no-any-return]

    @Milter.noreply  # type: ignore[untyped-decorator]
    def eoh(self) -> int:
        self.buf.write(b"\r\n")
        return Milter.CONTINUE  # type: ignore[no-any-return]

    @Milter.noreply  # type: ignore[untyped-decorator]
    def body(self, chunk: bytes) -> int:
        self.buf.write(chunk)
        return Milter.CONTINUE  # type: ignore[no-any-return]

    def eom(self) -> int:
        service = SERVICE
        qid = self.getsymval("i") or ""
        raw = self.buf.getvalue()
        rcpts = tuple(self.recipients)
        rec: dict[str, Any] | None = None
        try:
            if service is None:
                raise RuntimeError("milter service not started")
            rec = service.analyze(raw, rcpts, f"milter:{qid}" if qid else "milter")
            decision = decide(rec, rcpts, service.cfg)
        except FutureTimeout:
            decision = failure_decision(f"analysis timed out after {self._cfg()['milter.timeout']} s", self._cfg())
        except BrokenProcessPool:
            decision = failure_decision("analysis worker died", self._cfg())
        except Exception as e:  # never die on a message
            decision = failure_decision(f"analysis failed: {type(e).__name__}: {e}", self._cfg())
        try:
            rc = self._apply(decision)
        except Exception as e:  # libmilter refused a modification: still answer
            log.error(json.dumps({"queue_id": qid, "event": "could not apply decision", "error": str(e)}))
            rc = Milter.TEMPFAIL if self._cfg()["milter.fail_action"] == "tempfail" else Milter.ACCEPT
        self._log(qid, decision, rec, len(raw))
        if rec is not None and service is not None:
            rec["milter"] = {"queue_id": qid, "action": decision.action, "recipients": list(rcpts),
                             "mail_from": self.mail_from}
            service.record(rec)
        self._reset()
        return rc

    def _cfg(self) -> Any:
        if SERVICE is not None:
            return SERVICE.cfg
        from emoguard.config import load_config

        return load_config(search_defaults=False)

    def _apply(self, d: Decision) -> int:
        for name, value in d.headers:
            self.addheader(name, value)
        if d.subject is not None:
            if self._has_subject():
                self.chgheader("Subject", 1, d.subject)
            else:
                self.addheader("Subject", d.subject)
        if d.action == "reject" and d.reply:
            self.setreply(*d.reply)
            return Milter.REJECT  # type: ignore[no-any-return]
        if d.action == "tempfail" and d.reply:
            self.setreply(*d.reply)
            return Milter.TEMPFAIL  # type: ignore[no-any-return]
        if d.action == "hold" and d.hold_reason:
            self.quarantine(d.hold_reason)
        return Milter.ACCEPT  # type: ignore[no-any-return]

    def _has_subject(self) -> bool:
        head = self.buf.getvalue().split(b"\r\n\r\n", 1)[0]
        return any(line.lower().startswith(b"subject:") for line in head.split(b"\r\n"))

    def _log(self, qid: str, d: Decision, rec: dict[str, Any] | None, size: int) -> None:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "queue_id": qid,
            **d.log_fields(),
            "rules": [h["rule"] for h in (rec or {}).get("hits", [])],
            "size": size,
            "ms": round((time.monotonic() - self.started) * 1000, 1) if self.started else None,
            "recipients": len(self.recipients),
        }
        if d.hold_reason:
            line["hold_reason"] = d.hold_reason
        if d.action in ("accept", "tempfail") and d.level == "unknown":
            line["error"] = d.headers[0][1]
        log.info(json.dumps(line, ensure_ascii=False))

    def abort(self) -> int:
        self._reset()
        return Milter.CONTINUE  # type: ignore[no-any-return]

    def close(self) -> int:
        return Milter.CONTINUE  # type: ignore[no-any-return]


def _tcp_listeners() -> list[socket.socket]:
    """This process's listening TCP sockets (libmilter's, which Python did not create)."""
    found = []
    for entry in Path("/proc/self/fd").iterdir():
        try:
            s = socket.socket(fileno=os.dup(int(entry.name)))
        except OSError:  # not a socket, or gone
            continue
        if (s.family in (socket.AF_INET, socket.AF_INET6) and s.type == socket.SOCK_STREAM
                and s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)):
            found.append(s)
        else:
            s.close()
    return found


def _disable_nagle(address: str) -> None:
    """Turn off Nagle's algorithm on libmilter's TCP listener (accepted sessions inherit it).

    At end of message the milter writes several small replies in a row (one per added
    header, then the verdict) without waiting for Postfix in between. With Nagle on, a
    small write sent while the previous one is unacknowledged waits for the peer's
    delayed ACK, about 40 ms on Linux. libmilter has no option for this, so the listener
    is found among the process's file descriptors. The same stall happens on Postfix's
    side when it writes two commands without waiting for an answer (the DATA-stage
    macros, then the first header): so ``data`` is answered (see EmoguardMilter.data).
    Together these took the added SMTP latency from about 80 ms to a few ms.
    """
    if not address.startswith("inet"):
        return
    port = int(address.split(":", 1)[1].split("@", 1)[0])
    for s in _tcp_listeners():
        with s:
            if s.getsockname()[1] == port:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def serve(cfg: Config, *, jobs: int, history: bool = True) -> None:
    """Run until libmilter is told to stop (SIGTERM/SIGINT)."""
    global SERVICE
    socket_name = libmilter_socket(str(cfg["milter.listen"]))
    SERVICE = Service(cfg, jobs=jobs, history=history)
    try:
        SERVICE.warm_up()
        SERVICE.start_history()
        Milter.factory = EmoguardMilter
        Milter.set_flags(Milter.ADDHDRS | Milter.CHGHDRS | Milter.QUARANTINE)
        # open the listener before runmilter does (libmilter then keeps it) to tune it
        milter.setconn(socket_name)
        milter.register("emoguard")  # runmilter registers again, with the callbacks
        milter.opensocket(True)
        _disable_nagle(socket_name)
        log.info(json.dumps({"event": "listening", "listen": cfg["milter.listen"], "jobs": jobs}))
        Milter.runmilter("emoguard", socket_name, timeout=600)
    finally:
        SERVICE.close()
        SERVICE = None
        log.info(json.dumps({"event": "stopped"}))
