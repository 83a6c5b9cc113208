"""The SQLite store: migrations run once, history round-trips records."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from emoguard.sinks.store import DB_NAME, Store


def test_history_round_trip(tmp_path: Path) -> None:
    recs = [{"source": f"m{i}.eml", "level": lvl, "score": float(i), "subject": "件名", "hits": []}
            for i, lvl in enumerate(["clean", "malicious", "suspicious"])]
    with Store.open(tmp_path) as st:
        assert st.add_history(recs) == 3
        got = list(st.history())
        assert [r["source"] for r in got] == ["m2.eml", "m1.eml", "m0.eml"]
        assert got[0]["subject"] == "件名" and got[0]["history"]["origin"] == "scan"
        assert [r["source"] for r in st.history(level="malicious")] == ["m1.eml"]
    with Store.open(tmp_path) as st:  # reopening does not migrate twice
        assert len(list(st.history())) == 3
    (version,) = sqlite3.connect(tmp_path / DB_NAME).execute("PRAGMA user_version").fetchone()
    assert version >= 1


def test_concurrent_first_open_migrates_once(tmp_path: Path) -> None:
    """Several processes opening a brand-new store at once (milter workers, a scan) all succeed."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from emoguard.sinks.store import Store\n"
            "with Store.open(Path(sys.argv[1])) as st: print(len(list(st.history())))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [e for _, e in outs]
    assert [o.strip() for o, _ in outs] == ["0"] * 8
