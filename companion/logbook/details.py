"""What an action is: the details said around the step in the same exchange (the rest of the answer,
what the coachee will say, who needs to know what), so an action reads as the whole "what".
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from companion.analysis.commitments import strip_lead_ins
from companion.analysis.text import split_sentences
from companion.logbook.dates import when_of
from companion.logbook.items import content_words, in_first_person, tidy
from companion.logbook.people import HELPERS
from companion.logbook.prompts import asks_only_when, raised_item
from companion.logbook.restate import merge

#: A prompt for the content or size of the step just planned ("What will you say to Funmi?", "How will you
#: put it to her?", "How many calls do you want to practise?"): the answer says what the step is.
_DETAIL_Q = re.compile(r"(?:what|how)\b[^?]{0,30}\b(?:say|put it|phrase it|word it|open it|start it|raise it)\b|"
                       r"how (?:many|much|long|often)\b", re.I)


_OPENING_Q = re.compile(r"\bhow (?:will|would|are) you (?:going to )?(open|start|begin|close|end) (?:it|the \w+)\b",
                        re.I)


_SAYING = re.compile(r"^(?:(?:I'll |I will |I'd |I would )?(?:just )?say(?: it)?[\s,:.]*)?(?:something like)?[\s,:.]*",
                     re.I)


def add_rest_of_turn(action: dict[str, Any], text: str) -> None:
    """What else the answer to a one-item prompt says about the item ("And the checklist?" - "By Friday. One
    page, what I look for in sync PRs. I'll stick it in the team channel."), after the step: not the asides
    (what others will think, why), nor who can help (that is ``who``)."""
    have = content_words(action["what"]) | content_words(action.get("when") or "")
    extra = []
    for sentence in split_sentences(text):
        t = tidy(sentence)
        new = content_words(t) - have
        if len(new) >= 2 and not t.endswith("?") and not _ASIDE.match(t) and not _SELF_CUE.search(t) \
                and not any(p.search(t) for p in HELPERS[:-1]):
            extra.append(t.rstrip("."))
            have |= new
    if extra:
        what = action["what"]
        action["what"] = f"{what}{'' if what[-1] in '.!?' else '.'} " + ". ".join(extra) + "."


#: A sentence with its own "I'll": a step (drafted from the commitment), not a detail of one.
_SELF_CUE = re.compile(r"\bI(?:'ll| will|'m going to)\b", re.I)


#: "Who needs to know how it went?": what the people named will be told.
_WHO_KNOWS = re.compile(r"\bwho (?:else )?(?:needs|has|ought|should|would need) to (?:know|hear)(?: about)?\s+"
                        r"(?P<x>[^?]{3,60})\?", re.I)


_TELL = re.compile(r"^(?P<v>tell|let|update|email|message|text|ring|call|brief)\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s\S+|\S+)",
                   re.I)


def told_what(what: str, prompt: str) -> str:
    """"Tell Hilary after", said to "Who needs to know how it went?", as "Tell Hilary how it went, after"."""
    asked, tell = _WHO_KNOWS.search(prompt), _TELL.match(what)
    if not asked or not tell or content_words(what[tell.end():]):
        return what  # "tell her the plan" says what she will be told
    told = in_first_person(asked.group("x").strip(" ,"))
    rest = what[tell.end():].strip(" ,")
    return f"{what[:tell.end()]} {told}" + (f", {rest}" if rest else "")


def dated_answer(utts: list[dict[str, Any]], i: int, today: date | None,
                  actions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """"What would you actually do?" - "Whole-class feedback with one class. My 8C2. For two weeks." -
    "Starting when?" - "Monday.": an answer with no "I'll" is a step once the coachee says when it starts."""
    if i < 3 or not asks_only_when(utts[i - 1].get("text") or "") or utts[i - 1]["speaker"] == utts[i]["speaker"]:
        return None
    before = utts[i - 2]
    first = (split_sentences(utts[i].get("text") or "") or [""])[0]
    when = when_of(first, today)
    if before["speaker"] != utts[i]["speaker"] or before.get("commitment") or when is None \
            or before.get("stage") not in ("options", "will") or (before.get("text") or "").rstrip().endswith("?"):
        return None
    said = [tidy(s) for s in split_sentences(before.get("text") or "") if len(content_words(s)) >= 2]
    if not said:
        return None
    what = ". ".join(t.rstrip(".") for t in said[:3]) + "."
    sources = [i - 2, i - 1, i]
    raised = raised_item(utts, utts[i]["speaker"], i - 2, said[0])  # what "whole-class feedback" is
    if raised is not None:
        what, sources = f"{raised[0]}: {what}", sorted(set(sources) | {raised[1]})
    return merge(actions, {"what": what, "when": when.text, "due": when.due, "who": None,
                            "owner": utts[i]["speaker"], "source": sources, "step": said[0]})


def answers_detail_prompt(utts: list[dict[str, Any]], at: int, i: int) -> bool:
    """Utterance ``i`` answers the detail prompt at ``at`` (nobody else spoke in between)."""
    return at < i and bool(_DETAIL_Q.match(strip_lead_ins(utts[at].get("text") or ""))) \
        and all(utts[j]["speaker"] == utts[i]["speaker"] for j in range(at + 1, i))


def add_detail(actions: list[dict[str, Any]], owner: str, i: int, text: str, prompt: str) -> bool:
    """The coachee's answer to a detail prompt, as part of the step it details ("Ask Janet for ten minutes:
    Would it help if Daniel supervised me until you're back?"). What they will say is not a further step;
    how they will open a meeting they have planned ("How will you open it?") is a step of its own."""
    target = next((a for a in reversed(actions) if a["owner"] == owner), None)
    said = [t for t in (tidy(_SAYING.sub("", strip_lead_ins(s)).strip(" \"'“”")) for s in split_sentences(text))
            if len(content_words(t)) >= 2 and not _ASIDE.match(t)]
    detail = re.sub(r'["“”]', "", " ".join(t.rstrip(".") + "." for t in said))  # quoted words, as words
    if target is None or not detail or not content_words(detail) - content_words(target["what"]):
        return False
    opening = _OPENING_Q.search(prompt)
    if opening:
        actions.append({"what": f"{opening.group(1).capitalize()} it: {detail}", "when": target["when"],
                        "due": target["due"], "who": None, "owner": owner, "source": [i - 1, i]})
        return True
    what = target["what"]
    target["what"] = f"{what}: {detail}" if ": " not in what else f"{what}{'' if what[-1] in '.!?' else '.'} {detail}"
    target["source"] = sorted(set(target["source"]) | {i})
    return True


#: Not part of the step: what others will say, do or are ("She'll say yes", "She's good"), why ("So she's not
#: blindsided"), and the coachee's musing ("I think if the start times change ...").
_ASIDE = re.compile(r"^(?:(?:she|he|they|it|that|which)(?:'ll|'d|'s going to| will| would)\b|(?:just )?so\b|"
                    r"because\b|otherwise\b|(?:she|he|they)(?:'s|'re| is| are)\b|"
                    r"I (?:think|guess|suppose|hope)\b|ha\b|before I forget\b)", re.I)


def whole_turn(what: str, clause: str, text: str, when: str | None) -> str:
    """A bare pointer ("Ask Priya"), the one step of its turn, with the rest of the turn, which says what
    it is about ("Pairing with Priya. I'll ask her today. Tuesdays and Thursdays, half an hour, her driving.").
    Who can help is not part of it (it goes to ``who``)."""
    said = content_words(clause) | content_words(when or "")
    rest = [t for t in (tidy(s) for s in split_sentences(text) if clause not in s)  # the step itself is ``what``
            if len(t.split()) > 1 and content_words(t) - said and not _ASIDE.match(t)
            and not any(p.search(t) for p in HELPERS[:-1])]  # named as help, not "with Priya"
    turn = re.sub(r"\s+([,.;])", r"\1", ". ".join(rest))
    return f"{what}: {turn}" if len(content_words(turn) - content_words(what)) >= 2 else what
