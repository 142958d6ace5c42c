"""What a person reads when the server says no, and the owner's links: recovered and renewed.

Every message here is read by a test because each was once written for a programmer
("invalid request: participants: Value error, ..."); the wording may change, the shape may not:
a sentence naming the field and what to do, with nothing of pydantic in it.
"""

from __future__ import annotations

import pytest

from tests.support.server import OWNER_KEY

OWNER = {"Authorization": f"Bearer {OWNER_KEY}"}
PAIR = [{"name": "Ann", "role": "coach"}, {"name": "Bo", "role": "coachee"}]


def create(client, **body):
    return client.post("/api/sessions", headers=OWNER, json={"title": "Weekly", "planned_minutes": 30,
                                                             "participants": PAIR, **body})


@pytest.mark.parametrize("body, field, words", [
    ({"participants": [{"name": "Sam", "role": "coach"}, {"name": "sam", "role": "coachee"}]},
     "participants", "two people are called sam; give each person a different name"),
    ({"participants": [{"name": "Sam", "role": "coachee"}, {"name": "Kim", "role": "coachee"}]},
     "participants", "name a coach"),
    ({"stage_minutes": {"goal": 12, "reality": 10, "options": 10, "will": 10}},
     "stage_minutes",
     "the stages add up to 42 minutes, more than the 30 planned; shorten a stage or choose a longer session"),
    ({"stage_minutes": {"goal": 4, "reality": 8}}, "stage_minutes", "give every stage its minutes"),
    ({"title": "x" * 201}, "title", "longer than 200 characters"),
    ({"participants": [{"name": " ", "role": "coach"}, {"name": "Bo", "role": "coachee"}]},
     "participants.0.name", "a name is empty"),
])
def test_validation_errors_are_sentences_per_field(client, store, body, field, words):
    r = create(client, **body)
    assert r.status_code == 422
    out = r.json()
    assert words in out["fields"][field], out
    assert words in out["error"]
    for programmer_words in ("Value error", "invalid request", "String should", "body."):
        assert programmer_words not in out["error"], out["error"]
    assert "\n" not in out["error"] and out["error"][0].isupper()
    assert store.list_sessions() == []


def test_an_unfinished_session_says_when_its_review_and_log_come(client, store):
    s = store.create_session(title="Live", participants=PAIR)
    coachee = next(p["token"] for p in s["participants"] if p["role"] == "coachee")
    r = client.get(f"/api/sessions/{s['id']}/report", headers=OWNER)
    assert r.status_code == 404
    assert r.json()["error"] == "this session is still going on: its review is ready once the coach ends it"
    r = client.get(f"/api/sessions/{s['id']}/log", headers={"Authorization": f"Bearer {coachee}"})
    assert r.status_code == 404
    assert s["id"] not in r.json()["error"] and "drafted as soon as the coach ends it" in r.json()["error"]


def test_the_owner_recovers_links_and_renews_one(client, store):
    sid = create(client).json()["id"]
    r = client.get(f"/api/sessions/{sid}/links", headers=OWNER)
    assert r.status_code == 200
    people = {p["name"]: p for p in r.json()["participants"]}
    assert set(people) == {"Ann", "Bo"} and all(f"/join/{sid}?token=" in p["link"] for p in people.values())
    old = people["Bo"]["link"].split("token=")[1]
    assert client.get(f"/api/sessions/{sid}", headers={"Authorization": f"Bearer {old}"}).status_code == 200

    r = client.post(f"/api/sessions/{sid}/links/renew", headers=OWNER, json={"name": "Bo"})
    assert r.status_code == 200
    new = r.json()["link"].split("token=")[1]
    assert new != old
    assert client.get(f"/api/sessions/{sid}", headers={"Authorization": f"Bearer {old}"}).status_code == 403
    assert client.get(f"/api/sessions/{sid}", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    # Ann's link is untouched, and the list shows Bo's new one.
    listed = client.get(f"/api/sessions/{sid}/links", headers=OWNER).json()["participants"]
    again = {p["name"]: p["link"] for p in listed}
    assert again["Ann"] == people["Ann"]["link"] and again["Bo"].endswith(new)


def test_links_are_the_owners_and_only_for_open_sessions(client, store):
    sid = create(client).json()["id"]
    token = store.participants(sid)[0]["token"]
    assert client.get(f"/api/sessions/{sid}/links", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.post(f"/api/sessions/{sid}/links/renew", json={"name": "Bo"}).status_code == 403
    r = client.post(f"/api/sessions/{sid}/links/renew", headers=OWNER, json={"name": "Nobody"})
    assert r.status_code == 404 and r.json()["error"] == "nobody called Nobody is in this session"
    store.update_session(sid, status="ended")
    r = client.get(f"/api/sessions/{sid}/links", headers=OWNER)
    assert r.status_code == 409 and "has ended" in r.json()["error"]
