"""Talk metrics a coach can act on: patience, fillers, the rolling balance and its flags."""

from __future__ import annotations

import pytest

from companion.model import Utterance
from tests.support.dialogues import COACH, COACHEE, run


def test_patience_is_the_pause_before_the_coach_answers():
    utts = [Utterance(COACHEE, 0, 10, "it was hard"), Utterance(COACH, 12.5, 14, "say more"),
            Utterance(COACHEE, 15, 25, "well i felt alone"), Utterance(COACH, 25.1, 27, "what helped")]
    skills = run(utts).report["coach_skills"]
    assert skills["replies"] == 2
    assert skills["patience_median_s"] == pytest.approx((2.5 + 0.1) / 2)
    assert skills["quick_replies"] == 1


def test_fillers_are_counted_per_speaker():
    report = run([("C", "um so what uh would you like"), ("E", "i mean it's kind of hard you know")]).report
    rows = {p["name"]: p for p in report["participants"]}
    assert rows[COACH]["fillers"] == 2 and rows[COACHEE]["fillers"] == 3
    assert report["coach_skills"]["fillers"] == 2


def test_coach_dominance_is_flagged_once_per_stretch():
    lines = [("E", "yes", 2.0)]
    for _ in range(10):
        lines += [("C", "Here is what I think you should do about it, and why.", 25.0), ("E", "okay", 2.0)]
    r = run(lines)
    (flag,) = r.flags("coach_dominance")
    assert "% of the talking" in flag["message"]
    assert r.report["coach_skills"]["recent_talk_share"] > 0.6


def test_long_coach_monologue_is_flagged():
    r = run([("E", "hello"), ("C", "Let me explain at length.", 100.0), ("E", "right")])
    (flag,) = r.flags("long_monologue")
    assert flag["end"] - flag["start"] == pytest.approx(100.0)
    assert not run([("E", "hello"), ("C", "Short.", 20.0)]).flags("long_monologue")


def test_repeated_interruptions_are_flagged():
    utts = []
    t = 0.0
    for _ in range(4):
        utts.append(Utterance(COACHEE, t, t + 10, "i was saying that"))
        utts.append(Utterance(COACH, t + 8, t + 12, "sorry what do you mean"))
        t += 14
    r = run(utts)
    assert len(r.flags("interruptions")) == 1
    assert r.report["coach_skills"]["interruptions"] == 4
