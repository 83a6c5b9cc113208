"""The Office/archive test files of oletools, msoffcrypto-tool, VBAstomp, sflock and
eml_analyzer (read in place from ../shared/corpora, never copied), each attached to a
generated mail and run through the engine: every documented auto-exec macro, XLM sheet,
DDE field and encrypted document is reported, clean documents are not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emoguard import Engine
from emoguard.attachments import iter_nodes
from emoguard.model import Context, FileNode
from emoguard.testing import MailBuilder

pytestmark = pytest.mark.corpus

ENGINE = Engine.load(search_defaults=False)
# Passwords documented in shared/corpora/README.md, given the way a site would configure them.
PASSWORDS = ("infected-test", "Password1234_", "123456789012345", "infected", "sflock", "password")


def _corpus() -> Path | None:
    from tests.conftest import corpora_dir

    return corpora_dir()


def analyze(path: Path, passwords: tuple[str, ...] = ()) -> tuple[FileNode, set[str]]:
    raw = (MailBuilder().from_(("山田 太郎", "yamada@partner.example")).to("tanaka@example.co.jp")
           .subject("資料送付").text("お世話になっております。\n資料をお送りします。\n")
           .attach(path.read_bytes(), path.name).build())
    v = ENGINE.analyze(raw, Context(passwords=passwords))
    assert len(v.attachments) == 1, v.errors
    root = v.attachments[0]
    return root, {c for _, n in iter_nodes([root]) for c in n.codes}


def _files(rel: str, pattern: str = "*") -> list[Path]:
    base = _corpus()
    if base is None:
        return []
    return sorted(p for p in (base / rel).glob(pattern) if p.is_file())


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


VBASTOMP = [p for p in _files("vbastomp_macro_docs", "**/*") if p.suffix in (".doc", ".docm", ".xls", ".xlsm")]


@pytest.mark.parametrize("path", VBASTOMP, ids=_ids(VBASTOMP))
def test_vbastomp_autoexec_and_stomping(path: Path, corpora: Path) -> None:
    root, codes = analyze(path)
    assert "office.vba_autoexec" in codes, (path.name, root.to_dict())
    if "_stomped_" in path.name:
        assert "office.vba_stomping" in codes, path.name
    else:
        assert "office.vba_stomping" not in codes, path.name


XLM = _files("oletools_test_data/excel4-macros")


@pytest.mark.parametrize("path", XLM, ids=_ids(XLM))
def test_excel4_macros(path: Path, corpora: Path) -> None:
    _, codes = analyze(path)
    assert {"office.xlm", "office.xlm_autoopen"} <= codes, path.name


DDE = [p for p in _files("oletools_test_data/msodde") if p.name.startswith("dde-")] + [
    p for p in _files("oletools_test_data/ooxml") if p.name.startswith("dde-")]


@pytest.mark.parametrize("path", DDE, ids=_ids(DDE))
def test_dde(path: Path, corpora: Path) -> None:
    _, codes = analyze(path, ("infected-test",))  # the .zip ones use the oletools password
    assert "office.dde" in codes, path.name


CLEAN = [p for p in _files("oletools_test_data", "**/harmless-clean*")] + _files(
    "msoffcrypto_tool_tests/tests/inputs", "plain.*")


@pytest.mark.parametrize("path", CLEAN, ids=_ids(CLEAN))
def test_clean_documents_have_no_findings(path: Path, corpora: Path) -> None:
    root, codes = analyze(path)
    assert codes == set(), (path.name, root.to_dict())
    v = ENGINE.analyze(MailBuilder().from_("a@partner.example").to("b@example.co.jp").subject("資料")
                       .text("資料です。\n").attach(path.read_bytes(), path.name).build())
    assert not [h for h in v.hits if h.rule.startswith("file.")], path.name


AUTOSTART_ENC = _files("oletools_test_data/encrypted", "autostart-encrypt-standardpassword.*")
DDE_ENC = _files("oletools_test_data/encrypted", "dde-test-encrypt-standardpassword.*")


@pytest.mark.parametrize("path", AUTOSTART_ENC + DDE_ENC, ids=_ids(AUTOSTART_ENC + DDE_ENC))
def test_encrypted_with_office_default_password(path: Path, corpora: Path) -> None:
    root, codes = analyze(path)
    assert {"office.encrypted", "office.decrypted"} <= codes, path.name
    assert any("VelvetSweatshop" in f for _, n in iter_nodes([root]) for f in n.findings)
    want = "office.vba_autoexec" if path.name.startswith("autostart") else "office.dde"
    assert want in codes, (path.name, root.to_dict())


UNKNOWN_PW = _files("oletools_test_data/encrypted", "encrypted.*") + _files(
    "oletools_test_data/basic", "encrypted.docx") + _files("eml_analyzer_fixtures", "encrypted.docx")


@pytest.mark.parametrize("path", UNKNOWN_PW, ids=[f"{p.parent.name}/{p.name}" for p in UNKNOWN_PW])
def test_encrypted_unknown_password_is_uninspected_never_clean(path: Path, corpora: Path) -> None:
    _, codes = analyze(path)
    assert {"office.encrypted", "file.encrypted_uninspected"} <= codes, path.name
    v = ENGINE.analyze(MailBuilder().from_("a@partner.example").to("b@example.co.jp").subject("資料")
                       .text("資料です。\n").attach(path.read_bytes(), path.name).build())
    assert any(h.rule == "file.encrypted_uninspected" for h in v.hits)


MSOFFCRYPTO_PW = _files("msoffcrypto_tool_tests/tests/inputs", "*password*") + _files(
    "sflock_safe_test_files", "encrypted1.docx") + _files("sflock_safe_test_files", "xlsx_encoded.xlsx")


@pytest.mark.parametrize("path", MSOFFCRYPTO_PW, ids=_ids(MSOFFCRYPTO_PW))
def test_encrypted_documents_open_with_configured_passwords(path: Path, corpora: Path) -> None:
    _, codes = analyze(path)
    assert "office.encrypted" in codes and "file.encrypted_uninspected" in codes, path.name
    _, codes = analyze(path, PASSWORDS)
    assert {"office.encrypted", "office.decrypted"} <= codes and "file.encrypted_uninspected" not in codes


def test_other_documented_macros(corpora: Path) -> None:
    for rel, keyword in [("eml_analyzer_fixtures/macro.xls", "Workbook_Open"),
                         ("oletools_test_data/oleform/oleform-PR314.docm", "VBA auto-exec"),
                         ("oletools_test_data/olevba/sample_with_vba.ppt", "VBA auto-exec")]:
        root, codes = analyze(corpora / rel)
        assert "office.vba_autoexec" in codes, rel
        assert any(keyword in f for _, n in iter_nodes([root]) for f in n.findings), rel


def test_embedded_objects_and_external_links(corpora: Path) -> None:
    emb = [p for p in (corpora / "oletools_test_data/oleobj").glob("embedded-*")
           if p.suffix not in (".xml", ".odp")]
    assert len(emb) > 20
    for p in emb:
        assert "office.embedded_object" in analyze(p)[1], p.name
    _, codes = analyze(corpora / "oletools_test_data/oleobj/sample_with_calc_embedded.doc")
    assert {"office.embedded_object", "file.executable"} <= codes
    for name in ("sample_with_lnk_file.doc", "sample_with_lnk_file.ppt", "sample_with_lnk_file.pps"):
        _, codes = analyze(corpora / "oletools_test_data/oleobj" / name)
        assert {"office.embedded_object", "file.lnk"} <= codes, name
    for p in (corpora / "oletools_test_data/oleobj/external_link").iterdir():
        assert "office.external_link" in analyze(p)[1], p.name


def test_sflock_archives(corpora: Path) -> None:
    base = corpora / "sflock_safe_test_files"
    for name in ("zip_encrypted.zip", "zip_encrypted2.zip", "7z_encrypted.7z"):
        root, codes = analyze(base / name)
        assert "archive.encrypted" in codes and "file.encrypted_uninspected" in codes, name
        root, codes = analyze(base / name, PASSWORDS)
        assert "archive.opened_with_password" in codes and "file.encrypted_uninspected" not in codes, name
        assert root.children and all(c.size > 0 for c in root.children), root.to_dict()
    for name, member in (("zip_nested.zip", "foo/bar.txt"), ("zip_nested2.zip", "deepfoo/foo/bar.txt")):
        root, codes = analyze(base / name)  # nested folders, not nested archives
        assert [c.name for c in root.children] == [member] and codes == set(), root.to_dict()


def test_sflock_rar(corpora: Path) -> None:
    import shutil

    path = corpora / "sflock_safe_test_files" / "sflock_encrypted2.rar"
    _, codes = analyze(path)
    assert {"archive.encrypted", "file.encrypted_uninspected"} <= codes
    if shutil.which("unar") is None:
        pytest.skip("unar not installed: encrypted RAR members cannot be unpacked")
    root, codes = analyze(path, PASSWORDS)
    assert "archive.opened_with_password" in codes, root.to_dict()
    assert root.children[0].name == "sflock.txt" and root.children[0].size > 0


def test_attached_mail_is_exploded(corpora: Path) -> None:
    raw = (corpora / "sflock_safe_test_files" / "eml_nested_eml.eml").read_bytes()
    v = ENGINE.analyze(raw)
    nodes = [n for _, n in iter_nodes(v.attachments)]
    assert any(n.type == "message/rfc822" for n in nodes), [a.to_dict() for a in v.attachments]
    assert len(nodes) >= 2


def test_msg_and_eml_inside_zip(corpora: Path) -> None:
    from emoguard.testing import zip_archive

    from .builders import vba_document

    msg = (corpora / "outlook_msg" / "msgreader" / "msgInMsg.msg").read_bytes()
    inner_eml = (MailBuilder().from_("a@partner.example").to("b@example.co.jp").subject("転送")
                 .text("資料です。\n").attach(vba_document("doc"), "注文.doc").build())
    z = zip_archive({"転送.eml": inner_eml, "msgInMsg.msg": msg})
    raw = (MailBuilder().from_("c@partner.example").to("b@example.co.jp").subject("資料")
           .text("資料です。\n").attach(z, "資料.zip").build())
    v = ENGINE.analyze(raw)
    nodes = dict(iter_nodes(v.attachments))
    assert nodes["資料.zip › 転送.eml"].type == "message/rfc822"
    assert "office.vba_autoexec" in nodes["資料.zip › 転送.eml › 注文.doc"].codes
    assert nodes["資料.zip › msgInMsg.msg"].type == "ole/msg"
    assert nodes["資料.zip › msgInMsg.msg"].children, v.to_dict()["attachments"]
