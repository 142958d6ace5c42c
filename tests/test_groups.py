"""Group sessions from a transcript: turns inferred from hand-overs, turn_of, the turn flags, the CLI."""

from __future__ import annotations

import json

import pytest

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.plan import SessionPlan
from companion.analysis.turns import group_roles, is_backchannel, planned_turn_minutes
from companion.cli import main
from companion.model import Role, Utterance
from tests.support.transcripts import write, zoom_vtt

FAY, ANA, BEN, CARA, DEV = "Fay Mills", "Ana Lee", "Ben Ross", "Cara Diaz", "Dev Shah"


def _turn(member: str, minutes: float, others: list[tuple[str, str]], *, dominant: str | None = None):
    """A turn's middle: the member talks in 30 s stretches, the others ask, Dev only says "Mm."."""
    script = []
    for k in range(int(minutes * 2)):
        if dominant and k % 2:
            script.append((dominant, 40.0, "When that happened to me I just went straight to my manager and "
                           "told her how it was, and honestly it was the best thing I did."))
        else:
            script.append((member, 20.0, "So the rota goes out late every month and the team keeps asking "
                           "me about it, and I end up doing it at home."))
        who, text = others[k % len(others)]
        script.append((who, 4.0, text))
        script.append((DEV, 1.0, "Mm."))
    return script


def group_script() -> list[tuple[str, float, str]]:
    s: list[tuple[str, float, str]] = [
        (FAY, 12.0, "Hello everyone. We have got an hour, so let's say ten minutes each, and questions rather "
         "than advice. Report back first. Ana?"),
        (ANA, 30.0, "I did my action, I spoke to my manager and we have a plan for the clinic now."),
        (FAY, 3.0, "Great, thanks, Ana. Ben?"),
        (BEN, 30.0, "Mine was the handover sheet, and I have not done it yet, it is still on my list."),
        (FAY, 6.0, "Okay. Thank you, Ben. Right, Ana, do you want to go first?"),
    ]
    s += _turn(ANA, 9, [(BEN, "What would you like instead?"), (CARA, "What have you tried so far?")])
    s += [(FAY, 3.0, "So what will you do, and by when?"),
          (ANA, 8.0, "I will ask my manager on Monday for a protected afternoon."),
          (FAY, 4.0, "Thank you, Ana. Ben, are you ready?")]
    s += _turn(BEN, 13, [(ANA, "What is stopping you?"), (FAY, "Who else knows about this?")], dominant=CARA)
    s += [(ANA, 3.0, "So what will you do, and by when?"),
          (BEN, 8.0, "I will email the ward manager by Friday about the sheet."),
          (FAY, 3.0, "Lovely. Thank you, Ben."),
          (CARA, 20.0, "Okay, mine is quicker. I want to get my appraisal booked before the summer holidays start.")]
    s += _turn(CARA, 6, [(ANA, "What would make that easier?"), (FAY, "Who could help you with it?"),
                        (BEN, "What will you do first?")])
    s += [(BEN, 3.0, "So what will you do, and by when?"), (CARA, 8.0, "So I will book it with Sue tomorrow morning."),
          (FAY, 30.0, "Thank you all, that was a good session. Let's take five minutes for the learning logs now "
           "and we will start with report back next time."),
          (ANA, 2.0, "Thanks, Fay."), (BEN, 2.0, "Bye.")]
    return s


def cues(script) -> list[tuple[str, float, float, str]]:
    out, t = [], 1.0
    for who, dur, text in script:
        out.append((who, round(t, 2), round(t + dur, 2), text))
        t += dur + 0.5
    return out


def utterances() -> list[Utterance]:
    return [Utterance(w, a, b, text) for w, a, b, text in cues(group_script())]


def analyse(utts: list[Utterance], **plan) -> dict:
    analyzer = SessionAnalyzer(roles=group_roles(utts, FAY), plan=SessionPlan(**plan))
    analyzer.feed(utts)
    analyzer.finish()
    return analyzer.report()


def test_turns_follow_the_hand_overs_and_report_backs_are_not_turns():
    utts = utterances()
    report = analyse(utts)
    turns = report["turns"]
    assert [t["member"] for t in turns] == [ANA, BEN, CARA]
    assert all(t["planned_s"] == 600 for t in turns)  # "ten minutes each", said in the opening
    rows = report["utterances"]
    # The opening and both report-backs lie outside every turn.
    assert [r["turn_of"] for r in rows[:5]] == [None] * 5
    # "Thank you, Ben. Right, Ana, do you want to go first?" thanks Ben: it closes the report-back.
    first_ana = next(i for i, r in enumerate(rows) if r["turn_of"] == ANA)
    assert first_ana == 5
    # "Thank you, Ana. Ben, are you ready?" belongs to Ana's turn; Ben's starts after it.
    handover = next(i for i, r in enumerate(rows) if r["text"].startswith("Thank you, Ana. Ben"))
    assert rows[handover]["turn_of"] == ANA and rows[handover + 1]["turn_of"] == BEN
    # Cara starts without being invited, straight after Ben is thanked.
    cara = next(i for i, r in enumerate(rows) if r["text"].startswith("Okay, mine is quicker"))
    assert rows[cara - 1]["turn_of"] == BEN and rows[cara]["turn_of"] == CARA
    # The closing is outside the last turn.
    assert [r["turn_of"] for r in rows[-3:]] == [None, None, None]
    assert turns[2]["end"] == rows[-4]["end"]
    # The review's figures per turn: Cara talks more than Ben in his turn; the group asked questions.
    ben = turns[1]
    assert list(ben["talk_share"])[:2] == [CARA, BEN] and sum(ben["talk_share"].values()) == pytest.approx(1, abs=0.01)
    assert ben["group_questions"] >= 13 and turns[0]["group_questions"] >= 9


