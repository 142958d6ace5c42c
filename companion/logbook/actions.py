"""The action plan: one action per commitment made in the Will, with its owner, its
"by when" as said and resolved, and who can help as named.

The commitments themselves are the analysis's (``utterances[i].commitment``); this
module only places them, exchange by exchange (a coach's prompt and the answers to
it): which are the plan (said in the Will, or after it began), what "do that" and
"the list" refer to, and when the action is due. ``restate`` keeps one action per
commitment (restatements, recaps, plan Bs), ``details`` gathers what the exchange
says about the step, and ``people`` tells the helper from the person the action is
about ("talk to Tom" makes Tom the subject, "Priya can help me prepare" the helper).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from companion.analysis.commitments import strip_lead_ins
from companion.logbook.coach_plan import coach_plan
from companion.logbook.dates import when_of
from companion.logbook.details import (
    add_detail,
    add_rest_of_turn,
    answers_detail_prompt,
    dated_answer,
    told_what,
    whole_turn,
)
from companion.logbook.items import content_words, tidy
from companion.logbook.people import attach_helpers, last_name, name_for_pronoun, roles, with_roles, you_as
from companion.logbook.prompts import asks_about_setbacks, follows_up, named_item, names_one_item, raised_item
from companion.logbook.restate import (
    CONTINGENCY,
    RECAP,
    THAT_THING,
    fallbacks,
    joined,
    merge,
    recapped,
    restated,
    then_step,
)

_PRO_FORM = re.compile(r"^(?:(?:do|try)\s+(?:it|that|this)\b|(?:send|bring|book|write|sort|give)\s+"
                       r"(?:it|that|this|them|one)\b(?:[\s,]+(?:then|first|"
                       r"too|as well|now|a go|out|my|the|\w+day|protected|,))*$)", re.I)


_CLOSING = re.compile(r"taking away|take away|learn(?:ed|t)|stayed with you|how (?:are|do) you feel|how's that "
                      r"been|anything (?:else )?(?:to|you want to) (?:say|add) before|useful today", re.I)


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
        if u["speaker"] == owner and answers_detail_prompt(utts, prompt_at, i) \
                and add_detail(actions, owner, i, u.get("text") or "", utts[prompt_at].get("text") or ""):
            continue  # "What will you say?": the step's content
        if current is None and u["speaker"] == owner:
            current = dated_answer(utts, i, today, actions) or current
        said = [c for c in u.get("commitment") or [] if (c["owner"] == owner or (
            c.get("kind") == "offer" and utts[c["confirmed_by"]]["speaker"] == owner))]
        if prompt_at < i and RECAP.search(utts[prompt_at].get("text") or ""):
            recapped(said, actions, i, today)  # "run me through the whole plan": nothing new is planned
            continue
        if prompt_at < i and asks_about_setbacks(utts[prompt_at].get("text") or ""):
            fallbacks([c for c in said if c["owner"] == owner], actions, i)  # a plan B, not a new step
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
            what = name_for_pronoun(what, last_name(utts, i, c["text"]))
            what = told_what(what, utts[prompt_at].get("text") or "" if prompt_at < i else "")
            step = what  # the step itself, before any description is added: what duplicates are told by
            if len(said) == 1 and c.get("kind") in ("said", "answer") and 0 < len(content_words(what)) <= 2:
                what = whole_turn(what, c["text"], u.get("text") or "", when.text if when else None)
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
            again = restated(what, actions, c["owner"])
            if again is not None:  # "do the list Monday morning": the list action, said again
                again["source"] = sorted(set(again["source"]) | set(sources))
                if THAT_THING.match(what):  # "bring that number to our next session": a step more with it
                    again["what"] = then_step(again["what"], what)
                    continue
                rest = what.partition(";")[2].strip()
                if not rest or CONTINGENCY.search(utts[prompt_at].get("text") or ""):
                    continue  # a fallback ("and if it does?") is part of the action it backs up
                what = tidy(rest)
            item = {"what": what, "when": when.text if when else None, "due": when.due if when else None,
                    "who": None, "owner": c["owner"], "source": sources,
                    "step": step if c.get("kind") in ("said", "answer") else None}
            proposed = next((a for a in actions if a.get("confirmed") == i and a["owner"] == c["owner"]), None)
            if c.get("kind") == "summary":
                item["confirmed"] = c.get("confirmed_by")
            if c.get("kind") == "offer":
                merge(actions, item)
            elif proposed is not None and c.get("kind") == "said":
                # "Will you message me when it's booked?" - "Yeah. I'll send you a screenshot.": one step, and
                # the coachee's words for it
                coach = utts[min(proposed["source"])]["speaker"].split()[0]
                proposed["what"] = you_as(coach, what)
                proposed["source"] = sorted(set(proposed["source"]) | {i})
                proposed["when"], proposed["due"] = proposed["when"] or item["when"], proposed["due"] or item["due"]
            else:
                if current is None and item_named:
                    # "and dan" - "I'll email him today": what the item is, from where it was raised
                    mention = raised_item(utts, owner, prompt_at, item_named)
                    if mention is not None and len(content_words(mention[0]) - content_words(what)) >= 2:
                        item["what"] = f"{mention[0]}: {joined(what)}"
                        item["source"] = sorted(set(sources) | {mention[1]})
                current = merge(actions, item, into=current if one_thing else None)
        if (one_thing or len(said) == 1) and current is not None and u["speaker"] == owner \
                and i in current["source"]:
            add_rest_of_turn(current, u.get("text") or "")  # "And the checklist?" - the whole answer is about it
        if not said and u["speaker"] == owner and current is None:
            # the exchange's prompt, even when a question back or a coach's aside came between
            # ("And the role-play, when would that happen?" - "Are you in Thursday?" - ... - "Lunch Thursday, then.")
            current = _prompted(utts, i, today, options, actions, prompt_at if prompt_at < i else i - 1)
        attach_helpers(utts, owner, i, actions)
    coach_plan(utts, owner, plan_span(utts), today, actions)  # the coach's summary the coachee agreed to
    known = {n: r for n, r in roles(utts).items() if not any(n in u["speaker"].split() for u in utts)}
    for a in actions:
        a["what"] = with_roles(a["what"], known)
        a.pop("step", None)
        a.pop("confirmed", None)
        if len(re.findall(r'["“”]', a["what"])) % 2:  # a quote cut in half ("...can you be around.")
            a["what"] = re.sub(r'["“”]', "", a["what"])
    return actions


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


def _recurring(clause: str, phrase: str) -> bool:
    """"every Monday", "Tuesdays and Thursdays": part of what is done, not when it is due."""
    return bool(re.search(r"\b(?:every|each)\s+$", clause[:clause.find(phrase)])
                or re.match(r"(?:mon|tues|wednes|thurs|fri|satur|sun)days\b", phrase, re.I))


def _to_coachee(offer: str, owner: str) -> str:
    """A coach's offer said to the coachee ("send you our paperwork") as the log reads it ("send Siobhan ...")."""
    return you_as(owner.split()[0], offer)


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
        what = raised[0] + (f": {joined(rest)}" if content_words(rest) else "")
        return merge(actions, {"what": re.sub(r"\s+([,.;])", r"\1", what), "when": when.text, "due": when.due,
                                "who": None, "owner": utts[i]["speaker"], "source": sorted({at, i, raised[1]})})
    option = options[best[1]]
    return merge(actions, {"what": option["text"], "when": when.text, "due": when.due, "who": None,
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


def _referent(actions: list[dict[str, Any]], options: list[dict[str, Any]], i: int) -> dict[str, Any] | None:
    """What "I'll do that" refers to: an option raised just before, else the last action."""
    recent = [o for o in options if o["source"] and max(o["source"]) in range(i - 4, i + 1)]
    if recent:
        return recent[-1]
    return actions[-1] if actions else None
