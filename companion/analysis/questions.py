"""Questions in one utterance: where each starts, and whether it is open or closed.

Coded as MI coders code a coach's questions (see docs and
../shared/notes/coding-conventions.md): a question is *open* when it invites
a story or a range of answers (what/how/why, "tell me about", "can you say
more", "who else", "anything else", an elliptical prompt such as "And
Grace?") and *closed* when a yes/no, a number, a date or a pick answers it
("do you...", "how many", "when", a scale, "X or Y?").

Speech recognition often gives no punctuation and no capitals, so questions
are found from word order: an interrogative word followed by an inverted
auxiliary ("what would you", "how do i"), or an auxiliary before its subject
("do you", "is there"), at the start of a clause. Clauses start at the
utterance start, after a sentence end and after linking words ("and", "so",
"okay"), which is where a speaker starts a new question in running speech.
"?" settles it when present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from companion.analysis.lexicon import AUX, LINKERS, PRONOUNS, WH
from companion.analysis.text import Parsed, parse

OPEN, CLOSED = "open_question", "closed_question"


def asks_question(mark: dict[str, Any]) -> bool:
    """Whether an utterance's marks (``ctx.marks[i]``) hold a question, open or closed."""
    return bool({OPEN, CLOSED} & set(mark.get("acts") or ()))

#: Subjects that follow an inverted auxiliary in a question ("do you", "is there").
SUBJECTS = {"i", "you", "we", "they", "he", "she", "it", "there", "that", "this", "these",
            "those", "anyone", "anybody", "someone", "somebody", "everyone", "people", "your",
            "my", "our", "their", "his", "her", "the", "any", "things", "anything", "something"}
#: "what you said", "how i feel": an interrogative word straight before a subject
#: starts a clause used as a noun, not a question.
RELATIVE_AFTER_WH = {"i", "you", "we", "they", "he", "she", "it", "people", "everyone",
                     "everybody", "someone", "somebody", "my", "your", "our", "their", "his",
                     "her", "the", "a", "an", "this", "that", "these", "those", "to"}
#: Words after which a "what/how" clause is the object of the sentence
#: ("i don't know what would help"), not a new question.
EMBEDDERS = {"know", "knew", "sure", "wonder", "wondering", "tell", "told", "ask", "asked",
             "see", "saw", "decide", "decided", "figure", "understand", "remember", "forget",
             "idea", "matter", "matters", "about", "is", "'s", "was", "exactly", "of", "explain",
             "show", "learn", "think", "thought", "guess", "depends", "care", "realise",
             "realize", "notice", "noticed", "out", "do", "does", "did", "n't", "to", "for",
             "at", "in", "with", "from", "like", "be", "been", "that", "than", "clear",
             "certain", "unclear", "obvious", "on", "discuss", "discussed", "no", "or",
             "regardless", "whatever", "mean", "imagine", "hear", "heard", "said", "say",
             "talk", "talked", "look", "looking", "by", "question", "wondered"}
CLOSED_HOW = {"many", "much", "long", "often", "old", "soon", "far"}
#: "when", "where" ask for a time or a place. "who" and "which" ask the coachee to
#: name people or pick among their own ideas ("who else could help?", "which feels
#: right to start with?"); coders label those open, so they are not here.
CLOSED_WH = {"when", "where", "whose"}
#: "Can you tell me more about...?" is yes/no in form and an invitation in
#: function. Coders differ (MISC tables in MI NLP papers call it open, one public
#: MISC corpus closed; see the conventions note, 1.3): open by default, one switch.
REQUESTS_ARE_OPEN = True
#: "can you tell me more" asks for a story, so it counts as open.
TELL_VERBS = {"tell", "say", "describe", "talk", "share", "explain", "walk", "give", "expand",
              "elaborate", "help", "run", "take", "paint", "unpack"}
TAGS = (("is", "n't", "it"), ("do", "n't", "you"), ("are", "n't", "you"), ("was", "n't", "it"),
        ("does", "n't", "it"), ("did", "n't", "you"), ("have", "n't", "you"), ("wo", "n't", "you"),
        ("would", "n't", "it"), ("could", "n't", "you"), ("is", "that", "right"),
        ("is", "that", "fair"), ("does", "that", "make", "sense"))


