"""EmoCheck-style host check: JPCERT/CC EmoCheck v1–v5 logic, plus generic persistence.

The checks are reimplemented from the documented logic of JPCERT/CC's EmoCheck
(``emocheck/modules/scan_v1.cpp`` … ``scan_v5.cpp``, BSD-3; summarised in
``../shared/emotet/INDICATORS.md`` section (f)); no code is copied. They run on an
*artifact bundle*: a JSON file the shipped PowerShell collector writes on the Windows PC
(``emoguard hostcheck --print-collector > collect.ps1``), so the analysis is the same
pure function everywhere, and a live check on Windows is "run the collector, then
analyse its output".

Checks (``Finding.check``):

- ``emocheck.v1`` — a running process named after two words of Emotet's keyword list,
  chosen by the C: volume serial number.
- ``emocheck.v2`` — a REG_BINARY value named by the volume serial (hex) under
  ``HKCU|HKLM\\Software\\(WOW6432Node\\)Microsoft\\Windows\\CurrentVersion\\Explorer``;
  its data XOR the serial (little-endian, repeating) is the program's file name.
- ``emocheck.v3`` — ``<stem>.exe`` in a folder named ``<stem>`` (a System32 file stem)
  under ``%LOCALAPPDATA%`` or ``SysWOW64``, at least 10,000 bytes and not a copy (same
  size) of the System32 file; with the ``HKCU\\…\\Run`` value that starts it, if any.
- ``emocheck.v4`` — a PE file ``[A-Za-z]{3,15}.[A-Za-z]{3}`` (not .exe/.dll) one folder
  ``[A-Za-z]{4,16}`` below ``%LOCALAPPDATA%`` (started by a ``HKCU\\…\\Run`` value) or
  ``SysWOW64`` (started by a service of the same name), whose folder name does not occur
  under AppData\\Roaming or Program Files, started by ``rundll32.exe <file>,<export>``.
- ``emocheck.v5`` — a PE file one level below ``%LOCALAPPDATA%`` or ``SysWOW64`` whose
  last-write time is 7 days (604799.7–604800.2 s) away from its folder's.
- ``persistence.loader`` — generic: a Run/RunOnce value, service, scheduled task or
  running process where ``regsvr32``/``rundll32`` loads a random-named file from
  AppData, ProgramData or Temp.

Then, as EmoCheck does, running processes are matched to each finding (PIDs).
Differences from EmoCheck, on purpose: path and pattern comparisons ignore case
(Windows paths do); the v1 keyword at a position inside the first word is taken as the
whole word and as EmoCheck's suffix, both checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

BUNDLE_SCHEMA = 1

# EmoCheck v1: the keyword list process names are built from.
V1_KEYWORDS = (
    "duck,mfidl,targets,ptr,khmer,purge,metrics,acc,inet,msra,symbol,driver,"
    "sidebar,restore,msg,volume,cards,shext,query,roam,etw,mexico,basic,url,"
    "createa,blb,pal,cors,send,devices,radio,bid,format,thrd,taskmgr,timeout,"
    "vmd,ctl,bta,shlp,avi,exce,dbt,pfx,rtp,edge,mult,clr,wmistr,ellipse,vol,"
    "cyan,ses,guid,wce,wmp,dvb,elem,channel,space,digital,pdeft,violet,thunk"
)
EXPLORER_KEYS = (
    "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer",
    "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer",
    "HKLM\\Software\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Explorer",
)
HKCU_RUN = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"
V4_DIR = re.compile(r"^[A-Za-z]{4,16}$")
V4_FILE = re.compile(r"^(?!.*\.(?:exe|dll)$)[A-Za-z]{3,15}\.[A-Za-z]{3}$", re.I)
V4_RUN_NAME = re.compile(r"^[A-Za-z]{7,16}$")
V4_CMD = (
    re.compile(r"rundll32\.exe.*,.*RunDLL", re.I),
    re.compile(r"rundll32\.exe.*,.*ShowDialogA", re.I),
    re.compile(r"rundll32\.exe.*,.*[A-Za-z]{4,15}", re.I),
)
WEEK_TICKS = 6048000  # 7 days in 100 ms units (FILETIME / 10**6)
V5_RANGE = (6047997, 6048002)
V3_MIN_SIZE = 10000
_LOADER = re.compile(r"(?:^|[\\/\s\"'])(regsvr32|rundll32)(?:\.exe)?[\"']?\s+(.*)$", re.I)
_WRITABLE = re.compile(r"\\(?:appdata\\(?:local|roaming|locallow)|programdata|temp|tmp)(?:\\|$)", re.I)
_VOWELS = set("aeiouy")


@dataclass(frozen=True)
class Finding:
    check: str
    title_en: str
    title_ja: str
    path: str = ""
    pids: tuple[int, ...] = ()
    registry: str = ""
    service: str = ""
    command_line: str = ""
    detail_en: str = ""
    detail_ja: str = ""
    severity: str = "high"  # high: an EmoCheck pattern; medium: generic persistence

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check, "severity": self.severity,
            "title": {"ja": self.title_ja, "en": self.title_en},
            "path": self.path, "pids": list(self.pids), "registry": self.registry,
            "service": self.service, "command_line": self.command_line,
            "detail": {"ja": self.detail_ja, "en": self.detail_en},
        }  # fmt: skip


@dataclass
class HostReport:
    host: str
    user: str
    collected_at: str
    source: str
    findings: list[Finding] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (en, ja)
    checks: tuple[str, ...] = ()

    @property
    def infected(self) -> bool:
        return any(f.severity == "high" for f in self.findings)

    @property
    def status(self) -> str:
        if self.infected:
            return "detected"
        return "suspicious" if self.findings else "not_detected"

    def next_steps(self, lang: str) -> list[str]:
        return list(NEXT_STEPS[self.status][lang])

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": 1, "tool": "emoguard hostcheck", "host": self.host, "user": self.user,
            "collected_at": self.collected_at, "checked_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": self.source, "status": self.status, "checks": list(self.checks),
            "findings": [f.to_dict() for f in self.findings],
            "notes": [{"en": en, "ja": ja} for en, ja in self.notes],
            "next_steps": {"ja": self.next_steps("ja"), "en": self.next_steps("en")},
        }  # fmt: skip


NEXT_STEPS: dict[str, dict[str, tuple[str, ...]]] = {
    "detected": {
        "ja": (
            (
                "この PC をただちにネットワークから切り離してください(LAN ケーブルを抜き、Wi-Fi を切る)。"
                "電源は切らずに担当者へ連絡してください。"
            ),
            "上に示したファイル・レジストリ値・サービスを記録してください(EmoCheck の報告と同じく、削除の対象です)。",
            "感染 PC が 1 台なら初期化(再インストール)を強くお勧めします。駆除ソフトだけでは残ることがあります。",
            (
                "この PC で使っていたパスワードを、別の安全な PC から変更してください: メールアカウント、"
                "ブラウザに保存したサイト、社内サーバー・共有フォルダ。"
            ),
            "取引先へ注意喚起し、Web サイトにお知らせを出してください(emoguard notice partners / public)。",
            "ほかの PC も同じように確認してください(emoguard hostcheck)。対応の一覧: emoguard incident",
        ),
        "en": (
            (
                "Disconnect this PC from the network now (unplug the cable, turn Wi-Fi off). Do not switch it off; "
                "call whoever handles the incident."
            ),
            (
                "Record the files, registry values and services listed above (EmoCheck reports the same as what to "
                "delete)."
            ),
            "If one PC is infected, reinstalling it is strongly recommended; cleaning tools may leave Emotet behind.",
            (
                "From another, clean PC change every password used on this one: mail accounts, sites saved in the "
                "browser, company servers and network shares."
            ),
            "Warn partners and publish a notice (emoguard notice partners / public).",
            "Check the other PCs the same way (emoguard hostcheck). The whole checklist: emoguard incident",
        ),
    },
    "suspicious": {
        "ja": (
            (
                "EmoCheck の型には一致しませんが、不審な自動起動(regsvr32/rundll32 "
                "がランダムな名前のファイルを読み込む)が見つかりました。"
            ),
            "念のためこの PC をネットワークから切り離し、上に示したファイルの中身と入手経路を確認してください。",
            "確認できるまでは、この PC でメールやブラウザにパスワードを入力しないでください。",
        ),
        "en": (
            (
                "No EmoCheck pattern matched, but a suspicious autostart was found (regsvr32/rundll32 loading a "
                "random-named file)."
            ),
            "To be safe, disconnect this PC and find out what the listed file is and where it came from.",
            "Until then, do not type passwords into mail or the browser on this PC.",
        ),
    },
    "not_detected": {
        "ja": (
            "Emotet の既知の痕跡は見つかりませんでした。",
            (
                "EmoCheck の検知ロジックは 2023 年 3 月が最後の更新です。これは「感染していない」証明ではなく、"
                "判断材料の一つです。最新のウイルス対策ソフトでフルスキャンも行ってください。"
            ),
            "不審なメールの添付ファイルを開いた・マクロを有効にした心当たりがある場合は、担当者に伝えてください。",
        ),
        "en": (
            "No known Emotet trace was found.",
            (
                "EmoCheck's detection logic was last updated in March 2023: this is one signal, not proof that the "
                "PC is clean. Also run a full scan with an up-to-date antivirus."
            ),
            (
                "If someone on this PC opened a suspicious attachment or enabled macros, tell whoever handles the "
                "incident."
            ),
        ),
    },
}


class BundleError(ValueError):
    """The artifact bundle cannot be used (not JSON, wrong schema)."""


# -- small helpers --------------------------------------------------------------------------


def _low(s: str) -> str:
    return s.replace("/", "\\").rstrip("\\").casefold()


def _base(path: str) -> str:
    return path.replace("/", "\\").rsplit("\\", 1)[-1]


def _parent(path: str) -> str:
    p = path.replace("/", "\\").rstrip("\\")
    return p.rsplit("\\", 1)[0] if "\\" in p else ""


def _serial(value: Any) -> int | None:
    """The volume serial from the bundle: an int, "1A2B3C4D", "1A2B-3C4D" or "0x1a2b3c4d"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value & 0xFFFFFFFF
    s = str(value).strip().replace("-", "")
    try:
        return int(s, 16) & 0xFFFFFFFF
    except ValueError:
        return None


