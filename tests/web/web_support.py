"""Helpers shared by the web tests (imported with tests/web on sys.path)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from emoguard.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
TOKEN = "test-token-0123456789abcdefghij"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def config(state_dir: Path, **overrides: Any) -> Config:
    return load_config(search_defaults=False).with_overrides({"state_dir": str(state_dir), **overrides})


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def login(c: TestClient) -> str:
    """Log the client in through the form; the CSRF token of the page it lands on."""
    r = c.get("/login")
    r = c.post("/login", data={"token": TOKEN, "csrf": csrf_of(r.text), "next": "/"}, follow_redirects=True)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


# -- a Maildir with quarantined Emotet-style mail -------------------------------------------------


def make_quarantine(root: Path, state_dir: Path, n: int = 2) -> tuple[Path, dict[str, str]]:
    """A Maildir with ``n`` Emotet-style mails and one good one, swept into ``.Quarantine``
    with the journal in ``state_dir``. Returns (maildir, {original path: sha256})."""
    from emoguard.engine import Engine
    from emoguard.model import Context
    from emoguard.sinks.store import Store
    from emoguard.sweep import Sweep, parse_day
    from emoguard.testing import MailBuilder, emotet

    md = root / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True, exist_ok=True)
    originals: dict[str, str] = {}
    for i in range(n):
        p = md / "cur" / f"{i + 1}.host:2,S"
        p.write_bytes(emotet.thread_hijack_doc(seed=100 + i, date="Mon, 10 Jun 2024 09:00:00 +0900"))
        originals[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    good = (MailBuilder(seed=1).from_(("山田 太郎", "yamada@partner.co.jp")).to("tanaka@example.co.jp")
            .subject("打ち合わせの件").date("Mon, 10 Jun 2024 10:00:00 +0900").text("お世話になっております。\n").build())
    (md / "cur" / "9.host:2,S").write_bytes(good)
    cfg = config(state_dir)
    with Store.open(state_dir) as store:
        sw = Sweep(cfg, Engine.load(config=cfg), Context(), since=parse_day("2024-06-01"), store=store,
                   quarantine_folder="Quarantine", jobs=1)
        res = sw.run([str(md)])
        sw.close()
    assert len([q for q in res.quarantined if q.state == "quarantined"]) == n
    return md, originals
