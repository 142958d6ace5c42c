"""The call page as people use it, in real headless Chromiums against a real server.

- A video pair at 1280 and 390 px: each remote video lies inside its tile and the name is
  inside the tile and not cut off (bounding boxes), and no remote tile is laid out as audio-only.
- End asks "End for everyone?" before ending; keyboard-only use of the call page.
- On a phone-width coach page a nudge shows as a toast on the visible screen, and is announced.
Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from companion.model import Audience
from tests.support.a11y import serious_violations, shot
from tests.support.browser import wait_for
from tests.support.review_fixtures import say_venting_live

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

GEOMETRY = """(name) => {
  const tile = document.querySelector(`.tile[data-tile="${CSS.escape(name)}"]`);
  if (!tile) return null;
  const box = (e) => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const video = tile.querySelector('video'), who = tile.querySelector('.who');
  return {tile: box(tile), video: video ? box(video) : null, playing: video ? video.videoWidth > 0 : false,
          who: box(who), whoText: who.textContent, clipped: who.scrollWidth > who.clientWidth + 1,
          classes: [...tile.classList], viewport: window.innerWidth};
}"""


def inside(inner, outer, slack=1.0) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + slack
            and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + slack)




def create(server, mode, people=(("Ann", "coach"), ("Bo", "coachee"))):
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": f"{mode} session", "mode": mode, "planned_minutes": 30,
        "participants": [{"name": n, "role": r} for n, r in people]})
    assert r.status_code == 201, r.text
    return r.json()["id"], {p["name"]: p["link"] for p in r.json()["participants"]}


def joined(browser, link, viewport):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(link)
    page.get_by_role("button", name="Join").click()
    page.get_by_test_id("call").wait_for()
    return page


def test_a_video_pair_fits_each_video_and_name_in_its_tile(server, launch_browser):
    sid, links = create(server, "video")
    pages = {"Ann": joined(launch_browser(), links["Ann"], DESKTOP), "Bo": joined(launch_browser(), links["Bo"], PHONE)}
    other = {"Ann": "Bo", "Bo": "Ann"}
    for viewports in ({"Ann": DESKTOP, "Bo": PHONE}, {"Ann": PHONE, "Bo": DESKTOP}):
        for name, page in pages.items():
            page.set_viewport_size(viewports[name])
            g = wait_for(lambda page=page, name=name: (lambda g: g if g and g["playing"] else None)(
                page.evaluate(GEOMETRY, other[name])), what=f"{name} sees {other[name]}'s video")
            time.sleep(0.3)  # let the layout settle after a resize
            g = page.evaluate(GEOMETRY, other[name])
            assert g["viewport"] == viewports[name]["width"]
            assert "audio-only" not in g["classes"] and "remote" in g["classes"]
            assert inside(g["video"], g["tile"]), g
            assert inside(g["who"], g["tile"]) and not g["clipped"], g
            assert g["whoText"].startswith(other[name])
            # Large: the other person fills most of the width available to the call.
            assert g["tile"]["w"] >= 0.55 * viewports[name]["width"], g
            assert g["tile"]["x"] + g["tile"]["w"] <= viewports[name]["width"] + 1
            self_g = page.evaluate(GEOMETRY, "self")
            assert self_g["tile"]["w"] * self_g["tile"]["h"] < 0.3 * g["tile"]["w"] * g["tile"]["h"], "self-view small"
            assert inside(self_g["who"], self_g["tile"])
            shot(page, f"call-video-{name.lower()}-{viewports[name]['width']}.png")

    # End asks first: "Keep the session going" leaves it running; only the confirmation ends it.
    coach = pages["Ann"]
    coach.get_by_test_id("end").click()
    dialog = coach.get_by_role("dialog", name="End for everyone?")
    expect(dialog).to_be_visible()
    shot(coach, "call-end-dialog.png")
    coach.get_by_role("button", name="Keep the session going").click()
    expect(dialog).to_be_hidden()
    assert server.store.get_session(sid)["status"] != "ended"
    assert not pages["Bo"].get_by_test_id("end").is_visible()  # the coachee has no End
    coach.get_by_test_id("end").click()
    coach.get_by_role("button", name="End for everyone").click()
    coach.wait_for_url(f"**/sessions/{sid}/review**", timeout=30_000)
    pages["Bo"].wait_for_url(f"**/sessions/{sid}/log**", timeout=30_000)
    assert server.store.get_session(sid)["status"] == "ended"


def test_the_call_page_works_from_the_keyboard(server, browser):
    sid, links = create(server, "audio")
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(links["Ann"])
    page.get_by_test_id("consent").wait_for()
    for _ in range(10):  # Tab to Join and press Enter
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == "join":
            break
    page.keyboard.press("Enter")
    page.get_by_test_id("call").wait_for()
    # Audio only (phone-style): a name card per person, never a video box.
    assert page.get_by_test_id("tiles").get_attribute("data-layout") == "audio"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        g = page.evaluate(GEOMETRY, "Bo")
        assert g["video"] is None and inside(g["who"], g["tile"]) and not g["clipped"], g
        shot(page, f"call-audio-{width}.png")
    page.set_viewport_size(DESKTOP)
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => document.activeElement.dataset.testid || document.activeElement.id"))
        if reached[-1] == "mute":
            page.keyboard.press("Space")
            expect(page.get_by_test_id("mute")).to_have_attribute("aria-pressed", "true")
        if reached[-1] == "end":
            break
    assert {"mute", "pause", "captions-toggle", "end"} <= set(reached), reached
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="End for everyone?")).to_be_visible()
    # The safe choice has the focus; Escape closes the question and gives the focus back.
    assert page.evaluate("() => document.activeElement.dataset.testid") == "end-cancel"
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert page.evaluate("() => document.activeElement.dataset.testid") == "end"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.testid") == "end-confirm"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sessions/{sid}/review**", timeout=30_000)


def test_a_nudge_on_a_phone_is_seen_without_scrolling(server, browser, tmp_path):
    sid, links = create(server, "audio", (("Ana", "coach"), ("Ben", "coachee")))
    coach = joined(browser, links["Ana"], PHONE)
    coachee = joined(browser, links["Ben"], PHONE)
    # The panel is one tap away, not below the fold.
    assert not coach.get_by_test_id("coach-panel").is_visible()
    expect(coach.get_by_test_id("panel-toggle")).to_be_visible()
    assert not coachee.get_by_test_id("panel-toggle").is_visible()
    assert serious_violations(coach) == []
    wait_for(lambda: sid in server.app.state.live.sessions, what="live session")
    live = server.app.state.live.sessions[sid]
    say_venting_live(server, live, tmp_path)
    toast = coach.get_by_test_id("toast")
    expect(toast).to_be_visible(timeout=15_000)
    stored = [e["data"]["nudge"] for e in server.store.events(sid) if e["type"] == "nudge"]
    assert stored and stored[0]["message"] in toast.inner_text()
    assert toast.get_attribute("role") == "status"  # announced by a screen reader
    box = toast.bounding_box()
    assert coach.evaluate("() => window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    shot(coach, "call-nudge-390.png")
    coach.get_by_role("button", name="Open the coach panel").click()
    panel = coach.get_by_test_id("coach-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("nudge").first).to_contain_text(stored[0]["message"])
    expect(panel.get_by_test_id("nudges")).to_have_attribute("aria-live", "polite")
    expect(coach.get_by_test_id("balance-live")).to_have_attribute("aria-live", "polite")
    expect(coach.get_by_test_id("balance-live")).to_contain_text("Talk balance: Ana")
    expect(panel.get_by_test_id("balance-row").first).to_contain_text("last 5 min")  # explained above it
    shot(coach, "call-panel-390.png")
    assert serious_violations(coach) == []
    coach.keyboard.press("Escape")  # the sheet closes and the focus goes back to its button
    expect(panel).to_be_hidden()
    assert coach.evaluate("() => document.activeElement.dataset.testid") == "panel-toggle"
    assert coachee.get_by_test_id("toast").is_hidden() and coachee.get_by_test_id("nudge").count() == 0


def test_a_video_group_is_a_grid_and_interim_captions_give_way_to_the_final_text(server, browser):
    # A group has 4 to 7 people; Ivo is expected but does not join.
    people = (("Fran", "facilitator"), ("Gil", "coachee"), ("Hana", "member"), ("Ivo", "member"))
    sid, links = create(server, "video", people)
    pages = {name: joined(browser, links[name], DESKTOP) for name, _ in people[:3]}
    fran = pages["Fran"]
    assert fran.get_by_test_id("tiles").get_attribute("data-layout") == "group"
    for viewport in (DESKTOP, PHONE):
        fran.set_viewport_size(viewport)
        geo = {}
        for other in ("Gil", "Hana"):
            wait_for(lambda other=other: (fran.evaluate(GEOMETRY, other) or {}).get("playing"),
                     what=f"Fran sees {other}'s video")
            time.sleep(0.3)
            geo[other] = g = fran.evaluate(GEOMETRY, other)
            assert "audio-only" not in g["classes"]
            assert inside(g["video"], g["tile"]) and inside(g["who"], g["tile"]) and not g["clipped"], g
            assert g["tile"]["x"] + g["tile"]["w"] <= viewport["width"] + 1
        side_by_side = abs(geo["Gil"]["tile"]["y"] - geo["Hana"]["tile"]["y"]) < 1
        assert side_by_side == (viewport is DESKTOP), geo  # a grid on a laptop, one under the other on a phone
        shot(fran, f"call-group-{viewport['width']}.png")

    hub = server.app.state.live.hub
    base = {"type": "caption", "id": "u-7", "speaker": "Gil", "role": "coachee", "start": 1.0}
    for message in ({**base, "end": 2.0, "text": "I want to", "final": False},
                    {**base, "end": 3.0, "text": "I want to finish on time", "final": False}):
        server.call_soon(hub.publish, sid, message, Audience.EVERYONE)
    caption = pages["Hana"].locator("[data-caption='u-7']")
    expect(caption).to_have_text("Gil: I want to finish on time")
    assert caption.get_attribute("class") == "interim" and caption.get_attribute("aria-hidden") == "true"
    server.call_soon(hub.publish, sid, {**base, "end": 3.5, "text": "I want to finish on time.", "final": True,
                                        "transcribed": True}, Audience.EVERYONE)
    expect(caption).to_have_text("Gil: I want to finish on time.")
    assert caption.get_attribute("class") is None and caption.get_attribute("aria-hidden") is None
    assert pages["Hana"].locator("[data-caption='u-7']").count() == 1
