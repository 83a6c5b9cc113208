"""IMAP mailboxes as a source: ``imap://user@host[:port]/FOLDER`` and ``imaps://…``.

- ``FOLDER`` is percent-decoded (Japanese folder names work; imapclient converts
  them to IMAP's modified UTF-7); no folder means ``INBOX``; ``/*`` means every
  selectable folder. A user name containing ``@`` is written ``%40`` or as is
  (``imap://tanaka@example.co.jp@imap.example.com/INBOX``: the last ``@`` ends it).
- The password never comes from the command line: a URL with ``user:password@`` is
  refused. It comes from the config for that account (``imap.passwords`` keyed
  ``user@host``), ``EMOGUARD_IMAP_PASSWORD``, the config for all accounts
  (``imap.password``) or a prompt on a terminal, in that order.
  ``imap.auth = "xoauth2"`` logs in with an OAuth2 access token
  (``EMOGUARD_IMAP_OAUTH2_TOKEN`` or ``imap.oauth2_token``) as Microsoft 365 and
  Google require.
- Mail is read with ``EXAMINE`` (read-only) and ``BODY.PEEK[]``: reading never sets
  ``\\Seen``, so the read flags reported by ``sweep`` are the users' own.
- Incremental: the highest UID read per (mailbox, folder) is kept in the store with
  the folder's UIDVALIDITY; the next scan asks only for larger UIDs (all of them
  again when UIDVALIDITY changed). ``scan imap://…`` is incremental; add ``?full=1``
  to the URL to read everything again.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import os
import ssl
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote

from emoguard.sources import Item, RawMessage, Skipped

if TYPE_CHECKING:
    from emoguard.config import Config
    from emoguard.sinks.store import Store

SCHEMES = ("imap://", "imaps://")
PASSWORD_ENV = "EMOGUARD_IMAP_PASSWORD"  # noqa: S105 - the variable's name, not a password
TOKEN_ENV = "EMOGUARD_IMAP_OAUTH2_TOKEN"  # noqa: S105
FETCH_BATCH = 64
FETCH_ITEMS = [b"BODY.PEEK[]", b"FLAGS", b"INTERNALDATE", b"RFC822.SIZE"]


class ImapError(Exception):
    """A problem reaching, logging in to or reading a mailbox (said to the user as is)."""


@dataclass(frozen=True, slots=True)
class ImapURL:
    scheme: str  # "imap" | "imaps"
    user: str
    host: str
    port: int
    folder: str  # "INBOX" by default; "*" = every folder
    full: bool = False

    @property
    def account(self) -> str:
        return f"{self.user}@{self.host}"

    @property
    def mailbox(self) -> str:
        """The account as a URL without folder or secrets (the key in the store)."""
        return f"{self.scheme}://{quote(self.user, safe='')}@{self.host}:{self.port}"

    def with_folder(self, folder: str) -> ImapURL:
        return ImapURL(self.scheme, self.user, self.host, self.port, folder, self.full)


def parse_url(locator: str) -> ImapURL:
    """Parse ``imap[s]://user@host[:port][/FOLDER][?full=1]`` (raises ImapError)."""
    scheme, sep, rest = locator.partition("://")
    if not sep or scheme.lower() not in ("imap", "imaps"):
        raise ImapError(f"{locator}: not an imap:// or imaps:// URL")
    scheme = scheme.lower()
    rest, _, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        raise ImapError(f"{locator}: give the user name: {scheme}://USER@HOST/FOLDER")
    userinfo, _, hostport = authority.rpartition("@")
    if ":" in userinfo:
        raise ImapError(
            f"{scheme}://…: a password in the URL is refused (it would be visible to every user of this "
            f"machine); use {PASSWORD_ENV}, the config file or the prompt"
        )
    user = unquote(userinfo)
    host, port_s = hostport, ""
    if hostport.startswith("["):  # [::1]:143
        end = hostport.find("]")
        host, port_s = hostport[1:end], hostport[end + 2 :]
    elif ":" in hostport:
        host, _, port_s = hostport.rpartition(":")
    try:
        port = int(port_s) if port_s else (993 if scheme == "imaps" else 143)
    except ValueError:
        raise ImapError(f"{locator}: bad port {port_s!r}") from None
    if not user or not host:
        raise ImapError(f"{locator}: user and host are required")
    folder = unquote(path.rstrip("/")) if slash else ""
    full = parse_qs(query).get("full", ["0"])[0].lower() in ("1", "true", "yes")
    return ImapURL(scheme, user, host, port, folder or "INBOX", full)


