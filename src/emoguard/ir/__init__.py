"""Incident response: after an infection (DESIGN 4, ``trace`` / ``hostcheck`` / ``notice`` / ``incident``).

- :mod:`emoguard.ir.trace` — which PC or mailbox leaked: rank address books and mail
  stores by how well they explain the partners who received spam in the company's name.
- :mod:`emoguard.ir.hostcheck` — the checks of JPCERT/CC's EmoCheck v1–v5 (reimplemented
  from their documented logic) plus generic persistence, on a live Windows host or on an
  artifact bundle gathered by the shipped PowerShell collector.
- :mod:`emoguard.ir.notice` — the staff warning, the partner warning mail and the public
  notice/apology, in Japanese and English, filled from the incident's facts.
- :mod:`emoguard.ir.incident` — the "if infected" checklist of the seed notice, with
  what is already done.

Everything here is local: nothing reaches the network, nothing is executed.
"""

from __future__ import annotations
