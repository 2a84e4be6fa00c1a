"""The app factory: routers, templates, sessions, CSRF, deny-by-default guard, errors, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import asyncpg
from jinja2 import Environment
from litestar import Litestar, MediaType, Request, Response, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.middleware.base import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig
from piccolo.engine.postgres import PostgresEngine

from governance import backup as _backup_job  # noqa: F401  (registers the daily backup)
from governance import db, guards, jobs, openapi, oversize, storage, templating
from governance.auth import SessionMiddleware
from governance.errors import STALE_EDIT, Conflict, Invalid, NotFound
from governance.settings import ROOT, Settings

log = logging.getLogger("governance")


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(("/api/", "/schema/")) or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def _error_page(
    request: Request[Any, Any, Any], status: int, title: str, message: str, extra: Any = None
) -> Response[Any]:
    if _wants_json(request):
        body: dict[str, Any] = {"status_code": status, "detail": message}
        if extra:
            body["errors"] = extra
        return Response(body, status_code=status, media_type=MediaType.JSON)
    return Template(
        "errors/error.html",
        context={"status": status, "title": title, "message": message, "extra": extra},
        status_code=status,
    )


def _not_authorised(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _wants_json(request):
        return _error_page(request, 401, "Sign in", "Sign in to continue")
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    expired = "&expired=1" if request.scope.get("state", {}).get("session_expired") else ""
    return Redirect(f"/sign-in?next={quote(target, safe='')}{expired}", status_code=303)


def _forbidden(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    detail = getattr(exc, "detail", "")
    if "CSRF" in detail:
        return _error_page(
            request,
            403,
            "Your form could not be sent",
            "The form was out of date or did not come from this service. Nothing was changed. "
            "Go back, reload the page and try again.",
        )
    return _error_page(
        request,
        403,
        "You do not have access to this page",
        "Your account does not allow you to see this page. If you think it should, "
        "ask your system administrator.",
    )


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return _error_page(
        request,
        404,
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link, "
        "the record may have been removed.",
    )


def _validation(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, ValidationException)
    extra = exc.extra if isinstance(exc.extra, list | dict) else None
    return _error_page(
        request,
        400,
        "There is a problem with what was sent",
        exc.detail or "The request could not be read: check every field and try again.",
        extra,
    )


def _invalid(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, Invalid)
    return _error_page(
        request, 422, "There is a problem", "Nothing was changed: " + str(exc), exc.errors
    )


def _conflict(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, Conflict)
    return _error_page(request, 409, "That could not be saved", exc.message)


def _database(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _out_of_range(exc):
        return _too_large(request, exc)
    # Two people saving at once reach the database together: the one that came second is told
    # so in the service's usual words, whichever write path it was.
    if not db.is_clash(exc):
        return _server_error(request, exc)
    log.info("clash on %s %s: %s", request.method, request.url.path, exc)
    return _error_page(request, 409, "That could not be saved", STALE_EDIT)


def _out_of_range(exc: Exception) -> bool:
    # asyncpg refuses an argument too large for its column ("value out of int32 range") before
    # sending it; PostgreSQL itself says "integer out of range".
    return isinstance(exc, asyncpg.NumericValueOutOfRangeError) or (
        isinstance(exc, asyncpg.DataError) and "out of int" in str(exc)
    )


def _too_large(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # A number larger than any column holds (an edit's version from a form, say) reached the
    # database, or a date that far away: the sender's mistake (SQLite raises OverflowError).
    log.info("number out of range on %s %s: %s", request.method, request.url.path, exc)
    return _error_page(
        request,
        400,
        "There is a problem with what was sent",
        "A number in what was sent is larger than the service can hold. Nothing was changed: "
        "check the numbers and try again.",
    )


def _too_deep(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # A JSON body nested thousands deep exhausts the decoder's recursion: the sender's mistake.
    if "deserializing" not in str(exc) and "decoding a JSON" not in str(exc):
        return _server_error(request, exc)
    return _error_page(
        request,
        400,
        "There is a problem with what was sent",
        "The request body is nested too deeply to read. Nothing was changed.",
    )


def _missing(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return _not_found(request, exc)


def _file_missing(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # The record is there but its file is not (a database restored without its files, a
    # bucket emptied): a fault for the administrator, said plainly, not a server error.
    log.error("stored file missing on %s: %s", request.url.path, exc)
    return _error_page(
        request,
        404,
        "The file is missing from storage",
        f"{exc} The record is kept, but its file is not where the service stores files. Tell"
        " your system administrator: it may need restoring from a backup.",
    )


def _http(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    if exc.status_code >= 500:
        return _server_error(request, exc)
    detail = exc.detail
    if exc.status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        limit = request.app.state["settings"].upload_limit_mb
        detail = oversize.too_large_message(limit) + ". Nothing was saved."
    response = _error_page(request, exc.status_code, "There is a problem", detail)
    # e.g. the Allow header of a 405, which names the methods the address does take
    response.headers.update(exc.headers or {})
    return response


def _server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem with the service",
        "Nothing you did caused this, and it has been logged. Try again later.",
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cache-control", b"no-store")
                    if not scope["path"].startswith("/assets/")
                    else (b"cache-control", b"public, max-age=3600"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Ids are PostgreSQL integer columns (32 bits); a larger number in a path names no record, and
# must not reach the database, where it overflows instead of matching nothing.
LARGEST_ID = 2**31 - 1


class PathNumbersInRange:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        for value in (scope.get("path_params") or {}).values():
            if isinstance(value, int) and not -LARGEST_ID <= value <= LARGEST_ID:
                raise NotFoundException(f"No record {value}")
        await self.app(scope, receive, send)


def _routers() -> list[Router]:
    # Imported here so that each area registers its navigation and home sections once. Each area's
    # web.py ends with `router` (pages) and may add `api_router` (JSON under /api/v1).
    from adm import golive_web as adm_golive_web
    from adm import web as adm_web
    from board import web as board_web
    from governance import agency_web
    from governance import web as governance_web
    from panel import record_web as panel_record_web
    from panel import web as panel_web

    routers = []
    for module in (
        governance_web,
        agency_web,
        panel_web,
        panel_record_web,
        adm_web,
        adm_golive_web,
        board_web,
    ):
        routers.append(module.router)
        api = getattr(module, "api_router", None)
        if api is not None:
            routers.append(api)
    return routers


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    environment: Environment = templating.environment()
    static_router = create_static_files_router(
        path="/assets",
        directories=[ROOT / "static"],
        opt=guards.public(),
        include_in_schema=False,
        name="assets",
    )
    # The schema and its documentation page are not part of the API they describe.
    openapi_router = Router(
        path="/schema", route_handlers=[], opt=guards.signed_in(), include_in_schema=False
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = db.engine()
        pool = engine if settings.db_pool and isinstance(engine, PostgresEngine) else None
        if pool is not None:
            await pool.start_connection_pool(min_size=2, max_size=10)
        worker: asyncio.Task[None] | None = None
        if settings.scheduler:
            worker = asyncio.create_task(jobs.run_forever(settings))
        try:
            yield
        finally:
            from panel import pack_runs  # the packs this process was building ahead

            await pack_runs.wait_for_builds()
            if worker is not None:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            if pool is not None:
                await pool.close_connection_pool()

    return Litestar(
        route_handlers=[static_router, *_routers()],
        guards=[guards.enforce_access],
        plugins=[openapi.StrictStructs(), openapi.DocumentedAnswers()],
        middleware=[
            SecurityHeadersMiddleware,
            DefineMiddleware(
                oversize.RefuseOversizeForms,
                limit_bytes=(settings.upload_limit_mb + 1) * 1024 * 1024,
            ),
            DefineMiddleware(SessionMiddleware),
            PathNumbersInRange,
            openapi.AllowEveryMethod,
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.cookie_secure,
            cookie_httponly=True,
            cookie_samesite="lax",
        ),
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        openapi_config=OpenAPIConfig(
            title="Adoption panel and governance API",
            version="1.0.0",
            path="/schema",
            openapi_router=openapi_router,
            render_plugins=[
                SwaggerRenderPlugin(
                    path="/swagger",
                    js_url="/assets/swagger/swagger-ui-bundle.js",
                    css_url="/assets/swagger/swagger-ui.css",
                    standalone_preset_js_url="/assets/swagger/swagger-ui-standalone-preset.js",
                    favicon="<link rel='icon' href='data:,'>",
                )
            ],
        ),
        exception_handlers={
            NotAuthorizedException: _not_authorised,
            PermissionDeniedException: _forbidden,
            NotFoundException: _not_found,
            ValidationException: _validation,
            Invalid: _invalid,
            Conflict: _conflict,
            NotFound: _missing,
            storage.Missing: _file_missing,
            RecursionError: _too_deep,
            OverflowError: _too_large,
            sqlite3.Error: _database,
            asyncpg.PostgresError: _database,
            HTTPException: _http,
            Exception: _server_error,
        },
        request_max_body_size=(settings.upload_limit_mb + 1) * 1024 * 1024,
        lifespan=[lifespan],
        state=State({"settings": settings}),
        debug=False,
    )
