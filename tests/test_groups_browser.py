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

from companion.logbook import LogBook
from companion.pipeline import finalize_session
from tests.support.a11y import serious_violations
from tests.support.browser import launch
from tests.support.speech import RATE, require_espeak, speak, write_wav
from tests.test_groups import ANA, BEN, CARA, DEV, FAY
from tests.test_groups import utterances as group_utterances

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

        # The facilitator ends the session: each member lands on their own learning log.
        fay.get_by_test_id("end").click()
        fay.get_by_test_id("end-confirm").click()
        tokens = {p["name"]: p["token"] for p in server.store.participants(sid)}
        for name, page in zip([n for n, role in PEOPLE if role == "member"], members):
            page.wait_for_url(f"**/sessions/{sid}/log?token=*", timeout=30_000)
            page.get_by_test_id("field-content").wait_for(timeout=15_000)
            expect(page.get_by_test_id("log-owner")).to_contain_text(f"{name}'s log")
            page.get_by_test_id("field-content").fill(f"What {name} took from the session.")
            page.get_by_test_id("save").click()
            page.get_by_test_id("message").filter(has_text="Saved as version 2").wait_for()
            page.get_by_test_id("approve").click()
            page.get_by_test_id("log-status").filter(has_text="approved").wait_for()
        book = LogBook(server.store)
        for name, _ in PEOPLE[1:]:
            log = book.peek(sid, name)
            assert log["status"] == "approved" and log["content"] == f"What {name} took from the session."
        # Gil's link opens no one else's log: the page says why, and holds nothing of Hal's.
        gil = members[0]
        gil.goto(f"{server.url}/sessions/{sid}/log?token={tokens['Gil Ross']}&participant=Hal%20Shah")
        expect(gil.get_by_test_id("message")).to_contain_text("opens Gil Ross's own log only")
        assert gil.get_by_test_id("log-form").is_hidden() and "What Hal Shah took" not in gil.content()
        # ... nor changes it: the server refuses, and Hal's log stays as Hal left it.
        put = gil.evaluate("""async ([sid, token]) => {
            const r = await fetch(`/api/sessions/${sid}/log?participant=Hal%20Shah`, {method: 'PUT',
              headers: {'Authorization': `Bearer ${token}`, 'Content-Type': 'application/json'},
              body: JSON.stringify({content: 'Written by Gil', version: 2})});
            return [r.status, (await r.json()).error];
        }""", [sid, tokens["Gil Ross"]])
        assert put[0] == 403 and "opens Gil Ross's own log only" in put[1]
        assert book.peek(sid, "Hal Shah")["content"] == "What Hal Shah took from the session."
    finally:
        for b in browsers.values():
            b.close()
        time.sleep(0.1)


def test_the_owner_creates_a_group_and_starts_its_numbered_sessions(server, browser):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server.url}/?key={server.key}")
    form = page.get_by_test_id("new-group")
    form.get_by_label("Group name").fill("Preceptors")
    form.get_by_label("Facilitator for the first three sessions").fill("Fay Mills")
    form.get_by_label("Members").fill("Gil Ross, Hal Shah")
    form.get_by_role("button", name="Create group").click()
    expect(page.get_by_test_id("group-error")).to_have_text(
        "The group was not created. A peer-coaching group has 4 to 7 people, the facilitator included; "
        "this one has 3.")
    form.get_by_label("Members").fill("Gil Ross, Hal Shah, Ivy Lee")
    form.get_by_role("button", name="Create group").click()
    group = page.get_by_test_id("group")
    expect(group.get_by_test_id("group-next")).to_have_text("Next: session 1 · facilitating: Fay Mills")
    for n in (1, 2, 3):
        group.get_by_role("button", name=f"Start session {n} of Preceptors").click()
        expect(group.get_by_test_id("group-links")).to_contain_text(f"Links for session {n} · facilitating: Fay Mills")
    expect(group.get_by_test_id("group-session")).to_have_count(3)
    (g,) = httpx.get(f"{server.url}/api/groups", headers=server.owner_headers()).json()
    third = g["sessions"][2]["session_id"]
    server.store.save_report(third, {"session": {"duration_s": 1.0}, "participants": [], "utterances": [],
                                     "flags": [], "turns": [{"member": "Gil Ross", "start": 0, "end": 1,
                                                             "planned_s": 600, "goal": None, "actions": [
                                                                 {"what": "Ask Dawn on Thursday"}]}]})
    # The review of the third session chooses who facilitates the fourth.
    page.reload()
    choice = page.get_by_test_id("next-facilitator")
    choice.get_by_label("Chosen at the review of session 3 to facilitate next").select_option("Ivy Lee")
    choice.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("group-session").nth(2)).to_contain_text("facilitating: Fay Mills · next: Ivy Lee")
    expect(page.get_by_test_id("group-next")).to_have_text("Next: session 4 · facilitating: Ivy Lee")
    assert serious_violations(page) == []  # the form, the group and its choice of facilitator
    page.get_by_role("button", name="Start session 4 of Preceptors").click()
    links = page.get_by_test_id("group-links")
    expect(links).to_contain_text("Links for session 4 · facilitating: Ivy Lee")
    expect(links).to_contain_text("Ivy Lee (facilitator)")
    expect(links).not_to_contain_text("Fay Mills")  # she facilitated the first three only
    expect(page.get_by_test_id("session-list")).to_contain_text("Preceptors: session 4")
    hal = links.get_by_label("Hal Shah (member)").input_value()
    member = browser.new_page()
    member.goto(hal)
    member.get_by_role("button", name="Join").click()
    expect(member.get_by_test_id("group-number")).to_have_text("Session 4 of Preceptors · facilitating: Ivy Lee",
                                                               timeout=15_000)
    expect(member.get_by_test_id("report-back")).to_contain_text("Gil Ross: Ask Dawn on Thursday")


