"""The learning-log drafter on the analysis's own marks: pure, no server, no store.

Reports come from the real analyzer; where a tiny dialogue is too short for the GROW
tracker to place, the stages are set by hand (as the tracker would mark them), and
everything else (acts, commitments) stays as the analysis marked it.
"""

from __future__ import annotations

import pytest

from companion import logbook
from companion.errors import InputError
from companion.importers import load_transcript
from companion.logbook.followup import report_back
from companion.model import Role, Utterance
from companion.pipeline import analyze_utterances

WEDNESDAY = "2025-03-12T10:00:00+00:00"
PAIR = {"Ana": Role.COACH, "Ben": Role.COACHEE}


def make_report(lines, roles, *, started=WEDNESDAY, stages=None):
    """A report from (speaker, text) lines; ``stages`` (one letter per line: g r o w n) sets the stage marks."""
    utts, t = [], 0.0
    for speaker, text in lines:
        d = 1.5 + 0.35 * len(text.split())
        utts.append(Utterance(speaker, t, t + d, text))
        t += d + 0.6
    report = analyze_utterances(utts, roles=roles, session={"source": "test", "started_at": started}).report
    if stages:
        names = {"g": "goal", "r": "reality", "o": "options", "w": "will", "n": None}
        for u, s in zip(report["utterances"], stages, strict=True):
            u["stage"] = names[s]
    return report


def sample_report(sample_vtt):
    utts = load_transcript(sample_vtt)
    return analyze_utterances(utts, roles={"Maya": Role.COACH, "Sam": Role.COACHEE},
                              session={"source": "sample", "started_at": WEDNESDAY}).report


def texts(items, key="text"):
    return [i[key].lower() for i in items]


def test_sample_session_goal_options_and_actions(sample_vtt):
    report = sample_report(sample_vtt)
    log = report["log_draft"]
    assert log == logbook.draft(report)
    assert log["participant"] == "Sam" and log["date"] == "2025-03-12"
    assert log["members_present"] == ["Maya", "Sam"] and log["facilitator"] is None
    assert "team meetings" in log["content"]
    goal = log["goal"]
    assert "finish on time" in goal["text"] and "forty five minutes" in goal["text"]
    assert goal["smart"]["missing"] == [k for k in logbook.SMART_KEYS if not goal["smart"][k]]
    options = texts(log["options"])
    for expected in ("send the agenda three days ahead", "ask someone else to keep time",
                     "park the tangents", "ask the team what they would change"):
        assert any(expected in o for o in options), (expected, options)
    assert not any("cancel" in o for o in options)  # the coach's advice, declined
    agenda = next(a for a in log["actions"] if "send the agenda" in a["what"].lower())
    assert (agenda["when"], agenda["due"], agenda["owner"]) == ("by Friday", "2025-03-14", "Sam")
    template = next(a for a in log["actions"] if "template" in a["what"].lower())
    assert template["what"] == "Ask Priya for her agenda template"  # "her" is Priya, named just before
    assert (template["when"], template["due"], template["who"]) == ("by Wednesday", "2025-03-19", "Priya")
    assert "helped" in log["evaluation"].lower()


def test_every_source_quotes_real_utterances(sample_vtt):
    report = sample_report(sample_vtt)
    log = logbook.draft(report)
    items = [log["goal"]] + log["reality"] + log["options"] + log["actions"]
    assert len(items) > 8
    for item in items:
        src = item["source"]
        assert src["start"] == report["utterances"][src["utterances"][0]]["start"]
        for q in src["quotes"]:
            u = report["utterances"][q["index"]]
            assert (q["speaker"], q["text"], q["start"]) == (u["speaker"], u["text"], u["start"])
        assert any(report["utterances"][i]["speaker"] == "Sam" for i in src["utterances"])


def test_the_goal_is_the_confirmed_playback_and_the_latest_when_recontracted():
    report = make_report([
        ("Ana", "What would you like to get out of today?"),
        ("Ben", "I need to get ready for the stroke rotation, I think."),
        ("Ana", "So you want to feel ready for the stroke rotation by May. Is that it?"),
        ("Ben", "Yes, that's it."),
        ("Ana", "What's happening at the moment?"),
        ("Ben", "Honestly my supervision stopped in January and nobody has rebooked it."),
        ("Ana", "So by the end of this month, supervision booked every two weeks, in the diary."),
        ("Ben", "Yes. Exactly that."),
        ("Ana", "What could you do?"),
        ("Ben", "I could ask Janet on Monday."),
    ], PAIR, stages="ggggrrggoo")
    goal = logbook.draft(report)["goal"]
    assert goal["text"] == "By the end of this month, supervision booked every two weeks, in the diary."
    assert goal["source"]["utterances"] == [6, 7]
    assert goal["smart"]["time_bound"] and goal["smart"]["measurable"]


