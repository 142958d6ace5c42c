"""The learning log: drafted from a session's report, owned by the coachee.

A peer-coaching log has a fixed form (date, members present, facilitator,
content, evaluation, action plan); ours adds the GROW summary (goal with a
SMART check, reality, options, and each action with what, by when and who
can help). For groups, each member's log also answers the key questions.

Why extractive: the coachee must be able to trust the draft. Every drafted
item is a piece of what the coachee said (or a coach suggestion the coachee
explicitly took up), and carries a ``source`` pointing at the utterance(s)
it came from. Where nothing was said, nothing is drafted.

The drafter reads the report dict only. It uses the analytics' ``stage`` and
``acts`` marks when present; without them it follows the coach's questions
("what have you tried?" opens reality) and the coachee's own cues ("I could",
"I'll ... by Friday").

The stored side (versions, approval, sharing, export, the previous action
plan) lives here too, on top of ``Store``; the server and the CLI are thin.
"""

from __future__ import annotations

import calendar
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from companion.analysis.acts import is_question
from companion.analysis.report import clock
from companion.analysis.text import parse
from companion.errors import InputError
from companion.store import now_iso

# ----------------------------------------------------------------------------------
# Text helpers
# ----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_FILLER = re.compile(r"^(?:yes|yeah|yep|no|nope|exactly|right|ok|okay|sure|well|so|and|honestly|hmm+|um+|uh+|"
                     r"erm|i see|i mean|thanks|thank you)\b[\s,]*", re.I)

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1, "a couple of": 2,
                "a few": 3}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s.strip()]


def content_words(text: str) -> set[str]:
    """Content-word stems: the same words the analysis compares talk with the goal by."""
    return set(parse(text or "").stems)


def _overlap(a: str, b: str) -> float:
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def _tidy(text: str) -> str:
    """A clause as a log item: trimmed of joining words and end punctuation, first letter up."""
    t = text.strip()
    t = re.sub(r"^(?:and|then|also|so|first|just|probably|definitely|really|maybe|perhaps)\b[\s,]*", "", t,
               flags=re.I)
    t = re.sub(r"[\s,;:]*(?:\b(?:and|then|or|but|so|too|as well|first)\b[\s,]*)*[.?!,;:\s]*$", "", t,
               flags=re.I)
    t = t.strip(" ,;:-")
    return t[:1].upper() + t[1:] if t else t


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _strip_filler(sentence: str) -> str:
    s = sentence
    while True:
        m = _FILLER.match(s)
        if not m or m.end() == 0 or m.end() >= len(s):
            return s
        s = s[m.end():]


# ----------------------------------------------------------------------------------
# Time phrases: "by Friday", "next week", "by the 3rd", "within two weeks" ...
# ----------------------------------------------------------------------------------

_WD = "|".join(WEEKDAYS)
_MO = "|".join(MONTHS)
_NUM = r"(?:\d+|a couple of|a few|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_PART = r"(?:\s+(?:morning|afternoon|evening|night|lunchtime))?"

#: (kind, pattern), most specific first; a deadline ("by ...") wins over a mention.
_TIME_PATTERNS: list[tuple[str, re.Pattern]] = [(k, re.compile(p, re.I)) for k, p in [
    ("weekday", rf"\b(?:(?:by|before|until|on|this|next|from|starting|first thing)\s+)*(?:this\s+|next\s+)?"
                rf"(?P<wd>{_WD}){_PART}\b"),
    ("date", rf"\b(?:(?:by|before|until|on)\s+)?(?:the\s+)?(?P<d1>{_ORD})(?:\s+(?:of\s+)?(?P<m1>{_MO}))?\b"
             rf"(?=\s|$|[.,;!?])(?<!\d)"),
    ("date", rf"\b(?:(?:by|before|until|on)\s+)?(?P<m2>{_MO})\s+(?:the\s+)?(?P<d2>{_ORD})\b"),
    ("day", rf"\b(?:(?:by|before|until)\s+)?(?P<rel>tomorrow|tonight|today){_PART}\b"),
    ("end", r"\b(?:(?:by|before|until)\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+|next\s+)?"
            r"(?P<unit>day|week|month|year|quarter|term)\b"),
    ("within", rf"\b(?P<w>within|in)\s+(?:the\s+next\s+)?(?P<n>{_NUM})\s+(?P<u>days?|weeks?|months?)\b"),
    ("meet", r"\b(?:by|before)\s+(?:we|our)\s+(?:next\s+)?(?:meet|session|call|catch[- ]up)\w*"),
    ("next", r"\b(?:(?:by|before|until|starting|from)\s+)?(?P<which>next|this)\s+"
             r"(?P<unit2>week|month|year|quarter|session|meeting|time)\b(?!'s)"),
    ("event", r"\b(?:at|by|before|after)\s+the\s+(?:start|end|beginning)\s+of\s+(?:the\s+|that\s+|this\s+|"
              r"our\s+|my\s+|next\s+|the\s+next\s+)?\w+(?:'s)?(?:\s+(?:meeting|session|call|review))?\b"),
    ("now", r"\b(?:straight away|right away|immediately|as soon as possible|asap)\b"),
]]
_DEADLINE = re.compile(r"^(?:by|before|until)\b", re.I)


@dataclass(frozen=True)
class TimePhrase:
    text: str  #: the words as said, e.g. "by Friday"
    start: int  #: position in the clause
    end: int
    due: str | None  #: an ISO date when the phrase names one relative to the session date


def time_phrases(text: str, today: date | None = None) -> list[TimePhrase]:
    """Every time phrase in ``text``, in order, not overlapping."""
    found: list[TimePhrase] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _TIME_PATTERNS:
        for m in pattern.finditer(text or ""):
            a, b = m.span()
            if any(a < e and s < b for s, e in taken):
                continue
            if kind == "date" and not (m.group(0).lower().split()[0] in ("by", "before", "until", "on", "the")
                                       or (m.groupdict().get("m1") or m.groupdict().get("m2"))):
                continue  # a bare number is not a date
            phrase = m.group(0).strip()
            taken.append((a, b))
            found.append(TimePhrase(phrase, a, b, _resolve(kind, m, today)))
    return sorted(found, key=lambda p: p.start)


