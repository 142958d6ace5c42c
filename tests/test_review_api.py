"""The review API: who may read what, the Markdown export, and the trends across sessions."""

from __future__ import annotations

import json

import pytest

from companion.analysis.report import pct, render_markdown
from companion.server.auth import FORBIDDEN
from tests.support.review_fixtures import store_untranscribed_session, store_venting_session, write_vtt
from tests.support.server import OWNER_KEY as KEY


@pytest.fixture
def venting(store, tmp_path, settings):
    sid, report = store_venting_session(store, tmp_path, settings)
    tokens = {p["role"]: p["token"] for p in store.participants(sid)}
    return sid, report, tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_markdown_export_for_the_coach_side_is_the_whole_review(client, venting):
    sid, report, tokens = venting
    for headers in (bearer(KEY), bearer(tokens["coach"])):
        res = client.get(f"/api/sessions/{sid}/review.md", headers=headers)
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("text/markdown")
        assert f"companion-review-{sid}.md" in res.headers["content-disposition"]
        md = res.text
        assert md == render_markdown({**report, "session": {**report["session"], "title": "Planning meeting"}})
        coach = next(p for p in report["participants"] if p["role"] == "coach")
        assert f"| Whole session | {pct(coach['talk_share'])} |" in md
        assert report["talk_norm"]["description"] in md
        assert report["flags"][0]["message"] in md
        assert report["utterances"][-1]["text"] in md
        for s in report["plan"]["stages"]:
            assert f"| {s['stage'].capitalize()} |" in md
        assert f"| Open questions | {report['coach_skills']['open_questions']} |" in md
    # The owner's cookie (set by /?key=) works as well.
    client.get(f"/?key={KEY}", follow_redirects=False)
    assert client.get(f"/api/sessions/{sid}/review.md").status_code == 200


def test_markdown_export_for_the_coachee_is_talk_balance_only(client, venting):
    sid, report, tokens = venting
    res = client.get(f"/api/sessions/{sid}/review.md?token={tokens['coachee']}")
    assert res.status_code == 200
    md = res.text
    coachee = next(p for p in report["participants"] if p["role"] == "coachee")
    assert pct(coachee["talk_share"]) in md and "## Talk balance against the norm" in md
    assert "## Coach skills" not in md and "## Flags" not in md and "## Transcript" not in md
    assert report["flags"][0]["message"] not in md
    assert report["utterances"][1]["text"] not in md
    # The report API gives the coachee the talk balance over time too, but no skills.
    r = client.get(f"/api/sessions/{sid}/report", headers=bearer(tokens["coachee"])).json()
    assert r["talk_timeline"] == report["talk_timeline"] and r["talk_norm"] == report["talk_norm"]
    assert "coach_skills" not in r and "utterances" not in r and "flags" not in r


def test_no_valid_credential_gets_403_and_no_data(client, venting, store):
    sid, report, tokens = venting
    other_sid, _ = store_untranscribed_session(store)
    other_token = store.participants(other_sid)[0]["token"]
    attempts = [
        (f"/api/sessions/{sid}/review.md", {}),
        (f"/api/sessions/{sid}/review.md", bearer("wrong")),
        (f"/api/sessions/{sid}/review.md", bearer(other_token)),  # a token for another session
        ("/api/sessions/nosuchsession/review.md", bearer(tokens["coach"])),
        ("/api/trends", {}),
        ("/api/trends", bearer(tokens["coach"])),  # trends are the owner's
    ]
    for url, headers in attempts:
        res = client.get(url, headers=headers)
        assert res.status_code == 403, url
        assert res.json() == {"error": FORBIDDEN}
        assert "Ana" not in res.text and "Planning" not in res.text


def test_pages_need_a_credential(client, venting):
    sid, _, tokens = venting
    assert client.get(f"/sessions/{sid}/review").status_code == 403
    assert client.get(f"/sessions/{sid}/review?token=nope").status_code == 403
    assert client.get("/trends").status_code == 403
    assert client.get(f"/trends?token={tokens['coach']}").status_code == 403
    ok = client.get(f"/sessions/{sid}/review?token={tokens['coachee']}")
    assert ok.status_code == 200 and 'data-testid="transcript"' in ok.text
    client.get(f"/?key={KEY}", follow_redirects=False)
    assert client.get(f"/sessions/{sid}/review").status_code == 200
    assert client.get("/trends").status_code == 200


def test_trends_pick_each_sessions_figures_per_coach(client, store, tmp_path, settings):
    first, r1 = store_venting_session(store, tmp_path, settings)
    second, r2 = store_untranscribed_session(store)
    # A later session of the same coach as the first (a different transcript: the sample).
    from companion.pipeline import analyze_file

    vtt = write_vtt(tmp_path / "short.vtt", [("Ana", 5, "What would you like to work on?"),
                                             ("Ben", 20, "My planning meeting, again."),
                                             ("Ana", 4, "What would good look like?"),
                                             ("Ben", 15, "Done in thirty minutes.")])
    a = analyze_file(vtt, settings, coach="Ana", coachee="Ben")
    third = store.save_analysis(a.report, a.utterances, title="Follow-up", source=vtt.name)
    store.update_session(third, started_at="2999-01-01T00:00:00+00:00")  # the newest
    res = client.get("/api/trends", headers=bearer(KEY))
    assert res.status_code == 200
    data = res.json()
    assert data["norm"]["name"] == r1["talk_norm"]["name"]
    by_coach = {c["name"]: c["sessions"] for c in data["coaches"]}
    assert set(by_coach) == {"Ana", "Coach"}
    assert [p["id"] for p in by_coach["Ana"]] == [first, third]  # oldest first
    assert by_coach["Coach"][0]["id"] == second
    for p in by_coach["Ana"] + by_coach["Coach"]:
        report = store.report(p["id"])
        for field in ("talk_share", "open_questions", "closed_questions", "open_question_ratio", "reflections",
                      "advice", "interruptions"):
            assert p[field] == report["coach_skills"].get(field), field
        assert p["duration_s"] == report["session"]["duration_s"]
    assert json.dumps(data)  # plain JSON


def test_cli_markdown_prints_the_same_content_as_the_export(tmp_path, settings, capsys):
    from companion.cli import main
    from companion.pipeline import analyze_file

    vtt = write_vtt(tmp_path / "s.vtt")
    assert main(["analyze", str(vtt), "--coach", "Ana", "--coachee", "Ben", "--no-store", "--format", "markdown"]) == 0
    printed = capsys.readouterr().out
    report = analyze_file(vtt, settings, coach="Ana", coachee="Ben").report
    assert printed == render_markdown(report)
    for heading in ("## Talk balance against the norm", "## Talk balance over time", "## GROW stages against the plan",
                    "## Coach skills", "## Flags", "## Nudges", "## Transcript"):
        assert heading in printed
