"""Commitments: what a speaker says they will do, marked on the utterance.

Why a component: the learning log's action plan, the coach's review and any
later check of follow-through all need the same answer to "who committed to
what here?", so it is decided once, on the words the analysis already parsed,
and written into the report as ``utterances[i].commitment``: ``None`` or a
list of ``{"text", "owner", "confirmed_by", "kind", "context"}`` where ``text`` is the
committed words as said ("email Lorraine today, after this, to book the sim
session") and ``kind`` is how it was said: ``said`` ("I'll ..."), ``answer`` (a
bare step in answer to a coach's question: "Email Lesley. By Friday."),
``summary`` or ``offer`` (below); ``context`` is what the speaker fronted before
the cue in the same sentence ("Every call", "If there's nothing in the diary by
Friday") or ``None``.

The forms that count:
- a speaker's own "I'll ...", "I'm going to ...", "I plan to ...": owned by
  the speaker (a coachee or member; a coach's own "I'll" counts as an offer, below);
- a bare step ("Email Lesley in Calderdale.") in answer to a coach's question;
- a coach's offer ("I could read the bid draft") the coachee accepts: the coach's;
- a coach-side summary in the second person ("so you'll ask Janet on Monday"),
  or a step the coach proposes as a question ("Do you want to bring it back to
  our next session?"), that the coachee then confirms ("yes", "that's right"): owned by the
  coachee, with ``confirmed_by`` pointing at the confirming utterance.

The shared uptake words (``confirms``/``declines``) live here too: the drafter
asks them whether a coachee took up a suggestion or confirmed a summary.
"""

from __future__ import annotations

import re
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.questions import asks_question
from companion.analysis.text import split_sentences
from companion.model import Event
from companion.roles import is_coach_side, is_coachee_side

#: First-person commitment cues; what follows them is the committed action.
_SELF = re.compile(
    r"\b(?:I(?:'ll|ll| will| shall)|I(?:'m|m| am) (?:going to|gonna)|I plan to|I intend to|I commit to|"
    r"I(?:'ve| have) decided to|my (?:first|next) step (?:is|will be)(?: to)?)\s+"
    r"(?!(?:be|never|not|probably be|have to|need|tell you|admit|say|see|think|just hand|know|"
    r"feel|wait|leave it|bottle|forget|get told|end up|stop you|let you go)\b)", re.I)
#: Verbs an action starts with ("email Lesley", "book the room"): what makes a clause a step to take
#: rather than a prediction ("I'll find a reason not to") or a feeling ("I'll feel better").
ACTION_VERBS = frozenset("""
    add agree aim apply arrange ask attend block book bring build call cancel catch change chase copy
    check clear collect come complete confirm contact count cover create delegate discuss do draft
    drop email enrol explain fill find finish fix follow get give go have hand invite join keep lead
    learn leave let list look make map meet mention message move offer open organise organize pair
    phone pick plan post practise practice prepare present print propose pull push put raise read
    record reply rehearse remind review ring role-play run say schedule see send set share show sign submit
    speak start stick stop suggest take talk team-teach tell test text train try turn update use
    visit watch work write
""".split())  # noqa: SIM905 - a word list reads best as words
_SKIP_WORDS = frozenset({"just", "also", "then", "definitely", "probably", "actually", "first", "really", "quickly",
                         "still", "maybe", "perhaps", "try", "and", "to", "go"})
_NOT_STEP = re.compile(r"^(?:have (?:been|gone|done|had|to)|go (?:mad|crazy)|let (?:it|that) go|look like|"
                       r"find a reason|"
                       r"get told|say (?:no|yes)$|see (?:how|what|if)|take (?:it|that) (?:as|personally))\b", re.I)
#: A coach's offer of help ("I could read the bid draft", "I'm happy to look").
_OFFER = re.compile(r"\b(?:I(?:'ll|ll| will| could| can)|I(?:'m| am) happy to)\s+", re.I)
#: Second-person forms of a coach's summary of what the coachee will do.
_YOU = re.compile(r"\b(?:you(?:'ll| will)|you(?:'re| are) (?:going to|gonna))\s+(?!(?:be|never|not|feel)\b)", re.I)
#: A coach proposing a step as a question ("Do you want to bring the stroke preparation back to our next
#: session?", "Can you bring that number?"): once the coachee says yes, it is the coachee's step.
_PROPOSE = re.compile(r"^(?:(?:so|and|okay|ok|right|then)[\s,]+)*(?:do you want to|would you (?:like|want) to|"
                      r"can you|could you|will you|are you going to)\s+(?!(?:be|feel|see|say|tell me|think|hear|"
                      r"run (?:me |us )?(?:through|over)|go (?:back )?over|talk me|walk me|sum)\b)",
                      re.I)


