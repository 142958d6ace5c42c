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
from companion.server import api, groups, links, live, log_api, pages, review, spec
from companion.server.auth import FORBIDDEN, OTHER_ORIGIN, SAFE_METHODS, check_key, resolve, same_origin
from companion.store import Store
from companion.store.db import problem, unavailable

#: Routers, in the order their routes are matched.
ROUTERS = (api.router, groups.router, links.router, live.router, log_api.router, review.router, pages.router,
           spec.router)

#: What a person calls each field of a request body (the owner's form names them so).
FIELD_NAMES = {
    "title": "Title", "planned_minutes": "Planned length", "mode": "Call", "participants": "People",
    "stage_minutes": "Stage plan", "name": "Name", "role": "Role", "paused": "Pause", "sdp": "Call offer",
}


def _sentence(err: dict) -> str:
    """One validation error in words for a person (pydantic's own text is for programmers)."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        text = str(ctx["error"])
    elif kind == "missing":
        text = "this is needed"
    elif kind == "string_too_short":
        text = "this is empty"
    elif kind == "string_too_long":
        text = f"this is longer than {ctx.get('max_length')} characters"
    elif kind == "too_short":
        text = f"at least {ctx.get('min_length')} are needed"
    elif kind == "too_long":
        text = f"at most {ctx.get('max_length')} are allowed"
    elif kind == "literal_error":
        text = f"choose one of {ctx.get('expected')}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        limit = ctx.get("gt", ctx.get("ge", ctx.get("lt", ctx.get("le"))))
        word = {"greater_than": "more than", "greater_than_equal": "at least",
                "less_than": "less than", "less_than_equal": "at most"}[kind]
        text = f"this must be {word} {limit}"
    elif kind in ("float_parsing", "int_parsing", "float_type", "int_type"):
        text = "this must be a number"
    elif kind == "json_invalid":
        text = "the request is not valid JSON"
    else:
        text = str(err.get("msg", "this is not valid")).removeprefix("Value error, ")
    return text


def _field(loc: tuple) -> tuple[str, str]:
    """(key for the form, words) for an error location such as ('body', 'participants', 1, 'name')."""
    path = [x for x in loc if x != "body"]
    key = ".".join(str(x) for x in path)
    words = []
    for i, part in enumerate(path):
        if isinstance(part, int):
            words.append(f"person {part + 1}" if i and path[i - 1] == "participants" else f"item {part + 1}")
        else:
            words.append(FIELD_NAMES.get(str(part), str(part).replace("_", " ")))
    return key, ", ".join(words)


def field_errors(exc: RequestValidationError) -> dict[str, str]:
    """{field: sentence} for each field at fault; errors of the whole body under ''."""
    out: dict[str, str] = {}
    for err in exc.errors():
        key, _ = _field(tuple(err.get("loc", ())))
        out.setdefault(key, _sentence(err))
    return out


def _one_line(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        _, words = _field(tuple(err.get("loc", ())))
        text = _sentence(err)
        parts.append(f"{words}: {text}" if words else text)
    line = "; ".join(parts)
    return line[:1].upper() + line[1:] + ("" if line.endswith(".") else ".")


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
        return JSONResponse({"error": _one_line(exc), "fields": field_errors(exc)}, status_code=422,
                            headers=security_headers(request))

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
