"""The learning log's API, pages and CLI: versions, conflicts, approval, sharing, and who sees what."""

from __future__ import annotations

import json

import pytest

from companion import logbook as learning_log
from companion.cli import main as cli
from companion.importers import load_transcript
from companion.pipeline import finalize_session

GOAL_WORDS = "finish on time"  # in the sample session's drafted goal
from tests.support.server import OWNER_KEY  # noqa: E402


def ended_session(store, sample_vtt, people=(("Maya", "coach"), ("Sam", "coachee")), title="Weekly"):
    """A stored, ended session with the sample conversation; returns {name: token} and the id."""
    s = store.create_session(title=title, participants=[{"name": n, "role": r} for n, r in people])
    names = {"Maya": people[0][0], "Sam": people[1][0]}
    for i, u in enumerate(load_transcript(sample_vtt)):
        u.speaker = names[u.speaker]
        store.add_utterance(s["id"], i, u)
    finalize_session(store, s["id"])
    return s["id"], {p["name"]: p["token"] for p in s["participants"]}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


OWNER = bearer(OWNER_KEY)


@pytest.fixture
def session(store, sample_vtt):
    return ended_session(store, sample_vtt)


def test_first_read_drafts_version_one_from_the_session(client, session):
    sid, tok = session
    r = client.get(f"/api/sessions/{sid}/log", headers=bearer(tok["Sam"]))
    assert r.status_code == 200
    log = r.json()
    assert (log["version"], log["status"], log["participant"], log["can_edit"]) == (1, "draft", "Sam", True)
    assert GOAL_WORDS in log["goal"]["text"]
    assert {a["when"] for a in log["actions"]} >= {"by Friday", "by Wednesday"}
    assert client.get(f"/api/sessions/{sid}/log", headers=bearer(tok["Sam"])).json()["version"] == 1
    # the token may also come in the address, as the editor's link carries it
    assert client.get(f"/api/sessions/{sid}/log?token={tok['Sam']}").status_code == 200


def test_each_save_is_a_version_and_earlier_ones_stay(client, session):
    sid, tok = session
    sam = bearer(tok["Sam"])
    log = client.get(f"/api/sessions/{sid}/log", headers=sam).json()
    original = log["content"]
    log["content"] = "Making our weekly meeting work."
    log["actions"].append({"what": "Book a shorter room", "when": "by Monday", "who": None, "source": None})
    r = client.put(f"/api/sessions/{sid}/log", headers=sam, json=log)
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["content"]) == (2, "Making our weekly meeting work.")
    assert r.json()["actions"][-1]["what"] == "Book a shorter room"
    versions = client.get(f"/api/sessions/{sid}/log/versions", headers=sam).json()
    assert [(v["version"], v["event"], v["author"]) for v in versions] == [(1, "drafted", "companion"),
                                                                           (2, "saved", "Sam")]
    assert client.get(f"/api/sessions/{sid}/log/versions/1", headers=sam).json()["content"] == original
    assert client.get(f"/api/sessions/{sid}/log", headers=sam).json()["version"] == 2
    assert client.get(f"/api/sessions/{sid}/log/versions/9", headers=sam).status_code == 404


def test_two_tabs_saving_at_once_get_a_conflict_not_a_lost_edit(client, session, store):
    sid, tok = session
    sam = bearer(tok["Sam"])
    tab_a = client.get(f"/api/sessions/{sid}/log", headers=sam).json()
    tab_b = json.loads(json.dumps(tab_a))
    tab_a["evaluation"] = "Edit from tab A"
    tab_b["evaluation"] = "Edit from tab B"
    assert client.put(f"/api/sessions/{sid}/log", headers=sam, json=tab_a).status_code == 200
    r = client.put(f"/api/sessions/{sid}/log", headers=sam, json=tab_b)
    assert r.status_code == 409
    body = r.json()
    assert "\n" not in body["error"] and "version 2" in body["error"] and "version 1" in body["error"]
    assert body["current"]["version"] == 2 and body["current"]["evaluation"] == "Edit from tab A"
    assert len(client.get(f"/api/sessions/{sid}/log/versions", headers=sam).json()) == 2
    # Tab B, having seen the conflict, saves on top of version 2 on purpose.
    tab_b["version"] = 2
    assert client.put(f"/api/sessions/{sid}/log", headers=sam, json=tab_b).json()["version"] == 3


