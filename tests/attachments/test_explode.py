"""explode(): the file-node tree, findings and codes, passwords, limits — on inert files built here."""

from __future__ import annotations

import base64
import time

import pytest

from emoguard import Engine
from emoguard.attachments import CODES, Inspector, Walker, explode, iter_nodes, label, sniff
from emoguard.attachments.limits import Budget, Limits
from emoguard.attachments.passwords import Candidate, candidates
from emoguard.model import Context, FileNode, Part
from emoguard.parse import parse_message
from emoguard.testing import INERT_MARKER, MailBuilder, PaddedFile, ole_document, zip_archive
from emoguard.testing.emotet import padded_doc_zip, password_zip

from .builders import (
    dde_docx,
    docx,
    embedded_package_docx,
    external_template_docx,
    iso_image,
    lnk_file,
    onenote_file,
    vba_document,
    xlm_xlsm,
)

ENGINE = Engine.load(search_defaults=False)
PW = "Xk3pq9Ld"
PS = ("-NoProfile -Command Write-Output [System.Text.Encoding]::ASCII.GetString("
      "[System.Convert]::FromBase64String('" + base64.b64encode(INERT_MARKER.encode()).decode() + "'))")


def walk(data: bytes, name: str, passwords: tuple[str, ...] = (), limits: Limits | None = None) -> FileNode:
    ins = ENGINE.inspector if limits is None else Inspector(limits=limits, yara_rules=ENGINE.inspector.yara_rules)
    w = Walker(ins, Budget(ins.limits), [Candidate(p, "the test") for p in passwords])
    return explode(Part(path="1", content_type="application/octet-stream", payload=data, filename=name,
                        is_attachment=True), w)


def codes(root: FileNode) -> set[str]:
    return {c for _, n in iter_nodes([root]) for c in n.codes}


def mail(body: str, data: bytes, name: str) -> bytes:
    return (MailBuilder().from_(("山田 太郎", "keiri@empresa-exemplo.com.ar")).to("tanaka@example.co.jp")
            .subject("RE: 請求書").text(body).attach(data, name).build())


# -- tree shape ------------------------------------------------------------------------------


def test_codes_are_parallel_to_findings_and_all_known() -> None:
    for data, name in [(vba_document("xls"), "a.xls"), (lnk_file(), "a.pdf.lnk"), (xlm_xlsm(), "x.xlsm")]:
        for _, n in iter_nodes([walk(data, name)]):
            assert len(n.codes) == len(n.findings)
            assert set(n.codes) <= set(CODES), n.codes
    assert label("office.vba_autoexec", "ja") == "開くと自動実行される VBA マクロ"
    assert label("office.vba_autoexec") == "VBA macro that runs automatically"


def test_to_dict_keeps_old_keys_and_adds_codes() -> None:
    d = walk(zip_archive({"請求書.doc": ole_document("doc")}), "請求書.zip").to_dict()
    assert {"name", "type", "size", "sha256", "findings", "children", "codes", "md5"} <= set(d)
    child = d["children"][0]
    assert child["name"] == "請求書.doc" and child["type"] == "ole/doc" and child["declared_size"] == child["size"]


def test_typed_by_content_not_name() -> None:
    root = walk(zip_archive({"写真.jpg": ole_document("xls")}), "写真.zip")
    assert root.children[0].type == "ole/xls"
    assert sniff(lnk_file()) == "lnk" and sniff(onenote_file()) == "onenote"
    assert sniff(iso_image({"a.txt": b"x"})) == "iso"


def test_cp932_member_names() -> None:
    root = walk(zip_archive({"請求書.doc": ole_document("doc")}, name_encoding="cp932"), "a.zip")
    assert root.children[0].name == "請求書.doc"


# -- Office -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "keyword"), [("doc", "AutoOpen"), ("xls", "Workbook_Open")])
def test_vba_autoexec(kind: str, keyword: str) -> None:
    root = walk(vba_document(kind), f"請求書.{kind}")
    assert f"VBA auto-exec: {keyword}" in root.findings
    assert "office.vba_stomping" not in root.codes


