"""Two real headless Chromiums hold a call through the companion, each with an espeak-ng voice as its mic.

One test, several phases, so the browsers start once: join -> both hear each
other (getStats) -> captions and balance over the WebSocket -> talk time per
person within 10% of the files' speech -> pause stops transcription -> a reload
rejoins -> End leads the coach to the review and the coachee to the log.
"""

from __future__ import annotations

import time

import httpx
import numpy as np
import pytest

from companion.asr.engine import EngineOptions, WhisperEngine
from tests.support.browser import launch, wait_for
from tests.support.server import start_server
from tests.support.speech import require_espeak, speak, write_wav

pytestmark = [pytest.mark.browser, pytest.mark.speech]

R = 16_000
LEAD_S = 3.0  # the fake mic starts at getUserMedia; the call connects about a second later
GAP_S = 1.6  # between sentences: longer than the VAD's hangover, so each sentence is one utterance
PAUSE_WINDOW_S = 9.0  # silence between the two phases, when the test pauses transcription
#: Guards off: the random-weight model's text is meaningless and would rightly be dropped.
NO_GUARDS = EngineOptions(beam_size=1, temperature=(0.0,), no_speech_prob=None, compression_ratio=None,
                          min_avg_logprob=None, hallucination_silence_s=None, max_repeats=None)

LINES = {
    "coach": (["What would you like to work on today", "What have you tried so far"],
              ["What will you do first"]),
    "coachee": (["I want to stop answering email every evening", "I switched off notifications once"],
                ["I will leave my laptop at work on Friday"]),
}
VOICES = {"coach": "en-us", "coachee": "en-us+f3"}


def make_mic(path, role) -> tuple[float, int, int]:
    """A WAV: silence, phase-one sentences, a long silence, phase-two sentences. Returns (speech s, n1, n2)."""
    first, second = LINES[role]
    parts, speech = [np.zeros(int(LEAD_S * R), np.int16)], 0.0
    for i, phase in enumerate((first, second)):
        if i == 1:
            parts.append(np.zeros(int(PAUSE_WINDOW_S * R), np.int16))
        for text in phase:
            clip = speak(text, VOICES[role])
            speech += len(clip) / R
            parts += [clip, np.zeros(int(GAP_S * R), np.int16)]
    parts.append(np.zeros(int(3 * R), np.int16))
    write_wav(path, np.concatenate(parts))
    return speech, len(first), len(second)




INBOUND_AUDIO = """async () => {
  const s = await window.companionCall.pc.getStats();
  let packets = 0, energy = 0;
  s.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') {
    packets += r.packetsReceived || 0; energy += r.totalAudioEnergy || 0; } });
  return {packets, energy};
}"""

PAIR = """async () => {
  const s = await window.companionCall.pc.getStats();
  let out = null;
  s.forEach((r) => { if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') {
    const remote = s.get(r.remoteCandidateId), local = s.get(r.localCandidateId);
    out = {remote: remote.address || remote.ip, local: local.address || local.ip}; } });
  return out;
}"""


def messages(page, type_=None, *, interim=False):
    """The messages a page received; captions are the final ones unless ``interim``."""
    log = page.evaluate("() => (window.companionCall && window.companionCall.log) || []")
    return [m for m in log if (type_ is None or m["type"] == type_)
            and (interim or m["type"] != "caption" or m.get("final", True))]


@pytest.fixture
def call_server(tiny_model_dir):
    s = start_server()
    from companion.server.live import manager

    manager(s.app).use_engine(WhisperEngine(tiny_model_dir, device="cpu", options=NO_GUARDS))
    yield s
    s.stop()


