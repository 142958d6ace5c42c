"""The session plan: how long the session is meant to be and the minutes per GROW stage.

One home for parsing, checking and resolving a plan, used by the CLI, the API,
the stage tracker and the nudges alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from companion.errors import InputError
from companion.model import STAGES


@dataclass
class SessionPlan:
    """What the session was meant to be; the stage plan derives from it."""

    planned_minutes: float | None = None
    #: Minutes per GROW stage; None means "the default for planned_minutes".
    stage_minutes: dict[str, float] | None = None
    #: Groups: minutes per member's turn (None: as announced in the opening, else 30).
    turn_minutes: float | None = None
    #: Groups: turns given explicitly, ``{"member", "start", "end"}`` in seconds (None: inferred).
    turns: list[dict[str, Any]] | None = None


#: Default minutes per stage for the usual session lengths: a short goal,
#: the most time in reality and options, and enough left to commit to action.
DEFAULT_PLANS: dict[int, dict[str, float]] = {
    30: {"goal": 5, "reality": 10, "options": 9, "will": 6},
    45: {"goal": 7, "reality": 15, "options": 14, "will": 9},
    60: {"goal": 10, "reality": 20, "options": 18, "will": 12},
}


def default_minutes(length_s: float) -> int:
    """The nearest usual plan at or above a session's length (30, 45 or 60)."""
    for m in sorted(DEFAULT_PLANS):
        if length_s <= m * 60:
            return m
    return max(DEFAULT_PLANS)


def check_stage_minutes(given: dict[str, Any], planned_minutes: float | None) -> dict[str, float]:
    """A user's stage allocation, validated: every stage named, none negative, within the session."""
    unknown = set(given) - set(STAGES)
    if unknown:
        raise InputError(f"unknown stage {sorted(unknown)[0]!r}; the stages are {', '.join(STAGES)}")
    try:
        minutes = {s: float(given[s]) for s in STAGES}
    except KeyError as e:
        raise InputError(f"the stage plan has no minutes for {e.args[0]!r}: give every stage its minutes, "
                         "or none for the usual split") from None
    except (TypeError, ValueError):
        raise InputError("stage minutes must be numbers") from None
    if any(not math.isfinite(v) or v < 0 for v in minutes.values()) or sum(minutes.values()) <= 0:
        raise InputError("stage minutes must be zero or more, and not all zero")
    if planned_minutes and sum(minutes.values()) > planned_minutes + 1e-6:
        raise InputError(f"the stages add up to {sum(minutes.values()):g} minutes, more than the "
                         f"{planned_minutes:g} planned; shorten a stage or choose a longer session")
    return minutes


def parse_stage_minutes(text: str, planned_minutes: float | None = None) -> dict[str, float]:
    """'goal=5,reality=10,options=9,will=6' -> {stage: minutes}."""
    given: dict[str, str] = {}
    for part in (text or "").split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise InputError(f"cannot read stage plan {text!r}; use goal=5,reality=10,options=9,will=6")
        given[name.strip().lower()] = value.strip()
    return check_stage_minutes(given, planned_minutes)


def stage_minutes(planned_minutes: float, given: dict[str, float] | None = None) -> dict[str, float]:
    """Minutes per stage: the given allocation, else the default scaled to the length."""
    if given:
        return {s: float(given.get(s, 0.0)) for s in STAGES}
    base = DEFAULT_PLANS.get(int(planned_minutes)) if float(planned_minutes).is_integer() else None
    if base:
        return dict(base)
    ref = DEFAULT_PLANS[60]
    return {s: ref[s] * planned_minutes / 60 for s in STAGES}


@dataclass
class ResolvedPlan:
    planned_minutes: float
    stage_s: dict[str, float]
    #: True when the plan was not given and was chosen from the session length.
    derived: bool

    def report(self) -> dict[str, Any]:
        return {"planned_minutes": self.planned_minutes, "derived": self.derived,
                "stage_minutes": {s: round(v / 60, 2) for s, v in self.stage_s.items()}}


def resolve_plan(plan: SessionPlan, length_s: float | None) -> ResolvedPlan | None:
    """The plan in force; None while a file's length (and so its own plan) is unknown.

    A plan that was set (minutes, or minutes per stage) is kept. Without one, a
    recording's or transcript's own length is split in the default proportions,
    so "over plan" means what a coach means by it for that session, and a
    17-minute transcript is not measured against a 30-minute plan.
    """
    if plan.planned_minutes:
        m = float(plan.planned_minutes)
        derived = False
    elif plan.stage_minutes:
        m = float(sum(plan.stage_minutes.values()))
        derived = False
    elif length_s:
        m = round(length_s / 60, 2)
        derived = True
    else:
        return None
    return ResolvedPlan(m, {s: v * 60 for s, v in stage_minutes(m, plan.stage_minutes).items()}, derived)
