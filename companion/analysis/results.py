"""Typed results of the analysis: flags, nudges and stage spans, and their one conversion to JSON.

Components create these; the report (and every live event) carries their
``to_dict()`` form, the JSON contract in DESIGN.md. Results are frozen: a flag
whose stretch grows is replaced by a new one (``dataclasses.replace``), so the
dict an event already carried is never changed afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FlagKind(StrEnum):
    """Every kind of flag, pairs and groups alike."""

    VENTING = "venting"
    STAGE_OVERRUN = "stage_overrun"
    STAGE_LOOP = "stage_loop"
    TOPIC_DRIFT = "topic_drift"
    COACH_DOMINANCE = "coach_dominance"
    LONG_MONOLOGUE = "long_monologue"
    NO_WILL = "no_will"
    INTERRUPTIONS = "interruptions"
    # groups
    TURN_OVERRUN = "turn_overrun"
    DOMINANT_MEMBER = "dominant_member"
    SILENT_MEMBER = "silent_member"


@dataclass(frozen=True, slots=True)
class Flag:
    """Something worth the coach's attention, with the stretch and utterances behind it."""

    kind: FlagKind
    start: float
    end: float
    message: str
    suggestion: str = ""
    #: Indexes (into the session's utterances) of the utterances behind the flag.
    utterances: tuple[int, ...] = ()
    #: The person it concerns, where it concerns one person.
    who: str | None = None
    #: Kind-specific figures (e.g. ``stage``, ``planned_s``, ``actual_s``), written beside the rest.
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "start": round(self.start, 2), "end": round(self.end, 2),
                "message": self.message, "suggestion": self.suggestion,
                "utterances": list(self.utterances), "who": self.who, **self.details}


@dataclass(frozen=True, slots=True)
class Nudge:
    """A private, live suggestion to the coach, made from a flag (or the clock)."""

    kind: str  # a FlagKind, or "move_to_options"
    t: float
    title: str
    message: str
    suggestion: str
    evidence_start: float
    evidence_end: float
    utterances: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "t": round(self.t, 2), "title": self.title, "message": self.message,
                "suggestion": self.suggestion, "utterances": list(self.utterances),
                "evidence": {"start": round(self.evidence_start, 2), "end": round(self.evidence_end, 2)}}


@dataclass(frozen=True, slots=True)
class StageSpan:
    """A stretch of the session in one GROW stage."""

    stage: str
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "start": round(self.start, 2), "end": round(self.end, 2)}


def minutes(seconds: float) -> str:
    """A duration for a message: "40 s" under a minute, else minutes to the half ("1.5 min"), never "0 min"."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    m = round(seconds / 30) / 2
    return f"{m:g} min"
