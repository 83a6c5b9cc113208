"""Run one fuzz target with atheris, seeded from ../shared/corpora.

    python -m fuzz.run TARGET [--seconds N] [--workdir DIR]

TARGET is one of parse, mbox, explode, engine. The seed corpus is built in WORKDIR from a
sample of the shared corpora (never copied into the repository); new inputs that
atheris finds stay in WORKDIR. A crash is written to fuzz/crashes/ as
``<target>-<sha1>.bin``; turn each into a named regression test in
tests/test_fuzz_regressions.py. libFuzzer prints the final statistics (executions,
new units, slowest unit, peak RSS) at the end; docs/fuzzing.md records each run.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: Seed folders for the attachment target: benign Office, archive and sandbox test files.
ATTACHMENT_SEEDS = ("oletools_test_data", "msoffcrypto_tool_tests", "sflock_safe_test_files", "vbastomp_macro_docs")


def seed_corpus(workdir: Path, target: str, n: int = 400) -> Path:
    seeds = workdir / "seeds"
    if seeds.is_dir() and any(seeds.iterdir()):
        return seeds
    seeds.mkdir(parents=True, exist_ok=True)
    corp = ROOT.parent / "shared" / "corpora"
    if target == "explode":
        files = [p for d in ATTACHMENT_SEEDS for p in (corp / d).rglob("*")
                 if p.is_file() and p.stat().st_size < 200_000]
    else:
        files = [p for p in corp.rglob("*") if p.is_file() and p.stat().st_size < 200_000
                 and p.suffix.lower() in {".eml", ".msg", ""}]
    random.Random(1).shuffle(files)
    for p in files[:n]:
        data = p.read_bytes()
        (seeds / hashlib.sha1(data).hexdigest()).write_bytes(data)
    return seeds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target", choices=["parse", "mbox", "explode", "engine"])
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/emoguard-fuzz"))
    args = ap.parse_args()
    import atheris

    with atheris.instrument_imports():
        import emoguard.attachments
        import emoguard.engine
        import emoguard.parse
        import emoguard.sources.files  # noqa: F401
        from fuzz.targets import TARGETS
    target = TARGETS[args.target]
    workdir = args.workdir / args.target
    seeds = seed_corpus(workdir, args.target)
    crashes = ROOT / "fuzz" / "crashes"
    crashes.mkdir(exist_ok=True)
    count = 0

    def one(data: bytes) -> None:
        nonlocal count
        count += 1
        try:
            target(data)
        except Exception:
            name = crashes / f"{args.target}-{hashlib.sha1(data).hexdigest()}.bin"
            name.write_bytes(data)
            raise

    atheris.Setup(
        [sys.argv[0], str(workdir / "found"), str(seeds), f"-max_total_time={args.seconds}", "-rss_limit_mb=2048",
         "-timeout=30", "-max_len=262144", "-print_final_stats=1", f"-artifact_prefix={crashes}/"],
        one,
    )
    (workdir / "found").mkdir(parents=True, exist_ok=True)
    atheris.Fuzz()  # exits the process when -max_total_time is reached


if __name__ == "__main__":
    main()
