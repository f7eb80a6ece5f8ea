"""The application factory: ``create_app(settings)`` wires storage, routes and error handling.

Creating the app loads and checks the rule pack first (``Settings.rule_pack``, default
rules/pack) — a broken rule file stops the start with a RulebookError naming the file, before
the database is touched or any check could fail on it — then migrates the database to the
current schema (a fresh SQLite file is created on first run), so ``planalign serve`` needs no
separate set-up step. Nothing is global: each app owns its engine, settings, rule pack, check
limiter and write rate limiter in ``app.state``, which is what lets the tests run several apps
(SQLite, PostgreSQL) side by side.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import anyio
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.engine import Checker, make_checker
from api.errors import PROBLEM_JSON, Problem, install_error_handlers
from api.jobs import JobRunner
from api.ratelimit import WRITE_METHODS, limit_writes, make_rate_limiter
from api.routes import audit, batches, catalog, checks, findings, plans, rules, tokens
from api.settings import Settings
from api.storage import make_engine, migrate
from api.web import install as install_web
from api.web.views import PREFIX as WEB_PREFIX
from api.web.views import too_large_page
from rulesengine import __version__
from rulesengine.rulebook import default_rulebook, load_rulebook

__all__ = ["create_app"]

_MULTIPART_OVERHEAD = 64 * 1024


class BodySizeLimit:
    """Refuse a request whose declared body is over the upload limit before reading any of it.

    Without this, the multipart parser would spool a 2 GB upload to disk before the route could
    say 413. Bodies without a Content-Length are still bounded by the route's own check.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_batch_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_batch_bytes = max_batch_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers") or []).get(b"content-length")
            path = str(scope.get("path") or "")
            # a batch (many documents at once) has a limit of its own
            batch = path in _BATCH_PATHS and scope.get("method") == "POST"
            limit = self.max_batch_bytes if batch else self.max_bytes
            if length is not None and length.isdigit() and int(length) > limit:
                if path == WEB_PREFIX or path.startswith(WEB_PREFIX + "/"):  # a person, not a client
                    await _drain(receive, int(length))
                    await too_large_page(path, limit)(scope, receive, send)
                    return
                problem = Problem(
                    413,
                    "too_large",
                    f"请求过大:上限约 {limit:,} 字节",
                    f"the request body is larger than the limit of about {limit:,} bytes",
                    field="file",
                )
                response = JSONResponse(
                    problem.body(scope.get("path")),
                    status_code=413,
                    media_type="application/problem+json",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


_DRAIN_MAX = 256 * 1024 * 1024
_BATCH_PATHS = frozenset({"/batches", f"{WEB_PREFIX}/batches"})


async def _drain(receive: Receive, length: int) -> None:
    """Read and drop a refused body, so that a browser, which sends all of it before it reads
    the answer, sees the page instead of a reset connection. Nothing is kept; a body declared
    larger than ``_DRAIN_MAX`` is not read at all."""
    if length > _DRAIN_MAX:
        return  # not worth reading: the browser will show its own error
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


class NoSniff:
    """Every response says ``X-Content-Type-Options: nosniff``.

    Plan texts are whatever was uploaded, ``<script>`` included; the API returns them inside
    JSON, and no browser may guess that such a body is HTML and run it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_nosniff(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, send_nosniff)


def _nothing() -> None:
    """A checker handed in by the caller is the caller's to release."""


def create_app(settings: Settings | None = None, *, checker: Checker | None = None) -> FastAPI:
    """A ready app for ``settings`` (default: from the environment), schema up to date.

    ``checker`` replaces the alignment check (tests script findings with it).
    """
    settings = settings or Settings.from_env()
    rulebook = load_rulebook(settings.rule_pack) if settings.rule_pack else default_rulebook()
    engine = make_engine(settings)
    migrate(engine)
    release: Callable[[], None] = _nothing
    if checker is None:
        checker, release = make_checker(settings.engine_workers, rulebook if settings.rule_pack else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lease = timedelta(seconds=settings.job_lease_seconds)
        runner = (
            JobRunner(engine, settings, checker, lease=lease, rulebook=rulebook)
            if settings.job_runner
            else None
        )
        app.state.job_runner = runner
        if runner is not None:
            runner.start()
        yield
        if runner is not None:
            await anyio.to_thread.run_sync(runner.stop)
        release()
        engine.dispose()

    app = FastAPI(
        title="planalign",
        summary="规划对标检查服务 — check a local plan against the plans above it",
        description=(
            "上传规划、运行对标检查、审核问题。所有请求需要令牌 `Authorization: Bearer pa_…`"
            "(`planalign token create --role reviewer --name 张三`)。错误均为 RFC 9457 "
            "problem+json,附中文与英文说明及出错字段。\n\n"
            "Upload plans, run alignment checks, review findings. Every request needs a token; "
            "every error is RFC 9457 problem+json with Chinese and English messages and the "
            "field at fault."
        ),
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # served below from vendored files: FastAPI's default loads them from a CDN
        redoc_url=None,
        dependencies=[Depends(limit_writes)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.check_limiter = anyio.CapacityLimiter(settings.check_concurrency)
    app.state.checker = checker
    app.state.rulebook = rulebook
    app.state.rate_limiter = make_rate_limiter(settings, engine)
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_upload_bytes + _MULTIPART_OVERHEAD,
        max_batch_bytes=settings.max_batch_bytes + _MULTIPART_OVERHEAD,
    )
    app.add_middleware(NoSniff)

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str | int]:
        """Liveness, without a token: the service answers, knows its database backend, and says
        which API process answered (``pid``: behind ``serve --workers N`` there are N)."""
        return {"status": "ok", "database": engine.dialect.name, "version": __version__, "pid": os.getpid()}

    for module in (plans, checks, findings, audit, rules, catalog, tokens, batches):
        app.include_router(module.router)
    install_web(app)
    _install_docs(app)
    _document_rate_limit(app)
    return app


def _install_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI from the vendored swagger-ui-dist under /web/static/swagger-ui, so the
    page works on a network without internet (the default loads it from a CDN and is blank)."""
    assets = f"{WEB_PREFIX}/static/swagger-ui"

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="planalign · 规划对标检查 API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
        )


def _document_rate_limit(app: FastAPI) -> None:
    """Add the 429 answer of ``limit_writes`` to every write operation in the OpenAPI schema."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path_item in schema.get("paths", {}).values():
                for method, operation in path_item.items():
                    if method.upper() in WRITE_METHODS:
                        operation.setdefault("responses", {}).setdefault("429", _TOO_MANY_REQUESTS)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


_TOO_MANY_REQUESTS: dict[str, Any] = {
    "description": "Too Many Requests: the token's write budget is spent (see Retry-After)",
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemBody"}}},
}
