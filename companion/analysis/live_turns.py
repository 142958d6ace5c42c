"""Live turns: the facilitator starts and ends them; the panel follows the open one.

The facilitator's panel shows whose turn it is, the time left, who is next, the
talk in this turn (the member in focus against everyone else), who has not
spoken, who dominates and the GROW stage of the turn; nudges come for a turn
about to end, a dominant member and a silent member, once each per turn.

Turns given live are kept in ``ctx.plan.turns`` (``{"member", "start", "end",
"planned_s"}``; ``end`` is None while the turn is open), the same explicit turns
a file may give, so the report at the end is built from them as they were.
Stored as ``turn`` events (``turns_from_events``), they survive a restart.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.turns import is_backchannel, is_group_session, planned_turn_s
from companion.model import Audience, Event, EventType, Role

#: Seconds between two status messages to the panel.
STATUS_EVERY_S = 2.0
#: A "turn about to end" nudge this long before the planned end.
ENDING_NUDGE_S = 120.0
#: Someone other than the member in focus with more than this share of the turn's talk dominates it...
DOMINANT_SHARE = 1 / 3
#: ...once the turn has this much talk in it (a first long question is not dominance).
DOMINANT_AFTER_TALK_S = 60.0
#: A member who has said nothing but backchannels by this fraction of the planned turn gets a nudge.
SILENT_AFTER = 0.5


def open_turn(ctx: AnalysisContext, member: str | None, t: float, planned_s: float | None = None) -> dict[str, Any]:
    """Close the open turn at ``t`` and, with a ``member``, open theirs; returns the state to announce."""
    turns = ctx.plan.turns if ctx.plan.turns is not None else []
    ctx.plan.turns = turns
    closed = None
    if turns and turns[-1].get("end") is None:
        turns[-1]["end"] = round(t, 2)
        closed = turns[-1]
    if member is None:
        return {"member": None, "closed": closed, "next": next_member(ctx)}
    turn = {"member": member, "start": round(t, 2), "end": None,
            "planned_s": round(planned_s or planned_turn_s(ctx), 2)}
    turns.append(turn)
    return {**turn, "closed": closed, "next": next_member(ctx)}


def next_member(ctx: AnalysisContext) -> str | None:
    """The first member, in the order they were invited, who has not had a turn yet."""
    had = {t["member"] for t in ctx.plan.turns or []}
    return next((s for s, r in ctx.roles.items() if r == Role.MEMBER and s not in had), None)


def turns_from_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored ``turn`` events (``{"member" or None, "planned_s"}`` at ``t``) back into explicit turns."""
    turns: list[dict[str, Any]] = []
    for e in events:
        if e.get("type") != "turn":
            continue
        data = e.get("data") or {}
        if turns and turns[-1]["end"] is None:
            turns[-1]["end"] = round(float(e["t"]), 2)
        if data.get("member"):
            turns.append({"member": data["member"], "start": round(float(e["t"]), 2), "end": None,
                          "planned_s": data.get("planned_s")})
    return turns


def open_explicit_turn(ctx: AnalysisContext) -> dict[str, Any] | None:
    turns = ctx.plan.turns or []
    return turns[-1] if turns and turns[-1].get("end") is None else None


