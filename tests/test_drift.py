"""Topic drift: recent coachee talk compared with the session's own topic (goal and reality talk)."""

from __future__ import annotations

from tests.support.dialogues import run, unpunctuated

GOAL = [
    ("C", "What would you like to work on today?"),
    ("E", "My conference presentation. I want to feel confident presenting my research findings."),
    ("C", "How will you know you've got there?"),
    ("E", "I'll present the findings without reading the slides and answer audience questions calmly."),
    ("C", "What is happening with the presentation at the moment?"),
]
HOLIDAY = [
    "We went to the coast at the weekend and the kids loved the rock pools.",
    "My sister recommended a cottage in Wales with a garden for the dog.",
    "The traffic on the motorway was terrible on Saturday morning.",
    "We are thinking of booking kayaking lessons on the lake in July.",
    "The cafe by the harbour does amazing cream teas and fresh crab sandwiches.",
    "My partner wants to walk the whole coast path next summer.",
]
ON_TOPIC = [
    "The slides are half done and I still read from my notes when presenting.",
    "I worry about audience questions on the research methods.",
    "Presenting the findings to my team went fine when I practised.",
    "I feel more confident when the slides have fewer words.",
    "The conference audience will be big, maybe three hundred people.",
    "My findings are solid, it's presenting them that makes me nervous.",
    "Last year my supervisor said my talk ran over and I rushed the conclusions.",
    "The hardest questions come from senior researchers who challenge the sample size.",
    "I rehearse alone in my office but never with a timer or a practice audience.",
    "My opening minute is weak, I apologise for the data before showing it.",
]


def session(talk: list[str]) -> list[tuple]:
    """The goal, talk about it (the topic), then five minutes of ``talk``, at a speaking pace."""
    lines: list[tuple] = list(GOAL)
    for line in ON_TOPIC * 2 + [talk[k % len(talk)] for k in range(24)]:
        lines.append(("E", line, 5.0))
        lines.append(("C", "Mm, go on.", 1.5))
    return lines


def test_wandering_talk_is_flagged_once():
    r = run(session(HOLIDAY))
    (flag,) = r.flags("topic_drift")
    # The span is the holiday talk itself (not the on-topic talk in the window before it), at least 90 s of it.
    first_holiday = min(u.start for u in r.analyzer.ctx.utterances if u.text in HOLIDAY)
    assert first_holiday <= flag["start"] < first_holiday + 15
    assert flag["end"] - flag["start"] >= 90
    assert "presentation" in flag["message"] or "findings" in flag["message"]
    assert "goal" in flag["suggestion"] or "achieve" in flag["suggestion"]


def test_wandering_is_found_without_punctuation():
    assert run(unpunctuated(session(HOLIDAY))).flags("topic_drift")


def test_talk_about_the_goal_is_not_drift():
    r = run(session(ON_TOPIC))
    assert not r.flags("topic_drift")
    assert "presentation" in r.report["goal_terms"]


def test_a_digression_that_ends_has_no_stage_and_its_flag_names_its_utterances():
    # Two minutes of holiday talk inside Reality, then back to the presentation: the flag ends about where
    # the digression did (not a whole window later), carries its utterances, and they have no stage.
    lines: list[tuple] = list(GOAL)
    for line in ON_TOPIC * 2 + [HOLIDAY[k % len(HOLIDAY)] for k in range(20)] + ON_TOPIC * 2:
        lines.append(("E", line, 5.0))
        lines.append(("C", "Mm, go on.", 1.5))
    r = run(lines)
    (flag,) = r.flags("topic_drift")
    utts = r.report["utterances"]
    holiday = [u["index"] for u in utts if u["text"] in HOLIDAY]
    back = min(u["start"] for u in utts if u["text"] in ON_TOPIC and u["index"] > holiday[-1])
    assert flag["end"] < back
    assert flag["utterances"] and set(flag["utterances"]) <= set(range(holiday[0] - 30, holiday[-1] + 2))
    assert all(utts[j]["stage"] is None for j in flag["utterances"])
    assert len(set(flag["utterances"]) & set(holiday)) >= len(holiday) // 2
    # Talk on either side keeps its stage.
    assert utts[holiday[0] - 10]["stage"] and utts[-1]["stage"]