def test_xlm_dde_external_embedded() -> None:
    assert {"office.xlm", "office.xlm_autoopen"} <= codes(walk(xlm_xlsm(), "x.xlsm"))
    assert "office.dde" in codes(walk(dde_docx(), "d.docx"))
    root = walk(external_template_docx(), "t.docx")
    assert any("attachedTemplate" in f and "templates.example" in f for f in root.findings)
    root = walk(embedded_package_docx("readme.js", b"WScript.Echo('x')"), "e.docx")
    assert {"office.embedded_object", "file.script"} <= codes(root)
    assert [p for p, _ in iter_nodes([root])][-1] == "e.docx › oleObject1.bin › readme.js"
    assert codes(walk(docx(), "clean.docx")) == set()


def test_lure_text() -> None:
    from emoguard.testing.emotet import LURE_DOCUMENT_TEXT

    root = walk(ole_document("doc", LURE_DOCUMENT_TEXT), "a.doc")
    assert "office.lure" in root.codes and any("コンテンツの有効化" in f for f in root.findings)
    assert codes(walk(ole_document("doc"), "a.doc")) == set()


# -- passwords ------------------------------------------------------------------------------------


def test_candidates_from_body_subject_and_parts() -> None:
    raw = (MailBuilder().from_("a@b.example").to("c@d.example").subject("請求書 PW:Subj3ct99")
           .text("お世話になっております。\n\n解凍パスワード\nAb12cd34\n\nPassword is Qw9rt7yu.\n以上")
           .build())
    msg = parse_message(raw)
    got = {c.password: c.source for c in candidates(msg)}
    assert got["Subj3ct99"] == "the subject"
    assert got["Ab12cd34"].startswith("the body, line 4")
    assert got["Qw9rt7yu"].startswith("the body, line 6")
    assert list(got)[:3] == ["Subj3ct99", "Ab12cd34", "Qw9rt7yu"]  # keyword-led first


def test_aes_zip_with_macro_xls_password_in_body() -> None:
    z = zip_archive({"請求書.xls": vba_document("xls")}, PW, encryption="aes")
    v = ENGINE.analyze(mail(f"お世話になっております。\n請求書を送付します。\n\nパスワード: {PW}\n", z, "請求書.zip"))
    root = v.attachments[0]
    assert f"encrypted (AES); opened with password '{PW}' found in the body, line 4" in root.findings
    assert "VBA auto-exec: Workbook_Open" in root.children[0].findings
    rules = {h.rule: h for h in v.hits}
    assert {"file.macro_autoexec", "file.password_from_mail", "file.macro_in_password_archive"} <= set(rules)
    assert any("請求書.zip › 請求書.xls: VBA auto-exec: Workbook_Open" in e for e in rules["file.macro_autoexec"].evidence)
    assert v.level == "malicious"


def test_aes_zip_without_usable_password_is_not_clean() -> None:
    z = zip_archive({"請求書.xls": vba_document("xls")}, PW, encryption="aes")
    v = ENGINE.analyze(mail("お世話になっております。\nパスワードは別途お送りします。\n", z, "請求書.zip"))
    root = v.attachments[0]
    assert "file.encrypted_uninspected" in root.codes
    assert any("could not inspect" in f for f in root.findings)
    assert root.children[0].type == "unread" and root.children[0].declared_size == len(vba_document("xls"))
    assert any(h.rule == "file.encrypted_uninspected" for h in v.hits)
    assert v.level != "clean"


def test_context_and_config_passwords() -> None:
    z = zip_archive({"a.doc": ole_document("doc")}, "s3cret-Conf1g")
    v = ENGINE.analyze(mail("ご確認ください。\n", z, "a.zip"), Context(passwords=("s3cret-Conf1g",)))
    assert any("found in the caller's context" in f for f in v.attachments[0].findings)
    eng = Engine.load(search_defaults=False, config=ENGINE.config.with_overrides(
        {"attachments.passwords": ["s3cret-Conf1g"]}))
    v = eng.analyze(mail("ご確認ください。\n", z, "a.zip"))
    assert any("found in the configuration" in f for f in v.attachments[0].findings)


