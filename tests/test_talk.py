"""Talk metrics against values computed by hand."""

import pytest

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.talk import talk_seconds
from companion.model import EventType, Role, Utterance, Word

ROLES = {"Coach": Role.COACH, "Client": Role.COACHEE}


def analyse(utts):
    a = SessionAnalyzer(roles=ROLES)
    events = a.feed(utts)
    a.finish()
    return a.report(), events


def by_name(report):
    return {p["name"]: p for p in report["participants"]}


def test_hand_computed_talk_metrics():
    utts = [
        Utterance("Coach", 0.0, 5.0, "What would you like to talk about today?"),  # 8 words
        Utterance("Client", 6.0, 26.0, "I keep missing deadlines and it worries me a lot"),  # 10 words
        Utterance("Client", 27.0, 37.0, "Mostly on the big reports"),  # 5 words, same turn
        Utterance("Coach", 38.0, 41.0, "What happens then?"),  # 3 words
        Utterance("Client", 42.0, 52.0, "I panic."),  # 2 words
    ]
    report, _ = analyse(utts)
    p = by_name(report)
    # Coach: 5 + 3 = 8 s; client: 20 + 10 + 10 = 40 s; total 48 s.
    assert p["Coach"]["talk_s"] == 8.0 and p["Client"]["talk_s"] == 40.0
    assert p["Coach"]["talk_share"] == pytest.approx(8 / 48, abs=1e-4)
    assert p["Client"]["talk_share"] == pytest.approx(40 / 48, abs=1e-4)
    assert p["Coach"]["turns"] == 2 and p["Client"]["turns"] == 2
    assert p["Coach"]["words"] == 11 and p["Client"]["words"] == 17
    assert p["Coach"]["words_per_minute"] == pytest.approx(11 / (8 / 60), abs=0.1)
    assert p["Client"]["words_per_minute"] == pytest.approx(17 / (40 / 60), abs=0.1)
    # The client's first turn runs from 6 s to 37 s.
    assert p["Client"]["longest_monologue_s"] == 31.0
    assert p["Coach"]["longest_monologue_s"] == 5.0
    assert report["session"]["duration_s"] == 52.0
    assert report["coach_skills"]["talk_share"] == pytest.approx(8 / 48, abs=1e-4)
    assert [u["role"] for u in report["utterances"]] == ["coach", "coachee", "coachee", "coach", "coachee"]


def test_overlap_is_not_double_counted_and_interruptions_are_counted():
    utts = [
        Utterance("Client", 0.0, 10.0, "so I was saying that the whole thing went wrong"),
        Utterance("Coach", 6.0, 8.0, "can I stop you there"),  # starts 4 s before the client ends
        Utterance("Client", 9.0, 12.0, "sure"),  # overlaps the client's own first cue by 1 s
        Utterance("Coach", 11.8, 13.0, "thanks"),  # 0.2 s overlap: cue rounding, not an interruption
    ]
    report, _ = analyse(utts)
    p = by_name(report)
    assert p["Client"]["talk_s"] == 12.0  # union of [0,10] and [9,12]
    assert p["Coach"]["talk_s"] == pytest.approx(3.2)
    assert p["Coach"]["interruptions"] == 1
    assert p["Client"]["interruptions"] == 0  # resumed at 9 s, after the coach stopped at 8 s
    assert report["coach_skills"]["interruptions"] == 1


def test_word_timings_count_words_and_untranscribed_speech_counts_for_time_only():
    words = [Word(0.0, 0.4, " I"), Word(0.4, 0.9, " see"), Word(0.9, 1.0, ",")]
    utts = [
        Utterance("Coach", 0.0, 1.0, "I see,", words=words),
        Utterance("Client", 1.5, 4.5, "", transcribed=False),
    ]
    report, _ = analyse(utts)
    p = by_name(report)
    assert p["Coach"]["words"] == 2
    assert p["Client"]["talk_s"] == 3.0 and p["Client"]["words"] == 0
    assert p["Client"]["words_per_minute"] is None


