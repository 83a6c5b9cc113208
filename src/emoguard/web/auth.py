"""Access to the web server: one bearer token, browser sessions, CSRF tokens.

**The token.** ``EMOGUARD_TOKEN`` in the environment presets it (automation; it is
never written anywhere). Otherwise the first start generates 32 random bytes
(``secrets.token_urlsafe``), prints the token once and keeps only its SHA-256 in
``<state_dir>/web-token.json`` (mode 0600). A fast hash is enough here because the
token is 256 random bits, not a password: nothing can be guessed from the hash, and
checking it costs microseconds on every API request. ``emoguard serve --new-token``
replaces a lost token. Every comparison is ``hmac.compare_digest`` of two digests.

**Browser sessions.** ``POST /login`` with the token sets ``eg_session``: an expiry
time and a random nonce, signed with HMAC-SHA256 under a key made at server start
(so a restart or a new token logs everybody out), sent ``HttpOnly; SameSite=Strict``
(and ``Secure`` over HTTPS). The API never accepts the cookie, only the bearer token.

**CSRF.** Every browser gets a random ``eg_csrf`` cookie (HttpOnly, SameSite=Strict);
each form carries HMAC(key, that cookie) in a hidden field, and a POST whose field
does not match is refused (403). A POST with an ``Origin`` header naming another site
is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

TOKEN_ENV = "EMOGUARD_TOKEN"  # noqa: S105 (a variable name, not a secret)
TOKEN_FILE = "web-token.json"  # noqa: S105
SESSION_COOKIE = "eg_session"
CSRF_COOKIE = "eg_csrf"
SESSION_MAX_AGE = 12 * 3600


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """Knows the token's digest only; :meth:`verify` is constant-time."""

    digest: bytes
    origin: str  # "env" | "file" | "new" | "test"

    @classmethod
    def for_token(cls, token: str, origin: str = "test") -> TokenCheck:
        return cls(_digest(token), origin)

    def verify(self, presented: str | None) -> bool:
        if not presented or len(presented) > 1024:
            return False
        return hmac.compare_digest(_digest(presented), self.digest)


def token_path(state_dir: Path) -> Path:
    return Path(state_dir) / TOKEN_FILE


def load_token(state_dir: Path, *, renew: bool = False, env: dict[str, str] | None = None) -> tuple[TokenCheck, str]:
    """The token check, and the new token in clear text when one was just made ('' otherwise).

    ``EMOGUARD_TOKEN`` wins over the file (and ``renew`` does not touch the file then).
    """
    environ = os.environ if env is None else env
    preset = environ.get(TOKEN_ENV, "")
    if preset:
        return TokenCheck.for_token(preset, "env"), ""
    path = token_path(state_dir)
    if not renew and path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("algorithm") != "sha256" or not isinstance(data.get("hash"), str):
            raise ValueError(f"{path}: unknown token format (delete it or use --new-token)")
        return TokenCheck(bytes.fromhex(data["hash"]), "file"), ""
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"algorithm": "sha256", "hash": _digest(token).hex(),
                   "created": datetime.now(UTC).isoformat(timespec="seconds")}, fh)
    tmp.replace(path)
    return TokenCheck(_digest(token), "new"), token


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class Sessions:
    """Signed session cookies and CSRF tokens under one per-process key."""

    def __init__(self, key: bytes | None = None, *, max_age: int = SESSION_MAX_AGE) -> None:
        self._key = key or secrets.token_bytes(32)
        self.max_age = max_age
        self._revoked: dict[str, float] = {}
        self._lock = threading.Lock()

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        expires = int(time.time()) + self.max_age
        body = f"{expires}.{secrets.token_hex(12)}"
        return f"{body}.{self._sign('session', body)}"

    def valid(self, cookie: str | None) -> bool:
        if not cookie or len(cookie) > 200 or cookie.count(".") != 2:
            return False
        body, _, sig = cookie.rpartition(".")
        if not hmac.compare_digest(self._sign("session", body), sig):
            return False
        expires, _, nonce = body.partition(".")
        if not expires.isdigit() or int(expires) < time.time():
            return False
        with self._lock:
            return nonce not in self._revoked

    def revoke(self, cookie: str | None) -> None:
        if not self.valid(cookie):
            return
        assert cookie is not None
        expires, nonce = cookie.split(".")[:2]
        now = time.time()
        with self._lock:
            self._revoked = {n: e for n, e in self._revoked.items() if e > now}
            self._revoked[nonce] = float(expires)

    @staticmethod
    def new_csrf_cookie() -> str:
        return secrets.token_urlsafe(24)

    def csrf_token(self, csrf_cookie: str) -> str:
        return self._sign("csrf", csrf_cookie)

    def csrf_ok(self, csrf_cookie: str | None, field: str | None) -> bool:
        if not csrf_cookie or not field or len(field) > 200:
            return False
        return hmac.compare_digest(self.csrf_token(csrf_cookie), field)