def _word_at(pos: int) -> set[str]:
    """The keyword at ``pos`` of :data:`V1_KEYWORDS` (a comma selects the next word)."""
    kw = V1_KEYWORDS
    start = kw.rfind(",", 1, pos + 1)
    if start < 0:  # inside the first word: the whole word, and EmoCheck's reading (a suffix)
        out = {kw[: kw.find(",")], kw[pos: kw.find(",", pos)]}
        return {w for w in out if w}
    end = kw.find(",", start + 1)
    return {kw[start + 1: end if end >= 0 else len(kw)]}


def v1_process_names(serial: int) -> set[str]:
    """Process names (``<word><word>.exe``) EmoCheck v1 derives from a volume serial."""
    n = len(V1_KEYWORDS)
    first = _word_at(serial % n)
    q = serial // n
    second = _word_at((0xFFFFFFFF - q) % n)
    return {f"{a}{b}.exe" for a in first for b in second}


def v2_decode(data: bytes, serial: int) -> str:
    """The file name hidden in a v2 Explorer value: data XOR the serial, printable bytes kept."""
    key = serial.to_bytes(4, "little")
    return "".join(chr(b ^ key[i % 4]) for i, b in enumerate(data) if 0x20 < (b ^ key[i % 4]) < 0x7E)