def test_the_group_review_shows_each_turn_and_chooses_who_facilitates_next(server, browser):
    owner = server.owner_headers()
    g = httpx.post(f"{server.url}/api/groups", headers=owner, json={
        "name": "Ward leads", "facilitator": FAY, "members": [ANA, BEN, CARA, DEV]}).json()
    sessions = [httpx.post(f"{server.url}/api/groups/{g['id']}/sessions", headers=owner, json={}).json()
                for _ in range(3)]
    third = sessions[2]
    for i, u in enumerate(group_utterances()):  # three turns: Ben's overruns and Cara dominates it
        server.store.add_utterance(third["id"], i, u)
    finalize_session(server.store, third["id"])
    tokens = {p["name"]: p["token"] for p in third["participants"]}

    page = browser.new_page()
    page.goto(f"{server.url}/sessions/{third['id']}/review?token={tokens[FAY]}")
    review = page.get_by_test_id("group-review")
    expect(review).to_be_visible(timeout=15_000)
    turns = review.get_by_test_id("group-turn")
    expect(turns).to_have_count(3)
    ben = review.locator(f"[data-member='{BEN}']")
    expect(ben.get_by_test_id("turn-length")).to_contain_text("of 10:00 planned")
    expect(ben.get_by_test_id("turn-balance")).to_contain_text(f"{CARA} ")
    assert ben.get_by_test_id("turn-balance").inner_text().startswith(CARA)  # she talked most in his turn
    expect(ben.get_by_test_id("turn-flags")).to_contain_text("Ben's turn ran")
    expect(ben.get_by_test_id("turn-flags")).to_contain_text("of the talk in Ben's turn")
    assert int(ben.get_by_test_id("turn-questions").inner_text()) >= 13
    assert serious_violations(page) == []
    # The review of the third session chooses who facilitates the fourth.
    choice = review.get_by_test_id("next-facilitator")
    choice.get_by_label("Who facilitates session 4?").select_option(CARA)
    choice.get_by_role("button", name="Save").click()
    expect(review.get_by_test_id("next-facilitator-status")).to_have_text(f"{CARA} facilitates session 4.")
    group = httpx.get(f"{server.url}/api/groups/{g['id']}", headers=owner).json()
    assert group["sessions"][2]["next_facilitator"] == CARA and group["next"]["facilitator"] == CARA

    # A member's review has the talk balance only: no turns, no flags, no choice.
    member = browser.new_page()
    member.goto(f"{server.url}/sessions/{third['id']}/review?token={tokens[ANA]}")
    member.wait_for_selector("body[data-ready='true']")
    assert member.get_by_test_id("group-review").is_hidden() and "Ben's turn ran" not in member.content()
    # The first session's review offers no choice: the facilitator runs the first three.
    for i, u in enumerate(group_utterances()):
        server.store.add_utterance(sessions[0]["id"], i, u)
    finalize_session(server.store, sessions[0]["id"])
    first = browser.new_page()
    first.goto(f"{server.url}/sessions/{sessions[0]['id']}/review?token={sessions[0]['participants'][0]['token']}")
    expect(first.get_by_test_id("next-facilitator-status")).to_have_text(f"{FAY} facilitates session 2.")
    assert first.get_by_test_id("next-facilitator").count() == 0
