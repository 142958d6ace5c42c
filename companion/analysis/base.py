"""What every analysis component is built on: the shared context and the ``Component`` hooks.

Why incremental: the live call feeds one utterance at a time and must get
its events (balance, stage, flags, nudges) at once, and a file is only a
replay of a live session. So every metric lives in exactly one
``Component`` that keeps running state and does O(1) (amortised) work per
utterance; the report is read off that state at any moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from companion.analysis.plan import SessionPlan
from companion.analysis.results import Flag, FlagKind
from companion.model import Audience, Event, EventType, Role, Utterance
from companion.roles import is_coach_side, is_coachee_side


@dataclass
class AnalysisContext:
    """State shared by the components of one session's analysis."""

    roles: dict[str, Role | None]
    plan: SessionPlan
    utterances: list[Utterance] = field(default_factory=list)
    #: One dict per utterance: ``acts`` (list), ``stage`` (str|None), ``focus`` (str|None), ...
    marks: list[dict[str, Any]] = field(default_factory=list)
    #: Flags raised so far, in the order raised (a grown flag replaces its earlier self in place).
    flags: list[Flag] = field(default_factory=list)
    #: Latest time seen (end of the last utterance, or the clock via ``tick``).
    now: float = 0.0
    #: The session's length when known in advance (a recording or transcript being replayed); None live.
    length_s: float | None = None
    #: One ``text.Parsed`` per utterance, filled by ``TextParser`` (words shared by all rules).
    parsed: list[Any] = field(default_factory=list)
    #: One unit vector (numpy) per utterance, filled by ``semantic.Semantics`` (zeros: no text).
    vectors: list[Any] = field(default_factory=list)
    #: Groups: member -> (start, length in seconds) of their turn, once it is known (live: when the
    #: facilitator opens it, with its planned length; a file: inferred before the replay, as it ran).
    #: While any is known, utterances carry ``turn_of`` as they arrive, and the stages restart per turn.
    turn_spans: dict[str, tuple[float, float]] = field(default_factory=dict)

    def role_of(self, speaker: str) -> Role | None:
        return self.roles.get(speaker)

    def is_coach_side(self, speaker: str) -> bool:
        return is_coach_side(self.roles.get(speaker))

    def is_coachee_side(self, speaker: str) -> bool:
        return is_coachee_side(self.roles.get(speaker))

    def coach_side(self) -> list[str]:
        """The speakers who lead the session (coach or facilitator)."""
        return [s for s, r in self.roles.items() if is_coach_side(r)]

    def raise_flag(
        self, kind: FlagKind, start: float, end: float, message: str, suggestion: str = "", *,
        utterances: tuple[int, ...] = (), who: str | None = None, **details: Any
    ) -> tuple[Flag, Event]:
        """Record a flag and return it with the event that announces it (carrying its own copy)."""
        flag = Flag(FlagKind(kind), start, end, message, suggestion, tuple(utterances), who, details)
        self.flags.append(flag)
        return flag, Event(EventType.FLAG, end, {"flag": flag.to_dict()}, Audience.COACH)

    def grow_flag(self, flag: Flag, **changes: Any) -> Flag:
        """Replace ``flag`` (its stretch went on) with an updated copy; what was emitted stays as it was."""
        details = {**flag.details, **changes.pop("details", {})}
        new = replace(flag, details=details, **changes)
        for k in range(len(self.flags) - 1, -1, -1):
            if self.flags[k] is flag:
                self.flags[k] = new
                break
        return new


class Component:
    """One part of the analysis. Override what you need; all hooks are optional."""

    def prepare(self, ctx: AnalysisContext, utterances: list[Utterance]) -> None:
        """The whole session is known before the replay (a transcript or recording): look ahead if needed."""

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
