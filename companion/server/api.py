"""Session API: create, list, end, report. See DESIGN.md "The server"."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from companion.analysis.plan import check_stage_minutes
from companion.errors import InputError
from companion.logbook import coach_view
from companion.model import Role
from companion.pipeline import finalize_session
from companion.server.auth import Access, require
from companion.store.groups import GROUP_MAX, GROUP_MIN

router = APIRouter(prefix="/api")

#: What a coachee may read of a report: the talk balance and the stage timeline,
#: never the coach's skills feedback, flags or nudges.
COACHEE_REPORT_KEYS = ("session", "participants", "stages", "plan", "talk_timeline", "talk_norm")


class ParticipantIn(BaseModel):
    model_config = ConfigDict(strict=True)  # "1" is not a number, 0 is not a boolean
    name: str = Field(min_length=1, max_length=80)
    role: Literal["coach", "coachee", "member", "facilitator"]

    @field_validator("name")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("a name is empty")
        return v


class SessionIn(BaseModel):
    model_config = ConfigDict(strict=True)
    title: str = Field(default="Coaching session", max_length=200)
    planned_minutes: float = Field(default=30, gt=0, le=240)
    mode: Literal["video", "audio"] = "video"
    participants: list[ParticipantIn] = Field(min_length=2, max_length=8)
    #: Minutes per GROW stage ({"goal", "reality", "options", "will"}); omitted: the default plan.
    stage_minutes: dict[str, float] | None = None

    @field_validator("stage_minutes")
    @classmethod
    def _stage_plan(cls, v: dict[str, float] | None, info: ValidationInfo) -> dict[str, float] | None:
        if v is not None:
            try:
                return check_stage_minutes(v, info.data.get("planned_minutes"))
            except InputError as e:
                raise ValueError(str(e)) from None
        return v

    @field_validator("participants")
    @classmethod
    def _roles(cls, v: list[ParticipantIn]) -> list[ParticipantIn]:
        seen: dict[str, str] = {}
        for p in v:
            if p.name.casefold() in seen:
                raise ValueError(f"two people are called {p.name}; give each person a different name")
            seen[p.name.casefold()] = p.name
        roles = [p.role for p in v]
        if roles.count("coach") > 1 or roles.count("facilitator") > 1:
            raise ValueError("a session has one coach (or one facilitator); name only one")
        if "coach" not in roles and "facilitator" not in roles:
            raise ValueError("name a coach (or, for a group, a facilitator)")
        if ("facilitator" in roles or "member" in roles) and not GROUP_MIN <= len(v) <= GROUP_MAX:
            # A custom error, so the form shows the sentence without pydantic's "Value error," prefix.
            raise PydanticCustomError("group_size", "a peer-coaching group has {lo} to {hi} people, the "
                                      "facilitator included; this one has {n}", {"lo": GROUP_MIN, "hi": GROUP_MAX,
                                                                                 "n": len(v)})
        return v


def participant_link(request: Request, sid: str, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/join/{sid}?token={token}"


def public_session(s: dict[str, Any]) -> dict[str, Any]:
    """A session without its report body or anyone's token."""
    out = {k: v for k, v in s.items() if k not in ("report", "participants")}
    out["participants"] = [{"name": p["name"], "role": p["role"]} for p in s.get("participants", [])]
    return out


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/sessions")
async def list_sessions(request: Request) -> list[dict[str, Any]]:
    require(request, None, owner_only=True)
    return request.app.state.store.list_sessions()


@router.post("/sessions", status_code=201)
async def create_session(body: SessionIn, request: Request) -> dict[str, Any]:
    require(request, None, owner_only=True)
    s = request.app.state.store.create_session(
        title=body.title, planned_minutes=body.planned_minutes, mode=body.mode,
        stage_minutes=body.stage_minutes, participants=[p.model_dump() for p in body.participants],
    )
    return {
        "id": s["id"],
        "title": s["title"],
        "mode": s["mode"],
        "planned_minutes": s["planned_minutes"],
        "stage_minutes": body.stage_minutes,
        "participants": [{"name": p["name"], "role": p["role"], "token": p["token"],
                          "link": participant_link(request, s["id"], p["token"])} for p in s["participants"]],
    }


@router.get("/sessions/{sid}")
async def get_session(sid: str, request: Request) -> dict[str, Any]:
    access = require(request, sid)
    s = request.app.state.store.get_session(sid)
    out = public_session(s)
    if access.participant:
        out["you"] = {"name": access.name, "role": access.participant["role"]}
    return out


@router.post("/sessions/{sid}/end")
async def end_session(sid: str, request: Request) -> dict[str, Any]:
    require(request, sid, roles={Role.COACH, Role.FACILITATOR})
    store = request.app.state.store
    hook = getattr(request.app.state, "on_session_end", None)
    if hook is not None:  # a live call closes its room, flushes speech and stores the report
        await hook(sid)
    report = store.report(sid)
    if report is None or store.get_session(sid)["status"] != "ended":
        report = finalize_session(store, sid)
    return {"id": sid, "status": "ended", "review": f"/sessions/{sid}/review", "log": f"/sessions/{sid}/log",
            "duration_s": report["session"]["duration_s"]}


def report_for(access: Access, report: dict[str, Any], store) -> dict[str, Any]:
    """The part of a report this caller may see (DESIGN.md, roles table)."""
    if access.coach_side:
        return coach_view(store, report["session"]["id"], report)
    return {k: report[k] for k in COACHEE_REPORT_KEYS if k in report}


def visible_report(request: Request, sid: str) -> dict[str, Any]:
    """The stored report as this caller may see it; 403 without access, 404 before the end."""
    access = require(request, sid)
    report = request.app.state.store.report(sid)
    if report is None:
        raise HTTPException(status_code=404,
                            detail="this session is still going on: its review is ready once the coach ends it")
    return report_for(access, report, request.app.state.store)


@router.get("/sessions/{sid}/report")
async def get_report(sid: str, request: Request) -> dict[str, Any]:
    return visible_report(request, sid)
