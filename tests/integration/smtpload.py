"""SMTP load for tests and benchmarks: real corpus messages through N concurrent sessions."""

from __future__ import annotations

import contextlib
import random
import re
import smtplib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RCPT = "tanaka@example.co.jp"


def norm(raw: bytes) -> bytes:
    return re.sub(rb"\r\n|\r", b"\n", raw)


def corpus_messages(corpora: Path, n: int) -> list[bytes]:
    folders = ["spamassassin_public/easy_ham", "spamassassin_public/spam", "spamassassin_public/spam_2",
               "phishing_pot/email", "linux_nvdimm_list_archive/ham_patch_traffic_sample",
               "linux_nvdimm_list_archive/japanese_spam_phishing", "ja_milter_manager_test_mails"]
    files = sorted(p for f in folders for p in (corpora / f).glob("*.eml"))
    random.Random(7).shuffle(files)
    out = []
    for p in files:
        data = p.read_bytes()
        if data.startswith(b"From "):  # the mbox envelope line is not part of what an MTA receives
            data = data.split(b"\n", 1)[1]
        if b"\n\n" in norm(data) and len(data) < 2_000_000:
            out.append(data)
        if len(out) == n:
            break
    return out


def send_all(
    port: int, messages: list[bytes], clients: int = 8, latencies: list[float] | None = None
) -> list[str]:
    """Send every message (``clients`` SMTP sessions at once); 'ok' or the SMTP error per message.

    ``latencies`` (if given) receives each message's MAIL..end-of-DATA time in seconds.
    """
    results: list[str] = [""] * len(messages)
    lock = threading.Lock()
    it = iter(range(len(messages)))

    def worker() -> None:
        s = smtplib.SMTP("127.0.0.1", port, timeout=120)
        try:
            while True:
                with lock:
                    i = next(it, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                try:
                    # SMTP wants CRLF lines; a bare CR would otherwise reach Postfix as is
                    s.sendmail("sender@sender.example", [RCPT], re.sub(rb"\r\n|\r|\n", b"\r\n", messages[i]))
                    results[i] = "ok"
                    if latencies is not None:
                        latencies.append(time.perf_counter() - t0)
                except smtplib.SMTPResponseException as e:
                    results[i] = f"{e.smtp_code} {e.smtp_error!r}"
                    s.rset()
        finally:
            with contextlib.suppress(smtplib.SMTPException):
                s.quit()

    with ThreadPoolExecutor(clients) as ex:
        for f in [ex.submit(worker) for _ in range(clients)]:
            f.result()
    return results
