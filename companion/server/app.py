"""The FastAPI application: one factory, state owned by ``app.state``.

Routers for each capability live in their own modules, none of which imports
this one; ``create_app`` includes them explicitly. Pages are static files from
``companion/web/`` that fetch JSON from the API.

What every response shares is decided here: security headers (errors and 500s
included), the Origin rule for state-changing requests, one-line JSON errors,
503 while the data folder cannot be written.
"""

from __future__ import annotations

import secrets
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from companion.config import WEB_DIR, Settings
from companion.errors import InputError, StoreUnavailable
from companion.server import api, groups, live, log_api, pages, review, spec
from companion.server.auth import FORBIDDEN, OTHER_ORIGIN, SAFE_METHODS, check_key, resolve, same_origin
from companion.store import Store
from companion.store.db import problem, unavailable

#: Routers, in the order their routes are matched.
ROUTERS = (api.router, groups.router, live.router, log_api.router, review.router, pages.router, spec.router)


def _one_line(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "invalid request: " + "; ".join(parts)


def security_headers(request: Request) -> dict[str, str]:
    """Headers for every response: nothing loads from elsewhere, no framing, no referrer, tokens stay here."""
    host = request.headers.get("host") or request.url.netloc
    tls = request.url.scheme == "https"
    headers = {
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": (
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
            f"connect-src 'self' {'wss' if tls else 'ws'}://{host}; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        ),
        "Permissions-Policy": ("microphone=(self), camera=(self), display-capture=(), geolocation=(), "
                               "payment=(), usb=()"),
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
    if tls:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def _error(request: Request, message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status,
                        headers={**security_headers(request), **(headers or {})})


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.load()
    key = check_key(settings.key) if settings.key else secrets.token_urlsafe(24)
    app = FastAPI(title="companion", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.store = store or Store(settings.db_path)
    app.state.key = key

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError):
        return _error(request, str(exc), 400)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        # A caller without any valid credential learns nothing, not even the request's schema.
        if resolve(request, request.path_params.get("sid")) is None:
            return _error(request, FORBIDDEN, 403)
        return _error(request, _one_line(exc), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        return _error(request, str(exc.detail), exc.status_code, dict(exc.headers or {}))

    @app.exception_handler(StoreUnavailable)
    async def _store_unavailable(request: Request, exc: StoreUnavailable):
        return _error(request, f"{exc}; try again once that is fixed", 503, {"Retry-After": "30"})

    @app.exception_handler(sqlite3.OperationalError)
    async def _store_error(request: Request, exc: sqlite3.OperationalError):
        if unavailable(exc):
            return _error(request, problem(exc, app.state.store.folder), 503, {"Retry-After": "30"})
        return _error(request, "internal error: the server could not do that (see its log)", 500)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception):
        # Runs outside the middleware below, so it sets the security headers itself.
        return _error(request, "internal error: the server could not do that (see its log)", 500)

    @app.middleware("http")
    async def _guard(request: Request, call_next) -> Response:
        if request.method not in SAFE_METHODS and not same_origin(request):
            return _error(request, OTHER_ORIGIN, 403)
        response = await call_next(request)
        for name, value in security_headers(request).items():
            response.headers.setdefault(name, value)
        return response

    for router in ROUTERS:
        app.include_router(router)
    if WEB_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app
