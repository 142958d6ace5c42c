"""The review and trends pages in a real headless Chromium against a real server and store.

Figures are checked against the stored report (not fixed numbers), a flag is
clicked and must land on its transcript moment, and screenshots at a laptop
and a phone width are kept in artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.review_fixtures import store_untranscribed_session, store_venting_session

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


def pct(x: float) -> str:
    return f"{round(x * 100)}%"


def owner_page(server, browser, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{server.url}/?key={server.key}")
    return page


def open_review(page, url):
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_owner_review_shows_report_figures_and_flag_jumps_to_transcript(
        server, browser, tmp_path, settings):
    sid, report = store_venting_session(server.store, tmp_path, settings)
    assert report["flags"], "the venting transcript must raise a flag for this test to mean anything"
    page = owner_page(server, browser)
    open_review(page, f"{server.url}/sessions/{sid}/review")

    coach = next(p for p in report["participants"] if p["role"] == "coach")
    coachee = next(p for p in report["participants"] if p["role"] == "coachee")
    assert page.get_by_test_id("coach-share").inner_text() == pct(coach["talk_share"])
    assert page.get_by_test_id("coachee-share").inner_text() == pct(coachee["talk_share"])
    assert report["talk_norm"]["name"] in page.get_by_test_id("norm").inner_text()
    verdict = page.get_by_test_id("norm-verdict")
    assert verdict.get_attribute("data-within") == str(report["talk_norm"]["within"]).lower()
    for stage, share in report["coach_skills"]["talk_share_by_stage"].items():
        if share is not None:
            assert f"Coach {pct(share)}" in page.get_by_test_id(f"stage-balance-{stage}").text_content()
    skills = report["coach_skills"]
    for key in ("open_questions", "closed_questions", "reflections", "advice", "interruptions"):
        assert page.get_by_test_id(f"skill-{key}").locator(".skill-value").inner_text() == str(skills[key])
    for s in report["stages"]:
        page.get_by_test_id(f"stage-span-{s['stage']}").wait_for(state="attached")
    for s in report["plan"]["stages"]:
        page.get_by_test_id(f"plan-{s['stage']}").wait_for(state="attached")

    # Every utterance is in the transcript, marked with its stage.
    utterances = page.get_by_test_id("transcript").locator("li")
    assert utterances.count() == len(report["utterances"])
    u0 = report["utterances"][0]
    assert u0["text"] in page.get_by_test_id("utterance-0").inner_text()

    shot(page, "review-1280.png")

    # The flag, clicked, scrolls its moment into view and highlights it.
    flag = report["flags"][0]
    target = next(u for u in report["utterances"] if u["start"] <= flag["start"] < u["end"]
                  or u["start"] >= flag["start"])
    item = page.get_by_test_id("flag-item").first
    assert flag["message"] in item.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    item.click()
    moment = page.get_by_test_id(f"utterance-{target['index']}")
    page.wait_for_function("i => document.getElementById('u-' + i).classList.contains('highlight')",
                           arg=target["index"])
    box = moment.bounding_box()
    viewport = page.viewport_size
    assert box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= viewport["height"]
    assert page.url.endswith(f"#u-{target['index']}")

    # Search narrows the transcript to matching utterances.
    page.get_by_test_id("transcript-search").fill("parking list")
    visible = page.locator("[data-testid=transcript] li:visible")
    assert visible.count() == sum("parking list" in u["text"].lower() for u in report["utterances"]) == 1
    assert page.locator("[data-testid=transcript] mark").first.inner_text().lower() == "parking list"
    page.get_by_test_id("transcript-search").fill("")

    # A phone-width screenshot of the same page.
    phone = owner_page(server, browser, width=390, height=844)
    open_review(phone, f"{server.url}/sessions/{sid}/review")
    assert phone.get_by_test_id("coach-share").inner_text() == pct(coach["talk_share"])
    no_sideways = phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert no_sideways, "the review must not scroll sideways on a phone"
    shot(phone, "review-390.png")
    phone.emulate_media(media="print")
    shot(phone, "review-print-390.png")


def test_review_without_transcript_shows_audio_figures_and_says_what_is_missing(server, browser):
    sid, report = store_untranscribed_session(server.store)
    page = owner_page(server, browser)
    open_review(page, f"{server.url}/sessions/{sid}/review")
    coach = next(p for p in report["participants"] if p["role"] == "coach")
    assert page.get_by_test_id("coach-share").inner_text() == pct(coach["talk_share"])
    missing = page.get_by_test_id("missing-transcript").inner_text()
    assert missing == report["transcript"]["note"].replace("`", "")
    # The command that installs a model is named once, in the speech part's note among the session's notes.
    assert "session's notes say how to install" in missing and "models download" not in missing
    assert "Run companion models download base.en to get it" in page.locator("#notes").inner_text()
    assert page.locator("#notes code", has_text="companion models download base.en").count() == 1
    assert "needs a transcript" in page.get_by_test_id("skill-open_questions").inner_text()
    assert page.get_by_test_id("skill-interruptions").locator(".skill-value").inner_text() == \
        str(report["coach_skills"]["interruptions"])
    assert "not transcribed" in page.get_by_test_id("utterance-0").inner_text()
    shot(page, "review-no-transcript-1280.png")


def test_coachee_token_sees_talk_balance_only(server, browser, tmp_path, settings):
    sid, report = store_venting_session(server.store, tmp_path, settings)
    tokens = {p["role"]: p["token"] for p in server.store.participants(sid)}
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    open_review(page, f"{server.url}/sessions/{sid}/review?token={tokens['coachee']}")
    coachee = next(p for p in report["participants"] if p["role"] == "coachee")
    assert page.get_by_test_id("coachee-share").inner_text() == pct(coachee["talk_share"])
    assert page.locator("#skills").is_hidden()
    assert page.locator("#flags").is_hidden()
    assert page.locator("#transcript-section").is_hidden()
    assert report["flags"][0]["message"] not in page.content()
    assert report["utterances"][1]["text"] not in page.content()
    # The coach's token sees the whole review.
    coach_page = browser.new_context().new_page()
    open_review(coach_page, f"{server.url}/sessions/{sid}/review?token={tokens['coach']}")
    assert coach_page.get_by_test_id("flag-item").count() == len(report["flags"])
    # No credential: 403 and nothing of the session.
    stranger = browser.new_context().new_page()
    resp = stranger.goto(f"{server.url}/sessions/{sid}/review")
    assert resp.status == 403


def test_trends_page_shows_each_sessions_figures(server, browser, tmp_path, settings):
    ids = [store_venting_session(server.store, tmp_path, settings)[0], store_untranscribed_session(server.store)[0]]
    page = owner_page(server, browser)
    page.goto(f"{server.url}/")
    page.get_by_test_id("trends-link").click()
    page.wait_for_selector("body[data-ready='true']")
    assert page.url.endswith("/trends")
    for sid in ids:
        report = server.store.report(sid)
        coach = next(p["name"] for p in report["participants"] if p["role"] == "coach")
        section = page.locator(f"[data-testid=coach-trends][data-coach='{coach}']")
        assert pct(report["coach_skills"]["talk_share"]) in section.get_by_test_id("trend-table").inner_text()
    shot(page, "trends-1280.png")
    phone = owner_page(server, browser, width=390, height=844)
    phone.goto(f"{server.url}/trends")
    phone.wait_for_selector("body[data-ready='true']")
    shot(phone, "trends-390.png")
