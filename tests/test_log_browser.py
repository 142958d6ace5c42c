"""The coachee's log editor in a real headless Chromium against a real server."""

from __future__ import annotations

import re

import pytest

from companion.importers import load_transcript
from companion.logbook import LogBook
from companion.pipeline import finalize_session

pytestmark = pytest.mark.browser


@pytest.fixture
def ended(server, sample_vtt):
    """An ended session between Maya (coach) and Sam (coachee): (id, Sam's token, Maya's token)."""
    s = server.store.create_session(title="Weekly", participants=[{"name": "Maya", "role": "coach"},
                                                                  {"name": "Sam", "role": "coachee"}])
    for i, u in enumerate(load_transcript(sample_vtt)):
        server.store.add_utterance(s["id"], i, u)
    finalize_session(server.store, s["id"])
    tokens = {p["name"]: p["token"] for p in s["participants"]}
    return s["id"], tokens["Sam"], tokens["Maya"]


def open_log(browser, server, sid, token):
    page = browser.new_page()
    page.goto(f"{server.url}/sessions/{sid}/log?token={token}")
    page.get_by_test_id("field-content").wait_for()
    return page


def test_coachee_edits_saves_reloads_and_approves(server, browser, ended):
    sid, sam, _ = ended
    page = open_log(browser, server, sid, sam)
    assert "finish on time" in page.get_by_test_id("field-goal").input_value()
    assert page.get_by_test_id("log-version").inner_text() == "version 1"

    # Each drafted action shows the moment it came from.
    first_action = page.get_by_test_id("list-actions").locator("li").first
    assert first_action.get_by_test_id("action-when").input_value() == "by Friday"
    first_action.get_by_test_id("source").click()
    assert "send the agenda by Friday" in first_action.get_by_test_id("source-quote").inner_text()

    page.get_by_test_id("field-content").fill("Our weekly meeting keeps overrunning; I want it to end on time.")
    page.get_by_test_id("add-action").click()
    page.get_by_test_id("list-actions").locator("li").last.get_by_test_id("action-what").fill("Book a smaller room")
    page.get_by_test_id("save").click()
    page.get_by_test_id("message").filter(has_text="Saved as version 2").wait_for()

    page.reload()
    page.get_by_test_id("field-content").wait_for()
    assert page.get_by_test_id("field-content").input_value() == \
        "Our weekly meeting keeps overrunning; I want it to end on time."
    assert page.get_by_test_id("list-actions").locator("li").last.get_by_test_id("action-what").input_value() \
        == "Book a smaller room"
    assert page.get_by_test_id("log-version").inner_text() == "version 2"
    page.get_by_test_id("versions").get_by_text(re.compile("Version 1: drafted")).wait_for()
    page.get_by_test_id("view-version-1").click()
    page.get_by_test_id("version-view").filter(has_text="team meetings").wait_for()  # the drafted content

    assert page.get_by_test_id("share").is_disabled()
    page.get_by_test_id("approve").click()
    page.get_by_test_id("log-status").filter(has_text="approved").wait_for()
    assert LogBook(server.store).peek(sid, "Sam")["status"] == "approved"
    page.get_by_test_id("share").click()
    page.get_by_test_id("log-status").filter(has_text="shared").wait_for()
    assert LogBook(server.store).peek(sid, "Sam")["status"] == "shared"


def test_failed_and_conflicting_saves_keep_the_text(server, browser, ended):
    sid, sam, _ = ended
    tab_a = open_log(browser, server, sid, sam)
    tab_b = open_log(browser, server, sid, sam)

    tab_a.get_by_test_id("field-evaluation").fill("Written in tab A")
    tab_a.get_by_test_id("save").click()
    tab_a.get_by_test_id("message").filter(has_text="Saved as version 2").wait_for()

    assert not tab_b.get_by_test_id("conflict").is_visible()  # offered only once a conflict happens
    tab_b.get_by_test_id("field-evaluation").fill("Written in tab B")
    tab_b.get_by_test_id("save").click()
    tab_b.get_by_test_id("message").filter(has_text="Not saved").wait_for()
    assert tab_b.get_by_test_id("conflict").is_visible()
    assert "version 2" in tab_b.get_by_test_id("message").inner_text()
    assert tab_b.get_by_test_id("field-evaluation").input_value() == "Written in tab B"
    assert LogBook(server.store).peek(sid, "Sam")["evaluation"] == "Written in tab A"
    tab_b.get_by_test_id("save-mine").click()  # the user chooses to put theirs on top
    tab_b.get_by_test_id("message").filter(has_text="Saved as version 3").wait_for()

    # The server cannot be reached: the text stays in the editor and the user is told.
    tab_a.route("**/api/sessions/*/log", lambda route: route.abort() if route.request.method == "PUT"
                else route.continue_())
    tab_a.get_by_test_id("field-evaluation").fill("Written while offline")
    tab_a.get_by_test_id("save").click()
    tab_a.get_by_test_id("message").filter(has_text="could not be reached").wait_for()
    assert tab_a.get_by_test_id("field-evaluation").input_value() == "Written while offline"