def test_balance_event_after_each_utterance_is_coach_only():
    utts = [Utterance("Coach", 0, 2, "Hi?"), Utterance("Client", 2.5, 6.5, "Hello there")]
    _, events = analyse(utts)
    balance = [e for e in events if e.type == EventType.BALANCE]
    assert len(balance) == 2
    last = {p["name"]: p["talk_share"] for p in balance[-1].data["participants"]}
    assert last == {"Coach": pytest.approx(2 / 6, abs=1e-3), "Client": pytest.approx(4 / 6, abs=1e-3)}
    assert all(str(e.audience) == "coach" for e in balance)


def test_silent_participant_is_listed_with_zeros():
    a = SessionAnalyzer(roles={**ROLES, "Observer": Role.MEMBER})
    a.feed([Utterance("Coach", 0, 1, "Hi?"), Utterance("Client", 1, 2, "Hi")])
    p = by_name(a.report())
    assert p["Observer"]["talk_s"] == 0 and p["Observer"]["turns"] == 0


def test_talk_by_stage_counts_overlapping_cues_of_one_speaker_once():
    """Per-stage shares use the same talk accounting as the overall shares."""
    from companion.pipeline import analyze_utterances

    utts = [
        Utterance("Coach", 0.0, 4.0, "What would you like to work on today?"),
        Utterance("Client", 4.5, 20.0, "I want to get better at delegating to my team."),
        Utterance("Client", 10.0, 20.0, "I want to get better at delegating to my team."),  # a duplicated cue
        Utterance("Coach", 20.5, 24.5, "What would success look like for you?"),
    ]
    report = analyze_utterances(utts, roles=ROLES).report
    assert [u["talk_s"] for u in report["utterances"]] == [4.0, 15.5, 0.0, 4.0]
    assert report["coach_skills"]["talk_share_by_stage"]["goal"] == pytest.approx(8 / 23.5, abs=1e-3)
    assert report["coach_skills"]["talk_share"] == pytest.approx(8 / 23.5, abs=1e-3)


def _dominated(lead: str, lead_role: Role, others: dict[str, Role]) -> dict:
    """Ten minutes in which the lead talks 89% of the time and the others answer briefly."""
    utts, t = [], 0.0
    names = list(others)
    for k in range(20):
        utts.append(Utterance(lead, t, t + 26.7, "Let me tell you how I would handle this, it is what I did."))
        t += 26.7
        who = names[k % len(names)]
        utts.append(Utterance(who, t, t + 3.3, "Right, I see."))
        t += 3.3
    a = SessionAnalyzer(roles={lead: lead_role, **others})
    a.feed(utts)
    a.finish()
    return a.report()


def test_a_facilitator_who_dominates_gets_the_same_figures_and_flags_as_a_coach():
    pair = _dominated("Coach", Role.COACH, {"Client": Role.COACHEE})
    group = _dominated("Fay", Role.FACILITATOR, {"Ann": Role.MEMBER, "Bo": Role.MEMBER})
    for r in (pair, group):
        assert r["coach_skills"]["talk_share"] == pytest.approx(0.89, abs=0.005)
        assert r["coach_skills"]["recent_talk_share"] == pytest.approx(0.89, abs=0.02)
        assert r["talk_norm"]["within"] is False
        assert [f["kind"] for f in r["flags"]].count("coach_dominance") == 1
    (flag,) = [f for f in group["flags"] if f["kind"] == "coach_dominance"]
    assert flag["who"] == "Fay"


def test_talk_time_is_one_union_everywhere():
    utts = [Utterance("A", 0.0, 10.0, "one"), Utterance("A", 8.0, 12.0, "two"),  # overlap: 12 s, not 14
            Utterance("B", 12.5, 14.0, "three")]
    assert talk_seconds(utts) == {"A": 12.0, "B": 1.5}
    a = SessionAnalyzer(roles={"A": Role.COACHEE, "B": Role.COACH})
    a.feed(utts)
    assert [m["talk_s"] for m in a.ctx.marks] == [10.0, 2.0, 1.5]
    assert by_name(a.report())["A"]["talk_s"] == 12.0
