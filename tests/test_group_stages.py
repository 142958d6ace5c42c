"""A group's turns each go through the GROW stages afresh, and are judged per turn.

A file's turns are inferred before the replay, a live session's come from the
facilitator's panel; either way the stage decoder starts over at each turn,
talk outside the turns has no stage, each member's goal is their own answer to
the group's goal question, and the flags are the group's (no_will and
stage_loop per turn, with ``who``), not a pair's (70/30, stage overrun).
"""

from __future__ import annotations

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.live_turns import open_turn
from companion.analysis.plan import SessionPlan
from companion.analysis.turns import group_roles
from companion.model import Role, Utterance
from companion.pipeline import analyze_utterances

FAY, ANA, BEN, CARA = "Fay Mills", "Ana Lee", "Ben Ross", "Cara Diaz"
#: Turns of three to four minutes: a turn holds the floor at least three (``turns.MIN_TURN_S``).
SLOW = 1.4


def _turn(member: str, first: str, asker: str, other: str, topic: str, want: str, *, will: bool = True):
    """One member's turn: the issue, the group's goal question and the answer, reality, options, (will)."""
    s = [
        (member, 14.0, f"Okay. So my issue is {topic}. It has been going on since the spring and it is getting "
                       "worse every month, honestly."),
        (asker, 3.0, "What would you like to be different?"),
        (member, 9.0, want),
        (other, 4.0, "What is happening at the moment?"),
        (member, 22.0, f"At the moment {topic} lands on me every week. The team keep asking me about it, the "
                       "manager is aware but busy, and I end up sorting it out at home in the evenings."),
        (asker, 3.0, "What have you tried so far?"),
        (member, 18.0, "I tried sending a reminder email, but nobody reads it, and I tried doing it early on "
                       "Monday mornings, but the wards ring constantly."),
        (other, 3.0, "What is stopping you from changing it?"),
        (member, 16.0, "Mostly time. And I do not really know who else could do it, it has always been me."),
        (asker, 4.0, "What could you do about it? What are your options?"),
        (member, 16.0, "I could ask Sue to share it with me. Or I could block Friday afternoons for it. "
                       "Maybe I could use the template from ward six."),
        (other, 3.0, "What else could you try?"),
        (member, 12.0, "I could also ask the manager to make it part of the deputy's role."),
    ]
    if will:
        s += [
            (asker, 4.0, "So what will you do, and by when?"),
            (member, 14.0, "I will ask Sue on Monday to share it, and I will block this Friday afternoon "
                           "for it. I will tell the manager at our one to one on Thursday."),
            (other, 3.0, "Who can help you with that?"),
            (member, 8.0, "Sue can help, and my manager."),
        ]
    s += [(FAY, 4.0, f"Thank you, {first}.")]
    return [(who, dur * SLOW, text) for who, dur, text in s]


def group_script() -> list[tuple[str, float, str]]:
    s: list[tuple[str, float, str]] = [
        (FAY, 14.0, "Hello everyone, welcome back. We have got about fifteen minutes, so let's say four "
                    "minutes each, and questions rather than advice."),
        (FAY, 3.0, "Ana, would you like to go first?"),
    ]
    s += _turn(ANA, "Ana", BEN, CARA, "the staff rota",
               "I want the rota out two weeks before the month starts, every month, without doing it at home.")
    s += [(FAY, 3.0, "Ben, are you ready?")]
    s += _turn(BEN, "Ben", CARA, ANA, "the discharge letters",
               "I want every discharge letter signed off on the day the patient goes home, by the end of March.")
    s += [(FAY, 3.0, "Cara, over to you.")]
    s += _turn(CARA, "Cara", ANA, BEN, "the audit for the clinic",
               "I want the clinic audit finished and sent to governance by the end of June.", will=False)
    s += [(FAY, 20.0, "Thank you all, that was a good session. Let's take five minutes for the learning logs "
                      "now and we will start with report back next time."),
          (ANA, 2.0, "Thanks, Fay."), (BEN, 2.0, "Bye.")]
    return s


def utterances() -> list[Utterance]:
    out, t = [], 1.0
    for who, dur, text in group_script():
        out.append(Utterance(who, round(t, 2), round(t + dur, 2), text))
        t += dur + 0.5
    return out


