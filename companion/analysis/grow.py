"""GROW stages (Goal, Reality, Options, Will): decoding, the live stage, time against the plan.

Each utterance gets cue scores from what is said (``stagecues``: the coach's
questions say most). Cues alone flicker, and most utterances ("yes", "mm, and
then?") carry none, so the stage is decoded with a small hidden-Markov model
whose transitions say how conversations move: an opening, then mostly forward
through the stages, sometimes back, rarely skipping, then a closing. Stages
move on the coach's questions: on a coachee's answer, or a coach's "Mm", a move
between stages costs ten times more (a "yes, but" that drops back from Options
is relabelled Reality after decoding, so it does not pull the decoder). When the
session's length is known (a recording or transcript, or a live plan) a soft
prior on position helps: Will rarely comes in the first minutes.

Decoding is a fixed-lag Viterbi: the latest ``LAG`` utterances may still be
revised as later talk clarifies them, older ones are final. That keeps the
live path at O(LAG) per utterance. What the coach is shown live changes only on
sustained evidence (``DWELL_S`` and two utterances that keep backing the new
stage, or a clear margin), so a 3-second flip does not reset the panel's stage
clock; the clock starts where the new stage began as decoded, and a return
after a momentary flip that was shown keeps the earlier clock. When a final decision differs from what was
shown, the tracker says so (a ``revision`` on a stage event and in the report).

Stage flags (overrun, loop, no Will) live in ``stageflags``; they read this
tracker's final stages and time in stage (talk time, as the talk tracker counts it).
"""

from __future__ import annotations

import math
from collections import Counter, deque
from typing import Any

import numpy as np

from companion.analysis import stagemodel
from companion.analysis.base import AnalysisContext, Component
from companion.analysis.plan import resolve_plan
from companion.analysis.questions import asks_question
from companion.analysis.results import FlagKind, StageSpan
from companion.analysis.stagecues import cue_scores, is_yes_but
from companion.analysis.stageflags import StageFlags
from companion.model import STAGES, Audience, Event, EventType

#: Decoder states: an opening before any goal, the four stages, a closing after them.
STATES: tuple[str | None, ...] = (None, "goal", "reality", "options", "will", None)
N = len(STATES)
LAG = 8

#: How talk moves between states, per utterance (rows: from; columns: to).
_T = [
    [0.85, 0.12, 0.025, 0.002, 0.002, 0.001],
    [0.005, 0.86, 0.11, 0.015, 0.008, 0.002],
    [0.001, 0.03, 0.88, 0.075, 0.012, 0.002],
    [0.001, 0.01, 0.05, 0.87, 0.065, 0.004],
    [0.001, 0.01, 0.02, 0.04, 0.90, 0.029],
    [0.001, 0.002, 0.005, 0.005, 0.05, 0.937],
]
LOG_T = [[math.log(p / sum(row)) for p in row] for row in _T]
#: Stages move on the coach's questions: a coachee's answer stays in the stage the question opened, so
#: on a coachee's utterance a move between the four stages costs this much more (log) than on the coach's.
#: The same holds for the coach's backchannels and short remarks ("Mm", "Okay"): only a question, or a
#: turn of at least ``STEER_WORDS`` words, moves the stage freely.
COACHEE_MOVE = math.log(0.1)
STEER_WORDS = 20
LOG_T_QUIET = [[t + (COACHEE_MOVE if STATES[j] and STATES[k] and j != k else 0.0) for k, t in enumerate(row)]
               for j, row in enumerate(LOG_T)]
REALITY, OPTIONS = 2, 3
LOG_START = [math.log(p) for p in (0.55, 0.33, 0.07, 0.02, 0.02, 0.01)]
#: Log-odds one cue adds (the coach's count double: the coach steers the stages).
CUE_WEIGHT = 1.4
#: Where in a session each state usually sits (fractions of its length), from the default plan's
#: proportions with generous overlap (Goal up to 40%: agreeing a goal often takes longer than its plan share);
#: outside its range a state pays ``POSITION_WEIGHT`` per unit.
POSITION = ((0.0, 0.08), (0.0, 0.4), (0.12, 0.6), (0.4, 0.85), (0.65, 1.0), (0.9, 1.0))
POSITION_WEIGHT = 4.0
#: The live stage changes after this long on a new best stage (and two utterances), or at once
#: when the new stage leads by ``SWITCH_MARGIN`` in log-odds.
DWELL_S = 10.0
SWITCH_MARGIN = 4.0


