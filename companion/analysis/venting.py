"""Problem or solution focus of the coachee's talk, and venting that goes on too long.

Problem talk is going over what went wrong: complaints, blame, "always" and
"never", how bad it is. Solution talk is about what the coachee wants and
could do. Venting is healthy at first (peer-coaching guidance gives it about
five minutes), so a stretch of problem talk is flagged only once it has lasted
``venting_threshold_s`` without a move towards what the coachee wants; the
flag then grows with the stretch so the coach sees how long it has lasted.
Problem talk that answers the coach's steady questions (``VENTING_MAX_QUESTIONS_PER_MIN``
or more in the stretch) is the coach exploring the situation, not venting: in
devsets/grow the coach asks 0.2 and 0.5 questions a minute in the two venting
episodes, 1.9 while the coachee of 06 describes her problem in answer to them.
"""

from __future__ import annotations

import re
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.questions import asks_question
from companion.analysis.results import Flag, FlagKind, minutes
from companion.model import Event


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f" (?:{p})(?= )" for p in patterns))


PROBLEM = _words(
    r"always", r"never", r"nobody", r"no one", r"every (single )?(time|day|week|meeting)", r"nothing",
    r"constantly", r"again", r"frustrat\w*", r"annoy\w*", r"angry", r"furious", r"fed up",
    r"sick (of|and tired)", r"tired of", r"stress\w*", r"hate", r"awful", r"terrible", r"horrible",
    r"unfair", r"ridiculous", r"mess", r"useless", r"exhaust\w*", r"overwhelm\w*", r"stuck",
    r"blam\w*", r"fault", r"problems?", r"wrong", r"fail\w*", r"disaster", r"worst", r"ca n't",
    r"wo n't", r"(does|do|did) n't (listen|care|help|work|bother|turn up|show up|prepare|read)",
    r"ignor\w*", r"complain\w*", r"upset", r"drives me", r"rude", r"impossible", r"hopeless",
    r"pointless", r"waste", r"embarrass\w*", r"dread\w*", r"nightmare", r"chaos", r"struggl\w*",
    r"let (me|us) down", r"lazy", r"no point", r"typical", r"the same (thing|again|as always)",
    r"keeps? (happening|going|doing|interrupting|missing|saying)", r"worse", r"dump\w*", r"sigh",
    r"cannot", r"no idea why", r"who does that", r"unbelievable", r"demoralis\w*", r"demoraliz\w*",
    r"gets? blamed", r"on my back", r"behind my back", r"crap", r"rubbish", r"pathetic",
)
SOLUTION = _words(
    r"i could", r"we could", r"i 'd like", r"i would like", r"i want (to|it|them|us)", r"i will",
    r"i 'll", r"i 'm going to", r"want it to be", r"try\w*", r"ideas?", r"plan", r"next",
    r"steps?", r"better", r"improv\w*", r"goal", r"hop(e|ing)", r"instead", r"what if", r"maybe i",
    r"ask", r"start", r"options?", r"resources?", r"strengths?", r"went well", r"worked (well|before)",
    r"progress", r"solution", r"small", r"possible", r"prefer", r"aim", r"sort (it )?out", r"fix",
    r"solve", r"learn", r"practi[cs]e", r"support", r"together", r"agree", r"decide", r"would help",
    r"it would be", r"picture", r"imagine", r"first thing", r"by (monday|tuesday|wednesday|thursday|"
    r"friday|tomorrow|next week)", r"looking forward", r"might work", r"could work", r"help me",
)

#: The threshold scales with the plan (15% of it) within these bounds.
VENTING_MIN_S = 180.0
VENTING_MAX_S = 480.0
#: Neutral talk this long after the last complaint ends a stretch.
VENTING_GAP_S = 120.0
#: Coach questions a minute in a problem stretch at which it is exploration, not venting.
VENTING_MAX_QUESTIONS_PER_MIN = 1.0


def focus_of(joined: str) -> str:
    """``problem``, ``solution`` or ``neutral`` for one coachee utterance."""
    p = len(PROBLEM.findall(joined))
    s = len(SOLUTION.findall(joined))
    if p > s:
        return "problem"
    if s > p:
        return "solution"
    return "neutral"


