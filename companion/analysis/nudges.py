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
from companion.model import Audience, Event, EventType

#: Which flags become nudges, most urgent first when several wait.
PRIORITY = ("no_will", "stage_overrun", "venting", "topic_drift", "stage_loop", "coach_dominance",
            "long_monologue", "interruptions")
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
    def __init__(self, options: NudgeOptions | None = None) -> None:
        self.options = options or NudgeOptions()
        self.flags_seen = 0
        self.pending: dict[str, dict[str, Any]] = {}  # kind -> the flag waiting to be said
        self.done: set[tuple[str, float]] = set()  # (kind, stretch start) already nudged
        self.last_t: float | None = None
        self.nudges: list[dict[str, Any]] = []
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
        for flag in ctx.flags[self.flags_seen:]:
            if flag["kind"] in PRIORITY and (flag["kind"], flag["start"]) not in self.done:
                self.pending[flag["kind"]] = flag
        self.flags_seen = len(ctx.flags)
        self._options_prompt(ctx, now)
        if self.last_t is not None and now - self.last_t < self.options.min_gap_s:
            return []
        for kind in list(self.pending):
            if now - self.pending[kind]["end"] > self.options.stale_s:
                del self.pending[kind]
        order = PRIORITY + ("move_to_options",)
        for kind in sorted(self.pending, key=order.index):
            flag = self.pending[kind]
            if kind == "venting" and now < self.options.quiet_venting_s:
                continue
            del self.pending[kind]
            return [self._say(flag, now)]
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
        self.pending["move_to_options"] = {
            "kind": "move_to_options", "start": round(due - 120.0, 2), "end": round(now, 2),
            "message": f"{(now / 60):.0f} min in and no options explored yet.",
            "suggestion": "What could you do about it? What two small steps could you take?"}

    def _say(self, flag: dict[str, Any], now: float) -> Event:
        key = (flag["kind"], flag["start"])
        self.done.add(key)
        self.last_t = now
        nudge = {
            "kind": flag["kind"],
            "t": round(now, 2),
            "title": SHORT.get(flag["kind"], flag["kind"]),
            "message": flag["message"],
            "suggestion": flag.get("suggestion") or "",
            "evidence": {"start": flag["start"], "end": flag["end"]},
        }
        if flag.get("kind") != "move_to_options":
            flag["nudged_at"] = nudge["t"]
        self.nudges.append(nudge)
        return Event(EventType.NUDGE, now, {"nudge": nudge}, Audience.COACH)

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        report["nudges"] = list(self.nudges)
