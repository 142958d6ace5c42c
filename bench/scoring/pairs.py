"""Run the product's analysis on the labelled pair sessions (devsets/grow), as a user importing them would.

Shared by ``scoring.stages`` and ``scoring.flags``: each session is analysed once per process, with the
coach and coachee named from the labels (role inference is scored elsewhere) and the plan the coach stated,
if any (``planned_minutes``), exactly as ``companion analyze --planned`` would.

The stage model (companion/analysis/stagemodel.py) is trained on these very sessions, so the figures that
count are held out: each session is analysed with a model trained on the other thirteen
(``analysed()``). ``analysed(held_out=False)`` uses the shipped model, trained on all fourteen (in-sample).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import devsets
from train_stage_model import train_on

from companion.analysis.analyzer import SessionAnalyzer, default_components
from companion.analysis.grow import StageTracker
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


@lru_cache(maxsize=2)
def analysed(held_out: bool = True) -> tuple[Analysed, ...]:
    out = []
    sessions = devsets.load("grow")
    for s in sessions:
        roles = {s.labels["coach"]: Role.COACH, s.labels["coachee"]: Role.COACHEE}
        length = max(u.end for u in s.utterances)  # what ``companion analyze`` knows of a transcript
        components = default_components()
        if held_out:
            tracker = next(c for c in components if isinstance(c, StageTracker))
            tracker.model = train_on([o for o in sessions if o.name != s.name])
        an = SessionAnalyzer(roles=roles, plan=SessionPlan(s.labels.get("planned_minutes")), length_s=length,
                             components=components)
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
