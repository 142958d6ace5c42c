"""Plain data shared by every part: no I/O here.

Live calls, audio files and imported transcripts all become a stream of
``Utterance`` objects; the analyzer turns them into ``Event`` objects and
a report dictionary (see DESIGN.md for its JSON shape).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

#: The GROW stages, in their usual order.
STAGES = ("goal", "reality", "options", "will")


class Role(StrEnum):
    COACH = "coach"
    COACHEE = "coachee"
    MEMBER = "member"
    FACILITATOR = "facilitator"


class EventType(StrEnum):
    UTTERANCE = "utterance"  # an utterance was analysed (acts, stage, focus attached)
    BALANCE = "balance"  # talk shares changed
    STAGE = "stage"  # the current GROW stage changed
    FLAG = "flag"  # something worth the coach's attention (venting, drift, ...)
    NUDGE = "nudge"  # a private, live suggestion to the coach
    TURN = "turn_status"  # groups: the open turn as the facilitator's panel shows it


class Audience(StrEnum):
    """Who may receive an event live. Enforced by the hub, not by the UI."""

    EVERYONE = "everyone"
    COACH = "coach"  # coach, facilitator and owner only


@dataclass(slots=True)
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass(slots=True)
class Utterance:
    """One stretch of speech by one speaker, in seconds from the session start."""

    speaker: str
    start: float
    end: float
    text: str = ""
    words: list[Word] = field(default_factory=list)
    #: False when the audio was not transcribed (no model, or paused captions):
    #: such an utterance still counts for talk time, turns and pauses.
    transcribed: bool = True
    #: Which stretch of live speech this is: interim captions carry the same id.
    id: str = ""

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Utterance:
        words = [Word(**w) for w in d.get("words") or []]
        return cls(
            speaker=d["speaker"],
            start=float(d["start"]),
            end=float(d["end"]),
            text=d.get("text") or "",
            words=words,
            transcribed=d.get("transcribed", True),
            id=str(d.get("id") or ""),
        )


@dataclass(slots=True)
class Event:
    type: EventType
    t: float  # session time (seconds) the event refers to
    data: dict[str, Any]
    audience: Audience = Audience.COACH

    def to_dict(self) -> dict[str, Any]:
        return {"type": str(self.type), "t": self.t, "audience": str(self.audience), **self.data}
