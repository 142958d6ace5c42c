"""Creating a group session: 4 to 7 people, refused otherwise with a sentence that says so."""

from __future__ import annotations

import pytest

from tests.support.server import OWNER_KEY

NAMES = ["Fay", "Gil", "Hal", "Ivy", "Jo", "Kit", "Lee", "Max"]


def group(n: int) -> dict:
    people = [{"name": NAMES[0], "role": "facilitator"}] + [{"name": x, "role": "member"} for x in NAMES[1:n]]
    return {"title": "Group", "mode": "audio", "participants": people}


@pytest.mark.parametrize("n", [4, 7])
def test_a_group_of_four_to_seven_is_created(client, n):
    res = client.post("/api/sessions", json=group(n), headers={"Authorization": f"Bearer {OWNER_KEY}"})
    assert res.status_code == 201, res.text
    assert [p["role"] for p in res.json()["participants"]].count("member") == n - 1


@pytest.mark.parametrize("n", [3, 8])
def test_fewer_than_four_or_more_than_seven_is_refused(client, n):
    res = client.post("/api/sessions", json=group(n), headers={"Authorization": f"Bearer {OWNER_KEY}"})
    assert res.status_code == 422
    error = res.json()["error"]
    assert error == ("People: a peer-coaching group has 4 to 7 people, the facilitator "
                     f"included; this one has {n}.")
    assert "4 to 7 people" in res.json()["fields"]["participants"]
    assert "\n" not in error
    assert client.get("/api/sessions", headers={"Authorization": f"Bearer {OWNER_KEY}"}).json() == []


def test_a_pair_is_still_two(client):
    pair = {"title": "Pair", "participants": [{"name": "Maya", "role": "coach"}, {"name": "Sam", "role": "coachee"}]}
    res = client.post("/api/sessions", json=pair, headers={"Authorization": f"Bearer {OWNER_KEY}"})
    assert res.status_code == 201
