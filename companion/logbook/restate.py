"""One action per commitment: the same step said again, a recap of the plan, a plan B and a pointer
back ("bring that number") join the action they restate instead of becoming new ones.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from companion.analysis.commitments import ACTION_VERBS
from companion.logbook.dates import when_of
from companion.logbook.items import content_words, overlap

#: A prompt about what happens if the plan fails ("And if it does?"): what is said in answer backs a step up.
CONTINGENCY = re.compile(r"\bif (?:that|it|this) (?:happens|does(?:n't)?|doesn't work|falls through)\b|"
                          r"\bwhen that happens\b", re.I)


#: The coach asking for the plan back ("Can you run me through the whole plan?"): the answer restates it.
RECAP = re.compile(r"\b(?:run (?:me |us )?(?:through|over)|recap|sum (?:it|that) up|summari[sz]e|go (?:back )?over|"
                    r"read (?:it|that|them) back|say (?:it|them|the plan) (?:back|out loud)|the whole plan)\b", re.I)


def recapped(said: list[dict[str, Any]], actions: list[dict[str, Any]], i: int, today: date | None) -> None:
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


def fallbacks(said: list[dict[str, Any]], actions: list[dict[str, Any]], i: int) -> None:
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
THAT_THING = re.compile(r"^\w+\s+(?:that|those)\s+([a-z][\w-]+)\b", re.I)


#: A light verb and a thing ("do the list", "get the slides done"): which step is meant is the thing.
_LIGHT_VERB = re.compile(r"^(?:do|get|sort|finish)\s+(?P<np>(?:the|my|that)\s+[\w'-]+(?:\s+[\w'-]+)?)", re.I)


def restated(what: str, actions: list[dict[str, Any]], owner: str) -> dict[str, Any] | None:
    """The planned action a light-verb step names again ("Then I'll do the list Monday morning before the
    run" after "the list ... by Friday"): a fallback or a restatement, not a new action."""
    mine = [a for a in actions if a["owner"] == owner]
    that = THAT_THING.match(what)
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


def then_step(what: str, more: str) -> str:
    """A further step after ``what``: after a semicolon, or as a sentence of its own after a full stop."""
    return f"{what} {more[:1].upper()}{more[1:]}" if what.endswith((".", "!", "?")) else f"{what}; {joined(more)}"


def joined(text: str) -> str:
    """``text`` to follow a colon or semicolon: a leading verb lower-cased, names and "I" kept."""
    first = text.split(" ", 1)[0]
    return (first.lower() if first.lower() in ACTION_VERBS else first) + text[len(first):]


def merge(actions: list[dict[str, Any]], item: dict[str, Any],
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
        old["what"] = then_step(old["what"], item["what"])
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
