"""The flags a facilitator wants about turns: overrun, a dominant member, a silent member.

The rules are the group labelling rules (shared/devsets/groups/README.md):

- ``turn_overrun``: a turn lasts over 125% of its planned time; from the
  planned end to the turn's end; ``who`` is the member in focus.
- ``dominant_member``: someone other than the member in focus has over a third
  of the talk time in a turn; one flag per turn, over the whole turn.
- ``silent_member``: a present member says nothing but backchannels for a whole
  turn or more (someone else's turn); from the first such turn's start to the
  last one's end.

Talk time is the sum of a speaker's utterance durations. The turns are read
off ``ctx.marks[i]["turn_of"]`` (set by ``TurnTracker``), so explicit and
inferred turns are judged alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.results import FlagKind
from companion.analysis.turns import Turn, is_backchannel, is_group_session, planned_turn_s
from companion.model import Event

#: A turn overruns past this multiple of its planned length.
OVERRUN_RATIO = 1.25
#: Someone other than the member in focus with more than this share of a turn's talk dominates it.
DOMINANT_SHARE = 1 / 3


@dataclass(slots=True)
class TurnTalk:
    """Who talked how much in one turn, and who said more than a backchannel."""

    talk: dict[str, float]
    spoke: set[str]

    @property
    def total(self) -> float:
        return sum(self.talk.values())


def turns_from_marks(ctx: AnalysisContext) -> list[Turn]:
    """Runs of utterances with the same ``turn_of``, as turns."""
    out: list[Turn] = []
    for i, (u, mark) in enumerate(zip(ctx.utterances, ctx.marks)):
        who = mark.get("turn_of")
        if not who:
            continue
        if out and out[-1].member == who and out[-1].last == i - 1:
            t = out[-1]
            t.last, t.end = i, max(t.end, u.end)
        else:
            out.append(Turn(who, i, i, u.start, u.end, 0.0))
    return out


def turn_talk(ctx: AnalysisContext, turn: Turn) -> TurnTalk:
    talk: dict[str, float] = defaultdict(float)
    spoke: set[str] = set()
    for u in ctx.utterances[turn.first:turn.last + 1]:
        talk[u.speaker] += u.duration
        if u.text and not is_backchannel(u.text) or not u.transcribed:
            spoke.add(u.speaker)
    return TurnTalk(dict(talk), spoke)


def _first(name: str) -> str:
    return name.split()[0] if name.split() else name


class GroupFlags(Component):
    """Raises the three turn flags when a group session ends; pairs are left alone."""

    def finish(self, ctx: AnalysisContext, end: float) -> list[Event]:
        if not is_group_session(ctx):
            return []
        turns = turns_from_marks(ctx)
        planned_s = planned_turn_s(ctx)
        planned_by_member = {t["member"]: t.get("planned_s") for t in ctx.plan.turns or []}
        present = list(ctx.roles)
        events: list[Event] = []
        silent_in: dict[str, list[Turn]] = defaultdict(list)
        for t in turns:
            tt = turn_talk(ctx, t)
            planned = planned_by_member.get(t.member) or planned_s
            if t.end - t.start > OVERRUN_RATIO * planned:
                events.append(self._flag(ctx, "turn_overrun", t.member, t.start + planned, t.end, t,
                              f"{_first(t.member)}'s turn ran {(t.end - t.start) / 60:.0f} minutes against "
                              f"{planned / 60:.0f} planned.",
                              f"Tell the group the time and ask {_first(t.member)} what they will do."))
            if tt.total:
                others = [(s, v) for s, v in tt.talk.items() if s != t.member]
                top = max(others, key=lambda sv: sv[1], default=None)
                if top and top[1] / tt.total > DOMINANT_SHARE:
                    events.append(self._flag(ctx, "dominant_member", top[0], t.start, t.end, t,
                                  f"{_first(top[0])} had {top[1] / tt.total:.0%} of the talk in "
                                  f"{_first(t.member)}'s turn.",
                                  f"Bring it back to {_first(t.member)}: \"{_first(t.member)}, what do you "
                                  "make of that?\""))
            for person in present:
                if person != t.member and person not in tt.spoke:
                    silent_in[person].append(t)
        for person, quiet in silent_in.items():
            events.append(self._flag(ctx, "silent_member", person, quiet[0].start, quiet[-1].end, None,
                          f"{_first(person)} has said nothing but backchannels in {len(quiet)} "
                          f"turn{'s' if len(quiet) > 1 else ''}.",
                          f"Invite {_first(person)} in: \"{_first(person)}, what question would you ask?\""))
        return events

    @staticmethod
    def _flag(ctx: AnalysisContext, kind: str, who: str, start: float, end: float, turn: Turn | None,
              message: str, suggestion: str) -> Event:
        extra: dict[str, Any] = {"who": who}
        if turn is not None:
            extra["turn_of"] = turn.member
        _, event = ctx.raise_flag(FlagKind(kind), start, end, message, suggestion, **extra)
        return event

