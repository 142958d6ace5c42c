"""GROW stages: marks, smoothing into stretches, the plan, overrun, loops and no Will."""

from __future__ import annotations

import re

import pytest

from companion.analysis.grow import LAG
from companion.analysis.plan import default_minutes, stage_minutes
from companion.model import Audience
from tests.support.dialogues import GROW_DIALOGUE, NO_WILL_DIALOGUE, run, unpunctuated
from tests.test_venting import COMPLAINTS


def stage_order(report):
    return [s["stage"] for s in report["stages"]]


@pytest.mark.parametrize("lines", [GROW_DIALOGUE, unpunctuated(GROW_DIALOGUE)], ids=["punctuated", "asr"])
def test_stages_follow_the_conversation(lines):
    r = run(lines)
    report = r.report
    assert stage_order(report) == ["goal", "reality", "options", "will"]
    stages = r.marks("stage")
    assert stages[0] is None  # the greeting comes before any goal
    assert stages[3] == "goal" and stages[7] == "reality" and stages[13] == "options" and stages[17] == "will"
    # Stretches are contiguous and ordered.
    spans = report["stages"]
    assert all(a["end"] == b["start"] for a, b in zip(spans, spans[1:]))
    assert spans[-1]["end"] == report["session"]["duration_s"]


def test_stage_events_reach_everyone():
    r = run(GROW_DIALOGUE)
    stage_events = [e for e in r.events if e.type == "stage"]
    assert [e.data["stage"] for e in stage_events][-1] == "will"
    assert all(e.audience == Audience.EVERYONE for e in stage_events)


def test_a_stray_cue_does_not_break_a_stretch():
    lines = GROW_DIALOGUE[:10] + [("E", "I had one idea once, but it never worked, it always overruns.")] \
        + GROW_DIALOGUE[10:12]
    r = run(lines, finish=True)
    assert stage_order(r.report) == ["goal", "reality"]


def test_only_the_last_utterances_are_revised():
    r = run(GROW_DIALOGUE, finish=False)
    frozen = r.marks("stage")[:-LAG]
    r.analyzer.update(r.analyzer.ctx.utterances[-1].__class__("Maya", 500, 505, "What will you do next?"))
    assert r.marks("stage")[:len(frozen)] == frozen


def test_default_plans():
    assert sum(stage_minutes(30).values()) == 30
    assert sum(stage_minutes(45).values()) == 45
    assert sum(stage_minutes(60).values()) == 60
    assert stage_minutes(60)["reality"] > stage_minutes(60)["goal"]
    assert pytest.approx(sum(stage_minutes(90).values())) == 90
    assert stage_minutes(30, {"goal": 3, "reality": 12, "options": 10, "will": 5})["reality"] == 12
    assert [default_minutes(s * 60) for s in (4, 30, 31, 50, 80)] == [30, 30, 45, 60, 60]


def test_report_shows_plan_and_time_in_stage():
    r = run(GROW_DIALOGUE)
    report = r.report
    plan = report["plan"]
    # Without a plan, a transcript is measured against its own length split in the default proportions.
    assert plan["derived"] is True
    assert plan["planned_minutes"] == pytest.approx(report["session"]["duration_s"] / 60, abs=0.01)
    by_stage = {s["stage"]: s for s in plan["stages"]}
    assert by_stage["goal"]["planned_s"] == pytest.approx(plan["planned_minutes"] * 60 / 6, abs=0.1)
    # Time in stage is talk time, as the talk tracker counts it.
    talk = sum(m["talk_s"] for m in r.analyzer.ctx.marks if m["stage"] == "reality")
    assert by_stage["reality"]["actual_s"] == pytest.approx(talk, abs=0.1)
    given = run(GROW_DIALOGUE, planned=45).report["plan"]
    assert given["planned_minutes"] == 45 and given["derived"] is False


def test_a_derived_plan_is_never_shown_as_zero_minutes():
    r = run(GROW_DIALOGUE[:6], planned=2, stage_minutes={"goal": 0.5, "reality": 0.5, "options": 0.5,
                                                         "will": 0.5}, tick_every=5, until=400)
    texts = [f["message"] for f in r.report["flags"]] + [n["message"] for n in r.nudges()]
    assert texts and not any(re.search(r"\b0 min", t) for t in texts)


def test_no_will_flag_at_the_end():
    assert [f["kind"] for f in run(NO_WILL_DIALOGUE).report["flags"]].count("no_will") == 1
    assert run(unpunctuated(NO_WILL_DIALOGUE)).flags("no_will")
    assert not run(GROW_DIALOGUE).flags("no_will")


def test_no_will_flag_live_from_the_clock():
    # A 10-minute plan reserves its last 2 minutes for Will; ticks carry the clock there.
    r = run(NO_WILL_DIALOGUE, planned=10, finish=False, tick_every=5, until=600)
    (flag,) = r.flags("no_will")
    assert flag["start"] == pytest.approx(480, abs=1)
    assert any(e.type == "flag" and e.data["flag"]["kind"] == "no_will" for e in r.events)