def test_two_browsers_hold_a_call(call_server, playwright_instance, tmp_path):
    require_espeak()
    server = call_server
    truth = {}
    wavs = {}
    for role in ("coach", "coachee"):
        wavs[role] = tmp_path / f"{role}.wav"
        truth[role] = make_mic(wavs[role], role)
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": "Browser call", "mode": "audio", "planned_minutes": 30,
        "participants": [{"name": "Ann", "role": "coach"}, {"name": "Bo", "role": "coachee"}]})
    assert r.status_code == 201
    sid = r.json()["id"]
    links = {p["role"]: p["link"] for p in r.json()["participants"]}
    names = {"coach": "Ann", "coachee": "Bo"}

    browsers = {role: launch(playwright_instance, fake_audio=f"{wavs[role]}%noloop") for role in links}
    try:
        pages = {}
        for role in ("coach", "coachee"):
            page = browsers[role].new_page()
            page.goto(links[role] + "&raw_audio=1")
            page.get_by_test_id("consent").wait_for()
            assert "not stored" in page.content() or "Nothing is recorded" in page.content()
            page.get_by_role("button", name="Join").click()
            page.get_by_test_id("call").wait_for()
            pages[role] = page
        coach, coachee = pages["coach"], pages["coachee"]
        assert coach.get_by_test_id("coach-panel").is_visible()
        assert not coachee.get_by_test_id("coach-panel").is_visible()

        # Each browser receives the other's audio.
        for page in pages.values():
            wait_for(lambda page=page: page.evaluate(INBOUND_AUDIO)["energy"] > 0, what="inbound audio energy")
            pair = page.evaluate(PAIR)
            assert pair and pair["remote"] == "127.0.0.1", pair

        # Phase one: captions for both speakers reach both pages; the coach gets the talk balance.
        n1 = {role: truth[role][1] for role in truth}

        def phase_one_done():
            caps = messages(coach, "caption")
            return all(sum(1 for c in caps if c["speaker"] == names[r]) >= n1[r] for r in names)

        wait_for(phase_one_done, timeout=40, what="phase-one captions")
        for page in pages.values():
            for c in messages(page, "caption"):
                assert {"index", "speaker", "role", "start", "end", "text", "transcribed"} <= set(c)
        first_caps = messages(coach, "caption")
        assert any(c["transcribed"] and c["text"] for c in first_caps), "no caption was transcribed"
        assert messages(coach, "balance") and not messages(coachee, "balance")
        assert coachee.get_by_test_id("captions").inner_text().strip()

        # The coachee pauses transcription: both see it, and later speech is not transcribed.
        coachee.get_by_test_id("pause").click()
        coach.get_by_test_id("paused-banner").wait_for()
        assert "Bo" in coach.get_by_test_id("paused-banner").inner_text()
        paused_at = len(server.store.utterances(sid))
        n2 = {role: truth[role][2] for role in truth}
        wait_for(lambda: len(server.store.utterances(sid)) >= sum(n1.values()) + sum(n2.values()),
                 timeout=40, what="phase-two utterances")
        later = server.store.utterances(sid)[paused_at:]
        assert later and all(not u.transcribed and u.text == "" for u in later)

        # Talk time per person, as the server measured it, within 10% of the files' speech.
        time.sleep(1.0)
        utts = server.store.utterances(sid)
        for role, name in names.items():
            talk = sum(u.duration for u in utts if u.speaker == name)
            assert abs(talk - truth[role][0]) <= 0.10 * truth[role][0], (name, talk, truth[role][0])
        balance = messages(coach, "balance")[-1]
        shares = {p["name"]: p["talk_s"] for p in balance["participants"]}
        assert set(shares) == {"Ann", "Bo"}

        # A reload rejoins the same session with the same link, without asking again.
        before = len(utts)
        coachee.reload()
        coachee.get_by_test_id("call").wait_for()
        wait_for(lambda: coachee.evaluate("() => !!(window.companionCall.pc && "
                                          "window.companionCall.pc.connectionState === 'connected')"),
                 what="rejoined call")
        hello = wait_for(lambda: messages(coachee, "hello"), what="hello after reload")
        assert hello[0]["paused"] is True
        wait_for(lambda: len(messages(coachee, "caption")) >= before, what="caption history after reload")
        room = server.app.state.live.rooms.get(sid)
        wait_for(lambda: sorted(room.present()) == ["Ann", "Bo"], what="both in the room")
        p0 = coach.evaluate(INBOUND_AUDIO)["packets"]
        wait_for(lambda: coach.evaluate(INBOUND_AUDIO)["packets"] > p0 + 20, what="audio after rejoin")

        # The coach ends the session: report stored; coach to the review, coachee to the log.
        coach.get_by_test_id("end").click()
        coach.get_by_role("button", name="End for everyone").click()  # End asks first
        coach.wait_for_url(f"**/sessions/{sid}/review**", timeout=30_000)
        coachee.wait_for_url(f"**/sessions/{sid}/log**", timeout=30_000)
        report = server.store.report(sid)
        assert report is not None and report["session"]["id"] == sid
        assert {p["name"] for p in report["participants"]} == {"Ann", "Bo"}
        assert server.store.get_session(sid)["status"] == "ended"
    finally:
        for b in browsers.values():
            b.close()


def test_owner_creates_a_session_and_gets_two_links(playwright_instance):
    server = start_server()
    browser = launch(playwright_instance)
    try:
        page = browser.new_page()
        page.goto(f"{server.url}/?key={server.key}")
        page.get_by_test_id("new-title").fill("Weekly check-in")
        page.get_by_test_id("new-minutes").select_option("45")
        page.get_by_test_id("new-audio").check()
        page.get_by_test_id("new-coach").fill("Ann")
        page.get_by_test_id("new-coachee").fill("Bo")
        page.get_by_test_id("create-session").click()
        coach_link = page.get_by_test_id("link-coach").input_value()
        coachee_link = page.get_by_test_id("link-coachee").input_value()
        assert coach_link != coachee_link and "/join/" in coach_link and "token=" in coachee_link
        page.get_by_test_id("session-list").get_by_text("Weekly check-in").wait_for()
        s = server.store.list_sessions()[0]
        assert (s["title"], s["mode"], s["planned_minutes"]) == ("Weekly check-in", "audio", 45)
        # The coachee's link opens the consent screen with a "Join" button.
        join = browser.new_context().new_page()
        join.goto(coachee_link)
        join.get_by_role("button", name="Join").wait_for()
        assert "Bo" in join.get_by_test_id("consent").inner_text()
    finally:
        browser.close()
        server.stop()
