"""The owner's first page, in a real headless Chromium against a real server."""

import json

from playwright.sync_api import expect


def test_owner_key_opens_the_session_list(server, browser):
    server.store.create_session(title="Weekly", participants=[{"name": "Ann", "role": "coach"},
                                                              {"name": "Bo", "role": "coachee"}])
    page = browser.new_page()
    page.goto(f"{server.url}/?key={server.key}")
    assert "key=" not in page.url  # the key moved into a cookie, out of the address bar
    page.get_by_test_id("session-list").get_by_text("Weekly").wait_for()
    # Without the key, nothing is shown.
    other = browser.new_context().new_page()
    resp = other.goto(f"{server.url}/")
    assert resp.status == 403
    assert "Weekly" not in other.content()


def test_owner_creates_a_group_session_with_a_facilitator(server, browser):
    page = browser.new_page()
    page.goto(f"{server.url}/?key={server.key}")
    page.get_by_test_id("new-title").fill("Peer group")
    page.get_by_test_id("new-coach").fill("Fran")
    page.get_by_test_id("new-coachee").fill("Gil")
    page.get_by_test_id("new-members").fill("Hana, Ivo , ,Jo")
    page.get_by_test_id("create-session").click()
    page.get_by_test_id("link-member-4").wait_for()
    stored = server.store.list_sessions()[0]
    assert stored["title"] == "Peer group"
    assert [(p["name"], p["role"]) for p in stored["participants"]] == [
        ("Fran", "facilitator"), ("Gil", "member"), ("Hana", "member"), ("Ivo", "member"), ("Jo", "member")]
    links = [page.get_by_test_id(t).input_value() for t in
             ("link-facilitator", "link-member-1", "link-member-2", "link-member-3", "link-member-4")]
    assert len(set(links)) == 5 and all(f"/join/{stored['id']}?token=" in link for link in links)


def test_owner_form_shows_the_servers_error(server, browser):
    page = browser.new_page()
    page.goto(f"{server.url}/?key={server.key}")
    page.get_by_test_id("new-coach").fill("Sam")
    page.get_by_test_id("new-coachee").fill("sam")
    page.get_by_test_id("create-session").click()
    expect(page.get_by_test_id("new-error")).to_contain_text("give each person a different name")
    assert server.store.list_sessions() == []


def test_owner_sets_a_stage_plan(server, browser):
    page = browser.new_page()
    page.goto(f"{server.url}/?key={server.key}")
    page.get_by_test_id("new-minutes").select_option("30")
    page.get_by_test_id("new-coach").fill("Ann")
    page.get_by_test_id("new-coachee").fill("Bo")
    page.get_by_test_id("stage-plan").locator("summary").click()
    page.get_by_test_id("plan-goal").fill("4")
    page.get_by_test_id("plan-reality").fill("8")
    page.get_by_test_id("create-session").click()
    expect(page.get_by_test_id("new-error")).to_contain_text("no minutes for 'options'")  # told, not stored
    assert server.store.list_sessions() == []
    page.get_by_test_id("plan-options").fill("10")
    page.get_by_test_id("plan-will").fill("7.5")
    page.get_by_test_id("create-session").click()
    page.get_by_test_id("link-coach").wait_for()
    stored = server.store.get_session(server.store.list_sessions()[0]["id"])
    assert json.loads(stored["stage_minutes"]) == {"goal": 4, "reality": 8, "options": 10, "will": 7.5}