def when_of(text: str, today: date | None = None) -> TimePhrase | None:
    """The time an action is due: a deadline ("by ...") first, else the first time phrase."""
    phrases = time_phrases(text, today)
    deadlines = [p for p in phrases if _DEADLINE.match(p.text)]
    return (deadlines or phrases or [None])[0]


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word, 1)


def _resolve(kind: str, m: re.Match, today: date | None) -> str | None:
    if today is None:
        return None
    g = m.groupdict()
    due: date | None = None
    if kind == "weekday":
        ahead = (WEEKDAYS.index(g["wd"].lower()) - today.weekday()) % 7 or 7
        due = today + timedelta(days=ahead)
    elif kind == "date":
        day = int(re.match(r"\d+", g.get("d1") or g.get("d2")).group(0))
        month_name = g.get("m1") or g.get("m2")
        if not 1 <= day <= 31:
            return None
        if month_name:
            month = MONTHS.index(month_name.lower()) + 1
            year = today.year + (1 if (month, day) < (today.month, today.day) else 0)
            candidates = [(year, month)]
        else:  # "the 3rd": the next such day of a month
            y, mo = today.year, today.month
            candidates = [(y, mo)] if day > today.day else []
            candidates.append((y + (mo == 12), mo % 12 + 1))
        for y, mo in candidates:
            if day <= calendar.monthrange(y, mo)[1]:
                due = date(y, mo, day)
                break
    elif kind == "day":
        due = today + timedelta(days=1 if g["rel"].lower() == "tomorrow" else 0)
    elif kind == "end":
        unit = g["unit"].lower()
        nxt = "next" in m.group(0).lower()
        if unit == "day":
            due = today
        elif unit == "week":
            due = today + timedelta(days=(4 - today.weekday()) % 7 + (7 if nxt else 0))
        elif unit == "month":
            y, mo = (today.year + (today.month == 12), today.month % 12 + 1) if nxt else (today.year, today.month)
            due = date(y, mo, calendar.monthrange(y, mo)[1])
        elif unit == "year":
            due = date(today.year + nxt, 12, 31)
    elif kind == "within":
        n, unit = _number(g["n"]), g["u"].lower()
        days = n * (1 if unit.startswith("day") else 7 if unit.startswith("week") else 30)
        due = today + timedelta(days=days)
    elif kind == "next" and g["unit2"].lower() == "week" and g["which"].lower() == "next" \
            and m.group(0).lower().startswith(("by", "before", "until")):
        due = today + timedelta(days=7 - today.weekday())  # by next week: its Monday
    return due.isoformat() if due else None


# ----------------------------------------------------------------------------------
# Following the conversation
# ----------------------------------------------------------------------------------

#: What a coach's question opens, when the analytics left no stage marks. Order matters:
#: "what options could you ..." is options, not goal.
_QUESTION_STAGE: list[tuple[str, re.Pattern]] = [(s, re.compile(p, re.I)) for s, p in [
    ("will", r"\b(what will you do|what are you going to do|what('s| is| will be) (your|the) (first|next) step|"
             r"by when|when will you|who (could|can|might|would) (help|support)|who can you ask|"
             r"how committed|scale of|commit to|what will you take away|what do you take away|"
             r"what have you learn|what are you taking)"),
    ("options", r"\b(options?|what else|what could you|what might you|what can you do|ideas|alternatives|"
                r"which of (these|those)|possibilit|what would happen if|what would you do if)"),
    ("reality", r"\b(what('s| is) happening|what happens|going on|what have you tried|so far|at the moment|"
                r"right now|currently|tell me (more|about)|what('s| is) stopping|what gets in the way|"
                r"what gets in your way|who else|how do you feel|what do you notice|what's it like)"),
    ("goal", r"\b(what would you like|what do you want|what would you want|get out of|goal|aim|work on|"
             r"how will you know|how would you know|what would success|look like|achieve|hope to|"
             r"bring today|talk about today|trying to (?:do|achieve|get))"),
]]

_SUGGESTION = re.compile(
    r"\b(?:you\s+(?:should|could|might|may want to|might want to|need to|ought to|must|can)|why don't you|"
    r"why not|have you (?:thought about|considered|tried)|what about|how about|i(?:'d| would) (?:suggest|"
    r"recommend)|my advice (?:is|would be)|if i were you,? i(?:'d| would))\s+", re.I)
_NOT_SUGGESTION_START = re.compile(r"^(?:what|how|which|who|where|when|why(?! don't| not)|is there|are there|"
                                   r"anything|do you think|so you)\b", re.I)
_ADVERBS = re.compile(r"^(?:(?:probably|maybe|perhaps|just|really|also|definitely|try to|think about)\s+)+", re.I)

_REJECT = re.compile(
    r"(?:^(?:no|nah|nope)\b|\bnot (?:really|sure|for me|right|yet)\b|\bi don'?t think\b|\bdon'?t want\b|"
    r"\bwouldn'?t\b|\bwon'?t\b|\bcan'?t\b|\bcouldn'?t\b|\brather not\b|\btoo (?:drastic|much|risky|far)\b|"
    r"\bdrastic\b|\bdoesn'?t (?:feel|fit|work|suit)\b|\bnot something\b|^\w+(?:,\s*\w+)?,?\s+but\b)", re.I)
_ACCEPT = re.compile(
    r"(?:^(?:yes|yeah|yep|sure|ok|okay|definitely|absolutely|good idea|great idea)\b|"
    r"\b(?:that'?s|it'?s) (?:a )?(?:good|great|nice|useful) (?:idea|point|one)\b|\bi like (?:that|it|the idea)\b|"
    r"\bthat (?:could|would|might) work\b|\bi (?:could|can|will|'ll|ll) (?:do|try) (?:that|it|this)\b|"
    r"\bthat makes sense\b|\blet'?s\b)", re.I)

_TOPIC = re.compile(
    r"\b(?:I(?:'d| would)?\s+(?:want|like|need|wanted)\s+to\s+(?:talk|think|work)\s+(?:about|on|through)|"
    r"I(?:'d| would) like to (?:discuss|look at|explore)|what I(?:'d like| want) to (?:bring|talk about)|"
    r"(?:the|my) (?:topic|issue|problem) (?:is|I'm bringing))", re.I)
_GOAL = re.compile(
    r"\b(?:I\s+(?:really\s+)?(?:want|need|hope|wish|aim)\s+to|I(?:'d| would)\s+(?:really\s+)?(?:like|love)\b|"
    r"my (?:goal|aim|objective) (?:is|would be)|what I want is|I'm hoping to|I am hoping to)", re.I)
