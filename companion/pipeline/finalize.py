"""Finalize a stored session: the full report and log draft from its stored utterances.

A live session's nudges are the ones its coach was actually sent (stored as
``nudge`` events the moment they went out), not those of the replay: the
replay has no clock ticks, so its time-based nudges differ.
"""

from __future__ import annotations

import json
from typing import Any

from companion.analysis.live_turns import turns_from_events
from companion.analysis.plan import SessionPlan
from companion.model import Role
from companion.pipeline.files import analyze_utterances
from companion.store import now_iso

#: Event stored (and message type sent) each time recognition skips a stretch of speech to keep up.
SKIPPED = "transcription_skipped"
#: Event stored when a call starts without a speech model: the note saying why and how to get one.
SPEECH_NOTE = "speech_model"


def session_plan(s: dict[str, Any], events: list[dict[str, Any]] | None = None) -> SessionPlan:
    """A stored session's plan: its length, its own stage allocation, and the turns a facilitator gave."""
    stages = json.loads(s["stage_minutes"]) if s.get("stage_minutes") else None
    return SessionPlan(planned_minutes=s["planned_minutes"], stage_minutes=stages,
                       turns=turns_from_events(events or []) or None)


def sent_nudges(store, sid: str) -> list[dict[str, Any]]:
    """The nudges a live session sent to its coach, in the order they went out."""
    return [e["data"]["nudge"] for e in store.events(sid) if e["type"] == "nudge"]


def finalize_session(store, sid: str) -> dict[str, Any]:
    """Analyse a stored session's utterances with its participants' roles; store report and log draft.

    Used when a live session ends; safe to run again (the report is rebuilt).
    """
    s = store.get_session(sid)
    roles = {p["name"]: Role(p["role"]) if p["role"] else None for p in s["participants"]}
    utterances = store.utterances(sid)
    analysis = analyze_utterances(
        utterances,
        roles=roles,
        plan=session_plan(s, store.events(sid)),
        session={"id": sid, "title": s["title"], "source": s["source"], "started_at": s["started_at"]
                 or s["created_at"], "mode": s["mode"]},
    )
    report = analysis.report
    if s["started_at"]:  # a call took place: report what the coach saw during it
        events = store.events(sid)
        _use_sent_nudges(report, [e["data"]["nudge"] for e in events if e["type"] == "nudge"])
        notes = report["session"].setdefault("notes", [])
        for note in dict.fromkeys(e["data"]["note"] for e in events if e["type"] == SPEECH_NOTE):
            notes.append(note)
        skipped = sum(1 for e in events if e["type"] == SKIPPED)
        if skipped:
            notes.append(
                f"Transcription fell behind during the call: {skipped} stretch(es) of speech were not transcribed "
                "(they count for talk time, turns and pauses, not for questions or stages).")
    store.save_report(sid, report)
    store.update_session(sid, status="ended", ended_at=s.get("ended_at") or now_iso())
    return report


def _use_sent_nudges(report: dict[str, Any], nudges: list[dict[str, Any]]) -> None:
    report["nudges"] = nudges
    said = {(n["kind"], n["evidence"]["start"]): n["t"] for n in nudges}
    for flag in report.get("flags") or []:
        flag.pop("nudged_at", None)
        t = said.get((flag["kind"], flag["start"]))
        if t is not None:
            flag["nudged_at"] = t
