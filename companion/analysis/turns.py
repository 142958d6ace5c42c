"""Turns in a peer-coaching group: whose issue the group is working on, and when.

A group session runs as an opening, perhaps a report-back, then one turn per
member with that member in focus, then a review or closing. Live, the
facilitator starts and ends turns (explicit turns); from a transcript they are
inferred here.

Why hand-overs: groups pass the floor by name ("Thank you, Aisha. Callum, are
you ready?", "Okay. Kate?") and the named person answers at once. That is a
much steadier sign of a new turn than who talks most, which fails exactly when
a member takes over someone else's turn. A hand-over opens a turn only when
the named member then holds the floor (a report-back or a passing question
does not), each member has at most one turn, and the facilitator has none.
The last turn ends where the member in focus stops carrying the talk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.questions import asks_question
from companion.errors import InputError
from companion.model import Event, Role, Utterance

#: Minutes per turn when nobody says otherwise (the guide's 30 minutes each).
DEFAULT_TURN_MINUTES = 30.0
#: Seconds after a hand-over over which the named member must hold the floor.
FLOOR_WINDOW_S = 240.0
#: Share of the talk in that window the named member needs (a report-back of a
#: minute in a four-minute window stays well under it).
FLOOR_SHARE = 0.3
#: A turn holds the floor at least this long (report-backs are passed on sooner).
MIN_TURN_S = 180.0
#: An invitation naming the member within its first words opens the turn itself.
HEAD_WORDS = 8
#: How far ahead of an invitation the named member must answer (cues; others' backchannels may come first).
ANSWER_WITHIN = 3
#: In the last turn, others' talk counts against the member in focus at this
#: weight (the facilitator's at half of it: keeping time is part of a turn). Under
#: one, so a two-minute drift inside the turn does not end it.
OTHERS_WEIGHT = 0.5

_BACKCHANNEL_TOKENS = frozenset([
    "mm", "mmm", "mm-hm", "mhm", "uh-huh", "hmm", "yeah", "yep", "yes", "no", "right", "okay", "ok", "sure",
    "ah", "oh", "god", "gosh", "wow", "ha", "true", "exactly", "totally", "absolutely", "course",
    "definitely", "fair", "enough", "lovely", "great", "nice", "thanks", "thank", "you", "sorry", "hi",
    "bye", "cheers", "same", "ugh", "bless", "nightmare", "oof", "blimey", "i", "know", "tell", "me",
    "about", "it", "of"
])
_WORD = re.compile(r"[a-z][a-z'-]*")
_THANKS = re.compile(r"\bthank(?:s| you)\b", re.I)
_OVER_TO = re.compile(r"\bover to you\b|\byour turn\b", re.I)
_THANKED_BEFORE = re.compile(r"\bthank(?:s| you)[,!]?\s*$", re.I)
_WHO_NEXT = re.compile(r"\bwho(?:'s| is| wants| would like|'d like)\b.*\b(?:next|first|go|start)\b", re.I)
_NUMBERS = {"five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
            "fifteen": 15, "twenty": 20, "twenty-five": 25, "thirty": 30, "forty": 40, "forty-five": 45}
_EACH = re.compile(r"\b(\d+|[a-z-]+) minutes? each\b", re.I)


def is_backchannel(text: str) -> bool:
    """A cue of at most four words made only of listening noises (mm, yeah, right, ha, god...)."""
    words = _WORD.findall((text or "").lower())
    return 0 < len(words) <= 4 and all(w in _BACKCHANNEL_TOKENS for w in words)


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


@dataclass(slots=True)
class Turn:
    """One member's turn: utterances ``first``..``last`` (inclusive indexes)."""

    member: str
    first: int
    last: int
    start: float
    end: float
    planned_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"member": self.member, "start": round(self.start, 2), "end": round(self.end, 2),
                "planned_s": round(self.planned_s, 2)}


