"""Layered, immutable configuration (habit 9).

Every key is declared once below with its type, default and help. Layers,
lowest first: shipped defaults < ``/etc/emoguard/emoguard.toml`` < the user's
``config.toml`` (platformdirs) < ``$EMOGUARD_CONFIG`` or ``--config FILE`` <
command-line options. ``emoguard config show`` prints the effective result and
where each value came from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs


class ConfigError(ValueError):
    """Every problem found in the config files, one per line."""


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    type: type | str  # a Python type, or "table:float" / "table:list" for free-form tables
    default: Any
    help_en: str
    help_ja: str


KEYS: tuple[Key, ...] = (
    Key("levels.suspicious", float, 4.0, "score at which a mail is suspicious",
        "この点数以上で「要注意」"),
    Key("levels.malicious", float, 8.0, "score at which a mail is malicious",
        "この点数以上で「危険」"),
    Key("groups", "table:float",
        {"identity": 12.0, "thread": 6.0, "subject": 4.0, "body": 4.0, "url": 8.0,
         "attachment": 14.0, "header": 6.0},
        "per-group caps: a group's hits add up to at most this much",
        "グループごとの上限点数(同じ種類の兆候は合計してもこの点数まで)"),
    Key("rules.dirs", list, [], "extra rule directories (same layout as the built-in rules)",
        "追加のルールディレクトリ"),
    Key("rules.disabled", list, [], "rule ids to switch off", "無効にするルール ID"),
    Key("rules.scores", "table:float", {}, "score overrides by rule id", "ルールごとの点数の上書き"),
    Key("lists", "table:list", {}, "items added to the word lists (by list name)",
        "単語リストへの追加(リスト名ごと)"),
    Key("organisation.domains", list, [], "the organisation's own mail domains",
        "自組織のメールドメイン"),
    Key("policy.unreadable_level", str, "suspicious",
        "level given to a message that cannot be read at all (clean|suspicious|malicious)",
        "まったく読めないメールに付けるレベル"),
    Key("scan.jobs", int, 0, "worker processes for scan (0 = one per core)",
        "scan のワーカープロセス数(0 = コア数)"),
    Key("scan.history", bool, True, "record scan verdicts in the history store",
        "scan の判定を履歴に記録する"),
    Key("limits.max_depth", int, 10, "deepest MIME / attachment nesting examined",
        "調べる MIME・添付の入れ子の深さの上限"),
    Key("limits.max_parts", int, 1000, "most MIME parts examined per message",
        "1 通あたりに調べる MIME パート数の上限"),
    Key("limits.max_message_bytes", int, 200 * 1024 * 1024,
        "larger messages are recorded as unreadable instead of parsed",
        "これより大きいメールは解析せず「読めない」と記録"),
    Key("state_dir", str, "", "where the SQLite store lives ('' = the user's data directory)",
        "SQLite ストアの場所(空 = ユーザーのデータディレクトリ)"),
)  # fmt: skip
KEYS_BY_NAME = {k.name: k for k in KEYS}
LEVEL_NAMES = ("clean", "suspicious", "malicious")


@dataclass(frozen=True, slots=True)
class Config:
    values: Mapping[str, Any]
    origins: Mapping[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def with_overrides(self, overrides: Mapping[str, Any], origin: str = "command line") -> Config:
        vals = dict(self.values)
        origins = dict(self.origins)
        for k, v in overrides.items():
            if v is None:
                continue
            _check(k, v, origin)
            if isinstance(v, dict) and isinstance(vals.get(k), dict):
                v = {**vals[k], **v}
            vals[k] = v
            origins[k] = origin
        return Config(vals, origins, self.files)

    @property
    def state_dir(self) -> Path:
        d = self.values["state_dir"]
        return Path(d).expanduser() if d else Path(platformdirs.user_data_dir("emoguard"))

    def to_toml_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in KEYS:
            node = out
            *head, last = k.name.split(".")
            for h in head:
                node = node.setdefault(h, {})
            node[last] = self.values[k.name]
        return out


def default_files() -> list[Path]:
    return [
        Path("/etc/emoguard/emoguard.toml"),
        Path(platformdirs.user_config_dir("emoguard")) / "config.toml",
    ]


def _flatten(doc: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for k, v in doc.items():
        name = f"{prefix}{k}"
        if name in KEYS_BY_NAME or not isinstance(v, dict):
            flat[name] = v
        else:
            flat.update(_flatten(v, name + "."))
    return flat


def _check(name: str, value: Any, origin: str) -> None:
    import difflib

    key = KEYS_BY_NAME.get(name)
    if key is None:
        close = difflib.get_close_matches(name, list(KEYS_BY_NAME), n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        raise ConfigError(f"{origin}: unknown key '{name}'{hint}")
    t = key.type
    ok: bool
    if t == "table:float":
        ok = isinstance(value, dict) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
        )
    elif t == "table:list":
        ok = isinstance(value, dict) and all(isinstance(v, list) for v in value.values())
    elif t is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif t is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, t)  # type: ignore[arg-type]
    if not ok:
        tname = t if isinstance(t, str) else t.__name__
        raise ConfigError(f"{origin}: '{name}' must be {tname}, got {value!r}")
    if name == "policy.unreadable_level" and value not in LEVEL_NAMES:
        raise ConfigError(f"{origin}: '{name}' must be one of {', '.join(LEVEL_NAMES)}")


def load_config(path: str | Path | None = None, *, search_defaults: bool = True) -> Config:
    """The effective config. ``path`` (or ``$EMOGUARD_CONFIG``) is read last and must exist."""
    vals = {k.name: k.default for k in KEYS}
    origins = {k.name: "default" for k in KEYS}
    files: list[Path] = default_files() if search_defaults else []
    explicit = path or os.environ.get("EMOGUARD_CONFIG")
    if explicit:
        p = Path(explicit).expanduser()
        if not p.is_file():
            raise ConfigError(f"{p}: config file not found")
        files.append(p)
    problems: list[str] = []
    used: list[str] = []
    for f in files:
        if not f.is_file():
            continue
        try:
            with f.open("rb") as fh:
                doc = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as e:
            problems.append(f"{f}: {e}")
            continue
        used.append(str(f))
        for name, value in _flatten(doc).items():
            try:
                _check(name, value, str(f))
            except ConfigError as e:
                problems.append(str(e))
                continue
            if isinstance(value, dict) and isinstance(vals.get(name), dict):
                value = {**vals[name], **value}
            vals[name] = value
            origins[name] = str(f)
    if problems:
        raise ConfigError("\n".join(problems))
    if vals["levels.malicious"] < vals["levels.suspicious"]:
        raise ConfigError("levels.malicious must not be below levels.suspicious")
    return Config(vals, origins, tuple(used))
