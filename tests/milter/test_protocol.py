"""The milter callbacks driven through pymilter's TestCtx: the protocol without a socket."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import Milter
import pytest
from Milter.testctx import TestCtx as MilterTestCtx

from emoguard.config import load_config
from emoguard.milter import server
from emoguard.milter.server import EmoguardMilter, Service

ROOT = Path(__file__).resolve().parents[2]
BAD = (ROOT / "tests/rules/sender.display_name_foreign_address/hit-1.eml").read_bytes()
GOOD = (ROOT / "tests/rules/header.reply_without_threading/miss-1.eml").read_bytes()


class Ctx(MilterTestCtx):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.quarantined: str | None = None

    def quarantine(self, reason: str) -> None:
        self.quarantined = reason

    def _negotiate(self) -> int:
        # TestCtx offers every "no reply" bit but then treats NOREPLY as a stop; negotiate
        # none, so the callbacks answer CONTINUE as libmilter would see them.
        self._protocol = 0
        return Milter.CONTINUE  # type: ignore[no-any-return]


@pytest.fixture()
def service(tmp_path: Path) -> Iterator[Service]:
    cfg = load_config(search_defaults=False).with_overrides({"state_dir": str(tmp_path)})
    svc = Service(cfg, jobs=1, history=False)
    server.SERVICE = svc
    Milter.factory = EmoguardMilter
    yield svc
    server.SERVICE = None
    svc.close()


def feed(raw: bytes, rcpt: str = "tanaka@example.co.jp") -> tuple[Ctx, int]:
    ctx = Ctx()
    ctx._setsymval("i", "QID123")
    assert ctx._connect() == Milter.CONTINUE
    rc = ctx._feedFile(io.BytesIO(raw), "sender@example.net", rcpt)
    return ctx, rc


def test_malicious_is_held_with_headers(service: Service) -> None:
    ctx, rc = feed(BAD)
    assert rc == Milter.ACCEPT
    assert ctx.quarantined and ctx.quarantined.startswith("emoguard malicious")
    assert ctx._msg["X-Emoguard-Level"] == "malicious"
    assert "sender.display_name_foreign_address" in ctx._msg["X-Emoguard-Rules"]


def test_clean_is_accepted_with_headers_only(service: Service) -> None:
    ctx, rc = feed(GOOD)
    assert rc == Milter.ACCEPT and ctx.quarantined is None
    assert ctx._msg["X-Emoguard-Level"] == "clean"
    assert not ctx._bodyreplaced


def test_reject_per_config(service: Service) -> None:
    service.cfg = service.cfg.with_overrides({"milter.actions": {"malicious": "reject"}})
    ctx, rc = feed(BAD)
    assert rc == Milter.REJECT
    assert ctx._reply[0] == "550" and ctx._reply[1] == "5.7.1"


def test_analysis_failure_maps_to_fail_action(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a: object, **k: object) -> dict[str, object]:
        raise RuntimeError("extractor exploded")

    monkeypatch.setattr(service, "analyze", boom)
    ctx, rc = feed(BAD)
    assert rc == Milter.ACCEPT
    assert "extractor exploded" in ctx._msg["X-Emoguard-Error"]
    service.cfg = service.cfg.with_overrides({"milter.fail_action": "tempfail"})
    ctx, rc = feed(BAD)
    assert rc == Milter.TEMPFAIL and ctx._reply[0] == "451"


def test_timeout_maps_to_fail_action(service: Service) -> None:
    service.cfg = service.cfg.with_overrides({"milter.timeout": 0.000001})
    ctx, rc = feed(BAD)
    assert rc == Milter.ACCEPT and "timed out" in ctx._msg["X-Emoguard-Error"]


def test_no_service_never_crashes() -> None:
    server.SERVICE = None
    ctx, rc = feed(BAD)
    assert rc == Milter.ACCEPT and "not started" in ctx._msg["X-Emoguard-Error"]


def test_workers_use_the_contacts_directory(tmp_path: Path) -> None:
    from emoguard.contacts import DirectoryBuilder
    from emoguard.sinks.store import Store
    from emoguard.testing.mail import MailBuilder

    b = DirectoryBuilder()
    b.add_contact("山田 太郎", "yamada@partner.co.jp", source="address book")
    with Store.open(tmp_path) as st:
        st.save_contacts(b)
    cfg = load_config(search_defaults=False).with_overrides({"state_dir": str(tmp_path)})
    svc = Service(cfg, jobs=1, history=False)
    server.SERVICE = svc
    Milter.factory = EmoguardMilter
    try:
        spoof = (MailBuilder().from_(("山田 太郎", "info@cafe-exemplo.com.br")).to("tanaka@example.co.jp")
                 .subject("見積書の件").text("ご確認をお願いします。\n").build())
        ctx, _ = feed(spoof)
        assert "identity.name_known_other_address" in ctx._msg["X-Emoguard-Rules"]
    finally:
        server.SERVICE = None
        svc.close()