_OPTION = re.compile(
    r"\b(?:(?:and\s+|or\s+)?(?:maybe|perhaps|also|or)\s+)?I\s+(?:could|might)\s+(?:also\s+|always\s+)?"
    r"(?!(?:not|never|see|say|tell|imagine|understand|feel|have been|be wrong)\b)|"
    r"\b(?:one|another|an) (?:option|idea|possibility) (?:is|would be|might be)\s+(?:to\s+)?|"
    r"\bwhat if I\s+", re.I)
_OPTION_CAN = re.compile(r"\bI\s+can\s+(?!(?:not|never|see|say|tell|imagine|understand|feel|'t)\b)", re.I)
_COMMIT = re.compile(
    r"\b(?:I(?:'|’)?ll|I will|I(?:'|’)?m (?:going to|gonna)|I am (?:going to|gonna)|I plan to|I intend to|I commit to|"
    r"I promise to|I've decided to|I have decided to|my (?:first|next) step (?:is|will be)\s+(?:to\s+)?)\s+"
    r"(?!(?:be|never|not|tell you|admit|say|need|have to|probably be)\b)", re.I)
_EVALUATION = re.compile(
    r"\b(?:I(?: have|'ve)? (?:learn(?:ed|t)|realis|realiz|noticed)|I (?:understand|see) now|"
    r"(?:this|that|it|today) (?:really )?(?:helped|was (?:really )?(?:helpful|useful))|what I take away|"
    r"my takeaway|the insight|(?:made|makes) me (?:think|realise|realize)|I didn'?t realis|"
    r"I hadn'?t (?:thought|realised|realized|noticed)|clearer now|I feel (?:more|better|clearer))", re.I)
_REALITY_CUE = re.compile(r"\b(?:at the moment|currently|right now|always|never|keeps?|nobody|every time|tried|"
                          r"the problem is|the issue is|because)\b", re.I)
_OBSTACLE = re.compile(r"\b(?:stop|stops|stopping|can'?t|cannot|because|don'?t have|no time|nobody|never|"
                       r"blocked|problem|difficult|hard|worried|afraid|won'?t|keeps?|didn'?t)\b", re.I)
_KNOWS = re.compile(r"\b(?:knows?|aware|told|talked to|nobody knows|no one knows)\b", re.I)
_MEASURE = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|"
                      r"hundred|percent|per|in a row|every|at least|no more than|fewer|less than|more than|"
                      r"on time|within|half)\b|%", re.I)
_VAGUE = re.compile(r"^(?:better|more|less|things?|stuff|it|this|that|improve|sort|change|good)$", re.I)
_ACHIEVABLE = re.compile(r"\b(?:in my control|i can do|doable|realistic|achievable|manageable|within my power|"
                         r"i'?m able to)\b", re.I)
_RELEVANT = re.compile(r"\b(?:because|matters?|important|frustrat|want this to change|so that|dread|stress|"
                       r"care about|embarrass|for my (?:team|career|role)|means a lot)\w*", re.I)
_SCALE_ANSWER = re.compile(r"\b(seven|eight|nine|ten|7|8|9|10)\b", re.I)

_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})?)\b")
_RELATION = re.compile(r"\b(?:my|our|the)\s+(?:line\s+)?(?:colleague|manager|boss|team\s?lead|mentor|supervisor|"
                       r"director|partner|peer|buddy|deputy|head of \w+|team|HR|coach)s?\b", re.I)
_NOT_NAMES = {w.capitalize() for w in WEEKDAYS + MONTHS} | {"I", "I'm", "I'll", "I've", "I'd", "Yes", "No",
                                                            "Maybe", "Thanks", "Thank", "Okay", "Honestly"}
_OBJECT_PRONOUN = re.compile(r"\b(ask|tell|email|call|message|meet|see|phone|text|ping|talk to|check with|"
                             r"speak to|speak with|meet with)\s+(her|him|them)\b", re.I)


def _question_stage(text: str) -> str | None:
    for stage, pattern in _QUESTION_STAGE:
        if pattern.search(text):
            return stage
    return None


def _is_question(u: dict[str, Any]) -> bool:
    """The analyzer's marks when the report has them, else the same rule on the text."""
    acts = u.get("acts")
    if acts:
        return "open_question" in acts or "closed_question" in acts
    return is_question(u.get("text") or "")


def _suggestion(u: dict[str, Any]) -> str | None:
    """The action a coach's suggestion proposes, in their words, or None."""
    for s in sentences(u.get("text") or ""):
        s = _strip_filler(s)
        if _NOT_SUGGESTION_START.match(s):
            continue
        m = _SUGGESTION.search(s)
        if m:
            rest = _ADVERBS.sub("", s[m.end():])
            rest = re.sub(r"\?$", "", rest)
            if len(rest.split()) >= 2:
                return _tidy(rest)
    if "advice" in (u.get("acts") or []):
        return _tidy(_strip_filler(sentences(u["text"])[0])) if u.get("text") else None
    return None


def _uptake(text: str) -> str | None:
    """'accept', 'reject' or None for a coachee's answer to a suggestion."""
    t = _strip_filler(text.strip()) if not re.match(r"^(?:yes|yeah|yep|no|nope)\b", text.strip(), re.I) \
        else text.strip()
    if _REJECT.search(t):
        return "reject"
    if _ACCEPT.search(t):
        return "accept"
    return None


# ----------------------------------------------------------------------------------
# The drafter
# ----------------------------------------------------------------------------------

COACHEE_ROLES = ("coachee", "member")
MAX_REALITY = 6
KEY_QUESTIONS = [
    ("trying", "What am I trying to do?"),
    ("stopping", "What is stopping me from doing it?"),
    ("can_do", "What can I do about it?"),
    ("who_knows", "Who knows what I am trying to do?"),
    ("who_helps", "Who can do anything to help?"),
]


def source_of(report: dict[str, Any], indexes: Iterable[int]) -> dict[str, Any] | None:
    """Where an item came from: the utterances, their start, and the quoted lines.

    Rebuilt from the report on every save, so a client cannot put words in anyone's mouth.
    """
    utts = report.get("utterances") or []
    idx = sorted({int(i) for i in indexes})
    if not idx:
        return None
    for i in idx:
        if not 0 <= i < len(utts):
            raise InputError(f"source utterance {i} does not exist in this session")
    quotes = [{"index": i, "speaker": utts[i]["speaker"], "start": utts[i]["start"], "text": utts[i]["text"]}
              for i in idx]
    return {"utterances": idx, "start": quotes[0]["start"], "quotes": quotes}