@pytest.mark.parametrize("body, status, message", [
    ({"content": "no version"}, 422, "version is required"),
    ({"version": "1"}, 422, "whole number"),
    ({"version": 1, "options": [{"text": "x", "source": {"utterances": [500]}}]}, 422, "does not exist"),
    ({"version": 1, "goal": "a string"}, 422, "goal must be an object"),
])
def test_bad_saves_answer_one_line_and_write_nothing(client, session, body, status, message):
    sid, tok = session
    sam = bearer(tok["Sam"])
    client.get(f"/api/sessions/{sid}/log", headers=sam)
    r = client.put(f"/api/sessions/{sid}/log", headers=sam, json=body)
    assert r.status_code == status and message in r.json()["error"] and "\n" not in r.json()["error"]
    assert len(client.get(f"/api/sessions/{sid}/log/versions", headers=sam).json()) == 1


def test_malformed_json_is_400(client, session):
    sid, tok = session
    r = client.put(f"/api/sessions/{sid}/log", headers={**bearer(tok["Sam"]), "Content-Type": "application/json"},
                   content=b"{not json")
    assert r.status_code == 400 and "JSON" in r.json()["error"]


def test_approve_then_share_only_by_the_coachee(client, session):
    sid, tok = session
    sam = bearer(tok["Sam"])
    v1 = client.get(f"/api/sessions/{sid}/log", headers=sam).json()
    r = client.post(f"/api/sessions/{sid}/log/share", headers=sam)
    assert r.status_code == 409 and "approve" in r.json()["error"]
    for who in (bearer(tok["Maya"]), OWNER):
        for action in ("approve", "share"):
            assert client.post(f"/api/sessions/{sid}/log/{action}", headers=who).status_code == 403
        assert client.put(f"/api/sessions/{sid}/log", headers=who, json=v1).status_code == 403
    assert client.post(f"/api/sessions/{sid}/log/approve", headers=sam, json={"version": 7}).status_code == 409
    r = client.post(f"/api/sessions/{sid}/log/approve", headers=sam, json={"version": 1})
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["approved_at"]
    r = client.post(f"/api/sessions/{sid}/log/share", headers=sam)
    assert r.status_code == 200 and r.json()["status"] == "shared"
    # Editing after approval makes it a draft again, and unshared.
    v1["version"] = 1
    r = client.put(f"/api/sessions/{sid}/log", headers=sam, json={**v1, "content": "changed my mind"})
    assert r.status_code == 200 and r.json()["status"] == "draft" and r.json()["version"] == 2


def _coach_side_routes(sid):
    return [
        f"/api/sessions/{sid}/log",
        f"/api/sessions/{sid}/log?participant=Sam",
        f"/api/sessions/{sid}/log?participant=sam",
        f"/api/sessions/{sid}/log/versions",
        f"/api/sessions/{sid}/log/versions/1",
        f"/api/sessions/{sid}/log/export.md",
        f"/sessions/{sid}/log/print",
    ]


