"""The plan a coach lays out and the coachee agrees to: the coachee's actions, worded from the coach.

When the coach dominates, the plan is often the coach's summary ("So Thursday you do the conversation,
SBI, three examples. Then the summary email the same day. Then HR by Friday."), agreed only when the
coach checks ("You're good with that?" - "Yeah. I'll do it."). Each step of that summary is then the
coachee's action. A step named in passing ("the summary email") is drafted from where the coach first
described it ("you write it up straight afterwards, and you send him a summary email").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from companion.analysis.commitments import ACTION_VERBS, confirms, declines, is_step, strip_lead_ins
from companion.analysis.text import split_sentences
from companion.logbook.dates import when_of
from companion.logbook.items import content_words, tidy
from companion.logbook.restate import merge

#: The coach checking the plan they have laid out: "You're good with that?", "Does that work for you?".
_PLAN_CHECK = re.compile(r"\b(?:(?:you're|you are|are you) (?:good|okay|ok|happy|alright|all right) with "
                         r"(?:that|this|the plan)|does (?:that|this) (?:work|sound (?:okay|ok|good|right))|"
                         r"(?:is )?that (?:okay|ok|alright) with you)\b", re.I)
#: A step of the coach's plan: "you do the conversation", "you send it", or a listed "Then the summary email".
_YOU_DO = re.compile(r"\byou (?!(?:know|see|said|say|think|feel|want|need|are|were|have|had|can|could|would|"
                     r"'d|'re|'ve)\b)(?P<step>\w+\b.*)", re.I)
_THEN_ITEM = re.compile(r"^(?:and )?then,?\s+(?P<step>(?:the|an?|your)?\s*\w.*)", re.I)


def coach_plan(utts: list[dict[str, Any]], owner: str, span: range, today: date | None,
               actions: list[dict[str, Any]]) -> None:
    """Adds to ``actions`` the steps of each coach summary in ``span`` that the coachee agreed to when the
    coach checked the plan, unless the coachee's own actions already hold them."""
    start = span.start
    for i in span:
        u = utts[i]
        if u["speaker"] == owner or not _PLAN_CHECK.search(u.get("text") or ""):
            continue
        reply = next((j for j in range(i + 1, min(i + 3, len(utts))) if utts[j]["speaker"] == owner), None)
        text = utts[reply].get("text") or "" if reply is not None else ""
        if reply is not None and confirms(text) and not declines(text):
            for j in range(start, i):
                if utts[j]["speaker"] != owner and "reflection" in (utts[j].get("acts") or []):
                    for what, when in _steps(utts[j].get("text") or "", today):
                        item = {"what": _described(utts, utts[j]["speaker"], j, what), "when": when[0],
                                "due": when[1], "who": None, "owner": owner, "source": [j, reply]}
                        merge(actions, item)
        start = i + 1


def _steps(text: str, today: date | None) -> list[tuple[str, tuple[str | None, str | None]]]:
    """The steps of a coach's summary, each with its "by when" (as said, resolved)."""
    out = []
    for sentence in split_sentences(text):
        if sentence.rstrip().endswith("?"):
            continue
        s = strip_lead_ins(sentence).strip(" .")
        m = _YOU_DO.search(s)
        if m and m.group("step").split(" ", 1)[0].lower() not in ACTION_VERBS:
            m = None  # "you mentioned the budget": not a step
        m = m or _THEN_ITEM.match(sentence.strip(" ."))
        if not m:
            continue
        step = m.group("step").strip(" ,.")
        when = when_of(s, today)
        if when is not None:
            step = tidy(step.replace(when.text, " ", 1))
        if len(content_words(step)) >= 1:
            out.append((tidy(step), (when.text if when else None, when.due if when else None)))
    return out


def _described(utts: list[dict[str, Any]], coach: str, before: int, step: str) -> str:
    """A step the summary names in passing, with the coach's earlier description of it: the last sentence
    where the coach told the coachee to do it ("you send him a summary email")."""
    named = re.match(r"^(?:(?:do|have|send|book|write)\s+)?(?:the|an?|your)?\s*(\w+(?:\s+\w+)?)", step, re.I)
    want = content_words(named.group(1)) if named else set()
    if not want:
        return step
    for j in range(before - 1, -1, -1):
        if utts[j]["speaker"] != coach:
            continue
        for sentence in reversed(split_sentences(utts[j].get("text") or "")):
            told = _TOLD.search(sentence) or is_step(strip_lead_ins(sentence))
            if told and want <= content_words(sentence) and len(content_words(sentence) - content_words(step)) >= 2:
                return f"{step}: {tidy(re.sub(r'^(?:and )?(?:then )?you ', '', strip_lead_ins(sentence), flags=re.I))}"
    return step


#: The coach telling the coachee what to do: "you send him", "you do three of those".
_TOLD = re.compile(r"(?<!didn't )(?<!did )(?<!don't )(?<!do )(?<!why )(?<!if )\byou (?:\w+ )?"
                   r"(?:send|write|do|go|book|talk|ask|tell|use|log|start|lead|read)\b", re.I)
