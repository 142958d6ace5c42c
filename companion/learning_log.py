"""The learning log: drafted from a session's report, owned by the coachee.

Foundation version: the header fields a peer-coaching log always has
(date, members present, facilitator), read off the report. The learning-log
work drafts content, GROW summary and actions from the transcript.
"""

from __future__ import annotations

from typing import Any


def draft(report: dict[str, Any]) -> dict[str, Any]:
    """A draft log built only from what the report holds; nothing invented."""
    session = report["session"]
    people = report["participants"]
    return {
        "date": (session.get("started_at") or "")[:10] or None,
        "members_present": [p["name"] for p in people if p.get("role")],
        "facilitator": next((p["name"] for p in people if p.get("role") == "facilitator"), None),
        "content": "",
        "evaluation": "",
        "goal": None,
        "reality": [],
        "options": [],
        "actions": [],
        "status": "draft",
    }