def planned_turn_minutes(utterances: list[Utterance], facilitator: str | None) -> float | None:
    """The minutes per turn the facilitator announced in the opening ("so ten minutes each").

    The last such figure of five minutes or more before anyone else holds the
    floor wins: "the guide says thirty minutes each ... so let's say ten each".
    """
    found = None
    for u in utterances[:60]:
        if facilitator and u.speaker != facilitator:
            continue
        for m in _EACH.finditer(u.text or ""):
            word = m.group(1).lower()
            n = int(word) if word.isdigit() else _NUMBERS.get(word)
            if n and n >= 5:
                found = float(n)
    return found


def _named_last(text: str, names: dict[str, re.Pattern[str]], speaker: str, *, thanked: bool = True) -> str | None:
    """The member named last in ``text`` (the one invited: "Thanks, Hannah. Um, Josh?").

    With ``thanked=False`` a name that is being thanked ("Thank you, Ana.") is not counted.
    """
    named = sorted(((m.start(), who) for who, rx in names.items() if who != speaker
                    for m in rx.finditer(text)
                    if thanked or not _THANKED_BEFORE.search(text[:m.start()])), reverse=True)
    return named[0][1] if named else None


def handovers(utterances: list[Utterance], members: list[str]) -> list[tuple[int, str]]:
    """(index, member): the floor passed to ``member`` at cue ``index``.

    Either an invitation that names them ("Josh?", "Nadia, over to you": it asks
    or hands over) and they answer within the next cues, an open invitation
    ("Who'd like to go next?") that a member takes up at once, or someone is thanked
    by name ("Thank you, Nadia.") and ``member`` starts straight after. A run of
    hand-overs to the same member counts once, at its first.
    """
    names = {m: re.compile(rf"\b{re.escape(first_name(m))}\b(?!'s)") for m in members}
    out: list[tuple[int, str]] = []
    for i, u in enumerate(utterances):
        text = (u.text or "").strip()
        who = None
        if text.endswith("?") or _OVER_TO.search(text):
            invited = _named_last(text, names, u.speaker, thanked=False)
            if invited and _answers(utterances, i, invited):
                who = invited
            elif not invited and _WHO_NEXT.search(text) and i + 1 < len(utterances):
                # "Who'd like to go next?" and a member takes it up.
                nxt = utterances[i + 1]
                if nxt.speaker in names and nxt.speaker != u.speaker and not is_backchannel(nxt.text):
                    who = nxt.speaker
        elif _THANKS.search(text) and i + 1 < len(utterances):
            # "Lovely. Thank you, Nadia." and the next member simply starts.
            thanked, nxt = _named_last(text, names, u.speaker), utterances[i + 1]
            if thanked and nxt.speaker in names and nxt.speaker != thanked and not is_backchannel(nxt.text):
                who = nxt.speaker
        if who and (not out or out[-1][1] != who):
            out.append((i, who))
    return out


def _answers(utterances: list[Utterance], i: int, invited: str) -> bool:
    """The invited member speaks within the next cues before anyone else says more than a backchannel."""
    for v in utterances[i + 1:i + 1 + ANSWER_WITHIN]:
        if v.speaker == invited:
            return True
        if v.speaker != utterances[i].speaker and not is_backchannel(v.text):
            return False
    return False


def _talk_share(utterances: list[Utterance], first: int, who: str, until: float) -> float:
    talk = mine = 0.0
    for u in utterances[first:]:
        if u.start >= until:
            break
        talk += u.duration
        if u.speaker == who:
            mine += u.duration
    return mine / talk if talk else 0.0


def _opening_cue(utterances: list[Utterance], i: int, who: str) -> int:
    """The first cue of a turn invited at cue ``i``.

    A stand-alone invitation ("Okay. Kate?") opens the turn; a cue that thanks
    someone, or that names the member only at the end of something longer,
    closes the part before, so the turn opens with the next cue.
    """
    text = utterances[i].text or ""
    head = " ".join(text.split()[:HEAD_WORDS])
    if _THANKS.search(text) or not re.search(rf"\b{re.escape(first_name(who))}\b", head):
        return min(i + 1, len(utterances) - 1)
    return i