def from_file(utts: list[Utterance]) -> dict:
    """As ``companion analyze FILE --facilitator "Fay Mills"`` takes it (turns inferred before the replay)."""
    return analyze_utterances(utts, roles=group_roles(utts, FAY), plan=SessionPlan()).report


def test_each_turn_goes_through_the_stages_afresh_and_talk_outside_turns_has_none():
    report = from_file(utterances())
    turns = report["turns"]
    assert [t["member"] for t in turns] == [ANA, BEN, CARA]
    for t in turns:
        # Not carried over from the turn before: every turn starts at the goal, then reality, options.
        assert t["stages"][:3] == ["goal", "reality", "options"], t
    assert [t["stages"][-1] for t in turns] == ["will", "will", "options"]
    outside = [u for u in report["utterances"] if u["turn_of"] is None]
    assert outside and all(u["stage"] is None for u in outside)
    # The goal question in the second and third turns is marked as the goal, not as Reality.
    asked = [u for u in report["utterances"] if u["text"] == "What would you like to be different?"]
    assert [u["stage"] for u in asked] == ["goal", "goal", "goal"]


def test_each_members_goal_is_their_answer_to_the_groups_goal_question():
    report = from_file(utterances())
    goals = {t["member"]: t["goal"] for t in report["turns"]}
    assert goals[ANA].startswith("I want the rota out two weeks before the month starts")
    assert goals[BEN].startswith("I want every discharge letter signed off")
    assert goals[CARA].startswith("I want the clinic audit finished")
    actions = {t["member"]: t["actions"] for t in report["turns"]}
    assert actions[ANA] and actions[BEN] and not actions[CARA]


def test_flags_are_the_groups_per_turn_with_who():
    report = from_file(utterances())
    kinds = [f["kind"] for f in report["flags"]]
    # A pair's rules do not apply to a group whose turns are known.
    assert not {"coach_dominance", "stage_overrun", "interruptions"} & set(kinds)
    no_will = [f for f in report["flags"] if f["kind"] == "no_will"]
    cara = report["turns"][2]
    assert [(f["who"], f["start"], f["end"]) for f in no_will] == [(CARA, cara["start"], cara["end"])]


def test_a_live_session_restarts_the_stages_at_the_turns_the_facilitator_opens():
    utts = utterances()
    inferred = from_file(utts)["turns"]
    analyzer = SessionAnalyzer(roles=group_roles(utts, FAY), plan=SessionPlan(turn_minutes=4))
    starts = {t["start"]: t["member"] for t in inferred}
    ends = {t["end"] for t in inferred}
    for u in utts:
        if u.start in starts:
            open_turn(analyzer.ctx, starts[u.start], u.start)
        analyzer.update(u)
        if u.end in ends:
            open_turn(analyzer.ctx, None, u.end)
    analyzer.finish()
    live = analyzer.report()
    assert [t["stages"] for t in live["turns"]] == [t["stages"] for t in inferred]
    assert [(f["kind"], f["who"]) for f in live["flags"] if f["kind"] == "no_will"] == [("no_will", CARA)]
    # Judged when Cara's turn is over: the facilitator is not nudged about it afterwards.
    assert not [n for n in live["nudges"] if n["kind"] == "no_will"]


def test_a_pair_is_decoded_as_before_whether_or_not_it_is_known_in_advance():
    utts = [Utterance("Coach" if who == BEN else "Client", u.start, u.end, u.text)
            for u, (who, _, _) in zip(utterances(), group_script()) if who in (ANA, BEN)]
    roles = {"Coach": Role.COACH, "Client": Role.COACHEE}
    replayed = SessionAnalyzer(roles=roles, length_s=utts[-1].end)
    replayed.prepare(utts)
    replayed.feed(utts)
    replayed.finish()
    plain = SessionAnalyzer(roles=roles, length_s=utts[-1].end)
    plain.feed(utts)
    plain.finish()
    assert replayed.ctx.turn_spans == {}
    assert [m["stage"] for m in replayed.ctx.marks] == [m["stage"] for m in plain.ctx.marks]
    assert "turns" not in replayed.report()