def test_forwarded_mail_password_opens_its_own_zip() -> None:
    """A forwarded Emotet mail carries its zip and the password together; the outer mail does not."""
    z = zip_archive({"請求書.xls": vba_document("xls")}, PW, encryption="aes")
    inner = mail(f"お取引先各位\n\n請求書を送付します。\nパスワード: {PW}\n", z, "請求書.zip")
    outer = (MailBuilder().from_(("佐藤 花子", "sato@example.co.jp")).to("it@example.co.jp")
             .subject("不審なメールの転送").text("不審なメールが届きました。確認をお願いします。\n")
             .attach_message(inner, "RE 請求書.eml").build())
    v = ENGINE.analyze(outer)
    z_node = v.attachments[0].children[0]
    assert (f"encrypted (AES); opened with password '{PW}' found in the body, line 4 of the attached mail "
            "'RE 請求書.eml'") in z_node.findings
    assert "VBA auto-exec: Workbook_Open" in z_node.children[0].findings
    # the inner mail's candidates are not tried on the outer mail's own attachments
    outer_zip = (MailBuilder().from_(("佐藤 花子", "sato@example.co.jp")).to("it@example.co.jp")
                 .subject("転送").text("確認をお願いします。\n").attach_message(inner, "RE 請求書.eml")
                 .attach(z, "別の.zip").build())
    v = ENGINE.analyze(outer_zip)
    assert "file.encrypted_uninspected" in v.attachments[1].codes


def test_password_tries_are_bounded() -> None:
    z = zip_archive({"a.doc": ole_document("doc")}, "nope-nope-nope")
    root = walk(z, "a.zip", tuple(f"Wrong{i:03d}x" for i in range(100)), Limits(max_password_tries=5))
    assert {"limit.passwords", "file.encrypted_uninspected"} <= set(root.codes)


def test_password_zip_example() -> None:
    v = ENGINE.analyze(password_zip())
    assert any("opened with password 'Xk3pq9Ld'" in f for f in v.attachments[0].findings)


# -- LNK, OneNote, ISO, scripts, names, YARA -----------------------------------------------------------