def skip_linkers(tokens: list[str], j: int) -> int:
    while j < len(tokens) and tokens[j] in LINKERS:
        # "you know" is a filler; "right" alone ends a sentence; both are skipped.
        j += 1
    return j


def _inverted_soon(tokens: list[str], j: int, span: int = 4) -> bool:
    """An auxiliary followed by its subject within ``span`` words of ``j``."""
    for k in range(j, min(len(tokens) - 1, j + span)):
        if tokens[k] in AUX and tokens[k + 1] in PRONOUNS | {"your", "the", "my"}:
            return True
    return False


#: "where would you like to start", "where does that leave you", "where are you
#: with it": asking for a position or a way forward, not a place, so open.
_WHERE_OPEN = {"start", "begin", "leave", "leaves", "fit", "fits", "stand", "take", "takes", "with",
               "from", "go", "head", "now", "at"}


def _wh_kind(tokens: list[str], j: int) -> str:
    w = tokens[j]
    nxt = tokens[j + 1] if j + 1 < len(tokens) else ""
    if w == "how" and nxt in CLOSED_HOW:
        return CLOSED
    if w == "what" and nxt in {"time", "day", "date"}:
        return CLOSED
    if w == "where" and any(t in _WHERE_OPEN for t in tokens[j + 2:j + 7]):
        return OPEN
    if w == "when" and nxt in {"have", "has"}:
        return OPEN  # "when have you managed it before?" asks for examples
    if w in CLOSED_WH:
        return CLOSED
    return OPEN


def _question_at(tokens: list[str], j: int, loose: bool) -> str | None:
    """The kind of question a clause starting at ``j`` asks, or None.

    ``loose``: the clause starts a sentence that ends in "?" or an utterance
    with no punctuation at all, so a bare "what happened" counts.
    """
    if j >= len(tokens):
        return None
    w = tokens[j]
    nxt = tokens[j + 1] if j + 1 < len(tokens) else ""
    nxt2 = tokens[j + 2] if j + 2 < len(tokens) else ""
    if w in WH:
        if w == "which" and nxt in {"is", "was", "'s"} and not loose:
            return None  # "Which is the point.": a relative clause, not a question
        if w == "why" and nxt == "not" and j + 2 >= len(tokens) and not loose:
            return None  # "Go on then, why not.": agreeing, not asking
        if nxt in AUX and not (nxt == "'s" and nxt2 in {"why", "how", "what"}):
            return _wh_kind(tokens, j)
        if nxt in RELATIVE_AFTER_WH:
            # "what the team needs is..." unless an inversion follows ("what the hell do you").
            return _wh_kind(tokens, j) if _inverted_soon(tokens, j + 1, 3) else None
        if nxt in {"then", "next"} and j + 2 >= len(tokens):
            return OPEN  # "... what then", "what next"
        if nxt in {"else", "about", "if", "happened", "brings", "brought", "keeps", "kept", "led", "leads", "happens",
                   "happening", "matters",
                   "helps", "helped", "worked", "works", "stops", "stopped", "gets", "got",
                   "makes", "made", "changed", "went", "comes", "come", "not", "so", "exactly",
                   "kind", "sort", "part", "of", "way", "ways"}:
            return _wh_kind(tokens, j)
        if _inverted_soon(tokens, j + 1, 4):
            return _wh_kind(tokens, j)
        if loose and nxt not in LINKERS | {"i", "you"}:
            return _wh_kind(tokens, j)
        return None
    if w in {"when", "where", "if"} and nxt in PRONOUNS - {"that", "this", "there"} and not loose:
        return None  # "when you say X, who...": a subordinate clause, not a question
    if w in {"anything", "something"} and nxt in {"else", "about"}:
        return OPEN  # "anything else?" invites more, whatever its yes/no form
    if w == "by" and nxt == "when":
        return CLOSED  # "by when will you have done it?"
    if w in {"in", "to"} and nxt in {"what", "which"} and nxt2 in {"way", "ways", "extent", "sense"}:
        return OPEN
    if w in {"tell", "describe"} and nxt in {"me", "us"} | ({"more", "how", "what"} if w == "tell" else set()):
        return OPEN
    if w == "talk" and nxt == "me" and nxt2 == "through" or w == "walk" and nxt == "me":
        return OPEN
    if w == "say" and (nxt == "more" or nxt in {"a", "something"} and
                       {"about", "more"} & set(tokens[j + 2:j + 5])):
        return OPEN  # "say more", "say a bit about what happened"
    if w == "help" and nxt == "me" and nxt2 == "understand":
        return OPEN
    if w in {"i", "i'm"} and nxt in {"wonder", "wondered", "'m", "was"}:
        k = j + 2 if nxt in {"wonder", "wondered"} else j + 3
        if nxt in {"'m", "was"} and nxt2 not in {"wondering", "curious"}:
            return None
        follow = tokens[k] if k < len(tokens) else ""
        if follow in {"if", "whether"}:
            return CLOSED
        if follow in {"what", "how", "why", "about"}:
            return OPEN
        return None
    if w in AUX and w not in {"'s", "'re", "'ll", "'d", "'ve", "'m"}:
        k = j + 1
        if nxt == "n't":  # "don't you think", "isn't it"
            k += 1
        subj = tokens[k] if k < len(tokens) else ""
        after = tokens[k + 1] if k + 1 < len(tokens) else ""
        if subj not in SUBJECTS:
            return None
        if w == "do" and subj in {"it", "that", "this", "the", "these", "those", "something", "anything"}:
            return None  # "do it now", "do that first": telling, not asking
        if w in {"have", "had"} and subj not in {"you", "we", "they", "i", "he", "she", "anyone",
                                                 "anybody", "someone", "somebody", "people", "there"}:
            return None  # "have a think", "have the talk"
        if w in {"will", "would", "can", "could", "should", "may", "might", "must", "shall", "ca", "wo"} \
                and subj not in PRONOUNS:
            return None
        if w in {"can", "could", "would", "will"} and subj == "you" and after in TELL_VERBS:
            return OPEN if REQUESTS_ARE_OPEN else CLOSED
        return CLOSED
    return None