#: Weight of the learned model's log-probabilities (``stagemodel``) beside the cues; decoder state -> class.
MODEL_WEIGHT = 0.3
_STATE_CLASS = (0, 1, 2, 3, 4, 0)


def _steers(ctx: AnalysisContext, i: int) -> bool:
    """A coach-side turn that can open a stage: a question, or a turn of some length (not "Mm", "Okay")."""
    return asks_question(ctx.marks[i]) or len(ctx.parsed[i].tokens) >= STEER_WORDS


def position_prior(f: float) -> list[float]:
    return [-POSITION_WEIGHT * max(0.0, lo - f, f - hi) for lo, hi in POSITION]


class StageTracker(Component):
    """Marks each utterance's stage, keeps the live stage and the time in stage."""

    def __init__(self) -> None:
        self.delta: list[float] | None = None
        self.back: deque[list[int]] = deque()
        self.window: deque[int] = deque()  # indices of the undecided utterances
        self.frozen_time: Counter[str] = Counter()
        self.final: list[tuple[int, str | None]] = []  # (utterance, stage) once decided
        self.final_seen: set[str | None] = set()
        #: The live stage as shown: state index, since when, and a challenger with its first sight.
        self.shown = 0
        self.shown_since = 0.0
        self.pending: tuple[int, float, int, float] | None = None  # (state, since, utterances, margin)
        self.before: tuple[int, float] | None = None  # the stage shown before the current one, and its since
        self.shown_at: dict[int, str | None] = {}  # utterance -> stage shown when it arrived
        self.revisions: list[dict[str, Any]] = []
        self.flags = StageFlags()
        self.model = stagemodel.shipped()
        self.prev_coach: np.ndarray | None = None  # the coach side's latest utterance, as a vector
        #: Coachee turns that open with "but": inside Options they fall back to Reality (a "yes, but").
        self.yes_but: set[int] = set()
        #: Stages come from words: untranscribed speech gets no stage.
        self.transcribed_any = False
        #: Utterances of an off-topic stretch (no stage in the report) -> the stage they were decoded in.
        self.asides: dict[int, str | None] = {}
        #: Groups: the member whose turn is being decoded (None: a pair, or talk outside the turns),
        #: and the end of that turn's latest utterance.
        self.turn: str | None = None
        self.turn_end = 0.0

    # -- decoding ------------------------------------------------------------
    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        if not u.transcribed:
            return []
        events: list[Event] = []
        if ctx.turn_spans:  # a group with turns: each member's turn goes through the stages afresh
            turn = ctx.marks[i].get("turn_of")
            if turn != self.turn:
                events += self._restart(ctx, turn)
            if turn is None:
                return events  # the opening, report-backs, the review and the closing have no stage
            self.turn_end = max(self.turn_end, u.end)
        self.transcribed_any = True
        # In a member's turn everyone else coaches them: the group's questions steer the stages.
        coach = u.speaker != self.turn if self.turn else ctx.is_coach_side(u.speaker)
        if not coach and is_yes_but(u.text):
            self.yes_but.add(i)
        obs = [CUE_WEIGHT * s for s in cue_scores(ctx.parsed[i].joined, coach)]
        if i in self.yes_but:
            obs[REALITY] = min(obs[REALITY], obs[OPTIONS])  # the obstacle is part of weighing the idea up
        if self.model is not None and i < len(ctx.vectors):
            vec = ctx.vectors[i]
            prev = self.prev_coach if self.prev_coach is not None else np.zeros_like(vec)
            lp = stagemodel.log_probs(self.model, stagemodel.features(vec, prev, coach))
            obs = [o + MODEL_WEIGHT * float(lp[_STATE_CLASS[k]]) for k, o in enumerate(obs)]
            if coach:
                self.prev_coach = vec
        start, length = ctx.turn_spans[self.turn] if self.turn else (0.0, self._length(ctx))
        if length:
            obs = [o + p for o, p in zip(obs, position_prior(((u.start + u.end) / 2 - start) / length))]
        if self.delta is None:
            delta = [LOG_START[k] + obs[k] for k in range(N)]
            back = list(range(N))
        else:
            delta, back = [], []
            prev = self.delta
            log_t = LOG_T if coach and _steers(ctx, i) else LOG_T_QUIET
            for k in range(N):
                best = max(range(N), key=lambda j: prev[j] + log_t[j][k])
                back.append(best)
                delta.append(prev[best] + log_t[best][k] + obs[k])
        top = max(delta)
        self.delta = [d - top for d in delta]
        self.back.append(back)
        self.window.append(i)
        self._backtrack(ctx)
        if len(self.window) > LAG:
            events += self._freeze(ctx, self.window.popleft())
            self.back.popleft()
        events += self._live(ctx, i)
        self.shown_at[i] = STATES[self.shown]
        return events + self.flags.live(ctx, self, ctx.now)

    def _restart(self, ctx: AnalysisContext, turn: str | None) -> list[Event]:
        """A turn ended or began: what was decoded becomes final, the turn is judged, the decoder starts over."""
        events = self._flush(ctx)
        if self.turn is not None:
            events += self.flags.end_turn(ctx, self.turn, ctx.turn_spans[self.turn][0], self.turn_end)
        self.turn, self.turn_end = turn, 0.0
        self.delta, self.prev_coach, self.pending, self.shown = None, None, None, 0
        self.flags.who = turn
        return events

    def _flush(self, ctx: AnalysisContext) -> list[Event]:
        events: list[Event] = []
        while self.window:
            events += self._freeze(ctx, self.window.popleft())
            self.back.popleft()
        return events

    def _length(self, ctx: AnalysisContext) -> float | None:
        if ctx.length_s:
            return ctx.length_s
        return ctx.plan.planned_minutes * 60 if ctx.plan.planned_minutes else None

    def _backtrack(self, ctx: AnalysisContext) -> None:
        assert self.delta is not None
        k = max(range(N), key=lambda s: self.delta[s])  # type: ignore[index]
        for pos in range(len(self.window) - 1, -1, -1):
            i = self.window[pos]
            yes_but = STATES[k] == "options" and i in self.yes_but
            ctx.marks[i]["stage"] = "reality" if yes_but else STATES[k]
            k = self.back[pos][k]

    def _live(self, ctx: AnalysisContext, i: int) -> list[Event]:
        """Move the shown stage only on sustained evidence; its clock starts where the stage began."""
        assert self.delta is not None
        u = ctx.utterances[i]
        best = max(range(N), key=lambda k: self.delta[k])  # type: ignore[index]
        if STATES[best] == STATES[self.shown] and (best == self.shown or STATES[best] is None):
            self.pending = None
            return []
        margin = self.delta[best] - self.delta[self.shown]
        if self.pending is None or self.pending[0] != best:
            self.pending = (best, u.start, 1, margin)
        elif margin >= self.pending[3]:
            # Only talk that keeps backing the new stage counts: an utterance that weakens its lead is inertia.
            self.pending = (best, self.pending[1], self.pending[2] + 1, margin)
        sustained = u.end - self.pending[1] >= DWELL_S and self.pending[2] >= 2
        if not sustained and margin < SWITCH_MARGIN and i > 0:
            return []
        self.pending = None
        # The clock starts at the first utterance of the run now decoded as this stage.
        since = u.start
        for j in reversed(self.window):
            if ctx.marks[j]["stage"] != STATES[best]:
                break
            since = ctx.utterances[j].start
        back, self.before = self.before, (self.shown, self.shown_since)
        if back is not None and back[0] == best and since - self.shown_since < DWELL_S:
            # Back after a momentary flip (decoded now as under DWELL_S): the earlier clock runs on.
            self.shown_since = back[1]
        else:
            self.shown_since = max(since, self.shown_since)
        self.shown = best
        stage = STATES[best]
        data: dict[str, Any] = {"stage": stage, "since": round(self.shown_since, 2)}
        plan = resolve_plan(ctx.plan, None)
        if plan and stage:
            data["planned_s"] = round(plan.stage_s[stage], 1)
        return [Event(EventType.STAGE, self.shown_since, data, Audience.EVERYONE)]

    def _freeze(self, ctx: AnalysisContext, i: int) -> list[Event]:
        stage = ctx.marks[i]["stage"]
        self.final.append((i, stage))
        self.final_seen.add(stage)
        if stage != "reality":
            self.yes_but.discard(i)
        if stage:
            self.frozen_time[stage] += ctx.marks[i].get("talk_s", ctx.utterances[i].duration)
        events = self._revision(ctx, i, stage)
        return events + self.flags.frozen(ctx, self, i, stage, i in self.yes_but)

    def _revision(self, ctx: AnalysisContext, i: int, stage: str | None) -> list[Event]:
        """A final stage that differs from what was shown is recorded, and said live."""
        shown = self.shown_at.pop(i, stage)
        u = ctx.utterances[i]
        last = self.revisions[-1] if self.revisions else None
        if shown == stage:
            return []
        if last and last["shown"] == shown and last["final"] == stage and last["last"] == i - 1:
            last["end"], last["last"] = round(u.end, 2), i
            return []
        rev = {"start": round(u.start, 2), "end": round(u.end, 2), "shown": shown, "final": stage, "last": i}
        self.revisions.append(rev)
        data = {"stage": STATES[self.shown], "since": round(self.shown_since, 2),
                "revision": {k: rev[k] for k in ("start", "shown", "final")}}
        return [Event(EventType.STAGE, u.end, data, Audience.EVERYONE)]

    # -- time in stage -------------------------------------------------------
    def time_in_stage(self, ctx: AnalysisContext) -> Counter[str]:
        """Talk time per stage: final stages, plus the undecided window as decoded now."""
        totals = Counter(self.frozen_time)
        for i in self.window:
            s = ctx.marks[i]["stage"]
            if s:
                totals[s] += ctx.marks[i].get("talk_s", ctx.utterances[i].duration)
        return totals

    def stage_seen(self, ctx: AnalysisContext, stage: str) -> bool:
        return stage in self.final_seen or any(ctx.marks[i]["stage"] == stage for i in self.window)

    def tick(self, ctx: AnalysisContext, now: float) -> list[Event]:
        return self.flags.live(ctx, self, now)

    def finish(self, ctx: AnalysisContext, end: float) -> list[Event]:
        events = self._restart(ctx, None) if self.turn is not None else self._flush(ctx)
        events += self.flags.finish(ctx, self, end)
        self._set_asides(ctx)
        return events

    # -- report --------------------------------------------------------------
    def spans(self, ctx: AnalysisContext, end: float) -> list[StageSpan]:
        out: list[StageSpan] = []
        current: tuple[str | None, float] | None = None
        for i, m in enumerate(ctx.marks):
            s, t = m["stage"], ctx.utterances[i].start
            if current and current[0] == s:
                continue
            if current and current[0]:
                out.append(StageSpan(current[0], current[1], t))
            current = (s, t)
        if current and current[0]:
            out.append(StageSpan(current[0], current[1], end))
        return out

    def _set_asides(self, ctx: AnalysisContext) -> None:
        """Off-topic stretches (``topic_drift`` flags, with their utterances) have no stage, as small talk has
        none; their time leaves the stage they were decoded in. Known only once a stretch is flagged, so at
        the end (and in any report), not live."""
        for f in ctx.flags:
            if f.kind != FlagKind.TOPIC_DRIFT:
                continue
            for j in f.utterances:
                if j not in self.asides and j not in self.window:
                    self.asides[j] = ctx.marks[j]["stage"]
                    ctx.marks[j]["stage"] = None

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        self._set_asides(ctx)
        end = report["session"]["duration_s"]
        report["stages"] = [s.to_dict() for s in self.spans(ctx, end)]
        report["stage_revisions"] = [{k: v for k, v in r.items() if k != "last"} for r in self.revisions]
        totals = self.time_in_stage(ctx)
        for j, s in self.asides.items():
            if s:
                totals[s] -= ctx.marks[j].get("talk_s", ctx.utterances[j].duration)
        plan = resolve_plan(ctx.plan, ctx.length_s or end)
        if plan is not None:
            report["plan"] = {**plan.report(), "stages": [
                {"stage": s, "planned_s": round(plan.stage_s[s], 1), "actual_s": round(totals[s], 1),
                 "over_s": round(max(0.0, totals[s] - plan.stage_s[s]), 1)} for s in STAGES]}
        report["coach_skills"]["talk_share_by_stage"] = self._talk_by_stage(ctx)

    def _talk_by_stage(self, ctx: AnalysisContext) -> dict[str, float | None]:
        """The coach side's share of talk within each stage (a coach should listen most in Reality)."""
        talk: dict[str, list[float]] = {s: [0.0, 0.0] for s in STAGES}
        for u, m in zip(ctx.utterances, ctx.marks):
            if m["stage"]:
                talk[m["stage"]][1] += m["talk_s"]  # the talk tracker's own accounting
                if ctx.is_coach_side(u.speaker):
                    talk[m["stage"]][0] += m["talk_s"]
        return {s: (round(c / t, 4) if t > 0 else None) for s, (c, t) in talk.items()}