def log_owners(report: dict[str, Any]) -> list[str]:
    """Whose logs a session has: the coachee, or each member of a group."""
    return [p["name"] for p in report.get("participants") or [] if p.get("role") in COACHEE_ROLES]


def is_group(report: dict[str, Any]) -> bool:
    people = report.get("participants") or []
    return len(people) > 2 or any(p.get("role") in ("facilitator", "member") for p in people)


def draft(report: dict[str, Any]) -> dict[str, Any]:
    """The coachee's draft log (a group's: the member whose issue was worked on)."""
    people = report.get("participants") or []
    owner = next((p["name"] for p in people if p.get("role") == "coachee"), None)
    owner = owner or next((p["name"] for p in people if p.get("role") == "member"), None)
    return draft_for(report, owner)


def draft_for(report: dict[str, Any], participant: str | None) -> dict[str, Any]:
    """``participant``'s draft log, built only from what the report holds; nothing invented."""
    return _Drafter(report, participant).build()


class _Drafter:
    def __init__(self, report: dict[str, Any], owner: str | None):
        self.r = report
        self.owner = owner
        self.utts = report.get("utterances") or []
        session = report.get("session") or {}
        self.date = (session.get("started_at") or "")[:10] or None
        try:
            self.today = date.fromisoformat(self.date) if self.date else None
        except ValueError:
            self.today = None
        self.phase = self._phases()

    def mine(self, u: dict[str, Any]) -> bool:
        return self.owner is not None and u["speaker"] == self.owner and bool(u.get("text"))

    def src(self, *indexes: int) -> dict[str, Any]:
        return source_of(self.r, indexes)

    def _phases(self) -> list[str | None]:
        """The GROW stage each utterance belongs to: the analytics' mark, else the question it answers."""
        out: list[str | None] = []
        current = None
        for u in self.utts:
            if u.get("stage"):
                current = u["stage"]
            elif u["speaker"] != self.owner and _is_question(u):
                current = _question_stage(u.get("text") or "") or current
            out.append(current if u.get("stage") is None else u["stage"])
        return out

    # -- items ---------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        people = self.r.get("participants") or []
        log: dict[str, Any] = {
            "date": self.date,
            "participant": self.owner,
            "members_present": [p["name"] for p in people],
            "facilitator": next((p["name"] for p in people if p.get("role") == "facilitator"), None),
            "content": "", "content_source": None,
            "evaluation": "", "evaluation_source": None,
            "goal": None, "reality": [], "options": [], "actions": [], "key_questions": [],
            "status": "draft",
        }
        if self.owner is None:
            return log
        content = self.content()
        if content:
            log["content"], log["content_source"] = content
        evaluation = self.evaluation()
        if evaluation:
            log["evaluation"], log["evaluation_source"] = evaluation
        log["goal"] = self.goal()
        log["options"], accepted = self.options()
        log["actions"] = self.actions(accepted)
        log["reality"] = self.reality(log)
        if is_group(self.r):
            log["key_questions"] = self.key_questions(log)
        return log

    def content(self) -> tuple[str, dict] | None:
        for i, u in enumerate(self.utts):
            if self.mine(u) and _TOPIC.search(u["text"]):
                return " ".join(sentences(u["text"])[:2]), self.src(i)
        for i, u in enumerate(self.utts):
            if self.mine(u) and self.phase[i] == "goal" and len(u["text"].split()) >= 6:
                return " ".join(sentences(u["text"])[:2]), self.src(i)
        return None

    def evaluation(self) -> tuple[str, dict] | None:
        found = [(i, s) for i, u in enumerate(self.utts) if self.mine(u)
                 for s in sentences(u["text"]) if _EVALUATION.search(s)]
        if not found:
            return None
        found = found[-3:]
        return " ".join(_cap(_strip_filler(s)) for _, s in found), self.src(*(i for i, _ in found))

    def goal(self) -> dict[str, Any] | None:
        candidates = []
        for i, u in enumerate(self.utts):
            if not self.mine(u):
                continue
            phase = self.phase[i]
            for s in sentences(u["text"]):
                topic, cue = bool(_TOPIC.search(s)), bool(_GOAL.search(s))
                if not (cue or phase == "goal") or s.endswith("?"):
                    continue
                if phase not in ("goal", None) and not topic:
                    continue  # "I really want this to change" while committing is not the goal
                smart = _smart_text(s, self.today)
                score = 2 * cue + 2 * (phase == "goal") - 3 * topic + sum(smart.values())
                candidates.append((score, -i, i, _strip_filler(s)))
        if not candidates:
            return None
        _, _, gi, text = max(candidates)
        measure = self.measure(gi)
        return {"text": text, "smart": self.smart(text, measure),
                "source": self.src(gi, *([measure[0]] if measure else []))}

    def measure(self, gi: int) -> tuple[int, str] | None:
        """The coachee's answer to "how will you know?" after the goal was set."""
        # Not bounded by stage marks: a tracker may already call the answer "reality".
        for i in range(gi + 1, min(gi + 5, len(self.utts))):
            if self.mine(self.utts[i]) and re.search(r"how (will|would) you know|what would success|how would "
                                                     r"you measure|what will be different", self.prev_other(i), re.I):
                return i, self.utts[i]["text"]
        return None

    def smart(self, text: str, measure: tuple[int, str] | None) -> dict[str, Any]:
        """A short SMART check of the goal, from what the coachee said about it."""
        basis = text + " " + (measure[1] if measure else "")
        flags = _smart_text(basis, self.today)
        mine = [(i, u) for i, u in enumerate(self.utts) if self.mine(u)]
        achievable = any(_ACHIEVABLE.search(u["text"]) for _, u in mine) or any(
            self.mine(u) and re.search(r"scale of|how committed|how confident|how likely", self.prev_other(i), re.I)
            and _SCALE_ANSWER.search(u["text"]) for i, u in enumerate(self.utts))
        relevant = any(_RELEVANT.search(u["text"]) for i, u in mine if self.phase[i] in ("goal", "will", None)) \
            or bool(_RELEVANT.search(text))
        checks = {"specific": flags["specific"], "measurable": flags["measurable"], "achievable": bool(achievable),
                  "relevant": bool(relevant), "time_bound": flags["time_bound"]}
        checks["missing"] = [k for k, ok in checks.items() if not ok]
        return checks

    def prev_other(self, i: int) -> str:
        """The text of the last utterance before ``i`` by someone else (the question answered)."""
        for j in range(i - 1, -1, -1):
            if self.utts[j]["speaker"] != self.owner:
                return self.utts[j].get("text") or ""
        return ""

    def options(self) -> tuple[list[dict], dict[int, tuple[str, int]]]:
        """The options the coachee raised, and the coach suggestions the coachee took up.

        Returns the options and, for each accepting utterance, (the suggestion, its index)
        so that "I'll do that by Monday" becomes an action with the suggestion's words.
        """
        options: list[dict] = []
        accepted: dict[int, tuple[str, int]] = {}
        for i, u in enumerate(self.utts):
            if not u.get("text"):
                continue
            if not self.mine(u):
                suggestion = _suggestion(u)
                if suggestion:
                    reply = self._next_mine(i)
                    if reply is not None and _uptake(self.utts[reply]["text"]) == "accept":
                        accepted[reply] = (suggestion, i)
                        self._add(options, {"text": suggestion, "source": self.src(i, reply)})
                continue
            for s in sentences(u["text"]):
                if s.endswith("?"):
                    continue
                pattern_hits = list(_OPTION.finditer(s))
                if self.phase[i] == "options":
                    pattern_hits += list(_OPTION_CAN.finditer(s))
                for clause in _clauses(s, sorted(pattern_hits, key=lambda m: m.start())):
                    text = _tidy(_ADVERBS.sub("", clause))
                    if len(text.split()) >= 2:
                        self._add(options, {"text": text, "source": self.src(i)})
        return options, accepted

    def _next_mine(self, i: int) -> int | None:
        for j in range(i + 1, min(i + 3, len(self.utts))):
            if self.mine(self.utts[j]):
                return j
        return None

    @staticmethod
    def _add(items: list[dict], item: dict, key: str = "text") -> None:
        for old in items:
            if _overlap(old[key], item[key]) >= 0.75:
                return
        items.append(item)

    def actions(self, accepted: dict[int, tuple[str, int]]) -> list[dict]:
        actions: list[dict] = []
        for i, u in enumerate(self.utts):
            if not self.mine(u) or self.phase[i] in ("reality",):
                continue
            helpers = _helpers(u["text"])
            asked_who = bool(re.search(r"who (could|can|might|would) (help|support)|who can you ask",
                                       self.prev_other(i), re.I))
            for s in sentences(u["text"]):
                if s.endswith("?"):
                    continue
                hits = sorted(_COMMIT.finditer(s), key=lambda m: m.start())
                for clause in _clauses(s, hits):
                    sources = [i]
                    when = when_of(clause, self.today)
                    what = clause
                    if when:
                        what = (clause[:when.start] + " " + clause[when.end:])
                    what = _tidy(re.sub(r"\s{2,}", " ", _ADVERBS.sub("", what.strip())))
                    # "I'll do that by Monday" after a suggestion the coachee took up.
                    if re.fullmatch(r"(?:do|try|give)\s+(?:that|it|this)(?:\s+a\s+go)?", what, re.I) \
                            and i in accepted:
                        what, at = accepted[i]
                        sources.append(at)
                    if len(what.split()) < 2 and not when:
                        continue
                    who = _helpers(clause) or (helpers if asked_who else [])
                    if who and _OBJECT_PRONOUN.search(what) and len(who) == 1 and who[0][:1].isupper():
                        what = _OBJECT_PRONOUN.sub(lambda m: f"{m.group(1)} {who[0]}", what, count=1)
                    action = {"what": what, "when": when.text if when else None,
                              "due": when.due if when else None, "who": ", ".join(who) or None,
                              "source": self.src(*sources)}
                    self._merge_action(actions, action)
        return actions

    @staticmethod
    def _merge_action(actions: list[dict], action: dict) -> None:
        for old in actions:
            if _overlap(old["what"], action["what"]) >= 0.75:
                for k in ("when", "due", "who"):
                    old[k] = old[k] or action[k]
                return
        actions.append(action)

    def reality(self, log: dict[str, Any]) -> list[dict]:
        used = {log["goal"]["text"]} if log["goal"] else set()
        goal_said = set(log["goal"]["source"]["utterances"]) if log["goal"] else set()
        used |= {o["text"] for o in log["options"]} | {a["what"] for a in log["actions"]}
        marked = any(u.get("stage") for u in self.utts)
        points: list[dict] = []
        fallback: list[dict] = []
        for i, u in enumerate(self.utts):
            if not self.mine(u) or i in goal_said:
                continue
            for s in sentences(u["text"]):
                s = _cap(_strip_filler(s))
                if s.endswith("?") or len(s.split()) < 5 or _COMMIT.search(s) or _OPTION.search(s):
                    continue
                if any(_overlap(s, t) >= 0.8 for t in used):
                    continue
                item = {"text": s, "source": self.src(i)}
                if self.phase[i] == "reality":
                    points.append(item)
                elif not marked and (u.get("focus") == "problem" or _REALITY_CUE.search(s)) \
                        and self.phase[i] not in ("will", "options"):
                    fallback.append(item)
        return (points or fallback)[:MAX_REALITY]

    def key_questions(self, log: dict[str, Any]) -> list[dict]:
        """The group's key questions, answered from this member's own log and words."""
        answers: dict[str, tuple[str | None, list[int]]] = {}
        goal = log["goal"]
        answers["trying"] = (goal["text"], goal["source"]["utterances"]) if goal else (None, [])
        stopping = [p for p in log["reality"] if _OBSTACLE.search(p["text"])][:2]
        answers["stopping"] = (" ".join(p["text"] for p in stopping) or None,
                               [i for p in stopping for i in p["source"]["utterances"]])
        doing = log["actions"] or []
        if doing:
            answers["can_do"] = ("; ".join(a["what"] for a in doing),
                                 [i for a in doing for i in a["source"]["utterances"]])
        else:
            opts = log["options"]
            answers["can_do"] = ("; ".join(o["text"] for o in opts) or None,
                                 [i for o in opts for i in o["source"]["utterances"]])
        knows = [(i, s) for i, u in enumerate(self.utts) if self.mine(u) for s in sentences(u["text"])
                 if _KNOWS.search(s) and not s.endswith("?")]
        answers["who_knows"] = (" ".join(s for _, s in knows[:2]) or None, [i for i, _ in knows[:2]])
        helpers = [(a["who"], a["source"]["utterances"]) for a in doing if a.get("who")]
        answers["who_helps"] = (", ".join(dict.fromkeys(h for h, _ in helpers)) or None,
                                [i for _, idx in helpers for i in idx])
        out = []
        for key, question in KEY_QUESTIONS:
            text, idx = answers[key]
            out.append({"key": key, "question": question, "answer": text or "",
                        "source": self.src(*idx) if text else None})
        return out


