"""Who may use the live call's endpoints and socket, and what each role receives over it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from companion.model import Audience, Event, EventType
from tests.support.rtc_client import CallClient, PacedAudio, tone_bursts


@pytest.fixture
def session(server):
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": "Private", "mode": "audio", "planned_minutes": 30,
        "participants": [{"name": "Ann", "role": "coach"}, {"name": "Bo", "role": "coachee"}]})
    body = r.json()
    return body["id"], {p["role"]: p["token"] for p in body["participants"]}


def _ws(server, sid, token):
    return connect(f"ws://127.0.0.1:{server.url.rsplit(':', 1)[1]}/ws/sessions/{sid}?token={token}",
                   open_timeout=5)


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_wrong_or_missing_token_gets_403_and_no_data(server, session, token):
    sid, tokens = session
    h = {"Authorization": f"Bearer {token}"} if token else {}
    other = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": "Other", "participants": [{"name": "Cy", "role": "coach"}, {"name": "Di", "role": "coachee"}]})
    for target in (sid, "no-such-session"):
        for method, path, body in [("GET", "live", None), ("POST", "rtc", {"sdp": "v=0", "type": "offer"}),
                                   ("POST", "pause", {"paused": True})]:
            r = httpx.request(method, f"{server.url}/api/sessions/{target}/{path}", headers=h, json=body)
            assert r.status_code == 403, (target, path)
            assert "Private" not in r.text and "Ann" not in r.text
        with pytest.raises(InvalidStatus) as e:
            _ws(server, target, token or "")
        assert e.value.response.status_code == 403
    # A valid token for another session opens nothing here.
    cy = other.json()["participants"][0]["token"]
    r = httpx.get(f"{server.url}/api/sessions/{sid}/live", headers={"Authorization": f"Bearer {cy}"})
    assert r.status_code == 403
    # The join page itself is harmless: static, no session data in it.
    page = httpx.get(f"{server.url}/join/{sid}")
    assert page.status_code == 200 and "Private" not in page.text and 'data-testid="join"' in page.text


def _collect(ws, into: list, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            into.append(json.loads(ws.recv(timeout=0.2)))
        except TimeoutError:
            continue
        except Exception:
            return


def test_coachee_never_receives_coach_events(server, session):
    sid, tokens = session
    got = {"coach": [], "coachee": []}
    stop = threading.Event()
    stack = contextlib.ExitStack()
    sockets = {role: stack.enter_context(_ws(server, sid, tokens[role])) for role in got}
    threads = [threading.Thread(target=_collect, args=(sockets[r], got[r], stop)) for r in got]
    for t in threads:
        t.start()

    async def speak():
        # Real speech activity from the coach's side gives real captions and balance updates.
        ann = CallClient(server.url, sid, tokens["coach"], PacedAudio(tone_bursts(6, every=1.5, burst=0.6),
                                                                     loop=False))
        await ann.join(1)
        await asyncio.sleep(5)
        await ann.close()

    asyncio.run(speak())
    live = server.app.state.live
    events = [Event(EventType.NUDGE, 3.0, {"kind": "venting", "message": "Ask what Bo wants instead."}, Audience.COACH),
              Event(EventType.FLAG, 3.0, {"flag": {"kind": "long_monologue", "message": "m"}}, Audience.COACH),
              Event(EventType.STAGE, 3.0, {"stage": "reality", "since": 3.0}, Audience.EVERYONE)]
    live.loop.call_soon_threadsafe(live.sessions[sid]._emit, events)
    time.sleep(1.5)
    r = httpx.post(f"{server.url}/api/sessions/{sid}/pause", headers={"Authorization": f"Bearer {tokens['coachee']}"},
                   json={"paused": True})
    assert r.status_code == 200 and r.json()["paused"] is True
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    stack.close()

    types = {role: [m["type"] for m in msgs] for role, msgs in got.items()}
    for role in got:
        assert types[role][0] == "hello"
        assert {"caption", "clock", "presence", "stage", "paused"} <= set(types[role]), (role, set(types[role]))
    assert {"balance", "nudge", "flag", "marks"} <= set(types["coach"])
    assert not {"balance", "nudge", "flag", "marks"} & set(types["coachee"])
    assert "Ask what Bo wants" not in json.dumps(got["coachee"])
    captions = [m for m in got["coachee"] if m["type"] == "caption"]
    assert captions and all(m["speaker"] == "Ann" and "acts" not in m for m in captions)
    paused = [m for m in got["coach"] if m["type"] == "paused"]
    assert paused[-1]["paused"] is True and paused[-1]["by"] == "Bo"
    # Nudges and flags are stored as they happen, for the review.
    kinds = [e["type"] for e in server.store.events(sid)]
    assert "nudge" in kinds and "flag" in kinds and "paused" in kinds


def test_a_page_on_another_port_with_the_owner_cookie_gets_no_socket_and_ends_nothing(server, session):
    sid, _ = session
    port = server.url.rsplit(":", 1)[1]
    cookie = {"Cookie": f"companion_owner={server.key}"}
    with pytest.raises(InvalidStatus) as e:
        connect(f"ws://127.0.0.1:{port}/ws/sessions/{sid}", origin="http://127.0.0.1:1234",
                additional_headers=cookie, open_timeout=5)
    assert e.value.response.status_code == 403
    r = httpx.post(f"{server.url}/api/sessions/{sid}/end", headers={**cookie, "Origin": "http://127.0.0.1:1234"},
                   data={"x": "1"})  # a plain form POST from that page
    assert r.status_code == 403
    assert httpx.get(f"{server.url}/api/sessions/{sid}", headers=server.owner_headers()).json()["status"] != "ended"
    # The owner's own page, same origin, opens the socket with the same cookie.
    with connect(f"ws://127.0.0.1:{port}/ws/sessions/{sid}", origin=f"http://127.0.0.1:{port}",
                 additional_headers=cookie, open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"]


def test_pause_takes_only_a_real_boolean(server, session):
    sid, tokens = session
    h = {"Authorization": f"Bearer {tokens['coachee']}"}
    for body in ({"paused": 0}, {"paused": 1}, {"paused": "true"}, {"paused": None}, {}):
        r = httpx.post(f"{server.url}/api/sessions/{sid}/pause", headers=h, json=body)
        assert r.status_code == 422, body
    r = httpx.post(f"{server.url}/api/sessions/{sid}/pause", headers=h, json={"paused": False})
    assert r.status_code == 200 and r.json()["paused"] is False
