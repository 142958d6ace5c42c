"""Coaching acts of one utterance: questions (open/closed), reflections, advice, affirmations.

Rules, not a trained model, so that they read the same on any conversation
(the held-out transcripts are real counselling talk, not ours). The coding
follows the usual counselling conventions (MITI): a question asks for
information; it is *open* when it invites the other to tell their story
(what/how/why, "tell me more", "can you say more") and *closed* when a
yes/no, a name, a time or a number answers it (who/when/where/which, "do
you...", "how many", a scale). A *reflection* says back what was heard
("it sounds like...", "so you feel...", a paraphrase of the coachee's
words); one said with a rising tone ("so you feel stuck?") is still a
reflection. *Advice* tells or suggests a course ("you should...", "have you
tried...", which is a question and advice at once). An *affirmation* credits
the coachee's strengths or effort.

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
from dataclasses import dataclass, field
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.model import Event, Role

OPEN, CLOSED = "open_question", "closed_question"
ACTS = (OPEN, CLOSED, "reflection", "advice", "affirmation")

WH = {"what", "how", "why", "when", "where", "who", "which", "whom", "whose"}
AUX = {"do", "does", "did", "is", "are", "was", "were", "will", "would", "can", "could",
       "should", "shall", "may", "might", "must", "have", "has", "had", "am", "'s", "'re",
       "'ll", "'d", "'ve", "'m", "ca", "wo"}
#: Subjects that follow an inverted auxiliary in a question ("do you", "is there").
SUBJECTS = {"i", "you", "we", "they", "he", "she", "it", "there", "that", "this", "these",
            "those", "anyone", "anybody", "someone", "somebody", "everyone", "people", "your",
            "my", "our", "their", "his", "her", "the", "any", "things", "anything", "something"}
PRONOUNS = {"i", "you", "we", "they", "he", "she", "it", "there", "that", "this", "anyone",
            "someone", "anybody", "somebody", "everyone", "people"}
#: "what you said", "how i feel": an interrogative word straight before a subject
#: starts a clause used as a noun, not a question.
RELATIVE_AFTER_WH = {"i", "you", "we", "they", "he", "she", "it", "people", "everyone",
                     "everybody", "someone", "somebody", "my", "your", "our", "their", "his",
                     "her", "the", "a", "an", "this", "that", "these", "those", "to"}
#: Words a speaker opens or links a clause with in running speech.
LINKERS = {"and", "so", "but", "okay", "ok", "alright", "right", "well", "now", "then",
           "um", "uh", "erm", "er", "yeah", "yes", "mm", "hmm", "mhm", "also", "sure", "oh",
           "great", "good", "thanks", "hi", "hello", "anyway", "just", "see", "cool", "fine",
           "wow", "ah"}
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
CLOSED_WH = {"when", "where", "who", "which", "whom", "whose"}
#: "can you tell me more" asks for a story, so it counts as open.
TELL_VERBS = {"tell", "say", "describe", "talk", "share", "explain", "walk", "give", "expand",
              "elaborate", "help"}
TAGS = (("is", "n't", "it"), ("do", "n't", "you"), ("are", "n't", "you"), ("was", "n't", "it"),
        ("does", "n't", "it"), ("did", "n't", "you"), ("have", "n't", "you"), ("wo", "n't", "you"),
        ("would", "n't", "it"), ("could", "n't", "you"), ("is", "that", "right"),
        ("is", "that", "fair"), ("does", "that", "make", "sense"))


def _skip_linkers(tokens: list[str], j: int) -> int:
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
               "from", "go", "head", "now"}


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
        if nxt in {"else", "about", "if", "happened", "brings", "brought", "keeps", "kept", "led", "leads", "happens", "happening", "matters",
                   "helps", "helped", "worked", "works", "stops", "stopped", "gets", "got",
                   "makes", "made", "changed", "went", "comes", "come", "not", "so", "exactly",
                   "kind", "sort", "part", "of", "way", "ways"}:
            return _wh_kind(tokens, j)
        if _inverted_soon(tokens, j + 1, 4):
            return _wh_kind(tokens, j)
        if loose and nxt not in LINKERS | {"i", "you"}:
            return _wh_kind(tokens, j)
        return None
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
            return OPEN
        return CLOSED
    return None


def _tag_question(tokens: list[str]) -> bool:
    return any(len(tokens) > len(t) + 1 and tuple(tokens[-len(t):]) == t for t in TAGS)


@dataclass(slots=True)
class Clause:
    tokens: list[str]
    question: str | None  # OPEN, CLOSED or None for a statement


def clauses(parsed: Any) -> list[Clause]:
    """Split an utterance into question clauses and statement stretches."""
    out: list[Clause] = []
    whole = not parsed.punctuated
    for sent in parsed.sentences:
        toks = sent.tokens
        starts: list[tuple[int, str | None]] = []
        j = _skip_linkers(toks, 0)
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
                nk = _skip_linkers(toks, k)
                # "and see what happens": the "what" clause is the object of "see".
                if not any(t in EMBEDDERS for t in toks[k:nk]):
                    q = _question_at(toks, nk, loose=False)
                if q:
                    k = nk
            # Mid-sentence "who"/"which" are relative pronouns ("anyone who could help").
            elif t in WH - {"who", "which", "whom", "whose"} and prev not in EMBEDDERS \
                    and k + 1 < len(toks) and toks[k + 1] in AUX \
                    and toks[k + 1] not in {"'s"}:
                q = _wh_kind(toks, k)  # a new question run on without punctuation
            elif whole and prev not in EMBEDDERS | WH and (
                    t in WH - {"who", "which", "whom", "whose"}
                    or t in _RUN_ON_AUX and k + 1 < len(toks) and toks[k + 1] == "you"
                    and prev not in PRONOUNS | AUX | _NOT_BEFORE_RUN_ON and prev.isalpha()):
                # Unpunctuated run-ons: "let's start there what brings you in", "good
                # question what made you", "thoughts on that would you like to hear them".
                q = _question_at(toks, k, loose=False)
            if q and (not starts or k - starts[-1][0] > 2):
                starts.append((k, q))
            k += 1
        if starts and len(toks) <= 14:
            # "How are you doing?", "How was your weekend?": a greeting, not a question.
            greeting = [st for st in starts if _GREETING.search(" " + " ".join(toks[st[0]:]) + " ")]
            if greeting:
                starts = [st for st in starts if st not in greeting]
                if not starts:
                    out.append(Clause(toks, None))
                    continue
        if starts and _SCALE.search(" " + " ".join(toks) + " "):
            # "On a scale of one to ten, how confident are you?": a number answers it.
            starts = [(st, CLOSED) for st, _ in starts]
        tag = _CHECK_TAG.search(" " + " ".join(toks) + " ") if sent.asked and not starts else None
        if tag and len(toks) > len(tag.group().split()):
            # "You'd like to stop, is that right?": a statement checked with a closed question.
            starts.append((len(toks) - len(tag.group().split()), CLOSED))
        elif sent.asked and not starts:
            # "You feel stuck?" with no interrogative form: a rising-tone statement.
            starts.append((0, "declarative"))
        elif not sent.asked and _tag_question(toks) and not starts:
            starts.append((0, CLOSED))
        if not starts or starts[0][0] > 0:
            out.append(Clause(toks[: starts[0][0] if starts else len(toks)], None))
        for n, (s, q) in enumerate(starts):
            end = starts[n + 1][0] if n + 1 < len(starts) else len(toks)
            out.append(Clause(toks[s:end], q))
    return out


#: Auxiliaries that start a run-on question mid-utterance ("... would you like to").
_RUN_ON_AUX = {"would", "could", "can", "do", "did", "are", "have", "will", "were"}
#: Words after which "can you", "do you" continue the sentence ("as much as you can you").
_NOT_BEFORE_RUN_ON = {"if", "whether", "that", "than", "as", "so", "because", "what", "how", "why",
                      "where", "when", "who", "which", "n't", "not", "and", "or", "but", "thing"}
_GREETING = re.compile(r"^ (how are you( doing| keeping)?( today)?|how (has|was|'s|is) your "
                       r"(week|weekend|day|morning|holiday|break)( been| going)?) $")
_SCALE = re.compile(r" (on a scale|scale of|out of (ten|10)|(from|between) (zero|nought|one|0|1) (to|and) "
                    r"(ten|10)) ")


# -- statements -------------------------------------------------------------

def _phrases(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f" {p} " for p in patterns))


_REFLECTION = _phrases(
    r"(it )?sounds (like|as if|as though|to me like)", r"it seems( like| that| as if| to me)?",
    r"seems like", r"what i 'm hearing", r"what i hear", r"i (can )?hear (that|you)",
    r"i 'm hearing", r"if i (understand|understood|'ve understood|heard)( you)?",
    r"i get the (sense|feeling|impression)", r"i sense", r"i imagine (that|you|it)",
    r"you 're (saying|feeling|telling|wondering|worried|not sure|torn|frustrated|stuck|tired|"
    r"fed up|concerned|hoping|keen|unsure|finding|struggling|thinking)",
    r"you (feel|felt|mean|want|wanted|need|'d like|would like|care|value|wish|seem|hope)",
    r"you (really|also|do n't|did n't) (feel|want|like|care|know|think)", r"part of you",
    r"on (the )?one hand", r"(it|that|this) (must|must have|would) (be|feel|have been)",
    r"(it|that) 's (been )?(hard|tough|difficult|frustrating|a lot|painful|exhausting|draining)",
    r"(it|that) ('s|has|was) (been )?(a |an )?(really |very |pretty |so |such a )?(hard|tough|rough|difficult|"
    r"painful|exhausting|draining|lonely|stressful|scary|brutal) (time|year|few|couple|week|month|day|road)",
    r"(matters|important|means|mean) (a lot |so much |a great deal )?to you", r"feels like", r"for you it 's",
    r"you 've (been|had|tried|noticed|got|found|realised|realized|decided)",
    r"you 're (really|quite|pretty|very|a bit|still|already|now|clear|ready|willing|determined|"
    r"committed|going|planning|the one|caught)",
    r"so (you|your|it 's|that 's|the|for you)", r"in other words", r"let me (check|see if)",
    r"you 'll (send|ask|talk|speak|try|start|write|book|set|do|have)", r"you have (been|had|a|got)",
)
#: "You could block out time", "you might call her": an option put to the client.
_SUGGESTED_VERBS = {"block", "book", "schedule", "delegate", "write", "set", "send", "email", "call",
                    "keep", "put", "ask", "talk", "speak", "try", "start", "stop", "plan", "prepare"}
_ADVICE = _phrases(
    r"you (really )?(should|ought to|need to|'ve got to|have got to|must|gotta)",
    r"you (could|can|might|may) (try|always|just|consider|want to|think about|look at|ask|talk|use)",
    r"you might want", r"why (do n't|not) (you|just|try|ask)", r"why not",
    r"you (could|might) (also|always|perhaps|maybe)",
    r"you (could|might|can) (" + "|".join(sorted(_SUGGESTED_VERBS)) + ")",
    # "what have you tried" asks about the past; "have you tried" suggests.
    r"(?<!what )(?<!when )have you (tried|thought about|considered|thought of)", r"(?<!what )did you try",
    r"(what|how) about (trying|asking|talking|doing|using|getting|setting|making|telling|"
    r"speaking|sending|having|booking|writing)", r"how about (a|an|the)",
    r"i (would|'d|might|'ll|) ?(suggest|recommend|advise)", r"my (advice|suggestion|tip)",
    r"if i (were|was) you", r"(it|that) (might|would|could|may) (help|be worth|be good|be useful|"
    r"be a good idea|be better)", r"the best (thing|way)", r"make sure", r"do n't forget",
    r"i think you (should|need|could|might)", r"one (thing|option|idea) (you|would|could|might)",
    r"what i (would|'d) do", r"a good idea (would be|is) to", r"i (would|'d) (try|start|go)",
)
#: Clause-initial verbs of telling someone what to do.
_IMPERATIVE = {"try", "consider", "ask", "tell", "talk", "write", "set", "send", "stop", "start",
               "avoid", "remember", "keep", "book", "schedule", "delegate", "speak", "use", "make",
               "don't", "focus", "cancel", "give", "put", "take", "get", "go", "say", "let",
               "email", "call", "raise", "block", "plan", "prepare"}
#: Giving information: what people generally find, what the guidance says. Looked
#: for in statements only ("can I tell you what we usually suggest?" offers it).
_INFO = _phrases(
    r"(a lot of|lots of|many|most|some|other) (other )?(people|folks|patients|clients|students|parents|"
    r"smokers|drinkers|men|women|adults)( [a-z]+){0,2} (find|found|do|say|tell|notice|get|feel|use)",
    r"people (often|usually|generally|tend|typically|find)",
    r"(the|our|current) (guidelines|guidance|research|evidence|studies|recommendation|usual advice|"
    r"standard advice|advice now)", r"(research|studies|evidence) (shows|show|suggests|suggest|says)",
    r"(it 's|its|that 's) (usually |generally |really |very |quite |perfectly )?(worth|fine to|safe to|"
    r"common|normal to|very common|recommended)", r"(it|that) is (usually |generally )?(worth|common)",
    r"(is|are) (often|usually|generally|normally) (a|an|the) (early |first |common |good )?(sign|cause|"
    r"symptom|way)", r"the good news is", r"tends? to (make|help|work|cause|be|reduce|increase|pass|settle|ease|fade|wear off)",
    r"we (normally|usually|often|generally|tend to|typically) (say|suggest|recommend|advise|tell|start)",
    r"from what i ('ve )?(see|seen|know)", r"(very|really|quite|pretty) common",
    r"(usually|typically|generally|often) (does n't|do n't|doesnt|dont|can|will|takes?|causes?|settles?|"
    r"comes?|goes|passes?)",
)
#: Information or an option offered in the second person ("you just want to keep
#: it at the same time", "you can get it free"), as opposed to a reflection.
_INFO_YOU = _phrases(r"you (just )?want to (keep|make|take|avoid|try)", r"(can|could) set you up",
                     r"your (pharmacist|gp|doctor|nurse|dentist)")
#: Minimal encouragers ("go on", "take your time") invite more talk; they tell nothing.
_NOT_ADVICE = _phrases(r"should be proud", r"you (could|can) (see|tell|hear)", r"(tell|give|let) (me|us)",
                       r"you need to (feel|know) (that )?you", r"go (on|ahead)", r"carry on", r"keep going",
                       r"take your time", r"say more")
_AFFIRMATION = _phrases(
    r"well done", r"good job", r"great job", r"nice (work|one|job)", r"good work", r"good for you",
    r"(that|this|it) 's (a |an )?(really |very |such a |such an )?(great|good|brilliant|fantastic|"
    r"excellent|wonderful|lovely|smart|clever|impressive|huge|big|important|creative|useful|"
    r"strong|solid|powerful|thoughtful) (idea|plan|step|insight|point|thought|progress|start|"
    r"achievement|realisation|realization|move|change|commitment|effort|goal|option|list|question)",
    r"(great|good|brilliant|excellent|lovely|creative|smart|clever|solid|sensible|practical|realistic|"
    r"useful) (idea|ideas|thinking|plan|plans|insight|point|step|steps)",
    r"(that|it) 's (a |an )?(really |very |pretty |such a )?(honest|brave|courageous|mature|generous|"
    r"wise|sensible|smart|hard) thing (to|you)",
    r"you ('ve|have) (already |clearly |really )?(shown|proved|proven|demonstrated) (you|that|how)",
    r"you (came|'ve come|have come) up with",
    r"(sounds|seems|looks) like (a |an )?(really |very |such a )?(great|good|solid|sensible|clear|realistic|"
    r"strong|brilliant|excellent|smart|creative|practical) (plan|idea|step|start|approach)",
    r"you ('ve|have) (done|made|managed|achieved|worked|come|shown|handled|got|kept|stuck|put|"
    r"taken|already done|already made|really|clearly|obviously) .*(well|lot|great|hard|far|way|"
    r"progress|effort|already|so much|good|brilliant)",
    r"you 're (clearly |really |so |very |obviously |being )?(good|great|brilliant|skilled|resourceful|"
    r"committed|determined|capable|strong|thoughtful|brave|courageous|creative|organised|"
    r"organized|honest|generous|caring|talented|persistent|dedicated)",
    r"(it|that) (takes|took) (real |a lot of |some )?(courage|guts|strength|honesty|effort|commitment|"
    r"determination)",
    r"i (really )?(appreciate|admire|respect)", r"i 'm (really |so |very )?(impressed|proud)",
    r"impressive", r"you should be proud", r"proud of (you|yourself)", r"thank you for (sharing|being|your|telling)",
    r"(that|this|it) (shows|says|speaks|took) (a lot|real|great|how|so|your|you)",
    r"you (did|handled) (it|that|this|well|really|a great)", r"you care (a lot|deeply|about)",
    r"(your|you have|you 've got) (a |real |great |clear )?(strength|skill|talent|gift|experience)",
    r"you (clearly|obviously|really|already) (care|know|understand|have)",
)


@dataclass
class ActResult:
    questions: list[str] = field(default_factory=list)  # one entry per question asked
    reflection: bool = False
    advice: bool = False
    affirmation: bool = False

    def acts(self) -> list[str]:
        found = set(q for q in self.questions)
        if self.reflection:
            found.add("reflection")
        if self.advice:
            found.add("advice")
        if self.affirmation:
            found.add("affirmation")
        return [a for a in ACTS if a in found]


_FIRST_PERSON = {"i", "me", "my", "mine", "myself", "we", "us", "our", "let"}
#: "you" that does not talk about the listener: fillers and courtesies.
_NOT_ABOUT_YOU = _phrases(r"you know", r"thank you", r"see you", r"(nice|good|great|lovely) to (see|meet|have) you",
                          r"you see", r"mind you", r"bless you", r"(if|wherever|whenever|however) you "
                          r"(like|want|'d like|prefer)", r"(do|does|did|would|could|can|will|are|were|have) "
                          r"(n't )?you")
_CHECK_TAG = re.compile(r" (is that right|is that fair|have i got that right|did i get that right|"
                        r"does that sound right|am i right) $")


def _about_the_listener(c: Clause) -> bool:
    """A statement about the other person: "you" as subject or object, no "I"/"we".

    In counselling a coach's plain statement about the client ("You're running
    on empty", "That really stuck with you", "Mornings are the worst time for
    you") is how most reflections are said; statements about the coach or the
    two of them ("I think", "we can", "let's") are not. "your" alone does not
    count: "your colleagues get the agenda late" may be news, not an echo.
    """
    toks = c.tokens[_skip_linkers(c.tokens, 0):]
    if len(toks) < 3 or any(t in _FIRST_PERSON for t in toks):
        return False
    if toks[0] == "you" and toks[1] in {"can", "could", "may"} and toks[2] != "n't":
        return False  # "you can hang your coat there": permission or an option, not an echo
    text = _NOT_ABOUT_YOU.sub(" ", " " + " ".join(toks) + " ")
    return any(t in {"you", "yourself"} for t in text.split())


def _summary(c: Clause) -> bool:
    """ "So stopping makes it worse", "so patches and a walk": a statement opened
    with "so" that says nothing about the speaker sums up what was heard."""
    toks = c.tokens
    j = 1 if toks[:1] == ["and"] else 0
    return (len(toks) - j >= 4 and toks[j] == "so" and toks[j + 1] not in LINKERS
            and not any(t in _FIRST_PERSON for t in toks))


def _overlap(stems: list[str], previous: Any) -> int:
    if previous is None:
        return 0
    return len(set(stems) & set(previous.stems))


def detect(parsed: Any, previous: Any = None, statements: bool = True) -> ActResult:
    """Acts of one parsed utterance; ``previous`` is the other speaker's last utterance.

    ``statements`` False looks for questions only (the coachee's talk:
    "I could ask the team" is an option, not advice).
    """
    result = ActResult()
    parts = clauses(parsed)
    for c in parts:
        if c.question in (OPEN, CLOSED):
            result.questions.append(c.question)
    if not statements:
        for c in parts:
            if c.question == "declarative":
                result.questions.append(CLOSED)
        return result
    joined = parsed.joined
    declaratives = [c for c in parts if c.question == "declarative"]
    stmt_text = " " + " ".join(t for c in parts if c.question in (None, "declarative") for t in c.tokens) + " "
    if _AFFIRMATION.search(joined):
        result.affirmation = True
    advice = (bool(_ADVICE.search(joined)) or bool(_INFO.search(stmt_text))) and not _NOT_ADVICE.search(joined)
    for c in parts:
        if c.question is None:
            j = _skip_linkers(c.tokens, 0)
            if j < len(c.tokens) and c.tokens[j] in _IMPERATIVE and not _NOT_ADVICE.search(
                    " " + " ".join(c.tokens[j:j + 3]) + " ") and not (
                    j + 1 < len(c.tokens) and c.tokens[j + 1] in {"you", "i", "we", "me"} | AUX):
                advice = True
    result.advice = advice
    # A reflection lives in the statement part; a second-person statement that
    # reuses the coachee's words is a paraphrase even without a stock phrase.
    # Praise is not an echo: "that sounds like a solid plan" affirms.
    stmt_text = _AFFIRMATION.sub("  ", stmt_text) if result.affirmation else stmt_text
    reflective = bool(_REFLECTION.search(stmt_text)) and not _ADVICE.search(stmt_text) \
        and not _INFO.search(stmt_text)
    if not reflective and len(stmt_text.split()) >= 5 and " you" in stmt_text and not advice:
        reflective = _overlap([s for s in parsed.stems], previous) >= 2 and not result.affirmation
    if not reflective and not advice and not result.affirmation and not _INFO_YOU.search(stmt_text):
        statements_only = [c for c in parts if c.question is None]
        # A rising-tone statement about the client ("so you'd be doing it for him too?"),
        # but not a question whose interrogative form the clause split missed.
        reflective = any(_about_the_listener(c) or _summary(c) for c in statements_only) or any(
            _about_the_listener(c) and len(c.tokens) >= 5 and not WH & set(c.tokens) for c in declaratives)
        # "So the plan is X and Y, is that right?": a summary checked with the client.
        if not reflective and _CHECK_TAG.search(joined) and len(parsed.tokens) >= 7:
            reflective = True
    result.reflection = reflective
    for c in declaratives:
        # "So you feel stuck?" is a reflection said with a rising tone; a bare
        # "Next week?" is a closed question.
        if not (reflective and _REFLECTION.search(" " + " ".join(c.tokens) + " ")):
            result.questions.append(CLOSED)
    return result


def is_question(text: str) -> bool:
    """True when the text asks at least one question (punctuated or not)."""
    from companion.analysis.text import parse

    return bool(detect(parse(text), statements=False).questions)


def question_kinds(text: str) -> list[str]:
    """One entry (open_question/closed_question) per question the text asks."""
    from companion.analysis.text import parse

    return detect(parse(text), statements=False).questions


class ActTagger(Component):
    """Marks each utterance's acts and counts the coach's skills."""

    def __init__(self) -> None:
        self.last_by_speaker: dict[str, int] = {}
        self.last_index: int | None = None
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