def _clauses(sentence: str, hits: list[re.Match]) -> list[str]:
    """The words after each cue, up to the next cue."""
    out = []
    for n, m in enumerate(hits):
        end = hits[n + 1].start() if n + 1 < len(hits) else len(sentence)
        out.append(sentence[m.end():end])
    return out


def _smart_text(text: str, today: date | None) -> dict[str, bool]:
    words = [w for w in content_words(text) if not _VAGUE.match(w)]
    return {"specific": len(words) >= 4, "measurable": bool(_MEASURE.search(text)),
            "time_bound": bool(time_phrases(text, today))}


def _helpers(text: str) -> list[str]:
    """People named in a sentence: names first, else relations ("my manager")."""
    names = [n for n in _NAME.findall(text) if n not in _NOT_NAMES and n.split()[0] not in _NOT_NAMES]
    if names:
        return list(dict.fromkeys(names))
    rel = [m.group(0) for m in _RELATION.finditer(text)]
    return list(dict.fromkeys(r[0].lower() + r[1:] for r in rel))


# ----------------------------------------------------------------------------------
# Editing: what a saved log may hold
# ----------------------------------------------------------------------------------

SMART_KEYS = ("specific", "measurable", "achievable", "relevant", "time_bound")
MAX_TEXT = 20_000
MAX_ITEMS = 100


