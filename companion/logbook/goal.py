"""The goal the pair settled on, and a SMART check that names what is missing.

Why the coach's summary counts: in peer coaching the goal is often agreed when the
coach plays it back ("so by the end of March, no nurse has more than six insulin
visits before ten") and the coachee confirms it. That confirmed summary, in the
coachee's voice, is the goal; failing one, the coachee's own goal statement in the
goal stage. When the goal is re-contracted mid-session, the latest one wins.

Why a group differs: in a group turn several people ask, and the member's goal is
their own answer when the group asks what they want ("What would you like to be
different?"); someone's playback may be a paraphrase, and a member's story "as
advice" that the member politely agrees with is not their goal. So in a group the
member's answer to a goal question comes first.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from companion.analysis.commitments import confirms, strip_lead_ins
from companion.analysis.stagecues import CUES
from companion.analysis.text import parse, split_sentences
from companion.logbook.dates import time_phrases
from companion.logbook.items import content_words, in_first_person

SMART_KEYS = ("specific", "measurable", "achievable", "relevant", "time_bound")

_PLAYBACK = re.compile(r"^(?:so,?\s*)?(?:um,?\s*)?(?:(?:let me|can i|could i|just to)\s+"
                       r"(?:check|play (?:that|it) back|make sure|"
                       r"see if)[^.?!]*[.?!]\s*|if i'?ve got (?:that|it|this) right,?\s*|so what i'?m hearing is,?\s*|"
                       r"(?:so\s+)?the goal is,?\s*|(?:so\s+)?your goal is,?\s*)", re.I)
#: A playback ending in a check ("..., yeah?") is still a statement of the goal.
_TAG = re.compile(r",?\s*(?:yeah|right|yes|is that right|is that it|does that sound right|have I got that right)\?$",
                  re.I)
_NUMBER = re.compile(r"\b\d+\b")
_GOAL_CUE = re.compile(
    r"\b(?:I\s+(?:really\s+)?(?:want|need|hope|wish|aim)\s+(?:it\s+|to\b)|"
    r"I(?:'d| would)\s+(?:really\s+)?(?:like|love)\b|"
    r"my (?:goal|aim|objective) (?:is|would be)|what I want is|I'm hoping to|I am hoping to|"
    r"by the end of|success (?:would|will) (?:be|look))", re.I)
_MEASURE = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|"
                      r"hundred|percent|per|in a row|every|at least|no more than|fewer|less than|more than|under|"
                      r"on time|within|half|third|quarter)\b|%", re.I)
_VAGUE = {"better", "more", "less", "thing", "stuff", "improv", "chang", "good"}
_ACHIEVABLE = re.compile(r"\b(?:in my control|i can do|doable|realistic|achievable|manageable|within my power|"
                         r"i'?m able to)\b", re.I)
_RELEVANT = re.compile(r"\b(?:because|matters?|important|frustrat\w*|want this to change|so that|dread\w*|stress\w*|"
                       r"care about|embarrass\w*|for my (?:team|career|role)|means a lot|worried)\b", re.I)
_SCALE_Q = re.compile(r"scale of|how committed|how confident|how likely|out of ten", re.I)
_SCALE_ANSWER = re.compile(r"\b(?:seven|eight|nine|ten|7|8|9|10)\b", re.I)


def smart_of(text: str, today: date | None) -> dict[str, bool]:
    words = [w for w in content_words(text) if w not in _VAGUE]
    return {"specific": len(words) >= 4, "measurable": bool(_MEASURE.search(text)),
            "time_bound": bool(time_phrases(text, today))}


def draft_goal(utts: list[dict[str, Any]], owner: str, today: date | None,
               asides: set[int] | frozenset[int] = frozenset(), group: bool = False) -> dict[str, Any] | None:
    """The goal item (text, SMART check, source indexes) or None when no goal was set.

    ``asides`` are utterances that are never the goal (greetings, small talk, off-topic stretches).
    ``group``: a member's turn in a group, where their answer to the group's goal question comes first.
    """
    said = [{**u, "text": ""} if i in asides else u for i, u in enumerate(utts)]
    # An answer to the group's goal question is on the issue by definition: asides do not hide it.
    found = _answer_to_goal_question(utts, owner, today) if group else None
    found = found or _confirmed_summary(said, owner, today) or _own_statement(said, owner, today)
    if found is None:
        return None
    text, indexes = found
    return {"text": text, "smart": smart_check(utts, owner, text, today), "source": indexes}


def _goal_stretch(utts: list[dict[str, Any]]) -> list[int]:
    """Where a goal can be agreed: the goal stage, and the first 60% of the session.

    Not bounded by the first Will mark: a stage tracker may call an early "by when?" the Will.
    """
    said = [i for i, u in enumerate(utts) if u.get("text")]
    early = set(said[:int(len(said) * 0.6) + 1])
    return [i for i, u in enumerate(utts) if i in early or u.get("stage") == "goal"]


def _goal_likeness(text: str, stage: str | None, today: date | None) -> int:
    """2: names an outcome with a time or a measure ("by the end of March, no more than six");
    1: said in the goal stage; 0: not a goal."""
    smart = smart_of(text, today)
    said = smart["time_bound"] + smart["measurable"] + bool(_GOAL_CUE.search(text))
    if said >= 2 and (smart["specific"] or _NUMBER.search(text)):
        return 2
    return 1 if stage == "goal" else 0


def _confirmed_summary(utts: list[dict[str, Any]], owner: str, today: date | None) -> tuple[str, list[int]] | None:
    """The coach's playback of the goal that the coachee confirmed; the most goal-like, then the latest
    (a re-contracted goal replaces the first)."""
    best: tuple[int, int, str, list[int]] | None = None
    for i in _goal_stretch(utts):
        u = utts[i]
        text = u.get("text") or ""
        if u["speaker"] == owner or not ("reflection" in (u.get("acts") or []) or _PLAYBACK.match(text)):
            continue
        reply = next((j for j in range(i + 1, min(i + 3, len(utts))) if utts[j]["speaker"] == owner), None)
        if reply is None or not confirms(utts[reply].get("text") or ""):
            continue
        parts = [_TAG.sub("", s) for s in split_sentences(_PLAYBACK.sub("", strip_lead_ins(text)))]
        said = " ".join(s for s in parts if not s.rstrip().endswith("?"))
        # goal talk even where the tracker has not marked the goal stage: it plays back the coachee's answer
        # to a goal question just before ("What do you want, exactly?" - "The Easter week off ...")
        answers = [utts[j + 1].get("text") or "" for j in range(max(i - 7, 0), i - 1)
                   if utts[j]["speaker"] != owner and utts[j + 1]["speaker"] == owner
                   and asks_for_goal(utts[j].get("text") or "")]
        asked = any(len(content_words(a) & content_words(said)) >= 2 for a in answers)
        tier = _goal_likeness(said, "goal" if asked else u.get("stage"), today)
        if len(content_words(said)) + len(_NUMBER.findall(said)) >= 3 and tier and (best is None or tier >= best[0]):
            best = (tier, i, _as_goal(said), [i, reply])
    return (best[2], best[3]) if best else None


#: An answer shorter than this (content words) is not a goal ("Different? She'd be gone. Ha.").
ANSWER_MIN_WORDS = 4
#: The owner's answer comes within this many utterances of the question (others' backchannels between).
ANSWER_WITHIN = 3


#: Goal questions the stage cues leave to context: "If things were better... what would be different?"
_DIFFERENT = re.compile(r"\bwhat (?:would|will|could|might) (?:be|feel|look|have to be|need to be) different\b", re.I)


def asks_for_goal(text: str) -> bool:
    """A question about what someone wants: "What would you like to be different?", "What would good look like?"."""
    return any(s.rstrip().endswith("?") and (CUES["goal"].search(parse(s).joined) or _DIFFERENT.search(s))
               for s in split_sentences(text))


def _answer_to_goal_question(utts: list[dict[str, Any]], owner: str,
                             today: date | None) -> tuple[str, list[int]] | None:
    """The owner's own answer, in full, the first time someone asks what they want and they answer with
    substance (a follow-up like "how would you know?" refines the goal, it does not replace it). Anywhere
    in the turn: after a long vent the goal question comes late."""
    for i in range(len(utts)):
        u = utts[i]
        if u["speaker"] == owner or not asks_for_goal(u.get("text") or ""):
            continue
        reply = next((j for j in range(i + 1, min(i + 1 + ANSWER_WITHIN, len(utts)))
                      if utts[j]["speaker"] == owner and utts[j].get("text")), None)
        if reply is None:
            continue
        said = " ".join(t for t in (strip_lead_ins(s).strip() for s in split_sentences(utts[reply]["text"])
                                    if not s.rstrip().endswith("?")) if t)
        if len(content_words(said)) >= ANSWER_MIN_WORDS:
            return said[:1].upper() + said[1:], [i, reply]
    return None


def _own_statement(utts: list[dict[str, Any]], owner: str, today: date | None) -> tuple[str, list[int]] | None:
    candidates = []
    for i in _goal_stretch(utts):
        u = utts[i]
        if u["speaker"] != owner:
            continue
        for s in split_sentences(u.get("text") or ""):
            if s.rstrip().endswith("?") or len(content_words(s)) < 2:
                continue
            if not (u.get("stage") == "goal" or _GOAL_CUE.search(s)) or not _goal_likeness(s, u.get("stage"), today):
                continue
            score = 3 * bool(_GOAL_CUE.search(s)) + sum(smart_of(s, today).values())
            candidates.append((score, i, s))
    if not candidates:
        return None
    score, i, s = max(candidates)  # ties go to the latest: a re-contracted goal replaces the first
    return _as_goal(s), [i]


def _as_goal(text: str) -> str:
    t = in_first_person(strip_lead_ins(text)).strip()
    return t[:1].upper() + t[1:]


def smart_check(utts: list[dict[str, Any]], owner: str, text: str, today: date | None) -> dict[str, Any]:
    """Which SMART qualities the goal has, from its words and what the coachee said about it."""
    flags = smart_of(text, today)
    mine = [(i, u) for i, u in enumerate(utts) if u["speaker"] == owner and u.get("text")]
    scaled = any(_SCALE_ANSWER.search(u["text"]) and i > 0 and _SCALE_Q.search(utts[i - 1].get("text") or "")
                 for i, u in mine)
    achievable = scaled or any(_ACHIEVABLE.search(u["text"]) for _, u in mine)
    relevant = bool(_RELEVANT.search(text)) or any(_RELEVANT.search(u["text"]) for _, u in mine
                                                   if u.get("stage") in ("goal", None))
    checks: dict[str, Any] = {"specific": flags["specific"], "measurable": flags["measurable"],
                              "achievable": bool(achievable), "relevant": relevant,
                              "time_bound": flags["time_bound"]}
    checks["missing"] = [k for k in SMART_KEYS if not checks[k]]
    return checks