def proposed_steps(text: str) -> list[str]:
    """The steps a coach proposes as questions ("Do you want to bring X to our next session?")."""
    out = []
    for sentence in split_sentences(text):
        m = _PROPOSE.match(sentence.strip()) if sentence.rstrip().endswith("?") else None
        clause = sentence.strip()[m.end():].strip(" ?,.") if m else ""
        if len(clause.split()) >= 2 and is_step(clause):
            out.append(clause)
    return out


#: Words a speaker opens a turn with before the content ("so", "okay", "um").
LEAD_INS = re.compile(
    r"^(?:(?:yes|yeah|yep|no|nope|exactly|right|ok|okay|sure|well|so|and|but|then|honestly|hmm+|um+|uh+|erm|"
    r"er|mm+|mhm|ah|oh|i mean|you know|like|actually|alright|good|great|brilliant|fine|thanks|thank you)"
    r"\b[\s,.!\-—]*)+", re.I)
_CONFIRM = re.compile(
    r"^(?:yes|yeah|yep|yup|aye|exactly|that's (?:it|right|exactly it|the one)|right|correct|spot on|definitely|"
    r"absolutely|sure|(?:good|great|nice) idea|mm+-?hmm|mhm|uh-huh|that's what I want|perfect|ok(?:ay)?|"
    r"sounds (?:good|right))\b", re.I)
_HESITATION = re.compile(r"^(?:(?:um+|uh+|erm|er|well|oh|ah|mm+|hmm+)\b[\s,.]*)+", re.I)
_DECLINE = re.compile(
    r"(?:^(?:no|nah|nope)\b|\bnot (?:really|sure|for me|right|yet|quite)\b|\bi don'?t think\b|\bdon'?t want\b|"
    r"\bwouldn'?t\b|\bcan'?t\b|\bcouldn'?t\b|\brather not\b|\btoo (?:drastic|much|risky|far)\b|"
    r"\bdoesn'?t (?:feel|fit|work|suit)\b|\bnot something\b|^(?:\w+[,.]?\s+){0,2}but\b)", re.I)