def _text(value: Any, where: str, *, limit: int = MAX_TEXT, optional: bool = False) -> str | None:
    if value is None:
        if optional:
            return None
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where} must be text")
    if len(value) > limit:
        raise InputError(f"{where} is too long ({len(value)} characters; at most {limit})")
    value = value.strip()
    return value if value or not optional else None


def _source(report: dict[str, Any], value: Any, where: str) -> dict[str, Any] | None:
    if value in (None, {}):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("utterances"), list) \
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in value["utterances"]):
        raise InputError(f"{where}.source must be {{\"utterances\": [index, ...]}} or null")
    try:
        return source_of(report, value["utterances"])
    except InputError as e:
        raise InputError(f"{where}.source: {e}") from None


def _items(report: dict[str, Any], value: Any, where: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where} must be a list")
    if len(value) > MAX_ITEMS:
        raise InputError(f"{where} has {len(value)} items; at most {MAX_ITEMS}")
    out = []
    for n, item in enumerate(value):
        at = f"{where}[{n}]"
        if not isinstance(item, dict):
            raise InputError(f"{at} must be an object")
        clean = {f: _text(item.get(f), f"{at}.{f}", limit=2000, optional=True) for f in fields}
        if not any(clean.values()):
            continue  # an emptied item is a removed item
        clean["source"] = _source(report, item.get("source"), at)
        out.append(clean)
    return out


def clean_log(report: dict[str, Any], data: Any) -> dict[str, Any]:
    """A log as the coachee saved it, checked field by field; raises ``InputError`` (one line).

    Sources are rebuilt from the utterance indexes, so quotes always match the transcript.
    Read-only fields (version, status, participant, ...) are ignored.
    """
    if not isinstance(data, dict):
        raise InputError("the log must be a JSON object")
    members = data.get("members_present") or []
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise InputError("members_present must be a list of names")
    log: dict[str, Any] = {
        "date": _text(data.get("date"), "date", limit=40, optional=True),
        "members_present": [m.strip() for m in members if m.strip()][:MAX_ITEMS],
        "facilitator": _text(data.get("facilitator"), "facilitator", limit=200, optional=True),
        "content": _text(data.get("content"), "content"),
        "content_source": _source(report, data.get("content_source"), "content"),
        "evaluation": _text(data.get("evaluation"), "evaluation"),
        "evaluation_source": _source(report, data.get("evaluation_source"), "evaluation"),
        "goal": None,
        "reality": _items(report, data.get("reality"), "reality", ("text",)),
        "options": _items(report, data.get("options"), "options", ("text",)),
        "actions": [],
        "key_questions": [],
    }
    goal = data.get("goal")
    if goal is not None:
        if not isinstance(goal, dict):
            raise InputError("goal must be an object or null")
        text = _text(goal.get("text"), "goal.text", optional=True)
        smart_in = goal.get("smart") or {}
        if not isinstance(smart_in, dict):
            raise InputError("goal.smart must be an object")
        smart = {k: bool(smart_in.get(k)) for k in SMART_KEYS}
        smart["missing"] = [k for k in SMART_KEYS if not smart[k]]
        if text:
            log["goal"] = {"text": text, "smart": smart, "source": _source(report, goal.get("source"), "goal")}
    for action in _items(report, data.get("actions"), "actions", ("what", "when", "who", "due")):
        if action["due"]:
            try:
                action["due"] = date.fromisoformat(action["due"]).isoformat()
            except ValueError:
                raise InputError(f"actions: due {action['due']!r} is not a date like 2025-03-14") from None
        log["actions"].append({k: action[k] for k in ("what", "when", "due", "who", "source")})
    known = dict(KEY_QUESTIONS)
    for q in _items(report, data.get("key_questions"), "key_questions", ("key", "answer")):
        if q["key"] not in known:
            raise InputError(f"key_questions: unknown question {q['key']!r}")
        log["key_questions"].append({"key": q["key"], "question": known[q["key"]], "answer": q["answer"] or "",
                                     "source": q["source"]})
    return log


# ----------------------------------------------------------------------------------
# Stored logs: versions, approval, sharing
# ----------------------------------------------------------------------------------

class LogNotFound(InputError):
    """No log can exist (yet): unknown session, session not ended, or nobody whose log it is."""


