"""Topic drift: talk that has wandered away from the coachee's goal.

The goal statement is the coachee's words while the stage is Goal (as
decoded live). Afterwards, a rolling window of recent talk is compared with it.

Still lexical (shared stems). Embedding similarity (``semantic``) was tried and
did not separate off-topic stretches from on-topic ones on devsets/grow: gossip
about the area manager sits close, in meaning, to a session about running a
store; nor did widening the goal with the words of on-topic talk. Drift is the
weakest flag (see docs/benchmarks.md).

Also tried (issue 11), without a rule that beats the lexical one: comparing a
90-s window of both speakers' talk with the session's own topic (the coachee's
goal + reality talk so far, as a word-weighted WordLlama vector, and as its
stems) instead of the goal sentence. On devsets/grow the window's similarity
to that reference during the gossip and football stretches of 06 (up to 0.25;
up to 0.82 of the session's running median) overlaps on-topic windows of other
sessions (down to 0.08-0.15; 0.57 of the median), and the stem overlap does not
drop at all in gossip (chatty words recur). Requiring the relative drop to be
sustained (below 0.8 of the median for 60 s or more) finds both stretches of 06
but for at most 85 s, while an on-topic stretch of 11 stays below for 125 s.
Only one labelled session has drift, so any threshold that split these would
be fitted to it; left as is until more drift examples are labelled.

In a group whose turns are known, each turn is its own issue: the goal is the
turn's goal-stage words, drift is judged within the turn (talk outside turns is
not), and ``who`` is the member who led the drift (said most in it).
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.results import Flag, FlagKind, minutes
from companion.model import Event

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
        self.goal_words: dict[str, str] = {}  # stem -> the word as first said (every goal's, in a group)
        #: Groups: the turn being judged.
        self.turn: str | None = None
        self._reset()

    def _reset(self) -> None:
        """A fresh start: no goal yet, an empty window (a pair's session, or each turn of a group)."""
        self.goal: Counter[str] = Counter()
        self.goal_done = False
        self.window: deque[tuple[float, list[str], str]] = deque()
        self.words = 0
        self.hits = 0
        self.drift_since: float | None = None
        self.flag: Flag | None = None
        self.said: defaultdict[str, int] = defaultdict(int)  # each speaker's words in the window

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        if ctx.turn_spans:  # a group with turns: each turn has its own issue
            turn = ctx.marks[i].get("turn_of")
            if turn != self.turn:
                self._reset()
                self.turn = turn
            if turn is None:
                return []
        if ctx.role_of(u.speaker) is not None and not ctx.is_coachee_side(u.speaker):
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
        self.window.append((u.end, stems, u.speaker))
        self.words += len(stems)
        self.said[u.speaker] += len(stems)
        self.hits += sum(1 for s in stems if s in self.goal)
        while self.window and self.window[0][0] < u.end - DRIFT_WINDOW_S:
            _, old, who = self.window.popleft()
            self.words -= len(old)
            self.said[who] -= len(old)
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
            self.flag = ctx.grow_flag(self.flag, end=u.end)
            return []
        if u.end - self.drift_since < DRIFT_MIN_S:
            return []
        goal_words = ", ".join(self.goal_words[w] for w, _ in self.goal.most_common(4))
        self.flag, ev = ctx.raise_flag(
            FlagKind.TOPIC_DRIFT, self.drift_since, u.end,
            f"The last {minutes(u.end - self.drift_since)} have moved away from the goal "
            f"({goal_words}).",
            "How does this connect with what you want to achieve today?", who=self._leader())
        return [ev]

    def _leader(self) -> str | None:
        """In a group's turn, the member who led the drift: the one who said most in it."""
        if self.turn is None:
            return None
        return max(self.said.items(), key=lambda kv: kv[1], default=(None, 0))[0]

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        report["goal_terms"] = [self.goal_words[w] for w, _ in self.goal.most_common(8)]