def _last_turn_end(utterances: list[Utterance], first: int, who: str, facilitator: str | None) -> int:
    """Where the member in focus stops carrying the talk: the end that keeps their lead largest."""
    lead = best = 0.0
    best_i = first
    for j in range(first, len(utterances)):
        u = utterances[j]
        if u.speaker == who:
            lead += u.duration
        else:
            lead -= u.duration * OTHERS_WEIGHT * (0.5 if u.speaker == facilitator else 1.0)
        if lead >= best:
            best, best_i = lead, j
    return best_i


def infer_turns(
    utterances: list[Utterance], facilitator: str | None, members: list[str], planned_s: float
) -> list[Turn]:
    """The members' turns in a group transcript, in order (see the module docstring).

    A hand-over opens a turn when the named member then holds the floor (a
    third of the talk until the next hand-over, over the first minutes) and the
    floor stays with them for at least ``MIN_TURN_S``: a report-back, passed on
    after a minute, does not open a turn.
    """
    cands = [(_opening_cue(utterances, i, who), who)
             for i, who in handovers(utterances, [m for m in members if m != facilitator])]
    n = len(utterances)
    holds = []
    for k, (first, who) in enumerate(cands):
        until = min(utterances[first].start + FLOOR_WINDOW_S,
                    utterances[cands[k + 1][0]].start if k + 1 < len(cands) else float("inf"))
        holds.append(_talk_share(utterances, first, who, until) >= FLOOR_SHARE)
    starts: list[tuple[int, str]] = []
    for k, (first, who) in enumerate(cands):
        if not holds[k] or any(who == w for _, w in starts) or (starts and first <= starts[-1][0]):
            continue
        nxt = next((cands[j][0] for j in range(k + 1, len(cands)) if holds[j] and cands[j][1] != who), None)
        floor_end = utterances[nxt].start if nxt is not None else utterances[-1].end
        if floor_end - utterances[first].start >= MIN_TURN_S:
            starts.append((first, who))
    turns: list[Turn] = []
    for k, (first, who) in enumerate(starts):
        if k + 1 < len(starts):
            last = starts[k + 1][0] - 1
        else:
            last = _last_turn_end(utterances, first, who, facilitator)
            # The cue that thanks the member right after belongs to their turn.
            if last + 1 < n and _THANKS.search(utterances[last + 1].text or "") and \
                    first_name(who) in (utterances[last + 1].text or ""):
                last += 1
        span = utterances[first:last + 1]
        turns.append(Turn(who, first, last, span[0].start, max(u.end for u in span), planned_s))
    return turns


def group_roles(utterances: list[Utterance], facilitator: str) -> dict[str, Role | None]:
    """The facilitator as named, everyone else who speaks a member; the name must be a speaker."""
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    if facilitator not in speakers:
        raise InputError(f"--facilitator {facilitator!r} is not a speaker in this session "
                         f"(speakers: {', '.join(sorted(speakers))})")
    return {s: Role.FACILITATOR if s == facilitator else Role.MEMBER for s in speakers}


def is_group_session(ctx: AnalysisContext) -> bool:
    """A group has a facilitator; pairs (coach and coachee) get no turns."""
    return any(r == Role.FACILITATOR for r in ctx.roles.values())


def facilitator_of(ctx: AnalysisContext) -> str | None:
    return next((s for s, r in ctx.roles.items() if r == Role.FACILITATOR), None)


def planned_turn_s(ctx: AnalysisContext, utterances: list[Utterance] | None = None) -> float:
    """Seconds per turn: as given, else as announced in the opening, else the default."""
    said = ctx.utterances if utterances is None else utterances
    minutes = ctx.plan.turn_minutes or planned_turn_minutes(said, facilitator_of(ctx))
    return float(minutes or DEFAULT_TURN_MINUTES) * 60


