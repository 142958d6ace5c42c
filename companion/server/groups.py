"""Group API: a peer-coaching group, its sessions by number, who facilitates, previous actions.

    POST /api/groups                                   {name, facilitator, members}  (owner)
    GET  /api/groups                                   the owner's groups
    GET  /api/groups/{gid}                             the group, its history and its next session
    POST /api/groups/{gid}/sessions                    the next session: number, facilitator, links,
                                                       and each member's actions from the last one
    PUT  /api/groups/{gid}/sessions/{n}/next-facilitator  {name}: the review of session n chose them
                                                       (owner, or that session's facilitator)
    GET  /api/sessions/{sid}/group                     its group, number, facilitator, who facilitates
                                                       the next session and whether this one's review
                                                       still chooses them, previous actions (any participant)
    GET  /api/sessions/{sid}/turn                      the open turn and who is next (any participant)
    POST /api/sessions/{sid}/turn                      {member, planned_minutes}: start member's turn
                                                       (ending the open one); {member: null} ends it
                                                       (owner, or the session's facilitator)

Sessions are created with the same store call as ``POST /api/sessions``, so a group
session is an ordinary session (join links, live call, review, logs) that also
knows its place in the group.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from companion.analysis.base import AnalysisContext
from companion.analysis.live_turns import next_member, open_explicit_turn, open_turn, turns_from_events
from companion.analysis.plan import SessionPlan
from companion.model import Audience, Role
from companion.server.api import participant_link
from companion.server.auth import require
from companion.server.live import manager
from companion.store.groups import FACILITATED_SESSIONS, GROUP_MAX, Groups

router = APIRouter(prefix="/api")


class GroupIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    #: Runs the first three sessions; omitted: the group facilitates itself from the start.
    facilitator: str | None = Field(default=None, max_length=80)
    members: list[str] = Field(max_length=GROUP_MAX)


class GroupSessionIn(BaseModel):
    title: str | None = Field(default=None, max_length=200)
    planned_minutes: float = Field(default=90, gt=0, le=240)
    mode: Literal["video", "audio"] = "audio"


class NextFacilitatorIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)


def _groups(request: Request) -> Groups:
    return Groups(request.app.state.store.db)


def _group_or_404(groups: Groups, gid: str) -> dict[str, Any]:
    g = groups.get(gid)
    if g is None:
        raise HTTPException(status_code=404, detail="no such group")
    return g


def _overview(groups: Groups, g: dict[str, Any]) -> dict[str, Any]:
    history = groups.sessions(g["id"])
    number = len(history) + 1
    return {**g, "sessions": history,
            "next": {"number": number, "facilitator": groups.facilitator_for(g["id"], number)}}


@router.post("/groups", status_code=201)
async def create_group(body: GroupIn, request: Request) -> dict[str, Any]:
    require(request, None, owner_only=True)
    groups = _groups(request)
    return _overview(groups, groups.create(body.name, body.members, body.facilitator))


@router.get("/groups")
async def list_groups(request: Request) -> list[dict[str, Any]]:
    require(request, None, owner_only=True)
    groups = _groups(request)
    return [_overview(groups, g) for g in groups.all()]


@router.get("/groups/{gid}")
async def get_group(gid: str, request: Request) -> dict[str, Any]:
    require(request, None, owner_only=True)
    groups = _groups(request)
    return _overview(groups, _group_or_404(groups, gid))


@router.post("/groups/{gid}/sessions", status_code=201)
async def create_group_session(gid: str, body: GroupSessionIn, request: Request) -> dict[str, Any]:
    require(request, None, owner_only=True)
    store, groups = request.app.state.store, _groups(request)
    g = _group_or_404(groups, gid)
    number = len(groups.sessions(gid)) + 1
    with store.db.atomic():
        s = store.create_session(title=body.title or f"{g['name']}: session {number}", mode=body.mode,
                                 planned_minutes=body.planned_minutes,
                                 participants=groups.participants_for(gid, number))
        row = groups.add_session(gid, s["id"])
    return {
        "id": s["id"], "group_id": gid, "number": row["number"], "facilitator": row["facilitator"],
        "title": s["title"], "mode": s["mode"], "planned_minutes": s["planned_minutes"],
        "participants": [{"name": p["name"], "role": p["role"], "token": p["token"],
                          "link": participant_link(request, s["id"], p["token"])} for p in s["participants"]],
        "previous_actions": groups.previous_actions(gid, row["number"]),
    }


@router.put("/groups/{gid}/sessions/{number}/next-facilitator")
async def set_next_facilitator(gid: str, number: int, body: NextFacilitatorIn, request: Request) -> dict[str, Any]:
    groups = _groups(request)
    _group_or_404(groups, gid)
    row = next((r for r in groups.sessions(gid) if r["number"] == number), None)
    require(request, row["session_id"] if row else None, roles={Role.FACILITATOR})
    return groups.set_next_facilitator(gid, number, body.name)


@router.get("/groups/{gid}/sessions/{number}/previous-actions")
async def previous_actions(gid: str, number: int, request: Request) -> dict[str, Any]:
    """Each member's actions from the session before ``number`` (owner, or anyone in session ``number``)."""
    groups = _groups(request)
    _group_or_404(groups, gid)
    row = next((r for r in groups.sessions(gid) if r["number"] == number), None)
    require(request, row["session_id"] if row else None)
    return {"number": number, "actions": groups.previous_actions(gid, number)}