def v2_encode(name: str, serial: int) -> bytes:
    """Inverse of :func:`v2_decode` (tests build bundles with it)."""
    key = serial.to_bytes(4, "little")
    raw = name.encode("ascii")
    return bytes(b ^ key[i % 4] for i, b in enumerate(raw))


def looks_random(stem: str) -> bool:
    """A file or folder stem that looks machine-made: letters only and few vowels, or a
    run of 5+ consonants ("hybdqlp", "Kmzcqgx"). Ordinary program names have vowels."""
    s = stem.casefold()
    if not re.fullmatch(r"[a-z]{4,16}", s):
        return False
    vowels = sum(c in _VOWELS for c in s)
    return vowels / len(s) < 0.2 or re.search(r"[^aeiouy]{5,}", s) is not None


# -- the bundle ---------------------------------------------------------------------------


@dataclass
class Bundle:
    raw: dict[str, Any]

    @property
    def host(self) -> str:
        return str(self.raw.get("host") or "?")

    @property
    def user(self) -> str:
        return str(self.raw.get("user") or "")

    @property
    def collected_at(self) -> str:
        return str(self.raw.get("collected_at") or "")

    def path(self, key: str) -> str:
        paths = self.raw.get("paths") or {}
        return str(paths.get(key) or "") if isinstance(paths, Mapping) else ""

    def _list(self, key: str) -> list[dict[str, Any]]:
        v = self.raw.get(key) or []
        return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []

    @property
    def processes(self) -> list[dict[str, Any]]:
        return self._list("processes")

    @property
    def registry(self) -> list[dict[str, Any]]:
        return self._list("registry")

    @property
    def services(self) -> list[dict[str, Any]]:
        return self._list("services")

    @property
    def tasks(self) -> list[dict[str, Any]]:
        return self._list("tasks")

    @property
    def dirs(self) -> list[dict[str, Any]]:
        return self._list("dirs")

    @property
    def files(self) -> list[dict[str, Any]]:
        return self._list("files")

    def values(self, key: str) -> list[dict[str, Any]]:
        k = _low(key)
        return [r for r in self.registry if _low(str(r.get("key", ""))) == k]

    @property
    def system32_files(self) -> dict[str, int]:
        v = self.raw.get("system32_files") or {}
        return {str(k).casefold(): int(s) for k, s in v.items() if isinstance(s, int)} if isinstance(v, Mapping) else {}

    @property
    def allowlist_dirs(self) -> set[str]:
        v = self.raw.get("allowlist_dirs") or []
        return {str(x).casefold() for x in v} if isinstance(v, list) else set()


