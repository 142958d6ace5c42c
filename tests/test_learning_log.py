"""The learning-log drafter on hand-made sessions: pure, no server, no store."""

from __future__ import annotations

from datetime import date

import pytest

from companion import logbook as learning_log
from companion.errors import InputError
from companion.importers import load_transcript
from companion.model import Role, Utterance
from companion.pipeline import analyze_utterances

WEDNESDAY = "2025-03-12T10:00:00+00:00"


def make_report(lines, roles, *, started=WEDNESDAY, stages=None):
    """A report from (speaker, text) lines, with the analytics' marks cleared or set by hand.

    Clearing the marks makes the drafter's own cues the thing under test; ``stages`` sets
    them as the GROW tracker would, to test that the drafter follows them.
    """
    utts, t = [], 0.0
    for speaker, text in lines:
        d = 1.5 + 0.35 * len(text.split())
        utts.append(Utterance(speaker, t, t + d, text))
        t += d + 0.6
    report = analyze_utterances(utts, roles=roles, session={"source": "test", "started_at": started}).report
    for i, u in enumerate(report["utterances"]):
        u["acts"], u["focus"] = [], None
        u["stage"] = stages[i] if stages else None
    return report


def sample_report(sample_vtt, stages=None):
    utts = load_transcript(sample_vtt)
    report = analyze_utterances(utts, roles={"Maya": Role.COACH, "Sam": Role.COACHEE},
                                session={"source": "sample", "started_at": WEDNESDAY}).report
    for i, u in enumerate(report["utterances"]):
        u["acts"], u["focus"] = [], None
        u["stage"] = stages[i] if stages else None
    return report


# The sample session's stages as a GROW tracker would mark them (30 utterances).
SAMPLE_STAGES = ["goal"] * 6 + ["reality"] * 6 + ["goal"] * 2 + ["options"] * 8 + ["will"] * 8


def texts(items, key="text"):
    return [i[key].lower() for i in items]


@pytest.mark.parametrize("stages", [None, SAMPLE_STAGES], ids=["cues-only", "stage-marks"])
def test_sample_session_goal_options_and_actions(sample_vtt, stages):
    log = learning_log.draft(sample_report(sample_vtt, stages))
    assert log["participant"] == "Sam"
    assert log["members_present"] == ["Maya", "Sam"] and log["facilitator"] is None
    assert log["date"] == "2025-03-12"
    assert "team meetings" in log["content"]

    goal = log["goal"]
    assert "finish on time" in goal["text"] and "forty five minutes" in goal["text"]
    assert goal["smart"]["measurable"] and goal["smart"]["time_bound"] and goal["smart"]["specific"]
    assert goal["smart"]["missing"] == [k for k in learning_log.SMART_KEYS if not goal["smart"][k]]
    assert 3 in goal["source"]["utterances"]

    options = texts(log["options"])
    for expected in ("send the agenda three days ahead", "ask someone else to keep time",
                     "park the tangents", "ask the team what they would change"):
        assert any(expected in o for o in options), (expected, options)

    actions = {a["when"]: a for a in log["actions"]}
    assert set(actions) == {"by Friday", "by Wednesday", "at the start of that meeting"}
    assert "send the agenda" in actions["by Friday"]["what"].lower()
    assert actions["by Friday"]["due"] == "2025-03-14"
    assert actions["by Wednesday"]["who"] == "Priya"
    assert "ask priya for her agenda template" in actions["by Wednesday"]["what"].lower()
    assert actions["by Wednesday"]["due"] == "2025-03-19"  # the next Wednesday, not the session's day
    assert "ask the team for ideas" in actions["at the start of that meeting"]["what"].lower()


@pytest.mark.parametrize("stages", [None, SAMPLE_STAGES], ids=["cues-only", "stage-marks"])
def test_rejected_coach_suggestion_is_not_drafted(sample_vtt, stages):
    report = sample_report(sample_vtt, stages)
    assert "cancel the meeting" in report["utterances"][18]["text"]  # Maya's suggestion, Sam declines
    log = learning_log.draft(report)
    everything = " ".join(texts(log["options"]) + texts(log["actions"], "what") + texts(log["reality"]))
    assert "cancel" not in everything
    assert all(18 not in i["source"]["utterances"] for i in log["options"] + log["actions"])


def test_reality_points_are_the_coachees_own_words(sample_vtt):
    report = sample_report(sample_vtt)
    log = learning_log.draft(report)
    reality = " ".join(texts(log["reality"]))
    assert "go off on tangents" in reality and "tried a timer" in reality
    assert 1 <= len(log["reality"]) <= learning_log.MAX_REALITY


