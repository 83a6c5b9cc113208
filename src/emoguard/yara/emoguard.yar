/*
 * emoguard's own YARA-X rules, written from the public descriptions collected in
 * ../shared/emotet/INDICATORS.md (sections c2, c5, c6, c9). They are run on every file
 * node of an exploded attachment (archive members, decrypted and embedded files too).
 */

rule emoguard_xls_xlm_scd_ocx
{
    meta:
        description = "Excel 97-2003 workbook naming two or more scd*.ocx payload files (Emotet XLM 2021-11 to 2022)"
        reference = "INDICATORS c2 (Netskope Emotet_XLS_File description)"
    strings:
        $ole = { D0 CF 11 E0 A1 B1 1A E1 }
        $scd1 = "scd1.ocx" ascii wide nocase
        $scd2 = "scd2.ocx" ascii wide nocase
        $scd3 = "scd3.ocx" ascii wide nocase
        $scd4 = "scd4.ocx" ascii wide nocase
    condition:
        $ole at 0 and 2 of ($scd*)
}

rule emoguard_lnk_base64_powershell
{
    meta:
        description = "Windows shortcut whose command line decodes base64 in PowerShell (Emotet LNK 2022-04)"
        reference = "INDICATORS c5 (Netskope Emotet_LNK_File description)"
    strings:
        $ps = "powershell" ascii wide nocase
        $b64 = "FromBase64String" ascii wide nocase
        $enc1 = " -enc " ascii wide nocase
        $enc2 = " -encodedcommand " ascii wide nocase
    condition:
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and $ps and ($b64 or $enc1 or $enc2)
}

rule emoguard_onenote_embedded_file
{
    meta:
        description = "OneNote section with an embedded file (FileDataStoreObject) holding a script or program (2023-03)"
        reference = "INDICATORS c6 (signature-base gen_onenote_phish description)"
    strings:
        $guid = { E7 16 E3 BD 65 26 11 45 A4 C4 8D 4D 0B 7A 9E AC }
        $s1 = "@echo off" ascii wide nocase
        $s2 = "WshShell" ascii wide nocase
        $s3 = "CreateObject" ascii wide nocase
        $s4 = "powershell" ascii wide nocase
        $s5 = "<hta:" ascii wide nocase
        $s6 = "WScript" ascii wide nocase
        $mz = { 4D 5A 90 00 }
        $lnk = { 4C 00 00 00 01 14 02 00 }
    condition:
        uint32(0) == 0x7B5C52E4 and $guid and any of ($s*, $mz, $lnk)
}

rule emoguard_activemime
{
    meta:
        description = "ActiveMime macro container (Word 2003 XML / MHT documents carrying VBA)"
        reference = "INDICATORS c9 (Yara-Rules Maldoc_MIME_ActiveMime_b64 description)"
    strings:
        $raw = "ActiveMime" ascii
        $b64a = "QWN0aXZlTWltZQ" ascii
        $b64b = "FjdGl2ZU1pbWU" ascii
        $b64c = "BY3RpdmVNaW1l" ascii
    condition:
        $raw at 0 or any of ($b64*)
}