def test_a_playback_is_written_in_the_coachees_voice():
    report = make_report([
        ("Ana", "What do you want by the end of the block?"),
        ("Ben", "To make the calls myself."),
        ("Ana", "Let me check I've got it. By the end of your nights, you make every escalation call yourself."),
        ("Ben", "Yeah, that's it."),
    ], PAIR, stages="gggg")
    assert logbook.draft(report)["goal"]["text"] == \
        "By the end of my nights, I make every escalation call myself."


def test_the_helper_is_not_the_person_to_talk_to():
    report = make_report([
        ("Ana", "What will you do first?"),
        ("Ben", "I'll talk to Tom the fourteenth of March. Priya can help me prepare what to say."),
        ("Ana", "And the agenda?"),
        ("Ben", "I'll send a three item agenda before next Tuesday's meeting."),
    ], PAIR, stages="wwww")
    actions = logbook.draft(report)["actions"]
    talk, agenda = actions
    assert talk["what"] == "Talk to Tom"
    assert (talk["when"], talk["due"], talk["who"]) == ("the fourteenth of March", "2025-03-14", "Priya")
    assert agenda["what"] == "Send a three item agenda"
    assert (agenda["when"], agenda["due"]) == ("before next Tuesday's meeting", "2025-03-18")


def test_who_can_help_from_the_answer_to_who_could_help():
    report = make_report([
        ("Ana", "What will you do?"),
        ("Ben", "I'll ask Tom for the rota figures by Thursday."),
        ("Ana", "Who could help you with that?"),
        ("Ben", "Grace, she knows the system, and I'll ask Tom straight after."),
    ], PAIR, stages="wwww")
    actions = logbook.draft(report)["actions"]
    assert actions[0]["who"] == "Grace"


def test_coach_advice_stays_out_of_the_options_unless_taken_up():
    report = make_report([
        ("Ana", "What could you do?"),
        ("Ben", "I could email the rota draft to everyone first."),
        ("Ana", "You should cancel the Thursday handover to make time."),
        ("Ben", "No, I don't think that would go down well."),
        ("Ana", "You could book the big meeting room for the workshop."),
        ("Ben", "Good idea. I'll do that by Monday."),
    ], PAIR, stages="oooooo")
    for u in report["utterances"][4:]:
        u["stage"] = "will"  # the suggestion and its uptake open the plan
    log = logbook.draft(report)
    options = log["options"]
    assert [o["text"] for o in options if not o["idea_of"]] == ["Email the rota draft to everyone"]
    taken = [o for o in options if o["idea_of"]]
    assert [(o["text"], o["idea_of"]) for o in taken] == [("You could book the big meeting room for the workshop",
                                                          "Ana")]
    assert taken[0]["source"]["utterances"] == [4, 5]
    assert not any("cancel" in t for t in texts(options) + texts(log["actions"], "what"))
    # "I'll do that by Monday" takes the suggestion up as an action, with both utterances as its source
    booked = log["actions"][0]
    assert "book the big meeting room" in booked["what"].lower() and booked["due"] == "2025-03-17"
    assert set(booked["source"]["utterances"]) >= {4, 5}
    assert "the coach's idea" in logbook.to_markdown({**log, "version": 1})


def test_no_greeting_or_small_talk_item():
    report = make_report([
        ("Ana", "Hi Ben, how was your weekend?"),
        ("Ben", "Good thanks, we went walking by the river with the dogs all Sunday."),
        ("Ana", "Lovely. What would you like to work on?"),
        ("Ben", "I want to stop taking marking home three nights a week by half term."),
        ("Ana", "What's happening now?"),
        ("Ben", "I mark every evening until eleven because the books pile up on Mondays."),
    ], PAIR, stages="rrggrr")
    log = logbook.draft(report)
    everything = " ".join(texts(log["reality"]) + texts(log["options"]) + texts(log["actions"], "what"))
    assert "river" not in everything and "weekend" not in everything
    assert any("mark every evening" in r for r in texts(log["reality"]))


