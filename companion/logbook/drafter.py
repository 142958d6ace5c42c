"""The learning log drafted from a session's report, in the coachee's own words.

A peer-coaching log has a fixed form (date, members present, facilitator,
content, evaluation, action plan); ours adds the GROW summary (goal with a
SMART check, reality, options, and each action with what, by when and who
can help). For groups, each member's log also answers the key questions.

Why extractive: the coachee must be able to trust the draft. Every item is a
piece of what was said and carries a ``source`` pointing at the utterance(s)
it came from; where nothing was said, nothing is drafted.

Why it reads the analysis: the report already says, per utterance, the GROW
stage, the coach's acts (question, advice, reflection) and the commitments
made. The drafter places those; it has no stage cues, question test or advice
detector of its own, so the log and the review never disagree.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from companion.analysis.commitments import confirms, declines, strip_lead_ins
from companion.analysis.stagecues import OPENING
from companion.analysis.text import parse, split_sentences
from companion.logbook.actions import closing_question, draft_actions
from companion.logbook.goal import draft_goal
from companion.logbook.items import COACHEE_ROLES, content_words, is_group, overlap, source_of, tidy

MAX_REALITY = 6
MAX_OPTIONS = 8
KEY_QUESTIONS = [
    ("trying", "What am I trying to do?"),
    ("stopping", "What is stopping me from doing it?"),
    ("can_do", "What can I do about it?"),
    ("who_knows", "Who knows what I am trying to do?"),
    ("who_helps", "Who can do anything to help?"),
]
QUESTION_ACTS = ("open_question", "closed_question")

_TOPIC = re.compile(
    r"\b(?:I(?:'d| would)?\s+(?:want|like|need|wanted)\s+to\s+(?:talk|think|work)\s+(?:about|on|through)|"
    r"I(?:'d| would) like to (?:discuss|look at|explore)|what I(?:'d like| want) to (?:bring|talk about)|"
    r"(?:the|my) (?:topic|issue|problem) (?:is|I'm bringing)|it's the \w+(?: \w+)? thing)", re.I)
_OPTION = re.compile(
    r"\b(?:(?:and\s+|or\s+)?(?:maybe|perhaps|also|or)\s+)?I\s+(?:could|might)\s+(?:also\s+|always\s+|just\s+)?"
    r"(?!(?:not|never|see|say|tell you|imagine|understand|feel|have been|be wrong)\b)|"
    r"\b(?:one|another|an) (?:option|idea|possibility) (?:is|would be|might be)\s+(?:to\s+)?|"
    r"\bwhat if I\s+|\bwe could\s+", re.I)
_EVALUATION = re.compile(
    r"\b(?:I(?: have|'ve)? (?:learn(?:ed|t)|realis|realiz|noticed)|I (?:understand|see) now|"
    r"(?:this|that|it|today) (?:really )?(?:helped|helps|was (?:really )?(?:helpful|useful))|what I take away|"
    r"my takeaway|the insight|(?:made|makes) me (?:think|realise|realize)|I didn'?t realis|"
    r"I hadn'?t (?:thought|realised|realized|noticed)|clearer now|I feel (?:more|better|clearer|calmer|lighter)|"
    r"\bbetter\b|a lot better|more (?:confident|in control))", re.I)
#: Setting the call up, not the topic: "I can hear you", "loud and clear", "good afternoon".
_SETTING_UP = re.compile(r"^(?:it was |it's been )?(?:good|fine|great|lovely|not bad),? thank(?:s| you)|"
                         r"\b(?:hear you|loud and clear|good (?:morning|afternoon|evening)|you're on mute|"
                         r"(?:fifteen|twenty|thirty|ten)(?:'s| minutes?) (?:is )?(?:perfect|fine|great)|"
                         r"blocked it)\b", re.I)
#: A question put to the coachee ("what are all the options?") is not the coach's suggestion.
_ASKING = re.compile(r"^(?:\W*(?:so|and|okay|right)\W+)*(?:what|how|why|who|which|where|when|if you)\b", re.I)
_PRO_FORM_OPTION = re.compile(r"^(?:do|try|say|use|raise) (?:that|it|this)\b", re.I)
_OBSTACLE = re.compile(r"\b(?:stop|stops|stopping|can'?t|cannot|because|don'?t have|no time|nobody|never|"
                       r"blocked|problem|difficult|hard|worried|afraid|won'?t|keeps?|didn'?t)\b", re.I)
_KNOWS = re.compile(r"\b(?:knows?|aware|told|talked to|nobody knows|no one knows)\b", re.I)


def draft(report: dict[str, Any]) -> dict[str, Any]:
    """The coachee's draft log (a group's: the member whose issue was worked on)."""
    people = report.get("participants") or []
    owner = next((p["name"] for p in people if p.get("role") == "coachee"), None)
    owner = owner or next((p["name"] for p in people if p.get("role") == "member"), None)
    return draft_for(report, owner)


def draft_for(report: dict[str, Any], participant: str | None) -> dict[str, Any]:
    """``participant``'s draft log, built only from what the report holds; nothing invented."""
    return _Drafter(report, participant).build()