def _tag_question(tokens: list[str]) -> bool:
    return any(len(tokens) > len(t) + 1 and tuple(tokens[-len(t):]) == t for t in TAGS)


@dataclass(slots=True)
class Clause:
    tokens: list[str]
    question: str | None  # OPEN, CLOSED or None for a statement


def clauses(parsed: Any, eager: bool = False) -> list[Clause]:
    """Split an utterance into question clauses and statement stretches.

    ``eager`` (the coach's side) also starts a yes/no question at an inverted
    auxiliary inside a run of speech ("what's going on, is it that they...",
    "and his PRs, are they still good"): an interviewer stacks questions that
    way, while the same words from the coachee are more often a statement.
    """
    out: list[Clause] = []
    whole = not parsed.punctuated
    for sent in parsed.sentences:
        toks = sent.tokens
        starts: list[tuple[int, str | None]] = []
        j = skip_linkers(toks, 0)
        loose_start = sent.asked or whole
        # "And see what happens": the "what" clause is the object of "see".
        first = None if any(t in EMBEDDERS for t in toks[:j]) else _question_at(toks, j, loose=loose_start)
        if first:
            starts.append((j, first))
        k = j + 1
        while k < len(toks):
            t, prev = toks[k], toks[k - 1]
            q = None
            if prev in LINKERS and prev not in {"just", "see", "right"} or prev == "or" and toks[k] in WH:
                nk = skip_linkers(toks, k)
                # "and see what happens": the "what" clause is the object of "see".
                if not any(t in EMBEDDERS for t in toks[k:nk]):
                    q = _question_at(toks, nk, loose=False)
                if q:
                    k = nk
            # Mid-sentence "who"/"which" are relative pronouns ("anyone who could help")
            # unless a subject follows the auxiliary ("..., who are you thinking of").
            elif prev not in EMBEDDERS and k + 2 < len(toks) and toks[k + 1] in AUX \
                    and toks[k + 1] != "'s" and (t in WH - {"who", "which", "whom", "whose"} or
                                                 t in {"who", "which"} and toks[k + 2] in PRONOUNS):
                q = _wh_kind(toks, k)  # a new question run on without punctuation
            elif whole and prev not in EMBEDDERS | WH and (
                    t in WH - {"who", "which", "whom", "whose"}
                    or t in _RUN_ON_AUX and k + 1 < len(toks) and toks[k + 1] == "you"
                    and prev not in PRONOUNS | AUX | _NOT_BEFORE_RUN_ON and prev.isalpha()):
                # Unpunctuated run-ons: "let's start there what brings you in", "good
                # question what made you", "thoughts on that would you like to hear them".
                q = _question_at(toks, k, loose=False)
                if q is None and eager and t in {"what", "who"} and k + 1 < len(toks) and _verb_like(toks[k + 1]):
                    q = OPEN  # "so there's a lot here what feels most important"
            elif eager and (whole or sent.asked) and t in _RUN_ON_AUX | {"is", "was", "does", "should", "has"} \
                    and k + 1 < len(toks) and toks[k + 1] in _RUN_ON_SUBJECTS and prev.isalnum() \
                    and prev not in _NOT_BEFORE_RUN_ON | AUX | EMBEDDERS | _SUBJECT_PRONOUNS | _COPULA_SUBJECTS \
                    and (k + 2 < len(toks) or sent.asked) and not WH & set(toks[max(0, k - 4):k]):
                # ("what other options are there": the inversion belongs to the "what")
                q = _question_at(toks, k, loose=False)
            if q and (not starts or k - starts[-1][0] > 2):
                starts.append((k, q))
            k += 1
        if eager and whole and len(toks) >= 2 and toks[-1] in _FINAL_WH and toks[-2] not in EMBEDDERS | WH \
                and not (starts and starts[-1][0] >= len(toks) - 3):
            # "patchy how", "and the pilot would be where": an interrogative left at the end.
            starts.append((len(toks) - 1, _FINAL_WH[toks[-1]]))
        if starts and not sent.asked and not whole and len(toks) - starts[-1][0] == 3 \
                and toks[starts[-1][0] + 1] == "n't" and toks[-1] in PRONOUNS:
            starts.pop()  # "And he's got the new car now, hasn't he.": a tag said as a remark
        if len(starts) > 1 and tuple(toks[starts[-1][0]:]) in _TAILS:
            # "What would make it bearable, do you think?", "What will you do, and by when?":
            # a tail that extends the question before it, not a second question.
            starts.pop()
        if starts and SCALE.search(" " + " ".join(toks) + " "):
            # "On a scale of one to ten, how confident are you?": a number answers it.
            starts = [(st, CLOSED) for st, _ in starts]
        tag = CHECK_TAG.search(" " + " ".join(toks) + " ") if sent.asked and not starts else None
        if tag and len(toks) > len(tag.group().split()):
            # "You'd like to stop, is that right?": a statement checked with a closed question.
            starts.append((len(toks) - len(tag.group().split()), CLOSED))
        elif sent.asked and not starts:
            # No interrogative form: an elliptical prompt ("And Grace?", "Anything
            # else?") or a rising-tone statement ("You feel stuck?", "A Post-it note?").
            starts.append((0, OPEN if prompt(toks) else "declarative"))
        elif whole and _tag_question(toks) and not starts:
            # With punctuation a tag ended by "." is a remark ("It's all box-ticking,
            # isn't it."); unpunctuated, the tag is all there is to go on.
            starts.append((0, CLOSED))
        lead = skip_linkers(toks, 0)
        if starts and starts[0][0] > lead and toks[lead] in _FRAMING:
            # "If a colleague came to you with this, what would you tell them?": the
            # conditional frames the question; it is part of it, not a statement.
            starts[0] = (0, starts[0][1])
        if not starts or starts[0][0] > 0:
            out.append(Clause(toks[: starts[0][0] if starts else len(toks)], None))
        for n, (s, q) in enumerate(starts):
            end = starts[n + 1][0] if n + 1 < len(starts) else len(toks)
            out.append(Clause(toks[s:end], q))
    for n in range(len(out) - 1):
        if out[n].question and out[n + 1].question and _pointer(out[n].tokens):
            # "And what about the March worry? Is there anything that would help?": the
            # first names the topic, the second asks; one question, not two.
            out[n] = Clause(out[n].tokens, None)
    return out


