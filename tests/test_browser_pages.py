"""Every page in every role, at 1280 and 390 px, in a real headless Chromium against a real server.

axe-core finds no serious or critical violation on any of them; each page leaves a screenshot in
artifacts/screenshots/. Then the words people read: the owner recovers and renews links from the
list, the form says per field what is wrong, a coach opening an unshared log reads words meant for
a coach, a denied microphone on this machine is not blamed on https, the consent page without a
speech model says what happens to the voice, and a coachee's review does not judge their coach.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from companion.asr import speech_model
from tests.support.a11y import serious_violations, shot
from tests.support.review_fixtures import store_venting_session

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


def check(page, name: str) -> None:
    """No serious or critical axe violation on this page at either width; a screenshot at each."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
        page.wait_for_timeout(200)  # charts redraw on resize
        assert serious_violations(page) == [], f"{name} at {width} px"
        shot(page, f"{name}-{width}.png")


def owner(server, browser):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server.url}/?key={server.key}")
    return page


def test_every_page_in_every_role_is_accessible(server, browser, tmp_path, settings):
    store = server.store
    ended, _ = store_venting_session(store, tmp_path, settings)
    tokens = {p["role"]: p["token"] for p in store.participants(ended)}
    scheduled = store.create_session(title="Next week", participants=[{"name": "Ana", "role": "coach"},
                                                                        {"name": "Ben", "role": "coachee"}])
    links = {p["role"]: f"{server.url}/join/{scheduled['id']}?token={p['token']}" for p in scheduled["participants"]}

    page = owner(server, browser)
    page.get_by_test_id("session-list").get_by_text("Next week").wait_for()
    page.get_by_role("button", name="Links for Next week").click()
    page.get_by_test_id("list-link").first.wait_for()
    check(page, "owner-sessions")
    page.goto(f"{server.url}/trends")
    page.wait_for_selector("body[data-ready='true']")
    check(page, "owner-trends")
    page.goto(f"{server.url}/sessions/{ended}/review")
    page.wait_for_selector("body[data-ready='true']")
    check(page, "review-owner")
    # Figures that need a word of explanation have one.
    expect(page.get_by_test_id("skill-replies")).to_contain_text("times the coach spoke after the coachee finished")

    for role in ("coach", "coachee"):
        p = browser.new_context().new_page()
        p.goto(f"{server.url}/sessions/{ended}/review?token={tokens[role]}")
        p.wait_for_selector("body[data-ready='true']")
        check(p, f"review-{role}")
        p.goto(f"{server.url}/sessions/{ended}/log?token={tokens[role]}")
        expect(p.get_by_test_id("message") if role == "coach" else p.get_by_test_id("log-form")).to_be_visible()
        check(p, f"log-{role}")
        p.goto(links[role])
        p.get_by_test_id("consent").wait_for()
        check(p, f"consent-{role}")
        p.get_by_role("button", name="Join").click()
        p.get_by_test_id("call").wait_for()
        check(p, f"call-video-{role}")
        if role == "coachee":
            p.goto(f"{server.url}/sessions/{ended}/log/print?token={tokens[role]}")
            check(p, "log-print-coachee")
    denied = browser.new_context().new_page()
    denied.goto(f"{server.url}/join/{scheduled['id']}?token=wrong")
    denied.get_by_test_id("denied").wait_for()
    check(denied, "join-denied")
    assert denied.goto(f"{server.url}/").status == 403  # no owner key: what to open instead
    expect(denied.locator("main")).to_contain_text("open the personal link the coach sent you")
    check(denied, "home-without-key")


