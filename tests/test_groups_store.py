"""A group as a lasting thing: sessions by number, who facilitates each, previous actions (store and API)."""

from __future__ import annotations

import json

import pytest

from companion.errors import InputError
from companion.store.groups import Groups
from tests.support.server import OWNER_KEY

OWNER = {"Authorization": f"Bearer {OWNER_KEY}"}
MEMBERS = ["Gil", "Hal", "Ivy", "Jo"]


def test_the_facilitator_runs_three_sessions_then_the_review_choice_then_rotation(store):
    groups = Groups(store.db)
    g = groups.create("Preceptors", MEMBERS, facilitator="Fay")
    rows = []
    for n in range(1, 7):
        s = store.create_session(title=f"s{n}", participants=groups.participants_for(g["id"], n))
        rows.append(groups.add_session(g["id"], s["id"]))
        if n == 3:
            groups.set_next_facilitator(g["id"], 3, "Ivy")
    assert [r["number"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r["facilitator"] for r in rows] == ["Fay", "Fay", "Fay", "Ivy", "Jo", "Gil"]
    # The chosen member facilitates and brings no issue that session; everyone else is a member.
    people = store.get_session(rows[3]["session_id"])["participants"]
    assert [(p["name"], p["role"]) for p in people] == [("Ivy", "facilitator"), ("Gil", "member"),
                                                        ("Hal", "member"), ("Jo", "member")]


def test_a_self_facilitated_group_rotates_from_the_first_session(store):
    groups = Groups(store.db)
    g = groups.create("OTs", MEMBERS)
    assert [groups.facilitator_for(g["id"], 1)] == ["Gil"]


@pytest.mark.parametrize("members, facilitator, message", [
    (["Gil", "Hal"], "Fay", "4 to 7 people, the facilitator included; this one has 3"),
    ([f"M{i}" for i in range(7)], "Fay", "this one has 8"),
    (["Gil", "Hal", "gil", "Jo"], None, "different name"),
])
def test_a_group_of_the_wrong_size_is_refused(store, members, facilitator, message):
    with pytest.raises(InputError, match=message):
        Groups(store.db).create("G", members, facilitator=facilitator)
    assert Groups(store.db).all() == []


def test_only_a_member_can_be_chosen_to_facilitate(store):
    groups = Groups(store.db)
    g = groups.create("G", MEMBERS, facilitator="Fay")
    s = store.create_session(title="s1", participants=groups.participants_for(g["id"], 1))
    groups.add_session(g["id"], s["id"])
    with pytest.raises(InputError, match="'Zed' is not a member"):
        groups.set_next_facilitator(g["id"], 1, "Zed")


def test_deleting_a_session_removes_it_from_its_group(store):
    groups = Groups(store.db)
    g = groups.create("G", MEMBERS, facilitator="Fay")
    s = store.create_session(title="s1", participants=groups.participants_for(g["id"], 1))
    groups.add_session(g["id"], s["id"])
    assert store.delete_session(s["id"])
    assert groups.sessions(g["id"]) == []


def _report_with_turns(actions: dict[str, list[str]]) -> dict:
    return {"session": {"duration_s": 60.0}, "participants": [], "utterances": [], "flags": [],
            "turns": [{"member": m, "start": 0, "end": 1, "planned_s": 600, "goal": None,
                       "actions": [{"what": w, "when": None, "who": m} for w in ws]} for m, ws in actions.items()]}


def test_the_fourth_session_shows_who_facilitates_and_each_members_previous_actions(client, store):
    res = client.post("/api/groups", headers=OWNER, json={"name": "Preceptors", "facilitator": "Fay",
                                                           "members": MEMBERS})
    assert res.status_code == 201, res.text
    gid = res.json()["id"]
    assert res.json()["next"] == {"number": 1, "facilitator": "Fay"}
    sids = []
    for n in (1, 2, 3):
        res = client.post(f"/api/groups/{gid}/sessions", headers=OWNER, json={})
        assert res.status_code == 201 and res.json()["number"] == n and res.json()["facilitator"] == "Fay"
        sids.append(res.json()["id"])
    store.save_report(sids[2], _report_with_turns({"Gil": ["Ask Dawn on Thursday"], "Hal": ["Book the study day"]}))
    # Hal's own log, as Hal edited and shared it, wins over the draft from his turn; Gil's log is
    # not shared, so its actions stay private and his turn's draft is shown.
    for who, version, what, shared in (("Hal", 1, "Book the study day by Friday", "2026-01-01T00:00:00+00:00"),
                                       ("Gil", 1, "A private plan", None)):
        store.db["logs"].insert({"session_id": sids[2], "participant": who, "version": version, "status": "draft",
                                 "data": json.dumps({"actions": [{"what": what}]}), "author": who,
                                 "event": "save", "created_at": "2026-01-01T00:00:00+00:00", "shared_at": shared})
    # The review after the third: the facilitator (not a member) records who facilitates next.
    fay = next(p["token"] for p in store.participants(sids[2]) if p["name"] == "Fay")
    place = {n: client.get(f"/api/sessions/{sids[n - 1]}/group", headers={"Authorization": f"Bearer {tok}"}).json()
             for n, tok in ((1, next(p["token"] for p in store.participants(sids[0]) if p["name"] == "Fay")),
                            (3, fay))}
    # The first three are Fay's: nothing to choose at the first review; the third's chooses the fourth's.
    assert (place[1]["next_facilitator"], place[1]["choose_next"]) == ("Fay", False)
    assert place[3]["choose_next"] is True and place[3]["next_facilitator"] in MEMBERS
    gil = next(p["token"] for p in store.participants(sids[2]) if p["name"] == "Gil")
    url = f"/api/groups/{gid}/sessions/3/next-facilitator"
    assert client.put(url, json={"name": "Jo"}, headers={"Authorization": f"Bearer {gil}"}).status_code == 403
    res = client.put(url, json={"name": "Jo"}, headers={"Authorization": f"Bearer {fay}"})
    assert res.status_code == 200 and res.json()["next_facilitator"] == "Jo"

    fourth = client.post(f"/api/groups/{gid}/sessions", headers=OWNER, json={"mode": "audio"})
    assert fourth.status_code == 201
    body = fourth.json()
    assert body["number"] == 4 and body["facilitator"] == "Jo"
    assert [(p["name"], p["role"]) for p in body["participants"]][0] == ("Jo", "facilitator")
    assert body["previous_actions"] == {"Gil": [{"what": "Ask Dawn on Thursday", "when": None, "who": "Gil"}],
                                        "Hal": [{"what": "Book the study day by Friday"}]}
    # Everyone in the fourth session sees where it stands in the group, and the report-back list.
    ivy = next(p["token"] for p in body["participants"] if p["name"] == "Ivy")
    res = client.get(f"/api/sessions/{body['id']}/group", headers={"Authorization": f"Bearer {ivy}"})
    assert res.status_code == 200
    assert {k: res.json()[k] for k in ("name", "number", "facilitator")} == {"name": "Preceptors", "number": 4,
                                                                            "facilitator": "Jo"}
    assert res.json()["previous_actions"] == body["previous_actions"]
    assert client.get(f"/api/sessions/{sids[0]}/group").status_code == 403
    history = client.get(f"/api/groups/{gid}", headers=OWNER).json()
    assert [(s["number"], s["facilitator"]) for s in history["sessions"]] == [(1, "Fay"), (2, "Fay"), (3, "Fay"),
                                                                             (4, "Jo")]
    assert history["sessions"][2]["next_facilitator"] == "Jo"
    # Once the fourth exists, the third's review names who facilitated it and offers no choice.
    third = client.get(f"/api/sessions/{sids[2]}/group", headers={"Authorization": f"Bearer {fay}"}).json()
    assert (third["next_facilitator"], third["choose_next"]) == ("Jo", False)


def test_group_api_refuses_strangers_and_bad_groups(client):
    assert client.get("/api/groups").status_code == 403
    res = client.post("/api/groups", headers=OWNER, json={"name": "G", "members": ["Gil", "Hal"],
                                                          "facilitator": "Fay"})
    assert res.status_code == 400
    assert res.json()["error"] == "a peer-coaching group has 4 to 7 people, the facilitator included; this one has 3"
    assert client.get("/api/groups/nope", headers=OWNER).status_code == 404