def test_nothing_is_invented_from_small_talk():
    report = make_report([
        ("Ana", "Hi Ben, how was your weekend?"),
        ("Ben", "Good thanks, we went walking by the river."),
        ("Ana", "Lovely. Shall we start next time, as we are short of time today?"),
        ("Ben", "Yes, let's do that."),
    ], PAIR)
    log = logbook.draft(report)
    assert log["goal"] is None and log["options"] == [] and log["actions"] == []
    assert log["reality"] == [] and log["evaluation"] == ""


def test_coach_words_alone_never_become_the_coachees_goal_or_actions():
    report = make_report([
        ("Ana", "I want to talk about my own week first. I'll send you my notes by Friday."),
        ("Ben", "Hmm."),
    ], PAIR, stages="ww")
    log = logbook.draft(report)
    assert log["goal"] is None and log["actions"] == []


def test_speech_recognition_text_without_punctuation():
    report = make_report([
        ("Ana", "what will you do first"),
        ("Ben", "ill email the supplier by thursday"),
        ("Ana", "and then"),
        ("Ben", "im going to call my manager tomorrow morning"),
    ], PAIR, stages="wwww")
    actions = logbook.draft(report)["actions"]
    assert [(a["what"], a["when"], a["due"]) for a in actions] == [
        ("Email the supplier", "by thursday", "2025-03-13"), ("Call my manager", "tomorrow morning", "2025-03-13")]


def test_a_prediction_is_not_a_commitment():
    report = make_report([
        ("Ana", "What will you do?"),
        ("Ben", "In the moment I'll just hand it over, I know I will. So I'll write the SBAR on the pad first."),
    ], PAIR, stages="ww")
    assert [a["what"] for a in logbook.draft(report)["actions"]] == ["Write the SBAR on the pad"]


def test_coach_offer_taken_up_is_the_coachs_action():
    report = make_report([
        ("Ana", "I could read the bid draft before it goes to Sue, if that would help."),
        ("Ben", "Oh, would you? Yes, please. I'll send it on the twenty-second."),
    ], PAIR, stages="ww")
    marks = report["utterances"][0]["commitment"]
    assert marks == [{"text": "read the bid draft before it goes to Sue, if that would help", "owner": "Ana",
                      "confirmed_by": 1, "kind": "offer", "context": None}]
    actions = logbook.draft(report)["actions"]
    # Ben's "I'll send it" is what lets the offer happen: the offer's "by when", not a step of his own.
    assert [(a["owner"], a["when"]) for a in actions] == [("Ana", "on the twenty-second")]
    assert actions[0]["source"]["utterances"] == [0, 1]


def test_evaluation_and_smart_gaps():
    report = make_report([
        ("Ana", "What would you like to get out of today?"),
        ("Ben", "I'd like to feel better about work."),
        ("Ana", "What have you noticed today?"),
        ("Ben", "I realised I never say no to extra shifts."),
    ], PAIR, stages="ggnn")
    log = logbook.draft(report)
    assert log["goal"]["text"] == "I'd like to feel better about work."
    assert {"measurable", "time_bound"} <= set(log["goal"]["smart"]["missing"])
    assert "never say no to extra shifts" in log["evaluation"]
    assert log["evaluation_source"]["utterances"] == [3]


def test_report_back_on_the_previous_plan():
    previous = [{"what": "Book the Easter week as annual leave", "when": "by Friday"},
                {"what": "Ask Helen for no new complex cases", "when": None},
                {"what": "Finish the six overdue reviews", "when": None},
                {"what": "Set up a peer supervision group", "when": None}]
    report = make_report([
        ("Ana", "How did you get on with last time's actions?"),
        ("Ben", "Helen agreed, no new complex cases until March, so I asked and that's done."),
        ("Ana", "And the reviews?"),
        ("Ben", "Four of the six overdue reviews are finished, two are waiting on families."),
        ("Ana", "And the leave?"),
        ("Ben", "I haven't booked the Easter week, I kept putting it off."),
    ], PAIR, stages="rrrrrr")
    back = {a["what"]: a["report_back"] for a in report_back(previous, report, "Ben")}
    assert back["Ask Helen for no new complex cases"]["status"] == "done"
    assert back["Finish the six overdue reviews"]["status"] == "partly"
    assert back["Book the Easter week as annual leave"]["status"] == "not yet"
    assert back["Book the Easter week as annual leave"]["source"]["utterances"] == [5]
    assert back["Set up a peer supervision group"] is None  # not mentioned: nothing invented


