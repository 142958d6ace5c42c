"""The action plan's rules for one action per commitment (issue 15): what an exchange in the Will
makes of a coach's prompt and the coachee's answers. Reports come from the real analyzer, with the
stages set by hand as the tracker would mark them (see test_learning_log.make_report)."""

from __future__ import annotations

from companion import logbook
from companion.analysis.commitments import committed_in_context
from companion.logbook.dates import when_of
from companion.logbook.people import you_as
from tests.test_learning_log import PAIR, WEDNESDAY, make_report


def actions(lines, stages=None):
    report = make_report(lines, PAIR, stages=stages or "w" * len(lines))
    return logbook.draft(report)["actions"]


def whats(lines, stages=None):
    return [a["what"] for a in actions(lines, stages)]


def test_words_fronted_before_ill_stay_with_the_step():
    assert committed_in_context("Every call, I'll write it first.") == [("write it first", "Every call")]
    assert committed_in_context("I'll email Sunita.") == [("email Sunita", None)]
    # a clause of its own before "I'll" is not fronted to the step
    assert committed_in_context("My colleague Priya runs great meetings, I'll ask her.") == [("ask her", None)]
    drafted = actions([
        ("Ana", "And when would you go to Sunita?"),
        ("Ben", "If there's nothing in the diary by Friday, I'll email Sunita that day. Copy Janet."),
    ])
    assert [(a["what"], a["when"]) for a in drafted] == [
        ("Email Sunita that day, if there's nothing in the diary; Copy Janet", "by Friday")]


def test_a_forecast_after_i_think_is_not_a_commitment():
    assert committed_in_context("I think I'll have a clearer head for it.") == []


def test_a_recap_of_the_plan_adds_no_action():
    drafted = actions([
        ("Ana", "What will you do first?"),
        ("Ben", "I'll email Lesley by Friday."),
        ("Ana", "And the budget?"),
        ("Ben", "I'll book an hour with Mohammed this week to agree the baseline."),
        ("Ana", "Can you run me through the whole plan?"),
        ("Ben", "Email Lesley by Friday. Book Mohammed this week. And I'll ring the depot."),
    ])
    assert [a["what"] for a in drafted] == ["Email Lesley", "Book an hour with Mohammed to agree the baseline"]
    assert drafted[0]["source"]["utterances"] == [1, 5] and drafted[1]["source"]["utterances"] == [3, 5]


def test_a_plan_b_stays_with_the_step_it_backs_up():
    drafted = actions([
        ("Ana", "When will you talk to Janet?"),
        ("Ben", "Monday. I'll ask Janet for ten minutes after the board round."),
        ("Ana", "What could get in the way on Monday?"),
        ("Ben", "If she's in a meeting. Then I'll send her a Teams message asking for Tuesday."),
    ])
    assert [a["what"] for a in drafted] == ["Ask Janet for ten minutes after the board round"]
    assert drafted[0]["source"]["utterances"] == [1, 3]


def test_a_step_the_coach_proposes_and_the_coachee_accepts_is_the_coachees():
    drafted = actions([
        ("Ana", "Do you want to bring the stroke preparation back to our next session?"),
        ("Ben", "Yes. Yes, please."),
    ])
    assert [(a["what"], a["owner"], a["when"]) for a in drafted] == [
        ("Bring the stroke preparation back to our next session", "Ben", "next session")]
    assert drafted[0]["source"]["utterances"] == [0, 1]
    declined = actions([
        ("Ana", "Do you want to bring the stroke preparation back to our next session?"),
        ("Ben", "No, I don't think so."),
    ])
    assert declined == []


def test_a_proposal_answered_in_the_coachees_own_words_is_one_step_in_those_words():
    drafted = actions([
        ("Ana", "Will you message me when it's booked?"),
        ("Ben", "Yeah. I'll send you a screenshot."),
    ])
    assert [(a["what"], a["owner"]) for a in drafted] == [("Send Ana a screenshot", "Ben")]


def test_what_the_coachee_will_say_is_the_content_of_the_step():
    drafted = actions([
        ("Ana", "So when will you talk to Janet?"),
        ("Ben", "Monday. I'll ask Janet for ten minutes."),
        ("Ana", "What will you say?"),
        ("Ben", "Something like, \"Would it help if Daniel supervised me until you're back?\""),
    ])
    assert len(drafted) == 1
    assert drafted[0]["what"] == "Ask Janet for ten minutes: Would it help if Daniel supervised me until you're back."
    assert drafted[0]["source"]["utterances"] == [1, 3]


def test_an_answer_without_ill_is_a_step_once_the_coachee_says_when_it_starts():
    drafted = actions([
        ("Ana", "So what would you actually do?"),
        ("Ben", "Whole-class feedback with one class. My 8C2 class, they're the easiest."),
        ("Ana", "Starting when?"),
        ("Ben", "Monday."),
    ])
    assert [(a["what"], a["when"], a["due"]) for a in drafted] == [
        ("Whole-class feedback with one class. My 8C2 class, they're the easiest.", "Monday", "2025-03-17")]


def test_who_needs_to_know_says_what_they_are_told():
    assert whats([
        ("Ana", "Who needs to know how it went?"),
        ("Ben", "Hilary. I'll tell her after, by the end of next week."),
    ]) == ["Tell Hilary how it went, after"]
    # a "tell" that says what is told keeps its own words
    assert whats([
        ("Ana", "Who needs to know about all of this?"),
        ("Ben", "Fiona. I'll tell her the plan on Monday."),
    ]) == ["Tell Fiona the plan"]