def test_every_source_quotes_real_utterances(sample_vtt):
    report = sample_report(sample_vtt)
    log = learning_log.draft(report)
    items = [log["goal"]] + log["reality"] + log["options"] + log["actions"]
    assert len(items) > 8
    for item in items:
        src = item["source"]
        assert src["start"] == report["utterances"][src["utterances"][0]]["start"]
        for q in src["quotes"]:
            u = report["utterances"][q["index"]]
            assert (q["speaker"], q["text"], q["start"]) == (u["speaker"], u["text"], u["start"])
        # drafted from the coachee: the coachee said (part of) it
        assert any(report["utterances"][i]["speaker"] == "Sam" for i in src["utterances"])
        said = " ".join(report["utterances"][i]["text"].lower() for i in src["utterances"])
        words = (item.get("text") or item.get("what")).lower().split()
        assert sum(w in said for w in words) >= 0.8 * len(words), (item, said)


PAIR = {"Ana": Role.COACH, "Ben": Role.COACHEE}


def test_suggestion_taken_up_becomes_option_and_action_and_rejected_does_not():
    report = make_report([
        ("Ana", "What would you like to work on today?"),
        ("Ben", "I want to run the team workshop on the new rota before Easter."),
        ("Ana", "What could you do to get it going?"),
        ("Ben", "I could email the rota draft to everyone first."),
        ("Ana", "You should cancel the Thursday handover to make time."),
        ("Ben", "No, I don't think that would go down well."),
        ("Ana", "Why don't you book the big meeting room for the workshop?"),
        ("Ben", "Good idea, I'll do that by Monday."),
        ("Ana", "Have you considered asking Dev to co-facilitate?"),
        ("Ben", "Yes, that could work."),
    ], PAIR)
    log = learning_log.draft(report)
    options = texts(log["options"])
    assert any("email the rota draft" in o for o in options)
    assert any("book the big meeting room" in o for o in options)
    assert any("asking dev to co-facilitate" in o for o in options)
    assert not any("cancel" in o for o in options + texts(log["actions"], "what"))
    booked = next(a for a in log["actions"] if "book the big meeting room" in a["what"].lower())
    assert booked["when"] == "by Monday" and booked["due"] == "2025-03-17"
    assert booked["source"]["utterances"] == [6, 7]  # the suggestion and Ben taking it up
    assert [a["what"] for a in log["actions"]] == [booked["what"]]  # nothing else was committed to


def test_nothing_is_invented_from_small_talk():
    report = make_report([
        ("Ana", "Hi Ben, how was your weekend?"),
        ("Ben", "Good thanks, we went walking by the river."),
        ("Ana", "Lovely. Shall we start next time, as we are short of time today?"),
        ("Ben", "Yes, let's do that."),
    ], PAIR)
    log = learning_log.draft(report)
    assert log["goal"] is None and log["options"] == [] and log["actions"] == []
    assert log["reality"] == [] and log["content"] == "" and log["evaluation"] == ""


def test_coach_words_alone_never_become_the_coachees_goal_or_actions():
    report = make_report([
        ("Ana", "I want to talk about my own week first. I'll send you my notes by Friday."),
        ("Ben", "Sure."),
    ], PAIR)
    log = learning_log.draft(report)
    assert log["goal"] is None and log["actions"] == [] and log["content"] == ""


def test_speech_recognition_text_without_punctuation():
    report = make_report([
        ("Ana", "what will you do first"),
        ("Ben", "ill email the supplier by thursday and im going to call my manager tomorrow morning"),
    ], PAIR)
    actions = learning_log.draft(report)["actions"]
    assert [(a["when"], a["due"]) for a in actions] == [("by thursday", "2025-03-13"),
                                                        ("tomorrow morning", "2025-03-13")]
    assert actions[0]["what"].lower() == "email the supplier"
    assert actions[1]["who"] == "my manager"


def test_evaluation_and_smart_gaps():
    report = make_report([
        ("Ana", "What would you like to get out of today?"),
        ("Ben", "I'd like to feel better about work."),
        ("Ana", "What have you noticed today?"),
        ("Ben", "I realised I never say no to extra shifts."),
    ], PAIR)
    log = learning_log.draft(report)
    assert log["goal"]["text"] == "I'd like to feel better about work."
    assert {"measurable", "time_bound"} <= set(log["goal"]["smart"]["missing"])
    assert "never say no to extra shifts" in log["evaluation"]
    assert log["evaluation_source"]["utterances"] == [3]


GROUP = {"Fay": Role.FACILITATOR, "Gil": Role.COACHEE, "Hal": Role.MEMBER, "Ivy": Role.MEMBER}


def group_report():
    return make_report([
        ("Fay", "Gil, what are you trying to do?"),
        ("Gil", "I want to get my team's rota published four weeks ahead by June."),
        ("Hal", "What is stopping you at the moment?"),
        ("Gil", "Nobody owns the rota and the software keeps crashing."),
        ("Ivy", "What could you do about it?"),
        ("Gil", "I could ask IT for a fix. I'll ask Priya in IT for help by Friday."),
        ("Fay", "Thank you Gil. Hal, what are you trying to do?"),
        ("Hal", "I want to stop taking work home every night this month."),
        ("Ivy", "What will you do first?"),
        ("Hal", "I'm going to block my diary after five from next week."),
    ], GROUP)


