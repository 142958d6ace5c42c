"""The talk-norm component: verdicts against the norm and the transcript note, on small hand-made dialogues."""

from __future__ import annotations

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.base import Component
from companion.analysis.talk import TalkTracker
from companion.analysis.timeline import NORM, TalkNormCheck, transcript_note, within_norm
from companion.model import Role, Utterance

ROLES = {"Cat": Role.COACH, "Dev": Role.COACHEE}


class StageShares(Component):
    """Stands in for the stage component: puts a fixed per-stage coach share in the report."""

    def __init__(self, shares):
        self.shares = shares

    def contribute(self, ctx, report):
        report["coach_skills"]["talk_share_by_stage"] = dict(self.shares)


def analyse(utterances, *extra):
    a = SessionAnalyzer(roles=ROLES, components=[TalkTracker(), *extra, TalkNormCheck()])
    a.feed(utterances)
    a.finish()
    return a.report()


def test_coach_within_the_norm_when_talking_at_most_thirty_percent():
    # Cat 3 s + 3 s = 6 s, Dev 14 s: the coach has 6/20 = 30% of the talk, exactly at the limit.
    r = analyse([Utterance("Cat", 0, 3, "What do you want?"), Utterance("Dev", 3, 10, "A calmer team meeting."),
                 Utterance("Cat", 10, 13, "What else?"), Utterance("Dev", 13, 20, "Leaving on time.")])
    assert r["coach_skills"]["talk_share"] == 0.3
    assert r["talk_norm"]["within"] is True
    assert r["talk_norm"]["coach_max_share"] == NORM.coach_max_share == 0.3
    assert "70/30" in r["talk_norm"]["name"] and "coachee" in r["talk_norm"]["description"]


def test_coach_above_the_norm():
    # Cat 8 s, Dev 12 s: 40% is above 30%.
    r = analyse([Utterance("Cat", 0, 8, "Let me tell you what I would do."), Utterance("Dev", 8, 20, "Right, ok.")])
    assert r["coach_skills"]["talk_share"] == 0.4
    assert r["talk_norm"]["within"] is False


def test_overlapping_cues_of_the_coach_count_once_for_the_verdict():
    # Cat's cues 0-6 and 4-8 overlap: 8 s of talk, not 10; Dev 22 s. 8/30 = 26.7%: within.
    r = analyse([Utterance("Cat", 0, 6, "So"), Utterance("Cat", 4, 8, "what now?"), Utterance("Dev", 8, 30, "Well.")])
    assert r["coach_skills"]["talk_share"] == round(8 / 30, 4)
    assert r["talk_norm"]["within"] is True


def test_verdict_per_stage_reads_the_stage_components_shares():
    r = analyse([Utterance("Cat", 0, 5, "Hi"), Utterance("Dev", 5, 20, "Hello")],
                StageShares({"goal": 0.45, "reality": 0.2, "options": 0.3, "will": None}))
    assert r["talk_norm"]["within_by_stage"] == {"goal": False, "reality": True, "options": True, "will": None}


def test_no_coach_means_no_verdict():
    a = SessionAnalyzer(roles={"A": Role.COACHEE, "B": Role.MEMBER}, components=[TalkTracker(), TalkNormCheck()])
    a.feed([Utterance("A", 0, 5, "x"), Utterance("B", 5, 9, "y")])
    a.finish()
    assert a.report()["talk_norm"]["within"] is None
    assert within_norm(None) is None


def test_transcript_coverage_and_the_missing_model_note():
    heard = [Utterance("Cat", 0, 3, "", transcribed=False), Utterance("Dev", 3, 9, "", transcribed=False)]
    r = analyse(heard)
    assert r["transcript"]["utterances"] == 2 and r["transcript"]["transcribed"] == 0
    note = r["transcript"]["note"]
    assert note.startswith("No transcript") and "session's notes say how to install" in note
    assert "companion models download" not in note  # the command is asr's to name (session.notes)
    # The talk verdict still works from timing alone: Cat 3 s of 9 s.
    assert r["talk_norm"]["within"] is False

    partly = analyse([Utterance("Cat", 0, 3, "Hi"), Utterance("Dev", 3, 9, "", transcribed=False)])
    assert partly["transcript"]["transcribed"] == 1
    assert partly["transcript"]["note"].startswith("1 of 2 utterances were not transcribed")

    whole = analyse([Utterance("Cat", 0, 3, "Hi")])
    assert whole["transcript"] == {"utterances": 1, "transcribed": 1, "note": None}
    assert transcript_note(0, 0) is None


def test_default_analysis_includes_the_norm_after_the_stage_figures(sample_vtt, settings):
    from companion.pipeline import analyze_file

    r = analyze_file(sample_vtt, settings, coach="Maya").report
    by_stage = r["coach_skills"].get("talk_share_by_stage") or {}
    assert r["talk_norm"]["within_by_stage"] == {s: within_norm(v) for s, v in by_stage.items()}
    assert r["talk_norm"]["within"] == within_norm(r["coach_skills"]["talk_share"])
