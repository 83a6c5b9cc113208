"""The web page and REST API (``emoguard serve``; docs/web.md).

``create_app(settings)`` builds the FastAPI application: server-rendered pages in
Japanese and English (upload → verdict, history, quarantine, a guide for staff) and
the JSON API under ``/api/v1``. Analyses run in worker processes
(:mod:`emoguard.web.analysis`) so a message that hangs the engine is abandoned after
``web.timeout`` while the server keeps serving. Access needs a bearer token
(:mod:`emoguard.web.auth`); browser pages use a login form that sets an HttpOnly,
SameSite=Strict session cookie, and every form carries a CSRF token.

FastAPI and its companions are imported only here, never by the engine or the CLI's
other commands.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    # lazy: the analysis workers import emoguard.web.analysis without pulling in FastAPI
    if name in __all__:
        from emoguard.web import app

        return getattr(app, name)
    raise AttributeError(name)
