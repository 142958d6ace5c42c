"""GROW stages (Goal, Reality, Options, Will), time against the plan, and drift.

Each utterance gets cue scores for the four stages from what is said (the
coach's questions say most: "what would you like to get out of today" is
Goal, "what could you do" is Options). Cues alone flicker, and most
utterances ("yes", "mm, and then?") carry none, so the stage is decoded
with a small hidden-Markov model whose transitions say how conversations
move: mostly forward, sometimes back, rarely skipping. Decoding is a
fixed-lag Viterbi: the latest ``LAG`` utterances may still be revised as
later talk clarifies them, older ones are final. That keeps the live path at
O(LAG) per utterance, and the report shows the smoothed stages while the
coach panel shows the current best guess.

``StageTracker`` also owns time in stage against the plan and the flags that
follow from it (stage_overrun, stage_loop, no_will). ``TopicDrift`` compares
the coachee's recent words with their goal statement.
"""

from __future__ import annotations

import math
import re
from collections import Counter, deque
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.plan import ResolvedPlan, resolve_plan
from companion.model import STAGES, Audience, Event, EventType, Role

#: Decoder states: an opening before any goal is set, then the four stages.
STATES = (None, "goal", "reality", "options", "will")
LAG = 6

#: A stage overruns when it takes this much longer than planned, and at least
#: ``OVERRUN_MIN_S`` longer: a plan is a guide, not a stopwatch.
OVERRUN_FACTOR = 1.5
OVERRUN_MIN_S = 120.0
#: Back-steps (e.g. options -> reality) within this window that make a loop.
LOOP_WINDOW_S = 600.0
LOOP_BACKSTEPS = 2


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f" (?:{p})(?= )" for p in patterns))


CUES: dict[str, re.Pattern[str]] = {
    "goal": _cues(
        r"(want|like|hope|hoping|wanted|need) to (work on|talk about|focus on|get out of|achieve|"
        r"leave with|look at|explore|come away|bring|get to|sort out)",
        r"get out of (this|today|our|the session|the time|the conversation|the next)",
        r"by the end of (this|today|our|the session|the conversation|the hour)", r"goals?", r"aims?",
        r"objectives?", r"outcomes?", r"ideal(ly)?", r"how (will|would|'ll|'d) you know",
        r"success", r"what (would|do) you (like|want)", r"what are you hoping", r"topic",
        r"what (would|do) you want", r"i want to (get|be|have|make|feel|find|learn|improve|become|stop|start)",
        r"i 'd like to", r"i would like to", r"look like (for you|when|if|in)", r"what would (that|it) look like",
        r"(in|within) (six|three|two|a few|twelve|\d+) (months|weeks)", r"specific", r"measurable",
        r"what would be (most )?(useful|helpful)", r"want instead", r"like (it|things|the situation) to be",
        r"what do you want", r"bring (today|to this|to the session)", r"work on today",
        r"where would you like to be", r"what would good look like", r"how would you like",
    ),
    "reality": _cues(
        r"(what|how) (is|'s|are|'re) (happening|going on|it like|things)", r"at the moment",
        r"currently", r"right now", r"so far", r"what have you (tried|done)", r"(what|how) happened",
        r"tell me (more|about)", r"situation", r"how often", r"how long (has|have|is)",
        r"when did", r"(what|who) (is|'s) (stopping|holding|blocking)", r"getting in the way",
        r"obstacles?", r"problems?", r"who else is involved", r"impact", r"affects?",
        r"last (week|time|month|year|monday|tuesday|wednesday|thursday|friday)", r"tried",
        r"happened", r"always", r"never", r"every (time|single|week|day)", r"what (is|'s) working",
        r"where are you now", r"(what|how) did (you|that|it|they)", r"example", r"usually",
        r"these days", r"lately", r"so far", r"what makes (it|this|that)", r"how do you feel about",
        r"what (do|did) you (notice|think caused)", r"cause", r"who is involved", r"nobody",
        r"at the minute", r"these meetings", r"what 's hard", r"what gets", r"today it 's",
    ),
    "options": _cues(
        r"options?", r"what (else )?(could|might|can) you", r"what else", r"ideas?",
        r"possibilit(y|ies)", r"alternatives?", r"brainstorm", r"i could", r"we could",
        r"maybe i (could|can|should|might)", r"(could|might|can) (try|ask|send|talk|use|start|change|set|move|"
        r"book|delegate|speak|put|share|propose)", r"if (you|there) (were|was|had) no",
        r"what would you do if", r"what would (someone|a friend|your|you advise)", r"pros and cons",
        r"another way", r"(what|which) (other|different)", r"approach(es)?", r"choices?",
        r"could also", r"what if (i|we|you)", r"or i could", r"anything else you could",
        r"what (resources|help|support) do you", r"what has worked", r"(worked|works) before",
        r"what would it take", r"what could",
    ),
    "will": _cues(
        r"what will you (do|start|try)", r"when will you", r"by when", r"first step",
        r"next steps?", r"commit(ted|ment)?", r"on a scale", r"how likely", r"who (could|can|will) (help|support)",
        r"i 'll", r"i will", r"by (monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|next week|"
        r"the end of)", r"(this|next) (monday|tuesday|wednesday|thursday|friday)", r"actions?",
        r"i 'm going to", r"deadline", r"check in", r"follow up", r"accountab\w*",
        r"which (of these|option|one|idea|ones) (feels|would|will|do you|is)", r"what will", r"going to do",
        r"when exactly", r"starting (tomorrow|monday|today|next)", r"how will you (make sure|remember|keep)",
        r"what (might|could) get in the way", r"tomorrow", r"decide", r"out of ten",
        r"(an?|one) (six|seven|eight|nine|ten)", r"summar\w*", r"so you 'll", r"plan is",
        r"what 's your plan", r"(small|first|next) steps?", r"two (small )?steps",
    ),
}
#: Greetings and set-up belong to the opening, before any stage.
OPENING = _cues(r"hi", r"hello", r"how are you", r"good to see", r"thanks for (making|coming|joining)",
                r"nice to", r"can you hear me", r"shall we (start|begin)", r"before we start", r"confidential")

