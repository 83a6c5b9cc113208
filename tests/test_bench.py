"""Smoke test of the one-command benchmark (`python -m bench --quick --no-peers`) on a tiny sample."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.corpus
def test_bench_quick_no_peers(corpora: Path, tmp_path: Path) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    before = doc.read_bytes() if doc.exists() else b""
    r = subprocess.run([sys.executable, "-m", "bench", "--quick", "--no-peers", "--limit", "3", "--only",
                        "mixed,attachments", "--corpora", str(corpora), "--out", str(tmp_path),
                        "--json", str(tmp_path / "figures.json")],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout
    assert "## Side by side" in out
    for tool in ("emoguard engine (in process, 1 core)", "emoguard scan --jobs 1"):
        assert f"| mixed | {tool} | 3 |" in out, out
        assert f"| attachments | {tool} | 3 |" in out, out
    assert "peak RSS < 300 MB per worker" in out
    assert (tmp_path / "figures.json").exists()
    assert (doc.read_bytes() if doc.exists() else b"") == before  # no --write: the doc is untouched
