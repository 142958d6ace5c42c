"""Topic drift in a group's turn: the group talking among itself, away from the member in focus.

A turn is one member's issue. The group works on it by asking that member
questions and hearing their answers, so the member in focus is drawn back into
the talk within a minute or so even while someone gives advice at length (the
longest such stretch in devsets/groups is 50 s: a dominant member's story).
When the group drifts (complaints about a referral form, a member's army
career, everyone's own grievances) the member in focus falls silent and the
others talk among themselves. So a stretch of a turn in which the member in
focus says nothing but backchannels ("Ha.", "God.") for over
``GROUP_DRIFT_S`` is drift when its talk is also further from that member's
issue than the turn's talk so far (``DRIFT_MAX_RATIO`` of it, the pair rule's
ratio): a member summing up the focus member's own situation at length is not.

The issue is what the member in focus has said in the turn so far, as one
meaning vector (``semantic``, WordLlama: each utterance's unit vector weighted
by its content words), whoever else speaks; their questions and answers shape
the issue as the turn goes on. The flag spans the stretch (from the first cue
after the member in focus last spoke) and grows while it lasts; ``who`` is the
member who said most in it, the one who led the drift.

Why not the pair rule per turn: it compares the coachee's recent talk with
their own usual, and in a turn there is too little of it. Measured on
devsets/groups: the three labelled drifts are the only stretches over 90 s
without the member in focus (98, 124 and 146 s; the next longest is 50 s);
semantic closeness alone did not separate them from a dominant member's advice
(closeness to the issue 0.34-0.40 in the drifts, 0.25-0.52 in the advice), so
the length carries the rule and the closeness only spares talk still about the
issue (the drifts sit at 0.34-0.39 of the turn's closeness, far under 0.8).
Limits: a member giving advice for over 90 s while the member in focus only
listens would be called drift as well as dominance; the live rule sees the
stretch as it grows, so it is raised 90 s in, not at its end.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from companion.analysis.base import AnalysisContext
from companion.analysis.results import Flag, FlagKind, minutes
from companion.analysis.turns import first_name, is_backchannel
from companion.model import Event

#: Seconds of talk without the member in focus (but for backchannels) before the stretch is judged.
GROUP_DRIFT_S = 90.0
#: Content words the member in focus must have said in the turn before their issue is known.
GROUP_ISSUE_WORDS = 30
#: The stretch has left the issue when its closeness is below this share of the turn's so far.
DRIFT_MAX_RATIO = 0.8


def _closeness(vec: np.ndarray, issue: np.ndarray) -> float:
    nv, ni = float(np.linalg.norm(vec)), float(np.linalg.norm(issue))
    return float(vec @ issue) / (nv * ni) if nv > 1e-9 and ni > 1e-9 else 0.0


class GroupDrift:
    """Follows one group turn at a time; ``update`` gets every utterance of the session in order."""

    def __init__(self) -> None:
        self.turn: str | None = None
        self._reset()

    def _reset(self) -> None:
        self.issue = np.zeros(0, dtype=np.float64)  # the member in focus's talk in the turn
        self.issue_words = 0
        self.talk = np.zeros(0, dtype=np.float64)  # the turn's talk before the current stretch
        self.stretch: list[int] = []
        self.vec = np.zeros(0, dtype=np.float64)  # the stretch's talk
        self.said: defaultdict[str, int] = defaultdict(int)
        self.flag: Flag | None = None

    @staticmethod
    def _add(acc: np.ndarray, vec: np.ndarray) -> np.ndarray:
        return acc + vec if acc.size else vec

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        turn = ctx.marks[i].get("turn_of")
        if turn != self.turn:
            self._reset()
            self.turn = turn
        if turn is None:
            return []
        u = ctx.utterances[i]
        n = len(ctx.parsed[i].stems) if i < len(ctx.parsed) else 0
        vec = np.asarray(ctx.vectors[i], dtype=np.float64) * n if i < len(ctx.vectors) else np.zeros(0)
        if u.speaker == turn:
            if u.transcribed and is_backchannel(u.text):
                return []  # listening, not taking part
            # The member in focus is back in the talk: the stretch is over, their words join the issue.
            if self.vec.size:
                self.talk = self._add(self.talk, self.vec)
            self.stretch, self.vec, self.said, self.flag = [], np.zeros(0), defaultdict(int), None
            if vec.size and n:
                self.issue = self._add(self.issue, vec)
                self.talk = self._add(self.talk, vec)
                self.issue_words += n
            return []
        self.stretch.append(i)
        if vec.size and n:
            self.vec = self._add(self.vec, vec)
            self.said[u.speaker] += n
        return self._judge(ctx)

    def _judge(self, ctx: AnalysisContext) -> list[Event]:
        if self.issue_words < GROUP_ISSUE_WORDS or not self.vec.size or not self.talk.size:
            return []
        start = ctx.utterances[self.stretch[0]].start
        end = max(ctx.utterances[j].end for j in self.stretch)
        if end - start <= GROUP_DRIFT_S:
            return []
        if self.flag is not None:
            self.flag = ctx.grow_flag(self.flag, end=end, utterances=tuple(self.stretch), who=self._leader())
            return []
        if _closeness(self.vec, self.issue) >= DRIFT_MAX_RATIO * _closeness(self.talk, self.issue):
            return []
        assert self.turn is not None
        member = first_name(self.turn)
        self.flag, ev = ctx.raise_flag(
            FlagKind.TOPIC_DRIFT, start, end,
            f"For {minutes(end - start)} the group has talked among itself, away from {member}'s issue.",
            f"Bring it back to {member}: \"{member}, where does this leave you?\"",
            utterances=tuple(self.stretch), who=self._leader(), turn_of=self.turn)
        return [ev]

    def _leader(self) -> str | None:
        """The member who led the drift: the one who said most in the stretch."""
        return max(self.said.items(), key=lambda kv: kv[1], default=(None, 0))[0]