#: How talk moves between states (opening, goal, reality, options, will), per utterance.
_T = [
    [0.80, 0.15, 0.04, 0.005, 0.005],
    [0.01, 0.86, 0.10, 0.02, 0.01],
    [0.002, 0.03, 0.88, 0.075, 0.013],
    [0.002, 0.01, 0.04, 0.88, 0.068],
    [0.002, 0.01, 0.02, 0.04, 0.928],
]
LOG_T = [[math.log(p) for p in row] for row in _T]
LOG_START = [math.log(p) for p in (0.55, 0.35, 0.07, 0.02, 0.01)]
#: Log-odds one cue adds; a coach's cue counts double (the coach steers the stages).
CUE_WEIGHT = 1.4


def cue_scores(joined: str, coach: bool) -> list[float]:
    w = 2.0 if coach else 1.0
    scores = [0.0] * len(STATES)
    scores[0] = len(OPENING.findall(joined)) * w
    for k, s in enumerate(STAGES, start=1):
        scores[k] = min(3, len(CUES[s].findall(joined))) * w
    return scores


class StageTracker(Component):
    """Marks each utterance's stage, follows time in stage, raises stage flags."""

    def __init__(self) -> None:
        self.delta: list[float] | None = None
        self.back: deque[list[int]] = deque()
        self.window: deque[int] = deque()  # indices of the undecided utterances
        self.frozen_stage: str | None = None
        self.frozen_time: Counter[str] = Counter()
        self.live_stage: str | None = None
        self.live_since = 0.0
        self.seen: set[str] = set()
        self.transitions: deque[tuple[float, str, str]] = deque()
        self.loop_until = -1.0
        self.overrun_flagged: set[str] = set()
        self.no_will_flagged = False
        self.plan: ResolvedPlan | None = None
        #: Stages come from words: untranscribed speech gets no stage, and without
        #: any transcript there is nothing to judge a missing Will by.
        self.transcribed_any = False

    # -- decoding ------------------------------------------------------------
    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        if not u.transcribed:
            return []
        self.transcribed_any = True
        coach = ctx.role_of(u.speaker) in (Role.COACH, Role.FACILITATOR)
        obs = [CUE_WEIGHT * s for s in cue_scores(ctx.parsed[i].joined, coach)]
        n = len(STATES)
        if self.delta is None:
            delta = [LOG_START[k] + obs[k] for k in range(n)]
            back = list(range(n))
        else:
            delta, back = [], []
            prev = self.delta
            for k in range(n):
                best, score = 0, prev[0] + LOG_T[0][k]
                for j in range(1, n):
                    v = prev[j] + LOG_T[j][k]
                    if v > score:
                        best, score = j, v
                back.append(best)
                delta.append(score + obs[k])
        top = max(delta)
        self.delta = [d - top for d in delta]
        self.back.append(back)
        self.window.append(i)
        self._backtrack(ctx)
        if len(self.window) > LAG:
            self._freeze(ctx, self.window.popleft())
            self.back.popleft()
        events: list[Event] = []
        current = STATES[max(range(n), key=lambda k: self.delta[k])]
        if current != self.live_stage:
            self.live_stage, self.live_since = current, u.start
            if current:
                self.seen.add(current)
            events.append(Event(EventType.STAGE, u.start, {"stage": current, "since": round(u.start, 2)},
                                Audience.EVERYONE))
        return events + self._time_checks(ctx, ctx.now)

    def _backtrack(self, ctx: AnalysisContext) -> None:
        k = max(range(len(STATES)), key=lambda s: self.delta[s])
        for pos in range(len(self.window) - 1, -1, -1):
            ctx.marks[self.window[pos]]["stage"] = STATES[k]
            k = self.back[pos][k]

    def _span(self, ctx: AnalysisContext, i: int, end: float) -> float:
        nxt = ctx.utterances[i + 1].start if i + 1 < len(ctx.utterances) else end
        return max(0.0, min(nxt, end) - ctx.utterances[i].start)

    def _freeze(self, ctx: AnalysisContext, i: int) -> list[Event]:
        stage = ctx.marks[i]["stage"]
        if stage:
            self.frozen_time[stage] += self._span(ctx, i, ctx.now)
            self.seen.add(stage)
        if stage and self.frozen_stage and stage != self.frozen_stage:
            self.transitions.append((ctx.utterances[i].start, self.frozen_stage, stage))
        if stage:
            self.frozen_stage = stage
        return []

    # -- time in stage -------------------------------------------------------
    def time_in_stage(self, ctx: AnalysisContext, now: float) -> Counter[str]:
        totals = Counter(self.frozen_time)
        for i in self.window:
            s = ctx.marks[i]["stage"]
            if s:
                totals[s] += self._span(ctx, i, now)
        return totals

    def tick(self, ctx: AnalysisContext, now: float) -> list[Event]:
        return self._time_checks(ctx, now)

    def _time_checks(self, ctx: AnalysisContext, now: float) -> list[Event]:
        events = self._loop_check(ctx, now)
        plan = resolve_plan(ctx.plan, None)
        if plan is None:
            return events  # a file without a plan: checked at finish, once its length is known
        totals = self.time_in_stage(ctx, now)
        for s in STAGES:
            events += self._overrun(ctx, plan, s, totals[s], now)
        events += self._no_will_live(ctx, plan, now)
        return events

    def _overrun(self, ctx: AnalysisContext, plan: ResolvedPlan, s: str, spent: float, now: float,
                 start: float | None = None) -> list[Event]:
        """Flag stage ``s`` once it has ``spent`` seconds, from when its allowance ran out."""
        allowed = plan.stage_s[s]
        if s in self.overrun_flagged or allowed <= 0:
            return []
        if spent < max(allowed * OVERRUN_FACTOR, allowed + OVERRUN_MIN_S):
            return []
        self.overrun_flagged.add(s)
        if start is None:  # live: the stage is running now
            start = now - (spent - allowed)
        over = (spent - allowed) / 60
        nxt = {"goal": "Reality", "reality": "Options", "options": "Will", "will": "a close"}[s]
        suggestion = {
            "goal": "What would you like to be different by the end of our time?",
            "reality": "So, how would you like the situation to be? What could you do about it?",
            "options": "Which of these options would you like to take forward, and by when?",
            "will": "What is the one thing you will do first?",
        }[s]
        _, ev = ctx.raise_flag(
            "stage_overrun", start, now,
            f"{s.capitalize()} has run {over:.0f} min over its {allowed / 60:.0f} min plan "
            f"({spent / 60:.0f} min so far); consider moving on to {nxt}.",
            suggestion, stage=s, planned_s=round(allowed, 1), actual_s=round(spent, 1))
        return [ev]

    def _no_will_live(self, ctx: AnalysisContext, plan: ResolvedPlan, now: float) -> list[Event]:
        threshold = plan.planned_minutes * 60 - plan.stage_s["will"]
        if self.no_will_flagged or "will" in self.seen or now < threshold or not self.transcribed_any:
            return []
        return self._raise_no_will(ctx, threshold, now, plan)

    def _raise_no_will(self, ctx: AnalysisContext, start: float, end: float, plan: ResolvedPlan) -> list[Event]:
        self.no_will_flagged = True
        _, ev = ctx.raise_flag(
            "no_will", start, end,
            f"The last {plan.stage_s['will'] / 60:.0f} min of the plan are for Will, and no action "
            "has been agreed yet.",
            "What will you do, and by when?")
        return [ev]

    def _loop_check(self, ctx: AnalysisContext, now: float) -> list[Event]:
        while self.transitions and self.transitions[0][0] < now - LOOP_WINDOW_S:
            self.transitions.popleft()
        order = {s: k for k, s in enumerate(STAGES)}
        back = [t for t in self.transitions if order[t[2]] < order[t[1]]]
        if len(back) < LOOP_BACKSTEPS or self.transitions[0][0] <= self.loop_until:
            return []
        start = self.transitions[0][0]
        self.loop_until = now  # one flag per loop: transitions before now are spent
        path = " -> ".join([self.transitions[0][1]] + [t[2] for t in self.transitions])
        _, ev = ctx.raise_flag(
            "stage_loop", start, now,
            f"The conversation has gone back and forth ({path}) in the last "
            f"{(now - start) / 60:.0f} min.",
            "What would you like to take from this so far, and what is the next step?")
        self.transitions.clear()
        return [ev]

    def finish(self, ctx: AnalysisContext, end: float) -> list[Event]:
        events: list[Event] = []
        while self.window:
            self._freeze(ctx, self.window.popleft())
            self.back.popleft()
        events += self._loop_check(ctx, end)
        self.plan = resolve_plan(ctx.plan, end)
        if self.plan is None:
            return events
        totals = self.frozen_time
        for s in STAGES:
            events += self._overrun(ctx, self.plan, s, totals[s], end, self._crossing(ctx, s, end))
        if "will" not in self.seen and not self.no_will_flagged and self.transcribed_any:
            start = max(0.0, end - self.plan.stage_s["will"])
            events += self._raise_no_will(ctx, start, end, self.plan)
        return events

    def _crossing(self, ctx: AnalysisContext, s: str, end: float) -> float:
        """When stage ``s`` had used up its planned time (or the end). O(n), once, at finish."""
        if self.plan is None or s in self.overrun_flagged:
            return end
        limit = self.plan.stage_s[s]
        spent = 0.0
        for i, m in enumerate(ctx.marks):
            if m["stage"] == s:
                span = self._span(ctx, i, end)
                if spent + span >= limit:
                    return ctx.utterances[i].start + (limit - spent)
                spent += span
        return end

    # -- report --------------------------------------------------------------
    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        end = report["session"]["duration_s"]
        stretches: list[dict[str, Any]] = []
        for i, m in enumerate(ctx.marks):
            s, t = m["stage"], ctx.utterances[i].start
            if stretches and stretches[-1]["stage"] == s:
                continue
            if stretches:
                stretches[-1]["end"] = round(t, 2)
            stretches.append({"stage": s, "start": round(t, 2), "end": round(end, 2)})
        report["stages"] = [x for x in stretches if x["stage"]]
        totals = self.time_in_stage(ctx, end) if self.window else Counter(self.frozen_time)
        plan = self.plan or resolve_plan(ctx.plan, end)
        report["plan"] = {**plan.report(), "stages": [
            {"stage": s, "planned_s": round(plan.stage_s[s], 1), "actual_s": round(totals[s], 1),
             "over_s": round(max(0.0, totals[s] - plan.stage_s[s]), 1)} for s in STAGES]}
        report["coach_skills"]["talk_share_by_stage"] = self._talk_by_stage(ctx)

    def _talk_by_stage(self, ctx: AnalysisContext) -> dict[str, float | None]:
        """The coach's share of talk within each stage (a coach should listen most in Reality)."""
        coach = {s for s, r in ctx.roles.items() if r in (Role.COACH, Role.FACILITATOR)}
        talk: dict[str, list[float]] = {s: [0.0, 0.0] for s in STAGES}
        for u, m in zip(ctx.utterances, ctx.marks):
            if m["stage"]:
                talk[m["stage"]][1] += m["talk_s"]  # the talk tracker's own accounting
                if u.speaker in coach:
                    talk[m["stage"]][0] += m["talk_s"]
        return {s: (round(c / t, 4) if t > 0 else None) for s, (c, t) in talk.items()}