def test_lnk_in_zip_and_yara() -> None:
    root = walk(zip_archive({"資料.lnk": lnk_file(r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", PS)}),
                "資料.zip")
    lnk = root.children[0]
    assert lnk.type == "lnk" and {"file.lnk", "file.lnk_command", "file.yara"} <= set(lnk.codes)
    assert any("powershell.exe" in f and "FromBase64String" in f for f in lnk.findings)
    assert "YARA rule emoguard_lnk_base64_powershell matches" in lnk.findings
    assert "file.yara" not in walk(lnk_file(), "a.lnk").codes


def test_onenote_iso_scripts_names() -> None:
    one = walk(onenote_file(b"@echo off\r\necho " + INERT_MARKER.encode() + b"\r\n"), "請求書.one")
    assert {"file.onenote", "file.onenote_embedded", "file.yara"} <= set(one.codes)
    assert one.children[0].type == "text" and "file.script" in one.children[0].codes
    iso = walk(iso_image({"invoice.lnk": lnk_file()}), "invoice.iso")
    assert "file.iso" in iso.codes and iso.children[0].type == "lnk"
    vbs = walk(b'Set s = CreateObject("WScript.Shell")\r\n', "a.vbs")
    assert {"file.script", "file.script_suspicious"} <= set(vbs.codes)
    assert "file.double_extension" in walk(b"MZ" + b"\x00" * 60, "請求書.pdf.exe").codes
    assert "file.hidden_extension" in walk(b"x", "report\u202etxt.exe").codes
    assert "file.executable" in walk(b"MZ" + b"\x00" * 60, "a.bin").codes


def test_user_yara_dir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "mine.yar").write_text('rule site_marker { strings: $a = "EMOGUARD-INERT" wide condition: $a }')
    eng = Engine.load(search_defaults=False, config=ENGINE.config.with_overrides({"yara.dirs": [str(tmp_path)]}))
    v = eng.analyze(mail("ご確認ください。\n", ole_document("doc"), "a.doc"))
    assert any("mine.site_marker" in f for f in v.attachments[0].findings)
    (tmp_path / "bad.yar").write_text("rule broken { condition: nope }")
    with pytest.raises(ValueError, match=r"bad\.yar"):
        Engine.load(search_defaults=False, config=ENGINE.config.with_overrides({"yara.dirs": [str(tmp_path)]}))


# -- declared sizes and hostile inputs --------------------------------------------------------------


def test_padded_doc_flagged_from_central_directory() -> None:
    t0 = time.monotonic()
    v = ENGINE.analyze(padded_doc_zip())
    assert time.monotonic() - t0 < 20  # generous guard; the benchmark measures the real time
    root = v.attachments[0]
    assert any("請求書_0307.doc declares 520 MB" in f for f in root.findings)
    assert root.children[0].declared_size == 520_000_000 and root.children[0].size <= 4 * 1024 * 1024
    assert any(h.rule == "file.padded_document" for h in v.hits)


def test_zip_bomb_gives_a_verdict_with_a_finding() -> None:
    inner = zip_archive({f"{i}.bin": PaddedFile(b"", 20_000_000) for i in range(10)}, compression="deflated")
    outer = zip_archive({f"{i}.zip": inner for i in range(10)})
    t0 = time.monotonic()
    v = ENGINE.analyze(mail("ご確認ください。\n", outer, "bomb.zip"))
    assert time.monotonic() - t0 < ENGINE.inspector.limits.time_budget + 10
    assert any(h.rule == "file.limits_hit" for h in v.hits)
    assert "limit.ratio" in codes(v.attachments[0])


def test_deep_nesting_stops_at_depth_limit() -> None:
    data = INERT_MARKER.encode()
    for i in range(40):
        data = zip_archive({f"level{i}.zip" if i else "a.txt": data})
    v = ENGINE.analyze(mail("ご確認ください。\n", data, "deep.zip"))
    assert "limit.depth" in codes(v.attachments[0])
    assert any(h.rule == "file.limits_hit" for h in v.hits)


def test_nesting_loop_is_detected() -> None:
    import hashlib

    z = zip_archive({"a.txt": b"x"})
    ins = ENGINE.inspector
    w = Walker(ins, Budget(ins.limits))
    node = w.node(z, "self.zip", depth=1, ancestors=frozenset({hashlib.sha256(z).hexdigest()}))
    assert "limit.loop" in node.codes


def test_truncated_and_garbage_archives() -> None:
    full = zip_archive({"a.doc": ole_document("doc")}, compression="deflated")
    for data, name in [(full[: len(full) // 2], "cut.zip"), (b"PK\x03\x04" + b"\x00" * 50, "junk.zip"),
                       (b"7z\xbc\xaf\x27\x1c" + b"\x00" * 30, "junk.7z"), (b"Rar!\x1a\x07\x00" + b"\x01" * 30, "j.rar"),
                       (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "j.gz"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 99,
                                                                     "j.doc")]:
        v = ENGINE.analyze(mail("ご確認ください。\n", data, name))
        assert v.attachments and {"archive.corrupt", "office.unparsed"} & codes(v.attachments[0]), name


def test_time_budget() -> None:
    data = zip_archive({f"{i}.doc": vba_document("doc") for i in range(30)})
    root = walk(data, "many.zip", limits=Limits(time_budget=0.0))
    assert "limit.time" in codes(root)


def test_members_limit() -> None:
    root = walk(zip_archive({f"{i}.txt": b"x" for i in range(20)}), "many.zip", limits=Limits(max_members=5))
    assert "limit.members" in root.codes and len(root.children) == 5


def test_explode_never_raises_on_random_bytes() -> None:
    import random

    rnd = random.Random(7)
    seeds = [zip_archive({"a.doc": ole_document("doc")}), vba_document("xls"), lnk_file(), onenote_file(b"x"),
             docx(), iso_image({"a.txt": b"x"})]
    for s in seeds:
        for _ in range(15):
            b = bytearray(s)
            for _ in range(8):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
            n = explode(Part(path="1", content_type="x", payload=bytes(b), filename="f", is_attachment=True))
            assert isinstance(n, FileNode)


def test_record_uses_the_memoized_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    orig = Inspector.explode_message

    def counting(self, *a, **k):  # type: ignore[no-untyped-def]
        calls.append(1)
        return orig(self, *a, **k)

    monkeypatch.setattr(Inspector, "explode_message", counting)
    v = ENGINE.analyze(password_zip())
    assert len(calls) == 1 and v.attachments[0].children


def test_no_attachment_costs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self, *a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("explode called for a mail without attachments")

    monkeypatch.setattr(Walker, "explode_part", boom)
    v = ENGINE.analyze(MailBuilder().from_("a@b.example").to("c@d.example").subject("x").text("本文\n").build())
    assert v.attachments == () and not v.errors
