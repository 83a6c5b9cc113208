"""Short, bounded fuzzing of every fuzz target in the default run; a longer run behind ``slow``.

The targets are the ones atheris drives (``fuzz/targets.py``: parse, mbox, explode,
engine), so the contract checked here is the same: never raise, always a well-formed
result. Inputs are hypothesis-generated mixes of format fragments, plus seeded byte-level
mutations of real files from ../shared/corpora (read in place). Long coverage-guided runs
are ``python -m fuzz.run TARGET`` (docs/fuzzing.md).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from fuzz.run import ATTACHMENT_SEEDS  # noqa: E402
from fuzz.targets import TARGETS  # noqa: E402

# fragments of every format the extractors and the parser know
_FRAGMENTS = [
    b"From x@y Thu Jan  1 00:00:00 2026\n", b"From: a@b\r\n", b"Subject: =?iso-2022-jp?B?GyRCJUYbKEI=?=\r\n",
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n", b"--b--\r\n",
    b"Content-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    b"Content-Type: message/rfc822\r\n\r\n", b"UEsDBBQAAAAIAA==\r\n",
    b"PK\x03\x04\x14\x00\x01\x00\x08\x00", b"PK\x01\x02", b"PK\x05\x06" + b"\x00" * 18,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1\\object\\objdata 0105", b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07\x00", b"\x1f\x8b\x08\x00", b"L\x00\x00\x00\x01\x14\x02\x00",
    b"\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d\xae\xb1\x53\x78\xd0\x29\x96\xd3", b"CD001", b"MZ\x90\x00",
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aa'>]><x>&a;</x>", b"Attribute VB_Name",
    b"\x1b$B", b"\x1b(B", b"=\r\n", b"begin 644 a.doc\n", b"\x00" * 64,
]
_INPUT = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.binary(max_size=64)), max_size=30).map(b"".join)


def _check(target: str, examples: int) -> Callable[[], None]:
    fn = TARGETS[target]

    @settings(max_examples=examples, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(_INPUT)
    def run(data: bytes) -> None:
        fn(data)

    return run


def _mutants(files: list[Path], n: int, seed: int) -> list[bytes]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        data = bytearray(files[i % len(files)].read_bytes()[:200_000])
        for _ in range(rnd.randint(1, 12)):
            op = rnd.random()
            pos = rnd.randrange(len(data) + 1)
            if op < 0.4 and data:
                data[min(pos, len(data) - 1)] = rnd.randrange(256)
            elif op < 0.7:
                data[pos:pos + rnd.randint(1, 512)] = b""
            else:
                data[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 32)))
        out.append(bytes(data))
    return out


def _seed_files(corpora: Path, target: str) -> list[Path]:
    if target == "explode":
        dirs = [corpora / d for d in ATTACHMENT_SEEDS]
        files = [p for d in dirs for p in sorted(d.rglob("*")) if p.is_file()]
    else:
        files = sorted(p for p in (corpora / "apache_mime4j_testmsgs").rglob("*") if p.is_file())
        files += sorted(p for p in (corpora / "eml_analyzer_fixtures").rglob("*") if p.is_file())
    files = [p for p in files if p.stat().st_size < 2_000_000]
    random.Random(7).shuffle(files)
    return files


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_target_short(target: str) -> None:
    _check(target, 60 if target in ("explode", "engine") else 150)()


@pytest.mark.corpus
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_target_mutated_corpus_short(target: str, corpora: Path) -> None:
    for data in _mutants(_seed_files(corpora, target), 25, seed=1):
        TARGETS[target](data)


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_target_long(target: str) -> None:
    _check(target, 3000)()


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_target_mutated_corpus_long(target: str, corpora: Path) -> None:
    for data in _mutants(_seed_files(corpora, target), 1000, seed=2):
        TARGETS[target](data)
