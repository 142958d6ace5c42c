"""Drift in a group's turn: the others talking among themselves, away from the member in focus's issue."""

from __future__ import annotations

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.plan import SessionPlan
from companion.analysis.turns import group_roles
from companion.model import Utterance
from tests.test_groups import ANA, BEN, CARA, DEV, FAY, cues

ISSUE = [
    "The rota goes out late every month because I only get to it at home after my shifts.",
    "The team keep asking me when the rota is coming and I feel I am letting them down.",
    "I want a protected afternoon a week on the ward to do the rota and the supervisions.",
]
FOOTBALL = [
    (BEN, "Did anyone see the match on Saturday? The referee gave that penalty in the last minute."),
    (CARA, "My brother had tickets, he said the away fans were singing the whole second half."),
    (BEN, "We are going to the cup final in May if we can get a coach from the stadium."),
    (BEN, "The parking at that ground is terrible, we queued for an hour after the whistle."),
]
ABOUT_ANA = [
    (BEN, "So the rota goes out late every month because Ana only gets to it at home after her shifts."),
    (CARA, "And the team keep asking her when the rota is coming, so she feels she is letting them down."),
    (BEN, "What she wants is a protected afternoon a week on the ward for the rota and the supervisions."),
]


def _script(middle: list[tuple[str, str]], seconds: float) -> list[tuple[str, float, str]]:
    """An opening, Ana's turn (her issue, then ``seconds`` of ``middle`` without her, then her again), Ben's."""
    s: list[tuple[str, float, str]] = [
        (FAY, 30.0, "Welcome, everyone. The idea is that each of you brings a real issue and the rest of us "
         "coach you with questions rather than advice."),
        (FAY, 30.0, "We agree the spirit first: confidentiality, no judging, and we listen. "
         "We have got an hour, so let's say ten minutes each."),
        (FAY, 25.0, "And at the end each of you chooses your own actions. Ana, do you want to go first?"),
    ]
    for k in range(6):
        s += [(ANA, 15.0, ISSUE[k % 3]), ((BEN, CARA, DEV)[k % 3], 4.0, "What have you tried so far?")]
    k, t = 0, 0.0
    while t < seconds:
        who, text = middle[k % len(middle)]
        s += [(who, 12.0, text)]
        if k == 2:
            s += [(ANA, 1.0, "Ha.")]  # a backchannel does not bring her back in
        k, t = k + 1, t + 12.5
    s += [(FAY, 4.0, "Shall we come back to Ana?")]
    for k in range(4):
        s += [(ANA, 15.0, ISSUE[k % 3]), (CARA, 4.0, "What would help with that?")]
    s += [(ANA, 8.0, "I will ask my manager on Monday for a protected afternoon."),
          (FAY, 4.0, "Thank you, Ana. Ben, are you ready?")]
    for _ in range(8):
        s += [(BEN, 20.0, "The handover sheet is never filled in and the night staff miss the falls risks."),
              (CARA, 4.0, "What stops people filling it in?")]
    s += [(BEN, 8.0, "I will email the ward manager by Friday about the sheet."), (FAY, 4.0, "Thank you, Ben.")]
    return s


def _analyse(script: list[tuple[str, float, str]]) -> dict:
    utts = [Utterance(w, a, b, text) for w, a, b, text in cues(script)]
    analyzer = SessionAnalyzer(roles=group_roles(utts, FAY), plan=SessionPlan())
    analyzer.prepare(utts)  # a file: the turns are known before the replay
    analyzer.feed(utts)
    analyzer.finish()
    return analyzer.report()


def test_the_group_talking_among_itself_in_a_turn_is_drift_led_by_who_said_most():
    report = _analyse(_script(FOOTBALL, 120))
    assert [t["member"] for t in report["turns"]][:2] == [ANA, BEN]
    (flag,) = [f for f in report["flags"] if f["kind"] == "topic_drift"]
    rows = report["utterances"]
    football = [r for r in rows if "match" in r["text"] or "parking" in r["text"] or "cup final" in r["text"]]
    assert flag["who"] == BEN  # said most in it
    assert flag["turn_of"] == ANA
    # From the first cue after Ana last spoke (the question she did not answer) to the end of the talk.
    before = rows.index(football[0]) - 1
    assert rows[before - 1]["speaker"] == ANA and flag["start"] == rows[before]["start"]
    assert flag["end"] >= football[-1]["end"] - 0.01
    assert "Ana" in flag["message"] and "Ana" in flag["suggestion"]


def test_a_short_aside_or_a_long_stretch_about_the_members_issue_is_not_drift():
    assert not [f for f in _analyse(_script(FOOTBALL, 70))["flags"] if f["kind"] == "topic_drift"]
    # Two minutes without Ana, but about her rota: the group is still on her issue.
    assert not [f for f in _analyse(_script(ABOUT_ANA, 120))["flags"] if f["kind"] == "topic_drift"]


def test_the_facilitators_opening_is_not_a_monologue_but_holding_someone_elses_turn_is():
    script = _script(FOOTBALL, 70)
    report = _analyse(script)
    assert not [f for f in report["flags"] if f["kind"] == "long_monologue"]  # 85 s of opening
    # Cara holds the floor for 75 s in Ana's turn: that is still flagged.
    i = next(k for k, (who, _, text) in enumerate(script) if who == CARA and text.startswith("What would"))
    held = [(CARA, 25.0, "When that happened to me I went straight to my manager and told her how it was.")] * 3
    report = _analyse(script[:i] + held + script[i + 1:])
    (flag,) = [f for f in report["flags"] if f["kind"] == "long_monologue"]
    assert flag["who"] == CARA


def test_turns_from_the_panel_are_judged_alike():
    """Turns given as the facilitator's panel gives them (not inferred): drift in a turn, no monologue
    for the opening, which live comes before any turn is open."""
    script = _script(FOOTBALL, 120)
    utts = [Utterance(w, a, b, text) for w, a, b, text in cues(script)]
    start = next(u for u in utts if u.speaker == ANA).start
    end = next(u for u in utts if u.text.startswith("Thank you, Ana")).end
    analyzer = SessionAnalyzer(roles=group_roles(utts, FAY),
                               plan=SessionPlan(turns=[{"member": ANA, "start": start, "end": end}]))
    analyzer.feed(utts)
    analyzer.finish()
    flags = analyzer.report()["flags"]
    assert [(f["who"], f["turn_of"]) for f in flags if f["kind"] == "topic_drift"] == [(BEN, ANA)]
    assert not [f for f in flags if f["kind"] == "long_monologue"]
