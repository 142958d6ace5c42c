"""The owner's first page, in a real headless Chromium against a real server."""




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
