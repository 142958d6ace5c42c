"""Short hand-made coaching dialogues for the analytics tests.

A dialogue is a list of (who, text) or (who, text, seconds) with who "C"
(coach) or "E" (coachee). Lines follow each other with a short gap; a line
lasts its word count at 150 words a minute unless seconds are given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.plan import SessionPlan
from companion.model import Event, Role, Utterance

COACH, COACHEE = "Maya", "Sam"
ROLES = {COACH: Role.COACH, COACHEE: Role.COACHEE}


def utterances(lines: Iterable[tuple], start: float = 0.0, gap: float = 0.6) -> list[Utterance]:
    out: list[Utterance] = []
    t = start
    for line in lines:
        who, text = line[0], line[1]
        dur = line[2] if len(line) > 2 else max(1.0, len(text.split()) / 2.5)
        out.append(Utterance(COACH if who == "C" else COACHEE, t, t + dur, text))
        t += dur + gap
    return out


@dataclass
class Run:
    analyzer: SessionAnalyzer
    events: list[Event] = field(default_factory=list)

    @property
    def report(self) -> dict[str, Any]:
        return self.analyzer.report()

    def flags(self, kind: str) -> list[dict[str, Any]]:
        return [f.to_dict() for f in self.analyzer.ctx.flags if f.kind == kind]

    def nudges(self) -> list[dict[str, Any]]:
        return [e.data["nudge"] for e in self.events if e.type == "nudge"]

    def marks(self, key: str) -> list[Any]:
        return [m[key] for m in self.analyzer.ctx.marks]


def run(lines: Iterable[tuple] | list[Utterance], planned: float | None = None,
        stage_minutes: dict[str, float] | None = None, finish: bool = True, tick_every: float | None = None,
        until: float | None = None) -> Run:
    """Replay a dialogue like a live session: utterances, clock ticks between them, then the end."""
    utts = lines if lines and isinstance(lines[0], Utterance) else utterances(lines)
    an = SessionAnalyzer(roles=dict(ROLES), plan=SessionPlan(planned, stage_minutes))
    r = Run(an)
    now = 0.0
    for u in utts:
        if tick_every:
            while now + tick_every < u.start:
                now += tick_every
                r.events += an.tick(now)
        r.events += an.update(u)
        now = max(now, u.end)
    if tick_every and until:
        while now + tick_every <= until:
            now += tick_every
            r.events += an.tick(now)
    if finish:
        r.events += an.finish(until)
    return r


def unpunctuated(lines: Iterable[tuple]) -> list[tuple]:
    """The same dialogue as a recogniser without punctuation writes it."""
    import re

    return [(ln[0], re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", ln[1])).strip().lower(), *ln[2:])
            for ln in lines]


#: A whole GROW conversation, stage by stage.
GROW_DIALOGUE = [
    ("C", "Hi Sam, good to see you."),
    ("E", "Hi, thanks for making time."),
    ("C", "What would you like to get out of our session today?"),
    ("E", "I want to get my weekly team meeting to finish on time."),
    ("C", "How will you know you've achieved that?"),
    ("E", "We finish within forty five minutes three weeks in a row."),
    ("C", "What is happening in those meetings at the moment?"),
    ("E", "People arrive late, nobody reads the agenda, and it always overruns."),
    ("C", "What have you tried so far?"),
    ("E", "I tried a timer once but I stopped after a week."),
    ("C", "Tell me more about what happened then."),
    ("E", "People ignored it and I felt silly."),
    ("C", "What options do you have?"),
    ("E", "I could send the agenda earlier, or ask someone else to keep time."),
    ("C", "What else could you try?"),
    ("E", "Maybe I could ask the team for ideas."),
    ("C", "What will you do first, and by when?"),
    ("E", "I'll send the agenda by Friday and ask the team on Monday."),
    ("C", "On a scale of one to ten, how committed are you?"),
    ("E", "A nine, I will do it."),
]

#: The same conversation stopping before any action is agreed.
NO_WILL_DIALOGUE = GROW_DIALOGUE[:16]