GROUP = {"Fay": Role.FACILITATOR, "Gil": Role.COACHEE, "Hal": Role.MEMBER, "Ivy": Role.MEMBER}


def test_group_each_member_gets_their_own_log_with_key_questions():
    report = make_report([
        ("Fay", "Gil, what are you trying to do?"),
        ("Gil", "I want to get my team's rota published four weeks ahead by June."),
        ("Hal", "What is stopping you at the moment?"),
        ("Gil", "Nobody owns the rota and the software keeps crashing every single week."),
        ("Ivy", "What will you do about it?"),
        ("Gil", "I'll ask IT for a fix by Friday. Priya can help me write it up."),
        ("Fay", "Thank you Gil. Hal, what are you trying to do?"),
        ("Hal", "I want to stop taking work home every night this month."),
        ("Ivy", "What will you do first?"),
        ("Hal", "I'm going to block my diary after five from next week."),
    ], GROUP, stages="ggrrwwggww")
    assert logbook.log_owners(report) == ["Gil", "Hal", "Ivy"]
    gil = logbook.draft_for(report, "Gil")
    hal = logbook.draft_for(report, "Hal")
    assert gil["facilitator"] == "Fay" and gil["members_present"] == ["Fay", "Gil", "Hal", "Ivy"]
    assert "rota" in gil["goal"]["text"] and "work home" in hal["goal"]["text"]
    assert [(a["when"], a["who"]) for a in gil["actions"]] == [("by Friday", "Priya")]
    assert [a["when"] for a in hal["actions"]] == ["from next week"]
    questions = {q["key"]: q for q in gil["key_questions"]}
    assert "rota" in questions["trying"]["answer"]
    assert "software keeps crashing" in questions["stopping"]["answer"]
    assert "Priya" in questions["who_helps"]["answer"]
    ivy = logbook.draft_for(report, "Ivy")  # present, but brought nothing
    assert ivy["goal"] is None and ivy["actions"] == []
    assert logbook.draft(report)["participant"] == "Gil"


def test_pair_logs_have_no_key_questions(sample_vtt):
    assert logbook.draft(sample_report(sample_vtt))["key_questions"] == []


def test_clean_log_rebuilds_sources_rejects_bad_input_and_redates_a_corrected_when(sample_vtt):
    report = sample_report(sample_vtt)
    log = logbook.draft(report)
    log["options"][0]["source"] = {"utterances": [15], "quotes": [{"text": "words nobody said"}]}
    log["options"].append({"text": "   ", "source": None})  # emptied: removed
    log["actions"][0]["when"] = "the fourteenth of March"  # corrected by the coachee; the date follows
    clean = logbook.clean_log(report, log)
    assert clean["options"][0]["source"]["quotes"][0]["text"] == report["utterances"][15]["text"]
    assert len(clean["options"]) == len(log["options"]) - 1
    assert clean["actions"][0]["due"] == "2025-03-14"
    for bad, message in [
        ({**log, "options": [{"text": "x", "source": {"utterances": [999]}}]}, "does not exist"),
        ({**log, "content": 5}, "content must be text"),
        ({**log, "actions": "send it"}, "actions must be a list"),
        ({**log, "actions": [{"what": "x", "due": "soon"}]}, "not a date"),
        ([1, 2], "JSON object"),
    ]:
        with pytest.raises(InputError, match=message):
            logbook.clean_log(report, bad)


def test_content_skips_the_opening_and_evaluation_answers_the_closing_question():
    lines = [("Ana", "Hi Ben, can you hear me?"), ("Ben", "Yes, loud and clear. Good afternoon."),
             ("Ana", "What would you like to work on?"),
             ("Ben", "So. Um. The marking, really. I'm taking thirty books home every single night.")]
    lines += [("Ana", "What else is going on with it?"), ("Ben", "The department policy says deep marking weekly.")] * 4
    lines += [("Ana", "What will you do first?"), ("Ben", "I'll ask Funmi about whole-class feedback on Thursday."),
              ("Ana", "What are you taking away from today?"),
              ("Ben", "Um. That it's the scrutiny I'm scared of, not the marking.")]
    report = make_report(lines, PAIR, stages="nngg" + "rr" * 4 + "wwnn")
    log = logbook.draft(report)
    assert log["content"] == "The marking, really. I'm taking thirty books home every single night."
    assert log["evaluation"] == "That it's the scrutiny I'm scared of, not the marking."
    assert log["evaluation_source"]["utterances"] == [len(lines) - 1]


