"""Test helpers shipped with emoguard: mail builders and inert attachment files.

DESIGN 7.13: fakes and message builders live in the package so every test (ours and a
site's own) builds mail the same way. Nothing here is malware: documents hold plain
text, archives hold those documents, links point at ``.example`` hosts.

- :class:`MailBuilder` (``emoguard.testing.mail``): deterministic RFC 5322 bytes.
- ``ole_document``, ``cfb_file``, ``zip_archive``, ``PaddedFile``
  (``emoguard.testing.files``): inert OLE compound files and (encrypted) zips.
- ``emoguard.testing.emotet``: Emotet-style mail by wave, and benign look-alikes.
- ``emoguard.testing.vba``: inert VBA projects, with p-code that matches the source or is
  stomped; ``emoguard.testing.quine``: a zip that contains itself (nesting loop).
- ``emoguard.testing.mangle``: one-defect breakages of good mail.
- ``python -m emoguard.testing.examples DIR``: the committed ``examples/``.
"""

from __future__ import annotations

from emoguard.testing.files import INERT_MARKER, PaddedFile, cfb_file, ole_document, zip_archive
from emoguard.testing.mail import DEFAULT_DATE, MailBuilder

__all__ = [
    "DEFAULT_DATE",
    "INERT_MARKER",
    "MailBuilder",
    "PaddedFile",
    "cfb_file",
    "ole_document",
    "zip_archive",
]