def test_group_each_member_gets_their_own_log_with_key_questions():
    report = group_report()
    assert learning_log.log_owners(report) == ["Gil", "Hal", "Ivy"]
    gil = learning_log.draft_for(report, "Gil")
    hal = learning_log.draft_for(report, "Hal")
    assert gil["facilitator"] == "Fay" and gil["members_present"] == ["Fay", "Gil", "Hal", "Ivy"]
    assert "rota" in gil["goal"]["text"] and "work home" in hal["goal"]["text"]
    assert [a["when"] for a in gil["actions"]] == ["by Friday"] and gil["actions"][0]["who"] == "Priya"
    assert [a["when"] for a in hal["actions"]] == ["from next week"]
    assert not any("diary" in a["what"] for a in gil["actions"])
    questions = {q["key"]: q for q in gil["key_questions"]}
    assert [q["question"] for q in gil["key_questions"]][0] == "What am I trying to do?"
    assert "rota" in questions["trying"]["answer"]
    assert "software keeps crashing" in questions["stopping"]["answer"]
    assert "Priya" in questions["who_helps"]["answer"]
    assert questions["who_knows"]["answer"] == "" and questions["who_knows"]["source"] is None
    ivy = learning_log.draft_for(report, "Ivy")  # present, but brought nothing
    assert ivy["goal"] is None and ivy["actions"] == []
    assert learning_log.draft(report)["participant"] == "Gil"


def test_pair_logs_have_no_key_questions(sample_vtt):
    assert learning_log.draft(sample_report(sample_vtt))["key_questions"] == []


@pytest.mark.parametrize("text, phrase, due", [
    ("I'll send it by Friday", "by Friday", "2025-03-14"),
    ("I'll do it on Wednesday", "on Wednesday", "2025-03-19"),
    ("call her next Tuesday afternoon", "next Tuesday afternoon", "2025-03-18"),
    ("finish it by the 3rd", "by the 3rd", "2025-04-03"),
    ("finish it by the 20th", "by the 20th", "2025-03-20"),
    ("have it done by March 20th", "by March 20th", "2025-03-20"),
    ("have it done by 2 April", "by 2 April", "2025-04-02"),
    ("write to them tomorrow", "tomorrow", "2025-03-13"),
    ("sort it by the end of the month", "by the end of the month", "2025-03-31"),
    ("by the end of the week", "by the end of the week", "2025-03-14"),
    ("within two weeks", "within two weeks", "2025-03-26"),
    ("in 3 days", "in 3 days", "2025-03-15"),
    ("start next week", "next week", None),
    ("before our next session", "before our next session", None),
    ("right away", "right away", None),
])
def test_time_phrases(text, phrase, due):
    found = learning_log.when_of(text, date(2025, 3, 12))
    assert (found.text, found.due) == (phrase, due)


def test_time_phrases_ignore_plain_numbers_and_prefer_deadlines():
    assert learning_log.when_of("I have 3 reports to write", date(2025, 3, 12)) is None
    found = learning_log.when_of("for next week's meeting, by Friday", date(2025, 3, 12))
    assert found.text == "by Friday"


def test_clean_log_rebuilds_sources_and_rejects_bad_input(sample_vtt):
    report = sample_report(sample_vtt)
    log = learning_log.draft(report)
    log["options"][0]["source"] = {"utterances": [15], "quotes": [{"text": "words nobody said"}]}
    log["options"].append({"text": "   ", "source": None})  # emptied: removed
    clean = learning_log.clean_log(report, log)
    assert clean["options"][0]["source"]["quotes"][0]["text"] == report["utterances"][15]["text"]
    assert len(clean["options"]) == len(log["options"]) - 1
    assert clean["goal"]["smart"]["missing"] == log["goal"]["smart"]["missing"]
    for bad, message in [
        ({**log, "options": [{"text": "x", "source": {"utterances": [999]}}]}, "does not exist"),
        ({**log, "content": 5}, "content must be text"),
        ({**log, "actions": "send it"}, "actions must be a list"),
        ({**log, "actions": [{"what": "x", "due": "soon"}]}, "not a date"),
        ([1, 2], "JSON object"),
    ]:
        with pytest.raises(InputError, match=message):
            learning_log.clean_log(report, bad)


def test_with_the_analytics_own_marks(sample_vtt):
    """Whatever the GROW tracker marks, the draft keeps the goal, options and dated actions."""
    utts = load_transcript(sample_vtt)
    report = analyze_utterances(utts, roles={"Maya": Role.COACH, "Sam": Role.COACHEE},
                                session={"source": "sample", "started_at": WEDNESDAY}).report
    log = report["log_draft"]
    assert log == learning_log.draft(report)
    assert "finish on time" in log["goal"]["text"]
    assert len(log["options"]) >= 4 and not any("cancel" in o for o in texts(log["options"]))
    assert {a["when"] for a in log["actions"]} == {"by Friday", "by Wednesday", "at the start of that meeting"}