def test_a_members_log_comes_from_their_own_turn_when_turns_are_marked():
    report = make_report([
        ("Fay", "Gil, what are you trying to do?"),
        ("Gil", "I want to get my team's rota published four weeks ahead by June."),
        ("Ivy", "What will you do?"),
        ("Gil", "I'll ask IT for a fix by Friday."),
        ("Fay", "Hal, your turn. What are you trying to do?"),
        ("Hal", "I want to stop taking work home every night this month."),
        ("Gil", "I'll email Hal my rota template tomorrow."),  # said in Hal's turn: not Gil's plan
    ], GROUP, stages="ggwwggw")
    for u, turn in zip(report["utterances"], ["Gil"] * 4 + ["Hal"] * 3, strict=True):
        u["turn_of"] = turn
    gil = logbook.draft_for(report, "Gil")
    assert [a["what"] for a in gil["actions"]] == ["Ask IT for a fix"]
    assert "rota" in gil["goal"]["text"]
    hal = logbook.draft_for(report, "Hal")
    assert "work home" in hal["goal"]["text"] and hal["actions"] == []


def test_it_means_what_the_coachs_prompt_named():
    report = make_report([
        ("Ana", "And the reflection?"),
        ("Ben", "After the block. I'll write it up on the eighteenth and bring it to our next one."),
        ("Ana", "And Grace?"),
        ("Ben", "First night, at handover, I'll tell her."),
    ], PAIR, stages="wwww")
    actions = logbook.draft(report)["actions"]
    # "First night, at handover" was fronted before "I'll": it stays with the step.
    assert [a["what"] for a in actions] == ["Write the reflection up and bring it to our next one",
                                            "Tell Grace, first night, at handover"]
    assert actions[0]["due"] == "2025-03-18"


def test_steps_said_in_answer_to_one_prompt_are_one_action():
    report = make_report([
        ("Ana", "And Dan?"),
        ("Ben", "I'll email him today and book a meeting. I'll ask for the tenth."),
        ("Ana", "What will you do first, and when?"),
        ("Ben", "I'll ask Lorraine by Friday for two Saturday mornings. "
                "And I'll tell the team at the huddle on Monday."),
    ], PAIR, stages="wwww")
    actions = logbook.draft(report)["actions"]
    # "And Dan?" asks about one step: its answers make one action; an open "what will you do?" lists several.
    assert [a["what"] for a in actions] == ["Email Dan and book a meeting; ask for the tenth",
                                            "Ask Lorraine for two Saturday mornings", "Tell the team at the huddle"]
    assert actions[0]["source"]["utterances"] == [1]


def test_a_prompted_item_without_an_option_is_what_the_coachee_raised():
    report = make_report([
        ("Ben", "Maybe a book look, a few books per class, so I know where we are before Ofsted does."),
        ("Ana", "And the book look?"),
        ("Ben", "Last week before Easter. Three books a class."),
    ], PAIR, stages="oww")
    actions = logbook.draft(report)["actions"]
    assert [a["what"] for a in actions] == [
        "A book look, a few books per class, so I know where we are before Ofsted does: Last week. Three books a class"]
    assert actions[0]["when"] == "before Easter" and actions[0]["source"]["utterances"] == [0, 1, 2]


def test_a_bare_pointer_takes_what_its_turn_says_about_the_step():
    report = make_report([
        ("Ana", "What's the first thing you'll do?"),
        ("Ben", "Pairing with Priya. I'll ask her today. I'm thinking Tuesdays and Thursdays, half an hour, "
                "for two weeks. She'll probably say about time."),
    ], PAIR, stages="ww")
    actions = logbook.draft(report)["actions"]
    # What "ask her" is about is said around it; what Priya will say is not part of the step.
    assert [a["what"] for a in actions] == [
        "Ask Priya: Pairing with Priya. I'm thinking Tuesdays and Thursdays, half an hour, for two weeks"]
    assert actions[0]["when"] == "today"


def test_a_step_said_again_in_the_same_turn_is_one_action():
    report = make_report([
        ("Ana", "Who else needs to know?"),
        ("Ben", "The team. I'll tell them at the huddle on Monday. "
                "I'll tell them the goal and that we count it weekly."),
    ], PAIR, stages="ww")
    actions = logbook.draft(report)["actions"]
    assert [a["what"] for a in actions] == [
        "Tell them at the huddle; tell them the goal and that we count it weekly"]