#: Seconds of coachee talk compared with the goal.
DRIFT_WINDOW_S = 180.0
#: Least content words in the window before drift is judged.
DRIFT_MIN_WORDS = 25
#: Share of the window's content words that echo the goal, below which talk has drifted.
DRIFT_MIN_OVERLAP = 0.04
#: Drift must last this long before it is flagged (a short aside is fine).
DRIFT_MIN_S = 150.0


class TopicDrift(Component):
    """Flags coachee talk that has wandered away from the goal they set.

    The goal statement is the coachee's words while the stage is Goal (as
    decoded live). Afterwards, a rolling window of the coachee's recent content
    words is compared with it: the share of those words whose stems occur in
    the goal. Kept as running counts, so each utterance costs its own words.
    """

    def __init__(self) -> None:
        self.goal: Counter[str] = Counter()
        self.goal_words: dict[str, str] = {}  # stem -> the word as first said
        self.goal_done = False
        self.window: deque[tuple[float, list[str]]] = deque()
        self.words = 0
        self.hits = 0
        self.drift_since: float | None = None
        self.flag: dict[str, Any] | None = None

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        if ctx.role_of(u.speaker) != Role.COACHEE and ctx.role_of(u.speaker) is not None:
            return []
        stems = ctx.parsed[i].stems
        stage = ctx.marks[i]["stage"]
        if not self.goal_done:
            if stage == "goal" or (stage is None and not self.goal):
                if stage == "goal":
                    self.goal.update(stems)
                    for st, w in zip(stems, ctx.parsed[i].content):
                        self.goal_words.setdefault(st, w)
                return []
            if not self.goal:
                return []
            self.goal_done = True
        self.window.append((u.end, stems))
        self.words += len(stems)
        self.hits += sum(1 for s in stems if s in self.goal)
        while self.window and self.window[0][0] < u.end - DRIFT_WINDOW_S:
            _, old = self.window.popleft()
            self.words -= len(old)
            self.hits -= sum(1 for s in old if s in self.goal)
        if self.words < DRIFT_MIN_WORDS:
            return []
        overlap = self.hits / self.words
        if overlap >= DRIFT_MIN_OVERLAP:
            if self.flag is not None:
                self.flag = None  # back on topic: the next drift is a new stretch
            self.drift_since = None
            return []
        if self.drift_since is None:
            self.drift_since = u.start
        if self.flag is not None:
            self.flag["end"] = round(u.end, 2)
            return []
        if u.end - self.drift_since < DRIFT_MIN_S:
            return []
        goal_words = ", ".join(self.goal_words[w] for w, _ in self.goal.most_common(4))
        self.flag, ev = ctx.raise_flag(
            "topic_drift", self.drift_since, u.end,
            f"The last {(u.end - self.drift_since) / 60:.0f} min have moved away from the goal "
            f"({goal_words}).",
            "How does this connect with what you want to achieve today?")
        return [ev]

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        report["goal_terms"] = [self.goal_words[w] for w, _ in self.goal.most_common(8)]
