"""emoguard.testing.vba: VBA projects with matching or stomped p-code, read by olevba and pcodedmp."""

from __future__ import annotations

import io

import pytest

from emoguard import Engine
from emoguard.attachments import iter_nodes
from emoguard.testing import MailBuilder
from emoguard.testing.vba import ovba_compress, vba_document

olevba = pytest.importorskip("oletools.olevba")
pcodedmp = pytest.importorskip("pcodedmp.pcodedmp")

ENGINE = Engine.load(search_defaults=False)


def _disasm(data: bytes, name: str) -> str:
    vp = olevba.VBA_Parser(name, data=data)

    class Args:
        disasmOnly = True
        verbose = False

    out = io.StringIO()
    try:
        pcodedmp.processProject(vp, Args, output_file=out)
    finally:
        vp.close()
    return out.getvalue()


def _source(data: bytes, name: str) -> str:
    vp = olevba.VBA_Parser(name, data=data)
    try:
        return "\n".join(code for _, _, _, code in vp.extract_macros())
    finally:
        vp.close()


def test_ovba_compress_round_trips() -> None:
    for data in (b"", b"Sub A()\r\nEnd Sub\r\n", bytes(range(256)) * 40):
        assert olevba.decompress_stream(bytearray(ovba_compress(data))) == data


@pytest.mark.parametrize("kind", ["doc", "xls"])
def test_matching_pcode(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = vba_document(kind, pcode=True)  # type: ignore[arg-type]
    src = _source(data, f"a.{kind}")
    asm = _disasm(data, f"a.{kind}")
    proc = "AutoOpen" if kind == "doc" else "Workbook_Open"
    assert f"Sub {proc}()" in src
    assert f"FuncDefn (Private Sub {proc}())" in asm
    assert 'LitStr 0x0042 "EMOGUARD-INERT-TEST-FILE: inert test macro, it only shows this box"' in asm
    assert "ArgsCall MsgBox 0x0001" in asm
    assert capsys.readouterr().err == ""  # pcodedmp parsed every table without complaint


def test_stomped_pcode_differs_from_the_source(capsys: pytest.CaptureFixture[str]) -> None:
    data = vba_document("doc", proc="FormatTable", pcode_proc="AutoOpen", pcode_text="only in the p-code")
    src = _source(data, "a.doc")
    asm = _disasm(data, "a.doc")
    assert "Sub FormatTable()" in src and "AutoOpen" not in src and "only in the p-code" not in src
    assert "FuncDefn (Private Sub AutoOpen())" in asm and '"only in the p-code"' in asm
    assert capsys.readouterr().err == ""


def _codes(data: bytes, name: str) -> tuple[set[str], list[str]]:
    raw = (MailBuilder().from_("a@b.example").to("c@d.example").subject("s").text("x\n")
           .attach(data, name).build())
    v = ENGINE.analyze(raw)
    nodes = [n for _, n in iter_nodes(v.attachments)]
    return {c for n in nodes for c in n.codes}, [f for n in nodes for f in n.findings]


def test_the_inspector_reports_stomping_and_the_hidden_autoexec() -> None:
    codes, findings = _codes(vba_document("doc", proc="FormatTable", pcode_proc="AutoOpen",
                                          pcode_text="only in the p-code"), "a.doc")
    assert "office.vba_stomping" in codes
    assert any("procedure AutoOpen" in f and "only in the p-code" in f for f in findings)
    assert "VBA auto-exec: AutoOpen (in the p-code only; the source was stomped)" in findings


@pytest.mark.parametrize("kw", [{}, {"pcode": True}], ids=["no-pcode", "matching-pcode"])
def test_a_normal_macro_document_is_not_stomped(kw: dict[str, bool]) -> None:
    codes, _ = _codes(vba_document("xls", **kw), "a.xls")  # type: ignore[arg-type]
    assert {"office.vba", "office.vba_autoexec"} <= codes
    assert "office.vba_stomping" not in codes
