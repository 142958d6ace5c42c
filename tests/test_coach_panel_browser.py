"""The coach's live panel in a real browser, fed by the real analyzer through the hub."""

import time

import httpx
from playwright.sync_api import expect

from tests.support.browser import launch
from tests.support.review_fixtures import say_venting_live


def test_nudges_reach_the_coach_readably_and_never_the_coachee(server, playwright_instance, tmp_path):
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": "Planning meeting", "planned_minutes": 30, "mode": "audio",
        "participants": [{"name": "Ana", "role": "coach"}, {"name": "Ben", "role": "coachee"}]}).json()
    sid, links = r["id"], {p["role"]: p["link"] for p in r["participants"]}
    browser = launch(playwright_instance)
    try:
        pages = {}
        for role in ("coach", "coachee"):
            page = browser.new_page()
            page.goto(links[role])
            page.get_by_role("button", name="Join").click()
            pages[role] = page
        deadline = time.monotonic() + 20
        while sid not in server.app.state.live.sessions and time.monotonic() < deadline:
            time.sleep(0.1)
        live = server.app.state.live.sessions[sid]
        # Six minutes of venting, replayed as if just said: the analyzer raises a nudge.
        utterances = say_venting_live(server, live, tmp_path)
        nudge = pages["coach"].get_by_test_id("nudge").first
        expect(nudge).to_contain_text("Try: ", timeout=15_000)
        text = nudge.inner_text()
        stored = [e["data"]["nudge"] for e in server.store.events(sid) if e["type"] == "nudge"]
        assert stored and stored[0]["message"] in text and stored[0]["suggestion"] in text
        assert "{" not in text  # words for a person, not the event's JSON
        # The coachee saw the captions but no nudge, flag or suggestion.
        expect(pages["coachee"].get_by_text(utterances[-1].text[:30])).to_be_visible()
        assert pages["coachee"].get_by_test_id("nudge").count() == 0
        assert stored[0]["suggestion"] not in pages["coachee"].content()
    finally:
        browser.close()
