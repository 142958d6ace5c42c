"""Problem vs solution focus, and venting flagged only when it goes on too long."""

from __future__ import annotations

import pytest

from companion.analysis.text import parse
from companion.analysis.venting import focus_of
from tests.support.dialogues import run, unpunctuated

COMPLAINTS = [
    "He never answers my emails and nobody does anything about it.",
    "It's always the same, I'm fed up with covering for him.",
    "Last week he blamed me in front of everyone, it was so unfair.",
    "The whole team is frustrated and my manager doesn't care.",
    "Every single meeting goes wrong and I'm exhausted by it.",
    "It's ridiculous, I can't get anything done with him around.",
]


def venting(minutes: float, start_with_goal: bool = True) -> list[tuple]:
    """Coachee complaints of 30 s each, the coach saying little, for ``minutes``."""
    lines = [("C", "What would you like to talk about?"), ("E", "My colleague.")] if start_with_goal else []
    n = int(minutes * 60 / 31.5)
    for k in range(n):
        lines.append(("E", COMPLAINTS[k % len(COMPLAINTS)], 30.0))
        lines.append(("C", "Mm.", 1.0))
    return lines


@pytest.mark.parametrize("text,focus", [
    ("He always interrupts me and nobody cares.", "problem"),
    ("it never works and i get blamed every time", "problem"),
    ("I could ask for a weekly check-in and try a shared agenda.", "solution"),
    ("i'd like the meetings to finish on time", "solution"),
    ("It was on Tuesday.", "neutral"),
])
def test_focus(text, focus):
    assert focus_of(parse(text).joined) == focus


def test_focus_marked_for_coachee_only():
    r = run([("C", "It sounds like it's always a problem."), ("E", "It's always a problem, nobody helps.")])
    assert r.marks("focus") == [None, "problem"]


def test_healthy_venting_is_not_flagged():
    r = run(venting(3))
    assert not r.flags("venting")
    assert not [n for n in r.nudges() if n["kind"] == "venting"]


@pytest.mark.parametrize("asr", [False, True])
def test_long_venting_is_flagged_once_with_its_length(asr):
    lines = venting(8)
    r = run(unpunctuated(lines) if asr else lines)
    (flag,) = r.flags("venting")
    first_complaint = r.analyzer.ctx.utterances[2].start
    assert flag["start"] == pytest.approx(first_complaint)
    # The flag grows with the stretch and says how long it has lasted.
    assert flag["duration_s"] > 7 * 60
    assert "7 min" in flag["message"] or "8 min" in flag["message"]
    assert flag["suggestion"].startswith("So, how would you like")


def test_moving_to_solutions_ends_the_stretch():
    lines = venting(5) + [("E", "I'd like to get credit for my work, I could put my name on the documents.")] \
        + venting(5, start_with_goal=False)
    r = run(lines)
    flags = r.flags("venting")
    assert len(flags) == 2
    assert flags[0]["end"] < flags[1]["start"]
    stretches = r.report["focus_summary"]["problem_stretches"]
    assert len(stretches) == 2 and all(s["flagged"] for s in stretches)


def test_threshold_follows_the_plan():
    lines = venting(4)
    assert not run(lines, planned=60).flags("venting")  # 9 min allowed in an hour
    assert run(lines, planned=20).flags("venting")  # 3 min in twenty minutes


@pytest.mark.parametrize("asr", [False, True])
def test_problem_talk_answering_the_coachs_questions_is_not_venting(asr):
    # The same eight minutes of complaints, but each answers a coach's question about the situation
    # (two a minute): that is the coach exploring Reality, not the coachee venting.
    questions = ["What happens then?", "How does the team react?", "What does your manager say?"]
    lines = [("C", "What would you like to talk about?"), ("E", "My colleague.")]
    for k in range(16):
        lines.append(("C", questions[k % len(questions)], 3.0))
        lines.append(("E", COMPLAINTS[k % len(COMPLAINTS)], 27.0))
    r = run(unpunctuated(lines) if asr else lines)
    assert not r.flags("venting")
    assert r.report["focus_summary"]["problem_stretches"]  # the problem talk itself is still seen