def all_routes(routes):
    """The app's routes, flattened out of included routers."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from all_routes(inner.routes)
        else:
            yield r


def _get_everything(client, sid, headers):
    """Every GET route the app has, for this session, as this caller sees it."""
    out = {}
    for route in all_routes(client.app.routes):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None) or set()
        if not path or "GET" not in methods or path.startswith("/static"):
            continue
        if path == "/api/sessions/{sid}/report":
            continue  # see test_the_report_route_does_not_carry_the_draft_to_the_coach
        url = path.replace("{sid}", sid).replace("{session_id}", sid).replace("{n}", "1")
        if "{" in url:
            continue
        out[url] = client.get(url, headers=headers)
    assert f"/api/sessions/{sid}/log" in out and f"/sessions/{sid}/log/print" in out  # the walk found routes
    return out


def assert_coach_sees_nothing(client, sid, tok, log_text):
    for who in (bearer(tok["Maya"]), OWNER):
        for url in _coach_side_routes(sid):
            r = client.get(url, headers=who)
            assert r.status_code == 403, (url, r.status_code)
            assert log_text not in r.text and GOAL_WORDS not in r.text
        assert client.get(f"/api/sessions/{sid}/logs", headers=who).json() == []
        for url, r in _get_everything(client, sid, who).items():
            assert log_text not in r.text, url
    # the coachee's own link still opens it
    assert client.get(f"/api/sessions/{sid}/log", headers=bearer(tok["Sam"])).status_code == 200


def test_coach_and_owner_never_see_an_unshared_log(client, session, store):
    sid, tok = session
    sam = bearer(tok["Sam"])
    secret = "A private note the coach must not read"
    log = client.get(f"/api/sessions/{sid}/log", headers=sam).json()
    log = client.put(f"/api/sessions/{sid}/log", headers=sam, json={**log, "evaluation": secret}).json()
    assert_coach_sees_nothing(client, sid, tok, secret)  # draft

    client.post(f"/api/sessions/{sid}/log/approve", headers=sam)
    assert_coach_sees_nothing(client, sid, tok, secret)  # approved, not shared

    client.post(f"/api/sessions/{sid}/log/share", headers=sam)
    for who in (bearer(tok["Maya"]), OWNER):
        assert client.get(f"/api/sessions/{sid}/report", headers=who).json()["log_draft"]["evaluation"] == secret
        r = client.get(f"/api/sessions/{sid}/log", headers=who)
        assert r.status_code == 200 and r.json()["evaluation"] == secret and r.json()["can_edit"] is False
        md = client.get(f"/api/sessions/{sid}/log/export.md", headers=who)
        assert md.status_code == 200 and secret in md.text and md.headers["content-type"].startswith("text/markdown")
        assert secret in client.get(f"/sessions/{sid}/log/print", headers=who).text
        assert client.get(f"/api/sessions/{sid}/logs", headers=who).json()[0]["participant"] == "Sam"
        # earlier versions were never shared
        assert client.get(f"/api/sessions/{sid}/log/versions", headers=who).status_code == 403
        assert client.get(f"/api/sessions/{sid}/log/versions/1", headers=who).status_code == 403

    # The coachee edits again: a new version, and the coach keeps the one that was shared meanwhile.
    log = client.get(f"/api/sessions/{sid}/log", headers=sam).json()
    shared_version = log["version"]
    mine = client.put(f"/api/sessions/{sid}/log", headers=sam, json={**log, "evaluation": secret + " (edited)"}).json()
    assert mine["status"] == "draft" and mine["version"] == shared_version + 1
    assert mine["shared_version"] == shared_version  # what the editor asks to share again
    for who in (bearer(tok["Maya"]), OWNER):
        r = client.get(f"/api/sessions/{sid}/log", headers=who)
        assert r.status_code == 200 and r.json()["version"] == shared_version and r.json()["evaluation"] == secret
        assert "shared_version" not in r.json()
        for url, r in _get_everything(client, sid, who).items():
            assert "(edited)" not in r.text, url
    client.post(f"/api/sessions/{sid}/log/approve", headers=sam)
    client.post(f"/api/sessions/{sid}/log/share", headers=sam)
    r = client.get(f"/api/sessions/{sid}/log", headers=bearer(tok["Maya"]))
    assert r.json()["evaluation"] == secret + " (edited)" and r.json()["version"] == shared_version + 1


def test_a_never_shared_log_says_why_the_coach_cannot_read_it(client, session):
    sid, tok = session
    r = client.get(f"/api/sessions/{sid}/log", headers=bearer(tok["Maya"]))
    assert r.status_code == 403 and "until its owner approves and shares it" in r.json()["error"]


def test_the_print_page_escapes_its_error_text(client, session):
    sid, tok = session
    r = client.get(f"/sessions/{sid}/log/print?participant=<script>alert(1)</script>", headers=OWNER)
    assert r.status_code == 404 and "<script>" not in r.text and "&lt;script&gt;" in r.text


def test_the_session_socket_carries_no_log(client, session):
    from starlette.websockets import WebSocketDisconnect

    sid, tok = session
    sam = bearer(tok["Sam"])
    secret = "Socket-proof private line"
    log = client.get(f"/api/sessions/{sid}/log", headers=sam).json()
    client.put(f"/api/sessions/{sid}/log", headers=sam, json={**log, "evaluation": secret})
    for query in (f"token={tok['Maya']}", f"key={OWNER_KEY}"):
        received = []
        with client.websocket_connect(f"/ws/sessions/{sid}?{query}") as ws:
            try:
                for _ in range(50):
                    received.append(ws.receive_text())
            except WebSocketDisconnect:
                pass
        assert received and not any(secret in m or "log_draft" in m for m in received)


def test_no_token_or_another_sessions_token_learns_nothing(client, session, store, sample_vtt):
    sid, tok = session
    other_sid, other = ended_session(store, sample_vtt, people=(("Ann", "coach"), ("Bo", "coachee")))
    for headers in ({}, bearer(other["Bo"]), bearer("nonsense")):
        for url in _coach_side_routes(sid) + [f"/api/sessions/{sid}/previous-actions"]:
            r = client.get(url, headers=headers)
            assert r.status_code == 403 and GOAL_WORDS not in r.text
    assert client.get("/api/sessions/nope/log", headers=bearer(tok["Sam"])).status_code == 403
    assert client.get("/api/sessions/nope/log", headers=OWNER).status_code == 404


def test_the_editor_page_carries_no_data(client, session):
    sid, tok = session
    r = client.get(f"/sessions/{sid}/log")
    assert r.status_code == 200 and 'data-testid="log-form"' in r.text and GOAL_WORDS not in r.text


def test_a_log_is_only_drafted_once_the_session_has_ended(client, store):
    s = store.create_session(title="Live", participants=[{"name": "A", "role": "coach"},
                                                         {"name": "B", "role": "coachee"}])
    token = s["participants"][1]["token"]
    r = client.get(f"/api/sessions/{s['id']}/log", headers=bearer(token))
    assert r.status_code == 404 and "not ended" in r.json()["error"]


GROUP = (("Fay", "facilitator"), ("Gil", "coachee"), ("Hal", "member"))


def test_each_members_log_is_theirs_alone(client, store, sample_vtt):
    s = store.create_session(title="Group", participants=[{"name": n, "role": r} for n, r in GROUP])
    sid, tok = s["id"], {p["name"]: p["token"] for p in s["participants"]}
    for i, u in enumerate(load_transcript(sample_vtt)):
        u.speaker = {"Maya": "Fay", "Sam": "Gil"}[u.speaker]
        store.add_utterance(sid, i, u)
    finalize_session(store, sid)
    gil, hal, fay = bearer(tok["Gil"]), bearer(tok["Hal"]), bearer(tok["Fay"])
    assert client.get(f"/api/sessions/{sid}/log", headers=gil).json()["key_questions"][0]["answer"]
    hal_log = client.get(f"/api/sessions/{sid}/log", headers=hal).json()
    assert hal_log["participant"] == "Hal" and hal_log["goal"] is None  # Hal brought nothing this time
    assert client.get(f"/api/sessions/{sid}/log?participant=Gil", headers=hal).status_code == 403
    assert client.post(f"/api/sessions/{sid}/log/approve?participant=Gil", headers=hal).status_code == 403
    assert client.get(f"/api/sessions/{sid}/log?participant=Gil", headers=fay).status_code == 403
    client.post(f"/api/sessions/{sid}/log/approve", headers=gil)
    client.post(f"/api/sessions/{sid}/log/share", headers=gil)
    assert client.get(f"/api/sessions/{sid}/log?participant=Gil", headers=fay).status_code == 200
    assert client.get(f"/api/sessions/{sid}/log?participant=Hal", headers=fay).status_code == 403
    assert client.get(f"/api/sessions/{sid}/log?participant=Hal", headers=hal).status_code == 200
    assert [x["participant"] for x in client.get(f"/api/sessions/{sid}/logs", headers=fay).json()] == ["Gil"]


def test_previous_action_plan_between_the_same_people(client, store, sample_vtt):
    first, _ = ended_session(store, sample_vtt)
    nxt = store.create_session(title="Next", participants=[{"name": "maya", "role": "coach"},
                                                           {"name": "SAM", "role": "coachee"}])
    tok = {p["name"]: p["token"] for p in nxt["participants"]}
    url = f"/api/sessions/{nxt['id']}/previous-actions"
    prev = client.get(url, headers=bearer(tok["SAM"])).json()["previous"]
    assert prev["session"]["id"] == first and prev["participant"] == "Sam"
    assert {a["when"] for a in prev["actions"]} >= {"by Friday", "by Wednesday"}
    # The coach sees last time's plan only if the coachee shared that log.
    assert client.get(url, headers=bearer(tok["maya"])).json()["previous"] is None
    assert client.get(url, headers=OWNER).json()["previous"] is None
    sam_first = store.participants(first)[1]["token"]
    client.post(f"/api/sessions/{first}/log/approve", headers=bearer(sam_first))
    client.post(f"/api/sessions/{first}/log/share", headers=bearer(sam_first))
    assert client.get(url, headers=bearer(tok["maya"])).json()["previous"]["session"]["id"] == first
    # Another coach's session with Sam is not "between the same people".
    other = store.create_session(title="Other", participants=[{"name": "Zoe", "role": "coach"},
                                                              {"name": "Sam", "role": "coachee"}])
    r = client.get(f"/api/sessions/{other['id']}/previous-actions",
                   headers=bearer(other["participants"][1]["token"]))
    assert r.json()["previous"] is None


def test_deleting_a_session_deletes_its_logs(client, session, store):
    sid, tok = session
    client.get(f"/api/sessions/{sid}/log", headers=bearer(tok["Sam"]))
    assert store.db["logs"].count == 1 and "logs" in store.session_tables()
    store.delete_session(sid)
    assert store.db["logs"].count == 0


def test_the_report_route_does_not_carry_the_draft_to_the_coach(client, session):
    sid, tok = session
    for who in (bearer(tok["Maya"]), OWNER):
        r = client.get(f"/api/sessions/{sid}/report", headers=who)
        assert r.status_code == 200 and r.json()["log_draft"] is None


# -- the command line: the machine's owner, like the owner key ------------------------

def test_cli_shows_a_log_only_once_shared_unless_as_coachee(client, session, capsys):
    sid, tok = session
    assert cli(["log", "show", sid]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not been approved and shared" in err and "--as-coachee" in err
    assert cli(["log", "export", sid]) == 2
    assert GOAL_WORDS not in capsys.readouterr().out

    assert cli(["log", "show", sid, "--as-coachee"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Learning log: Sam") and GOAL_WORDS in out and "| by Friday (" in out

    sam = bearer(tok["Sam"])
    client.post(f"/api/sessions/{sid}/log/approve", headers=sam)
    client.post(f"/api/sessions/{sid}/log/share", headers=sam)
    assert cli(["log", "export", sid]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["status"] == "shared" and GOAL_WORDS in exported["goal"]["text"]
    assert cli(["log", "export", sid, "--format", "markdown"]) == 0
    assert "## Action plan" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["log", "show", "nope"], "no session 'nope'"),
    (["log", "show", "SID", "--participant", "Zed"], "no learning log for 'Zed'"),
])
def test_cli_bad_input_is_one_line_and_exit_2(session, capsys, argv, message):
    sid, _ = session
    assert cli([a.replace("SID", sid) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_markdown_export_has_the_log_form(session, store):
    sid, _ = session
    book = learning_log.LogBook(store)
    md = learning_log.to_markdown(book.current(sid, "Sam"))
    for heading in ("- **Date:**", "- **Members present:** Maya, Sam", "## Content", "## Evaluation", "## Goal",
                    "SMART check:", "## Reality", "## Options", "## Action plan"):
        assert heading in md
