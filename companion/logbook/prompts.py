"""What a coach's prompt in the Will asks about: one item of the plan ("And the quiet hours?"), a
follow-up on the step just said ("Starting when?"), and where the coachee raised that item before.

The labelled plans (and a coachee reading the log) name a step by what it is, which was said when
the option came up; in the Will the coachee often only says when ("And the book look?" - "Last week
before Easter."). These helpers let the action plan join the two without guessing.
"""

from __future__ import annotations

import re
from typing import Any

from companion.analysis.commitments import ACTION_VERBS, is_step, strip_lead_ins
from companion.analysis.text import split_sentences
from companion.logbook.dates import when_of
from companion.logbook.items import content_words, tidy

#: A prompt about one item of the plan: "And Anjali?", "and the triage with sharon", "Then Fridays?",
#: "What about the rota?" (not "And what else?" or "And if that happens?").
_ONE_THING = re.compile(r"^(?:(?:ok(?:ay)?|so|right|great|good)[\s,.]+)*"
                        r"(?:and|then|what about|how about|anything about)\s+"
                        r"(?!(?:what|how|why|who|when|where|which|if|is|are|do|does|did|can|could|would|will|"
                        r"you|anything|is there)\b)", re.I)


#: A follow-up on the step just said, asking only when: "Starting when?", "By when?", "When would that be?".
_WHEN_FOLLOW_UP = re.compile(r"^(?:(?:and|so|okay|ok|right)[\s,]+)*(?:starting |from |by )?when\b[^?]{0,25}\?*$", re.I)


#: A follow-up on the step just said ("How will you put it to her?"), not on what could go wrong with it.
_BACK = re.compile(r"^(?:(?:and|so|okay|ok|right)[\s,]+)*(?:how|when|where)\b.*\b(?:put|say|phrase|word|raise|ask|"
                   r"tell|approach|start)\s+(?:it|that|her|him|them)\b", re.I)
_OBSTACLE_Q = re.compile(r"get in the way|stop you|go wrong|if (?:that|it) (?:happens|does)|support", re.I)


#: A prompt about what could stop the plan, what happens if it fails, or what support it needs ("What might get
#: in the way?", "And if it does?", "What if it doesn't go okay?", "What support do you need?").
_FALLBACK_Q = re.compile(r"get in the way|stop you|go wrong|\bwhat if\b|what support|keep you on track|"
                         r"\bif (?:that|it|this|she|he|they) "
                         r"(?:happens|does|doesn't|don't|do not|does not|falls? through|says? no)\b|"
                         r"when that happens", re.I)


def asks_about_setbacks(prompt: str) -> bool:
    """The prompt asks what could go wrong with the plan, or what the coachee would do then."""
    return bool(_FALLBACK_Q.search(prompt))


#: "What's the one thing you'll commit to?": whatever is said in answer is that one action.
_THE_ONE = re.compile(r"\b(?:the|one) (?:one )?(?:thing|action|step)\b(?! else)", re.I)


#: A prompt listing items: "Wakefield, the Hub, co-design?", "the GP federation and the bulletin?".
_SEVERAL = re.compile(r"\w[\w' -]*,\s*(?:the\s+)?\w[\w' -]*,\s*(?:and\s+)?(?:the\s+)?\w[\w' -]*\?|"
                      r"\b(?:the|your)\s+[\w' -]+\s+and\s+(?:the|your)\s+[\w' -]+\?", re.I)


def names_one_item(prompt: str) -> bool:
    """The prompt is about one item of the plan, so what is said in answer is one action."""
    if _SEVERAL.search(prompt):
        return False  # "And the rest? Wakefield, the Hub, co-design?": an answer per item
    return bool(_ONE_THING.match(prompt) or _THE_ONE.search(prompt))


def asks_only_when(prompt: str) -> bool:
    """"Starting when?", "By when?": the prompt asks only when the step just said will happen."""
    return bool(_WHEN_FOLLOW_UP.match(prompt.strip()))


def follows_up(prompt: str) -> bool:
    """The prompt follows up the step just said (when, or how to put it), rather than opening a new one."""
    return bool(_WHEN_FOLLOW_UP.match(prompt) or (_BACK.search(prompt) and not _OBSTACLE_Q.search(prompt)))


_NAMED = re.compile(r"^(?P<np>(?:(?:the|your|that|this)\s+)?[\w'-]+(?:\s+[\w'-]+){0,4}?)\s*(?:[,?.]|$)", re.I)
_WHEN_THE = re.compile(r"\bwhen (?:are|will|could|can|would|do) you (?:\w+\s+){0,3}?(?P<np>(?:the|your)\s+[\w'-]+"
                       r"(?:\s+[\w'-]+){0,3}?)\s*(?:[,?.]|$|\s+(?:before|by|then)\b)", re.I)


def named_item(prompt: str) -> str | None:
    """The plan item a coach's Will prompt is about: "And the role-play, when would that happen?",
    "and the triage with sharon", "When could you get the list?" -> "the role-play", ..., "the list"."""
    text = prompt.strip()
    if _SEVERAL.search(text):
        return None  # a list of items names no one of them
    m = _NAMED.match(strip_lead_ins(text)) if _ONE_THING.match(text) else None
    if m and m.group("np").split()[0].lower() in ACTION_VERBS:
        m = None  # "And tell Dom." tells, it names no item
    m = m or _WHEN_THE.search(text)
    return re.sub(r"^your\b", "my", m.group("np").strip(), flags=re.I) if m else None


def raised_item(utts: list[dict[str, Any]], speaker: str, before: int, item: str) -> tuple[str, int] | None:
    """Where ``speaker`` last spoke of ``item`` before the prompt: what the item is ("the list" ->
    "I need the actual list out of SystmOne, with the times and the insulin types")."""
    want = content_words(item)
    when = when_of(item)
    if not want or (when is not None and not want - content_words(when.text)):  # "Then Fridays?": when, not what
        return None
    said = [(j, t) for j in range(before - 1, -1, -1)
            if utts[j]["speaker"] == speaker and utts[j].get("text")
            and (utts[j].get("stage") != "will" or not utts[j].get("commitment"))  # not a step already planned
            for t in reversed(split_sentences(utts[j]["text"]))
            if want <= content_words(t) and len(content_words(t) - want) >= 2]
    # Where it was put forward as something to do ("I could ask Grace ..."), else where it was last named.
    best = next(((j, t) for j, t in said if _PUT_FORWARD.search(t) or is_step(strip_lead_ins(t))), None)
    if best is None and said:  # else the fullest description in the turn where it was last named
        best = max((p for p in said if p[0] == said[0][0]), key=lambda p: len(content_words(p[1])))
    return (tidy(best[1]), best[0]) if best else None


_PUT_FORWARD = re.compile(r"\b(?:could|might|maybe|perhaps|option|idea|what if)\b", re.I)
