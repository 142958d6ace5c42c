"""The action plan: one action per commitment made in the Will, with its owner, its
"by when" as said and resolved, and who can help as named.

The commitments themselves are the analysis's (``utterances[i].commitment``); this
module only places them: which are the plan (said in the Will, or after it began),
what "do that" refers to, when the action is due, and who the helper is, as opposed
to the person the action is about ("ask Tom", "talk to Tom" makes Tom the subject
of the action, "Priya can help me prepare" makes Priya the helper).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from companion.analysis.commitments import ACTION_VERBS, strip_lead_ins
from companion.analysis.text import split_sentences
from companion.logbook.dates import MONTHS, WEEKDAYS, when_of
from companion.logbook.items import content_words, overlap, tidy
from companion.logbook.prompts import (
    asks_about_setbacks,
    asks_only_when,
    follows_up,
    named_item,
    names_one_item,
    raised_item,
)

_PRO_FORM = re.compile(r"^(?:(?:do|try)\s+(?:it|that|this)\b|(?:send|bring|book|write|sort|give)\s+"
                       r"(?:it|that|this|them|one)\b(?:[\s,]+(?:then|first|"
                       r"too|as well|now|a go|out|my|the|\w+day|protected|,))*$)", re.I)
_NAME = re.compile(r"(?<![.?!]\s)(?<![.?!])(?<!^)\b((?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|"
                   r"[A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})?)\b")
_NOT_NAMES = {w.capitalize() for w in WEEKDAYS + MONTHS} | {w.capitalize() + "s" for w in WEEKDAYS} | {
    "I", "I'm", "I'll", "I've", "I'd", "Yes", "No", "Maybe", "Thanks", "Thank", "Okay", "Honestly", "Yeah", "And",
    "But", "So", "Then", "Just", "The", "That", "This", "What", "When", "Who", "Easter", "Christmas", "Which",
    "Well", "Right", "Also", "Um", "Oh", "Or", "If", "Our", "My", "We", "It", "She", "He", "They", "You",
    "First", "Last", "Next", "After", "Before", "Probably", "Definitely", "Actually", "Basically", "Today",
    "Tomorrow", "Tonight", "Sorry", "Good", "Great", "Sure", "Fine", "Lunch", "Once", "Every", "Each"}
#: "<Name> can help", "with Priya's help", "ask Priya to help": the helper.
_HELPER = [re.compile(p) for p in [
    r"\b(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})\s+(?:can|could|will|would|'ll|might|"
    r"has offered to|offered to|"
    r"said (?:she|he|they)'d)\s+(?:\w+\s+)?(?:help|support|cover|show|go through|look over|check)",
    r"\bwith\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})(?:'s)?\s+(?:help|support)",
    r"\b(?:help|support)\s+(?:from|of)\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})",
    r"\bask\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})\s+(?:to help|for help|to support|to show)",
    r"(?<!talk )(?<!speak )(?<!meet )(?<!check )(?<!chat )\bwith\s+"
    r"(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})\b"
    r"(?!\s+(?:about|on|over|regarding))",
]]
_ASKED_WHO = re.compile(r"who (?:could|can|might|would|else could) (?:help|support)|who can you ask|"
                        r"anyone who (?:could|can|might) help", re.I)


def helpers(text: str) -> list[str]:
    """The people named as help in ``text`` (not the people the action is about)."""
    out = []
    for pattern in _HELPER:
        for m in pattern.finditer(text):
            name = m.group("n")
            if name not in _NOT_NAMES and name.split()[0] not in _NOT_NAMES:
                out.append(name)
    return list(dict.fromkeys(out))


_ANY_NAME = re.compile(r"\b((?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})?)\b")


def names(text: str, *, at_start: bool = False) -> list[str]:
    """Capitalised names in ``text``; a sentence's first word only with ``at_start`` ("Grace, she knows it")."""
    found = (_ANY_NAME if at_start else _NAME).findall(text)
    return [n for n in dict.fromkeys(found) if n not in _NOT_NAMES and n.split()[0] not in _NOT_NAMES]


_CLOSING = re.compile(r"taking away|take away|learn(?:ed|t)|stayed with you|how (?:are|do) you feel|how's that "
                      r"been|anything (?:else )?(?:to|you want to) (?:say|add) before|useful today", re.I)
_PRONOUN = re.compile(r"\b(ask|tell|email|call|message|meet|see|phone|ring|text|ping|book|invite|remind|chase|"
                      r"talk to|check with|speak to|speak with|meet with|catch|go to|send)\s+(her|him)\b", re.I)


