"""Nudges: rare, private to the coach, one per stretch, with evidence and a question to try."""

from __future__ import annotations

from companion.analysis.base import AnalysisContext
from companion.analysis.nudges import NudgeOptions, NudgePolicy
from companion.analysis.plan import SessionPlan
from companion.model import Audience
from tests.support.dialogues import NO_WILL_DIALOGUE, run
from tests.test_venting import venting


def test_venting_nudge_once_per_stretch_with_evidence():
    r = run(venting(10), tick_every=10)
    nudges = [n for n in r.nudges() if n["kind"] == "venting"]
    assert len(nudges) == 1
    (n,) = nudges
    (flag,) = r.flags("venting")
    assert n["evidence"]["start"] == flag["start"]
    assert n["t"] >= 180  # never in the first minutes
    assert "?" in n["suggestion"]
    assert r.report["nudges"] == r.nudges()
    assert all(e.audience == Audience.COACH for e in r.events if e.type == "nudge")


def test_no_nudge_for_healthy_venting():
    r = run(venting(2.5), tick_every=10)  # under the ~3 minutes the guidance allows
    assert r.nudges() == []


def test_no_will_nudge_near_the_end_of_a_planned_session():
    r = run(NO_WILL_DIALOGUE, planned=10, finish=False, tick_every=5, until=600)
    kinds = [n["kind"] for n in r.nudges()]
    assert "no_will" in kinds
    n = next(n for n in r.nudges() if n["kind"] == "no_will")
    assert "will you do" in n["suggestion"].lower()


def test_options_prompt_when_time_runs_on_in_reality():
    lines = NO_WILL_DIALOGUE[:10]  # goal and reality only
    r = run(lines, planned=6, finish=False, tick_every=5, until=600)
    (n,) = [n for n in r.nudges() if n["kind"] == "move_to_options"]
    assert "small steps" in n["suggestion"]
    assert not [n for n in run(NO_WILL_DIALOGUE, planned=6, finish=False, tick_every=5, until=600).nudges()
                if n["kind"] == "move_to_options"]  # options were explored: nothing to prompt


def _ctx() -> AnalysisContext:
    return AnalysisContext(roles={}, plan=SessionPlan())


def _flag(ctx, kind, start, end):
    ctx.raise_flag(kind, start, end, f"{kind} message", "What would you like instead?")


def test_at_most_one_nudge_per_gap_and_late_ones_still_come():
    ctx = _ctx()
    policy = NudgePolicy(NudgeOptions(min_gap_s=120))
    _flag(ctx, "topic_drift", 200, 400)
    _flag(ctx, "coach_dominance", 250, 400)
    first = policy.tick(ctx, 400)
    assert [e.data["nudge"]["kind"] for e in first] == ["topic_drift"]
    assert policy.tick(ctx, 460) == []  # within the gap
    later = policy.tick(ctx, 521)
    assert [e.data["nudge"]["kind"] for e in later] == ["coach_dominance"]
    assert policy.tick(ctx, 900) == []  # nothing left: each stretch was nudged once


def test_stale_flags_are_dropped():
    ctx = _ctx()
    policy = NudgePolicy(NudgeOptions(min_gap_s=120, stale_s=300))
    _flag(ctx, "topic_drift", 100, 200)
    policy.last_t = 190  # a nudge was just given
    assert policy.tick(ctx, 250) == []
    assert policy.tick(ctx, 600) == []  # the drift ended 400 s ago: no longer worth saying


def test_venting_in_a_30_minute_session_is_nudged_within_a_minute_of_its_threshold():
    from companion.analysis.venting import venting_threshold_s

    r = run(venting(8), planned=30, finish=False, tick_every=5)
    (flag,) = r.flags("venting")
    (n,) = [n for n in r.nudges() if n["kind"] == "venting"]
    assert n["t"] - (flag["start"] + venting_threshold_s(30)) <= 60
    # The message counts the time the coach can see: never "0 min", never more than has passed.
    raised = next(e for e in r.events if e.type == "flag" and e.data["flag"]["kind"] == "venting")
    assert "0 min" not in raised.data["flag"]["message"]


def test_a_coachee_monologue_is_flagged_but_not_nudged():
    r = run(venting(4), tick_every=5)
    # One 30-s complaint after another with only "Mm." between: one run, held by the coachee.
    (flag,) = r.flags("long_monologue")
    assert flag["who"] == "Sam" and flag["end"] - flag["start"] > 200
    assert not [n for n in r.nudges() if n["kind"] == "long_monologue"]
