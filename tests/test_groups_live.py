"""Live turns without a network: the facilitator starts and ends turns; who sees what; the report after."""

from __future__ import annotations

import pytest

from companion.model import Audience, Utterance
from companion.pipeline import LiveSession, finalize_session
from companion.server.groups import set_turn
from tests.support.server import OWNER_KEY

PEOPLE = [("Fay", "facilitator"), ("Gil", "member"), ("Hal", "member"), ("Ivy", "member")]


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def new_group(store) -> str:
    return store.create_session(title="Group", planned_minutes=60, mode="audio",
                                participants=[{"name": n, "role": r} for n, r in PEOPLE])["id"]


def say(live, clock, who, seconds, text):
    start = live.now()
    clock.t += seconds
    live.add_utterance(Utterance(who, start, start + seconds - 0.5, text))


def test_a_turn_from_the_panel_is_shown_to_all_and_analysed_for_the_facilitator_only(store):
    sid = new_group(store)
    sent: list[tuple[dict, Audience]] = []
    clock = Clock()
    live = LiveSession(store, sid, clock=clock, publish=lambda m, a: sent.append((m, a)))
    live.start()
    say(live, clock, "Fay", 5, "Welcome. Gil, do you want to go first?")
    started = set_turn(live, "Gil", planned_minutes=4)
    assert started == {"type": "turn", "t": 5.0, "member": "Gil", "start": 5.0, "planned_s": 240.0, "next": "Hal"}
    assert (started, Audience.EVERYONE) in sent
    say(live, clock, "Gil", 30, "So my issue is the handover, it always runs late and I stay an hour after.")
    say(live, clock, "Hal", 60, "That happened to me on my last ward and what I did was go straight to the "
        "manager and tell her that it was not on, and then we changed the whole rota around it.")
    say(live, clock, "Ivy", 2, "Mm.")
    say(live, clock, "Gil", 20, "I want to leave within fifteen minutes of handover on most shifts.")
    clock.t += 60  # 3 min into a 4 min turn
    live.tick()
    status = [m for m, a in sent if m["type"] == "turn_status"]
    assert status and all(a == Audience.COACH for m, a in sent if m["type"] in ("turn_status", "nudge"))
    last = status[-1]
    assert last["member"] == "Gil" and last["next"] == "Hal"
    assert last["talk"]["member_s"] == pytest.approx(49.0) and last["talk"]["others_s"] == pytest.approx(61.0)
    assert last["not_spoken"] == ["Ivy"] and last["dominant"] == "Hal"
    assert last["left_s"] == pytest.approx(240 - (177 - 5), abs=0.5)
    nudges = {(m["nudge"]["kind"], m["nudge"]["who"]) for m, _ in sent if m["type"] == "nudge"}
    assert {("turn_ending", "Gil"), ("dominant_member", "Hal"), ("silent_member", "Ivy")} <= nudges
    live.tick()
    assert len([m for m, _ in sent if m["type"] == "nudge" and m["nudge"]["kind"] == "turn_ending"]) == 1

    set_turn(live, None)  # the facilitator ends the turn
    say(live, clock, "Fay", 5, "Thank you, Gil. Let's take a break.")
    again = LiveSession(store, sid, clock=clock)  # a restart keeps the turns given so far
    assert [(t["member"], t["end"]) for t in again.analyzer.ctx.plan.turns] == [("Gil", 177.0)]
    store.update_session(sid, status="ended")
    report = finalize_session(store, sid)
    assert [(t["member"], t["start"], t["planned_s"]) for t in report["turns"]] == [("Gil", 5.0, 240.0)]
    assert [u["turn_of"] for u in report["utterances"]] == [None, "Gil", "Gil", "Gil", "Gil", None]
    assert any(f["kind"] == "dominant_member" and f["who"] == "Hal" for f in report["flags"])


def test_only_the_facilitator_or_owner_starts_turns_and_only_for_members(client, store):
    sid = new_group(store)
    tokens = {p["name"]: p["token"] for p in store.participants(sid)}
    url = f"/api/sessions/{sid}/turn"
    res = client.post(url, json={"member": "Gil"}, headers={"Authorization": f"Bearer {tokens['Hal']}"})
    assert res.status_code == 403
    res = client.post(url, json={"member": "Fay"}, headers={"Authorization": f"Bearer {tokens['Fay']}"})
    assert res.status_code == 400 and "'Fay' is not a member of this session" in res.json()["error"]
    res = client.post(url, json={"member": "Gil"}, headers={"Authorization": f"Bearer {tokens['Fay']}"})
    assert res.status_code == 200 and res.json()["member"] == "Gil" and res.json()["next"] == "Hal"
    res = client.post(url, json={"member": None}, headers={"Authorization": f"Bearer {OWNER_KEY}"})
    assert res.status_code == 200 and res.json()["member"] is None
    assert [e["data"]["member"] for e in store.events(sid) if e["type"] == "turn"] == ["Gil", None]
