"""IMAP URLs, credentials and registration (the server side is in tests/integration)."""

from __future__ import annotations

from typing import ClassVar

import pytest

from emoguard.config import load_config
from emoguard.sources import Skipped, open_source
from emoguard.sources.imap import ImapError, parse_url, password_for


def test_urls() -> None:
    u = parse_url("imap://tanaka@mail.example.co.jp/INBOX")
    assert (u.scheme, u.user, u.host, u.port, u.folder) == ("imap", "tanaka", "mail.example.co.jp", 143, "INBOX")
    assert u.mailbox == "imap://tanaka@mail.example.co.jp:143" and u.account == "tanaka@mail.example.co.jp"
    u = parse_url("imaps://tanaka@example.co.jp@outlook.office365.com/*")
    assert (u.user, u.host, u.port, u.folder) == ("tanaka@example.co.jp", "outlook.office365.com", 993, "*")
    u = parse_url("imaps://tanaka%40example.co.jp@imap.gmail.com:994")
    assert (u.user, u.port, u.folder) == ("tanaka@example.co.jp", 994, "INBOX")
    u = parse_url("imap://t@127.0.0.1:1143/%E5%8F%96%E5%BC%95%E5%85%88/2020?full=1")
    assert u.folder == "取引先/2020" and u.full
    assert parse_url("imap://t@[::1]:1143/INBOX").host == "::1"


@pytest.mark.parametrize("bad", ["imap://host/INBOX", "imap://user:secret@host/INBOX", "imap://u@h:x/INBOX"])
def test_bad_urls(bad: str) -> None:
    with pytest.raises(ImapError) as e:
        parse_url(bad)
    assert "secret" not in str(e.value)


def test_password_order(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text('[imap]\npassword = "global"\n[imap.passwords]\n"sato@h" = "per-account"\n')
    cfg = load_config(cfg_file, search_defaults=False)
    monkeypatch.delenv("EMOGUARD_IMAP_PASSWORD", raising=False)
    assert password_for(parse_url("imap://sato@h/"), cfg, prompt=False) == "per-account"
    assert password_for(parse_url("imap://tanaka@h/"), cfg, prompt=False) == "global"
    monkeypatch.setenv("EMOGUARD_IMAP_PASSWORD", "from-env")
    assert password_for(parse_url("imap://tanaka@h/"), cfg, prompt=False) == "from-env"
    assert password_for(parse_url("imap://sato@h/"), cfg, prompt=False) == "per-account"
    monkeypatch.delenv("EMOGUARD_IMAP_PASSWORD")
    empty = load_config(search_defaults=False)
    with pytest.raises(ImapError, match="EMOGUARD_IMAP_PASSWORD"):
        password_for(parse_url("imap://tanaka@h/"), empty, prompt=False)


def test_scheme_registered_for_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOGUARD_IMAP_PASSWORD", "x")
    monkeypatch.setenv("EMOGUARD_CONFIG", "/nonexistent/emoguard.toml")
    items = list(open_source("imap://u@127.0.0.1:1/INBOX"))
    assert len(items) == 1 and isinstance(items[0], Skipped) and items[0].unreadable
    assert "config file not found" in items[0].reason
    monkeypatch.delenv("EMOGUARD_CONFIG")
    items = list(open_source("imap://u:pw@127.0.0.1:1/INBOX"))
    assert isinstance(items[0], Skipped) and "refused" in items[0].reason


class FakeClient:
    calls: ClassVar[list[tuple[str, object]]] = []

    def __init__(self, host: str, port: int, ssl: bool, ssl_context: object, timeout: float) -> None:
        FakeClient.calls = [("connect", (host, port, ssl))]

    def capabilities(self) -> tuple[bytes, ...]:
        return (b"IMAP4REV1", b"STARTTLS")

    def starttls(self, ctx: object) -> None:
        FakeClient.calls.append(("starttls", None))

    def oauth2_login(self, user: str, token: str) -> None:
        FakeClient.calls.append(("oauth2_login", (user, token)))

    def login(self, user: str, password: str) -> None:
        FakeClient.calls.append(("login", (user, password)))


def test_xoauth2_and_starttls(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import imapclient

    from emoguard.sources.imap import connect

    monkeypatch.setattr(imapclient, "IMAPClient", FakeClient)
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text('[imap]\nauth = "xoauth2"\n')
    cfg = load_config(cfg_file, search_defaults=False)
    monkeypatch.setenv("EMOGUARD_IMAP_OAUTH2_TOKEN", "ya29.token")
    connect(parse_url("imaps://tanaka@example.co.jp@outlook.office365.com/INBOX"), cfg)
    assert FakeClient.calls == [("connect", ("outlook.office365.com", 993, True)),
                                ("oauth2_login", ("tanaka@example.co.jp", "ya29.token"))]
    monkeypatch.setenv("EMOGUARD_IMAP_PASSWORD", "pw")
    connect(parse_url("imap://tanaka@mail.example.co.jp/INBOX"), load_config(search_defaults=False))
    assert FakeClient.calls == [("connect", ("mail.example.co.jp", 143, False)), ("starttls", None),
                                ("login", ("tanaka", "pw"))]
    monkeypatch.delenv("EMOGUARD_IMAP_OAUTH2_TOKEN")
    with pytest.raises(ImapError, match="no token"):
        connect(parse_url("imaps://t@h/INBOX"), cfg)
