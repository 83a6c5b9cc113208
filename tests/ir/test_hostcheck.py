"""``emoguard hostcheck``: artifact bundles for a clean PC and for each EmoCheck version's
pattern, built here from the documented logic (INDICATORS.md (f); EmoCheck scan_v1…v5)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from emoguard.cli import build_app
from emoguard.ir.hostcheck import (
    BundleError,
    check_bundle,
    collector_script,
    load_bundle,
    looks_random,
    report_filename,
    v1_process_names,
    v2_decode,
    v2_encode,
)

SERIAL = 0x5A1F3C7E
LOCAL = "C:\\Users\\tanaka\\AppData\\Local"
ROAMING = "C:\\Users\\tanaka\\AppData\\Roaming"
WOW = "C:\\Windows\\SysWOW64"
SYS32 = "C:\\Windows\\System32"
DIR_FT = 133_500_000_000_000_000  # a FILETIME (100 ns ticks)
WEEK = 7 * 24 * 3600 * 10_000_000


def clean_bundle() -> dict[str, Any]:
    """A PC with ordinary per-user programs in AppData (Teams, OneDrive, Slack, Zoom …)."""
    dirs = ["Microsoft", "Google", "Slack", "Discord", "Packages", "Temp", "Programs", "Zoom", "Comms",
            "CrashDumps", "Dropbox", "Mozilla", "LINE", "Adobe"]
    files = [
        ("Slack\\Update.exe", 1_800_000, True), ("Slack\\SquirrelSetup.log", 4000, False),
        ("Discord\\Update.exe", 1_700_000, True), ("Discord\\installer.db", 20000, False),
        ("Temp\\wct1A2B.tmp", 0, False), ("LINE\\LineLauncher.exe", 900_000, True),
        ("Zoom\\logs.txt", 100, False), ("Dropbox\\host.dbx", 512, False),
        ("Microsoft\\Feeds.dat", 1024, False),
    ]
    wow_dirs = ["en-US", "ja-JP", "wbem", "WindowsPowerShell", "Dism", "drivers", "Speech"]
    wow_files = [("wbem\\WmiApRpl.ini", 3000, False), ("wbem\\wmic.exe", 500_000, True),
                 ("Dism\\DismCore.dll", 400_000, True), ("ja-JP\\user32.dll.mui", 20000, False),
                 ("Speech\\sapisvr.exe", 100_000, True)]
    return {
        "schema": 1, "collector": "emoguard-collector/1", "host": "PC-07", "user": "tanaka",
        "is_admin": False, "collected_at": "2026-11-29T06:00:00Z", "volume_serial": f"{SERIAL:08X}",
        "paths": {"LOCALAPPDATA": LOCAL, "APPDATA": ROAMING, "System32": SYS32, "SysWOW64": WOW,
                  "ProgramData": "C:\\ProgramData", "ProgramFiles": "C:\\Program Files"},
        "processes": [
            {"pid": 4, "name": "System", "path": None, "command_line": None},
            {"pid": 812, "name": "explorer.exe", "path": "C:\\Windows\\explorer.exe", "command_line": "C:\\Windows\\Explorer.EXE"},
            {"pid": 2211, "name": "Teams.exe", "path": f"{LOCAL}\\Microsoft\\Teams\\current\\Teams.exe",
             "command_line": f"\"{LOCAL}\\Microsoft\\Teams\\current\\Teams.exe\" --system-initiated"},
            {"pid": 2300, "name": "rundll32.exe", "path": f"{SYS32}\\rundll32.exe",
             "command_line": f"{SYS32}\\rundll32.exe {SYS32}\\shell32.dll,SHCreateLocalServerRunDll {{9aa46009}}"},
            {"pid": 2400, "name": "slack.exe", "path": f"{LOCAL}\\slack\\app-4.35.126\\slack.exe", "command_line": "slack.exe"},
        ],
        "registry": [
            {"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "name": "OneDrive", "type": "String",
             "data": f"\"{LOCAL}\\Microsoft\\OneDrive\\OneDrive.exe\" /background"},
            {"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "name": "com.squirrel.Teams.Teams",
             "type": "String", "data": f"{LOCAL}\\Microsoft\\Teams\\Update.exe --processStart \"Teams.exe\""},
            {"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "name": "Discord", "type": "String",
             "data": f"{LOCAL}\\Discord\\Update.exe --processStart Discord.exe"},
            {"key": "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "name": "LogiLDA", "type": "String",
             "data": "rundll32.exe C:\\Windows\\System32\\LogiLDA.dll,LogiFetch"},
            {"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "name": "ZoomCrash", "type": "String",
             "data": f"rundll32.exe \"{ROAMING}\\Zoom\\bin\\zCrashReport.dll\",ReportMain"},
            {"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer", "name": "ShellState",
             "type": "Binary", "data_hex": "240000003ca80000"},
        ],
        "services": [
            {"name": "Dnscache", "binary_path": "C:\\Windows\\system32\\svchost.exe -k NetworkService -p", "state": "Running"},
            {"name": "Spooler", "binary_path": "C:\\Windows\\System32\\spoolsv.exe", "state": "Running"},
        ],
        "tasks": [{"name": "\\OneDrive Standalone Update Task", "execute": f"{LOCAL}\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe", "arguments": ""}],
        "dirs": [{"path": f"{LOCAL}\\{d}", "mtime_ft": DIR_FT + i * 123_456_789} for i, d in enumerate(dirs)]
        + [{"path": f"{WOW}\\{d}", "mtime_ft": DIR_FT - i * 99_999_999} for i, d in enumerate(wow_dirs)],
        "files": [{"path": f"{LOCAL}\\{f}", "size": s, "mtime_ft": DIR_FT + 5_000_000 * i, "pe": pe}
                  for i, (f, s, pe) in enumerate(files)]
        + [{"path": f"{WOW}\\{f}", "size": s, "mtime_ft": DIR_FT + 7_000_000 * i, "pe": pe}
           for i, (f, s, pe) in enumerate(wow_files)],
        "system32_files": {"wbengine.exe": 1_500_000, "certutil.exe": 1_400_000, "msctf.dll": 1_200_000,
                           "netsh.exe": 90_000, "rundll32.exe": 70_000, "regsvr32.exe": 25_000},
        "allowlist_dirs": ["Microsoft", "Zoom", "Mozilla Firefox", "Adobe", "Google", "Common Files", "Slack"],
        "errors": [],
    }


def _with(b: dict[str, Any], **lists: list[dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(b)
    for k, v in lists.items():
        out[k] = out.get(k, []) + v
    return out


def _check(b: dict[str, Any]):  # type: ignore[no-untyped-def]
    return check_bundle(load_bundle(json.dumps(b)))


def test_clean_pc_with_ordinary_appdata_programs_gives_no_finding() -> None:
    rep = _check(clean_bundle())
    assert rep.findings == [], [f.to_dict() for f in rep.findings]
    assert rep.status == "not_detected"
    assert "EmoCheck" in rep.to_dict()["next_steps"]["en"][1]


def test_v1_process_name_from_volume_serial() -> None:
    names = v1_process_names(SERIAL)
    assert names and all(n.endswith(".exe") for n in names)
    name = sorted(names)[0]
    b = _with(clean_bundle(), processes=[{"pid": 4242, "name": name, "path": f"{LOCAL}\\{name[:-4]}\\{name}",
                                          "command_line": name}])
    rep = _check(b)
    assert [f.check for f in rep.findings] == ["emocheck.v1"]
    assert rep.findings[0].pids == (4242,) and rep.findings[0].path.endswith(name)
    assert rep.status == "detected"
    # the same process on a PC with another serial is not Emotet's name there
    other = copy.deepcopy(b)
    other["volume_serial"] = "12345678"
    assert not [f for f in _check(other).findings if f.check == "emocheck.v1"] or name in v1_process_names(0x12345678)


def test_v1_keyword_selection_follows_the_documented_rounds() -> None:
    # position 0 is inside "duck"; both readings (whole word, EmoCheck's suffix) are the word itself here
    kw_len = len("duck,mfidl,targets,ptr,khmer,purge,metrics,acc,inet,msra,symbol,driver,sidebar,restore,msg,volume,"
                 "cards,shext,query,roam,etw,mexico,basic,url,createa,blb,pal,cors,send,devices,radio,bid,format,thrd,"
                 "taskmgr,timeout,vmd,ctl,bta,shlp,avi,exce,dbt,pfx,rtp,edge,mult,clr,wmistr,ellipse,vol,cyan,ses,guid,"
                 "wce,wmp,dvb,elem,channel,space,digital,pdeft,violet,thunk")
    serial = 5 + kw_len * 10  # first round at position 5 (the comma before "mfidl") -> "mfidl"
    second = (0xFFFFFFFF - 10) % kw_len
    names = v1_process_names(serial)
    assert all(n.startswith("mfidl") for n in names) and second >= 0


def test_v2_registry_value_decodes_to_the_program_name() -> None:
    data = v2_encode("dbtwmp.exe", SERIAL)
    assert v2_decode(data, SERIAL) == "dbtwmp.exe"
    b = _with(clean_bundle(), registry=[{"key": "HKLM\\Software\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Explorer",
                                         "name": format(SERIAL, "x"), "type": "Binary", "data_hex": data.hex()}],
              processes=[{"pid": 3003, "name": "dbtwmp.exe", "path": f"{WOW}\\dbtwmp.exe", "command_line": "dbtwmp.exe"}])
    rep = _check(b)
    f = rep.findings[0]
    assert f.check == "emocheck.v2" and f.path == "dbtwmp.exe" and f.pids == (3003,)
    assert f.registry == f"HKLM\\Software\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Explorer\\{SERIAL:x}"


def test_v3_system32_named_exe_with_run_key() -> None:
    path = f"{LOCAL}\\msctf\\wbengine.exe"
    b = _with(clean_bundle(),
              dirs=[{"path": f"{LOCAL}\\msctf", "mtime_ft": DIR_FT}],
              files=[{"path": path, "size": 350_000, "mtime_ft": DIR_FT, "pe": True},
                     {"path": f"{LOCAL}\\msctf\\certutil.exe", "size": 1_400_000, "mtime_ft": DIR_FT, "pe": True}],
              registry=[{"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "name": "wbengine",
                         "type": "String", "data": path}],
              processes=[{"pid": 5150, "name": "wbengine.exe", "path": path, "command_line": path}])
    rep = _check(b)
    assert [(f.check, f.path) for f in rep.findings] == [("emocheck.v3", path)]  # the same-size copy is not reported
    f = rep.findings[0]
    assert f.registry == "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\wbengine" and f.pids == (5150,)
    assert any("certutil.exe" in en for en, _ja in rep.notes)


def test_v4_user_run_key_and_admin_service() -> None:
    upath = f"{LOCAL}\\Qsbgnzyplxh\\vrtkupqfb.ywj"
    ucmd = f"C:\\Windows\\system32\\rundll32.exe \"{upath}\",RunDLL"
    apath = f"{WOW}\\Ujmpeqpnnu\\hbgtzmwz.kvn"
    acmd = f"C:\\Windows\\SysWOW64\\rundll32.exe \"{apath}\",ShowDialogA"
    b = _with(clean_bundle(),
              dirs=[{"path": f"{LOCAL}\\Qsbgnzyplxh", "mtime_ft": DIR_FT}, {"path": f"{WOW}\\Ujmpeqpnnu", "mtime_ft": DIR_FT}],
              files=[{"path": upath, "size": 600_000, "mtime_ft": DIR_FT + 10, "pe": True},
                     {"path": apath, "size": 600_000, "mtime_ft": DIR_FT + 10, "pe": True},
                     # same shape but not a PE file: not reported
                     {"path": f"{LOCAL}\\Qsbgnzyplxh\\notes.txt", "size": 10, "mtime_ft": DIR_FT, "pe": False}],
              registry=[{"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "name": "Qsbgnzyplxh",
                         "type": "String", "data": ucmd}],
              services=[{"name": "hbgtzmwz.kvn", "binary_path": acmd, "state": "Running"}],
              processes=[{"pid": 6001, "name": "rundll32.exe", "path": f"{SYS32}\\rundll32.exe", "command_line": ucmd},
                         {"pid": 6002, "name": "rundll32.exe", "path": f"{WOW}\\rundll32.exe", "command_line": acmd}])
    rep = _check(b)
    got = {(f.check, f.path, f.pids, f.registry, f.service) for f in rep.findings}
    assert got == {
        ("emocheck.v4", upath, (6001,), "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Qsbgnzyplxh", ""),
        ("emocheck.v4", apath, (6002,), "", "hbgtzmwz.kvn"),
    }


def test_v4_folder_in_allowlist_is_not_reported() -> None:
    upath = f"{LOCAL}\\Slack\\vrtkupqfb.ywj"
    b = _with(clean_bundle(), files=[{"path": upath, "size": 600_000, "mtime_ft": DIR_FT, "pe": True}],
              registry=[{"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "name": "Qsbgnzyplxh",
                         "type": "String", "data": f"rundll32.exe \"{upath}\",RunDLL"}])
    assert not [f for f in _check(b).findings if f.check == "emocheck.v4"]


def test_v5_seven_day_timestamp() -> None:
    hit = f"{LOCAL}\\Comms\\xfrbqtl.dll"
    near = f"{LOCAL}\\Comms\\other.dll"
    comms_ft = next(d["mtime_ft"] for d in clean_bundle()["dirs"] if d["path"].endswith("\\Comms"))
    b = _with(clean_bundle(), files=[
        {"path": hit, "size": 400_000, "mtime_ft": comms_ft - WEEK + 1_000_000, "pe": True},  # 7 days - 0.1 s
        {"path": near, "size": 400_000, "mtime_ft": comms_ft - WEEK - 20_000_000, "pe": True},  # 7 days + 2 s
        {"path": f"{WOW}\\Speech\\tts.dat", "size": 400_000, "mtime_ft": DIR_FT + 6 * 99_999_999 + WEEK, "pe": False},
    ])
    rep = _check(b)
    assert [(f.check, f.path) for f in rep.findings] == [("emocheck.v5", hit)]


def test_generic_regsvr32_loader_from_appdata_and_programdata() -> None:
    b = _with(clean_bundle(), registry=[
        {"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce", "name": "x", "type": "String",
         "data": f"C:\\Windows\\SysWOW64\\regsvr32.exe /s \"{ROAMING}\\Kfqmrtxw\\pkzvbnq.dll\""}],
        tasks=[{"name": "\\Jgd", "execute": "regsvr32.exe", "arguments": "-s C:\\ProgramData\\jgdfhrtw.ocx"}])
    rep = _check(b)
    assert {(f.check, f.path) for f in rep.findings} == {
        ("persistence.loader", f"{ROAMING}\\Kfqmrtxw\\pkzvbnq.dll"),
        ("persistence.loader", "C:\\ProgramData\\jgdfhrtw.ocx"),
    }
    assert rep.status == "suspicious" and all(f.severity == "medium" for f in rep.findings)
    assert looks_random("Kfqmrtxw") and not looks_random("zCrashReport") and not looks_random("OneDrive")


def test_missing_serial_and_bad_bundles_are_said() -> None:
    b = clean_bundle()
    del b["volume_serial"]
    rep = _check(b)
    assert any("v1 and v2" in en for en, _ in rep.notes)
    with pytest.raises(BundleError):
        load_bundle(b"not json")
    with pytest.raises(BundleError):
        load_bundle(json.dumps({"schema": 99}))
    junk = clean_bundle()
    junk["files"] = [{"path": 3}, "x", {"no": "path"}]
    junk["processes"] = [{"pid": "x", "name": sorted(v1_process_names(SERIAL))[0]}, {"pid": None}]
    junk["dirs"] = [{"path": f"{LOCAL}\\msctf", "mtime_ft": "soon"}]
    junk["files"] += [{"path": f"{LOCAL}\\msctf\\wbengine.exe", "size": "big", "mtime_ft": None, "pe": True}]
    junk["system32_files"] = {"wbengine.exe": "x", "msctf.dll": 5}
    rep = _check(junk)
    assert [f.check for f in rep.findings] == ["emocheck.v1"] and rep.findings[0].pids == (0,)


def test_cli_bundle_text_json_and_collector(tmp_path: Path) -> None:
    upath = f"{LOCAL}\\Qsbgnzyplxh\\vrtkupqfb.ywj"
    b = _with(clean_bundle(), dirs=[{"path": f"{LOCAL}\\Qsbgnzyplxh", "mtime_ft": DIR_FT}],
              files=[{"path": upath, "size": 600_000, "mtime_ft": DIR_FT, "pe": True}],
              registry=[{"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "name": "Qsbgnzyplxh",
                         "type": "String", "data": f"rundll32.exe \"{upath}\",RunDLL"}])
    p = tmp_path / "b.json"
    p.write_text(json.dumps(b), encoding="utf-8-sig")  # PowerShell may write a BOM
    r = CliRunner().invoke(build_app("ja"), ["hostcheck", "--bundle", str(p), "--fail-on-detect"])
    assert r.exit_code == 1 and upath in r.stdout and "ネットワークから切り離して" in r.stdout
    r = CliRunner().invoke(build_app("en"), ["hostcheck", "--bundle", str(p), "-f", "json", "--output-dir", str(tmp_path / "out")])
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["status"] == "detected" and doc["host"] == "PC-07"
    assert doc["findings"][0]["path"] == upath and doc["findings"][0]["check"] == "emocheck.v4"
    rep = check_bundle(load_bundle(json.dumps(b)))
    assert (tmp_path / "out" / report_filename(rep)).is_file()
    assert report_filename(rep) == "PC-07_20261129060000_emoguard-hostcheck.json"
    r = CliRunner().invoke(build_app("en"), ["hostcheck", "--print-collector"])
    assert r.exit_code == 0 and r.stdout == collector_script()
    r = CliRunner().invoke(build_app("en"), ["hostcheck", "--bundle", str(tmp_path / "missing.json")])
    assert r.exit_code == 2


def test_collector_script_collects_every_field_the_checks_read() -> None:
    script = collector_script()
    for key in ("volume_serial", "processes", "registry", "services", "tasks", "dirs", "files",
                "system32_files", "allowlist_dirs", "LOCALAPPDATA", "SysWOW64", "mtime_ft", "data_hex",
                "Software\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Explorer", "ToFileTimeUtc"):
        assert key in script, key
    for banned in ("Remove-Item", "Invoke-WebRequest", "Invoke-Expression", "Set-ItemProperty", "Start-Process"):
        assert banned not in script  # read-only, no network


def test_collector_script_brackets_balance() -> None:
    """No PowerShell here to parse it: at least strings, comments and brackets must be well formed."""
    src = collector_script()
    stack: list[str] = []
    pairs = {")": "(", "}": "{", "]": "["}
    i = 0
    in_block = False
    while i < len(src):
        c = src[i]
        if in_block:
            if src.startswith("#>", i):
                in_block = False
                i += 2
                continue
            i += 1
            continue
        if src.startswith("<#", i):
            in_block = True
            i += 2
            continue
        if c == "#":
            i = src.find("\n", i)
            i = len(src) if i < 0 else i
            continue
        if c in "\"'":
            j = i + 1
            while j < len(src) and src[j] != c:
                j += 2 if (c == '"' and src[j] == "`") else 1
            assert j < len(src), f"unterminated string at offset {i}"
            i = j + 1
            continue
        if c in "({[":
            stack.append(c)
        elif c in ")}]":
            assert stack and stack[-1] == pairs[c], f"unbalanced {c!r} at offset {i}"
            stack.pop()
        i += 1
    assert not in_block and not stack
