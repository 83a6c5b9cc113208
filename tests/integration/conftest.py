"""Real servers for integration tests: a private Postfix and the emoguard milter."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from postfix import Postfix, free_port, postfix_available, wait_port


def _need_postfix() -> None:
    if not postfix_available():
        if os.environ.get("CI"):
            pytest.fail("Postfix is not installed; scripts/test.sh installs it")
        pytest.skip("Postfix not installed (run scripts/test.sh)")


@dataclass
class MilterProc:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def address(self) -> str:
        return f"inet:127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL the milter and its workers (its own process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()


StartMilter = Callable[..., MilterProc]


@pytest.fixture()
def start_milter(tmp_path: Path) -> Iterator[StartMilter]:
    started: list[MilterProc] = []

    def start(config: str = "", *, port: int | None = None, prelude: str = "", jobs: int = 2) -> MilterProc:
        port = port or free_port()
        cfg = tmp_path / f"milter-{port}.toml"
        cfg.write_text(config, encoding="utf-8")
        log = tmp_path / f"milter-{port}.log"
        code = (prelude + "\nfrom emoguard.cli import main\nimport sys\n"
                f"main(['milter', '--listen', 'inet:127.0.0.1:{port}', '--config', {str(cfg)!r}, "
                f"'--state-dir', {str(tmp_path / 'state')!r}, '--jobs', '{jobs}'])\n")
        env = {k: v for k, v in os.environ.items() if k != "EMOGUARD_CONFIG"}
        proc = subprocess.Popen([sys.executable, "-c", code], stderr=log.open("wb"), env=env, start_new_session=True)
        wait_port(port)
        m = MilterProc(port, proc, log)
        started.append(m)
        return m

    yield start
    for m in started:
        m.stop()


@pytest.fixture()
def make_postfix(tmp_path: Path) -> Iterator[Callable[..., Postfix]]:
    _need_postfix()
    started: list[Postfix] = []

    # pytest's tmp_path is 0700 below /tmp/pytest-of-root: the postfix user could not enter it
    base = Path(tempfile.mkdtemp(prefix="emoguard-postfix-"))
    base.chmod(0o755)

    def make(milter: str, default_action: str = "accept") -> Postfix:
        pf = Postfix(base / f"postfix{len(started)}", milter=milter, default_action=default_action)
        pf.start()
        started.append(pf)
        return pf

    yield make
    for pf in started:
        pf.stop()
    shutil.rmtree(base, ignore_errors=True)


__all__ = ["MilterProc", "Postfix", "free_port", "wait_port"]