def test_coach_sees_a_locked_page_until_shared(server, browser, ended):
    sid, sam, maya = ended
    page = browser.new_page()
    page.goto(f"{server.url}/sessions/{sid}/log?token={maya}")
    page.get_by_test_id("message").filter(has_text="private").wait_for()
    assert page.get_by_test_id("log-form").is_hidden()
    assert "finish on time" not in page.content()


def share(server, sid):
    book = LogBook(server.store)
    book.approve(sid, "Sam")
    return book.share(sid, "Sam")


def assert_read_only(page):
    """The coach's view is a page to read: no form, no inputs, no edit buttons."""
    page.get_by_test_id("log-view").wait_for()
    assert page.locator("form, input, textarea").count() == 0
    for name in ("Save", "Approve", "Share with my coach", "Remove", "Add a point", "Add an option", "Add an action"):
        assert page.get_by_role("button", name=name).count() == 0, name
    assert page.get_by_test_id("export-md").is_visible() and page.get_by_test_id("print").is_visible()


def test_coach_finds_the_shared_log_from_the_review_in_one_click(server, browser, ended):
    sid, sam, maya = ended
    page = browser.new_page()
    page.goto(f"{server.url}/sessions/{sid}/review?token={maya}")
    page.get_by_test_id("transcript").locator("li").first.wait_for()
    assert page.get_by_test_id("shared-log-link").count() == 0  # nothing shared yet: no link

    share(server, sid)
    page.reload()
    page.get_by_test_id("shared-log-link").click()  # the one click
    assert_read_only(page)
    view = page.get_by_test_id("log-view")
    assert "finish on time" in view.inner_text() and "Ask Priya for her agenda template" in view.inner_text()
    assert page.get_by_test_id("log-lead").inner_text().startswith("Shared with you by Sam")
    md = page.request.get(server.url + page.get_by_test_id("export-md").get_attribute("href"))
    assert md.ok and "## Action plan" in md.text()


def test_an_edit_after_sharing_asks_to_share_again_and_the_coach_keeps_the_shared_version(server, browser, ended):
    sid, sam, maya = ended
    shared = share(server, sid)
    page = open_log(browser, server, sid, sam)
    assert page.get_by_test_id("reshare").is_hidden()
    page.get_by_test_id("field-content").fill("Meetings that end on time, and a team that prepares.")
    page.get_by_test_id("save").click()
    page.get_by_test_id("message").filter(has_text=f"Saved as version {shared['version'] + 1}").wait_for()
    prompt = page.get_by_test_id("reshare")
    prompt.wait_for()
    assert f"still sees version {shared['version']}" in prompt.inner_text()

    coach = browser.new_page()
    coach.goto(f"{server.url}/sessions/{sid}/log?token={maya}")
    assert_read_only(coach)
    assert f"version {shared['version']}" in coach.get_by_test_id("log-version").inner_text()
    assert "a team that prepares" not in coach.content()  # never a version that was not shared

    page.get_by_test_id("reshare-button").click()
    page.get_by_test_id("log-status").filter(has_text="shared").wait_for()
    assert prompt.is_hidden()
    coach.reload()
    coach.get_by_test_id("log-view").filter(has_text="a team that prepares").wait_for()


def test_the_session_list_links_a_shared_log_and_only_then(server, browser, ended):
    sid, _, _ = ended
    page = browser.new_page()
    page.goto(f"{server.url}/?key={server.key}")
    row = page.get_by_test_id("session-list").locator("tr", has=page.get_by_test_id("review-link"))
    row.first.wait_for()
    assert page.get_by_test_id("shared-log-link").count() == 0
    share(server, sid)
    page.reload()
    page.get_by_test_id("shared-log-link").click()
    assert_read_only(page)
    assert "finish on time" in page.get_by_test_id("log-view").inner_text()
