"""Layered config: defaults < files < command line; every problem named."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoguard.config import KEYS, ConfigError, load_config


def test_defaults_declared_once_with_help() -> None:
    cfg = load_config(search_defaults=False)
    assert len({k.name for k in KEYS}) == len(KEYS)
    for k in KEYS:
        assert k.help_en and k.help_ja
        assert cfg.origins[k.name] == "default"


def test_file_then_overrides(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[levels]\nsuspicious = 3.5\n[groups]\nbody = 1.0\n[organisation]\ndomains = ["example.co.jp"]\n')
    cfg = load_config(f, search_defaults=False)
    assert cfg["levels.suspicious"] == 3.5
    assert cfg["groups"]["body"] == 1.0 and cfg["groups"]["identity"] == 12.0  # tables merge
    assert cfg.origins["levels.suspicious"] == str(f)
    cfg2 = cfg.with_overrides({"levels.suspicious": 5.0, "scan.jobs": None})
    assert cfg2["levels.suspicious"] == 5.0 and cfg2.origins["levels.suspicious"] == "command line"
    assert cfg2["scan.jobs"] == 0


def test_env_var_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "e.toml"
    f.write_text("[scan]\njobs = 3\n")
    monkeypatch.setenv("EMOGUARD_CONFIG", str(f))
    assert load_config(search_defaults=False)["scan.jobs"] == 3


def test_errors_are_collected(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text('[levels]\nsuspicous = 3\nmalicious = "high"\n[policy]\nunreadable_level = "meh"\n')
    with pytest.raises(ConfigError) as ei:
        load_config(f, search_defaults=False)
    msg = str(ei.value)
    assert "unknown key 'levels.suspicous' — did you mean 'levels.suspicious'?" in msg
    assert "'levels.malicious' must be float" in msg
    assert "'policy.unreadable_level' must be one of clean, suspicious, malicious" in msg


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml", search_defaults=False)
    f = tmp_path / "broken.toml"
    f.write_text("[levels\n")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        load_config(f, search_defaults=False)