def test_the_item_a_prompt_names_is_what_the_coachee_said_it_was():
    report = make_report([
        ("Ben", "I need the actual list out of SystmOne, with the times and the insulin types."),
        ("Ana", "When could you get the list?"),
        ("Ben", "By Friday. I've got an admin afternoon Friday."),
        ("Ben", "Quiet hours, so the phones divert to the contact centre for two hours."),
        ("Ana", "And the quiet hours?"),
        ("Ben", "I'll tell the contact centre manager today."),
        ("Ana", "Then Fridays?"),
        ("Ben", "I'll block the mornings, nine to one."),
    ], PAIR, stages="owwowwww")
    actions = logbook.draft(report)["actions"]
    assert [a["what"] for a in actions] == [
        "I need the actual list out of SystmOne, with the times and the insulin types: "
        "I've got an admin afternoon Friday",
        "Quiet hours, so the phones divert to the contact centre for two hours: tell the contact centre manager",
        "Block the mornings, nine to one"]  # "Fridays?" asks when, not what
    assert [a["source"]["utterances"] for a in actions] == [[0, 1, 2], [3, 5], [7]]


def test_a_when_follow_up_stays_with_the_step_and_a_reply_to_an_offer_sets_the_offer_up():
    report = make_report([
        ("Ana", "What's the first thing you'll do?"),
        ("Ben", "I'll ask Priya to pair with me on reviews, half an hour each time."),
        ("Ana", "Starting when?"),
        ("Ben", "Next Tuesday. I'll put it in the calendar this afternoon."),
        ("Ana", "I could read the bid draft before it goes to Sue, if that would help."),
        ("Ben", "Oh, would you? Yes, please. I'll send it on the twenty-second."),
    ], PAIR, stages="wwwwww")
    actions = logbook.draft(report)["actions"]
    assert [(a["owner"], a["what"], a["when"]) for a in actions] == [
        ("Ben", "Ask Priya to pair with me on reviews, half an hour each time; put it in the calendar this afternoon",
         "Next Tuesday"),
        ("Ana", "Read the bid draft before it goes to Sue, if that would help", "on the twenty-second")]
    assert actions[1]["source"]["utterances"] == [4, 5]


def test_an_item_never_described_is_not_drafted():
    report = make_report([
        ("Ana", "And the cover and the handover, do you want to plan those now?"),
        ("Ben", "Next time. Honestly. We can look at it in two weeks."),
    ], PAIR, stages="ww")
    assert logbook.draft(report)["actions"] == []


def test_a_goal_played_back_and_confirmed_after_a_short_correction():
    from companion.analysis.commitments import confirms
    assert confirms("First of October. Yes. When you say it like that it sounds almost sensible.")
    assert not confirms("First of October. No, not really.")
    report = make_report([
        ("Ana", "What would you like to get out of today?"),
        ("Ben", "A plan, I suppose. Something for the steering group."),
        ("Ana", "So, by the end of June, a plan agreed by the steering group, with a pilot in North in October."),
        ("Ben", "First of October. Yes."),
    ], PAIR, stages="gggg")
    assert logbook.draft(report)["goal"]["text"].startswith("By the end of June, a plan agreed by the steering")


def test_a_playback_of_the_answer_to_a_goal_question_is_the_goal_where_no_goal_stage_was_marked():
    lines = [
        ("Ana", "What do you want, exactly?"),
        ("Ben", "The Easter week off. The fourteenth to the eighteenth. Booked, and covered."),
        ("Ana", "Why does that one matter right now?"),
        ("Ben", "Because I'm tired. Properly tired."),
        ("Ana", "So the Easter week, booked and properly covered."),
        ("Ben", "Yeah. A proper break."),
        ("Ana", "So what's the one thing you'll commit to?"),
        ("Ben", "Book it on the system by Friday."),
        ("Ana", "What might stop you?"),
        ("Ben", "Me. Ha."),
    ]  # the goal is agreed in the first half of the session, before the plan
    goal = logbook.draft(make_report(lines, PAIR, stages="rrrrrrwwww"))["goal"]
    assert goal["text"] == "The Easter week, booked and properly covered." and goal["source"]["utterances"] == [4, 5]
    # a reflection on something else is not the goal
    lines[4] = ("Ana", "So it sounds like you feel responsible for everyone else's cover.")
    goal = logbook.draft(make_report(lines, PAIR, stages="rrrrrrwwww"))["goal"]
    assert goal is None or "responsible" not in goal["text"]
