"""Live, private nudges to the coach, turned out of flags and the clock.

A nudge is a short line with its evidence (the stretch of time it is about)
and one question to try, in the solution-focused spirit. The policy keeps
them rare, because a coach who is listening cannot read a stream of advice:
at most one every ``min_gap_s``, never two for the same stretch, and nothing
about venting in the first minutes, when letting the coachee tell their story
is the right thing to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.plan import resolve_plan
from companion.analysis.results import FlagKind, Nudge, minutes
from companion.model import Audience, Event, EventType

#: Which flags become nudges, most urgent first when several wait.
PRIORITY: tuple[str, ...] = tuple(FlagKind(k) for k in (
    "no_will", "stage_overrun", "venting", "topic_drift", "stage_loop", "coach_dominance", "long_monologue",
    "interruptions"))
SHORT = {
    "venting": "Long problem talk",
    "stage_overrun": "Stage over time",
    "stage_loop": "Going round in circles",
    "topic_drift": "Drifting from the goal",
    "coach_dominance": "You are talking a lot",
    "long_monologue": "Long monologue",
    "no_will": "No action agreed yet",
    "interruptions": "Interrupting",
    "move_to_options": "Time for Options",
}


@dataclass
class NudgeOptions:
    #: Least time between two nudges, in seconds.
    min_gap_s: float = 120.0
    #: No venting nudge before this much session time, whatever the flags say.
    quiet_venting_s: float = 180.0
    #: A waiting nudge is dropped when its evidence is older than this.
    stale_s: float = 300.0


class NudgePolicy(Component):
    """Turns flags (and the clock) into rate-limited nudges; deterministic given the same utterances and ticks."""

    def __init__(self, options: NudgeOptions | None = None) -> None:
        self.options = options or NudgeOptions()
        self.flags_seen = 0
        #: kind -> index in ``ctx.flags`` of the flag waiting to be said (read when said: it may have grown).
        self.pending: dict[str, int] = {}
        self.prompt: Nudge | None = None  # the "move to options" prompt, waiting
        self.done: set[tuple[str, float]] = set()  # (kind, stretch start) already nudged
        self.last_t: float | None = None
        self.nudges: list[Nudge] = []
        self.stages_seen: set[str] = set()
        self.options_prompted = False

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        stage = ctx.marks[i]["stage"]
        if stage:
            self.stages_seen.add(stage)
        return self._step(ctx, ctx.now)

    def tick(self, ctx: AnalysisContext, now: float) -> list[Event]:
        return self._step(ctx, now)

    def _step(self, ctx: AnalysisContext, now: float) -> list[Event]:
        for k in range(self.flags_seen, len(ctx.flags)):
            flag = ctx.flags[k]
            # A coachee who talks at length is doing what coaching wants: only the coach side's monologues nudge.
            coachee_monologue = flag.kind == FlagKind.LONG_MONOLOGUE and not ctx.is_coach_side(flag.who or "")
            # A group's turn judged once it is over: too late to say (the panel warned before its end).
            after_turn = flag.kind == FlagKind.NO_WILL and "turn_of" in flag.details
            if flag.kind in PRIORITY and (flag.kind, flag.start) not in self.done and not coachee_monologue \
                    and not after_turn:
                self.pending[flag.kind] = k
        self.flags_seen = len(ctx.flags)
        self._options_prompt(ctx, now)
        if self.last_t is not None and now - self.last_t < self.options.min_gap_s:
            return []
        for kind in list(self.pending):
            if now - ctx.flags[self.pending[kind]].end > self.options.stale_s:
                del self.pending[kind]
        for kind in sorted(self.pending, key=PRIORITY.index):
            flag = ctx.flags[self.pending[kind]]
            if kind == FlagKind.VENTING and now < self.options.quiet_venting_s:
                continue
            del self.pending[kind]
            self.done.add((flag.kind, flag.start))
            return [self._say(Nudge(str(flag.kind), now, SHORT.get(kind, kind), flag.message, flag.suggestion,
                                    flag.start, flag.end, flag.utterances))]
        if self.prompt is not None:
            p, self.prompt = self.prompt, None
            return [self._say(Nudge(p.kind, now, p.title, p.message, p.suggestion, p.evidence_start, now))]
        return []

    def _options_prompt(self, ctx: AnalysisContext, now: float) -> None:
        """Half the planned time gone and no options yet: time to widen the view."""
        plan = resolve_plan(ctx.plan, None)
        if plan is None or self.options_prompted or self.stages_seen & {"options", "will"}:
            return
        due = plan.stage_s["goal"] + plan.stage_s["reality"] + 120.0
        if now < due:
            return
        self.options_prompted = True
        self.prompt = Nudge("move_to_options", now, SHORT["move_to_options"],
                            f"{minutes(now)} in and no options explored yet.",
                            "What could you do about it? What two small steps could you take?", due - 120.0, now)

    def _say(self, nudge: Nudge) -> Event:
        self.last_t = nudge.t
        self.nudges.append(nudge)
        return Event(EventType.NUDGE, nudge.t, {"nudge": nudge.to_dict()}, Audience.COACH)

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        report["nudges"] = [n.to_dict() for n in self.nudges]
        said = {(n.kind, round(n.evidence_start, 2)): round(n.t, 2) for n in self.nudges}
        for f in report.get("flags") or []:  # the report's own copies; emitted flags stay as they were
            if (f["kind"], f["start"]) in said:
                f["nudged_at"] = said[(f["kind"], f["start"])]
