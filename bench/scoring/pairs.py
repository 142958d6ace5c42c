"""Run the product's analysis on the labelled pair sessions (devsets/grow), as a user importing them would.

Shared by ``scoring.stages`` and ``scoring.flags``: each session is analysed once per process, with the
coach and coachee named from the labels (role inference is scored elsewhere) and the plan the coach stated,
if any (``planned_minutes``), exactly as ``companion analyze --planned`` would.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import devsets

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.plan import SessionPlan
from companion.model import STAGES, Role

#: The stage a position-only rule gives each fifth... of a session: the default plan's proportions.
BASELINE_SHARES = {"goal": 5 / 30, "reality": 10 / 30, "options": 9 / 30, "will": 6 / 30}


@dataclass
class Analysed:
    name: str
    labels: dict[str, Any]
    report: dict[str, Any]
    utterances: list[Any]

    @property
    def goes_wrong(self) -> bool:
        """A session that goes wrong: one with expected flags."""
        return bool(self.labels.get("expected_flags"))


@lru_cache(maxsize=1)
def analysed() -> tuple[Analysed, ...]:
    out = []
    for s in devsets.load("grow"):
        roles = {s.labels["coach"]: Role.COACH, s.labels["coachee"]: Role.COACHEE}
        length = max(u.end for u in s.utterances)  # what ``companion analyze`` knows of a transcript
        an = SessionAnalyzer(roles=roles, plan=SessionPlan(s.labels.get("planned_minutes")), length_s=length)
        an.feed(s.utterances)
        an.finish()
        out.append(Analysed(s.name, s.labels, an.report(), s.utterances))
    return tuple(out)


def baseline_stage(t: float, start: float, end: float) -> str:
    """The position-only rule: the session's span cut in the default plan's proportions."""
    f = (t - start) / max(1e-9, end - start)
    acc = 0.0
    for stage in STAGES:
        acc += BASELINE_SHARES[stage]
        if f < acc:
            return stage
    return STAGES[-1]