class TurnPanel(Component):
    """Marks live utterances with the open turn, and keeps the facilitator's panel up to date."""

    def __init__(self) -> None:
        self.last_status: float | None = None
        self.status_of: float | None = None  # the start of the turn the last status was about
        self.nudged: set[tuple[str, str, float]] = set()  # (kind, who, turn start)
        self.first_of: dict[float, int] = {}  # turn start -> index of its first utterance

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        turns = ctx.plan.turns
        if not turns or not is_group_session(ctx):
            return []
        u = ctx.utterances[i]
        for turn in reversed(turns):
            if turn["start"] <= u.start and (turn["end"] is None or u.start < turn["end"]):
                ctx.marks[i]["turn_of"] = turn["member"]
                self.first_of.setdefault(turn["start"], i)
                ended = turn["end"] is not None  # a file's given turn, or a stored one replayed: as it ran
                length = turn["end"] - turn["start"] if ended else turn.get("planned_s") or planned_turn_s(ctx)
                ctx.turn_spans[turn["member"]] = (turn["start"], float(length))
                break
        return []

    def tick(self, ctx: AnalysisContext, now: float) -> list[Event]:
        turn = open_explicit_turn(ctx)
        if turn is None or not is_group_session(ctx):
            return []
        fresh = self.status_of != turn["start"]  # a new turn is shown at once
        if not fresh and self.last_status is not None and now - self.last_status < STATUS_EVERY_S:
            return []
        self.last_status, self.status_of = now, turn["start"]
        status = self.status(ctx, turn, now)
        events = [Event(EventType.TURN, now, status, Audience.COACH)]
        events += self._nudges(ctx, turn, status, now)
        return events

    def status(self, ctx: AnalysisContext, turn: dict[str, Any], now: float) -> dict[str, Any]:
        """What the panel shows about the open turn."""
        member, start = turn["member"], turn["start"]
        talk: dict[str, float] = defaultdict(float)
        spoke: set[str] = set()
        stage = None
        for i in range(self.first_of.get(start, len(ctx.utterances)), len(ctx.utterances)):
            if ctx.marks[i].get("turn_of") != member or ctx.utterances[i].start < start:
                continue
            u = ctx.utterances[i]
            talk[u.speaker] += u.duration
            if not u.transcribed or (u.text and not is_backchannel(u.text)):
                spoke.add(u.speaker)
            stage = ctx.marks[i].get("stage") or stage
        total = sum(talk.values())
        others = {s: v for s, v in talk.items() if s != member}
        top = max(others.items(), key=lambda kv: kv[1], default=None)
        dominant = top[0] if top and total >= DOMINANT_AFTER_TALK_S and top[1] / total > DOMINANT_SHARE else None
        elapsed = max(0.0, now - start)
        planned = float(turn.get("planned_s") or planned_turn_s(ctx))
        return {
            "member": member, "start": start, "elapsed_s": round(elapsed, 1), "planned_s": planned,
            "left_s": round(planned - elapsed, 1), "next": next_member(ctx),
            "talk": {"member_s": round(talk.get(member, 0.0), 1), "others_s": round(total - talk.get(member, 0.0), 1),
                     "by_speaker": {s: round(v, 1) for s, v in talk.items()}},
            "not_spoken": [s for s, r in ctx.roles.items() if s != member and r == Role.MEMBER and s not in spoke],
            "dominant": dominant, "stage": stage,
        }

    def _nudges(self, ctx: AnalysisContext, turn: dict[str, Any], status: dict[str, Any], now: float) -> list[Event]:
        first = status["member"].split()[0]
        due: list[tuple[str, str, str, str, str]] = []
        if status["left_s"] <= ENDING_NUDGE_S:
            due.append(("turn_ending", status["member"], "Turn about to end",
                        f"{max(0, round(status['left_s'] / 60))} min left in {first}'s turn.",
                        f"{first}, what will you do, and by when?"))
        if status["dominant"]:
            d = status["dominant"].split()[0]
            due.append(("dominant_member", status["dominant"], "One voice is taking over",
                        f"{d} has over a third of the talk in {first}'s turn.",
                        f"Bring it back: \"{first}, what do you make of that?\""))
        if status["elapsed_s"] >= SILENT_AFTER * status["planned_s"]:
            for person in status["not_spoken"]:
                p = person.split()[0]
                due.append(("silent_member", person, "Someone has not spoken",
                            f"{p} has not spoken in {first}'s turn.", f"Invite {p} in: \"{p}, what would you ask?\""))
        events = []
        for kind, who, title, message, suggestion in due:
            key = (kind, who, turn["start"])
            if key in self.nudged:
                continue
            self.nudged.add(key)
            nudge = {"kind": kind, "who": who, "t": round(now, 2), "title": title, "message": message,
                     "suggestion": suggestion, "evidence": {"start": turn["start"], "end": round(now, 2)}}
            events.append(Event(EventType.NUDGE, now, {"nudge": nudge}, Audience.COACH))
        return events
