"""Coaching acts of single utterances, with and without punctuation."""

from __future__ import annotations

import pytest

from companion.analysis.acts import detect, is_question, question_kinds
from companion.analysis.roles import assign_roles
from companion.analysis.text import parse
from companion.model import Role
from tests.support.dialogues import COACH, COACHEE, run, unpunctuated, utterances


def acts(text: str, previous: str | None = None) -> list[str]:
    return detect(parse(text), parse(previous) if previous else None).acts()


@pytest.mark.parametrize("text,kinds", [
    ("What would you like to work on today?", ["open_question"]),
    ("what would you like to work on today", ["open_question"]),
    ("How did that feel?", ["open_question"]),
    ("why is that important to you", ["open_question"]),
    ("Tell me more about that.", ["open_question"]),
    ("can you say more about what happened", ["open_question"]),
    ("Do you think that would work?", ["closed_question"]),
    ("do you think that would work", ["closed_question"]),
    ("is there anyone who could help", ["closed_question"]),
    ("how many people are on the team", ["closed_question"]),
    ("When will you do it?", ["closed_question"]),
    ("whats stopping you", ["open_question"]),
])
def test_question_kinds(text, kinds):
    assert question_kinds(text) == kinds


@pytest.mark.parametrize("text", [
    "i don't know what would help",
    "what i want is more time with the kids",
    "that's how we always do it",
    "I went to the meeting and nothing happened.",
    "do it now before you forget",
    "mm hmm",
])
def test_statements_are_not_questions(text):
    assert not is_question(text)


def test_stacked_questions_found_without_punctuation():
    assert question_kinds("what do you want from this and how will you know you got there") == [
        "open_question", "open_question"]
    assert question_kinds("so what's the status and is the client aware") == ["open_question", "closed_question"]
    r = run([("C", "what do you want from this and how will you know you got there"), ("E", "a plan")])
    assert r.report["coach_skills"]["stacked_questions"] == 1
    assert r.report["coach_skills"]["open_questions"] == 2


@pytest.mark.parametrize("text", [
    "It sounds like you feel let down by the team.",
    "so you feel responsible for all of it",
    "You're worried it will look like you're getting ahead of yourself.",
    "part of you wants to go and part of you wants to stay",
])
def test_reflections(text):
    assert "reflection" in acts(text)
    assert "advice" not in acts(text)


def test_restatement_with_a_rising_tone_is_a_closed_question_by_default(monkeypatch):
    # MITI: a transcript's "?" marks a rise, and a rise makes a restatement a question.
    assert acts("So you feel stuck?") == ["closed_question"]
    assert acts("So you'd be telling her before the party?") == ["closed_question"]
    assert acts("Next week?") == ["closed_question"]
    # One switch reads it as a reflection instead.
    monkeypatch.setattr("companion.analysis.acts.RISING_RESTATEMENT_IS_REFLECTION", True)
    assert acts("So you feel stuck?") == ["reflection"]
    assert acts("So you'd be telling her before the party?") == ["reflection"]
    assert acts("Next week?") == ["closed_question"]


def test_paraphrase_of_the_coachees_words_is_a_reflection():
    said = "The agenda arrives the night before and nobody has time to prepare."
    assert "reflection" in acts("Your colleagues get the agenda too late to prepare anything.", said)
    # The same sentence after unrelated talk echoes nothing.
    assert "reflection" not in acts("Your colleagues get the agenda too late to prepare anything.",
                                    "I went skiing in February.")


@pytest.mark.parametrize("text,expected", [
    ("You should cancel the meeting if nobody has prepared.", ["advice"]),
    ("you really need to tell them this week", ["advice"]),
    ("Have you tried asking the team?", ["closed_question", "advice"]),
    ("have you tried asking the team", ["closed_question", "advice"]),
    ("Why don't you send the agenda earlier?", ["open_question", "advice"]),
    ("What have you tried so far?", ["open_question"]),
    ("If I were you I'd talk to her first.", ["advice"]),
])
def test_advice(text, expected):
    assert acts(text) == expected


@pytest.mark.parametrize("text", [
    "That's a really creative idea.",
    "well done for raising it with her",
    "You've come a long way already.",
    "It takes courage to say that.",
])
def test_affirmations(text):
    assert "affirmation" in acts(text)


def test_coachee_options_are_not_advice():
    r = run([("C", "What could you do?"), ("E", "I could ask the team. You should see their faces though.")])
    assert r.marks("acts") == [["open_question"], []]
    assert r.report["coach_skills"]["advice"] == 0


def test_acts_counted_for_the_coach_only():
    r = run([("E", "Can I ask you something?"), ("C", "Of course. What is it?"), ("E", "nothing")])
    skills = r.report["coach_skills"]
    assert (skills["open_questions"], skills["closed_questions"]) == (1, 0)
    assert r.marks("acts")[0] == ["closed_question"]