def closing_question(utts: list[dict[str, Any]]) -> int | None:
    """The coach's closing question ("what are you taking away?") in the last third of the session."""
    late = int(len(utts) * 0.7)
    return next((i for i in range(late, len(utts)) if any(a.endswith("question") for a in utts[i].get("acts") or [])
                 and _CLOSING.search(utts[i].get("text") or "")), None)


def plan_span(utts: list[dict[str, Any]]) -> range:
    """Where the plan is made: from the first Will utterance to the closing question
    ("what are you taking away?"), or nothing when no Will was marked."""
    first = next((i for i, u in enumerate(utts) if u.get("stage") == "will"), len(utts))
    end = closing_question(utts)
    return range(first, end if end is not None and end > first else len(utts))


def draft_actions(utts: list[dict[str, Any]], owner: str, today: date | None,
                  options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Actions as ``{"what", "when", "due", "who", "owner", "source": [indexes]}``."""
    actions: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None  # the action this exchange (a coach prompt and its answers) is making
    one_thing = False  # the prompt names one thing ("And Anjali?"): what is said in answer is one action
    item_named, prompt_at = None, 0  # the item the prompt names, and where
    for i in plan_span(utts):
        u = utts[i]
        if u["speaker"] != owner and any(a.endswith("question") for a in u.get("acts") or []):
            if current is not None and follows_up(u.get("text") or ""):
                one_thing = True  # "Starting when?": still the step just said
            else:
                current = None  # a new prompt opens a new exchange
                one_thing = names_one_item(u.get("text") or "")
                item_named, prompt_at = named_item(u.get("text") or ""), i
        if u.get("stage") in ("goal", "reality"):
            continue
        if u["speaker"] == owner and _answers_detail_prompt(utts, prompt_at, i) \
                and _add_detail(actions, owner, i, u.get("text") or "", utts[prompt_at].get("text") or ""):
            continue  # "What will you say?": the step's content
        if current is None and u["speaker"] == owner:
            current = _dated_answer(utts, i, today, actions) or current
        said = [c for c in u.get("commitment") or [] if (c["owner"] == owner or (
            c.get("kind") == "offer" and utts[c["confirmed_by"]]["speaker"] == owner))]
        if prompt_at < i and _RECAP.search(utts[prompt_at].get("text") or ""):
            _recapped(said, actions, i, today)  # "run me through the whole plan": nothing new is planned
            continue
        if prompt_at < i and asks_about_setbacks(utts[prompt_at].get("text") or ""):
            _fallbacks([c for c in said if c["owner"] == owner], actions, i)  # a plan B, not a new step
            said = [c for c in said if c["owner"] != owner]
        said = _one_per_turn([_with_context(c) for c in said])
        offer = next((a for a in actions if a["owner"] != owner and max(a["source"]) == i), None)
        for c in said:
            sources = [i] + ([c["confirmed_by"]] if c.get("confirmed_by") is not None else [])
            if offer is not None and c["owner"] == owner and _THING_PRONOUN.match(c["text"]):
                # "Oh, would you? Yes, please. I'll send it on the twenty-second": when the offer can happen
                w = when_of(c["text"], today)
                if w is not None and not offer["when"]:
                    offer["when"], offer["due"] = w.text, w.due
                offer["source"] = sorted(set(offer["source"]) | {i})
                continue
            clause = c["text"] if c.get("kind") != "offer" else _to_coachee(c["text"], owner)
            when = when_of(clause, today)
            if when is None and c["owner"] == u["speaker"]:
                when = _stray_time(u.get("text") or "", today)
            what = clause
            if when is not None and when.text in clause and not _recurring(clause, when.text) \
                    and not _CONDITION_ON.search(clause[:clause.find(when.text)]):
                what = clause.replace(when.text, " ", 1)  # the "what" without its "by when"; "every Monday" stays
                if _DANGLING.search(what):
                    what = clause  # "ask for the tenth": the date is what is asked for
            what = tidy(re.sub(r"\s+([,;])", r"\1", re.sub(r"[,;]\s*(?=[,;]|$)", "", what)))
            what = _name_for_pronoun(what, _last_name(utts, i, c["text"]))
            what = _told_what(what, utts[prompt_at].get("text") or "" if prompt_at < i else "")
            step = what  # the step itself, before any description is added: what duplicates are told by
            if len(said) == 1 and c.get("kind") in ("said", "answer") and 0 < len(content_words(what)) <= 2:
                what = _whole_turn(what, c["text"], u.get("text") or "", when.text if when else None)
            what = _thing_for_pronoun(what, _prompted_thing(utts, i))
            if _PRO_FORM.match(what) or len(content_words(what)) == 0:
                target = _referent(actions, options, i)
                if target is None:
                    continue
                if "what" not in target:  # an option taken up: "I'll do that"
                    what, sources = target["text"], sources + list(target["source"])
                else:
                    if when and not target["when"]:
                        target["when"], target["due"] = when.text, when.due
                    continue
            again = _restated(what, actions, c["owner"])
            if again is not None:  # "do the list Monday morning": the list action, said again
                again["source"] = sorted(set(again["source"]) | set(sources))
                if _THAT_THING.match(what):  # "bring that number to our next session": a step more with it
                    again["what"] = _then(again["what"], what)
                    continue
                rest = what.partition(";")[2].strip()
                if not rest or _CONTINGENCY.search(utts[prompt_at].get("text") or ""):
                    continue  # a fallback ("and if it does?") is part of the action it backs up
                what = tidy(rest)
            item = {"what": what, "when": when.text if when else None, "due": when.due if when else None,
                    "who": None, "owner": c["owner"], "source": sources,
                    "step": step if c.get("kind") in ("said", "answer") else None}
            proposed = next((a for a in actions if a.get("confirmed") == i and a["owner"] == c["owner"]), None)
            if c.get("kind") == "summary":
                item["confirmed"] = c.get("confirmed_by")
            if c.get("kind") == "offer":
                _merge(actions, item)
            elif proposed is not None and c.get("kind") == "said":
                # "Will you message me when it's booked?" - "Yeah. I'll send you a screenshot.": one step, and
                # the coachee's words for it
                coach = utts[min(proposed["source"])]["speaker"].split()[0]
                proposed["what"] = re.sub(r"\byou\b", coach, what, flags=re.I)
                proposed["source"] = sorted(set(proposed["source"]) | {i})
                proposed["when"], proposed["due"] = proposed["when"] or item["when"], proposed["due"] or item["due"]
            else:
                if current is None and item_named:
                    # "and dan" - "I'll email him today": what the item is, from where it was raised
                    mention = raised_item(utts, owner, prompt_at, item_named)
                    if mention is not None and len(content_words(mention[0]) - content_words(what)) >= 2:
                        item["what"] = f"{mention[0]}: {_joined(what)}"
                        item["source"] = sorted(set(sources) | {mention[1]})
                current = _merge(actions, item, into=current if one_thing else None)
        if (one_thing or len(said) == 1) and current is not None and u["speaker"] == owner \
                and i in current["source"]:
            _add_rest_of_turn(current, u.get("text") or "")  # "And the checklist?" - the whole answer is about it
        if not said and u["speaker"] == owner and current is None:
            # the exchange's prompt, even when a question back or a coach's aside came between
            # ("And the role-play, when would that happen?" - "Are you in Thursday?" - ... - "Lunch Thursday, then.")
            current = _prompted(utts, i, today, options, actions, prompt_at if prompt_at < i else i - 1)
        _attach_helpers(utts, owner, i, actions)
    for a in actions:
        a.pop("step", None)
        a.pop("confirmed", None)
        if len(re.findall(r'["“”]', a["what"])) % 2:  # a quote cut in half ("...can you be around.")
            a["what"] = re.sub(r'["“”]', "", a["what"])
    return actions


#: A prompt for the content or size of the step just planned ("What will you say to Funmi?", "How will you
#: put it to her?", "How many calls do you want to practise?"): the answer says what the step is.
_DETAIL_Q = re.compile(r"(?:what|how)\b[^?]{0,30}\b(?:say|put it|phrase it|word it|open it|start it|raise it)\b|"
                       r"how (?:many|much|long|often)\b", re.I)
_OPENING_Q = re.compile(r"\bhow (?:will|would|are) you (?:going to )?(open|start|begin|close|end) (?:it|the \w+)\b",
                        re.I)
_SAYING = re.compile(r"^(?:(?:I'll |I will |I'd |I would )?(?:just )?say(?: it)?[\s,:.]*)?(?:something like)?[\s,:.]*",
                     re.I)


def _add_rest_of_turn(action: dict[str, Any], text: str) -> None:
    """What else the answer to a one-item prompt says about the item ("And the checklist?" - "By Friday. One
    page, what I look for in sync PRs. I'll stick it in the team channel."), after the step: not the asides
    (what others will think, why), nor who can help (that is ``who``)."""
    have = content_words(action["what"]) | content_words(action.get("when") or "")
    extra = []
    for sentence in split_sentences(text):
        t = tidy(sentence)
        new = content_words(t) - have
        if len(new) >= 2 and not t.endswith("?") and not _ASIDE.match(t) and not _SELF_CUE.search(t) \
                and not any(p.search(t) for p in _HELPER[:-1]):
            extra.append(t.rstrip("."))
            have |= new
    if extra:
        what = action["what"]
        action["what"] = f"{what}{'' if what[-1] in '.!?' else '.'} " + ". ".join(extra) + "."


#: A sentence with its own "I'll": a step (drafted from the commitment), not a detail of one.
_SELF_CUE = re.compile(r"\bI(?:'ll| will|'m going to)\b", re.I)


#: "Who needs to know how it went?": what the people named will be told.
_WHO_KNOWS = re.compile(r"\bwho (?:else )?(?:needs|has|ought|should|would need) to (?:know|hear)(?: about)?\s+"
                        r"(?P<x>[^?]{3,60})\?", re.I)
_TELL = re.compile(r"^(?P<v>tell|let|update|email|message|text|ring|call|brief)\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s\S+|\S+)",
                   re.I)


def _told_what(what: str, prompt: str) -> str:
    """"Tell Hilary after", said to "Who needs to know how it went?", as "Tell Hilary how it went, after"."""
    asked, tell = _WHO_KNOWS.search(prompt), _TELL.match(what)
    if not asked or not tell or len(content_words(what[tell.end():])) > 1:
        return what  # "tell her the plan" says what she will be told
    told = re.sub(r"\byour\b", "my", re.sub(r"\byou\b", "I", asked.group("x").strip(" ,"), flags=re.I), flags=re.I)
    rest = what[tell.end():].strip(" ,")
    return f"{what[:tell.end()]} {told}" + (f", {rest}" if rest else "")


def _dated_answer(utts: list[dict[str, Any]], i: int, today: date | None,
                  actions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """"What would you actually do?" - "Whole-class feedback with one class. My 8C2. For two weeks." -
    "Starting when?" - "Monday.": an answer with no "I'll" is a step once the coachee says when it starts."""
    if i < 3 or not asks_only_when(utts[i - 1].get("text") or "") or utts[i - 1]["speaker"] == utts[i]["speaker"]:
        return None
    before = utts[i - 2]
    first = (split_sentences(utts[i].get("text") or "") or [""])[0]
    when = when_of(first, today)
    if before["speaker"] != utts[i]["speaker"] or before.get("commitment") or when is None \
            or before.get("stage") not in ("options", "will") or (before.get("text") or "").rstrip().endswith("?"):
        return None
    said = [tidy(s) for s in split_sentences(before.get("text") or "") if len(content_words(s)) >= 2]
    if not said:
        return None
    what = ". ".join(t.rstrip(".") for t in said[:3]) + "."
    sources = [i - 2, i - 1, i]
    raised = raised_item(utts, utts[i]["speaker"], i - 2, said[0])  # what "whole-class feedback" is
    if raised is not None:
        what, sources = f"{raised[0]}: {what}", sorted(set(sources) | {raised[1]})
    return _merge(actions, {"what": what, "when": when.text, "due": when.due, "who": None,
                            "owner": utts[i]["speaker"], "source": sources, "step": said[0]})


def _answers_detail_prompt(utts: list[dict[str, Any]], at: int, i: int) -> bool:
    """Utterance ``i`` answers the detail prompt at ``at`` (nobody else spoke in between)."""
    return at < i and bool(_DETAIL_Q.match(strip_lead_ins(utts[at].get("text") or ""))) \
        and all(utts[j]["speaker"] == utts[i]["speaker"] for j in range(at + 1, i))


def _add_detail(actions: list[dict[str, Any]], owner: str, i: int, text: str, prompt: str) -> bool:
    """The coachee's answer to a detail prompt, as part of the step it details ("Ask Janet for ten minutes:
    Would it help if Daniel supervised me until you're back?"). What they will say is not a further step;
    how they will open a meeting they have planned ("How will you open it?") is a step of its own."""
    target = next((a for a in reversed(actions) if a["owner"] == owner), None)
    said = [t for t in (tidy(_SAYING.sub("", strip_lead_ins(s)).strip(" \"'“”")) for s in split_sentences(text))
            if len(content_words(t)) >= 2 and not _ASIDE.match(t)]
    detail = re.sub(r'["“”]', "", " ".join(t.rstrip(".") + "." for t in said))  # quoted words, as words
    if target is None or not detail or not content_words(detail) - content_words(target["what"]):
        return False
    opening = _OPENING_Q.search(prompt)
    if opening:
        actions.append({"what": f"{opening.group(1).capitalize()} it: {detail}", "when": target["when"],
                        "due": target["due"], "who": None, "owner": owner, "source": [i - 1, i]})
        return True
    what = target["what"]
    target["what"] = f"{what}: {detail}" if ": " not in what else f"{what}{'' if what[-1] in '.!?' else '.'} {detail}"
    target["source"] = sorted(set(target["source"]) | {i})
    return True


#: A prompt about what happens if the plan fails ("And if it does?"): what is said in answer backs a step up.
_CONTINGENCY = re.compile(r"\bif (?:that|it|this) (?:happens|does(?:n't)?|doesn't work|falls through)\b|"
                          r"\bwhen that happens\b", re.I)
#: The coach asking for the plan back ("Can you run me through the whole plan?"): the answer restates it.
_RECAP = re.compile(r"\b(?:run (?:me |us )?(?:through|over)|recap|sum (?:it|that) up|summari[sz]e|go (?:back )?over|"
                    r"read (?:it|that|them) back|say (?:it|them|the plan) (?:back|out loud)|the whole plan)\b", re.I)


def _recapped(said: list[dict[str, Any]], actions: list[dict[str, Any]], i: int, today: date | None) -> None:
    """Each step of a recap is an action already planned: its source (and a "by when" it lacked) joins that
    action; a step that matches none is left out rather than drafted from a list said in passing."""
    for c in said:
        mine = [a for a in actions if a["owner"] == c["owner"]]
        scored = [(len(content_words(c["text"]) & content_words(a["what"])), n) for n, a in enumerate(mine)]
        best = max(scored, default=(0, -1))
        if best[0] >= 2:
            target = mine[best[1]]
            target["source"] = sorted(set(target["source"]) | {i})
            w = when_of(c["text"], today)
            if w is not None and not target["when"]:
                target["when"], target["due"] = w.text, w.due


def _fallbacks(said: list[dict[str, Any]], actions: list[dict[str, Any]], i: int) -> None:
    """What the coachee would do if a step fails ("If I can't get her Monday, I'll send her a Teams message")
    is kept with the step it backs up (the one it shares most words with, else the last one) as a source,
    not drafted as a step of its own: the plan is what they set out to do."""
    for c in said:
        mine = [a for a in actions if a["owner"] == c["owner"]]
        if not mine:
            continue
        scored = [(len(content_words(c["text"]) & content_words(a["what"])), n) for n, a in enumerate(mine)]
        best = max(scored)
        target = mine[best[1]] if best[0] > 0 else mine[-1]
        target["source"] = sorted(set(target["source"]) | {i})


#: A step whose object is a pointer ("bring it all to you"): the earlier step with that verb, said again.
_SAME_VERB_IT = re.compile(r"^(\w+)\s+(?:it|that|this)(?:\s+all)?\b", re.I)
#: A step about a thing pointed back to ("bring that number", "send those slides").
_THAT_THING = re.compile(r"^\w+\s+(?:that|those)\s+([a-z][\w-]+)\b", re.I)
#: A light verb and a thing ("do the list", "get the slides done"): which step is meant is the thing.
_LIGHT_VERB = re.compile(r"^(?:do|get|sort|finish)\s+(?P<np>(?:the|my|that)\s+[\w'-]+(?:\s+[\w'-]+)?)", re.I)


def _restated(what: str, actions: list[dict[str, Any]], owner: str) -> dict[str, Any] | None:
    """The planned action a light-verb step names again ("Then I'll do the list Monday morning before the
    run" after "the list ... by Friday"): a fallback or a restatement, not a new action."""
    mine = [a for a in actions if a["owner"] == owner]
    that = _THAT_THING.match(what)
    if that:  # "Bring that number to our next session": the step whose object is the number
        noun = content_words(that.group(1))
        named = [(n, a) for a in mine if noun for n, w in enumerate(a["what"].split()) if noun <= content_words(w)]
        return min(named, key=lambda p: p[0])[1] if named else None
    pointer = _SAME_VERB_IT.match(what)
    if pointer and pointer.group(1).lower() in ACTION_VERBS - {"do", "get"}:  # "Bring it all to you on the second"
        verb = re.compile(rf"(?:^|;\s*){pointer.group(1)}\b", re.I)
        return next((a for a in reversed(mine) if verb.search(a["what"])), None)
    m = _LIGHT_VERB.match(what)
    want = content_words(m.group("np")) if m else set()
    if not want:
        return None
    return next((a for a in mine if want <= content_words(a["what"])), None)  # the action that set it up


def _with_context(c: dict[str, Any]) -> dict[str, Any]:
    """The step with the words fronted before it, after it ("Every call, I'll write it first" ->
    "write it first, every call"), so the step still opens with its verb."""
    context = c.get("context")
    if not context or not content_words(context) - content_words(c["text"]):
        return c
    return {**c, "text": f"{c['text']}, {_unfronted(context)}", "context": None, "fronted": True}


def _unfronted(context: str) -> str:
    """Fronted words as they read after the step ("Every call" -> "every call"; names keep their capital)."""
    first = context.split(" ", 1)[0]
    return (first.lower() if first.lower() in _LOWER_AFTER else first) + context[len(first):]


_LOWER_AFTER = {"every", "each", "if", "once", "when", "whenever", "after", "before", "on", "at", "by", "from", "in",
                "the", "this", "next", "first", "whatever", "until", "as", "straight", "later", "unless"}


#: "if Tuesday goes well": the time is what the condition is about, so it stays in the words.
_CONDITION_ON = re.compile(r"\b(?:if|once|unless|when)\s*$", re.I)
_DANGLING = re.compile(r"\b(?:for|to|with|about|of|from)(?:\s+(?:our|my|your|the|their|his|her))?[\s,.;]*$", re.I)


#: Not part of the step: what others will say or do ("She'll say yes"), and why ("So she's not blindsided").
_ASIDE = re.compile(r"^(?:(?:she|he|they|it|that|which)(?:'ll|'d|'s going to| will| would)\b|(?:just )?so\b|"
                    r"because\b|otherwise\b)", re.I)


def _whole_turn(what: str, clause: str, text: str, when: str | None) -> str:
    """A bare pointer ("Ask Priya"), the one step of its turn, with the rest of the turn, which says what
    it is about ("Pairing with Priya. I'll ask her today. Tuesdays and Thursdays, half an hour, her driving.").
    Who can help is not part of it (it goes to ``who``)."""
    said = content_words(clause) | content_words(when or "")
    rest = [t for t in (tidy(s) for s in split_sentences(text) if clause not in s)  # the step itself is ``what``
            if len(t.split()) > 1 and content_words(t) - said and not _ASIDE.match(t)
            and not any(p.search(t) for p in _HELPER[:-1])]  # named as help, not "with Priya"
    turn = re.sub(r"\s+([,.;])", r"\1", ". ".join(rest))
    return f"{what}: {turn}" if len(content_words(turn) - content_words(what)) >= 2 else what


def _recurring(clause: str, phrase: str) -> bool:
    """"every Monday", "Tuesdays and Thursdays": part of what is done, not when it is due."""
    return bool(re.search(r"\b(?:every|each)\s+$", clause[:clause.find(phrase)])
                or re.match(r"(?:mon|tues|wednes|thurs|fri|satur|sun)days\b", phrase, re.I))


def _to_coachee(offer: str, owner: str) -> str:
    """A coach's offer said to the coachee ("send you our paperwork") as the log reads it ("send Siobhan ...")."""
    first = owner.split()[0]
    return re.sub(r"\byou\b", first, re.sub(r"\byour\b", f"{first}'s", offer, flags=re.I), flags=re.I)


def _one_per_turn(said: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steps of one commitment stay together: a step said in the same turn without a "by when" of its own
    belongs to the one before ("Email Sarah. Ask for the guidelines."); one with its own date, or its own
    topic fronted ("The Hub, I'll ask Gary"), is its own."""
    out: list[dict[str, Any]] = []
    for c in said:
        prev = next((o for o in reversed(out) if o["owner"] == c["owner"]), None)
        if prev is not None and not c.get("fronted") and (when_of(c["text"]) is None
                                                          or _same_head(prev["text"], c["text"])):
            prev["text"] = prev["text"] + "; " + c["text"]
        else:
            out.append(dict(c))
    return out


def _same_head(a: str, b: str) -> bool:
    """The same verb and object ("tell them at the huddle ... tell them the goal"): one step said again, fuller."""
    return a.lower().split()[:2] == b.lower().split()[:2]


def _stray_time(text: str, today: date | None) -> Any:
    """A deadline said as its own sentence next to the step ("Email Lesley. By Friday.")."""
    from_sentences = [when_of(s, today) for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) <= 5]
    return next((w for w in from_sentences if w is not None), None)


#: An option in the first person that was someone else's idea is their offer ("I could read the draft").
_FIRST_PERSON = re.compile(r"^I\b", re.I)


def _prompted(utts: list[dict[str, Any]], i: int, today: date | None, options: list[dict[str, Any]],
              actions: list[dict[str, Any]], at: int) -> dict[str, Any] | None:
    """"And the book look?" - "Last week before Easter.": the option the coach names, with its date.
    ``at`` is the coach's prompt of this exchange. Returns the action made, if any."""
    prompt = utts[at] if 0 <= at < i else None
    if prompt is None or prompt["speaker"] == utts[i]["speaker"] or \
            not any(a.endswith("question") for a in prompt.get("acts") or []):
        return None
    text = utts[i].get("text") or ""
    when = when_of(text, today) if not text.rstrip().endswith("?") else None
    asked = content_words(prompt.get("text") or "")
    if when is None or not asked:
        return None
    def context(o: dict[str, Any]) -> set[str]:  # the option and the exchange it came from
        around = {j for s in o["source"] for j in (s - 1, s) if j >= 0}
        return content_words(o["text"] + " " + " ".join(utts[j].get("text") or "" for j in sorted(around)))
    scored = [(len(asked & context(o)), n) for n, o in enumerate(options)
              if max(o["source"]) < at  # raised before the prompt that asks about it
              and not (o.get("idea_of") not in (None, utts[i]["speaker"]) and _FIRST_PERSON.match(o["text"]))]
    best = max(scored, default=(0, -1))
    if best[0] < 2:  # one shared word ("Monday") is not a reference
        thing = named_item(prompt.get("text") or "")  # "And the book look?" - "Last week before Easter."
        if thing is None:
            return None
        rest = tidy((utts[i].get("text") or "").replace(when.text, " ", 1)).lstrip(" .,;:")
        raised = raised_item(utts, utts[i]["speaker"], at, thing) or _mentioned(utts, utts[i]["speaker"], at, thing)
        if raised is None:  # an item never spoken of ("the cover?" - "Next time."): nothing to draft
            return None
        what = raised[0] + (f": {_joined(rest)}" if content_words(rest) else "")
        return _merge(actions, {"what": re.sub(r"\s+([,.;])", r"\1", what), "when": when.text, "due": when.due,
                                "who": None, "owner": utts[i]["speaker"], "source": sorted({at, i, raised[1]})})
    option = options[best[1]]
    return _merge(actions, {"what": option["text"], "when": when.text, "due": when.due, "who": None,
                            "owner": utts[i]["speaker"], "source": sorted(set(option["source"]) | {at, i})})


def _mentioned(utts: list[dict[str, Any]], speaker: str, before: int, item: str) -> tuple[str, int] | None:
    """An item the coachee named only in passing ("Role-play it."): the item's own words, where they said it."""
    key = re.sub(r"^(?:the|your|my)\s+", "", item.strip(), flags=re.I).lower()
    j = next((j for j in range(before - 1, -1, -1) if utts[j]["speaker"] == speaker and len(key) > 2
              and re.search(rf"\b{re.escape(key)}\b", (utts[j].get("text") or "").lower())), None)
    return (tidy(key), j) if j is not None else None


_ELLIPTICAL = re.compile(r"^(?:(?:and|so|what about|how about)\s+)?(?P<np>(?:the|your|that|this)\s+[\w\s'-]{2,40}?)"
                         r"(?:\s+(?:itself|then|bit))?\?$", re.I)
_THING_PRONOUN = re.compile(r"^(?P<verb>\w+)(?P<part>\s+(?:up|out|off|over|on))?\s+(?:it|that|them|this)\b", re.I)


def _prompted_thing(utts: list[dict[str, Any]], i: int) -> str | None:
    """The thing a coach's elliptical prompt names: "And the reflection?" -> "the reflection"."""
    if i == 0 or utts[i - 1]["speaker"] == utts[i]["speaker"]:
        return None
    m = _ELLIPTICAL.match(strip_lead_ins((utts[i - 1].get("text") or "").strip()))
    return re.sub(r"^your\b", "my", m.group("np").strip(), flags=re.I) if m else None


def _thing_for_pronoun(what: str, thing: str | None) -> str:
    """"Write it up" as "Write the reflection up" when the coach just asked "And the reflection?"."""
    if thing is None:
        return what
    return _THING_PRONOUN.sub(lambda m: f"{m.group('verb')} {thing}{m.group('part') or ''}", what, count=1)


def _name_for_pronoun(what: str, name: str | None) -> str:
    """"Ask her" as "Ask Sam" when Sam was the last person named."""
    if name is None:
        return what
    return _PRONOUN.sub(lambda m: f"{m.group(1)} {name}", what, count=1)


def _last_name(utts: list[dict[str, Any]], i: int, clause: str) -> str | None:
    """Whom "her"/"him" means: the last person named before, in the clause, this turn or the few before it."""
    text = utts[i].get("text") or ""
    upto = text[:text.find(clause)] if clause in text else ""
    pronoun = _PRONOUN.search(clause)
    before = clause[:pronoun.start()] if pronoun else ""
    for n, said in enumerate([before, upto] + [utts[j].get("text") or "" for j in range(i - 1, max(i - 4, -1), -1)]):
        found = names(said, at_start=n == 1)  # "Jo. I'll ask her on Monday."
        if found:
            return found[-1]
    return None


def _referent(actions: list[dict[str, Any]], options: list[dict[str, Any]], i: int) -> dict[str, Any] | None:
    """What "I'll do that" refers to: an option raised just before, else the last action."""
    recent = [o for o in options if o["source"] and max(o["source"]) in range(i - 4, i + 1)]
    if recent:
        return recent[-1]
    return actions[-1] if actions else None


def _then(what: str, more: str) -> str:
    """A further step after ``what``: after a semicolon, or as a sentence of its own after a full stop."""
    return f"{what} {more[:1].upper()}{more[1:]}" if what.endswith((".", "!", "?")) else f"{what}; {_joined(more)}"


def _joined(text: str) -> str:
    """``text`` to follow a colon or semicolon: a leading verb lower-cased, names and "I" kept."""
    first = text.split(" ", 1)[0]
    return (first.lower() if first.lower() in ACTION_VERBS else first) + text[len(first):]


def _merge(actions: list[dict[str, Any]], item: dict[str, Any],
           into: dict[str, Any] | None = None) -> dict[str, Any]:
    """No duplicates: an action said twice keeps the first wording (or the second, when it says the same step
    more fully) and gains what the second adds. The same step for another day ("bring the list to Colin" on
    Tuesday, "bring the list" to the next session) is another action.

    ``into`` is the action the same exchange is already making: a further step said in answer to the
    same prompt ("I'll email her today and ask for half an hour ... by Monday I'll have a date") is part
    of that one action, not a new one. Returns the action the item ended up in."""
    for old in actions:
        if old["owner"] == item["owner"] and not (old["due"] and item["due"] and old["due"] != item["due"]) \
                and (_same_action(old["what"], item["what"]) or _same_action(
                    old.get("step") or old["what"], item.get("step") or item["what"])):
            said_before, said_now = content_words(old.get("step") or ""), content_words(item.get("step") or "")
            if said_before and said_before < said_now:  # the coachee saying a step again, fuller: those words
                old["what"], old["step"] = item["what"], item["step"]
                old["when"], old["due"] = item["when"] or old["when"], item["due"] or old["due"]
            break
    else:
        if into is None or into["owner"] != item["owner"]:
            actions.append(item)
            return item
        old = into
        old["what"] = _then(old["what"], item["what"])
    for k in ("when", "due", "who"):
        old[k] = old[k] or item[k]
    old["source"] = sorted(set(old["source"]) | set(item["source"]))
    return old


def _same_action(a: str, b: str) -> bool:
    """One action said twice: most of the shorter wording's content words, with the same verb and object
    ("ask Tom ...", "ask Tom straight after"), or with the same verb and at least three words shared (the verb
    and one word, "ask" and "change", do not make "ask them at the huddle what they'd change" the same step
    as "ask for the slot back" after "the depot changed the schedule")."""
    if overlap(a, b) < 0.6:
        return False
    words = b.lower().split()
    if not words or words[0] not in ACTION_VERBS:
        return True
    head = re.escape(" ".join(words[:2]).strip(",.;:"))
    if re.search(rf"(?:^|[;:]\s*){head}\b", a, re.I):
        return True
    same_verb = re.search(rf"(?:^|[;:]\s*){re.escape(words[0])}\b", a, re.I) is not None
    return same_verb and len(content_words(a) & content_words(b)) >= 3


def _attach_helpers(utts: list[dict[str, Any]], owner: str, i: int, actions: list[dict[str, Any]]) -> None:
    """Who can help: named as help in the plan, or in answer to "who could help?"."""
    u = utts[i]
    if u["speaker"] != owner or not actions:
        return
    text = u.get("text") or ""
    found = helpers(text)
    asked = i > 0 and _ASKED_WHO.search(utts[i - 1].get("text") or "")
    if not found and asked:
        found = [n for n in names(text, at_start=True) if n not in helpers_excluded(text)]
    if found:
        target = actions[-1]
        target["who"] = ", ".join(dict.fromkeys(([target["who"]] if target["who"] else []) + found))
        target["source"] = sorted(set(target["source"]) | {i})


def helpers_excluded(text: str) -> set[str]:
    """People the action is about ("talk to Tom", "ask Tom whether"), not helpers."""
    return set(re.findall(r"\b(?:to|ask|tell|email|call|message|ring|phone|meet)\s+([A-Z][a-z]{2,})\b", text))
