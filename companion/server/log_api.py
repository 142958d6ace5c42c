"""The learning log over HTTP: the coachee's editor and its API (DESIGN.md, "The server").

Who may do what (the roles table): the coachee (in a group, each member for
their own log) reads, saves, approves and shares; the coach, the facilitator
and the owner key read a log only once its owner has approved and shared it,
and otherwise get 403 with nothing of the log in it but the reason. After an edit
that is not shared yet, the coach side keeps reading the last shared version. Every rule is checked
here, per request; the page itself holds no data.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from companion.config import WEB_DIR
from companion.errors import InputError
from companion.logbook import LogBook, LogConflict, LogNotFound, LogStateError, to_html, to_markdown
from companion.model import Role
from companion.server.auth import FORBIDDEN, Access, require

router = APIRouter()

NOT_SHARED = "forbidden: this learning log is private until its owner approves and shares it"
NOT_YOURS = ("forbidden: each learning log belongs to one person; this link opens {name}'s own log only, "
             "and no one else's log can be opened or changed with it")
LOG_OWNER_ROLES = {Role.COACHEE, Role.MEMBER}


def _book(request: Request) -> LogBook:
    return LogBook(request.app.state.store)


def _whose(request: Request, sid: str) -> tuple[Access, str, bool]:
    """(access, whose log, is the caller that log's owner)."""
    access = require(request, sid)
    asked = request.query_params.get("participant") or None
    try:
        if access.participant is not None and access.role in LOG_OWNER_ROLES:
            if asked and asked.casefold() != (access.name or "").casefold():  # a member's log is theirs alone
                raise HTTPException(status_code=403, detail=NOT_YOURS.format(name=access.name))
            return access, _book(request).owner_name(sid, access.name), True
        if not access.coach_side:
            raise HTTPException(status_code=403, detail=FORBIDDEN)
        return access, _book(request).owner_name(sid, asked), False
    except LogNotFound as e:
        raise HTTPException(status_code=404, detail=str(e)) from None


def _owner_only(request: Request, sid: str) -> str:
    access, name, mine = _whose(request, sid)
    if not mine:
        raise HTTPException(status_code=403, detail=FORBIDDEN + ": only the log's owner may do this")
    return name


def _readable(request: Request, sid: str) -> tuple[dict[str, Any], bool]:
    """The log the caller may read, and whether they may edit it; 403 for an unshared log."""
    _, name, mine = _whose(request, sid)
    book = _book(request)
    try:
        if mine:
            return book.current(sid, name), True
    except LogNotFound as e:
        raise HTTPException(status_code=404, detail=str(e)) from None
    log = book.shared(sid, name)
    if log is None:
        raise HTTPException(status_code=403, detail=NOT_SHARED)
    return log, False


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise HTTPException(status_code=400, detail="the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(status_code=400, detail="the request body must be a JSON object")
    return body


def _call(fn, *args, **kw) -> Any:
    """Run a LogBook change, turning its errors into one-line HTTP answers."""
    try:
        return fn(*args, **kw)
    except LogConflict as e:
        return JSONResponse({"error": str(e), "current": e.current}, status_code=409)
    except LogStateError as e:
        raise HTTPException(status_code=409, detail=str(e)) from None
    except LogNotFound as e:
        raise HTTPException(status_code=404, detail=str(e)) from None
    except InputError as e:
        raise HTTPException(status_code=422, detail=str(e)) from None


@router.get("/api/sessions/{sid}/log")
async def get_log(sid: str, request: Request) -> dict[str, Any]:
    log, mine = _readable(request, sid)
    return {**log, "can_edit": mine}


async def _owner_change(request: Request, sid: str, change: str):
    """Save, approve or share: the log's owner only; the answer is the log as it now stands."""
    name = _owner_only(request, sid)
    body = await _body(request)
    book = _book(request)
    if change == "save":
        result = _call(book.save, sid, name, body, body.get("version"), author=name)
    else:
        result = _call(getattr(book, change), sid, name, body.get("version"))
    return result if isinstance(result, Response) else {**result, "can_edit": True}


@router.put("/api/sessions/{sid}/log")
async def put_log(sid: str, request: Request):
    return await _owner_change(request, sid, "save")


@router.post("/api/sessions/{sid}/log/approve")
async def approve_log(sid: str, request: Request):
    return await _owner_change(request, sid, "approve")


@router.post("/api/sessions/{sid}/log/share")
async def share_log(sid: str, request: Request):
    return await _owner_change(request, sid, "share")


@router.get("/api/sessions/{sid}/log/versions")
async def log_versions(sid: str, request: Request) -> Any:
    # Earlier versions were never shared: the owner alone sees the history.
    name = _owner_only(request, sid)
    return _call(_book(request).versions, sid, name)


@router.get("/api/sessions/{sid}/log/versions/{n}")
async def log_version(sid: str, n: int, request: Request) -> dict[str, Any]:
    name = _owner_only(request, sid)
    return {**_call(_book(request).version, sid, name, n), "can_edit": False}


@router.get("/api/sessions/{sid}/log/export.md")
async def export_markdown(sid: str, request: Request) -> Response:
    log, _ = _readable(request, sid)
    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", f"learning-log-{sid}-{log['participant']}-v{log['version']}.md")
    return Response(to_markdown(log), media_type="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/api/sessions/{sid}/logs")
async def list_logs(sid: str, request: Request) -> list[dict[str, Any]]:
    """The logs this caller may open: their own, or (coach side) the ones shared with them."""
    access, _, mine = _whose(request, sid)
    book = _book(request)
    s = request.app.state.store.get_session(sid)
    names: list[str] = [access.name or ""] if mine else [p["name"] for p in s["participants"]
                                        if p["role"] in {str(r) for r in LOG_OWNER_ROLES}]
    out = []
    for name in names:
        log = book.peek(sid, name) if mine else book.shared(sid, name)
        if log is not None:
            out.append({"participant": name, "status": log["status"], "version": log["version"],
                        "shared_at": log["shared_at"]})
    return out


@router.get("/api/sessions/{sid}/previous-actions")
async def previous_actions(sid: str, request: Request) -> dict[str, Any]:
    """The action plan from the last session between the same people, to report back on.

    The coachee (or member) gets their own; the coach side gets it only if that log was shared.
    """
    _, name, mine = _whose(request, sid)
    return {"previous": _call(_book(request).previous_actions, sid, name, shared_only=not mine)}


# -- pages ---------------------------------------------------------------------------

@router.get("/sessions/{sid}/log", include_in_schema=False)
async def log_page(sid: str) -> FileResponse:
    # The page is only a shell: it asks the API for the log with the token in its address.
    return FileResponse(WEB_DIR / "log.html", media_type="text/html")


@router.get("/sessions/{sid}/log/print", include_in_schema=False)
async def log_print(sid: str, request: Request) -> HTMLResponse:
    try:
        log, _ = _readable(request, sid)
    except HTTPException as e:
        message = html.escape(str(e.detail))  # the detail may echo what was asked for (issue 16)
        return HTMLResponse(f"<!doctype html><meta charset=\"utf-8\"><title>companion</title><p>{message}</p>",
                            status_code=e.status_code)
    return HTMLResponse(to_html(log))