def test_coach_inferred_from_unpunctuated_talk_even_when_the_coachee_asks():
    lines = unpunctuated([
        ("C", "What would you like to focus on?"),
        ("E", "My workload. Should I just say no to my boss? I'm always the one staying late, I hate it."),
        ("C", "It sounds like you feel stuck."),
        ("E", "I am stuck. I'm drowning and I don't see a way out."),
        ("C", "What would you like instead?"),
        ("E", "Can I go home on time? That's all I want, I'd be happy with that."),
    ])
    roles, inferred = assign_roles(utterances(lines))
    assert inferred and roles[COACH] == Role.COACH and roles[COACHEE] == Role.COACHEE


@pytest.mark.parametrize("text", ["Mm, go on.", "take your time", "Go ahead.", "keep going", "carry on"])
def test_minimal_encouragers_are_not_advice(text):
    from companion.analysis.acts import detect
    from companion.analysis.text import parse

    assert not detect(parse(text)).advice


# -- counselling talk: plain-statement reflections, information, run-on questions --

@pytest.mark.parametrize("text", [
    "You're scared the weight will come back.",
    "That hit you hard.",
    "the late shifts are costing you more than sleep",
    "So the cravings are worst after dinner.",
    "so a walk after lunch and no phone in bed",
    "It's been a rough few months.",
])
def test_plain_statement_reflections(text):
    assert acts(text) == ["reflection"]


def test_summary_checked_with_the_client_is_a_reflection_and_a_question():
    assert acts("You'd like to quit before the baby arrives, is that right?") == ["closed_question", "reflection"]


@pytest.mark.parametrize("text", [
    "You can hang your coat there.",
    "Thank you for coming in today.",
    "I'll see you next week.",
    "Your sister rang the clinic on Monday.",
])
def test_courtesies_and_news_are_not_reflections(text):
    assert "reflection" not in acts(text)


@pytest.mark.parametrize("text", [
    "Most people who quit find the first week is the hardest.",
    "The research shows that short walks lower blood pressure.",
    "its usually fine to take it with food",
    "Cravings tend to pass within a few minutes.",
])
def test_giving_information_is_neither_advice_nor_reflection(text):
    # MITI codes neutral information as GI, not Persuade: it is not advice.
    assert acts(text) == []


def test_an_option_put_to_the_coachee_is_advice():
    assert "advice" in acts("You could also call the helpline at night.")


def test_offering_information_is_a_question_not_advice():
    assert acts("Can I tell you what we usually recommend for new runners?") == ["closed_question"]


@pytest.mark.parametrize("text", [
    "You've already shown you can stick to a routine.",
    "That's a sensible plan.",
    "That's a brave thing to admit.",
    "that sounds like a really clear plan",
])
def test_counselling_affirmations(text):
    assert acts(text) == ["affirmation"]


@pytest.mark.parametrize("text,kinds", [
    ("Where does that leave you with the gym?", ["open_question"]),
    ("where do you buy your cigarettes", ["closed_question"]),
    ("On a scale from zero to ten, how ready are you?", ["closed_question"]),
    ("okay we have about twenty minutes left what else feels important", ["open_question"]),
    ("thanks for coming would you like a glass of water", ["closed_question"]),
    ("say a little about your week", ["open_question"]),
    ("by when would you like to have decided", ["closed_question"]),
    ("When have you felt like this before?", ["open_question"]),
    ("How are you doing today?", ["open_question"]),  # coders count a greeting question
    ("How are you feeling about the move?", ["open_question"]),
    ("Which was the whole problem.", []),
    ("Go on then, why not.", []),
    ("And see what happens.", []),
])
def test_counselling_question_forms(text, kinds):
    assert question_kinds(text) == kinds


def test_what_about_a_topic_is_not_advice_but_how_about_a_plan_is():
    assert "advice" not in acts("what about the weekends")
    assert "advice" in acts("how about a walk at lunchtime")


@pytest.mark.parametrize("text,kinds", [
    ("And Grace?", ["open_question"]),
    ("Then Fridays?", ["open_question"]),
    ("And if that doesn't work?", ["open_question"]),
    ("Anything else?", ["open_question"]),
    ("Is there anything else, or is that it?", ["closed_question"]),
    ("Who else could help with this?", ["open_question"]),
    ("Which feels right to start with?", ["open_question"]),
    ("How many calls will you make?", ["closed_question"]),
    ("When you say the team, who are you thinking of?", ["open_question"]),
    ("Can you run me through the whole plan?", ["open_question"]),
])
def test_prompts_and_wh_forms_as_coders_label_them(text, kinds):
    assert question_kinds(text) == kinds