class TurnIn(BaseModel):
    #: The member whose turn starts; None ends the open turn.
    member: str | None = Field(default=None, max_length=80)
    planned_minutes: float | None = Field(default=None, gt=0, le=120)


def set_turn(live: Any, member: str | None, planned_minutes: float | None = None) -> dict[str, Any]:
    """Start ``member``'s turn (or end the open one) in a live session: analysed, stored, announced.

    Everyone gets the turn, its start and planned length (their clock); the
    panel's figures and nudges follow on the facilitator's side only.
    """
    t = live.now()
    state = open_turn(live.analyzer.ctx, member, t, planned_minutes * 60 if planned_minutes else None)
    live.store.add_event(live.sid, t, "turn", {"member": member, "planned_s": state.get("planned_s"),
                                               "audience": "everyone"})
    message = {"type": "turn", "t": round(t, 2), "member": member, "start": state.get("start"),
               "planned_s": state.get("planned_s"), "next": state["next"]}
    live.publish(message, Audience.EVERYONE)
    live.tick()  # the panel's figures for the new turn at once
    return message


@router.post("/sessions/{sid}/turn")
async def start_turn(sid: str, body: TurnIn, request: Request) -> dict[str, Any]:
    require(request, sid, roles={Role.FACILITATOR})
    s = request.app.state.store.get_session(sid)
    if s is None:
        raise HTTPException(status_code=404, detail="no such session")
    if s["status"] == "ended":
        raise HTTPException(status_code=409, detail="this session has ended")
    members = [p["name"] for p in s["participants"] if p["role"] == "member"]
    if body.member is not None and body.member not in members:
        raise HTTPException(status_code=400, detail=f"{body.member!r} is not a member of this session "
                            f"(members: {', '.join(members) or 'none'})")
    live = await manager(request.app).session(sid)
    return set_turn(live, body.member, body.planned_minutes)


@router.get("/sessions/{sid}/turn")
async def current_turn(sid: str, request: Request) -> dict[str, Any]:
    """The open turn (member, start, planned_s) and who is next: what every participant's page shows."""
    require(request, sid)
    store = request.app.state.store
    live = manager(request.app).sessions.get(sid)
    if live is not None:
        ctx = live.analyzer.ctx
    else:
        s = store.get_session(sid)
        ctx = AnalysisContext(roles={p["name"]: Role(p["role"]) for p in s["participants"] if p["role"]},
                              plan=SessionPlan(turns=turns_from_events(store.events(sid))))
    turn = open_explicit_turn(ctx) or {}
    return {"member": turn.get("member"), "start": turn.get("start"), "planned_s": turn.get("planned_s"),
            "next": next_member(ctx)}


@router.get("/sessions/{sid}/group")
async def session_group(sid: str, request: Request) -> dict[str, Any]:
    """A group session's place in its group: number, facilitator, and the report-back list."""
    require(request, sid)
    groups = _groups(request)
    row = groups.of_session(sid)
    if row is None:
        raise HTTPException(status_code=404, detail="this session does not belong to a group")
    g = _group_or_404(groups, row["group_id"])
    number = row["number"]
    later = next((r for r in groups.sessions(g["id"]) if r["number"] == number + 1), None)
    return {"group_id": g["id"], "name": g["name"], "members": g["members"], "number": number,
            "facilitator": row["facilitator"],
            "next_facilitator": later["facilitator"] if later else groups.facilitator_for(g["id"], number + 1),
            # The review chooses who facilitates next once the group facilitates itself (after the
            # third session), until that session is created.
            "choose_next": later is None and (number + 1 > FACILITATED_SESSIONS or not g["facilitator"]),
            "previous_actions": groups.previous_actions(g["id"], number)}