# -- credentials and connection --------------------------------------------------------------


def password_for(url: ImapURL, cfg: Config, *, prompt: bool = True, lang: str = "en") -> str:
    """The password: config for this account, environment, config for all, a terminal prompt."""
    per = cfg["imap.passwords"]
    if per.get(url.account):
        return str(per[url.account])
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if cfg["imap.password"]:
        return str(cfg["imap.password"])
    from emoguard.i18n import t

    if prompt and sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(t("imap.password_prompt", lang, account=url.account))
    raise ImapError(t("imap.no_password", lang, account=url.account))


def _tls_context(cfg: Config) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if not cfg["imap.tls_verify"]:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def connect(url: ImapURL, cfg: Config, *, lang: str = "en", prompt: bool = True) -> Any:
    """A logged-in ``IMAPClient`` (raises ImapError with a readable reason)."""
    import imapclient
    from imapclient.exceptions import IMAPClientError

    ctx = _tls_context(cfg)
    try:
        client = imapclient.IMAPClient(
            url.host, port=url.port, ssl=url.scheme == "imaps", ssl_context=ctx, timeout=cfg["imap.timeout"]
        )
    except (OSError, IMAPClientError) as e:
        raise ImapError(f"{url.mailbox}: cannot connect: {e}") from None
    try:
        if url.scheme == "imap" and cfg["imap.starttls"] and b"STARTTLS" in client.capabilities():
            client.starttls(ctx)
        if cfg["imap.auth"] == "xoauth2":
            token = os.environ.get(TOKEN_ENV) or cfg["imap.oauth2_token"]
            if not token:
                raise ImapError(f"{url.account}: imap.auth is xoauth2 but no token ({TOKEN_ENV} or imap.oauth2_token)")
            client.oauth2_login(url.user, token)
        else:
            client.login(url.user, password_for(url, cfg, prompt=prompt, lang=lang))
    except ImapError:
        _logout(client)
        raise
    except (OSError, IMAPClientError) as e:
        _logout(client)
        raise ImapError(f"{url.account}: login failed: {e}") from None
    return client


def _logout(client: Any) -> None:
    with contextlib.suppress(Exception):  # the connection may already be gone
        client.logout()


def list_folders(client: Any) -> list[str]:
    """Every selectable folder, INBOX first."""
    out = []
    for flags, _delim, name in client.list_folders():
        if any(f.lower() in (b"\\noselect", b"\\nonexistent") for f in flags):
            continue
        out.append(name if isinstance(name, str) else name.decode("utf-8", "replace"))
    out.sort(key=lambda n: (n.upper() != "INBOX", n))
    return out


def folders_of(client: Any, url: ImapURL) -> list[str]:
    return list_folders(client) if url.folder == "*" else [url.folder]


# -- incremental state -------------------------------------------------------------------