def load_bundle(text: str | bytes) -> Bundle:
    try:
        raw = json.loads(text.decode("utf-8-sig") if isinstance(text, bytes) else text.lstrip("\ufeff"))
    except (ValueError, UnicodeDecodeError) as e:
        raise BundleError(f"not a JSON artifact bundle: {e}") from None
    if not isinstance(raw, dict):
        raise BundleError("not an artifact bundle: the JSON is not an object")
    if raw.get("schema") != BUNDLE_SCHEMA:
        raise BundleError(f"unsupported bundle schema {raw.get('schema')!r} (expected {BUNDLE_SCHEMA})")
    return Bundle(raw)


# -- the checks ---------------------------------------------------------------------------


def _children(bundle: Bundle, root: str) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Folders directly under ``root`` and, per folder (lower-cased path), its files."""
    r = _low(root)
    if not r:
        return [], {}
    dirs = [d for d in bundle.dirs if _low(_parent(str(d.get("path", "")))) == r]
    wanted = {_low(str(d.get("path", ""))) for d in dirs}
    files: dict[str, list[dict[str, Any]]] = {}
    for f in bundle.files:
        par = _low(_parent(str(f.get("path", ""))))
        if par in wanted:
            files.setdefault(par, []).append(f)
    return dirs, files


def _roots(bundle: Bundle) -> list[tuple[str, bool]]:
    """(%LOCALAPPDATA%, user) and the 32-bit system folder (admin) of the bundle."""
    out = []
    if bundle.path("LOCALAPPDATA"):
        out.append((bundle.path("LOCALAPPDATA"), False))
    sys86 = bundle.path("SysWOW64") or bundle.path("System32")
    if sys86:
        out.append((sys86, True))
    return out


def check_v1(bundle: Bundle, serial: int | None) -> list[Finding]:
    if serial is None:
        return []
    names = v1_process_names(serial)
    out = []
    for p in bundle.processes:
        name = str(p.get("name", ""))
        if name.casefold() in names:
            out.append(Finding(
                "emocheck.v1", "Emotet process (EmoCheck v1 pattern)", "Emotet のプロセス(EmoCheck v1 の型)",
                path=str(p.get("path") or name), pids=(_filetime(p.get("pid")) or 0,),
                command_line=str(p.get("command_line") or ""),
                detail_en=f"process name {name} is derived from the C: volume serial {serial:08X}",
                detail_ja=f"プロセス名 {name} は C: ドライブのボリュームシリアル {serial:08X} から導かれる名前です",
            ))
    return out


def check_v2(bundle: Bundle, serial: int | None) -> list[Finding]:
    if serial is None:
        return []
    vname = format(serial, "x")
    out = []
    for key in EXPLORER_KEYS:
        for r in bundle.values(key):
            if str(r.get("name", "")).casefold() != vname:
                continue
            try:
                data = bytes.fromhex(str(r.get("data_hex", "")).replace(" ", ""))
            except ValueError:
                continue
            fname = v2_decode(data, serial)
            if not fname:
                continue
            out.append(Finding(
                "emocheck.v2", "Emotet registry value (EmoCheck v2 pattern)", "Emotet のレジストリ値(EmoCheck v2 の型)",
                path=fname, registry=f"{key}\\{vname}",
                detail_en=f"value {vname} (the volume serial) decodes to the program name {fname}",
                detail_ja=f"値 {vname}(ボリュームシリアル)を復号するとプログラム名 {fname} になります",
            ))
    return out


def check_v3(bundle: Bundle) -> tuple[list[Finding], list[tuple[str, str]]]:
    sysfiles = bundle.system32_files
    stems = {name.rsplit(".", 1)[0] for name in sysfiles if name.endswith((".exe", ".dll"))}
    run = {str(r.get("name", "")).casefold(): str(r.get("data", "")) for r in bundle.values(HKCU_RUN)}
    out: list[Finding] = []
    notes: list[tuple[str, str]] = []
    if not stems:
        return out, notes
    for root, _admin in _roots(bundle):
        dirs, files = _children(bundle, root)
        for d in dirs:
            dname = _base(str(d.get("path", "")))
            if dname.casefold() not in stems:
                continue
            for f in files.get(_low(str(d.get("path", ""))), []):
                fname = _base(str(f.get("path", "")))
                stem, _, ext = fname.rpartition(".")
                if ext.casefold() != "exe" or stem.casefold() not in stems:
                    continue
                size = _filetime(f.get("size")) or 0
                same = sysfiles.get(fname.casefold())
                if size < V3_MIN_SIZE or (same is not None and same == size):
                    notes.append((f"{f.get('path')}: named like a System32 file but too small or a copy (not reported)",
                                  f"{f.get('path')}: System32 と同名ですが小さいか同一サイズのため報告しません"))
                    continue
                runval = run.get(stem.casefold(), "")
                reg = f"{HKCU_RUN}\\{stem}" if runval and _low(runval.strip('"')) == _low(str(f.get("path"))) else ""
                out.append(Finding(
                    "emocheck.v3", "Emotet program (EmoCheck v3 pattern)", "Emotet のプログラム(EmoCheck v3 の型)",
                    path=str(f.get("path")), registry=reg,
                    detail_en=f"{fname} in a folder named {dname}, both System32 names, {size} bytes"
                              + (", started at logon by the Run key" if reg else ""),
                    detail_ja=f"System32 と同じ名前のフォルダ {dname} に {fname}({size} バイト)"
                              + ("。Run キーでログオン時に起動" if reg else ""),
                ))
    return out, notes


def _v4_cmd_matches(cmd: str, fname: str) -> bool:
    return fname.casefold() in cmd.casefold() and any(p.search(cmd) for p in V4_CMD)


def check_v4(bundle: Bundle) -> list[Finding]:
    allow = bundle.allowlist_dirs
    run = bundle.values(HKCU_RUN)
    out: list[Finding] = []
    for root, admin in _roots(bundle):
        dirs, files = _children(bundle, root)
        for d in dirs:
            dname = _base(str(d.get("path", "")))
            if not V4_DIR.match(dname) or dname.casefold() in allow:
                continue
            for f in files.get(_low(str(d.get("path", ""))), []):
                fname = _base(str(f.get("path", "")))
                if not V4_FILE.match(fname) or not f.get("pe"):
                    continue
                if not admin:
                    for r in run:
                        rname, data = str(r.get("name", "")), str(r.get("data", ""))
                        named = rname.casefold() == fname.casefold() or V4_RUN_NAME.match(rname)
                        if named and _v4_cmd_matches(data, fname):
                            out.append(Finding(
                                "emocheck.v4", "Emotet DLL (EmoCheck v4 pattern)", "Emotet の DLL(EmoCheck v4 の型)",
                                path=str(f.get("path")), registry=f"{HKCU_RUN}\\{rname}", command_line=data,
                                detail_en=f"random-named PE file {fname} in {dname}, started at logon by rundll32",
                                detail_ja=f"フォルダ {dname} のランダムな名前の PE ファイル {fname}。"
                                          "ログオン時に rundll32 で起動",
                            ))
                            break
                else:
                    for s in bundle.services:
                        sname, binpath = str(s.get("name", "")), str(s.get("binary_path", ""))
                        if sname.casefold() == fname.casefold() and _v4_cmd_matches(binpath, fname):
                            out.append(Finding(
                                "emocheck.v4", "Emotet DLL as a service (EmoCheck v4 pattern)",
                                "サービスとして動く Emotet の DLL(EmoCheck v4 の型)",
                                path=str(f.get("path")), service=sname, command_line=binpath,
                                detail_en=f"service {sname} runs rundll32 on {fname} "
                                          "(installed with administrator rights)",
                                detail_ja=f"サービス {sname} が rundll32 で {fname} を実行(管理者権限で導入)",
                            ))
    return out


def _filetime(v: Any) -> int | None:
    """An integer field of the bundle (FILETIME, size, PID); None when it is not one."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return v
    try:
        return int(str(v))
    except ValueError:
        return None


