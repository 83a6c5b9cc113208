"""A real nested-archive loop: a zip that contains itself (emoguard.testing.quine)."""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from collections.abc import Sequence

import pytest

from emoguard import Engine
from emoguard.attachments import iter_nodes
from emoguard.model import FileNode
from emoguard.testing import MailBuilder, zip_archive
from emoguard.testing.quine import zip_quine

ENGINE = Engine.load(search_defaults=False)


def _mail(data: bytes, name: str) -> bytes:
    return (MailBuilder().from_(("山田 太郎", "keiri@empresa-exemplo.com.ar")).to("tanaka@example.co.jp")
            .subject("RE: 請求書").text("ご確認ください。\n").attach(data, name).build())


@pytest.mark.parametrize("name", ["quine.zip", "r.zip", "a", "seikyusho_2020.zip", "x" * 31])
def test_the_member_is_the_archive(name: str) -> None:
    q = zip_quine(name)
    with zipfile.ZipFile(io.BytesIO(q)) as z:
        assert z.namelist() == [name]
        info = z.getinfo(name)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.file_size == len(q) and zlib.crc32(q) == info.CRC
        assert z.read(name) == q  # the stdlib checks the CRC too
        assert z.testzip() is None


def test_it_is_deterministic_and_small() -> None:
    assert zip_quine() == zip_quine()
    assert len(zip_quine()) < 500


def test_bad_member_names_are_refused() -> None:
    for bad in ("", "x" * 32, "請求書.zip"):
        with pytest.raises(ValueError):
            zip_quine(bad)


def _limits(roots: Sequence[FileNode]) -> list[str]:
    return [f for _, n in iter_nodes(roots) for c, f in zip(n.codes, n.findings, strict=False) if c.startswith("limit.")]


@pytest.mark.parametrize("wrap", [False, True], ids=["attached", "inside-a-zip"])
def test_mail_with_a_zip_quine_gets_a_verdict_with_the_loop(wrap: bool) -> None:
    data = zip_quine()
    if wrap:
        data = zip_archive({"資料.zip": data})
    budget = ENGINE.inspector.limits.time_budget
    t0 = time.monotonic()
    v = ENGINE.analyze(_mail(data, "資料.zip"))
    elapsed = time.monotonic() - t0
    assert elapsed < budget, f"{elapsed:.2f}s over the {budget}s per-message budget"
    assert not v.errors
    codes = {c for _, n in iter_nodes(v.attachments) for c in n.codes}
    assert "limit.loop" in codes
    assert any("contains itself" in f for f in _limits(v.attachments))
    hit = next(h for h in v.hits if h.rule == "file.limits_hit")
    assert any("quine.zip" in e and "nesting loop" in e for e in hit.evidence)
    # the loop is cut at the first repetition: a bounded tree, not 8 levels of copies
    assert sum(1 for _ in iter_nodes(v.attachments)) <= 3 + int(wrap)