def test_turn_flags_name_who_they_concern():
    report = analyse(utterances())
    flags = {(f["kind"], f["who"]): f for f in report["flags"] if f["kind"] in
             ("turn_overrun", "dominant_member", "silent_member")}
    assert set(flags) == {("turn_overrun", BEN), ("dominant_member", CARA), ("silent_member", DEV)}
    ben = next(t for t in report["turns"] if t["member"] == BEN)
    over = flags[("turn_overrun", BEN)]
    assert over["start"] == pytest.approx(ben["start"] + 600, abs=0.01) and over["end"] == ben["end"]
    assert (flags[("dominant_member", CARA)]["start"], flags[("dominant_member", CARA)]["end"]) == \
        (ben["start"], ben["end"])
    silent = flags[("silent_member", DEV)]
    assert silent["start"] == report["turns"][0]["start"] and silent["end"] == report["turns"][-1]["end"]


def test_given_turn_minutes_win_over_the_announced_ones():
    report = analyse(utterances(), turn_minutes=15)
    assert {t["planned_s"] for t in report["turns"]} == {900}
    assert not [f for f in report["flags"] if f["kind"] == "turn_overrun"]  # 13 min is within 125% of 15


def test_explicit_turns_are_used_as_given():
    utts = utterances()
    report = analyse(utts, turns=[{"member": CARA, "start": 0.0, "end": 300.0}])
    assert [t["member"] for t in report["turns"]] == [CARA]
    assert {r["turn_of"] for r in report["utterances"] if r["start"] < 300} == {CARA}
    assert {r["turn_of"] for r in report["utterances"] if r["start"] >= 300} == {None}


def test_pair_sessions_get_no_turns():
    utts = [Utterance("Maya", 0, 5, "What would you like to work on?"), Utterance("Sam", 6, 20, "My rota.")]
    analyzer = SessionAnalyzer(roles={"Maya": Role.COACH, "Sam": Role.COACHEE})
    analyzer.feed(utts)
    analyzer.finish()
    report = analyzer.report()
    assert "turns" not in report and all("turn_of" not in r for r in report["utterances"])


def test_backchannels_and_announced_minutes():
    assert is_backchannel("Mm.") and is_backchannel("Yeah, yeah.") and is_backchannel("Oh god.")
    assert not is_backchannel("I will ask her.") and not is_backchannel("")
    says = [Utterance(FAY, 0, 5, "The guide says thirty minutes each, so let's say about twelve minutes each.")]
    assert planned_turn_minutes(says, FAY) == 12
    assert planned_turn_minutes([Utterance(FAY, 0, 5, "A couple of minutes each for report back.")], FAY) is None


def test_analyze_command_reports_turns_and_flags(tmp_path, capsys):
    path = write(tmp_path, "group.vtt", zoom_vtt(cues(group_script())))
    code = main(["analyze", str(path), "--facilitator", FAY, "--turn-minutes", "10", "--format", "json",
                 "--no-store"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    report = json.loads(out)
    assert [(t["member"], t["planned_s"]) for t in report["turns"]] == [(ANA, 600), (BEN, 600), (CARA, 600)]
    assert set(report["turns"][0]) >= {"member", "start", "end", "planned_s", "goal", "actions"}
    roles = {p["name"]: p["role"] for p in report["participants"]}
    assert roles[FAY] == "facilitator" and {roles[m] for m in (ANA, BEN, CARA, DEV)} == {"member"}
    assert any(f["kind"] == "silent_member" and f["who"] == DEV for f in report["flags"])
    # Each member's actions come from their own turn only.
    ben = report["turns"][1]
    assert [a["what"].lower() for a in ben["actions"]] == ["email the ward manager about the sheet"]
    assert all("Sue" not in a["what"] for t in report["turns"][:2] for a in t["actions"])


def test_analyze_command_refuses_an_unknown_facilitator(tmp_path, capsys):
    path = write(tmp_path, "group.vtt", zoom_vtt(cues(group_script())))
    code = main(["analyze", str(path), "--no-store", "--facilitator", "Nobody Here"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--facilitator 'Nobody Here' is not a speaker" in err


def test_analyze_command_refuses_zero_turn_minutes(tmp_path, capsys):
    path = write(tmp_path, "group.vtt", zoom_vtt(cues(group_script())))
    with pytest.raises(SystemExit) as e:
        main(["analyze", str(path), "--no-store", "--facilitator", FAY, "--turn-minutes", "0"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "--turn-minutes: minutes must be more than 0" in err.splitlines()[-1]


def test_an_open_invitation_taken_up_by_a_member_opens_their_turn():
    script = [(who, dur, "Thank you, Ana. Who would like to go next?" if text.startswith("Thank you, Ana. Ben")
               else text) for who, dur, text in group_script()]
    utts = [Utterance(w, a, b, text) for w, a, b, text in cues(script)]
    report = analyse(utts)
    assert [t["member"] for t in report["turns"]] == [ANA, BEN, CARA]
    rows = report["utterances"]
    i = next(i for i, r in enumerate(rows) if r["text"].startswith("Thank you, Ana. Who"))
    assert rows[i]["turn_of"] == ANA and rows[i + 1]["turn_of"] == BEN  # the thanked name is not invited