def check_v5(bundle: Bundle) -> list[Finding]:
    out: list[Finding] = []
    for root, _admin in _roots(bundle):
        dirs, files = _children(bundle, root)
        for d in dirs:
            dft = _filetime(d.get("mtime_ft"))
            if dft is None:
                continue
            for f in files.get(_low(str(d.get("path", ""))), []):
                fft = _filetime(f.get("mtime_ft"))
                if fft is None or not f.get("pe"):
                    continue
                diff = abs(fft - dft) // 1_000_000
                if V5_RANGE[0] <= diff <= V5_RANGE[1]:
                    out.append(Finding(
                        "emocheck.v5", "Emotet program (EmoCheck v5 pattern: 7-day timestamp)",
                        "Emotet のプログラム(EmoCheck v5 の型: 7 日ずれた時刻)",
                        path=str(f.get("path")),
                        detail_en=f"last-write time is exactly 7 days ({diff / 10:.1f} s) away from its folder's",
                        detail_ja=f"最終更新時刻がフォルダの時刻からちょうど 7 日({diff / 10:.1f} 秒)ずれています",
                    ))
    return out


def _loader_target(cmd: str) -> tuple[str, str] | None:
    """(loader, file path) when ``cmd`` is regsvr32/rundll32 loading a file from a writable folder."""
    m = _LOADER.search(cmd)
    if not m:
        return None
    args = m.group(2)
    for tok in re.findall(r'"([^"]+)"|(\S+)', args):
        arg = (tok[0] or tok[1]).split(",", 1)[0]
        if arg.startswith("/") or arg.startswith("-"):
            continue
        if "\\" in arg and _WRITABLE.search(arg):
            return m.group(1).lower(), arg
        break
    return None


