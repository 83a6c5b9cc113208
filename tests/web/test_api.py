"""The REST API: every endpoint, the token, bad and oversized uploads, the time-out, the spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from emoguard.testing import MailBuilder, emotet
from emoguard.testing.files import ole_document
from emoguard.web.analysis import CRASH_ENV, HANG_ENV, AnalysisPool
from emoguard.web.app import openapi_json

sys.path.insert(0, str(Path(__file__).parent))
from web_support import AUTH, ROOT, TOKEN, config, make_quarantine

BAD = emotet.thread_hijack_doc(seed=7)
GOOD = (MailBuilder(seed=2).from_(("佐藤 花子", "sato@partner.co.jp")).to("tanaka@example.co.jp")
        .subject("会議室の予約").date("Tue, 11 Jun 2024 10:00:00 +0900").text("明日の会議室を予約しました。\n").build())
RFC822 = {**AUTH, "Content-Type": "message/rfc822"}


def cli_json(path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("EMOGUARD_CONFIG",)}
    r = subprocess.run([sys.executable, "-m", "emoguard", "scan", "--format", "json", "--no-history", "--jobs", "1",
                        "--state-dir", str(path.parent / "cli-state"), str(path)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    (rec,) = json.loads(r.stdout)
    return rec


# -- health and the token --------------------------------------------------------------------------


def test_health_needs_no_token(client: TestClient) -> None:
    for path in ("/api/v1/health", "/health"):
        r = client.get(path)
        assert r.status_code == 200
        assert r.json()["status"] == "ok" and r.json()["workers"] >= 1


ENDPOINTS = [
    ("POST", "/api/v1/analyze"),
    ("GET", "/api/v1/history"),
    ("GET", "/api/v1/history/1"),
    ("GET", "/api/v1/quarantine"),
    ("GET", "/api/v1/quarantine/1"),
    ("POST", "/api/v1/quarantine/1/release"),
    ("GET", "/api/v1/openapi.json"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_a_missing_or_wrong_token(client: TestClient, method: str, path: str) -> None:
    wrong = [{}, {"Authorization": "Bearer " + TOKEN[:-1] + "x"}, {"Authorization": f"Basic {TOKEN}"},
             {"Authorization": "Bearer"}, {"Authorization": "Bearer " + "a" * 5000}]
    for headers in wrong:
        r = client.request(method, path, headers={**headers, "Content-Type": "message/rfc822"}, content=GOOD)
        assert r.status_code == 401, (headers, r.text)
        assert r.json()["error"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"
    # a browser session is no API credential
    from web_support import login

    login(client)
    assert client.request(method, path, content=GOOD, headers={"Content-Type": "message/rfc822"}).status_code == 401
    client.cookies.clear()


def test_token_file_is_hashed_and_printed_once(tmp_path: Path) -> None:
    from emoguard.web.auth import load_token, token_path

    check, fresh = load_token(tmp_path, env={})
    assert fresh and check.origin == "new" and check.verify(fresh) and not check.verify(fresh + "x")
    stored = token_path(tmp_path).read_text()
    assert fresh not in stored and json.loads(stored)["algorithm"] == "sha256"
    assert token_path(tmp_path).stat().st_mode & 0o777 == 0o600
    again, fresh2 = load_token(tmp_path, env={})
    assert fresh2 == "" and again.origin == "file" and again.verify(fresh)
    renewed, fresh3 = load_token(tmp_path, env={}, renew=True)
    assert fresh3 and renewed.verify(fresh3) and not renewed.verify(fresh)
    preset, fresh4 = load_token(tmp_path, env={"EMOGUARD_TOKEN": "preset-token"})
    assert fresh4 == "" and preset.origin == "env" and preset.verify("preset-token") and not preset.verify(fresh3)


# -- analyze -----------------------------------------------------------------------------------


def test_analyze_gives_exactly_the_cli_record(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "bad.eml"
    path.write_bytes(BAD)
    want = cli_json(path)
    r = client.post("/api/v1/analyze", params={"source": str(path)}, content=BAD, headers=RFC822)
    assert r.status_code == 200, r.text
    assert r.json() == want
    assert want["level"] == "malicious" and want["hits"]
    assert r.headers["x-emoguard-history-id"].isdigit()
    # multipart upload: the file name is the source
    r = client.post("/api/v1/analyze", files={"file": ("bad.eml", BAD, "message/rfc822")}, headers=AUTH)
    assert r.status_code == 200
    assert r.json() == {**want, "source": "bad.eml"}
    # raw body without a name: the source is '-' as for stdin
    r = client.post("/api/v1/analyze", content=GOOD, headers=RFC822, params={"history": "false"})
    assert r.status_code == 200 and r.json()["source"] == "-" and r.json()["level"] == "clean"
    assert "x-emoguard-history-id" not in r.headers


@pytest.mark.corpus
def test_analyze_outlook_msg_like_the_cli(client: TestClient, corpora: Path, tmp_path: Path) -> None:
    src = corpora / "outlook_msg" / "msgreader" / "Hello +CJK.msg"
    path = tmp_path / "hello.msg"
    path.write_bytes(src.read_bytes())
    want = cli_json(path)
    r = client.post("/api/v1/analyze", files={"file": ("hello.msg", path.read_bytes(), "application/vnd.ms-outlook")},
                    params={"source": str(path)}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json() == want and r.json()["subject"]


def test_mbox_line_kept_by_a_mail_client_is_one_message(client: TestClient) -> None:
    r = client.post("/api/v1/analyze", content=b"From sender@example.com Mon Jun 10 09:00:00 2024\n" + BAD,
                    headers=RFC822)
    assert r.status_code == 200 and r.json()["level"] == "malicious"


@pytest.mark.parametrize(("body", "ctype", "status", "code"), [
    (b"", "message/rfc822", 400, "empty"),
    (b"   \r\n\r\n", "message/rfc822", 400, "empty"),
    (b"hello, this is not a mail\n", "message/rfc822", 422, "not_mail"),
    (bytes(range(256)) * 8, "message/rfc822", 422, "not_mail"),
    (ole_document("doc"), "application/vnd.ms-outlook", 422, "not_mail"),
    (b"From a@b Mon Jun 10 09:00:00 2024\n" + GOOD + b"\n\nFrom c@d Mon Jun 10 09:00:00 2024\n" + GOOD,
     "message/rfc822", 422, "not_single_message"),
    (b"!BDN" + b"\x00" * 600, "application/octet-stream", 422, "not_single_message"),
    (GOOD, "application/json", 415, "unsupported_media_type"),
    (b"--xx\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n--xx--\r\n",
     "multipart/form-data; boundary=xx", 400, "no_file"),
    (b"this is not multipart at all", "multipart/form-data", 400, "bad_multipart"),
])
def test_bad_uploads_get_4xx_with_a_json_error(client: TestClient, body: bytes, ctype: str, status: int,
                                               code: str) -> None:
    r = client.post("/api/v1/analyze", content=body, headers={**AUTH, "Content-Type": ctype})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"] == code and r.json()["detail"]
    assert client.post("/api/v1/analyze", content=GOOD, headers=RFC822).status_code == 200  # still serving


def test_oversized_uploads_are_refused(make_client) -> None:  # type: ignore[no-untyped-def]
    c = make_client(max_upload=100_000)
    big = GOOD + b"x" * 200_000
    r = c.post("/api/v1/analyze", content=big, headers=RFC822)  # Content-Length over the limit: refused unread
    assert r.status_code == 413 and r.json()["error"] == "too_large"

    def chunks():  # no Content-Length: counted while reading
        yield GOOD
        for _ in range(30):
            yield b"y" * 10_000

    r = c.post("/api/v1/analyze", content=chunks(), headers=RFC822)
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    r = c.post("/api/v1/analyze", files={"file": ("big.eml", GOOD + b"z" * 120_000, "message/rfc822")}, headers=AUTH)
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    r = c.post("/api/v1/analyze", files={"file": ("ok.eml", GOOD + b"\n" * (100_000 - len(GOOD)), "message/rfc822")},
               headers=AUTH)
    assert r.status_code == 200  # exactly the limit is fine
    r = c.post("/api/v1/analyze", content=b"x", headers={**RFC822, "Content-Length": "abc"})
    assert r.status_code == 400


def test_hung_analysis_is_abandoned_and_the_server_keeps_serving(make_client, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HANG_ENV, "HANG-ME-PLEASE")
    hang_pool = AnalysisPool(config(tmp_path / "hang"), jobs=1, timeout=2.0)
    try:
        hang_pool.warm_up()
        c = make_client(use_pool=hang_pool)
        hung = GOOD.replace(b"Subject:", b"X-Test: HANG-ME-PLEASE\r\nSubject:", 1)
        result: dict[str, object] = {}

        def send() -> None:
            t0 = time.monotonic()
            r = c.post("/api/v1/analyze", content=hung, headers=RFC822)
            result.update(status=r.status_code, body=r.json(), secs=time.monotonic() - t0)

        th = threading.Thread(target=send)
        th.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        assert c.get("/api/v1/health").status_code == 200  # the event loop is not blocked
        assert time.monotonic() - t0 < 1.0
        th.join(30)
        assert result["status"] == 504 and result["body"]["error"] == "analysis_timeout"  # type: ignore[index]
        assert 1.5 < float(result["secs"]) < 15  # type: ignore[arg-type]
        r = c.post("/api/v1/analyze", content=BAD, headers=RFC822)  # a fresh worker took over
        assert r.status_code == 200 and r.json()["level"] == "malicious"
        assert c.get("/api/v1/health").json()["replaced_workers"] == 1
    finally:
        hang_pool.close()


def test_a_crashing_worker_is_replaced(make_client, tmp_path: Path,  # type: ignore[no-untyped-def]
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CRASH_ENV, "CRASH-ME-PLEASE")
    crash_pool = AnalysisPool(config(tmp_path / "crash"), jobs=1, timeout=20.0)
    try:
        crash_pool.warm_up()
        c = make_client(use_pool=crash_pool)
        crashing = GOOD.replace(b"Subject:", b"X-Test: CRASH-ME-PLEASE\r\nSubject:", 1)
        r = c.post("/api/v1/analyze", content=crashing, headers=RFC822)
        assert r.status_code == 500 and r.json()["error"] == "worker_died"
        r = c.post("/api/v1/analyze", content=BAD, headers=RFC822)
        assert r.status_code == 200 and r.json()["level"] == "malicious"
        assert c.get("/api/v1/health").json()["replaced_workers"] == 1
    finally:
        crash_pool.close()


# -- history -----------------------------------------------------------------------------------------


def test_history_list_filters_and_entries(client: TestClient, tmp_path: Path) -> None:
    from emoguard.sinks.store import Store

    ids = []
    for raw in (GOOD, BAD, GOOD):
        r = client.post("/api/v1/analyze", content=raw, headers=RFC822)
        ids.append(int(r.headers["x-emoguard-history-id"]))
    with Store.open(tmp_path / "state") as store:  # an older one from another front end
        store.add_history([{**json.loads(client.post("/api/v1/analyze", content=BAD, headers=RFC822,
                                                       params={"history": "false", "source": "inbox/old.eml"}).text)}],
                          origin="scan")
        store.db.execute("UPDATE history SET at = '2020-01-02T03:04:05+00:00' WHERE origin = 'scan'")
        store.db.commit()
    r = client.get("/api/v1/history", headers=AUTH)
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 4 and [i["id"] for i in page["items"]][1:] == ids[::-1]
    assert set(page["items"][0]) == {"id", "at", "origin", "source", "message_id", "from", "subject", "level", "score"}

    def ids_of(**params: object) -> list[int]:
        r = client.get("/api/v1/history", params=params, headers=AUTH)
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"]]

    assert ids_of(level="malicious") == [4, ids[1]]
    assert ids_of(level=["clean", "malicious"], origin="web") == ids[::-1]
    assert ids_of(origin="scan") == [4]
    assert ids_of(q="会議室") == [ids[2], ids[0]]
    assert ids_of(q="old.eml") == [4]
    assert ids_of(q="%") == []  # LIKE wildcards are literal
    assert ids_of(until="2020-01-02") == [4]
    assert ids_of(since="2020-01-03") == ids[::-1]
    assert ids_of(limit=2, offset=1) == [ids[2], ids[1]]
    assert client.get("/api/v1/history", params={"level": "bogus"}, headers=AUTH).status_code == 422
    assert client.get("/api/v1/history", params={"since": "June"}, headers=AUTH).json()["error"] == "invalid_request"
    r = client.get(f"/api/v1/history/{ids[1]}", headers=AUTH)
    assert r.status_code == 200 and r.json()["record"]["level"] == "malicious" and r.json()["origin"] == "web"
    assert client.get("/api/v1/history/999", headers=AUTH).json()["error"] == "not_found"
    assert client.get("/api/v1/history/abc", headers=AUTH).status_code == 422
    assert client.get("/api/v1/history/99999999999999999999999", headers=AUTH).status_code == 422


# -- quarantine ------------------------------------------------------------------------------------


def test_quarantine_list_get_and_release_maildir(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "qstate"
    _md, originals = make_quarantine(tmp_path, state)
    c = make_client(state_dir=state)
    r = c.get("/api/v1/quarantine", headers=AUTH)
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 2 and all(i["origin"] == "sweep" and i["state"] == "quarantined" and i["releasable"]
                                   for i in items)
    assert all(not Path(p).exists() for p in originals)  # they are in .Quarantine
    qid = items[-1]["id"]
    one = c.get(f"/api/v1/quarantine/{qid}", headers=AUTH).json()
    assert one["journal"]["path"] in originals and one["subject"]
    r = c.post(f"/api/v1/quarantine/{qid}/release", headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "restored" and not r.json()["releasable"]
    assert Path(one["journal"]["path"]).exists() and not Path(one["journal"]["q_path"]).exists()
    r = c.post(f"/api/v1/quarantine/{qid}/release", headers=AUTH)
    assert r.status_code == 409 and r.json()["error"] == "not_releasable"
    assert c.get("/api/v1/quarantine", params={"state": "quarantined"}, headers=AUTH).json()["items"][0]["id"] != qid
    assert c.post("/api/v1/quarantine/99/release", headers=AUTH).status_code == 404
    assert c.get("/api/v1/quarantine/99", headers=AUTH).json()["error"] == "not_found"
    assert c.get("/api/v1/quarantine/x;1", headers=AUTH).status_code == 422
    # what the CLI sees agrees
    env = {k: v for k, v in os.environ.items() if k != "EMOGUARD_CONFIG"}
    out = subprocess.run([sys.executable, "-m", "emoguard", "restore", "--list", "--state-dir", str(state)],
                         capture_output=True, text=True, env=env, timeout=60).stdout
    assert out.count("quarantined") == 1 and out.count("restored") == 1


def test_mail_held_by_the_milter_is_listed_and_released(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from emoguard.sinks.store import Store

    state = tmp_path / "mstate"
    c = make_client(state_dir=state)
    rec = c.post("/api/v1/analyze", content=BAD, headers=RFC822, params={"history": "false"}).json()
    rec["milter"] = {"queue_id": "4XyZ1abC2", "action": "hold", "recipients": ["tanaka@example.co.jp"],
                     "mail_from": "x@y"}
    tagged = {**rec, "milter": {**rec["milter"], "action": "tag", "queue_id": "5AAAAAA"}}
    with Store.open(state) as store:
        store.add_history([rec, tagged], origin="milter")
    items = c.get("/api/v1/quarantine", headers=AUTH).json()["items"]
    assert [(i["id"], i["state"], i["queue_id"]) for i in items] == [("milter-1", "held", "4XyZ1abC2")]
    r = c.post("/api/v1/quarantine/milter-1/release", headers=AUTH)
    assert r.status_code == 409 and r.json()["error"] == "release_not_configured"
    assert "postsuper -H 4XyZ1abC2" in r.json()["detail"]
    # with a release command (here a stand-in for `postsuper -H`)
    log = tmp_path / "released.txt"
    stub = tmp_path / "postsuper.py"
    stub.write_text(f"import sys\nopen({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n")
    c2 = make_client(state_dir=state, **{"web.release_held_command": [sys.executable, str(stub), "-H"]})
    r = c2.post("/api/v1/quarantine/milter-1/release", headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "restored" and log.read_text() == "-H 4XyZ1abC2\n"
    assert c2.post("/api/v1/quarantine/milter-1/release", headers=AUTH).status_code == 409
    assert c2.get("/api/v1/quarantine/milter-2", headers=AUTH).status_code == 404  # tagged, not held
    failing = tmp_path / "fail.py"
    failing.write_text("import sys\nsys.stderr.write('postsuper: fatal: not allowed\\n')\nsys.exit(1)\n")
    with Store.open(state) as store:
        store.add_history([{**rec, "milter": {**rec["milter"], "queue_id": "6BBBBBB"}}], origin="milter")
    c3 = make_client(state_dir=state, **{"web.release_held_command": [sys.executable, str(failing)]})
    r = c3.post("/api/v1/quarantine/milter-3/release", headers=AUTH)
    assert r.status_code == 502 and "not allowed" in r.json()["detail"]
    assert c3.get("/api/v1/quarantine/milter-3", headers=AUTH).json()["state"] == "held"


# -- the spec ------------------------------------------------------------------------------------------


def test_committed_openapi_spec_is_current(client: TestClient) -> None:
    committed = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_json(), "regenerate: emoguard serve --print-openapi > docs/openapi.json"
    r = client.get("/api/v1/openapi.json", headers=AUTH)
    assert r.status_code == 200 and r.json() == json.loads(committed)
    assert set(r.json()["paths"]) == {"/api/v1/health", "/api/v1/analyze", "/api/v1/history", "/api/v1/history/{hid}",
                                      "/api/v1/quarantine", "/api/v1/quarantine/{qid}",
                                      "/api/v1/quarantine/{qid}/release"}


def test_unknown_api_paths_and_methods_get_json_errors(client: TestClient) -> None:
    r = client.get("/api/v1/nothing", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = client.delete("/api/v1/history", headers=AUTH)
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