def venting_threshold_s(planned_minutes: float | None) -> float:
    """About three minutes (the peer-coaching guidance), longer only for sessions planned over 20 minutes."""
    planned = (planned_minutes or 20) * 60
    return min(VENTING_MAX_S, max(VENTING_MIN_S, 0.15 * planned))


class VentingTracker(Component):
    """Marks the coachee's focus and flags long stretches of problem talk."""

    def __init__(self, threshold_s: float | None = None) -> None:
        self.threshold_s = threshold_s
        self.focus_s = {"problem": 0.0, "solution": 0.0, "neutral": 0.0}
        self.start: float | None = None  # the current problem stretch
        self.last_problem = 0.0
        self.problem_in_stretch = 0.0
        self.talk_in_stretch = 0.0
        self.flag: Flag | None = None
        self.utts: list[int] = []  # the problem utterances of the current stretch
        self.who: str | None = None
        self.questions = 0  # the coach side's questions in the current stretch
        self.stretches: list[dict[str, Any]] = []

    def _threshold(self, ctx: AnalysisContext) -> float:
        return self.threshold_s or venting_threshold_s(ctx.plan.planned_minutes)

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        if self.start is not None and ctx.is_coach_side(u.speaker):
            self.questions += asks_question(ctx.marks[i])
        if not ctx.is_coachee_side(u.speaker) or not u.transcribed:
            return []
        focus = focus_of(ctx.parsed[i].joined)
        ctx.marks[i]["focus"] = focus
        talk = ctx.marks[i].get("talk_s", u.duration)  # the talk tracker's own accounting
        self.focus_s[focus] += talk
        if focus == "problem":
            if self.start is None:
                self.start, self.problem_in_stretch, self.talk_in_stretch = u.start, 0.0, 0.0
                self.utts, self.who, self.questions = [], u.speaker, 0
            self.last_problem = u.end
            self.utts.append(i)
            self.problem_in_stretch += talk
            self.talk_in_stretch += talk
            return self._check(ctx, u.end)
        if self.start is None:
            return []
        if focus == "solution" or u.start - self.last_problem > VENTING_GAP_S:
            self._close(u.start if focus == "solution" else self.last_problem)
            return []
        self.talk_in_stretch += talk
        return []

    def _check(self, ctx: AnalysisContext, now: float) -> list[Event]:
        assert self.start is not None
        lasted = now - self.start
        if self.flag is not None:
            self.flag = ctx.grow_flag(self.flag, end=now, message=self._message(lasted),
                                      utterances=tuple(self.utts), details={"duration_s": round(lasted, 1)})
            return []
        # Mostly problem talk, for long enough: healthy venting stays unflagged.
        if lasted < self._threshold(ctx) or self.problem_in_stretch < 0.5 * self.talk_in_stretch:
            return []
        if self.questions >= VENTING_MAX_QUESTIONS_PER_MIN * lasted / 60:
            return []  # answering the coach's questions: exploring the situation
        self.flag, ev = ctx.raise_flag(
            FlagKind.VENTING, self.start, now, self._message(lasted),
            "So, how would you like the situation to be?", utterances=tuple(self.utts), who=self.who,
            duration_s=round(lasted, 1))
        return [ev]

    def _message(self, lasted: float) -> str:
        return (f"The coachee has talked about what is wrong for {minutes(lasted)} "
                "without moving towards what they want.")

    def _close(self, end: float) -> None:
        if self.start is not None:
            self.stretches.append({"start": round(self.start, 2), "end": round(end, 2),
                                   "flagged": self.flag is not None})
        self.start, self.flag = None, None

    def finish(self, ctx: AnalysisContext, end: float) -> list[Event]:
        self._close(self.last_problem)
        return []

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        total = sum(self.focus_s.values())
        stretches = list(self.stretches)
        if self.start is not None:  # a live report mid-stretch
            stretches.append({"start": round(self.start, 2), "end": round(self.last_problem, 2),
                              "flagged": self.flag is not None})
        report["focus_summary"] = {
            **{f"{k}_s": round(v, 1) for k, v in self.focus_s.items()},
            "problem_share": round(self.focus_s["problem"] / total, 4) if total else None,
            "solution_share": round(self.focus_s["solution"] / total, 4) if total else None,
            "problem_stretches": stretches,
            "venting_threshold_s": self._threshold(ctx),
        }