@pytest.mark.parametrize("text,kinds", [
    ("and the checklist", ["open_question"]),
    ("and the fear of a no from the press", ["open_question"]),
    ("starting when", ["closed_question"]),
    ("one to ten", ["closed_question"]),
])
def test_unpunctuated_prompts_of_the_coach(text, kinds):
    assert detect(parse(text)).questions == kinds
    # The same words from the coachee are an answer, not a question.
    assert detect(parse(text), statements=False).questions == []


def test_echo_with_a_rising_tone_is_a_reflection():
    said = "I stuck a Post-it note on the fridge with the dates."
    assert acts("A Post-it note?", said) == ["reflection"]
    assert acts("Same time next month?", said) == ["closed_question"]


def test_tag_after_a_full_stop_is_a_remark_not_a_question():
    assert acts("It's all box-ticking, isn't it.") == []
    assert question_kinds("And he's got the new car now, hasn't he.") == []
    assert question_kinds("its all box-ticking isnt it") == ["closed_question"]


@pytest.mark.parametrize("text", [
    "What else could you try?",
    "What would you need to do first, for any of it?",
    "Can I ask, though, what would be most useful today?",
])
def test_asking_for_the_coachees_options_is_not_advice(text):
    assert "advice" not in acts(text)


@pytest.mark.parametrize("text", [
    "What if you gave yourself a time limit?",
    "What about physically not taking them home?",
    "I'd log that, actually, write it down.",
    "Go on what you can see. You have to tell him this week.",
    "I could send you our sign-off paperwork, if it helps.",
    "And could Mrs Akhtar put it in the policy?",
])
def test_suggestions_and_offers_are_advice(text):
    assert "advice" in acts(text)


@pytest.mark.parametrize("text,kinds", [
    ("what's going on in years 3 and 5 is it that they don't want to or they don't know how",
     ["open_question", "closed_question"]),
    ("and his prs are they still good quality", ["closed_question"]),
    ("how confident are you one to ten", ["closed_question"]),
    ("what other options are there even ones that seem unlikely", ["open_question"]),
])
def test_stacked_and_run_on_questions_of_the_coach_without_punctuation(text, kinds):
    assert detect(parse(text)).questions == kinds


def test_the_problem_is_they_is_a_statement():
    assert detect(parse("the problem is they never listen to the night staff")).questions == []


@pytest.mark.parametrize("text", [
    "If a colleague came to you with exactly this problem, what would you tell them?",
    "You mentioned the hospital discharge team. What's their interest?",
    "So there's quite a lot here. What feels most important to you?",
])
def test_a_lead_in_that_frames_or_points_at_a_topic_is_not_a_reflection(text):
    assert acts(text) == ["open_question"]


def test_a_reflection_before_a_question_is_still_both():
    said = "I keep saying yes to everything and then I'm at my desk till eight."
    assert acts("You're worried that saying no would let the team down. What would help?", said) == [
        "open_question", "reflection"]


def test_goodbyes_are_not_reflections():
    assert acts("Go! See you next week.") == []


def test_checking_a_date_is_a_question_not_an_echo():
    assert acts("Thirtieth of May?", "I'll have it done by the thirtieth of May.") == ["closed_question"]


@pytest.mark.parametrize("text,kinds", [
    ("What would make it bearable, do you think?", ["open_question"]),
    ("So what's the one thing you'll commit to, and by when?", ["open_question"]),
    ("And what about the March worry? Is there anything that would help with that?", ["closed_question"]),
    ("What about you, how do Sundays feel?", ["open_question"]),
    ("What do you want from this? And how will you know you got there?", ["open_question", "open_question"]),
])
def test_tails_and_topic_pointers_do_not_make_a_second_question(text, kinds):
    assert question_kinds(text) == kinds


@pytest.mark.parametrize("text,advice", [
    ("You could ask Hayley to sit in on the first one.", True),
    ("It's worth asking your pharmacist about the patches.", True),
    ("I'd like you to write down three examples before Thursday.", True),
    ("So let's look at what you could do. What are some options?", False),
    ("No judging yet, just everything you could possibly do.", False),
    ("You could have walked out, and you didn't.", False),
])
def test_options_put_to_the_coachee(text, advice):
    assert ("advice" in acts(text)) is advice


def test_a_plain_statement_taking_up_the_coachees_words_is_a_reflection():
    said = "Weeknights are fine really, it's the weekends, Friday and Saturday at the pub."
    assert acts("The weekends are where most of it happens.", said) == ["reflection"]
    # Courtesies and scheduling that reuse a word do not reflect.
    assert acts("Same time on Friday then, good luck with the pub.", said) == []
    # Nor does the same statement after unrelated talk.
    assert acts("The weekends are where most of it happens.", "The printer jammed again.") == []


def test_a_short_reflection_checked_with_the_coachee_is_both():
    said = "I just want to stop being the one who fixes everything for everyone."
    assert acts("You want to stop fixing everything, is that right?", said) == ["closed_question", "reflection"]
    assert acts("You want to stop fixing everything. Have I got that right?", said) == [
        "closed_question", "reflection"]
