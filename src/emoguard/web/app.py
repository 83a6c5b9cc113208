"""The FastAPI application: pages (Jinja2, ja/en) and the REST API under ``/api/v1``.

See :mod:`emoguard.web` for the overview and docs/web.md for the user's side.
Routes that serve people are left out of the OpenAPI spec; the spec describes the API
(``docs/openapi.json`` is generated from it and a test keeps the two equal).
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at
# run time, and some name objects local to create_app (the bearer scheme, path params).

import asyncio
import base64
import functools
import hashlib
import json
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import anyio
import anyio.to_thread
import jinja2
from fastapi import FastAPI, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from emoguard import __version__
from emoguard.config import Config
from emoguard.sinks.html import size_text
from emoguard.web import data
from emoguard.web.analysis import AnalysisError, AnalysisPool, AnalysisTimeout, Busy, UploadError, prepare_upload
from emoguard.web.auth import CSRF_COOKIE, SESSION_COOKIE, Sessions, TokenCheck
from emoguard.web.labels import LANGS, labels

log = logging.getLogger("emoguard.web")

HERE = Path(__file__).parent
LANG_COOKIE = "eg_lang"
MULTIPART_SLACK = 64 * 1024  # multipart framing and form fields around an upload
SMALL_BODY = 64 * 1024  # any other POST (login, release)
ANALYZE_PATHS = ("/api/v1/analyze", "/analyze")
RAW_TYPES = ("message/rfc822", "application/octet-stream", "application/vnd.ms-outlook", "text/plain")
CACHE_SIZE = 64  # recent verdict pages kept in memory (with body and headers: at most ~1.2 MB each)
MAX_HISTORY_ID = 2**53

# The iframe document that shows sanitised HTML: its only style is this inline sheet,
# allowed by hash in the Content-Security-Policy (which the srcdoc document inherits).
BODY_CSS = (
    "body{font:14px/1.6 system-ui,sans-serif;margin:8px;color:#1f2328;overflow-wrap:anywhere}"
    "img{max-width:100%;border:1px dashed #d0d7de}a.eg-link{color:#0b57d0;text-decoration:underline dotted;"
    "cursor:help}table{border-collapse:collapse}td,th{padding:2px 4px}pre{white-space:pre-wrap}"
)
BODY_CSS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(BODY_CSS.encode()).digest()).decode()
CSP = (
    "default-src 'none'; script-src 'self'; "
    f"style-src 'self' '{BODY_CSS_HASH}'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


@dataclass
class Settings:
    """What the app needs; :meth:`from_config` fills it from the configuration."""

    config: Config
    token: TokenCheck
    jobs: int = 1
    timeout: float = 30.0
    max_upload: int = 25 * 1024 * 1024
    history: bool = True
    default_lang: str = "ja"
    session_key: bytes | None = None

    @property
    def state_dir(self) -> Path:
        return self.config.state_dir

    @classmethod
    def from_config(cls, cfg: Config, token: TokenCheck, *, history: bool = True, lang: str = "ja") -> "Settings":
        from emoguard.runner import default_jobs

        return cls(config=cfg, token=token, jobs=int(cfg["web.jobs"]) or default_jobs(),
                   timeout=float(cfg["web.timeout"]), max_upload=int(cfg["web.max_upload_bytes"]),
                   history=history and bool(cfg["scan.history"]), default_lang=lang)


# -- API models (documentation and response checks) ------------------------------------------


class ErrorBody(BaseModel):
    error: str = Field(description="machine-readable code, e.g. too_large, not_mail, unauthorized")
    detail: str = Field(description="what went wrong, in English")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    workers: int
    replaced_workers: int


class HitModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    rule: str
    score: float
    evidence: list[str]
    evidence_ja: list[str]
    title: dict[str, str]
    tags: list[str]


class FileNodeModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    type: str
    size: int
    sha256: str
    findings: list[str]
    codes: list[str]
    children: "list[FileNodeModel]"
    md5: str | None = None
    declared_size: int | None = None


class VerdictRecord(BaseModel):
    """The DESIGN 2.2 verdict record, exactly ``Verdict.to_dict()`` (docs/record.md)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    schema_: int = Field(alias="schema")
    source: str
    message_id: str
    from_: str = Field(alias="from")
    to: list[str]
    subject: str
    date: str
    level: Literal["clean", "suspicious", "malicious"]
    score: float
    hits: list[HitModel]
    attachments: list[FileNodeModel]
    defects: list[str]
    errors: list[str]


