"""The flags that follow from GROW stages: a stage over its time, going round in circles, no Will.

Rules (as the coaching guidance and the labelled sets state them):

* ``stage_overrun``: with a plan that was set, a stage that runs 50% over its
  minutes and at least two minutes over, raised live as soon as that happens.
  With a plan derived from a recording's own length, a stage that takes half
  or more of the GROW time (and more than its share of the plan), judged at
  the end, when the length and every stage are known.
* ``stage_loop``: three or more falls from Options back to obstacles
  (Reality or Goal), counted on final stages: between stretches that lasted at
  least ``LOOP_MIN_RUN_S``, and each coachee turn that answers an idea with
  "yes, but..." (``stagecues.is_yes_but``). One rebuffed idea, or a decoder
  flicker, is not a loop, nor are three falls spread over a long session (they
  must come within ``LOOP_WINDOW_S``).
* ``no_will``: live, when the plan's time for Will has come and no Will has
  been seen; at the end, when no Will stretch of at least ``WILL_MIN_S`` (or a tenth
  of a short session) was reached.

In a group whose turns are known (``ctx.turn_spans``) the stages restart per turn
and so do these rules, as the group labelling rules have them: ``no_will`` and
``stage_loop`` are judged per turn (a loop: ``LOOP_FALLS_IN_TURN`` falls), with
the member in focus as ``who``; ``stage_overrun`` and the plan's live ``no_will``
are a pair's (a session plan split into stages), not a group's.

``StageFlags`` is driven by the stage tracker (``grow.StageTracker``), whose
final stages and time in stage it reads; a flag raised here is never changed
after its event, except by ``ctx.grow_flag`` (which leaves the event alone).
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from companion.analysis.base import AnalysisContext
from companion.analysis.plan import ResolvedPlan, resolve_plan
from companion.analysis.results import Flag, FlagKind, minutes
from companion.model import STAGES, Event


class StageTracker(Protocol):
    """What these flags read from the stage tracker (``grow.StageTracker``)."""

    transcribed_any: bool
    #: (utterance, stage) for every utterance whose stage is final, in order.
    final: list[tuple[int, str | None]]

    def time_in_stage(self, ctx: AnalysisContext) -> Counter[str]: ...

    def stage_seen(self, ctx: AnalysisContext, stage: str) -> bool: ...

#: A set plan: a stage overruns this much longer than planned, and at least ``OVERRUN_MIN_S`` longer.
OVERRUN_FACTOR = 1.5
OVERRUN_MIN_S = 120.0
#: A derived plan: a stage overruns when it has this share of the GROW time (and more than planned).
OVERRUN_SHARE = 0.5
#: GROW time below which no share is judged.
OVERRUN_MIN_GROW_S = 120.0
#: Falls from Options back to Reality/Goal that make a loop, and the least length of a stretch that counts.
LOOP_FALLS = 3
LOOP_FALLS_IN_TURN = 2
LOOP_MIN_RUN_S = 15.0
LOOP_WINDOW_S = 600.0
#: A Will stretch counts as reaching Will (judged at the end) when it lasts this long, or this share of
#: a short session: a passing "they'll say..." in a rant is not an agreed action.
WILL_MIN_S = 45.0
WILL_MIN_SHARE = 0.1

NEXT = {"goal": "Reality", "reality": "Options", "options": "Will", "will": "a close"}
MOVE_ON = {
    "goal": "What would you like to be different by the end of our time?",
    "reality": "So, how would you like the situation to be? What could you do about it?",
    "options": "Which of these options would you like to take forward, and by when?",
    "will": "What is the one thing you will do first?",
}


class StageFlags:
    def __init__(self) -> None:
        self.overrun: set[str] = set()
        self.no_will = False
        #: Final stage runs (None excluded): [stage, start, end, first utterance, last utterance, holds a "yes, but"].
        self.runs: list[list] = []
        self.loop: Flag | None = None
        #: Groups: the member whose turn is being judged (None in a pair).
        self.who: str | None = None

    # -- live ---------------------------------------------------------------
    def live(self, ctx: AnalysisContext, tracker: StageTracker, now: float) -> list[Event]:
        plan = resolve_plan(ctx.plan, None)
        if plan is None or plan.derived or not tracker.transcribed_any or ctx.turn_spans:
            return []  # without a set plan, judged at the end; a group's turns are judged as they end
        events: list[Event] = []
        totals = tracker.time_in_stage(ctx)
        for s in STAGES:
            allowed, spent = plan.stage_s[s], totals[s]
            if s not in self.overrun and allowed > 0 and spent >= max(allowed * OVERRUN_FACTOR,
                                                                      allowed + OVERRUN_MIN_S):
                events += self._overrun(ctx, s, now - (spent - allowed), now, allowed, spent, ())
        due = plan.planned_minutes * 60 - plan.stage_s["will"]
        if not self.no_will and now >= due and not tracker.stage_seen(ctx, "will"):
            events += self._no_will(ctx, plan, due, now)
        return events

    # -- as stages become final --------------------------------------------------
    def frozen(self, ctx: AnalysisContext, tracker: StageTracker, i: int, stage: str | None,
               yes_but: bool = False) -> list[Event]:
        """Stage ``stage`` of utterance ``i`` is final; ``yes_but``: a coachee's "yes, but" fell back to Reality."""
        if stage is None:
            return []
        u = ctx.utterances[i]
        if self.runs and self.runs[-1][0] == stage:
            run = self.runs[-1]
            run[2], run[4], run[5] = max(run[2], u.end), i, run[5] or yes_but
            return []
        self.runs.append([stage, u.start, u.end, i, i, yes_but])
        return self._loop(ctx, self.runs[:-1])

    def _loop(self, ctx: AnalysisContext, runs: list[list]) -> list[Event]:
        """Count falls from Options to obstacles: between solid stretches, and every "yes, but" after an idea."""
        said = [(a, b) for a, b in zip(runs, runs[1:]) if a[0] == "options" and b[5]]
        solid = [r for r in runs if r[2] - r[1] >= LOOP_MIN_RUN_S and not r[5]]
        seq: list[list] = []
        for r in solid:
            if seq and seq[-1][0] == r[0]:
                seq[-1] = [r[0], seq[-1][1], r[2], seq[-1][3], r[4]]
            else:
                seq.append(list(r))
        falls = [(a, b) for a, b in zip(seq, seq[1:]) if a[0] == "options" and b[0] in ("reality", "goal")]
        falls = sorted(falls + said, key=lambda f: f[1][1])
        # Repeated returns in one stretch of talk: LOOP_FALLS of them within LOOP_WINDOW_S (in a turn, fewer).
        need = LOOP_FALLS_IN_TURN if self.who else LOOP_FALLS
        first = next((k for k in range(len(falls) - need + 1)
                      if falls[k + need - 1][1][1] - falls[k][0][1] <= LOOP_WINDOW_S), None)
        if first is None:
            return []
        falls = falls[first:]
        start, end = falls[0][0][1], falls[-1][1][2]
        utts = tuple(range(falls[0][0][3], falls[-1][1][4] + 1))
        message = (f"The talk has gone from options back to obstacles {len(falls)} times "
                   f"in the last {minutes(end - start)}.")
        if self.loop is not None:
            if self.loop.end < end:
                self.loop = ctx.grow_flag(self.loop, end=end, message=message, utterances=utts,
                                          details={"falls": len(falls)})
            return []
        self.loop, ev = ctx.raise_flag(
            FlagKind.STAGE_LOOP, start, end, message,
            "I notice we keep coming back to what's in the way. What would need to be true for one of "
            "these ideas to work?", utterances=utts, who=self.who, falls=len(falls))
        return [ev]

    # -- groups: at the end of each turn ------------------------------------------
    def end_turn(self, ctx: AnalysisContext, member: str, start: float, end: float) -> list[Event]:
        """``member``'s turn (``start``-``end``) is over and its stages final: a loop in it, or no Will."""
        events = self._loop(ctx, self.runs)
        if not any(r[0] == "will" and r[2] - r[1] >= min(WILL_MIN_S, WILL_MIN_SHARE * (end - start))
                   for r in self.runs):
            first = member.split()[0] if member.split() else member
            _, ev = ctx.raise_flag(
                FlagKind.NO_WILL, start, end, f"{first}'s turn ended without {first} choosing an action.",
                f"{first}, what will you do, and by when?", who=member, turn_of=member)
            events.append(ev)
        self.runs, self.loop, self.who = [], None, None
        return events

    # -- at the end -------------------------------------------------------------
    def finish(self, ctx: AnalysisContext, tracker: StageTracker, end: float) -> list[Event]:
        plan = resolve_plan(ctx.plan, ctx.length_s or end)
        if plan is None or not tracker.transcribed_any or ctx.turn_spans:
            return []
        events = self._loop(ctx, self.runs)
        totals = tracker.time_in_stage(ctx)
        grow = sum(totals.values())
        for s in STAGES:
            allowed, spent = plan.stage_s[s], totals[s]
            if s in self.overrun or allowed <= 0 or spent <= 0:
                continue
            if plan.derived:
                over = grow >= OVERRUN_MIN_GROW_S and spent >= OVERRUN_SHARE * grow and spent > allowed
            else:
                over = spent >= max(allowed * OVERRUN_FACTOR, allowed + OVERRUN_MIN_S)
            if over:
                idx = [i for i, st in tracker.final if st == s]
                start = self._crossing(ctx, idx, allowed) if not plan.derived else ctx.utterances[idx[0]].start
                stop = max(ctx.utterances[i].end for i in idx)
                events += self._overrun(ctx, s, start, stop, allowed, spent, tuple(idx), grow)
        # A Will is reached when a stretch of it lasts: a passing "I'll" is not an agreed action.
        if not self.no_will and not any(
                r[0] == "will" and r[2] - r[1] >= min(WILL_MIN_S, WILL_MIN_SHARE * end) for r in self.runs):
            first = min((u.start for u in ctx.utterances), default=0.0)
            events += self._no_will(ctx, plan, first, end)
        return events

    @staticmethod
    def _crossing(ctx: AnalysisContext, idx: list[int], allowed: float) -> float:
        """When a stage had used up its planned time (its talk time, as the talk tracker counts it)."""
        spent = 0.0
        for i in idx:
            talk = ctx.marks[i].get("talk_s", ctx.utterances[i].duration)
            if spent + talk >= allowed:
                return ctx.utterances[i].start + (allowed - spent)
            spent += talk
        return ctx.utterances[idx[-1]].end

    def _overrun(self, ctx: AnalysisContext, s: str, start: float, end: float, allowed: float, spent: float,
                 utts: tuple[int, ...], grow: float | None = None) -> list[Event]:
        self.overrun.add(s)
        share = f" ({spent / grow * 100:.0f}% of the GROW time)" if grow else ""
        _, ev = ctx.raise_flag(
            FlagKind.STAGE_OVERRUN, start, end,
            f"{s.capitalize()} has taken {minutes(spent)}{share}, against {minutes(allowed)} planned; "
            f"consider moving on to {NEXT[s]}.",
            MOVE_ON[s], utterances=utts, stage=s, planned_s=round(allowed, 1), actual_s=round(spent, 1))
        return [ev]

    def _no_will(self, ctx: AnalysisContext, plan: ResolvedPlan, start: float, end: float) -> list[Event]:
        self.no_will = True
        _, ev = ctx.raise_flag(
            FlagKind.NO_WILL, start, end,
            f"The last {minutes(plan.stage_s['will'])} of the plan are for Will, and no action has been "
            "agreed yet.", "What will you do, and by when?")
        return [ev]
