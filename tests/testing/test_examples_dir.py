"""``examples/`` is exactly what ``python -m emoguard.testing.examples`` produces now."""

from __future__ import annotations

import email
import subprocess
import sys
from email import policy
from pathlib import Path

from emoguard.testing.examples import EXAMPLES, generate, write

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_committed_examples_match_the_generator(tmp_path: Path) -> None:
    out = tmp_path / "examples"
    proc = subprocess.run(
        [sys.executable, "-m", "emoguard.testing.examples", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    regenerated = _files(out)
    committed = _files(EXAMPLES_DIR)
    assert sorted(committed) == sorted(regenerated), (
        "examples/ differs from the generator; run: python -m emoguard.testing.examples examples/"
    )
    for name, data in regenerated.items():
        assert committed[name] == data, (
            f"examples/{name} is stale; run: python -m emoguard.testing.examples examples/"
        )


def test_generator_is_deterministic(tmp_path: Path) -> None:
    write(tmp_path)
    assert _files(tmp_path) == generate()


def test_every_example_parses_and_is_described() -> None:
    files = generate()
    assert [e.filename for e in EXAMPLES] == sorted(n for n in files if n.endswith(".eml"))
    readme = files["README.md"].decode("utf-8")
    for ex in EXAMPLES:
        assert ex.filename in readme and ex.ja and ex.en
        msg = email.message_from_bytes(files[ex.filename], policy=policy.default)
        assert msg["from"] is not None
        defects = {type(d).__name__ for d in msg.defects}
        if "malformed" in ex.filename:
            assert "NoBoundaryInMultipartDefect" in defects
        else:
            assert not defects


def test_every_example_scores_as_intended() -> None:
    from emoguard import Engine

    engine = Engine.load(search_defaults=False)
    files = generate()
    for ex in EXAMPLES:
        level = engine.analyze(files[ex.filename], source=ex.filename).level
        if ex.expected.startswith("≥"):
            assert level in ("suspicious", "malicious"), (ex.filename, level)
        else:
            assert level == ex.expected, (ex.filename, level)


def test_usage_error() -> None:
    from emoguard.testing.examples import main

    assert main([]) == 2