def check_persistence(bundle: Bundle, already: set[str]) -> list[Finding]:
    """regsvr32/rundll32 loading a random-named file from AppData/ProgramData/Temp."""
    allow = bundle.allowlist_dirs
    places: list[tuple[str, str, str, str]] = []  # (command, registry, service, what)
    for r in bundle.registry:
        key = str(r.get("key", ""))
        if re.search(r"\\Run(?:Once)?$", key, re.I):
            places.append((str(r.get("data", "")), f"{key}\\{r.get('name', '')}", "", "autostart"))
    for s in bundle.services:
        places.append((str(s.get("binary_path", "")), "", str(s.get("name", "")), "service"))
    for t in bundle.tasks:
        places.append((f"{t.get('execute', '')} {t.get('arguments', '')}", "", "", f"task {t.get('name', '')}"))
    for p in bundle.processes:
        places.append((str(p.get("command_line", "")), "", "", f"process {p.get('pid', '')}"))
    out: dict[str, Finding] = {}
    for cmd, reg, svc, what in places:
        hit = _loader_target(cmd)
        if not hit:
            continue
        loader, path = hit
        fname = _base(path)
        stem = fname.rsplit(".", 1)[0]
        folder = _base(_parent(path))
        random_name = looks_random(stem) or (looks_random(folder) and folder.casefold() not in allow)
        if not random_name or _low(path) in already:
            continue
        key = _low(path)
        prev = out.get(key)
        if prev is not None:
            out[key] = Finding(**{**prev.__dict__, "registry": prev.registry or reg, "service": prev.service or svc})
            continue
        out[key] = Finding(
            "persistence.loader", f"{loader} loads a random-named file from a user-writable folder",
            f"{loader} がユーザーの書き込めるフォルダのランダムな名前のファイルを読み込んでいます",
            path=path, registry=reg, service=svc, command_line=cmd.strip(), severity="medium",
            detail_en=f"{what}: {cmd.strip()}", detail_ja=f"{what}: {cmd.strip()}",
        )
    return list(out.values())