def test_stage_overrun_from_ticks():
    plan = {"goal": 3, "reality": 1, "options": 1, "will": 1}
    lines = [(w, t, 40.0) for w, t in GROW_DIALOGUE[:12]]  # ends in Reality, four minutes of it
    r = run(lines, planned=6, stage_minutes=plan, finish=False, tick_every=5, until=480)
    (flag,) = r.flags("stage_overrun")
    assert flag["stage"] == "reality"
    assert flag["actual_s"] >= flag["planned_s"] + 120
    # The same overrun is not flagged again as the clock runs on.
    r.analyzer.tick(600)
    assert len(r.flags("stage_overrun")) == 1


def test_stage_overrun_for_a_file_is_judged_at_the_end():
    # Each line 22 s: Reality (six lines) takes over two minutes of talk, Goal under one and a half.
    lines = [(w, t, 22.0) for w, t in GROW_DIALOGUE]
    plan = {"goal": 2, "reality": 0.1, "options": 5, "will": 5}
    r = run(lines, stage_minutes=plan)
    (flag,) = r.flags("stage_overrun")
    assert flag["stage"] == "reality"
    # Flagged from when the allowance and margin ran out, not from the session end.
    reality = next(s for s in r.report["stages"] if s["stage"] == "reality")
    assert reality["start"] < flag["start"] < reality["end"]
    assert not run(lines, stage_minutes={"goal": 5, "reality": 5, "options": 5, "will": 5}).flags("stage_overrun")


def test_going_back_and_forth_is_a_loop():
    back_and_forth = [
        ("C", "What would you like to achieve today?"), ("E", "I want a plan for the launch."),
        ("C", "What is happening at the moment?"), ("E", "We are late and the problem keeps growing."),
        ("C", "What options do you have?"), ("E", "I could cut features or I could ask for help."),
        ("C", "What is happening with the client right now?"), ("E", "The client always complains, it's a problem."),
        ("C", "What other options could you try?"), ("E", "I could delay the booking system, that's an option."),
        ("C", "And what's happening with the team at the moment?"), ("E", "They're tired, it never stops."),
        ("C", "What else could you do, what are the options?"), ("E", "I could hire a contractor, another idea."),
        ("C", "And how are things with your manager at the moment?"), ("E", "She never listens, it's a problem."),
        ("C", "So what options are left, what could you try?"), ("E", "I could ask her for a weekly slot."),
    ]
    lines = [(w, t, 20.0) for w, t in back_and_forth]  # each line 20 s: the loop spans minutes
    r = run(lines)
    assert len(r.flags("stage_loop")) == 1
    assert not run(GROW_DIALOGUE).flags("stage_loop")


def test_untranscribed_speech_gets_no_stage_and_no_stage_flags():
    """Without a speech model there are no words to place in GROW: no stage, no no_will."""
    from companion.analysis.plan import SessionPlan
    from companion.model import Role, Utterance
    from companion.pipeline import analyze_utterances

    utts = [Utterance("A" if i % 2 == 0 else "B", i * 20, i * 20 + 15, "", transcribed=False) for i in range(100)]
    report = analyze_utterances(utts, roles={"A": Role.COACH, "B": Role.COACHEE}, plan=SessionPlan(30)).report
    assert report["stages"] == []
    assert {u["stage"] for u in report["utterances"]} == {None}
    assert not [f for f in report["flags"] if f["kind"] in ("no_will", "stage_overrun", "stage_loop")]


def test_a_momentary_flip_does_not_reset_the_live_stage_clock():
    reality = GROW_DIALOGUE[:12] + [
        ("C", "What else is going on?", 3.0),  # an Options cue, said in passing
        ("E", "The agenda always arrives late and nobody reads it before the meeting starts.", 12.0),
        ("C", "Tell me more about what happens when it overruns.", 4.0),
        ("E", "People drift off, the last items never get discussed, and we meet again the week after.", 12.0),
    ]
    r = run(reality, planned=30, finish=False, tick_every=5)
    shown = [(e.data["stage"], e.data["since"]) for e in r.events if e.type == "stage" and "revision" not in e.data]
    assert shown[-1][0] == "reality"
    assert "options" not in [s for s, _ in shown]
    # The clock still runs from where Reality began, before the flip.
    flip = r.analyzer.ctx.utterances[12].start
    assert shown[-1][1] < flip


def _reality_with_a_flip(flip: str) -> list[tuple]:
    """Goal, then a coachee complaining at length; halfway, one 3-second coach question about options."""
    lines = [("C", "Hi Bo, what would you like to work on today?", 4.0),
             ("E", "I want our weekly team meeting to finish on time.", 5.0),
             ("C", "What would a good outcome look like for you?", 4.0),
             ("E", "We finish within forty five minutes, three weeks in a row.", 5.0),
             ("C", "What is happening at the moment?", 3.0)]
    for k in range(8):
        lines.append(("E", COMPLAINTS[k % len(COMPLAINTS)], 25.0))
        lines.append(("C", flip, 3.0) if k == 3 else ("C", "Mm.", 1.0))
    return lines


