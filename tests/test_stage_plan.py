"""A session's own GROW stage plan: given on the command line or when a session is created."""

import json

import pytest

from companion.analysis.plan import parse_stage_minutes
from companion.cli import main
from companion.errors import InputError
from companion.pipeline import LiveSession, finalize_session
from tests.support.server import OWNER_KEY

OWNER = {"Authorization": f"Bearer {OWNER_KEY}"}
PEOPLE = [{"name": "Maya", "role": "coach"}, {"name": "Sam", "role": "coachee"}]


def test_parse_stage_minutes():
    assert parse_stage_minutes("goal=5, reality=12,options=8,will=5") == {
        "goal": 5.0, "reality": 12.0, "options": 8.0, "will": 5.0}


@pytest.mark.parametrize("text, message", [
    ("goal=5,reality=10", "no minutes for 'options'"),
    ("goal=5,reality=10,options=9,will=6,wander=1", "unknown stage 'wander'"),
    ("goal=five,reality=10,options=9,will=6", "must be numbers"),
    ("goal=-5,reality=10,options=9,will=6", "zero or more"),
    ("goal 5", "cannot read stage plan"),
    ("goal=20,reality=20,options=20,will=20", "more than the 30 planned"),
])
def test_bad_stage_plans(text, message):
    with pytest.raises(InputError) as e:
        parse_stage_minutes(text, planned_minutes=30)
    assert message in str(e.value)


def test_cli_plan_reaches_the_report(capsys, sample_vtt):
    code = main(["analyze", str(sample_vtt), "--no-store", "--format", "json",
                 "--stage-minutes", "goal=1,reality=1,options=1,will=2"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["plan"]["planned_minutes"] == 5 and report["plan"]["derived"] is False
    assert report["plan"]["stage_minutes"] == {"goal": 1, "reality": 1, "options": 1, "will": 2}
    # Reality took 1:35 of a 1-minute allocation in the sample: now it is over plan.
    reality = next(s for s in report["plan"]["stages"] if s["stage"] == "reality")
    assert reality["planned_s"] == 60 and reality["over_s"] > 0


def test_cli_rejects_a_bad_plan(capsys, sample_vtt):
    code = main(["analyze", str(sample_vtt), "--stage-minutes", "goal=5"])
    assert code == 2 and "no minutes for 'reality'" in capsys.readouterr().err


def test_api_plan_is_stored_and_used_live_and_at_the_end(client, store):
    plan = {"goal": 4, "reality": 8, "options": 10, "will": 8}
    r = client.post("/api/sessions", headers=OWNER, json={
        "title": "Planned", "planned_minutes": 30, "participants": PEOPLE, "stage_minutes": plan})
    assert r.status_code == 201 and r.json()["stage_minutes"] == plan
    sid = r.json()["id"]
    live = LiveSession(store, sid, clock=lambda: 0.0)
    assert live.analyzer.ctx.plan.stage_minutes == plan
    report = finalize_session(store, sid)
    assert report["plan"]["stage_minutes"] == plan


@pytest.mark.parametrize("plan, message", [
    ({"goal": 4, "reality": 8}, "no minutes for 'options'"),
    ({"goal": 20, "reality": 20, "options": 20, "will": 20}, "more than the 30 planned"),
])
def test_api_rejects_a_bad_plan(client, store, plan, message):
    r = client.post("/api/sessions", headers=OWNER, json={
        "title": "Planned", "planned_minutes": 30, "participants": PEOPLE, "stage_minutes": plan})
    assert r.status_code == 422 and message in r.json()["error"]
    assert store.list_sessions() == []