def test_the_same_step_for_another_day_is_another_action_and_said_again_fuller_is_one():
    drafted = actions([
        ("Ana", "And the team meeting?"),
        ("Ben", "I'll bring the list to Colin on Tuesday."),
        ("Ana", "What will you bring to our next session?"),
        ("Ben", "The second of April. I'll bring the list, and what Colin said, on the second of April."),
    ])
    assert [a["due"] for a in drafted] == ["2025-03-18", "2025-04-02"]
    restated = actions([
        ("Ana", "What about Helen?"),
        ("Ben", "I'll tell Helen."),
        ("Ana", "So what will you do, and when?"),
        ("Ben", "Tell Helen at the department meeting on Wednesday that I'll answer after Easter."),
    ])
    assert [a["what"] for a in restated] == ["Tell Helen at the department meeting that I'll answer after Easter"]


def test_the_one_thing_is_one_action_and_a_list_of_items_one_each():
    one = actions([
        ("Ana", "So what's the one thing you'll commit to, and by when?"),
        ("Ben", "Book it on the system by Friday. And tell Helen in supervision on Thursday."),
    ])
    assert len(one) == 1 and one[0]["what"] == "Book it on the system; tell Helen in supervision"
    several = actions([
        ("Ana", "And the rest? Wakefield, the Hub, co-design?"),
        ("Ben", "Wakefield, I'll book a visit for June. The Hub, I'll ask Gary at the steering group."),
    ])
    assert [a["what"] for a in several] == ["Book a visit for June, Wakefield",
                                            "Ask Gary at the steering group, the Hub"]


def test_an_item_the_coach_asks_about_is_drafted_from_the_whole_exchange():
    drafted = actions([
        ("Ben", "I could role-play it with someone."),
        ("Ana", "And the role-play, when would that happen?"),
        ("Ben", "Um, are you in Thursday?"),
        ("Ana", "I'm on a long day Thursday, I could do lunch."),
        ("Ben", "Lunch Thursday, then. We could use the education room, it's usually empty."),
        ("Ana", "How many calls do you want to practise?"),
        ("Ben", "Two. One COPD patient and maybe a hypo."),
    ], stages="owwwwww")
    assert len(drafted) == 1
    what = drafted[0]["what"]
    assert "education room" in what and "COPD patient" in what and drafted[0]["when"] == "Thursday"
    assert drafted[0]["source"]["utterances"][-1] == 6


def test_a_time_relative_to_an_event_is_kept_as_said_without_a_date():
    phrase = when_of("The week after the meeting. While it's fresh.")
    assert phrase is not None and phrase.text == "The week after the meeting" and phrase.due is None
    assert WEDNESDAY  # the session date the other tests resolve against


def test_a_coach_summary_the_coachee_agrees_to_at_the_plan_check_is_the_coachees_plan():
    lines = [
        ("Ana", "And then you write it up straight afterwards, and you send him a summary email."),
        ("Ben", "Okay."),
        ("Ana", "So Thursday you do the conversation, three examples. Then the summary email the same day."),
        ("Ben", "How would I even start it, though?"),
        ("Ana", "Just say it. Go straight into the first example."),
        ("Ben", "Okay. I can do that."),
        ("Ana", "You're good with that?"),
        ("Ben", "Yeah. I guess. I mean, yeah."),
    ]
    drafted = actions(lines, stages="ownwwwww")
    assert [(a["what"], a["owner"], a["when"]) for a in drafted] == [
        ("Do the conversation, three examples", "Ben", "Thursday"),
        ("The summary email the same day: Write it up straight afterwards, and you send him a summary email",
         "Ben", None)]
    assert drafted[0]["source"]["utterances"] == [2, 7]
    # without the coachee's yes at the check, the coach's plan is not theirs
    lines[7] = ("Ben", "Um, not really. I'm not sure.")
    assert actions(lines, stages="ownwwwww") == []


def test_people_named_in_an_action_carry_the_role_they_were_introduced_with():
    from companion.logbook.people import roles
    said = [{"text": "So, Mohammed, the BI analyst, he started pulling some numbers."},
            {"text": "Anjali, the diabetes specialist nurse, she'd know."},
            {"text": "With Gary, Andrew, Dave, the GP federation."},  # a list, not a role
            {"text": "Say, my supervision has lapsed."}]  # not a person
    assert roles(said) == {"Mohammed": "BI analyst", "Anjali": "diabetes specialist nurse"}
    drafted = actions([
        ("Ben", "Anjali, the diabetes specialist nurse, she'd know about the timings."),
        ("Ana", "What will you do first?"),
        ("Ben", "I'll email Anjali today and ask for half an hour next week."),
    ], stages="rww")
    assert drafted[0]["what"] == "Email Anjali (diabetes specialist nurse) and ask for half an hour next week"
    again = actions([
        ("Ben", "Anjali, the diabetes specialist nurse, she'd know about the timings."),
        ("Ana", "And Anjali?"),
        ("Ben", "I'll email Anjali today and ask for half an hour next week."),
    ], stages="rww")
    assert again[0]["what"].count("diabetes specialist nurse") == 1  # said once where it is said already


def test_a_coach_offer_reads_with_the_coachees_name_in_every_form_of_you():
    offer = "Send you our sign-off paperwork, so you're not starting from scratch, and you've got your copy"
    assert you_as("Siobhan", offer) == ("Send Siobhan our sign-off paperwork, so Siobhan is not starting from "
                                        "scratch, and Siobhan has got Siobhan's copy")