def test_one_long_utterance_after_a_flip_is_not_sustained_evidence():
    """The flip leads the decoder; the long complaint after it weakens that lead, so it does not count as dwell."""
    r = run(_reality_with_a_flip("What else could you do? Any ideas?"), planned=20, finish=False)
    shown = [(e.data["stage"], e.data["since"]) for e in r.events if e.type == "stage" and "revision" not in e.data]
    assert shown == [("goal", 0.0), ("reality", r.analyzer.ctx.utterances[4].start)]


def test_a_return_after_a_shown_flip_keeps_the_earlier_clock():
    """Three options questions at once switch the panel; back in Reality seconds later, its clock runs on, and the
    shown flip is later said to be revised."""
    r = run(_reality_with_a_flip("What could you do? What options do you have? What else could you try?"),
            planned=20)
    shown = [(e.data["stage"], e.data["since"]) for e in r.events if e.type == "stage" and "revision" not in e.data]
    assert [s for s, _ in shown] == ["goal", "reality", "options", "reality"]
    assert shown[-1] == shown[1]
    revised = [e.data["revision"] for e in r.events if e.type == "stage" and "revision" in e.data]
    assert any(x["shown"] == "options" and x["final"] == "reality" for x in revised)


def test_a_revised_stage_is_said_not_silently_rewritten():
    r = run(GROW_DIALOGUE)
    report = r.report
    assert "stage_revisions" in report
    said = [e.data["revision"] for e in r.events if e.type == "stage" and "revision" in e.data]
    assert [(x["start"], x["shown"], x["final"]) for x in said] == [
        (x["start"], x["shown"], x["final"]) for x in report["stage_revisions"]]


def test_without_a_plan_an_overrun_is_a_stage_taking_half_the_grow_time():
    long_goal = [(w, t, 60.0 if 2 <= k <= 5 else 5.0) for k, (w, t) in enumerate(GROW_DIALOGUE)]
    r = run(long_goal)
    (flag,) = r.flags("stage_overrun")
    assert flag["stage"] == "goal" and r.report["plan"]["derived"] is True
    assert "0 min" not in flag["message"] and "GROW time" in flag["message"]
    assert not run(GROW_DIALOGUE).flags("stage_overrun")


YES_BUT = [
    ("C", "What would you like to get from today?", 4.0), ("E", "I want to stop taking marking home every night.", 6.0),
    ("C", "What is happening at the moment?", 4.0),
    ("E", "I mark every evening, three sets a week, and it takes two hours a set at least.", 20.0),
    ("C", "So what could you do? What are some options?", 5.0),
    ("E", "I could try whole-class feedback, reading the books and noting common errors.", 15.0),
    ("E", "But it doesn't fit the policy, the policy wants comments in every book.", 12.0),
    ("C", "What else could you try?", 4.0), ("E", "I could ask the head of department to let me trial it.", 12.0),
    ("E", "But she won't, she wrote the policy and she's proud of it.", 10.0),
    ("C", "What other options are there?", 4.0), ("E", "I could use my planning time just for marking.", 12.0),
    ("E", "Yeah, but it never happens, it always gets eaten by cover.", 10.0),
    ("C", "What will you do, and by when?", 4.0),
    ("E", "I will ask for a trial of whole-class feedback on Thursday.", 20.0),
    ("C", "How committed are you to that, out of ten?", 4.0),
    ("E", "A nine. I'll book the meeting tomorrow and take my marking plan with me.", 25.0),
]


def test_three_yes_buts_after_ideas_make_a_loop_and_one_does_not():
    r = run(YES_BUT)
    (flag,) = r.flags("stage_loop")
    assert flag["falls"] == 3 and len(flag["utterances"]) >= 6
    assert [r.marks("stage")[k] for k in (6, 9, 12)] == ["reality"] * 3  # a "yes, but" is Reality
    one = YES_BUT[:7] + YES_BUT[13:]
    assert not run(one).flags("stage_loop")


def test_a_coachee_answer_stays_in_the_stage_its_question_opened():
    # The coach's goal questions (what it would look like, what matters most) keep the stage at Goal
    # while the coachee talks about the situation: stages move on the coach's questions.
    lines = [
        ("C", "Hi Sam, good to see you."),
        ("E", "Hi, thanks for making time."),
        ("C", "What would you like to get out of our session today?"),
        ("E", "I don't know. Everything at the moment. The meetings always overrun, nobody reads the agenda."),
        ("C", "What would on top of it look like?"),
        ("E", "The problem is that last week it happened again, and the week before, it's every time."),
        ("C", "Mm."),
        ("E", "And my manager never says anything about it, so I end up staying late."),
        ("C", "Out of all of that, what matters most to you?"),
        ("E", "Finishing the weekly meeting on time, three weeks in a row."),
        ("C", "What is happening in those meetings at the moment?"),
        ("E", "People arrive late and it always overruns."),
    ]
    r = run(lines, planned=10)
    assert r.marks("stage")[2:10] == ["goal"] * 8
    assert r.marks("stage")[10:] == ["reality"] * 2
