"""The coach's review: the review and trends pages, the Markdown export, the trends API.

The pages are static files from ``web/`` that draw everything from the
report JSON (``GET /api/sessions/{id}/report``, filtered by role there);
nothing here computes a metric. The trends API only picks fields out of the
stored reports, so a figure on the trends page is the same figure the
session's own review shows.

Access (DESIGN.md, roles table): the owner and the coach side see the whole
review; a coachee sees the talk balance only; anyone else gets 403.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from companion.analysis.report import render_markdown
from companion.server.api import visible_report
from companion.server.auth import require, resolve
from companion.server.pages import KEY_NEEDED, page

router = APIRouter()

#: Trend series: (field in the trends API, where it is in a report).
TREND_FIELDS: list[tuple[str, tuple[str, ...]]] = [
    ("talk_share", ("coach_skills", "talk_share")),
    ("open_questions", ("coach_skills", "open_questions")),
    ("closed_questions", ("coach_skills", "closed_questions")),
    ("open_question_ratio", ("coach_skills", "open_question_ratio")),
    ("stacked_questions", ("coach_skills", "stacked_questions")),
    ("reflections", ("coach_skills", "reflections")),
    ("advice", ("coach_skills", "advice")),
    ("interruptions", ("coach_skills", "interruptions")),
    ("duration_s", ("session", "duration_s")),
]
COACH_SIDE_ROLES = ("coach", "facilitator")


# -- pages ----------------------------------------------------------------------------
@router.get("/sessions/{sid}/review", include_in_schema=False)
def review_page(sid: str, request: Request):
    if resolve(request, sid) is None:
        return HTMLResponse(KEY_NEEDED, status_code=403)
    return page("review.html")


@router.get("/trends", include_in_schema=False)
def trends_page(request: Request):
    access = resolve(request, None)
    if access is None or not access.owner:
        return HTMLResponse(KEY_NEEDED, status_code=403)
    return page("trends.html")


# -- API ------------------------------------------------------------------------------
@router.get("/api/sessions/{sid}/review.md")
async def review_markdown(sid: str, request: Request) -> Response:
    """The review as Markdown: the whole of it for the coach side, talk balance only for a coachee."""
    shown = visible_report(request, sid)
    session = request.app.state.store.get_session(sid)
    shown = {**shown, "session": {**shown["session"], "title": shown["session"].get("title") or session["title"]}}
    return Response(
        render_markdown(shown),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="companion-review-{sid}.md"'},
    )


@router.get("/api/trends")
async def trends(request: Request) -> dict[str, Any]:
    """Per coach, their sessions oldest first with the trend fields picked from each stored report."""
    require(request, None, owner_only=True)
    store = request.app.state.store
    coaches: dict[str, list[dict[str, Any]]] = {}
    norm = None
    sessions = sorted(store.list_sessions(), key=lambda s: (s.get("started_at") or s["created_at"], s["created_at"]))
    for s in sessions:
        report = store.report(s["id"])
        if report is None:
            continue
        coach = next((p["name"] for p in report.get("participants", [])
                      if p.get("role") in COACH_SIDE_ROLES), None)
        coaches.setdefault(coach or "(no coach)", []).append({
            "id": s["id"],
            "title": s["title"],
            "started_at": s.get("started_at") or s["created_at"],
            **{name: _pick(report, path) for name, path in TREND_FIELDS},
        })
        norm = report.get("talk_norm") or norm  # the newest stated norm is drawn on the chart
    return {
        "fields": [name for name, _ in TREND_FIELDS],
        "norm": {k: norm[k] for k in ("name", "coach_max_share", "description")} if norm else None,
        "coaches": [{"name": name, "sessions": points} for name, points in coaches.items()],
    }


def _pick(report: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = report
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
