"""The incremental ``SessionAnalyzer``.

Why incremental: the live call feeds one utterance at a time and must get
its events (balance, stage, flags, nudges) at once, and a file is only a
replay of a live session. So every metric lives in exactly one
``Component`` that keeps running state and does O(1) (amortised) work per
utterance; the report is read off that state at any moment.

A component may annotate utterances (``ctx.marks[i]``: acts, stage, focus),
raise flags (``ctx.raise_flag``) and emit events. Components run in the
order given, so later ones can read what earlier ones marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from companion.analysis.acts import ActTagger
from companion.analysis.base import AnalysisContext, Component
from companion.analysis.commitments import CommitmentTracker
from companion.analysis.drift import TopicDrift
from companion.analysis.group_flags import GroupFlags
from companion.analysis.grow import StageTracker
from companion.analysis.live_turns import TurnPanel
from companion.analysis.nudges import NudgePolicy
from companion.analysis.plan import SessionPlan
from companion.analysis.semantic import Semantics
from companion.analysis.talk import TalkTracker
from companion.analysis.text import TextParser
from companion.analysis.timeline import TalkNormCheck
from companion.analysis.turns import TurnTracker
from companion.analysis.venting import VentingTracker
from companion.model import Audience, Event, EventType, Role, Utterance


def default_components() -> list[Component]:
    """The components every session runs, in order.

    Words are parsed first (shared by all language rules); talk needs only
    timing; acts and focus read the words; stages read the words and feed the
    goal to drift; the nudge policy comes after every flag-raiser so it sees
    all flags raised for the same utterance; the norm check is last because it
    judges the talk figures the others put in the report. In a group, the turn
    of each utterance comes before everything else that reads it (talk, stages).
    """
    return [TextParser(), Semantics(),
            TurnPanel(), TurnTracker(),  # groups only: each utterance's turn (live or inferred), before the rest
            TalkTracker(), ActTagger(), VentingTracker(), StageTracker(), TopicDrift(),
            CommitmentTracker(), NudgePolicy(), TalkNormCheck(),
            GroupFlags()]  # groups only: the flags judged on the turns


class SessionAnalyzer:
    """Feed utterances in order with ``update``; read ``report()`` at any time."""

    def __init__(
        self,
        roles: dict[str, Role | None] | None = None,
        plan: SessionPlan | None = None,
        components: Iterable[Component] | None = None,
        length_s: float | None = None,
    ):
        """``length_s``: a recording's or transcript's length, when it is known before the replay."""
        self.ctx = AnalysisContext(roles=dict(roles or {}), plan=plan or SessionPlan(), length_s=length_s)
        self.components = list(components) if components is not None else default_components()
        self.finished = False

    def update(self, utt: Utterance) -> list[Event]:
        ctx = self.ctx
        ctx.utterances.append(utt)
        ctx.marks.append({"acts": [], "stage": None, "focus": None})
        ctx.now = max(ctx.now, utt.end)
        i = len(ctx.utterances) - 1
        events = [Event(EventType.UTTERANCE, utt.end, {"index": i}, Audience.EVERYONE)]
        for c in self.components:
            events.extend(c.update(ctx, i))
        return events

    def prepare(self, utterances: list[Utterance]) -> None:
        """Give the components the whole session before a replay (a file's turns are inferred here,
        so that each turn's stages can start afresh as the replay reaches it)."""
        for c in self.components:
            c.prepare(self.ctx, utterances)

    def feed(self, utterances: Iterable[Utterance]) -> list[Event]:
        events: list[Event] = []
        for u in utterances:
            events.extend(self.update(u))
        return events

    def tick(self, now: float) -> list[Event]:
        self.ctx.now = max(self.ctx.now, now)
        events: list[Event] = []
        for c in self.components:
            events.extend(c.tick(self.ctx, now))
        return events

    def finish(self, end: float | None = None) -> list[Event]:
        if self.finished:
            return []
        self.finished = True
        end = max(self.ctx.now, end or 0.0)
        self.ctx.now = end
        events: list[Event] = []
        for c in self.components:
            events.extend(c.finish(self.ctx, end))
        return events

    def utterance_row(self, i: int) -> dict[str, Any]:
        """One utterance as the report (and live captions) show it."""
        u = self.ctx.utterances[i]
        role = self.ctx.role_of(u.speaker)
        return {
            "index": i,
            "speaker": u.speaker,
            "role": str(role) if role else None,
            "start": round(u.start, 2),
            "end": round(u.end, 2),
            "text": u.text,
            "transcribed": u.transcribed,
            **self.ctx.marks[i],
        }

    def report(self, session: dict[str, Any] | None = None) -> dict[str, Any]:
        ctx = self.ctx
        duration = max([u.end for u in ctx.utterances], default=0.0)
        duration = max(duration, ctx.now)
        report: dict[str, Any] = {
            "session": {
                "id": None,
                "source": None,
                "started_at": None,
                **(session or {}),
                "duration_s": round(duration, 2),
            },
            "participants": [],
            "utterances": [self.utterance_row(i) for i in range(len(ctx.utterances))],
            "stages": [],
            "coach_skills": {},
            # The one conversion of the typed flags to the JSON contract.
            "flags": [f.to_dict() for f in sorted(ctx.flags, key=lambda f: (f.start, str(f.kind)))],
            "log_draft": None,
        }
        for c in self.components:
            c.contribute(ctx, report)
        return report
