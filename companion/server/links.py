"""Participants' links, again: the owner sees a scheduled or live session's links and can issue a new one.

- ``GET /api/sessions/{sid}/links`` (owner key): ``{"id", "status", "participants": [{"name", "role",
  "link"}]}``.
- ``POST /api/sessions/{sid}/links/renew`` ``{"name"}`` (owner key): that person gets a new link; the old
  one stops working at once (their next request with it gets 403). Answers the person with their new link.

An ended session's links are not shown: nothing is left to join.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from companion.server.api import participant_link
from companion.server.auth import require

router = APIRouter(prefix="/api")


def _open_session(request: Request, sid: str) -> dict[str, Any]:
    require(request, None, owner_only=True)
    s = request.app.state.store.get_session(sid)
    if s is None:
        raise HTTPException(status_code=404, detail="there is no such session; reload the list of sessions")
    if s["status"] == "ended":
        raise HTTPException(status_code=409, detail="this session has ended, so its links no longer open a call")
    return s


def _person(request: Request, sid: str, p: dict[str, Any]) -> dict[str, Any]:
    return {"name": p["name"], "role": p["role"], "link": participant_link(request, sid, p["token"])}


@router.get("/sessions/{sid}/links")
async def links(sid: str, request: Request) -> dict[str, Any]:
    s = _open_session(request, sid)
    return {"id": sid, "status": s["status"], "participants": [_person(request, sid, p) for p in s["participants"]]}


class RenewIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)


@router.post("/sessions/{sid}/links/renew")
async def renew(sid: str, body: RenewIn, request: Request) -> dict[str, Any]:
    _open_session(request, sid)
    p = request.app.state.store.renew_token(sid, body.name)
    if p is None:
        raise HTTPException(status_code=404, detail=f"nobody called {body.name} is in this session")
    return _person(request, sid, p)