_TAKE_UP = re.compile(
    r"(?:\byes,? please\b|\bthat would be (?:great|brilliant|amazing|helpful|lovely)\b|\bwould you\?|"
    r"\b(?:that'?s|it'?s) (?:a )?(?:good|great|nice|useful) (?:idea|point|one)\b|\bi like (?:that|it|the idea)\b|"
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
    """The reply agrees with what was just said (a summary or a suggestion), without a "but"; a short
    correction may come first ("First of October. Yes.")."""
    t = _HESITATION.sub("", text.strip())
    if declines(t):
        return False
    if _CONFIRM.match(t) or _TAKE_UP.search(t):
        return True
    first, *rest = split_sentences(t) or [""]
    return bool(rest) and len(first.split()) <= 4 and bool(_CONFIRM.match(_HESITATION.sub("", rest[0].strip())))


def is_step(clause: str) -> bool:
    """The clause starts with a doing verb (after "just", "then", "try and" ...)."""
    words = [w.strip(",.;:!?\"'").lower() for w in clause.split()]
    k = 0
    while k < len(words) and words[k] in _SKIP_WORDS:
        k += 1
    return k < len(words) and words[k] in ACTION_VERBS and not _NOT_STEP.match(" ".join(words[k:]))


def committed_clauses(text: str, pattern: re.Pattern[str] = _SELF) -> list[str]:
    """The steps after each commitment cue, up to the next cue or the end of the sentence."""
    return [clause for clause, _ in committed_in_context(text, pattern)]


def committed_in_context(text: str, pattern: re.Pattern[str] = _SELF) -> list[tuple[str, str | None]]:
    """Each committed step with the words fronted before its cue in the same sentence, which say when,
    how often or on what condition it is done ("Every call, I'll write it first", "If there's nothing in the
    diary by Friday, I'll email Sunita"); ``None`` when the sentence opens with the cue."""
    out: list[tuple[str, str | None]] = []
    for sentence in split_sentences(text):
        if sentence.rstrip().endswith("?"):
            continue
        hits = list(pattern.finditer(sentence))
        before = sentence[:hits[0].start()] if hits else ""
        if re.search(r"\b(?:otherwise|or else|in the moment)\b", before, re.I):
            continue  # a prediction of what goes wrong, not a plan
        if _HEDGED.search(before):
            continue  # "I think I'll have a clearer head": a forecast, not a step
        for n, m in enumerate(hits):
            end = hits[n + 1].start() if n + 1 < len(hits) else len(sentence)
            clause = sentence[m.end():end].strip(" ,;:-—.!")
            clause = re.sub(r"[\s,]+(?:and|then|so|but)$", "", clause, flags=re.I)
            if len(clause.split()) >= 2 and is_step(clause):
                out.append((clause, _fronted(before) if n == 0 else None))
    return out


#: "I think I'll ...", "hopefully I'll ...": what the speaker expects, not what they commit to.
_HEDGED = re.compile(r"\b(?:I (?:think|guess|suppose|expect|reckon)|hopefully|probably)[\s,]*$", re.I)


def _fronted(before: str) -> str | None:
    """The words before a sentence's first cue, without the turn-opening ones ("And", "So", "Then")."""
    rest = LEAD_INS.sub("", before.strip(), count=1).strip(" ,;:-—")
    rest = re.sub(r"[\s,]*\b(?:and|then|so|but)$", "", rest, flags=re.I).strip(" ,;:-—")
    if not re.search(r"[A-Za-z]{2}", rest):
        return None
    # An adverbial ("Every call", "If ...", "On Monday") or a short topic ("Wakefield", "The Hub"), not a
    # clause of its own ("My colleague Priya runs great meetings, I'll ask her").
    adverbial = rest.split()[0].lower().strip(",") in _FRONT_WORDS
    return rest if adverbial or (len(rest.split()) <= 3 and "," not in rest) else None


_FRONT_WORDS = frozenset("""
    if once when whenever after before every each on at by from in this next first whatever until as straight
    later unless
""".split())  # noqa: SIM905 - a word list reads best as words


def answered_steps(text: str) -> list[str]:
    """Steps said as bare imperatives in answer to a question ("Email Lesley. By Friday.")."""
    out = []
    for sentence in split_sentences(text):
        clause = strip_lead_ins(sentence).strip(" ,;:-—.!")
        own = _SELF.search(clause)
        if own and committed_clauses(clause[own.start():]):
            clause = clause[:own.start()].strip(" ,;:-—.!")  # "Email Sarah, I'll ring Gwen": two steps
            clause = re.sub(r"[\s,]+(?:and|then|so|but)$", "", clause, flags=re.I)
        if not sentence.rstrip().endswith("?") and len(clause.split()) >= 2 and is_step(clause):
            out.append(clause)  # "Tell Helen on Wednesday that I'll answer after Easter": the whole step
    return out


class CommitmentTracker(Component):
    """Marks each utterance's commitments (``marks[i]["commitment"]``), as they are said."""

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        ctx.marks[i]["commitment"] = None
        if not u.transcribed or not u.text:
            return []
        role = ctx.role_of(u.speaker)
        prev = ctx.utterances[i - 1] if i > 0 else None
        prev_coach = prev is not None and bool(prev.text) and is_coach_side(ctx.role_of(prev.speaker))
        if not is_coach_side(role):
            own = [(c, "said", lead) for c, lead in committed_in_context(u.text)]
            if prev_coach and asks_question(ctx.marks[i - 1]):
                own += [(c, "answer", None) for c in answered_steps(u.text)]
            if own:
                self._add(ctx, i, [{"text": c, "owner": u.speaker, "confirmed_by": None, "kind": kind,
                                    "context": lead} for c, kind, lead in own])
        if prev is not None and prev_coach and is_coachee_side(role) and confirms(u.text):
            # The coach's summary of the coachee's steps, or the coach's own offer, now agreed.
            marks = [{"text": c, "owner": u.speaker, "confirmed_by": i, "kind": "summary", "context": lead}
                     for c, lead in committed_in_context(prev.text, _YOU)]
            marks += [{"text": c, "owner": u.speaker, "confirmed_by": i, "kind": "summary", "context": None}
                      for c in proposed_steps(prev.text)]
            marks += [{"text": c, "owner": prev.speaker, "confirmed_by": i, "kind": "offer", "context": lead}
                      for c, lead in committed_in_context(prev.text, _OFFER)]
            if marks:
                self._add(ctx, i - 1, marks)
        return []

    @staticmethod
    def _add(ctx: AnalysisContext, i: int, found: list[dict[str, Any]]) -> None:
        ctx.marks[i]["commitment"] = (ctx.marks[i].get("commitment") or []) + found
