"""The server against hostile callers and a broken disk: Origin, headers, 404/403 order, 503, the spec."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from companion.cli import main
from companion.config import Settings
from companion.errors import InputError
from companion.server.app import create_app
from tests.support.server import OWNER_KEY

OWNER = {"Authorization": f"Bearer {OWNER_KEY}"}
PAIR = {"participants": [{"name": "Ann", "role": "coach"}, {"name": "Bo", "role": "coachee"}]}


def _session(client) -> dict:
    r = client.post("/api/sessions", headers=OWNER, json=PAIR)
    assert r.status_code == 201
    return r.json()


def test_owner_key_with_an_unknown_session_is_404_everywhere(client):
    for method, path in [("get", "/api/sessions/nope"), ("post", "/api/sessions/nope/end"),
                         ("get", "/api/sessions/nope/report"), ("get", "/api/sessions/nope/review.md"),
                         ("get", "/api/sessions/nope/live"), ("post", "/api/sessions/nope/pause")]:
        r = client.request(method, path, headers=OWNER, json={"paused": True} if "pause" in path else None)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert r.json() == {"error": "no session 'nope'"}
    # Without the key the same address still learns nothing.
    assert client.get("/api/sessions/nope").status_code == 403


def test_wrong_key_and_invalid_body_is_403_not_the_schema(client):
    r = client.post("/api/sessions", headers={"Authorization": "Bearer wrong-key-123"}, json={"mode": 5})
    assert r.status_code == 403 and "participants" not in r.text
    r = client.post("/api/sessions", json={"mode": 5})
    assert r.status_code == 403
    assert client.post("/api/sessions", headers=OWNER, json={"mode": 5}).status_code == 422


def test_request_models_are_strict(client):
    r = client.post("/api/sessions", headers=OWNER, json={**PAIR, "planned_minutes": "30"})
    assert r.status_code == 422 and "planned_minutes" in r.json()["fields"]


@pytest.mark.parametrize("key", ["1", "short", " spaced-key-12345 ", "x" * 11])
def test_a_short_owner_key_is_refused(settings, store, key):
    settings.key = key
    with pytest.raises(InputError, match="at least 12"):
        create_app(settings, store)


def test_serve_with_a_short_key_is_one_line_exit_2(monkeypatch, capsys):
    monkeypatch.setenv("COMPANION_KEY", "1")
    assert main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "COMPANION_KEY" in err and err.count("\n") == 1


HEADERS = ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Referrer-Policy",
           "X-Content-Type-Options")


def _has_security_headers(r) -> None:
    for name in HEADERS:
        assert name in r.headers, (r.status_code, name)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "connect-src 'self' ws://testserver;" in csp
    assert "ws: " not in csp and "wss: " not in csp  # no socket to any other host
    assert "microphone=(self)" in r.headers["Permissions-Policy"]


def test_every_response_carries_the_security_headers_errors_and_500s_included(app, store, monkeypatch):
    with TestClient(app, raise_server_exceptions=False) as c:
        _has_security_headers(c.get("/api/health"))
        _has_security_headers(c.get("/api/sessions"))  # 403
        _has_security_headers(c.get("/no/such/page"))  # 404
        _has_security_headers(c.post("/api/sessions", headers=OWNER, json={}))  # 422

        def broken():
            raise RuntimeError("a bug")

        monkeypatch.setattr(store, "list_sessions", broken)
        r = c.get("/api/sessions", headers=OWNER)
        assert r.status_code == 500 and "a bug" not in r.text
        _has_security_headers(r)
        assert "Strict-Transport-Security" not in r.headers


def test_hsts_only_over_https(app):
    with TestClient(app, base_url="https://testserver") as c:
        r = c.get("/api/health")
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
        assert "connect-src 'self' wss://testserver;" in r.headers["Content-Security-Policy"]


def test_a_page_on_another_port_cannot_use_the_owner_cookie_to_change_anything(client):
    sid = _session(client)["id"]
    client.cookies.set("companion_owner", OWNER_KEY)
    for origin in ("http://testserver:8080", "http://evil.example", "null"):
        r = client.post(f"/api/sessions/{sid}/end", headers={"Origin": origin})
        assert r.status_code == 403 and "another site or port" in r.json()["error"]
        r = client.post("/api/sessions", headers={"Origin": origin}, json=PAIR)
        assert r.status_code == 403
    r = client.post(f"/api/sessions/{sid}/end", headers={"Sec-Fetch-Site": "same-site"})  # no Origin, other port
    assert r.status_code == 403
    assert client.get(f"/api/sessions/{sid}").json()["status"] != "ended"
    # The owner's own page (same origin) may.
    r = client.post(f"/api/sessions/{sid}/end", headers={"Origin": "http://testserver"})
    assert r.status_code == 200 and r.json()["status"] == "ended"


def test_the_session_socket_refuses_another_origin(client, store):
    sid = _session(client)["id"]
    store.update_session(sid, status="ended")
    client.cookies.set("companion_owner", OWNER_KEY)
    with pytest.raises(WebSocketDisconnect) as e, \
            client.websocket_connect(f"/ws/sessions/{sid}", headers={"Origin": "http://testserver:9999"}) as ws:
        ws.receive_json()
    assert e.value.code == 1008
    with client.websocket_connect(f"/ws/sessions/{sid}", headers={"Origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "ended"


def test_a_full_disk_answers_503_with_a_readable_message_and_recovers(client, store):
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    big = {"title": "t" * 200, "participants": [{"name": "Ann " + "x" * 70, "role": "facilitator"}]
           + [{"name": f"Member {i} " + "y" * 60, "role": "member"} for i in range(6)]}
    codes = [client.post("/api/sessions", headers=OWNER, json=big).status_code for _ in range(40)]
    assert 503 in codes
    r = client.post("/api/sessions", headers=OWNER, json=big)
    assert r.status_code == 503 and "disk is full" in r.json()["error"] and str(store.folder) in r.json()["error"]
    _has_security_headers(r)
    store.db.execute(f"PRAGMA max_page_count = {pages * 1000}")  # space freed
    assert client.post("/api/sessions", headers=OWNER, json=big).status_code == 201


def test_openapi_is_served_to_the_owner_and_says_what_routes_answer(client):
    assert client.get("/openapi.json").status_code == 403
    spec = client.get("/openapi.json", headers=OWNER).json()
    paths = spec["paths"]
    assert {"403", "404", "503"} <= set(paths["/api/sessions/{sid}"]["get"]["responses"])
    assert {"400", "403", "422"} <= set(paths["/api/sessions"]["post"]["responses"])
    assert "409" in paths["/api/sessions/{sid}/log"]["put"]["responses"]
    md = paths["/api/sessions/{sid}/review.md"]["get"]["responses"]["200"]["content"]
    assert set(md) == {"text/markdown"}
    assert "requestBody" in paths["/api/sessions/{sid}/log"]["put"]
    assert "/sessions/{sid}/review" not in paths  # pages are not API


def test_settings_key_from_the_environment_is_checked_too(monkeypatch, store):
    monkeypatch.setenv("COMPANION_KEY", "a-long-enough-owner-key")
    assert create_app(Settings.load(), store).state.key == "a-long-enough-owner-key"


def test_paused_must_be_a_boolean(client):
    s = _session(client)
    coach = {"Authorization": f"Bearer {s['participants'][0]['token']}"}
    r = client.post(f"/api/sessions/{s['id']}/pause", headers=coach, json={"paused": 0})
    assert r.status_code == 422 and "paused" in r.json()["fields"]
