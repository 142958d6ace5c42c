"""The one place that wires the parts: input -> utterances -> analyzer -> report -> store.

A file is a replay of a live session: it is turned into utterances and fed,
one at a time, to the same ``SessionAnalyzer`` a live call uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from companion import learning_log
from companion.analysis import SessionAnalyzer, SessionPlan
from companion.analysis.roles import assign_roles
from companion.config import Settings
from companion.errors import InputError
from companion.importers import TRANSCRIPT_SUFFIXES, load_transcript
from companion.model import Role, Utterance

AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".ogg", ".webm", ".flac", ".opus", ".aac", ".mp4"}


@dataclass
class Analysis:
    report: dict[str, Any]
    utterances: list[Utterance]
    notes: list[str] = field(default_factory=list)


def analyze_utterances(
    utterances: list[Utterance],
    *,
    roles: dict[str, Role | None] | None = None,
    coach: str | None = None,
    coachee: str | None = None,
    plan: SessionPlan | None = None,
    session: dict[str, Any] | None = None,
    notes: list[str] | None = None,
) -> Analysis:
    """Replay utterances through the analyzer and build the full report."""
    notes = list(notes or [])
    if roles is None:
        roles, inferred = assign_roles(utterances, coach=coach, coachee=coachee)
        if inferred:
            who = next((s for s, r in roles.items() if r == Role.COACH), None)
            notes.append(f"Coach inferred as {who} (asked the most questions); use --coach NAME to set it.")
    analyzer = SessionAnalyzer(roles=roles, plan=plan)
    analyzer.feed(utterances)
    analyzer.finish()
    meta = {"planned_minutes": plan.planned_minutes if plan else None, **(session or {})}
    report = analyzer.report(meta)
    report["session"]["notes"] = notes
    report["log_draft"] = learning_log.draft(report)
    return Analysis(report, utterances, notes)


def analyze_file(
    path: str | Path,
    settings: Settings,
    *,
    coach: str | None = None,
    coachee: str | None = None,
    channels_are_speakers: bool = False,
    planned_minutes: float | None = None,
) -> Analysis:
    """Analyse a transcript or an audio file; raises ``InputError`` for bad input."""
    path = Path(path)
    suffix = path.suffix.lower()
    session = {"source": path.name, "started_at": _file_time(path)}
    plan = SessionPlan(planned_minutes=planned_minutes)
    if suffix in TRANSCRIPT_SUFFIXES:
        utterances = load_transcript(path)
        return analyze_utterances(utterances, coach=coach, coachee=coachee, plan=plan, session=session)
    if suffix in AUDIO_SUFFIXES:
        return analyze_audio_file(path, settings, coach=coach, coachee=coachee,
                                  channels_are_speakers=channels_are_speakers, plan=plan, session=session)
    if not path.exists():
        raise InputError("no such file", source=str(path))
    known = ", ".join(sorted(TRANSCRIPT_SUFFIXES | AUDIO_SUFFIXES))
    raise InputError(f"unsupported file type {suffix or '(none)'}; expected one of {known}", source=str(path))


def analyze_audio_file(path: Path, settings: Settings, **kw: Any) -> Analysis:
    raise InputError("audio analysis is not available in this build yet", source=str(path))


def _file_time(path: Path) -> str | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")
    except OSError:
        return None


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
        plan=SessionPlan(planned_minutes=s["planned_minutes"]),
        session={"id": sid, "title": s["title"], "source": s["source"], "started_at": s["started_at"]
                 or s["created_at"], "mode": s["mode"]},
    )
    store.save_report(sid, analysis.report)
    store.update_session(sid, status="ended", ended_at=s.get("ended_at") or _now())
    return analysis.report


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