_FINAL_WH = {"how": OPEN, "why": OPEN, "when": CLOSED, "where": CLOSED}


def _verb_like(word: str) -> bool:
    """A third-person or past verb form ("feels", "happened") after "what"/"who"."""
    return word.isalpha() and len(word) > 3 and (word.endswith("ed") or word.endswith("s")
                                                 and not word.endswith(("ss", "ous", "is")))


#: Tails that extend the question before them.
_TAILS = {("do", "you", "think"), ("would", "you", "say"), ("by", "when"), ("when",), ("you", "think")}


def _pointer(tokens: list[str]) -> bool:
    """A verbless "what about X" or "and X" that names a topic for the next question."""
    j = skip_linkers(tokens, 0)
    rest = tokens[j + 2:] if tokens[j:j + 2] in (["what", "about"], ["how", "about"]) else \
        tokens[1:] if tokens[:1] == ["and"] else None
    return rest is not None and 0 < len(rest) <= 6 and not rest[0].endswith("ing") and (
        len(rest) == 1 or not _VERBISH & set(rest))


#: Auxiliaries that start a run-on question mid-utterance ("... would you like to").
_RUN_ON_AUX = {"would", "could", "can", "do", "did", "are", "have", "will", "were"}
#: Words after which "can you", "do you" continue the sentence ("as much as you can you").
_NOT_BEFORE_RUN_ON = {"if", "whether", "that", "than", "as", "so", "because", "what", "how", "why",
                      "where", "when", "who", "which", "n't", "not", "and", "or", "but", "thing"}