def _own_turn(utts: list[dict[str, Any]], owner: str | None) -> list[dict[str, Any]]:
    """In a group with turns marked (``turn_of``), a member's log is drafted from their own turn:
    the rest is blanked, keeping every utterance's index so sources still point at the transcript."""
    if owner is None or not any(u.get("turn_of") for u in utts):
        return utts
    return [u if u.get("turn_of") == owner else {**u, "text": "", "stage": None, "acts": [], "commitment": None}
            for u in utts]


def _asked(u: dict[str, Any]) -> bool:
    return any(a in QUESTION_ACTS for a in u.get("acts") or [])


class _Drafter:
    def __init__(self, report: dict[str, Any], owner: str | None):
        self.r = report
        self.owner = owner
        self.utts: list[dict[str, Any]] = _own_turn(report.get("utterances") or [], owner)
        session = report.get("session") or {}
        self.date = (session.get("started_at") or "")[:10] or None
        try:
            self.today: date | None = date.fromisoformat(self.date) if self.date else None
        except ValueError:
            self.today = None

        self.aside = self._asides()

    def mine(self, u: dict[str, Any]) -> bool:
        return self.owner is not None and u["speaker"] == self.owner and bool(u.get("text"))

    def _asides(self) -> set[int]:
        """Greetings and small talk before the goal, and off-topic stretches (the analysis's
        ``topic_drift`` flags): never a log item."""
        out: set[int] = set()
        length = max((u["end"] for u in self.utts), default=0.0)
        # A drift flag over a third of the session says more about the detector than the talk: not trusted here.
        drift = [(f["start"], f["end"]) for f in self.r.get("flags") or []
                 if f.get("kind") == "topic_drift" and f["end"] - f["start"] <= length / 3]
        first_goal = next((i for i, u in enumerate(self.utts) if u.get("stage") == "goal"), len(self.utts))
        greeted = False
        for i, u in enumerate(self.utts):
            if any(a <= u["start"] <= b for a, b in drift):
                out.add(i)
            if i < first_goal:
                opening = bool(OPENING.search(parse(u.get("text") or "").joined))
                if opening or greeted:
                    out.add(i)
                greeted = opening
        return out

    def src(self, *indexes: int) -> dict[str, Any] | None:
        return source_of(self.r, indexes)

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
            log["content"], log["content_source"] = content[0], self.src(*content[1])
        evaluation = self.evaluation()
        if evaluation:
            log["evaluation"], log["evaluation_source"] = evaluation[0], self.src(*evaluation[1])
        goal = draft_goal(self.utts, self.owner, self.today, self.aside, group=is_group(self.r))
        if goal:
            log["goal"] = {**goal, "source": self.src(*goal["source"])}
        options = self.options()
        actions = draft_actions(self.utts, self.owner, self.today, options)
        log["options"] = [{**o, "source": self.src(*o["source"])} for o in options]
        log["actions"] = [{**a, "source": self.src(*a["source"])} for a in actions]
        log["reality"] = self.reality(log)
        if is_group(self.r):
            log["key_questions"] = self.key_questions(log)
        return log

    # -- content and evaluation ------------------------------------------------------
    def _substance(self, text: str, most: int = 2) -> str:
        """The first sentences of a turn that say something (not "So. Um."), lead-ins off."""
        said = [strip_lead_ins(s) for s in split_sentences(text) if not s.rstrip().endswith("?")]
        kept: list[str] = []
        for s in dict.fromkeys(said):
            if content_words(s) and (len(kept) < most or len(content_words(" ".join(kept))) < 4) \
                    and len(kept) < most + 1:
                kept.append(s[:1].upper() + s[1:])
        return " ".join(kept)

    def content(self) -> tuple[str, list[int]] | None:
        """The topic in a sentence or two: the coachee naming it, else their first substantial turn
        after the opening (greetings, "can you hear me", contracting are asides)."""
        for test in (lambda u: _TOPIC.search(u["text"]) and u.get("stage") in ("goal", "reality", None),
                     lambda u: u.get("stage") in ("goal", "reality") and len(content_words(u["text"])) >= 6):
            for i, u in enumerate(self.utts):
                if self.mine(u) and i not in self.aside and not _SETTING_UP.search(u["text"]) and test(u):
                    text = self._substance(u["text"])
                    if len(content_words(text)) >= 3:
                        return text, [i]
        return None

    def evaluation(self) -> tuple[str, list[int]] | None:
        """The coachee's own closing reflection: their answer to "what are you taking away?",
        else what they say after the plan about what they learnt."""
        asked = closing_question(self.utts)
        if asked is not None:
            answer = next((j for j in range(asked + 1, min(asked + 3, len(self.utts))) if self.mine(self.utts[j])),
                          None)
            if answer is not None:
                text = self._substance(self.utts[answer]["text"], 3)
                if len(content_words(text)) >= 2:
                    return text, [answer]
        last_grow = max((i for i, u in enumerate(self.utts) if u.get("stage")), default=-1)
        closing = [i for i, u in enumerate(self.utts) if i > last_grow and self.mine(u)]
        found = [(i, s) for i in closing for s in split_sentences(self.utts[i]["text"])
                 if _EVALUATION.search(s) and not s.rstrip().endswith("?")]
        if not found:  # the reflection may sit inside the last stage, when the tracker kept it there
            found = [(i, s) for i, u in enumerate(self.utts) if self.mine(u) and i >= len(self.utts) * 0.8
                     for s in split_sentences(u["text"]) if _EVALUATION.search(s) and len(s.split()) >= 4]
        if not found:
            return None
        found = found[-3:]
        return " ".join(tidy(s) + "." for _, s in found), sorted({i for i, _ in found})

    # -- options -------------------------------------------------------------------
    def options(self) -> list[dict[str, Any]]:
        """The coachee's ideas, and the coach's suggestions the coachee took up (marked as the coach's)."""
        options: list[dict[str, Any]] = []
        for i, u in enumerate(self.utts):
            if not u.get("text") or u.get("stage") not in ("options", "will") or i in self.aside:
                continue
            if not self.mine(u):
                if "advice" in (u.get("acts") or []):
                    reply = next((j for j in range(i + 1, min(i + 3, len(self.utts))) if self.mine(self.utts[j])),
                                 None)
                    if reply is not None and confirms(self.utts[reply]["text"]) \
                            and not declines(self.utts[reply]["text"]):
                        text = self._suggestion(u["text"])
                        if text:
                            self._add(options, {"text": text, "source": [i, reply], "idea_of": u["speaker"]})
                continue
            for s in split_sentences(u["text"]):
                if s.rstrip().endswith("?"):
                    continue
                hits = list(_OPTION.finditer(s))
                for n, m in enumerate(hits):
                    end = hits[n + 1].start() if n + 1 < len(hits) else len(s)
                    text = tidy(s[m.end():end])
                    if len(content_words(text)) >= 1 and len(text.split()) >= 2 and not _PRO_FORM_OPTION.match(text):
                        self._add(options, {"text": text, "source": [i], "idea_of": None})
        return options[:MAX_OPTIONS] if len(options) > MAX_OPTIONS else options

    @staticmethod
    def _suggestion(text: str) -> str | None:
        """The coach's suggestion as an item: the sentence of the turn with the most content."""
        said = [s for s in split_sentences(text) if len(content_words(s)) >= 2 and not _ASKING.match(s)]
        if not said:
            return None
        best = max(said, key=lambda s: len(content_words(s)))
        return tidy(best.rstrip("?"))

    @staticmethod
    def _add(items: list[dict[str, Any]], item: dict[str, Any]) -> None:
        if any(overlap(old["text"], item["text"]) >= 0.75 for old in items):
            return
        items.append(item)

    # -- reality -------------------------------------------------------------------
    def reality(self, log: dict[str, Any]) -> list[dict[str, Any]]:
        """The coachee's substantive points in the reality stage: never greetings or small talk."""
        used = [log["goal"]["text"]] if log["goal"] else []
        used += [o["text"] for o in log["options"]] + [a["what"] for a in log["actions"]]
        points: list[tuple[int, int, str]] = []
        for i, u in enumerate(self.utts):
            if not self.mine(u) or u.get("stage") != "reality" or _asked(u) or i in self.aside:
                continue
            for s in split_sentences(u["text"]):
                s = tidy(s)
                if s.endswith("?") or len(s.split()) < 6 or len(content_words(s)) < 3:
                    continue
                if any(overlap(s, t) >= 0.8 for t in used) or any(overlap(s, t) >= 0.8 for _, _, t in points):
                    continue
                points.append((len(content_words(s)), i, s))
        best = sorted(sorted(points, reverse=True)[:MAX_REALITY], key=lambda p: p[1])
        return [{"text": s + ".", "source": self.src(i)} for _, i, s in best]

    # -- groups --------------------------------------------------------------------
    def key_questions(self, log: dict[str, Any]) -> list[dict[str, Any]]:
        """The group's key questions, answered from this member's own log and words."""
        answers: dict[str, tuple[str | None, list[int]]] = {}
        goal = log["goal"]
        answers["trying"] = (goal["text"], goal["source"]["utterances"]) if goal else (None, [])
        stopping = [p for p in log["reality"] if _OBSTACLE.search(p["text"])][:2]
        answers["stopping"] = (" ".join(p["text"] for p in stopping) or None,
                               [i for p in stopping for i in p["source"]["utterances"]])
        doing = log["actions"] or []
        items = [(a["what"], a["source"]) for a in doing] or [(o["text"], o["source"]) for o in log["options"]]
        answers["can_do"] = ("; ".join(t for t, _ in items) or None, [i for _, s in items for i in s["utterances"]])
        knows = [(i, s) for i, u in enumerate(self.utts) if self.mine(u) for s in split_sentences(u["text"])
                 if _KNOWS.search(s) and not s.rstrip().endswith("?")]
        answers["who_knows"] = (" ".join(s for _, s in knows[:2]) or None, [i for i, _ in knows[:2]])
        helping = [(a["who"], a["source"]["utterances"]) for a in doing if a.get("who")]
        answers["who_helps"] = (", ".join(dict.fromkeys(h for h, _ in helping)) or None,
                                [i for _, idx in helping for i in idx])
        out = []
        for key, question in KEY_QUESTIONS:
            text, idx = answers[key]
            out.append({"key": key, "question": question, "answer": text or "",
                        "source": self.src(*idx) if text else None})
        return out


__all__ = ["COACHEE_ROLES", "KEY_QUESTIONS", "MAX_REALITY", "draft", "draft_for"]
