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
         "attachment": 14.0, "header": 6.0, "file": 16.0},
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
    Key("milter.listen", str, "inet:127.0.0.1:8899",
        "where the milter listens: inet:HOST:PORT or unix:PATH",
        "milter の待ち受け先 (inet:ホスト:ポート または unix:パス)"),
    Key("milter.actions", "table:str", {"clean": "accept", "suspicious": "tag", "malicious": "hold"},
        "action per level: accept | tag (header + subject tag) | hold (Postfix HOLD queue) | reject",
        "レベルごとの処置: accept | tag(ヘッダーと件名タグ)| hold(Postfix の保留キュー)| reject"),
    Key("milter.domains", "table:table", {},
        "per-recipient-domain overrides of milter.actions, "
        "e.g. [milter.domains.\"example.co.jp\"] malicious = \"reject\"",
        "受信者ドメインごとの処置の上書き"),
    Key("milter.subject_tags", "table:str", {"suspicious": "[要注意]", "malicious": "[危険]"},
        "subject prefixes used by the tag action, per level",
        "tag 処置で件名の先頭に付ける文字列(レベルごと)"),
    Key("milter.fail_action", str, "accept",
        "what to do when analysis fails or times out: accept (fail-open) | tempfail (fail-closed)",
        "解析の失敗・時間切れ時の処置: accept(通す)| tempfail(一時エラーで再送させる)"),
    Key("milter.timeout", float, 20.0, "seconds allowed for analysing one message",
        "1 通の解析に使える秒数"),
    Key("milter.jobs", int, 0, "analysis worker processes for the milter (0 = one per core)",
        "milter の解析ワーカープロセス数(0 = コア数)"),
    Key("milter.reject_text", str, "Message rejected as malicious by emoguard",
        "text of the 5xx reply when the action is reject", "reject 時の 5xx 応答の文言"),
    Key("limits.max_depth", int, 10, "deepest MIME / attachment nesting examined",
        "調べる MIME・添付の入れ子の深さの上限"),
    Key("limits.max_parts", int, 1000, "most MIME parts examined per message",
        "1 通あたりに調べる MIME パート数の上限"),
    Key("limits.max_message_bytes", int, 200 * 1024 * 1024,
        "larger messages are recorded as unreadable instead of parsed",
        "これより大きいメールは解析せず「読めない」と記録"),
    Key("state_dir", str, "", "where the SQLite store lives ('' = the user's data directory)",
        "SQLite ストアの場所(空 = ユーザーのデータディレクトリ)"),
    Key("attachments.max_depth", int, 8, "deepest archive/embedding nesting inspected inside an attachment",
        "添付ファイル内の書庫・埋め込みの入れ子を調べる深さの上限"),
    Key("attachments.max_members", int, 500, "files inspected per archive",
        "書庫 1 つあたりに調べるファイル数の上限"),
    Key("attachments.max_bytes", int, 256 * 1024 * 1024,
        "bytes produced by decompression/decryption per message",
        "1 通あたりの展開・復号で作るバイト数の上限"),
    Key("attachments.max_ratio", float, 200.0,
        "compression ratio above which a member (over 1 MB) is treated as a bomb and only its head is read",
        "これを超える圧縮率(1 MB 超のファイル)は zip 爆弾とみなし先頭だけ読む"),
    Key("attachments.oversize_bytes", int, 100 * 1024 * 1024,
        "an archive member declaring at least this size is reported as oversized (padded document)",
        "書庫内のファイルがこのサイズ以上を申告していたら「水増し」として報告"),
    Key("attachments.time_budget", float, 10.0, "seconds of attachment inspection per message",
        "1 通あたりの添付ファイル検査時間の上限(秒)"),
    Key("attachments.max_password_tries", int, 40, "password attempts per message",
        "1 通あたりのパスワード試行回数の上限"),
    Key("attachments.passwords", list, [],
        "passwords tried on encrypted attachments after those found in the mail",
        "メール内で見つかったものの後に試す、暗号化添付ファイルのパスワード"),
    Key("yara.enabled", bool, True, "run the YARA-X rules on every file inside attachments",
        "添付ファイル内のすべてのファイルに YARA-X ルールを適用する"),
    Key("yara.dirs", list, [], "directories of your own YARA rules (*.yar, *.yara), added to the shipped ones",
        "独自の YARA ルール(*.yar, *.yara)のディレクトリ(同梱ルールに追加)"),
    # mailboxes (emoguard.sources.imap, emoguard.quarantine; docs/mailboxes.md)
    Key("imap.password", str, "",
        "IMAP password used for every account (EMOGUARD_IMAP_PASSWORD wins; never on the command line)",
        "IMAP のパスワード(環境変数 EMOGUARD_IMAP_PASSWORD が優先。コマンドラインには書かない)"),
    Key("imap.passwords", "table:str", {},
        "IMAP passwords per account, keyed \"user@host\" (wins over EMOGUARD_IMAP_PASSWORD and imap.password)",
        "アカウントごとの IMAP パスワード(キーは \"ユーザー@ホスト\")"),
    Key("imap.auth", str, "password", "IMAP login: password | xoauth2 (Microsoft 365, Google)",
        "IMAP のログイン方式: password | xoauth2(Microsoft 365、Google)"),
    Key("imap.oauth2_token", str, "",
        "XOAUTH2 access token (EMOGUARD_IMAP_OAUTH2_TOKEN wins)",
        "XOAUTH2 のアクセストークン(環境変数 EMOGUARD_IMAP_OAUTH2_TOKEN が優先)"),
    Key("imap.starttls", bool, True, "use STARTTLS on imap:// when the server offers it",
        "imap:// でサーバーが対応していれば STARTTLS を使う"),
    Key("imap.tls_verify", bool, True, "verify the server's TLS certificate",
        "サーバーの TLS 証明書を検証する"),
    Key("imap.timeout", float, 60.0, "seconds before an IMAP operation gives up",
        "IMAP 操作のタイムアウト(秒)"),
    Key("quarantine.folder", str, "Quarantine", "default folder for sweep --quarantine",
        "sweep --quarantine の既定の隔離フォルダ"),
    # web page and REST API (emoguard.web; docs/web.md)
    Key("web.listen", str, "127.0.0.1:8080", "where `emoguard serve` listens: HOST:PORT",
        "emoguard serve の待ち受け先(ホスト:ポート)"),
    Key("web.max_upload_bytes", int, 25 * 1024 * 1024, "largest upload accepted by the web page and the API (bytes)",
        "Web ページと API が受け付けるアップロードの上限(バイト)"),
    Key("web.timeout", float, 30.0, "seconds allowed for analysing one uploaded message (then abandoned)",
        "アップロードされた 1 通の解析に使える秒数(超えたら打ち切り)"),
    Key("web.jobs", int, 0, "analysis worker processes for the web server (0 = one per core)",
        "Web サーバーの解析ワーカープロセス数(0 = コア数)"),
    Key("web.release_held_command", list, [],
        "command that releases a message the milter held, the Postfix queue ID appended "
        "(e.g. [\"sudo\", \"-n\", \"/usr/sbin/postsuper\", \"-H\"]); empty: release from the web is off",
        "milter が保留したメールを解放するコマンド(末尾にキュー ID を付けて実行。"
        "例 [\"sudo\", \"-n\", \"/usr/sbin/postsuper\", \"-H\"])。空なら Web からの解放は無効"),
)  # fmt: skip
KEYS_BY_NAME = {k.name: k for k in KEYS}
LEVEL_NAMES = ("clean", "suspicious", "malicious")


@dataclass(frozen=True, slots=True)
class Config:
    """The effective configuration: dotted key -> value, read with ``cfg["key"]``."""

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
    elif t == "table:str":
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    elif t == "table:table":
        ok = isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())
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
