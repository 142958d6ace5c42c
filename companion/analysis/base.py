"""What every analysis component is built on: the shared context and the ``Component`` hooks.

Why incremental: the live call feeds one utterance at a time and must get
its events (balance, stage, flags, nudges) at once, and a file is only a
replay of a live session. So every metric lives in exactly one
``Component`` that keeps running state and does O(1) (amortised) work per
utterance; the report is read off that state at any moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from companion.analysis.plan import SessionPlan
from companion.model import Audience, Event, EventType, Role, Utterance


@dataclass
class AnalysisContext:
    """State shared by the components of one session's analysis."""

    roles: dict[str, Role | None]
    plan: SessionPlan
    utterances: list[Utterance] = field(default_factory=list)
    #: One dict per utterance: ``acts`` (list), ``stage`` (str|None), ``focus`` (str|None), ...
    marks: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    #: Latest time seen (end of the last utterance, or the clock via ``tick``).
    now: float = 0.0
    #: One ``text.Parsed`` per utterance, filled by ``TextParser`` (words shared by all rules).
    parsed: list[Any] = field(default_factory=list)

    def role_of(self, speaker: str) -> Role | None:
        return self.roles.get(speaker)

    def speakers_with(self, role: Role) -> list[str]:
        return [s for s, r in self.roles.items() if r == role]

    def raise_flag(
        self, kind: str, start: float, end: float, message: str, suggestion: str = "", **extra: Any
    ) -> tuple[dict[str, Any], Event]:
        """Record a flag once and return it with the event that announces it."""
        flag = {"kind": kind, "start": round(start, 2), "end": round(end, 2),
                "message": message, "suggestion": suggestion, **extra}
        self.flags.append(flag)
        return flag, Event(EventType.FLAG, end, {"flag": flag}, Audience.COACH)


class Component:
    """One part of the analysis. Override what you need; all hooks are optional."""

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        """Utterance ``ctx.utterances[i]`` arrived (utterances come in start order)."""
        return []

    def tick(self, ctx: AnalysisContext, now: float) -> list[Event]:
        """Time passed without a new utterance (live sessions only)."""
        return []

    def finish(self, ctx: AnalysisContext, end: float) -> list[Event]:
        """The session ended at ``end`` seconds."""
        return []

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        """Write this component's part of the report dict (see DESIGN.md)."""