def test_empty_list_form_errors_per_field_and_links_recovered_and_renewed(server, browser):
    page = owner(server, browser)
    expect(page.get_by_test_id("sessions-empty")).to_be_visible()
    expect(page.get_by_test_id("sessions-empty")).to_contain_text("No sessions yet")

    # Errors stand under the field they are about, in words for a person.
    page.get_by_test_id("new-coach").fill("Sam")
    page.get_by_test_id("new-coachee").fill("sam")
    page.get_by_test_id("create-session").click()
    expect(page.get_by_test_id("error-participants")).to_have_text(
        "Two people are called sam; give each person a different name.")
    assert "Value error" not in page.get_by_test_id("new-error").inner_text()
    page.get_by_test_id("new-coachee").fill("Kim")
    page.get_by_test_id("new-minutes").select_option("30")
    page.get_by_test_id("stage-plan").locator("summary").click()
    for stage, minutes in (("goal", "12"), ("reality", "10"), ("options", "10"), ("will", "10")):
        page.get_by_test_id(f"plan-{stage}").fill(minutes)
    page.get_by_test_id("create-session").click()
    expect(page.get_by_test_id("error-stage_minutes")).to_have_text(
        "The stages add up to 42 minutes, more than the 30 planned; shorten a stage or choose a longer session.")
    assert server.store.list_sessions() == []
    page.get_by_test_id("plan-goal").fill("")
    page.get_by_test_id("plan-reality").fill("")
    page.get_by_test_id("plan-options").fill("")
    page.get_by_test_id("plan-will").fill("")
    page.get_by_test_id("new-title").fill("Weekly")
    page.get_by_test_id("create-session").click()
    first_link = page.get_by_test_id("link-coachee").input_value()

    # Later (a reload), the owner finds the links again in the list, copies one and renews one.
    page.reload()
    page.get_by_role("button", name="Links for Weekly").click()
    rows = page.get_by_test_id("list-link")
    expect(rows).to_have_count(2)
    kim = page.locator("[data-testid='list-link'][data-name='Kim']")
    assert kim.locator("input").input_value() == first_link
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    kim.get_by_role("button", name="Copy Kim's link").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == first_link
    page.once("dialog", lambda d: d.accept())
    kim.get_by_role("button", name="New link").click()
    expect(page.get_by_test_id("links-status")).to_contain_text("Kim has a new link")
    renewed = kim.locator("input").input_value()
    assert renewed != first_link
    stranger = browser.new_context().new_page()
    stranger.goto(first_link)
    expect(stranger.get_by_test_id("denied")).to_be_visible()
    stranger.goto(renewed)
    expect(stranger.get_by_role("button", name="Join")).to_be_visible()


def test_words_for_the_person_reading_them(server, browser, tmp_path, settings):
    store = server.store
    ended, report = store_venting_session(store, tmp_path, settings)
    tokens = {p["role"]: p["token"] for p in store.participants(ended)}
    live = store.create_session(title="Now", participants=[{"name": "Ana", "role": "coach"},
                                                           {"name": "Ben", "role": "coachee"}])
    live_tokens = {p["role"]: p["token"] for p in live["participants"]}

    # The coach opening the coachee's unshared log: words for the coach, none meant for the coachee.
    coach = browser.new_context().new_page()
    coach.goto(f"{server.url}/sessions/{ended}/log?token={tokens['coach']}")
    expect(coach.get_by_test_id("message")).to_contain_text("belongs to the coachee")
    assert not coach.get_by_test_id("log-lead").is_visible()
    assert "Only you can share it" not in coach.locator("main").inner_text()

    # The coachee's review shows the balance without the norm's verdict on their coach.
    coachee = browser.new_context().new_page()
    coachee.goto(f"{server.url}/sessions/{ended}/review?token={tokens['coachee']}")
    coachee.wait_for_selector("body[data-ready='true']")
    assert coachee.get_by_test_id("norm-verdict").inner_text() == ""
    text = coachee.locator("main").inner_text()
    assert "Above the norm" not in text and "above the norm" not in text
    assert coachee.get_by_test_id("above-norm").count() == 0

    # A review or log asked for before the end says when it will be there.
    early = browser.new_context().new_page()
    early.goto(f"{server.url}/sessions/{live['id']}/review?token={live_tokens['coach']}")
    expect(early.get_by_test_id("status")).to_contain_text("still going on")
    early.goto(f"{server.url}/sessions/{live['id']}/log?token={live_tokens['coachee']}")
    expect(early.get_by_test_id("message")).to_contain_text("drafted as soon as the coach ends it")
    assert live["id"] not in early.get_by_test_id("message").inner_text()

    # The consent page says what happens to the voice, whatever the model state (here the bundled
    # tiny.en when it is installed, else none), with no folder or command for the coachee and
    # nothing worded as if the session were over.
    consent = browser.new_context().new_page()
    consent.goto(f"{server.url}/join/{live['id']}?token={live_tokens['coachee']}")
    consent.get_by_test_id("consent").wait_for()
    voice = consent.get_by_test_id("voice-text").inner_text()
    model = speech_model(settings)
    assert ("turned into text on that computer" if model.path else "not turned into text") in voice, voice
    words = consent.get_by_test_id("consent").inner_text()
    for leak in ("models download", str(settings.models_dir), "nothing was transcribed", "/"):
        assert leak not in words, leak
    assert consent.get_by_test_id("transcription-note").is_hidden()

    # A refused microphone on this machine (http://127.0.0.1 is a secure context) is not blamed on https.
    mic = browser.new_context()
    mic.add_init_script("""navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));""")
    p = mic.new_page()
    p.goto(f"{server.url}/join/{live['id']}?token={live_tokens['coach']}")
    p.get_by_role("button", name="Join").click()
    error = p.get_by_test_id("join-error")
    expect(error).to_contain_text("did not allow the microphone")
    assert "https" not in error.inner_text()
    if model.path is None:  # the coach (not the coachee) is told there is no speech model
        expect(p.get_by_test_id("transcription-note")).to_contain_text("No speech model is installed")
    else:
        assert p.get_by_test_id("transcription-note").is_hidden()


