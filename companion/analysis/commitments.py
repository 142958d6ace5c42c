"""Commitments: what a speaker says they will do, marked on the utterance.

Why a component: the learning log's action plan, the coach's review and any
later check of follow-through all need the same answer to "who committed to
what here?", so it is decided once, on the words the analysis already parsed,
and written into the report as ``utterances[i].commitment``: ``None`` or a
list of ``{"text", "owner", "confirmed_by"}`` where ``text`` is the committed
words as said ("email Lorraine today, after this, to book the sim session").

Two forms count:
- a speaker's own "I'll ...", "I'm going to ...", "I plan to ...": owned by
  the speaker (a coach's "I'll send you the form" is the coach's commitment);
- a coach-side summary in the second person ("so you'll ask Janet on Monday")
  that the coachee then confirms ("yes", "that's right"): owned by the
  coachee, with ``confirmed_by`` pointing at the confirming utterance.

The shared uptake words (``confirms``/``declines``) live here too: the drafter
asks them whether a coachee took up a suggestion or confirmed a summary.
"""

from __future__ import annotations

import re
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.text import split_sentences
from companion.model import Event
from companion.roles import is_coach_side, is_coachee_side

#: First-person commitment cues; what follows them is the committed action.
_SELF = re.compile(
    r"\b(?:I(?:'ll|ll| will| shall)|I(?:'m| am) (?:going to|gonna)|I plan to|I intend to|I commit to|"
    r"I(?:'ve| have) decided to|my (?:first|next) step (?:is|will be)(?: to)?)\s+"
    r"(?!(?:be|never|not|probably be|have to|need|tell you|admit|say|see|think|just hand|know|"
    r"feel|wait|leave it|bottle|forget|get told|end up|stop you|let you go)\b)", re.I)
#: Second-person forms of a coach's summary of what the coachee will do.
_YOU = re.compile(r"\b(?:you(?:'ll| will)|you(?:'re| are) (?:going to|gonna))\s+(?!(?:be|never|not|feel)\b)", re.I)
#: Words a speaker opens a turn with before the content ("so", "okay", "um").
LEAD_INS = re.compile(
    r"^(?:(?:yes|yeah|yep|no|nope|exactly|right|ok|okay|sure|well|so|and|but|then|honestly|hmm+|um+|uh+|erm|"
    r"er|mm+|mhm|ah|oh|i mean|you know|like|actually|alright|good|great|brilliant|fine|thanks|thank you)"
    r"\b[\s,.!\-—]*)+", re.I)
_CONFIRM = re.compile(
    r"^(?:yes|yeah|yep|yup|exactly|that's (?:it|right|exactly it|the one)|right|correct|spot on|definitely|"
    r"absolutely|sure|mm+-?hmm|mhm|uh-huh|that's what I want|perfect|ok(?:ay)?|sounds (?:good|right))\b", re.I)
_DECLINE = re.compile(
    r"(?:^(?:no|nah|nope)\b|\bnot (?:really|sure|for me|right|yet|quite)\b|\bi don'?t think\b|\bdon'?t want\b|"
    r"\bwouldn'?t\b|\bcan'?t\b|\bcouldn'?t\b|\brather not\b|\btoo (?:drastic|much|risky|far)\b|"
    r"\bdoesn'?t (?:feel|fit|work|suit)\b|\bnot something\b|^(?:\w+[,.]?\s+){0,2}but\b)", re.I)
_TAKE_UP = re.compile(
    r"(?:\b(?:that'?s|it'?s) (?:a )?(?:good|great|nice|useful) (?:idea|point|one)\b|\bi like (?:that|it|the idea)\b|"
    r"\bthat (?:could|would|might) work\b|\bi (?:could|can|will|'ll|ll) (?:do|try) (?:that|it|this)\b|"
    r"\bthat makes sense\b|\blet'?s\b)", re.I)


def strip_lead_ins(text: str) -> str:
    """``text`` without the turn-opening words ("Yeah, so, um, ...")."""
    rest = LEAD_INS.sub("", text.strip(), count=1)
    return rest if rest.strip() else text.strip()


def declines(text: str) -> bool:
    """The reply turns a suggestion or a summary down ("no", "I don't think so", "yes, but ...")."""
    return bool(_DECLINE.search(text.strip()))


def confirms(text: str) -> bool:
    """The reply agrees with what was just said (a summary or a suggestion), without a "but"."""
    t = text.strip()
    return not declines(t) and bool(_CONFIRM.match(t) or _TAKE_UP.search(t))


def committed_clauses(text: str, pattern: re.Pattern[str] = _SELF) -> list[str]:
    """The words after each commitment cue, up to the next cue or the end of the sentence."""
    out: list[str] = []
    for sentence in split_sentences(text):
        if sentence.rstrip().endswith("?"):
            continue
        hits = list(pattern.finditer(sentence))
        for n, m in enumerate(hits):
            end = hits[n + 1].start() if n + 1 < len(hits) else len(sentence)
            clause = sentence[m.end():end].strip(" ,;:-—.!")
            clause = re.sub(r"[\s,]+(?:and|then|so|but)$", "", clause, flags=re.I)
            if len(clause.split()) >= 2:
                out.append(clause)
    return out


class CommitmentTracker(Component):
    """Marks each utterance's commitments (``marks[i]["commitment"]``), as they are said."""

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        ctx.marks[i]["commitment"] = None
        if not u.transcribed or not u.text:
            return []
        own = committed_clauses(u.text)
        if own:
            ctx.marks[i]["commitment"] = [{"text": c, "owner": u.speaker, "confirmed_by": None} for c in own]
        role = ctx.role_of(u.speaker)
        if i > 0 and is_coachee_side(role) and confirms(u.text):
            prev = ctx.utterances[i - 1]
            if is_coach_side(ctx.role_of(prev.speaker)) and prev.text:
                summary = committed_clauses(prev.text, _YOU)
                if summary:
                    marks: list[dict[str, Any]] = ctx.marks[i - 1].get("commitment") or []
                    marks += [{"text": c, "owner": u.speaker, "confirmed_by": i} for c in summary]
                    ctx.marks[i - 1]["commitment"] = marks
        return []
