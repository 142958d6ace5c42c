"""``GET /openapi.json`` (owner key): the API's OpenAPI description, made true where FastAPI cannot see.

FastAPI knows the routes, their parameters and typed bodies. It cannot see the
one-line error answers every route may give, the Markdown exports, or the log
routes' bodies (read by hand so that a bad one is a one-line 422); those are
added here, from the same rules the routes follow.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import APIRouter, Request

from companion.server.auth import require

router = APIRouter()

ERROR = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {"type": "object", "title": "Error", "required": ["error"],
                "properties": {"error": {"type": "string", "description": "what went wrong, in one line"}},
                "additionalProperties": True}
#: Every route but the health check needs a credential; every route may find the data folder unwritable.
COMMON = {
    "403": "no valid credential for this session, or a state-changing request from another site's page",
    "503": "the data folder cannot be written (read-only, disk full); the message names it",
    "500": "a bug; the message says to see the server's log",
}
WITH_SESSION = {"404": "no such session (owner key), or nothing there yet (no report, no log)"}
WITH_GROUP = {"404": "no such group, or no such session of the group"}
WITH_BODY = {"400": "the request cannot be read", "422": "the request body or a parameter is invalid"}
CHANGES = {"409": "the session's state does not allow this now (ended, not yet drafted, a newer version)"}
#: The learning-log routes read their bodies by hand; their shape (DESIGN.md, ``log_draft``).
LOG_BODY = {"type": "object", "additionalProperties": True,
            "properties": {"version": {"type": "integer", "description": "the version this change is based on"}}}
LOG_BODIES = {("put", "/api/sessions/{sid}/log"): (True, "the edited log, with the version it was read at"),
              ("post", "/api/sessions/{sid}/log/approve"): (False, "optionally, the version being approved"),
              ("post", "/api/sessions/{sid}/log/share"): (False, "optionally, the version being shared")}


def _answer(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": ERROR}}}


def amend(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec FastAPI builds, with error answers, Markdown media types and the log bodies."""
    spec = copy.deepcopy(spec)
    spec.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            responses = op.setdefault("responses", {})
            codes: dict[str, str] = {}
            if path != "/api/health":
                codes |= COMMON
            if "{sid}" in path:
                codes |= WITH_SESSION
            if "{gid}" in path:
                codes |= WITH_GROUP
            if method in ("post", "put", "patch") or op.get("parameters"):
                codes |= WITH_BODY
            if (method in ("post", "put") and ("{sid}" in path or "{gid}" in path)) or path.endswith("/links"):
                codes |= CHANGES
            for code, text in codes.items():
                responses.setdefault(code, _answer(text))
            if path.endswith(".md"):
                ok = responses.setdefault("200", {"description": "Successful Response"})
                ok["content"] = {"text/markdown": {"schema": {"type": "string"}}}
            body = LOG_BODIES.get((method, path))
            if body is not None:
                required, text = body
                op["requestBody"] = {"required": required, "description": text,
                                     "content": {"application/json": {"schema": LOG_BODY}}}
    return spec


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> dict[str, Any]:
    require(request, None, owner_only=True)
    app = request.app
    if getattr(app.state, "openapi", None) is None:
        app.state.openapi = amend(app.openapi())
    return app.state.openapi