def get_state(store: Store, mailbox: str, folder: str) -> tuple[int, int] | None:
    row = store.db.execute(
        "SELECT uidvalidity, last_uid FROM imap_state WHERE mailbox = ? AND folder = ?", (mailbox, folder)
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def set_state(store: Store, mailbox: str, folder: str, uidvalidity: int, last_uid: int) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.db:
        store.db.execute(
            "INSERT INTO imap_state (mailbox, folder, uidvalidity, last_uid, updated) VALUES (?,?,?,?,?)"
            " ON CONFLICT (mailbox, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
            " last_uid = excluded.last_uid, updated = excluded.updated",
            (mailbox, folder, uidvalidity, last_uid, now),
        )


# -- reading -----------------------------------------------------------------------------


def _criteria(since: date | None, before: date | None, after_uid: int) -> list[Any]:
    crit: list[Any] = []
    if after_uid:
        crit += ["UID", f"{after_uid + 1}:*"]
    if since is not None:
        crit += ["SINCE", since]
    if before is not None:
        crit += ["BEFORE", before]
    return crit or ["ALL"]


@dataclass
class FolderRead:
    """What one folder read gave: for the state update and the summary."""

    folder: str
    uidvalidity: int = 0
    max_uid: int = 0
    messages: int = 0


def fetch_folder(
    client: Any,
    url: ImapURL,
    folder: str,
    *,
    since: date | None = None,
    before: date | None = None,
    after: tuple[int, int] | None = None,
    result: FolderRead | None = None,
) -> Iterator[RawMessage]:
    """Messages of one folder (read-only), oldest UID first.

    ``after`` is the stored (uidvalidity, last_uid): only larger UIDs are read while
    the folder's UIDVALIDITY matches. ``result`` is filled in as messages are read.
    """
    info = client.select_folder(folder, readonly=True)
    uidvalidity = int(info.get(b"UIDVALIDITY", 0))
    after_uid = after[1] if after is not None and after[0] == uidvalidity else 0
    res = result if result is not None else FolderRead(folder)
    res.uidvalidity = uidvalidity
    res.max_uid = max(res.max_uid, after_uid)
    uids = sorted(u for u in client.search(_criteria(since, before, after_uid)) if u > after_uid)
    for i in range(0, len(uids), FETCH_BATCH):
        batch = uids[i : i + FETCH_BATCH]
        resp = client.fetch(batch, FETCH_ITEMS)
        for uid in batch:
            item = resp.get(uid)
            if item is None:
                continue  # expunged meanwhile
            data = bytes(item.get(b"BODY[]") or b"")
            flags = [f.decode("ascii", "replace") if isinstance(f, bytes) else str(f) for f in item.get(b"FLAGS", ())]
            idate = item.get(b"INTERNALDATE")
            res.max_uid = max(res.max_uid, uid)
            res.messages += 1
            yield RawMessage(
                source=f"{url.mailbox}/{quote(folder, safe='')};UIDVALIDITY={uidvalidity}/;UID={uid}",
                data=data,
                meta={
                    "kind": "imap",
                    "mailbox": url.mailbox,
                    "account": url.account,
                    "folder": folder,
                    "uidvalidity": uidvalidity,
                    "uid": uid,
                    "seen": "\\Seen" in flags,
                    "flags": flags,
                    "internaldate": idate.isoformat() if isinstance(idate, datetime) else "",
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                },
            )


def read_mailbox(
    client: Any,
    url: ImapURL,
    *,
    since: date | None = None,
    before: date | None = None,
    store: Store | None = None,
    incremental: bool = False,
    folders: Sequence[str] | None = None,
    reads: list[FolderRead] | None = None,
) -> Iterator[Item]:
    """Every message of the URL's folder(s); updates the incremental state per folder
    once that folder was read to the end (a crash re-reads, never skips)."""
    for folder in folders if folders is not None else folders_of(client, url):
        res = FolderRead(folder)
        prev = get_state(store, url.mailbox, folder) if store is not None and incremental else None
        try:
            yield from fetch_folder(client, url, folder, since=since, before=before, after=prev, result=res)
        except Exception as e:  # a folder that cannot be read is reported, the others go on
            yield Skipped(f"{url.mailbox}/{folder}", f"cannot read folder: {e}", unreadable=True)
            continue
        if reads is not None:
            reads.append(res)
        if store is not None and incremental and res.uidvalidity:
            set_state(store, url.mailbox, folder, res.uidvalidity, res.max_uid)


_CONFIG: Config | None = None


def configure(cfg: Config | None) -> None:
    """The configuration the ``imap://`` opener uses (``scan`` passes its own, with
    ``--config`` and ``--state-dir``); without it the default config files are read."""
    global _CONFIG
    _CONFIG = cfg


def open_imap(locator: str) -> Iterator[Item]:
    """The ``imap://`` / ``imaps://`` opener used by ``scan`` (incremental unless ``?full=1``)."""
    from emoguard.config import ConfigError, load_config
    from emoguard.i18n import detect_lang

    try:
        url = parse_url(locator)
        cfg = _CONFIG if _CONFIG is not None else load_config()
    except (ImapError, ConfigError) as e:
        yield Skipped(locator, str(e), unreadable=True)
        return
    try:
        client = connect(url, cfg, lang=detect_lang(sys.argv))
    except ImapError as e:
        yield Skipped(locator, str(e), unreadable=True)
        return
    store = None
    try:
        from emoguard.sinks.store import Store

        store = Store.open(cfg.state_dir)
    except Exception:  # no state: read everything
        store = None
    try:
        if url.full:
            yield from _full(client, url, store)
        else:
            yield from read_mailbox(client, url, store=store, incremental=True)
    finally:
        _logout(client)
        if store is not None:
            store.close()


def _full(client: Any, url: ImapURL, store: Store | None) -> Iterator[Item]:
    """Read everything, then record the high-water mark so the next scan is incremental."""
    reads: list[FolderRead] = []
    yield from read_mailbox(client, url, reads=reads)
    if store is not None:
        for r in reads:
            if r.uidvalidity:
                set_state(store, url.mailbox, r.folder, r.uidvalidity, r.max_uid)


def register() -> None:
    from emoguard.sources import register_scheme

    for s in SCHEMES:
        register_scheme(s, open_imap)
