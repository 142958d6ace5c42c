"""Four real headless Chromiums in a group call (audio only, espeak-ng voices as microphones).

The facilitator starts and ends a member's turn from the panel; the panel shows the member in
focus and who has not spoken; every page shows the turn; the members' pages never receive the
panel's figures or nudges. No speech model: speech still counts as talk (untranscribed).
"""

from __future__ import annotations

import time

import httpx
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.support.browser import launch
from tests.support.speech import RATE, require_espeak, speak, write_wav

pytestmark = [pytest.mark.browser, pytest.mark.speech]

PEOPLE = [("Fay Mills", "facilitator"), ("Gil Ross", "member"), ("Hal Shah", "member"), ("Ivy Lee", "member")]
#: Seconds of silence before a voice starts: time for everyone to join and the turn to start.
LEAD_S = {"Gil Ross": 14.0, "Hal Shah": 22.0}
LINES = {"Gil Ross": "My issue is the handover. It runs late every night and I stay an hour after my shift.",
         "Hal Shah": "What would you like to be different?"}


def mic(path, name: str):
    if name in LINES:
        speech = speak(LINES[name], "en-us" if name == "Gil Ross" else "en-gb")
        samples = np.concatenate([np.zeros(int(LEAD_S[name] * RATE), np.int16), speech,
                                  np.zeros(int(60 * RATE), np.int16)])
    else:
        samples = np.zeros(int(90 * RATE), np.int16)
    return write_wav(path, samples)


def messages(page, type_=None):
    log = page.evaluate("() => (window.companionCall && window.companionCall.log) || []")
    return [m for m in log if type_ is None or m["type"] == type_]


def test_four_browsers_turns_from_the_panel(server, playwright_instance, tmp_path):
    require_espeak()
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": "Preceptors", "mode": "audio", "planned_minutes": 60,
        "participants": [{"name": n, "role": role} for n, role in PEOPLE]})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    links = {p["name"]: p["link"] for p in r.json()["participants"]}
    browsers = {n: launch(playwright_instance, fake_audio=f"{mic(tmp_path / f'{n[:3]}.wav', n)}%noloop")
                for n, _ in PEOPLE}
    try:
        pages = {}
        for name, _ in PEOPLE:
            page = browsers[name].new_page()
            page.goto(links[name] + "&raw_audio=1")
            page.get_by_role("button", name="Join").click()
            page.get_by_test_id("call").wait_for()
            pages[name] = page
        fay = pages["Fay Mills"]
        members = [pages[n] for n, role in PEOPLE if role == "member"]
        expect(fay.get_by_test_id("turn-panel")).to_be_visible()
        for page in members:
            assert page.get_by_test_id("turn-panel").count() == 0
            expect(page.get_by_test_id("turn")).to_have_text("No turn open · next: Gil Ross")

        fay.get_by_role("button", name="Start Gil Ross's turn").click()
        for page in pages.values():
            expect(page.get_by_test_id("turn")).to_contain_text("Gil Ross's turn", timeout=10_000)
        expect(fay.get_by_test_id("turn-member")).to_have_text("Gil Ross", timeout=10_000)
        expect(fay.get_by_test_id("turn-next")).to_have_text("Hal Shah")
        # Gil then Hal speak; Ivy stays silent, so she is the one the panel names.
        expect(fay.get_by_test_id("turn-not-spoken")).to_have_text("Ivy Lee", timeout=60_000)
        assert "Gil" in fay.get_by_test_id("turn-talk").inner_text()
        fay.get_by_test_id("end-turn").click()
        for page in pages.values():
            expect(page.get_by_test_id("turn")).to_contain_text("next: Hal Shah", timeout=10_000)

        assert messages(fay, "turn_status")
        for page in members:
            got = {m["type"] for m in messages(page)}
            assert "turn" in got and not got & {"turn_status", "nudge", "flag", "marks", "balance"}, got
        turns = [e["data"]["member"] for e in server.store.events(sid) if e["type"] == "turn"]
        assert turns == ["Gil Ross", None]
        live = server.app.state.live.sessions[sid]
        spoke = {u.speaker for u, m in zip(live.analyzer.ctx.utterances, live.analyzer.ctx.marks)
                 if m.get("turn_of") == "Gil Ross"}
        assert {"Gil Ross", "Hal Shah"} <= spoke and "Ivy Lee" not in spoke
    finally:
        for b in browsers.values():
            b.close()
        time.sleep(0.1)


def test_the_fourth_session_page_shows_who_facilitates_and_last_times_actions(server, browser):
    owner = server.owner_headers()
    g = httpx.post(f"{server.url}/api/groups", headers=owner, json={
        "name": "Preceptors", "facilitator": "Fay Mills", "members": ["Gil Ross", "Hal Shah", "Ivy Lee"]}).json()
    sids = [httpx.post(f"{server.url}/api/groups/{g['id']}/sessions", headers=owner, json={}).json()["id"]
            for _ in range(3)]
    server.store.save_report(sids[2], {"session": {"duration_s": 1.0}, "participants": [], "utterances": [],
                                       "flags": [], "turns": [{"member": "Gil Ross", "start": 0, "end": 1,
                                                               "planned_s": 600, "goal": None, "actions": [
                                                                   {"what": "Ask Dawn on Thursday"}]}]})
    r = httpx.put(f"{server.url}/api/groups/{g['id']}/sessions/3/next-facilitator", headers=owner,
                  json={"name": "Ivy Lee"})
    assert r.status_code == 200, r.text
    fourth = httpx.post(f"{server.url}/api/groups/{g['id']}/sessions", headers=owner, json={}).json()
    link = next(p["link"] for p in fourth["participants"] if p["name"] == "Hal Shah")
    page = browser.new_page()
    page.goto(link)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_test_id("group-number")).to_have_text("Session 4 of Preceptors · facilitating: Ivy Lee",
                                                             timeout=15_000)
    expect(page.get_by_test_id("report-back")).to_contain_text("Gil Ross: Ask Dawn on Thursday")