def _match_processes(bundle: Bundle, finding: Finding) -> Finding:
    if not finding.path:
        return finding
    target = _low(finding.path)
    fname = _base(finding.path).casefold()
    pids = set(finding.pids)
    for p in bundle.processes:
        pid = p.get("pid")
        if not isinstance(pid, int):
            continue
        ppath = _low(str(p.get("path") or ""))
        cmd = str(p.get("command_line") or "").casefold()
        if ppath == target or (ppath and _base(ppath) == fname and "\\" not in finding.path) or \
                (target and target in cmd.replace("/", "\\")):
            pids.add(pid)
    if sorted(pids) == list(finding.pids):
        return finding
    return Finding(**{**finding.__dict__, "pids": tuple(sorted(pids))})


CHECKS = ("emocheck.v1", "emocheck.v2", "emocheck.v3", "emocheck.v4", "emocheck.v5", "persistence.loader")


def check_bundle(bundle: Bundle, *, source: str = "bundle") -> HostReport:
    """Run every check on one artifact bundle."""
    rep = HostReport(bundle.host, bundle.user, bundle.collected_at, source, checks=CHECKS)
    serial = _serial(bundle.raw.get("volume_serial"))
    if serial is None:
        rep.notes.append(("no C: volume serial in the bundle: the v1 and v2 checks were skipped",
                          "C: のボリュームシリアルがないため v1・v2 の確認を省きました"))
    if not bundle.path("LOCALAPPDATA"):
        rep.notes.append(("no %LOCALAPPDATA% in the bundle: v3–v5 looked at the system folder only",
                          "%LOCALAPPDATA% がないため v3〜v5 はシステムフォルダだけを確認しました"))
    findings = check_v1(bundle, serial) + check_v2(bundle, serial)
    v3, notes = check_v3(bundle)
    rep.notes.extend(notes)
    findings += v3 + check_v4(bundle) + check_v5(bundle)
    for err in bundle.raw.get("errors") or []:
        rep.notes.append((f"collector: {err}", f"収集時の問題: {err}"))
    seen: dict[tuple[str, str], Finding] = {}
    for f in findings:
        seen.setdefault((f.check, _low(f.path)), f)
    findings = list(seen.values())
    findings += check_persistence(bundle, {_low(f.path) for f in findings})
    rep.findings = [_match_processes(bundle, f) for f in findings]
    return rep


# -- collector and live mode ----------------------------------------------------------------


def collector_script() -> str:
    """The PowerShell collector shipped with emoguard (``collector.ps1``)."""
    return resources.files("emoguard.ir").joinpath("collector.ps1").read_text(encoding="utf-8")