class TurnTracker(Component):
    """Marks each utterance of a group session with ``turn_of`` and reports ``turns``.

    Turns given explicitly (``ctx.plan.turns``: member, start, end; live, from the
    facilitator's panel) are used as they are (``TurnPanel`` marks them as they come).
    Otherwise, when the whole session is known before the replay (a file), they are
    inferred then and marked as the replay reaches them, so that what reads the turn
    as it goes (the stages, which restart per turn) sees it; failing both, they are
    inferred when the session ends. Pair sessions are left alone.
    """

    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.ahead: dict[int, str] = {}  # utterance -> member in focus, inferred before the replay
        self.prepared = False

    def prepare(self, ctx: AnalysisContext, utterances: list[Utterance]) -> None:
        if not is_group_session(ctx) or ctx.plan.turns:
            return
        self.turns = self._infer(ctx, utterances)
        self.prepared = True
        for t in self.turns:
            ctx.turn_spans[t.member] = (t.start, t.end - t.start)
            self.ahead.update(dict.fromkeys(range(t.first, t.last + 1), t.member))

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        if self.prepared:
            ctx.marks[i]["turn_of"] = self.ahead.get(i)
        return []

    @staticmethod
    def _infer(ctx: AnalysisContext, utterances: list[Utterance]) -> list[Turn]:
        members = [s for s, r in ctx.roles.items() if r != Role.FACILITATOR]
        return infer_turns(utterances, facilitator_of(ctx), members, planned_turn_s(ctx, utterances))

    def finish(self, ctx: AnalysisContext, end: float) -> list[Event]:
        if not is_group_session(ctx):
            return []
        explicit = ctx.plan.turns
        if explicit:
            self.turns = explicit_turns(ctx.utterances, explicit, planned_turn_s(ctx))
        elif not self.prepared:
            self.turns = self._infer(ctx, ctx.utterances)
        for mark in ctx.marks:
            mark["turn_of"] = None
        for t in self.turns:
            for i in range(t.first, t.last + 1):
                ctx.marks[i]["turn_of"] = t.member
        return []

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        if not is_group_session(ctx):
            return
        report["turns"] = [{**t.to_dict(), **turn_review(ctx, t), "goal": None, "actions": []} for t in self.turns]


def turn_review(ctx: AnalysisContext, turn: Turn) -> dict[str, Any]:
    """What the group review shows per turn: talk shares, the stages in order, the group's questions."""
    talk: dict[str, float] = {}
    stages: list[str] = []
    questions = 0
    for i in range(turn.first, turn.last + 1):
        u, mark = ctx.utterances[i], ctx.marks[i]
        talk[u.speaker] = talk.get(u.speaker, 0.0) + u.duration
        stage = mark.get("stage")
        if stage and (not stages or stages[-1] != stage):
            stages.append(stage)
        if u.speaker != turn.member and asks_question(mark):
            questions += 1
    total = sum(talk.values()) or 1.0
    return {"talk_share": {s: round(v / total, 3) for s, v in sorted(talk.items(), key=lambda kv: -kv[1])},
            "stages": stages, "group_questions": questions}


def explicit_turns(utterances: list[Utterance], given: list[dict[str, Any]], planned_s: float) -> list[Turn]:
    """Turns given as ``{"member", "start", "end"}`` (seconds): each takes the utterances starting inside it."""
    out: list[Turn] = []
    for g in sorted(given, key=lambda g: float(g["start"])):
        start, end = float(g["start"]), float(g["end"]) if g.get("end") is not None else float("inf")
        idx = [i for i, u in enumerate(utterances) if start <= u.start < end]
        if idx:
            span = utterances[idx[0]:idx[-1] + 1]
            out.append(Turn(g["member"], idx[0], idx[-1], start, min(end, max(u.end for u in span)),
                            float(g.get("planned_s") or planned_s)))
    return out