class HistorySummary(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: int
    at: str = Field(description="when the verdict was recorded (UTC, ISO 8601)")
    origin: str = Field(description="scan | milter | web | ...")
    source: str
    message_id: str
    from_: str = Field(alias="from")
    subject: str
    level: str
    score: float


class HistoryPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[HistorySummary]


class HistoryEntry(BaseModel):
    id: int
    at: str
    origin: str
    record: VerdictRecord


class QuarantineItem(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")
    id: str = Field(description="journal id (as `emoguard restore` uses it) or milter-<history id>")
    origin: Literal["sweep", "milter"]
    state: str = Field(description="quarantined | restored | missing | failed | q_* / r_* (sweep); held | restored")
    kind: str
    mailbox: str
    folder: str
    quarantine_folder: str
    from_: str = Field(alias="from")
    subject: str
    level: str
    score: float
    message_id: str
    created: str
    updated: str
    error: str
    releasable: bool
    queue_id: str | None = None
    recipients: list[str] | None = None
    history_id: int | None = None
    journal: dict[str, Any] | None = None


class QuarantineList(BaseModel):
    items: list[QuarantineItem]


def _err(status: int, description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: _err(401, "missing or wrong bearer token"),
                                                422: _err(422, "invalid parameters")}

EXAMPLE_MAIL = (
    "From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@partner.example>\r\n"
    "To: tanaka@example.co.jp\r\nSubject: RE: invoice\r\nDate: Mon, 10 Jun 2024 09:00:00 +0900\r\n"
    "Message-ID: <1@partner.example>\r\n\r\nPlease check the attached file.\r\n"
)
ANALYZE_BODY = {
    "requestBody": {
        "required": True,
        "description": "One message: the raw bytes (an RFC 5322 mail or an Outlook .msg), or a multipart "
                       "form with the file in the part named `file`.",
        "content": {
            "message/rfc822": {"schema": {"type": "string", "format": "binary"}, "example": EXAMPLE_MAIL},
            "application/vnd.ms-outlook": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


# -- errors ----------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers


class UploadTooLarge(Exception):
    pass


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _json_error(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/health"


# -- the ASGI guard: body limits and security headers ------------------------------------------


class Guard:
    """Refuses bodies over the limit (413, before or while reading) and adds the
    security headers (CSP, nosniff, no-referrer, no framing, no caching) to every response."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        upload = path in ANALYZE_PATHS
        limit = self.settings.max_upload + MULTIPART_SLACK if upload else SMALL_BODY
        shown = self.settings.max_upload if upload else limit
        static = path.startswith("/static/")

        async def send_secured(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"cache-control"]
                headers += list(SECURITY_HEADERS)
                headers.append((b"cache-control", b"no-cache" if static else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        length = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if length is not None and (not length.isdigit() or int(length) > limit):
            status = 413 if length.isdigit() else 400
            code, detail = ("too_large", f"the request body is over the limit ({shown} bytes)") if status == 413 \
                else ("bad_request", "invalid Content-Length")
            resp = _json_error(status, code, detail, headers={"connection": "close"})
            await resp(scope, receive, send_secured)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise UploadTooLarge()
            return message

        await self.app(scope, limited, send_secured)


# -- the app ---------------------------------------------------------------------------------


class _Cache:
    """Recent verdict pages (record + view), by random key; bounded, thread-safe."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._d: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._by_history: dict[int, str] = {}
        self._lock = threading.Lock()

    def put(self, item: dict[str, Any]) -> str:
        key = secrets.token_urlsafe(16)
        with self._lock:
            self._d[key] = item
            if item.get("history_id"):
                self._by_history[int(item["history_id"])] = key
            while len(self._d) > self.size:
                _, old = self._d.popitem(last=False)
                if old.get("history_id"):
                    self._by_history.pop(int(old["history_id"]), None)
        return key

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            return self._d.get(key)

    def for_history(self, hid: int) -> dict[str, Any] | None:
        with self._lock:
            key = self._by_history.get(hid)
            return self._d.get(key) if key else None


def _safe_next(value: str | None) -> str:
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 500:
        return "/"
    return value


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("emoguard.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["size"] = size_text
    return env


def create_app(settings: Settings, *, pool: AnalysisPool | None = None) -> FastAPI:
    """The application. ``pool`` (tests) replaces the worker pool the app would start."""
    sessions = Sessions(settings.session_key)
    analysis_threads = anyio.CapacityLimiter(max(8, settings.jobs * 8))
    templates = _templates()
    cache = _Cache()
    state_dir = settings.state_dir

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        own = pool is None
        p = pool or AnalysisPool(settings.config, jobs=settings.jobs, timeout=settings.timeout)
        try:
            await run_in_threadpool(p.warm_up)
            app.state.pool = p
            yield
        finally:
            if own:
                await run_in_threadpool(p.close)

    app = FastAPI(
        title="emoguard REST API",
        version="1",
        summary="Analyse mail for Emotet-style attacks; history and quarantine.",
        description="Every endpoint except `/api/v1/health` needs `Authorization: Bearer <token>` "
                    "(docs/web.md). Errors come as `{\"error\": code, \"detail\": text}`.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.cache = cache
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    bearer_scheme = HTTPBearer(auto_error=False, description="the token printed by the first `emoguard serve`, "
                                                             "or EMOGUARD_TOKEN")

    # -- helpers -----------------------------------------------------------------------------

    def lang_of(request: Request) -> str:
        c = request.cookies.get(LANG_COOKIE)
        if c in LANGS:
            return str(c)
        accept = request.headers.get("accept-language", "")
        first = accept.split(",")[0].strip().lower()
        if first.startswith("ja"):
            return "ja"
        if first.startswith("en"):
            return "en"
        return settings.default_lang

    def https(request: Request) -> bool:
        return request.url.scheme == "https"

    def logged_in(request: Request) -> bool:
        return sessions.valid(request.cookies.get(SESSION_COOKIE))

    def require_page(request: Request) -> None:
        if not logged_in(request):
            q = request.url.query
            raise LoginRequired(request.url.path + (f"?{q}" if q else ""))

    def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        lang = lang_of(request)
        csrf_cookie = request.cookies.get(CSRF_COOKIE) or ""
        new_cookie = not csrf_cookie or len(csrf_cookie) > 100
        if new_cookie:
            csrf_cookie = sessions.new_csrf_cookie()
        q = request.url.query
        here = request.url.path + (f"?{q}" if q else "")
        if request.method != "GET":  # a page answering a form: switch language to a page one can GET
            here = "/quarantine" if request.url.path.startswith("/quarantine") else (
                "/login" if request.url.path == "/login" else "/")
        body = templates.get_template(name).render(
            L=labels(lang), lang=lang, csrf=sessions.csrf_token(csrf_cookie), here=here,
            here_q=urlencode({"next": here}), version=__version__, logged_in=logged_in(request),
            path=request.url.path, **ctx,
        )
        resp = HTMLResponse(body, status_code=status)
        if new_cookie:
            resp.set_cookie(CSRF_COOKIE, csrf_cookie, httponly=True, samesite="strict", secure=https(request))
        return resp

    def check_csrf(request: Request, form: Any) -> None:
        origin = request.headers.get("origin")
        if origin and origin != "null":
            host = request.headers.get("host", "")
            if origin.split("://", 1)[-1] != host:
                raise PageError(403, labels(lang_of(request))["error.csrf"])
        field_value = form.get("csrf") if form is not None else None
        if not isinstance(field_value, str) or not sessions.csrf_ok(request.cookies.get(CSRF_COOKIE), field_value):
            raise PageError(403, labels(lang_of(request))["error.csrf"])

    async def read_upload(request: Request, *, page: bool) -> tuple[bytes, str, Any]:
        """(bytes, file name, form or None) of an upload; UploadError for bad ones."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        form = None
        name = ""
        if ctype == "multipart/form-data" or (page and ctype == "application/x-www-form-urlencoded"):
            try:
                form = await request.form(max_files=1, max_fields=8, max_part_size=settings.max_upload + 1024)
            except UploadTooLarge:
                raise
            except StarletteHTTPException as e:
                raise UploadError(400, "bad_multipart", f"malformed form: {e.detail}") from None
            except Exception as e:  # python-multipart's own errors
                raise UploadError(400, "bad_multipart", f"malformed form: {type(e).__name__}") from None
            if page:
                check_csrf(request, form)
            f = form.get("file")
            pasted = form.get("source")
            if isinstance(f, UploadFile) and (f.filename or f.size):
                raw = await f.read()
                name = (f.filename or "")[:500]
            elif page and isinstance(pasted, str) and pasted.strip():
                raw = pasted.replace("\r\n", "\n").encode("utf-8", "surrogatepass")
            else:
                raise UploadError(400, "no_file", "no message: send it in a form part named 'file'")
        elif not page and (ctype in RAW_TYPES or not ctype):
            raw = await request.body()
        else:
            raise UploadError(415, "unsupported_media_type",
                              f"send the message as message/rfc822 (or application/vnd.ms-outlook) or as "
                              f"multipart/form-data, not {ctype[:100]!r}")
        if len(raw) > settings.max_upload:
            raise UploadError(413, "too_large", f"the message is over the limit ({settings.max_upload} bytes)")
        return raw, name, form

    async def analyze(raw: bytes, name: str, *, source: str, with_view: bool,
                      history: bool = True) -> tuple[dict[str, Any], int | None]:
        upload = prepare_upload(raw, name)
        p: AnalysisPool = app.state.pool
        try:
            # a thread of their own: queued analyses never starve the other endpoints' threads
            result = await anyio.to_thread.run_sync(
                functools.partial(p.analyze, upload.data, source=source, with_view=with_view),
                limiter=analysis_threads)
        except AnalysisTimeout as e:
            log.warning("analysis abandoned: %s (%s, %d bytes)", e, source, len(raw))
            raise ApiError(504, e.code, str(e)) from None
        except Busy as e:
            raise ApiError(503, e.code, str(e), headers={"retry-after": "5"}) from None
        except AnalysisError as e:
            log.error("analysis failed: %s (%s)", e, source)
            raise ApiError(500, e.code, str(e)) from None
        record = result["record"]
        if upload.meta:  # as emoguard.runner.analyze_raw adds it for the CLI
            record["meta"] = upload.meta
        hid = None
        if settings.history and history:
            try:
                hid = await run_in_threadpool(data.add_history, state_dir, record, "web")
            except Exception as e:  # history is a convenience; the verdict stands
                log.error("history store unavailable (%s): %s", state_dir, e)
        return {"record": record, "view": result.get("view")}, hid

    # -- error handlers ------------------------------------------------------------------------

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        if _is_api(request):
            return _json_error(exc.status, exc.code, exc.detail, exc.headers)
        msg = labels(lang_of(request)).get(f"error.{exc.code.split('_')[-1]}", exc.detail)
        return render(request, "error.html.j2", exc.status, message=msg, detail=exc.detail)

    @app.exception_handler(UploadError)
    async def _upload_error(request: Request, exc: UploadError) -> Response:
        if _is_api(request):
            return _json_error(exc.status, exc.code, exc.message)
        lang = lang_of(request)
        msg = labels(lang)["error.upload"].format(detail=exc.message)
        return render(request, "index.html.j2", exc.status, error=msg, max_upload=settings.max_upload)

    @app.exception_handler(UploadTooLarge)
    async def _too_large(request: Request, exc: UploadTooLarge) -> Response:
        limit = settings.max_upload if request.url.path in ANALYZE_PATHS else SMALL_BODY
        detail = f"the request body is over the limit ({limit} bytes)"
        if _is_api(request) or not logged_in(request):
            return _json_error(413, "too_large", detail, headers={"connection": "close"})
        msg = labels(lang_of(request))["analyze.too_big"].format(size=size_text(settings.max_upload))
        resp = render(request, "index.html.j2", 413, error=msg, max_upload=settings.max_upload)
        resp.headers["connection"] = "close"
        return resp

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login?" + urlencode({"next": _safe_next(exc.next_url)}), status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return render(request, "error.html.j2", exc.status, message=exc.message, detail="")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
                413: "too_large"}.get(exc.status_code, f"http_{exc.status_code}")
        if _is_api(request) or request.url.path.startswith("/static/"):
            return _json_error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))
        if exc.status_code == 404 and not logged_in(request):
            return RedirectResponse("/login", status_code=303)
        return render(request, "error.html.j2", exc.status_code,
                      message=labels(lang_of(request))["error.not_found"] if exc.status_code == 404
                      else str(exc.detail), detail="")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors()[:5]:
            loc = ".".join(str(x) for x in e.get("loc", ()))
            parts.append(f"{loc}: {e.get('msg', '')}")
        detail = "; ".join(parts) or "invalid request"
        if _is_api(request):
            return _json_error(422, "invalid_request", detail)
        require_page(request)
        return render(request, "error.html.j2", 422, message=detail, detail="")

    # -- API -----------------------------------------------------------------------------------

    async def require_token(
        cred: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    ) -> None:
        if cred is None or not settings.token.verify(cred.credentials):
            raise ApiError(401, "unauthorized", "missing or wrong bearer token",
                           headers={"www-authenticate": "Bearer"})

    auth = [Security(require_token)]

    @app.get("/health", include_in_schema=False)
    @app.get("/api/v1/health", response_model=Health, tags=["service"], summary="Liveness (no token needed)")
    async def health(request: Request) -> Health:
        p: AnalysisPool = request.app.state.pool
        return Health(status="ok", version=__version__, workers=p.jobs, replaced_workers=p.replaced)

    @app.get("/api/v1/openapi.json", include_in_schema=False, dependencies=auth)
    async def openapi_spec() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.post(
        "/api/v1/analyze",
        tags=["analysis"],
        summary="Analyse one message",
        description="Returns the verdict record (DESIGN 2.2), exactly what `emoguard scan --format json` "
                    "writes for the same message. The record is added to the history unless `history=false`; "
                    "its id comes back in the `X-Emoguard-History-Id` header.",
        dependencies=auth,
        response_model=None,
        responses={
            200: {"model": VerdictRecord, "description": "the verdict record"},
            400: _err(400, "empty upload, malformed multipart form, no `file` part"),
            401: AUTH_ERRORS[401],
            413: _err(413, "over `web.max_upload_bytes`"),
            415: _err(415, "unsupported content type"),
            422: _err(422, "not one readable message (not mail, an mbox of several, a PST)"),
            503: _err(503, "every analysis worker stayed busy"),
            504: _err(504, "the analysis took longer than `web.timeout` and was abandoned"),
        },
        openapi_extra=ANALYZE_BODY,
    )
    async def api_analyze(
        request: Request,
        source: Annotated[str, Query(max_length=500, description="name recorded as the record's `source` "
                                                                 "(default: the uploaded file name, or '-')")] = "",
        history: Annotated[bool, Query(description="add the verdict to the history")] = True,
    ) -> Response:
        raw, name, form = await read_upload(request, page=False)
        try:
            result, hid = await analyze(raw, name, source=source or name or "-", with_view=False, history=history)
        finally:
            if form is not None:
                await form.close()
        headers = {"x-emoguard-history-id": str(hid)} if hid else None
        return JSONResponse(result["record"], headers=headers)

    @app.get("/api/v1/history", tags=["history"], summary="List verdicts, newest first", dependencies=auth,
             response_model=HistoryPage, responses={**AUTH_ERRORS})
    async def api_history(
        level: Annotated[list[Literal["clean", "suspicious", "malicious"]], Query()] = [],  # noqa: B006
        origin: Annotated[str, Query(max_length=20, description="scan | milter | web | ...")] = "",
        since: Annotated[date | None, Query(description="recorded on or after this day (UTC)")] = None,
        until: Annotated[date | None, Query(description="recorded on or before this day (UTC)")] = None,
        q: Annotated[str, Query(max_length=200, description="text in subject, sender, source or Message-ID")] = "",
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> dict[str, Any]:
        query = data.HistoryQuery(level=tuple(level), origin=origin, since=since, until=until, text=q,
                                  limit=limit, offset=offset)
        total, items = await run_in_threadpool(data.history, state_dir, query)
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    @app.get("/api/v1/history/{hid}", tags=["history"], summary="One verdict from the history", dependencies=auth,
             response_model=HistoryEntry, responses={**AUTH_ERRORS, 404: _err(404, "no such history entry")})
    async def api_history_entry(hid: Annotated[int, PathParam(ge=1, le=MAX_HISTORY_ID)]) -> JSONResponse:
        entry = await run_in_threadpool(data.history_entry, state_dir, hid)
        if entry is None:
            raise ApiError(404, "not_found", f"no history entry {hid}")
        return JSONResponse(entry)

    @app.get("/api/v1/quarantine", tags=["quarantine"], summary="Quarantined mail (sweep journal and milter holds)",
             dependencies=auth, response_model=QuarantineList, responses={**AUTH_ERRORS})
    async def api_quarantine(
        state: Annotated[str, Query(max_length=20, description="only entries in this state")] = "",
    ) -> JSONResponse:
        items = await run_in_threadpool(lambda: data.quarantine(state_dir, state=state))
        return JSONResponse({"items": items})

    qid_param = PathParam(pattern=data.QID.pattern, max_length=30,
                          description="journal id (`emoguard restore --list`) or milter-<history id>")

    @app.get("/api/v1/quarantine/{qid}", tags=["quarantine"], summary="One quarantine entry", dependencies=auth,
             response_model=QuarantineItem, responses={**AUTH_ERRORS, 404: _err(404, "no such entry")})
    async def api_quarantine_entry(qid: Annotated[str, qid_param]) -> JSONResponse:
        item = await run_in_threadpool(data.quarantine_entry, state_dir, qid)
        if item is None:
            raise ApiError(404, "not_found", f"no quarantine entry {qid}")
        return JSONResponse(item)

    @app.post("/api/v1/quarantine/{qid}/release", tags=["quarantine"], summary="Put a quarantined message back",
              description="Sweep entries are restored as `emoguard restore ID` does; mail the milter held is "
                          "released with `web.release_held_command` (postsuper -H).",
              dependencies=auth, response_model=QuarantineItem,
              responses={**AUTH_ERRORS, 404: _err(404, "no such entry"),
                         409: _err(409, "not in a releasable state, or release of held mail not configured"),
                         502: _err(502, "the mailbox or Postfix refused; the journal keeps the state")})
    async def api_release(request: Request, qid: Annotated[str, qid_param]) -> JSONResponse:
        try:
            item = await run_in_threadpool(data.release, settings.config, state_dir, qid, lang=lang_of(request))
        except data.ReleaseError as e:
            raise ApiError(e.status, e.code, e.message) from None
        return JSONResponse(item)

    # -- pages ---------------------------------------------------------------------------------

    @app.get("/lang/{code}", include_in_schema=False)
    async def set_lang(request: Request, code: str, next: str = "/") -> Response:
        resp = RedirectResponse(_safe_next(next), status_code=303)
        if code in LANGS:
            resp.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="strict",
                            secure=https(request))
        return resp

    @app.get("/login", include_in_schema=False)
    async def login_page(request: Request, next: str = "/") -> Response:
        return render(request, "login.html.j2", next_url=_safe_next(next), error="")

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=5)
        check_csrf(request, form)
        next_url = _safe_next(str(form.get("next") or "/"))
        token = form.get("token")
        if not isinstance(token, str) or not settings.token.verify(token.strip()):
            await asyncio.sleep(0.5)  # slows guessing of a weak preset token
            return render(request, "login.html.j2", 401, next_url=next_url,
                          error=labels(lang_of(request))["login.failed"])
        resp = RedirectResponse(next_url, status_code=303)
        resp.set_cookie(SESSION_COOKIE, sessions.issue(), max_age=sessions.max_age, httponly=True,
                        samesite="strict", secure=https(request))
        return resp

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=5)
        check_csrf(request, form)
        sessions.revoke(request.cookies.get(SESSION_COOKIE))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=https(request))
        return resp

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> Response:
        require_page(request)
        return render(request, "index.html.j2", error="", max_upload=settings.max_upload)

    @app.post("/analyze", include_in_schema=False)
    async def page_analyze(request: Request) -> Response:
        require_page(request)
        raw, name, form = await read_upload(request, page=True)
        try:
            result, hid = await analyze(raw, name, source=name or "-", with_view=True)
        finally:
            if form is not None:
                await form.close()
        key = cache.put({**result, "history_id": hid, "at": datetime.now(UTC).isoformat(timespec="seconds"),
                         "origin": "web"})
        return RedirectResponse(f"/verdict/{key}", status_code=303)

    def verdict_page(request: Request, item: dict[str, Any], *, history_id: int | None, kept: bool) -> Response:
        from emoguard.sinks.html import advice, defang, record_view

        lang = lang_of(request)
        record = item["record"]
        rv = record_view(record, lang)
        view = item.get("view") if kept else None
        srcdoc = ""
        if view and view.get("html"):
            srcdoc = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>" + BODY_CSS
                      + "</style></head><body>" + view["html"] + "</body></html>")
        return render(
            request, "verdict.html.j2", r=rv, view=view, srcdoc=srcdoc, history_id=history_id,
            at=item.get("at", ""), origin=item.get("origin", ""),
            advice=advice(rv["level"], lang, errors=bool(rv["errors"]) or rv["unreadable"]),
            record_json=defang(json.dumps(record, ensure_ascii=False, indent=1)[:200_000]),
        )

    @app.get("/verdict/{key}", include_in_schema=False)
    async def verdict(request: Request, key: str) -> Response:
        require_page(request)
        item = cache.get(key)
        if item is None:
            raise PageError(404, labels(lang_of(request))["verdict.expired"])
        return verdict_page(request, item, history_id=item.get("history_id"), kept=True)

    @app.get("/history", include_in_schema=False)
    async def history_page(
        request: Request,
        level: Annotated[list[str], Query()] = [],  # noqa: B006
        origin: Annotated[str, Query(max_length=20)] = "",
        since: Annotated[str, Query(max_length=10)] = "",
        until: Annotated[str, Query(max_length=10)] = "",
        q: Annotated[str, Query(max_length=200)] = "",
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    ) -> Response:
        require_page(request)

        def day(s: str) -> date | None:
            try:
                return date.fromisoformat(s) if s else None
            except ValueError:
                return None

        per = 50
        levels = tuple(lv for lv in level if lv in data.LEVELS)
        query = data.HistoryQuery(level=levels, origin=origin, since=day(since), until=day(until), text=q,
                                  limit=per, offset=(page - 1) * per)
        total, items = await run_in_threadpool(data.history, state_dir, query)
        params = [("level", lv) for lv in levels] + [(k, v) for k, v in
                                                      (("origin", origin), ("since", since), ("until", until),
                                                       ("q", q)) if v]
        newer = urlencode([*params, ("page", page - 1)]) if page > 1 else ""
        older = urlencode([*params, ("page", page + 1)]) if page * per < total else ""
        return render(request, "history.html.j2", items=items, total=total, start=(page - 1) * per + 1 if items else 0,
                      end=(page - 1) * per + len(items), f_levels=levels, f_origin=origin, f_since=since,
                      f_until=until, f_q=q, newer=newer, older=older)

    @app.get("/history/{hid}", include_in_schema=False)
    async def history_item(request: Request, hid: Annotated[int, PathParam(ge=1, le=MAX_HISTORY_ID)]) -> Response:
        require_page(request)
        entry = await run_in_threadpool(data.history_entry, state_dir, hid)
        if entry is None:
            raise PageError(404, labels(lang_of(request))["error.not_found"])
        cached = cache.for_history(hid)
        item = {"record": entry["record"], "view": cached.get("view") if cached else None, "at": entry["at"],
                "origin": entry["origin"]}
        return verdict_page(request, item, history_id=hid, kept=cached is not None)

    @app.get("/quarantine", include_in_schema=False)
    async def quarantine_page(request: Request, released: str = "") -> Response:
        require_page(request)
        return await _quarantine_render(request, released=released if data.QID.match(released) else "")

    async def _quarantine_render(request: Request, *, released: str = "", error: str = "",
                                 status: int = 200) -> Response:
        items = await run_in_threadpool(data.quarantine, state_dir)
        return render(request, "quarantine.html.j2", status, items=items, released=released, error=error,
                      can_release_held=bool(settings.config["web.release_held_command"]))

    @app.post("/quarantine/{qid}/release", include_in_schema=False)
    async def page_release(request: Request, qid: str) -> Response:
        require_page(request)
        form = await request.form(max_files=0, max_fields=5)
        check_csrf(request, form)
        if not data.QID.match(qid):
            raise PageError(404, labels(lang_of(request))["error.not_found"])
        try:
            await run_in_threadpool(data.release, settings.config, state_dir, qid, lang=lang_of(request))
        except data.ReleaseError as e:
            msg = labels(lang_of(request))["quarantine.failed"].format(id=qid, error=e.message)
            return await _quarantine_render(request, error=msg, status=e.status)
        return RedirectResponse("/quarantine?" + urlencode({"released": qid}), status_code=303)

    @app.get("/guide", include_in_schema=False)
    async def guide_page(request: Request) -> Response:
        require_page(request)
        from emoguard.web import guide

        lang = lang_of(request)
        return render(request, "guide.html.j2", sections=guide.sections(lang), sources=guide.sources(lang))

    return _wrap(app, settings)


def _wrap(app: FastAPI, settings: Settings) -> FastAPI:
    """Add the :class:`Guard` (inside Starlette's error middleware, outside the exception
    handlers, so an over-long body raised while reading reaches the handlers)."""
    app.add_middleware(Guard, settings=settings)
    return app


def openapi_document(settings: Settings | None = None) -> dict[str, Any]:
    """The API's OpenAPI document (what docs/openapi.json holds)."""
    from emoguard.config import load_config

    s = settings or Settings(config=load_config(search_defaults=False), token=TokenCheck.for_token("x"))
    return create_app(s).openapi()


def openapi_json() -> str:
    return json.dumps(openapi_document(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
