"""The talk balance judged against the coaching norm, and what the transcript covers.

The review shows the talk balance "against the norm for coaching" and must
say which norm it uses; it must also say plainly when there is no transcript
(how to get a speech model is the speech part's note, in ``session.notes``).
Both judgements are made here, once, so the review page,
the Markdown export and the terminal report only read them.

The talk figures themselves are not computed here: ``talk.TalkTracker``
gives the overall shares (``participants``, ``coach_skills.talk_share``) and
the minute-by-minute ``talk_timeline``; the stage component gives
``coach_skills.talk_share_by_stage``. This component compares them with the
norm, so it runs last and reads them from the report at ``contribute`` time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.model import Event


@dataclass(frozen=True)
class TalkNorm:
    """The talk-balance norm the review measures against."""

    #: Short name shown next to the figures.
    name: str = "70/30"
    #: The coach side should talk at most this share of the time.
    coach_max_share: float = 0.30
    #: One sentence saying which norm is used.
    description: str = (
        "The coachee should do most of the talking: the coach at most 30% of the talk and "
        "the coachee at least 70% (the common 70/30 coaching guideline; many coaches aim for 80/20)."
    )


NORM = TalkNorm()


def within_norm(coach_share: float | None, norm: TalkNorm = NORM) -> bool | None:
    """True when the coach side's share of talk is within the norm; None when there is nothing to judge."""
    if coach_share is None:
        return None
    return coach_share <= norm.coach_max_share


def transcript_note(utterances: int, transcribed: int) -> str | None:
    """What the review must say when speech was heard but not (all) transcribed.

    Why there is no transcript, and the command that installs a speech model, are the speech
    part's to say (its note goes into ``session.notes``); this note points there.
    """
    if utterances == 0 or transcribed == utterances:
        return None
    if transcribed == 0:
        return ("No transcript: nothing was transcribed, so only the audio-only figures are shown "
                "(talk time and balance, turns, monologues, interruptions, pauses). Questions, reflections, "
                "advice, GROW stages and venting need a transcript; where no speech model was installed, "
                "the session's notes say how to install one.")
    return (f"{utterances - transcribed} of {utterances} utterances were not transcribed (captions paused, or "
            "no speech model at the time); questions, reflections and stages count transcribed speech only.")


class TalkNormCheck(Component):
    """Contributes ``talk_norm`` (the norm and its verdicts) and ``transcript`` (what was transcribed)."""

    def __init__(self, norm: TalkNorm = NORM) -> None:
        self.norm = norm
        self.transcribed = 0

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        if ctx.utterances[i].transcribed:
            self.transcribed += 1
        return []

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        skills = report.get("coach_skills") or {}
        by_stage = skills.get("talk_share_by_stage") or {}
        report["talk_norm"] = {
            "name": self.norm.name,
            "coach_max_share": self.norm.coach_max_share,
            "description": self.norm.description,
            "within": within_norm(skills.get("talk_share"), self.norm),
            "within_by_stage": {stage: within_norm(share, self.norm) for stage, share in by_stage.items()},
        }
        n = len(ctx.utterances)
        report["transcript"] = {"utterances": n, "transcribed": self.transcribed,
                                "note": transcript_note(n, self.transcribed)}
