"""Benchmark: the generated Emotet-style set and the real ham through SpamAssassin and rspamd.

    python -m bench.peers_eval [--set DIR] [--corpora ../shared/corpora] [--out DIR]

1. writes the generated set (``emoguard.testing.corpus_set``, seed 1) unless ``--set`` names one;
2. lists its malicious and benign files plus the real ham sets in one file list;
3. starts the peers with ``../shared/peerbench/start.sh`` *only if they are not running*,
   runs ``bench.py --files-from LIST --csv ...`` (default thresholds: SpamAssassin
   ``required_score 5.0``; rspamd action reject / add header / rewrite subject, score >= 6),
   and stops them again with ``stop.sh`` only when this script started them;
4. prints a Markdown table of flagged fractions per set and peer, next to emoguard's
   (suspicious or worse / malicious, without a directory).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from bench._common import ROOT

PEERBENCH = ROOT.parent / "shared" / "peerbench"
HAM_SETS = {
    "easy_ham": "spamassassin_public/easy_ham",
    "easy_ham_2": "spamassassin_public/easy_ham_2",
    "ja ham (ja_*, joruri)": ("ja_*", "joruri_mail_fixtures_ja"),
    "nvdimm ham_japanese_charset": "linux_nvdimm_list_archive/ham_japanese_charset",
    "nvdimm ham_patch_traffic_sample": "linux_nvdimm_list_archive/ham_patch_traffic_sample",
    "notmuch": "notmuch_test_corpora",
    "nvdimm japanese_spam_phishing (info)": "linux_nvdimm_list_archive/japanese_spam_phishing",
}


def ham_files(corpora: Path) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for label, rel in HAM_SETS.items():
        globs = rel if isinstance(rel, tuple) else (rel,)
        files: list[Path] = []
        for g in globs:
            for d in sorted(corpora.glob(g)):
                files += sorted(d.rglob("*.eml"))
        out[label] = files
    return out


def peers_running() -> bool:
    r = subprocess.run(["ss", "-Hltn", "sport = :11333 or sport = :783"], capture_output=True, text=True)
    return bool(r.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", type=Path, help="an existing generated set (default: generate seed 1)")
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--out", type=Path, default=None, help="where the list and CSV go (default: a temp dir)")
    ap.add_argument("--no-ham", action="store_true", help="only the generated set")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="peers-eval-"))
    out.mkdir(parents=True, exist_ok=True)
    gen = args.set
    if gen is None:
        from emoguard.testing.corpus_set import write_set

        gen = out / "set"
        write_set(gen, args.corpora, seed=1)
    sets: dict[str, list[Path]] = {
        "generated malicious": sorted((gen / "malicious").glob("*.eml")),
        "generated benign": sorted((gen / "benign").glob("*.eml")),
    }
    if not args.no_ham:
        sets.update(ham_files(args.corpora))
    label_of = {str(p.resolve()): label for label, files in sets.items() for p in files}
    lst = out / "files.txt"
    lst.write_text("".join(f"{p}\n" for p in label_of), "utf-8")
    print(f"{len(label_of)} files -> {lst}", file=sys.stderr)

    started = False
    if not peers_running():
        r = subprocess.run([str(PEERBENCH / "start.sh")], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"peers could not be started:\n{r.stdout}{r.stderr}")
        started = True
    csv_path = out / "peers.csv"
    try:
        r = subprocess.run([sys.executable, str(PEERBENCH / "bench.py"), "--files-from", str(lst), "--runs", "1",
                            "-c", "2", "--warmup", "0", "--wait-idle", "0", "--csv", str(csv_path)],
                           capture_output=True, text=True)
        (out / "bench.log").write_text(r.stdout + r.stderr, "utf-8")
    finally:
        if started:
            subprocess.run([str(PEERBENCH / "stop.sh")], capture_output=True, text=True)
    flagged: dict[tuple[str, str], int] = defaultdict(int)
    seen: dict[tuple[str, str], int] = defaultdict(int)
    errors = 0
    with csv_path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            label = label_of.get(str(Path(row["file"]).resolve()))
            if label is None or row["peer"] not in ("spamassassin", "rspamd"):
                continue
            if row.get("error"):
                errors += 1
                continue
            seen[(label, row["peer"])] += 1
            flagged[(label, row["peer"])] += row["is_spam"].lower() in ("1", "true", "yes")

    from emoguard import Engine
    from emoguard.evaluate import evaluate

    engine = Engine.load(search_defaults=False)
    ours: dict[str, dict[str, float]] = {}
    for label, files in sets.items():
        doc = evaluate(engine, benign=[str(p) for p in files], jobs=2)["benign"]
        ours[label] = {"n": doc["n"], "susp": doc["fp_suspicious"], "mal": doc["fp_malicious"]}
    print("| set | n | SpamAssassin spam (≥5.0) | rspamd spam (≥6, add header/reject) | "
          "emoguard suspicious+ | emoguard malicious |")
    print("|---|---:|---:|---:|---:|---:|")
    for label in sets:
        sa = seen[(label, "spamassassin")]
        rs = seen[(label, "rspamd")]
        o = ours[label]
        sa_s = f"{flagged[(label, 'spamassassin')] / sa:.1%}" if sa else "n/a"
        rs_s = f"{flagged[(label, 'rspamd')] / rs:.1%}" if rs else "n/a"
        print(f"| {label} | {int(o['n'])} | {sa_s} | {rs_s} | {o['susp']:.1%} | {o['mal']:.1%} |")
    print(f"\npeer errors: {errors}; CSV: {csv_path}", file=sys.stderr)
    (out / "summary.json").write_text(json.dumps({"ours": ours, "flagged": {f"{k[0]}|{k[1]}": v for k, v in
                                                  flagged.items()}, "seen": {f"{k[0]}|{k[1]}": v for k, v in
                                                  seen.items()}}, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