def test_a_short_last_minute_is_not_judged(server, browser, tmp_path, settings):
    sid, report = store_venting_session(server.store, tmp_path, settings)
    last = report["talk_timeline"][-1]["minute"]
    report["session"]["duration_s"] = last * 60 + 5  # the session ended 5 s into its last minute
    server.store.save_report(sid, report)
    page = owner(server, browser)
    page.goto(f"{server.url}/sessions/{sid}/review")
    page.wait_for_selector("body[data-ready='true']")
    minute = page.get_by_test_id(f"timeline-minute-{last}")
    assert minute.get_attribute("data-partial") == "true"
    assert "coach" not in (minute.text_content() or "").lower()
    assert "too short to judge" in page.locator("#timeline-table").text_content()
    assert page.get_by_test_id(f"timeline-minute-{last - 1}").get_attribute("data-partial") is None


def focus_by_tab(page, testid: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.testid") == testid:
            return
    raise AssertionError(f"Tab never reached {testid}")


def test_the_log_editor_from_the_keyboard_on_a_phone(server, browser, tmp_path, settings):
    sid, _ = store_venting_session(server.store, tmp_path, settings)
    token = next(p["token"] for p in server.store.participants(sid) if p["role"] == "coachee")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{server.url}/sessions/{sid}/log?token={token}")
    page.get_by_test_id("log-form").wait_for()
    focus_by_tab(page, "add-action")
    page.keyboard.press("Enter")
    page.keyboard.type("Ask Sam to keep time")
    page.keyboard.press("Tab")
    page.keyboard.type("before next Thursday's meeting")
    page.keyboard.press("Tab")
    page.keyboard.type("Sam")
    # "By when" shows all of what was typed: the field is not cut off on a phone.
    when = page.get_by_test_id("action-when").last
    assert when.input_value() == "before next Thursday's meeting"
    assert when.evaluate("(e) => e.scrollWidth <= e.clientWidth + 1"), "the By when field cuts its text off"
    assert when.bounding_box()["width"] >= 300
    focus_by_tab(page, "save")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("message")).to_contain_text("Saved as version 2")
    shot(page, "log-keyboard-390.png")
    saved = page.evaluate("""async (t) => (await (await fetch(location.pathname.replace('/sessions/', '/api/sessions/'),
        {headers: {Authorization: `Bearer ${t}`}})).json())""", token)
    assert {"what": "Ask Sam to keep time", "when": "before next Thursday's meeting", "who": "Sam"}.items() <= \
        saved["actions"][-1].items()
