"""The live coaching feedback end to end: a scripted session, the real server, two headless Chromiums.

Four minutes of a coachee venting play in a few seconds (``ScriptedSession``
drives the session's clock and utterances on the server's loop; the pages,
the hub, the analysis and the store are the real ones). Halfway through,
the coach asks one 3-second question that reads as Options ("What else could
you do? Any ideas?"): the decoder leans to Options for a moment, but the panel
stays on Reality and its stage clock keeps running from where Reality began.
The coach's page gets the venting nudge; the coachee's gets none, and nothing
of it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from playwright.sync_api import expect

from companion.config import Settings
from tests.support.browser import launch
from tests.support.live_script import ScriptedSession
from tests.support.server import start_server
from tests.support.speech import write_wav
from tests.test_venting import COMPLAINTS

pytestmark = pytest.mark.browser

COACH, COACHEE = "Ann", "Bo"
FLIP = "What else could you do? Any ideas?"


def clock_text(seconds: float) -> str:
    """As the pages write a duration (JavaScript rounds halves up)."""
    s = math.floor(seconds + 0.5)
    return f"{s // 60}:{s % 60:02d}"


@pytest.fixture
def quiet_server():
    """A real server without a speech model: the script is the only source of utterances."""
    settings = Settings.load()
    settings.model = "base.en"  # not installed: no recogniser, the call's audio only counts as talk time
    s = start_server(settings)
    yield s
    s.stop()


def test_venting_nudges_the_coach_only_and_a_flip_keeps_the_stage_clock(quiet_server, playwright_instance,
                                                                          tmp_path):
    import httpx

    server = quiet_server
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": "Team meetings", "mode": "audio", "planned_minutes": 20,
        "participants": [{"name": COACH, "role": "coach"}, {"name": COACHEE, "role": "coachee"}]})
    assert r.status_code == 201
    sid, links = r.json()["id"], {p["role"]: p["link"] for p in r.json()["participants"]}
    script = ScriptedSession(server, sid)
    # Silent microphones: the call is real, but only the script speaks.
    silence = write_wav(tmp_path / "silence.wav", np.zeros(16_000 * 30, np.int16))
    browser = launch(playwright_instance, fake_audio=silence)
    try:
        pages = {}
        for role in ("coach", "coachee"):
            page = browser.new_context().new_page()
            page.goto(links[role])
            page.get_by_role("button", name="Join").click()
            page.get_by_test_id("call").wait_for()
            pages[role] = page
        coach, coachee = pages["coach"], pages["coachee"]
        expect(coach.get_by_test_id("presence")).not_to_contain_text("not here yet", timeout=15_000)

        # Goal, then Reality: the coachee complains for four minutes, the coach says little.
        script.say(COACH, 4, "Hi Bo, what would you like to work on today?")
        script.say(COACHEE, 5, "I want our weekly team meeting to finish on time.")
        script.say(COACH, 4, "What would a good outcome look like for you?")
        script.say(COACHEE, 5, "We finish within forty five minutes, three weeks in a row.")
        reality = script.say(COACH, 3, "What is happening at the moment?")
        reality_start = script.live.analyzer.ctx.utterances[reality].start
        flip = None
        for k in range(9):
            script.say(COACHEE, 25, COMPLAINTS[k % len(COMPLAINTS)])
            if k == 3:
                flip = script.say(COACH, 3, FLIP)
                # The premise: for a moment the decoder reads this as Options.
                assert script.live.analyzer.ctx.marks[flip]["stage"] == "options"
            else:
                script.say(COACH, 1, "Mm.")
            if k == 5:  # well after the flip: the panel is on Reality, timed from Reality's start
                expect(coach.get_by_test_id("panel-stage")).to_have_text("Stage: Reality")
                expect(coach.get_by_test_id("stage-time")).to_contain_text(
                    f"{clock_text(script.now - reality_start)} in this stage")
        flip_start = script.live.analyzer.ctx.utterances[flip].start
        script.run_to(script.now + 5)

        # The coach's page: one venting nudge, readable, with its suggested question.
        nudge = coach.get_by_test_id("nudge").first
        expect(nudge).to_contain_text("Long problem talk", timeout=10_000)
        expect(nudge).to_contain_text("Try: So, how would you like the situation to be?")
        stored = [e["data"]["nudge"] for e in server.store.events(sid) if e["type"] == "nudge"]
        assert [n["kind"] for n in stored] == ["venting"]
        assert stored[0]["evidence"]["end"] - stored[0]["evidence"]["start"] >= 180

        # The stage clock never restarted: every clock the coach got since Reality began counts from its start,
        # and the panel never showed Options.
        coach_log = coach.evaluate("() => window.companionCall.log")
        stages = [m["stage"] for m in coach_log if m["type"] == "stage"]
        assert "options" not in stages and stages[-1] == "reality"
        clocks = [m for m in coach_log if m["type"] == "clock" and m["stage"] == "reality"]
        assert clocks and any(m["elapsed_s"] > flip_start + 60 for m in clocks)
        for m in clocks:
            assert m["stage_elapsed_s"] == pytest.approx(m["elapsed_s"] - reality_start, abs=0.15), m
        expect(coach.get_by_test_id("stage-time")).to_contain_text(
            f"{clock_text(script.now - reality_start)} in this stage (plan ")
        # Reality's first question was shown as Goal when it came: the correction is said, in words.
        expect(coach.get_by_test_id("stage-note")).to_have_text(
            f"Earlier stretch revised: from {clock_text(reality_start)} it now reads as Reality, not Goal.")

        # The coachee's page: the same captions and stage, no nudge, no flag, no suggestion.
        expect(coachee.get_by_test_id("stage")).to_have_text("Stage: Reality")
        expect(coachee.get_by_text(COMPLAINTS[2][:30]).first).to_be_visible()
        assert coachee.get_by_test_id("nudge").count() == 0
        coachee_types = {m["type"] for m in coachee.evaluate("() => window.companionCall.log")}
        assert not coachee_types & {"nudge", "flag", "balance", "marks"}
        assert "how would you like the situation" not in coachee.content()
        assert not coachee.get_by_test_id("coach-panel").is_visible()
    finally:
        browser.close()
