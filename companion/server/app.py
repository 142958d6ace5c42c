"""The FastAPI application: one factory, state owned by ``app.state``.

Routers for each capability live in their own modules and are included
here; pages are static files from ``web/`` that fetch JSON from the API.
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from companion.config import WEB_DIR, Settings
from companion.errors import InputError
from companion.store import Store

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


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.load()
    app = FastAPI(title="companion", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.store = store or Store(settings.db_path)
    app.state.key = settings.key or secrets.token_urlsafe(24)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError):
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        return JSONResponse({"error": _one_line(exc), "fields": field_errors(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):
        response = await call_next(request)
        # Pages load nothing from elsewhere; tokens in URLs are not leaked by referrers.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
            "connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        )
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    from companion.server import api, links, live, log_api, pages, review

    for module in (api, links, live, log_api, review, pages):
        app.include_router(module.router)
    if WEB_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app