SCALE = re.compile(r" (on a scale|scale of|out of (ten|10)|((from|between) )?(zero|nought|one|0|1) (to|and) "
                   r"(ten|10)) ")
#: Words that open a clause framing the question that follows it in one sentence.
_FRAMING = {"if", "when", "whenever", "once", "suppose", "supposing", "imagine", "say", "looking", "thinking",
            "given", "out", "before", "after", "between", "of", "for", "in", "with", "from", "compared"}
#: Subjects after an auxiliary that starts a stacked yes/no question.
_RUN_ON_SUBJECTS = {"you", "it", "that", "this", "they", "he", "she", "there", "people", "we", "i", "anyone"}
_SUBJECT_PRONOUNS = {"i", "you", "we", "they", "he", "she", "people", "n't", "not"}
#: "the problem is they never listen": a noun before "is" makes it a statement.
_COPULA_SUBJECTS = {"problem", "thing", "point", "issue", "truth", "fact", "trouble", "reason", "worry", "idea",
                    "question", "answer", "plan", "hope", "bit", "part", "difference", "thought", "risk"}

CHECK_TAG = re.compile(r" (is that right|is that fair|have i got that right|did i get that right|"
                        r"does that sound right|am i right) $")



#: Words that open an elliptical follow-up prompt ("And Grace?", "Then Fridays?").
_PROMPT_OPENERS = {"and", "then", "anything"}
#: Words whose presence makes a short turn a sentence, not a noun-phrase prompt.
_VERBISH = AUX | {"n't", "not", "i", "you", "we", "he", "she", "they", "it", "feel", "feels", "felt", "think"}


def prompt(tokens: list[str]) -> bool:
    """An elliptical prompt: a short verbless follow-up such as "and the checklist",
    "then fridays", "anything else", "and if that doesn't work". It asks the coachee
    to go on about the item, so it is an open question (the way coders label them)."""
    if tokens in (["next"], ["what", "else"], ["else"]):
        return True
    if not tokens or tokens[0] not in _PROMPT_OPENERS or len(tokens) > 9:
        return False
    rest = tokens[1:]
    if tokens[0] == "anything":
        return True
    if rest[:1] in (["if"], ["what"], ["how"]):
        return True  # "and if it does?", "and what about Sue?"
    return bool(rest) and not (_VERBISH & set(rest))


def questions_of(parsed: Parsed) -> list[str]:
    """One entry (open/closed) per question asked; a rising-tone statement counts as closed."""
    return [CLOSED if c.question == "declarative" else c.question for c in clauses(parsed) if c.question]


def is_question(text: str) -> bool:
    """True when the text asks at least one question (punctuated or not)."""
    return bool(questions_of(parse(text)))


def question_kinds(text: str) -> list[str]:
    """One entry (open_question/closed_question) per question the text asks."""
    return questions_of(parse(text))
