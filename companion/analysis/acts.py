"""Coaching acts of one utterance: questions (open/closed), reflections, advice, affirmations.

Rules, not a trained model, so that they read the same on any conversation
(the held-out transcripts are real counselling talk, not ours). The coding
follows MI coders' conventions (MITI 4.2.1 / MISC 2.5; see
../shared/notes/coding-conventions.md). Questions and their kind come from
``questions.py``. A *reflection* says back what was heard ("it sounds
like...", "so you feel...", a paraphrase of the coachee's words). *Advice*
tells or suggests a course ("you should...", "have you tried...", which is a
question and advice at once); giving neutral information is not advice. An
*affirmation* credits the coachee's strengths or effort.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from companion.analysis.act_phrases import (
    ADVICE,
    ADVICE_ASKED,
    AFFIRMATION,
    COURTESY,
    IMPERATIVE,
    INFO,
    INFO_YOU,
    NOT_ABOUT_YOU,
    NOT_ADVICE,
    REFLECTION,
    SUGGESTION,
    TOPIC_CUE,
    YOU_COULD,
)
from companion.analysis.base import AnalysisContext, Component
from companion.analysis.lexicon import FIRST_PERSON, LINKERS, NUMBERISH, STOPWORDS, WH
from companion.analysis.questions import (
    AUX,
    CHECK_TAG,
    CLOSED,
    OPEN,
    SCALE,
    Clause,
    clauses,
    is_question,
    prompt,
    question_kinds,
    skip_linkers,
)
from companion.analysis.text import stem
from companion.model import Event, Role

ACTS = (OPEN, CLOSED, "reflection", "advice", "affirmation")
#: A full restatement with a rising "?" ("So you feel stuck?"). MITI codes the
#: inverted form as a question and found no rule coding the declarative one as a
#: reflection; a transcript's "?" is the transcriber's hearing of a rise, so it is a
#: closed question by default. True reads it as a reflection instead (the older
#: own sets were labelled that way). A short echo of the coachee's words ("A
#: Post-it note?") is a reflection either way.
RISING_RESTATEMENT_IS_REFLECTION = False
#: Content stems a plain coach statement must share with the coachee's last turn to
#: count as a reflection.
MIN_SHARED_STEMS = 1
__all__ = ["ACTS", "ActResult", "ActTagger", "detect", "is_question", "question_kinds"]


@dataclass
class ActResult:
    questions: list[str] = field(default_factory=list)  # one entry per question asked
    reflection: bool = False
    advice: bool = False
    affirmation: bool = False

    def acts(self) -> list[str]:
        found = set(self.questions)
        if self.reflection:
            found.add("reflection")
        if self.advice:
            found.add("advice")
        if self.affirmation:
            found.add("affirmation")
        return [a for a in ACTS if a in found]


def _about_the_listener(c: Clause) -> bool:
    """A statement about the other person: "you" as subject or object, no "I"/"we".

    In counselling a coach's plain statement about the client ("You're running
    on empty", "That really stuck with you", "Mornings are the worst time for
    you") is how most reflections are said; statements about the coach or the
    two of them ("I think", "we can", "let's") are not. "your" alone does not
    count: "your colleagues get the agenda late" may be news, not an echo.
    """
    toks = c.tokens[skip_linkers(c.tokens, 0):]
    if len(toks) < 3 or any(t in FIRST_PERSON for t in toks):
        return False
    if toks[0] == "you" and toks[1] in {"can", "could", "may"} and toks[2] != "n't":
        return False  # "you can hang your coat there": permission or an option, not an echo
    text = NOT_ABOUT_YOU.sub(" ", " " + " ".join(c.tokens) + " ")
    return any(t in {"you", "yourself"} for t in text.split())


def _summary(c: Clause) -> bool:
    """ "So stopping makes it worse", "so patches and a walk": a statement opened
    with "so" that says nothing about the speaker sums up what was heard."""
    toks = c.tokens
    j = 1 if toks[:1] == ["and"] else 0
    return (len(toks) - j >= 4 and toks[j] == "so" and toks[j + 1] not in LINKERS
            and not any(t in FIRST_PERSON for t in toks))


def _echoes_the_coachee(parts: list[Clause], parsed: Any, previous: Any) -> bool:
    toks = [t for c in parts for t in c.tokens[skip_linkers(c.tokens, 0):]]
    if previous is None or len(toks) < 5 or FIRST_PERSON & set(toks) or NOT_ABOUT_YOU.search(parsed.joined) \
            or COURTESY.search(parsed.joined) or SCALE.search(parsed.joined):
        return False
    return _overlap(parsed.stems, previous) >= MIN_SHARED_STEMS


def _overlap(stems: list[str], previous: Any) -> int:
    if previous is None:
        return 0
    return len(set(stems) & set(previous.stems))


def _echo(c: Clause, previous: Any) -> bool:
    """A short rising-tone repeat of the coachee's own words ("A Post-it note?",
    "Fifteen minutes?"): coders label it a reflection, not a question."""
    toks = c.tokens[skip_linkers(c.tokens, 0):]
    if previous is None or not 1 <= len(toks) <= 6 or WH & set(toks) or FIRST_PERSON & set(toks):
        return False
    if NUMBERISH & set(toks) or any(t[:1].isdigit() for t in toks):
        return False  # "Thirtieth of May?", "One to ten?": checking a fact is a closed question
    words = [t for t in toks if t.isalpha() and t not in STOPWORDS and len(t) > 2]
    said = set(previous.stems)
    return bool(words) and sum(stem(t) in said for t in words) * 2 >= len(words)


def _unpunctuated_prompt(tokens: list[str]) -> str | None:
    """A coach's short verbless turn in text without punctuation: "and the checklist"
    prompts for more (open); "starting when", "one to ten" ask for one fact (closed)."""
    if prompt(tokens):
        return OPEN
    if len(tokens) <= 5 and (tokens[-1] in {"when", "where"} or SCALE.search(" " + " ".join(tokens) + " ")
                             or " ".join(tokens[-3:]) in {"one to ten", "out of ten", "zero to ten"}):
        return CLOSED
    return None


def _text(parts: list[Clause], kinds: tuple[str | None, ...]) -> str:
    """Tokens of the clauses of the given kinds, padded for phrase look-ups."""
    return " " + " ".join(t for c in parts if c.question in kinds for t in c.tokens) + " "


def _advice(parts: list[Clause], joined: str) -> bool:
    """Telling or suggesting what to do. Neutral information ("most people find...")
    is not advice (MITI GI), and "you need to" inside a question asks, it does not
    tell. Minimal encouragers ("go on", "you can see") are cut out first."""
    told = NOT_ADVICE.sub("  ", _text(parts, (None, "declarative")))
    if ADVICE.search(told) or YOU_COULD.search(told) or ADVICE_ASKED.search(joined):
        return True
    for c in parts:
        j = skip_linkers(c.tokens, 0)
        if c.question is None and len(c.tokens) - j >= 3 and c.tokens[j] in IMPERATIVE \
                and not NOT_ADVICE.search(" " + " ".join(c.tokens[j:j + 3]) + " ") \
                and c.tokens[j + 1] not in {"you", "i", "we", "me", "it"} | AUX:
            return True  # "Talk to HR early", "try writing it down"
        if c.question in (CLOSED, "declarative") and c.tokens[j:j + 1] in (["could"], ["can"], ["would"]) \
                and SUGGESTION.search(" " + " ".join(c.tokens[j:j + 5]) + " "):
            return True  # "Could you ask her?", "could Mrs Akhtar put it in the policy?"
    return False


def _reflection(parts: list[Clause], parsed: Any, previous: Any, result: ActResult) -> bool:
    """Saying back what the coachee said or meant, in the statement part of the turn."""
    declaratives = [c for c in parts if c.question == "declarative"]
    statements = [c for c in parts if c.question is None]
    text = _text(parts, (None, "declarative") if RISING_RESTATEMENT_IS_REFLECTION else (None,))
    # Praise is not an echo: "that sounds like a solid plan" affirms.
    text = AFFIRMATION.sub("  ", text) if result.affirmation else text
    if INFO.search(text) or result.advice:
        return False
    checked = bool(CHECK_TAG.search(parsed.joined))
    if REFLECTION.search(text):
        return not TOPIC_CUE.search(text)
    # A short lead-in before a question ("So there's a lot here. What matters most?",
    # "You mentioned the stand-ups. What would a good one look like?") only points at
    # a topic: coders code the question alone (MITI E.4.e.5). A check ("..., is that
    # right?") is the exception: reflection and question are both coded (E.4.e.4).
    lead = sum(len(c.tokens) for c in statements)
    if result.questions and not checked and (lead <= 8 or TOPIC_CUE.search(text)):
        return False
    if len(text.split()) >= 5 and " you" in text and _overlap(parsed.stems, previous) >= 2 \
            and not result.affirmation:
        return True  # a second-person paraphrase of the coachee's words
    if result.affirmation or INFO_YOU.search(text):
        return False
    if any(_about_the_listener(c) or _summary(c) for c in statements):
        return True
    if RISING_RESTATEMENT_IS_REFLECTION and any(
            _about_the_listener(c) and len(c.tokens) >= 5 and not WH & set(c.tokens) for c in declaratives):
        return True  # "so you'd be doing it for him too?" read as a reflection
    if not result.questions and not declaratives and _echoes_the_coachee(statements, parsed, previous):
        # A plain statement that takes up the coachee's own words ("The weekends are
        # where most of it happens"): counsellors reflect far more often than they
        # tell, so a coach statement about the coachee's matter is read as one.
        return True
    # "So the plan is X and Y, is that right?": a summary checked with the client.
    return checked and len(parsed.tokens) >= 7


def detect(parsed: Any, previous: Any = None, statements: bool = True) -> ActResult:
    """Acts of one parsed utterance; ``previous`` is the other speaker's last utterance.

    ``statements`` False looks for questions only (the coachee's talk:
    "I could ask the team" is an option, not advice).
    """
    result = ActResult()
    parts = clauses(parsed, eager=statements)
    result.questions = [c.question for c in parts if c.question in (OPEN, CLOSED)]
    declaratives = [c for c in parts if c.question == "declarative"]
    if not statements:
        result.questions += [CLOSED] * len(declaratives)
        return result
    if not parsed.punctuated and not result.questions and parsed.tokens:
        kind = _unpunctuated_prompt(parsed.tokens)
        if kind:
            result.questions.append(kind)
            return result
    # Affirming is said, not asked: "You're good with that?" checks agreement.
    result.affirmation = bool(AFFIRMATION.search(_text(parts, (None,))))
    result.advice = _advice(parts, parsed.joined)
    result.reflection = _reflection(parts, parsed, previous, result)
    for c in declaratives:
        if _echo(c, previous):
            result.reflection = True  # "A Post-it note?"
        elif not (RISING_RESTATEMENT_IS_REFLECTION and result.reflection
                  and REFLECTION.search(" " + " ".join(c.tokens) + " ")):
            result.questions.append(CLOSED)  # "So you feel stuck?", "Next week?"
    return result


class ActTagger(Component):
    """Marks each utterance's acts and counts the coach's skills."""

    def __init__(self) -> None:
        self.last_by_speaker: dict[str, int] = {}
        self.counts = {"open_questions": 0, "closed_questions": 0, "stacked_questions": 0,
                       "reflections": 0, "advice": 0, "affirmations": 0}
        self.stacked_at: list[float] = []

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        role = ctx.role_of(u.speaker)
        previous = self._previous_other(ctx, u.speaker)
        result = detect(ctx.parsed[i], previous, statements=role != Role.COACHEE)
        ctx.marks[i]["acts"] = result.acts()
        self.last_by_speaker[u.speaker] = i
        if role in (Role.COACH, Role.FACILITATOR):
            c = self.counts
            c["open_questions"] += result.questions.count(OPEN)
            c["closed_questions"] += result.questions.count(CLOSED)
            if len(result.questions) >= 2:
                c["stacked_questions"] += 1
                self.stacked_at.append(round(u.start, 2))
            c["reflections"] += result.reflection
            c["advice"] += result.advice
            c["affirmations"] += result.affirmation
        return []

    def _previous_other(self, ctx: AnalysisContext, speaker: str) -> Any:
        # The other speaker who spoke last: the words a reflection would echo.
        best = max((j for s, j in self.last_by_speaker.items() if s != speaker), default=None)
        return ctx.parsed[best] if best is not None else None

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        skills = report["coach_skills"]
        skills.update(self.counts)
        q = self.counts["open_questions"] + self.counts["closed_questions"]
        skills["open_question_ratio"] = round(self.counts["open_questions"] / q, 3) if q else None
        # Reflections per question: counselling practice aims for about one or more.
        skills["reflection_to_question_ratio"] = round(self.counts["reflections"] / q, 3) if q else None
        skills["stacked_question_times"] = list(self.stacked_at)