def run_live(timeout: float = 600.0) -> Bundle:
    """On Windows: run the shipped collector with PowerShell and load what it wrote."""
    import subprocess
    import sys
    import tempfile

    if sys.platform != "win32":
        raise BundleError("a live check needs Windows; on other systems pass --bundle FILE "
                          "(collect it on the PC with: emoguard hostcheck --print-collector > collect.ps1)")
    with tempfile.TemporaryDirectory(prefix="emoguard-hostcheck-") as d:
        script = Path(d) / "collect.ps1"
        out = Path(d) / "bundle.json"
        script.write_text(collector_script(), encoding="utf-8-sig")  # PowerShell 5.1 needs the BOM for UTF-8
        try:
            subprocess.run(["powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", str(script),
                            "-Output", str(out)], check=True, timeout=timeout, capture_output=True)
            return load_bundle(out.read_bytes())
        except (OSError, subprocess.SubprocessError) as e:
            detail = getattr(e, "stderr", b"") or b""
            raise BundleError(f"the collector failed: {e} {detail.decode('utf-8', 'replace')[-500:]}".strip()) from None


# -- text report --------------------------------------------------------------------------


def render_text(rep: HostReport, lang: str) -> str:
    ja = lang == "ja"
    lines = []
    bar = "-" * 60
    lines.append(bar)
    lines.append("emoguard ホストチェック(EmoCheck v1〜v5 の確認)" if ja else
                  "emoguard hostcheck (the checks of EmoCheck v1–v5)")
    lines.append(bar)
    lines.append(("ホスト名" if ja else "Host") + f": {rep.host}" + (f"  ({rep.user})" if rep.user else ""))
    lines.append(("収集日時" if ja else "Collected") + f": {rep.collected_at or '?'}")
    lines.append(("入力" if ja else "Source") + f": {rep.source}")
    lines.append("")
    if rep.infected:
        lines.append("[!!] Emotet の痕跡が見つかりました" if ja else "[!!] Emotet was detected")
    elif rep.findings:
        lines.append("[!] 不審な自動起動が見つかりました" if ja else "[!] Suspicious persistence was found")
    else:
        lines.append("[OK] Emotet は検知されませんでした" if ja else "[OK] Emotet was not detected")
    for f in rep.findings:
        lines.append("")
        lines.append(f"  * {f.title_ja if ja else f.title_en}  [{f.check}]")
        if f.path:
            lines.append(("    パス      : " if ja else "    path      : ") + f.path)
        if f.pids:
            lines.append(("    プロセスID: " if ja else "    PID       : ") + ", ".join(map(str, f.pids)))
        if f.registry:
            lines.append(("    レジストリ: " if ja else "    registry  : ") + f.registry)
        if f.service:
            lines.append(("    サービス  : " if ja else "    service   : ") + f.service)
        if f.command_line:
            lines.append(("    コマンド  : " if ja else "    command   : ") + f.command_line)
        lines.append("    " + (f.detail_ja if ja else f.detail_en))
    if rep.notes:
        lines.append("")
        lines.append("注記:" if ja else "Notes:")
        for en, jtext in rep.notes:
            lines.append("  - " + (jtext if ja else en))
    lines.append("")
    lines.append("次にすること:" if ja else "Next steps:")
    for i, s in enumerate(rep.next_steps(lang), 1):
        lines.append(f"  {i}. {s}")
    lines.append(bar)
    return "\n".join(lines) + "\n"


def report_filename(rep: HostReport) -> str:
    """``<host>_<yyyymmddhhmmss>_emoguard-hostcheck.json`` (like EmoCheck's report names)."""
    stamp = re.sub(r"\D", "", rep.collected_at)[:14] or datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    host = re.sub(r"[^A-Za-z0-9._-]", "_", rep.host) or "host"
    return f"{host}_{stamp}_emoguard-hostcheck.json"


__all__: Sequence[str] = (
    "Bundle", "BundleError", "Finding", "HostReport", "check_bundle", "collector_script",
    "load_bundle", "looks_random", "render_text", "report_filename", "run_live",
    "v1_process_names", "v2_decode", "v2_encode",
)
