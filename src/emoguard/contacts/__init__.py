"""The contacts directory: who the organisation really corresponds with (DESIGN 3.1 "identity").

- :class:`Directory` — immutable, picklable snapshot the identity features read
  (``Context.directory``); ``Directory.load(state_dir)`` reads the SQLite store.
- :class:`DirectoryBuilder` — ``add_contact`` (address books), ``learn`` (mail
  history), ``build()``.
- :func:`import_file` — Outlook / Google / Thunderbird CSV, vCard, LDIF, sniffed by
  content; problems as ``file:line: message``.

Everything stays on the machine: nothing here touches the network.
"""

from __future__ import annotations

from emoguard.contacts.directory import (
    AddressStats,
    Directory,
    DirectoryBuilder,
    directory_from_mapping,
)
from emoguard.contacts.importers import Contact, ImportResult, import_bytes, import_file

__all__ = [
    "AddressStats",
    "Contact",
    "Directory",
    "DirectoryBuilder",
    "ImportResult",
    "directory_from_mapping",
    "import_bytes",
    "import_file",
]