class LogConflict(Exception):
    """A save or approval based on a version that is no longer the latest."""

    def __init__(self, message: str, current: dict[str, Any]):
        super().__init__(message)
        self.current = current


class LogStateError(InputError):
    """An action the log's status does not allow (sharing a draft)."""


def _row_to_log(row: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(row["data"])
    return {**data, "session_id": row["session_id"], "participant": row["participant"],
            "version": row["version"], "status": row["status"], "updated_at": row["created_at"],
            "approved_at": row["approved_at"], "shared_at": row["shared_at"]}


class LogBook:
    """The stored learning logs of one ``Store``: every save is a new version, none is overwritten.

    Status lives on the latest version: ``draft`` until the coachee approves it,
    ``approved``, then ``shared`` once the coachee shares it with the coach. A
    save after approval starts a new draft version (and ends the sharing).
    """

    def __init__(self, store):
        self.store = store
        self.db = store.db

    # -- reading -------------------------------------------------------------------
    def owner_name(self, sid: str, participant: str | None) -> str:
        """The exact name of the person whose log is asked for (default: the coachee)."""
        s = self.store.get_session(sid)
        if s is None:
            raise LogNotFound(f"no session {sid!r}")
        owners = [p["name"] for p in s["participants"] if p["role"] in COACHEE_ROLES]
        if participant is None:
            coachee = [p["name"] for p in s["participants"] if p["role"] == "coachee"]
            if coachee or owners:
                return (coachee or owners)[0]
            raise LogNotFound(f"session {sid} has no coachee, so it has no learning log")
        for name in owners:
            if name.casefold() == participant.casefold():
                return name
        raise LogNotFound(f"session {sid} has no learning log for {participant!r}")

    def _rows(self, sid: str, participant: str) -> list[dict[str, Any]]:
        return list(self.db["logs"].rows_where("session_id = ? and participant = ?", [sid, participant],
                                               order_by="version"))

    def _latest_row(self, sid: str, participant: str) -> dict[str, Any] | None:
        rows = list(self.db["logs"].rows_where("session_id = ? and participant = ?", [sid, participant],
                                               order_by="version desc", limit=1))
        return rows[0] if rows else None

    def peek(self, sid: str, participant: str) -> dict[str, Any] | None:
        """The latest stored version, or None; never creates one."""
        row = self._latest_row(sid, participant)
        return _row_to_log(row) if row else None

    def current(self, sid: str, participant: str) -> dict[str, Any]:
        """The latest version; version 1 is drafted from the report the first time it is asked for."""
        row = self._latest_row(sid, participant)
        if row is None:
            report = self.store.report(sid)
            if report is None:
                raise LogNotFound("this session has not ended yet: the learning log is drafted as soon as the "
                                  "coach ends it")
            drafted = report.get("log_draft")
            if not drafted or drafted.get("participant") != participant:
                drafted = draft_for(report, participant)
            data = {k: v for k, v in drafted.items() if k not in ("status", "participant")}
            with self.db.conn:
                self.db["logs"].insert({
                    "session_id": sid, "participant": participant, "version": 1, "data": json.dumps(data),
                    "status": "draft", "author": "companion", "event": "drafted", "created_at": now_iso(),
                    "approved_at": None, "shared_at": None,
                }, ignore=True)  # two first readers at once: the unique index keeps one
            row = self._latest_row(sid, participant)
        return _row_to_log(row)

    def versions(self, sid: str, participant: str) -> list[dict[str, Any]]:
        self.current(sid, participant)
        return [{"version": r["version"], "status": r["status"], "event": r["event"], "author": r["author"],
                 "created_at": r["created_at"], "approved_at": r["approved_at"], "shared_at": r["shared_at"]}
                for r in self._rows(sid, participant)]

    def version(self, sid: str, participant: str, n: int) -> dict[str, Any]:
        self.current(sid, participant)
        rows = list(self.db["logs"].rows_where("session_id = ? and participant = ? and version = ?",
                                               [sid, participant, n]))
        if not rows:
            raise LogNotFound(f"the log has no version {n}")
        return _row_to_log(rows[0])

    # -- changing ------------------------------------------------------------------
    def _check_base(self, latest: dict[str, Any], base_version: Any, doing: str) -> None:
        if base_version is None:
            return
        if not isinstance(base_version, int) or isinstance(base_version, bool):
            raise InputError("version must be the whole number of the version you started from")
        if base_version != latest["version"]:
            raise LogConflict(
                f"not {doing}: the log was changed elsewhere (now version {latest['version']}, you started "
                f"from version {base_version}); your text is kept: compare, then save again",
                _row_to_log(latest))

    def save(self, sid: str, participant: str, data: Any, base_version: Any, *,
             author: str | None = None) -> dict[str, Any]:
        """Save an edit as a new draft version; ``base_version`` must be the latest one."""
        if base_version is None:
            raise InputError("version is required: the version your edit started from")
        self.current(sid, participant)
        report = self.store.report(sid) or {}
        clean = clean_log(report, data)
        with self.db.conn:
            latest = self._latest_row(sid, participant)
            self._check_base(latest, base_version, "saved")
            self.db["logs"].insert({
                "session_id": sid, "participant": participant, "version": latest["version"] + 1,
                "data": json.dumps(clean), "status": "draft", "author": author or participant, "event": "saved",
                "created_at": now_iso(), "approved_at": None, "shared_at": None,
            })
        return self.peek(sid, participant)

    def approve(self, sid: str, participant: str, base_version: Any = None) -> dict[str, Any]:
        """The coachee approves the latest version (the one they saw, when ``base_version`` is given)."""
        self.current(sid, participant)
        with self.db.conn:
            latest = self._latest_row(sid, participant)
            self._check_base(latest, base_version, "approved")
            if latest["status"] == "draft":
                self.db["logs"].update(latest["id"], {"status": "approved", "approved_at": now_iso()})
        return self.peek(sid, participant)

    def share(self, sid: str, participant: str, base_version: Any = None) -> dict[str, Any]:
        """The coachee shares the approved latest version with the coach."""
        self.current(sid, participant)
        with self.db.conn:
            latest = self._latest_row(sid, participant)
            self._check_base(latest, base_version, "shared")
            if latest["status"] == "draft":
                raise LogStateError("approve the log before sharing it: only an approved log can be shared")
            if latest["status"] == "approved":
                self.db["logs"].update(latest["id"], {"status": "shared", "shared_at": now_iso()})
        return self.peek(sid, participant)

    def shared(self, sid: str, participant: str) -> dict[str, Any] | None:
        """What the coach may read: the latest version if the coachee has shared it, else None."""
        log = self.peek(sid, participant)
        return log if log and log["status"] == "shared" else None

    # -- the next session between the same people ------------------------------------
    def previous_actions(self, sid: str, participant: str, *, shared_only: bool) -> dict[str, Any] | None:
        """The action plan from the last session between the same coach and ``participant``.

        The same people are recognised by name, ignoring case: a coach (or facilitator) of
        this session and ``participant`` as coachee or member of the earlier one.
        """
        s = self.store.get_session(sid)
        if s is None:
            raise LogNotFound(f"no session {sid!r}")
        coaches = {p["name"].casefold() for p in s["participants"] if p["role"] in ("coach", "facilitator")}
        me = participant.casefold()
        if not coaches:
            return None
        when = s.get("started_at") or s["created_at"]
        rows = self.db.query(
            "select id from sessions where id != ? and report is not null and coalesce(started_at, created_at) "
            "<= ? order by coalesce(started_at, created_at) desc, rowid desc", [sid, when])
        for row in rows:
            people = self.store.participants(row["id"])
            if not any(p["role"] in ("coach", "facilitator") and p["name"].casefold() in coaches for p in people):
                continue
            mine = next((p["name"] for p in people if p["role"] in COACHEE_ROLES and p["name"].casefold() == me),
                        None)
            if mine is None:
                continue
            log = self.shared(row["id"], mine) if shared_only else self.current(row["id"], mine)
            if log is None:
                return None
            prev = self.store.get_session(row["id"])
            return {"session": {"id": prev["id"], "title": prev["title"], "date": log.get("date")},
                    "participant": mine, "status": log["status"], "version": log["version"],
                    "actions": log["actions"]}
        return None


# ----------------------------------------------------------------------------------
# Export: Markdown and a printable page, from one list of sections
# ----------------------------------------------------------------------------------

def _at(item: dict[str, Any] | None) -> str:
    src = (item or {}).get("source") if isinstance(item, dict) else None
    return f" ({clock(src['start'])})" if src else ""


SMART_LABELS = {"specific": "specific", "measurable": "measurable", "achievable": "achievable",
                "relevant": "relevant", "time_bound": "time-bound"}


def _sections(log: dict[str, Any]) -> list[tuple[str, list[str] | list[list[str]], str]]:
    """(title, lines or table rows, kind) in the order of the peer-coaching log form."""
    goal = log.get("goal")
    out: list[tuple[str, Any, str]] = [
        ("Content", [log.get("content") or "-"], "text"),
        ("Evaluation", [log.get("evaluation") or "-"], "text"),
    ]
    if goal:
        smart = goal.get("smart") or {}
        checks = ", ".join(f"{SMART_LABELS[k]} {'yes' if smart.get(k) else 'not yet'}" for k in SMART_KEYS)
        out.append(("Goal", [goal["text"] + _at(goal), f"SMART check: {checks}."], "text"))
    else:
        out.append(("Goal", ["-"], "text"))
    out.append(("Reality", [p["text"] + _at(p) for p in log.get("reality") or []] or ["-"], "list"))
    out.append(("Options", [o["text"] + _at(o) for o in log.get("options") or []] or ["-"], "list"))
    out.append(("Action plan", [[a.get("what") or "", a.get("when") or "-", a.get("who") or "-",
                                 clock(a["source"]["start"]) if a.get("source") else "-"]
                                for a in log.get("actions") or []], "table"))
    if log.get("key_questions"):
        out.append(("Key questions", [f"{q['question']} {q.get('answer') or '-'}" for q in log["key_questions"]],
                    "list"))
    return out


ACTION_HEAD = ["What", "By when", "Who can help", "Said at"]


def _header(log: dict[str, Any]) -> list[tuple[str, str]]:
    return [("Date", log.get("date") or "-"),
            ("Members present", ", ".join(log.get("members_present") or []) or "-"),
            ("Facilitator", log.get("facilitator") or "-"),
            ("Status", f"{log.get('status', 'draft')} (version {log.get('version', 1)})")]


def to_markdown(log: dict[str, Any]) -> str:
    out = [f"# Learning log: {log.get('participant') or 'coachee'}", ""]
    out += [f"- **{k}:** {v}" for k, v in _header(log)]
    for title, body, kind in _sections(log):
        out += ["", f"## {title}", ""]
        if kind == "table":
            if not body:
                out.append("-")
                continue
            out += ["| " + " | ".join(ACTION_HEAD) + " |", "|" + "---|" * len(ACTION_HEAD)]
            out += ["| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in body]
        elif kind == "list":
            out += [f"- {line}" if line != "-" else "-" for line in body]
        else:
            out += body
    return "\n".join(out) + "\n"


def to_html(log: dict[str, Any]) -> str:
    """A printable page: no scripts, every value escaped."""
    e = html.escape
    parts = ["<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
             f"<title>Learning log: {e(log.get('participant') or '')}</title>",
             "<link rel=\"stylesheet\" href=\"/static/style.css\"><link rel=\"stylesheet\" href=\"/static/log.css\">"
             "</head><body class=\"print\"><main>",
             f"<h1>Learning log: {e(log.get('participant') or 'coachee')}</h1><dl class=\"log-header\">"]
    parts += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in _header(log)]
    parts.append("</dl>")
    for title, body, kind in _sections(log):
        parts.append(f"<h2>{e(title)}</h2>")
        if kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in body)
            head = "".join(f"<th>{e(h)}</th>" for h in ACTION_HEAD)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>" if body else "<p>-</p>")
        elif kind == "list":
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in body) + "</ul>")
        else:
            parts += [f"<p>{e(x)}</p>" for x in body]
    parts.append("</main></body></html>")
    return "".join(parts)


def coach_view(store, sid: str, report: dict[str, Any]) -> dict[str, Any]:
    """A stored report as the coach side (coach, facilitator, owner) may read it.

    ``log_draft`` becomes the coachee's log only once they have approved and
    shared it, and ``None`` before: the coach never sees a draft, by any route.
    """
    owners = log_owners(report)
    shared = LogBook(store).shared(sid, owners[0]) if owners else None
    return {**report, "log_draft": shared}
