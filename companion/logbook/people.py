"""Who an action is about and who can help: people named in the plan.

"Ask Tom", "talk to Tom" make Tom the subject of the action; "Priya can help me prepare", "with Priya's
help" make Priya the helper, and "her" in "ask her" is the last person named.
"""

from __future__ import annotations

import re
from typing import Any

from companion.logbook.dates import MONTHS, WEEKDAYS

_NAME = re.compile(r"(?<![.?!]\s)(?<![.?!])(?<!^)\b((?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|"
                   r"[A-Z][a-z]+(?:\s[A-Z][a-z]{2,})?)\b")


_NOT_NAMES = {w.capitalize() for w in WEEKDAYS + MONTHS} | {w.capitalize() + "s" for w in WEEKDAYS} | {
    "I", "I'm", "I'll", "I've", "I'd", "Yes", "No", "Maybe", "Thanks", "Thank", "Okay", "Honestly", "Yeah", "And",
    "But", "So", "Then", "Just", "The", "That", "This", "What", "When", "Who", "Easter", "Christmas", "Which",
    "Well", "Right", "Also", "Um", "Oh", "Or", "If", "Our", "My", "We", "It", "She", "He", "They", "You",
    "First", "Last", "Next", "After", "Before", "Probably", "Definitely", "Actually", "Basically", "Today",
    "Tomorrow", "Tonight", "Sorry", "Good", "Great", "Sure", "Fine", "Lunch", "Once", "Every", "Each",
    "Ha", "Hi", "Mm", "Ah", "Eh", "Ok", "Go", "Do", "To", "At", "In", "On", "By", "Be", "As", "An", "Us", "Me", "Er",
    "Hm", "Uh", "Aye", "Not", "Now", "Like", "Yep", "Nope", "Cheers", "Bye", "Ooh", "Gosh", "There", "Here"}


#: "<Name> can help", "with Priya's help", "ask Priya to help": the helper.
HELPERS = [re.compile(p) for p in [
    r"\b(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})\s+(?:can|could|will|would|'ll|might|"
    r"has offered to|offered to|"
    r"said (?:she|he|they)'d)\s+(?:\w+\s+)?(?:help|support|cover|show|go through|look over|check)",
    r"\bwith\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})(?:'s)?\s+(?:help|support)",
    r"\b(?:help|support)\s+(?:from|of)\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})",
    r"\bask\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})\s+(?:to help|for help|to support|to show)",
    r"(?<!talk )(?<!speak )(?<!meet )(?<!check )(?<!chat )\bwith\s+"
    r"(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})\b"
    r"(?!\s+(?:about|on|over|regarding))",
]]


_ASKED_WHO = re.compile(r"who (?:could|can|might|would|else could) (?:help|support)|who can you ask|"
                        r"anyone who (?:could|can|might) help", re.I)


def helpers(text: str) -> list[str]:
    """The people named as help in ``text`` (not the people the action is about)."""
    out = []
    for pattern in HELPERS:
        for m in pattern.finditer(text):
            name = m.group("n")
            if name not in _NOT_NAMES and name.split()[0] not in _NOT_NAMES:
                out.append(name)
    return list(dict.fromkeys(out))


_ANY_NAME = re.compile(r"\b((?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]+(?:\s[A-Z][a-z]{2,})?)\b")  # "Jo" too


def names(text: str, *, at_start: bool = False) -> list[str]:
    """Capitalised names in ``text``; a sentence's first word only with ``at_start`` ("Grace, she knows it")."""
    found = (_ANY_NAME if at_start else _NAME).findall(text)
    return [n for n in dict.fromkeys(found) if n not in _NOT_NAMES and n.split()[0] not in _NOT_NAMES]


_PRONOUN = re.compile(r"\b(ask|tell|email|call|message|meet|see|phone|ring|text|ping|book|invite|remind|chase|"
                      r"talk to|check with|speak to|speak with|meet with|catch|go to|send)\s+(her|him)\b", re.I)


_YOU_CONTRACTED = {"re": "is", "ve": "has"}


def you_as(name: str, text: str) -> str:
    """"send you our paperwork, so you're not starting" said to Siobhan, as the log reads it:
    "send Siobhan our paperwork, so Siobhan is not starting"."""
    text = re.sub(r"\byour\b", f"{name}'s", text, flags=re.I)
    text = re.sub(r"\byou'(re|ve)\b", lambda m: f"{name} {_YOU_CONTRACTED[m.group(1).lower()]}", text, flags=re.I)
    return re.sub(r"\byou\b", name, text, flags=re.I)


def name_for_pronoun(what: str, name: str | None) -> str:
    """"Ask her" as "Ask Sam" when Sam was the last person named."""
    if name is None:
        return what
    return _PRONOUN.sub(lambda m: f"{m.group(1)} {name}", what, count=1)


def last_name(utts: list[dict[str, Any]], i: int, clause: str) -> str | None:
    """Whom "her"/"him" means: the last person named before, in the clause, this turn or the few before it."""
    text = utts[i].get("text") or ""
    upto = text[:text.find(clause)] if clause in text else ""
    pronoun = _PRONOUN.search(clause)
    before = clause[:pronoun.start()] if pronoun else ""
    for n, said in enumerate([before, upto] + [utts[j].get("text") or "" for j in range(i - 1, max(i - 4, -1), -1)]):
        found = names(said, at_start=n == 1)  # "Jo. I'll ask her on Monday."
        if found:
            return found[-1]
    return None


def attach_helpers(utts: list[dict[str, Any]], owner: str, i: int, actions: list[dict[str, Any]]) -> None:
    """Who can help: named as help in the plan, or in answer to "who could help?"."""
    u = utts[i]
    if u["speaker"] != owner or not actions:
        return
    text = u.get("text") or ""
    found = helpers(text)
    asked = i > 0 and _ASKED_WHO.search(utts[i - 1].get("text") or "")
    if not found and asked:
        found = [n for n in names(text, at_start=True) if n not in helpers_excluded(text)]
    if found:
        target = actions[-1]
        target["who"] = ", ".join(dict.fromkeys(([target["who"]] if target["who"] else []) + found))
        target["source"] = sorted(set(target["source"]) | {i})


def helpers_excluded(text: str) -> set[str]:
    """People the action is about ("talk to Tom", "ask Tom whether"), not helpers."""
    return set(re.findall(r"\b(?:to|ask|tell|email|call|message|ring|phone|meet)\s+([A-Z][a-z]{2,})\b", text))


#: A person introduced with their role: "Anjali, the diabetes specialist nurse, ...", "Sue, my director",
#: "Sunita, she is the rotation coordinator", "Mohammed, the BI analyst, he ...".
_ROLE_WORD = r"(?:[a-z][a-z-]*|[A-Z]{2,})"
_ROLE = re.compile(rf"(?<!Mr )(?<!Mrs )(?<!Ms )(?<!Dr )\b(?P<n>[A-Z][a-z]+),\s+(?:(?:she|he)(?:'s| is)\s+)?"
                   rf"(?:the|my|our|their)\s+"
                   rf"(?P<role>(?!(?:two|three|four|both|all)\b){_ROLE_WORD}(?:\s+(?!(?:and|but|so|she|he|they|who|which|that|"
                   rf"is|was|has|have|had|gets?|got|goes|on|in|at|with|for|to)\b){_ROLE_WORD}){{0,3}})(?=\s*[,.;!?]|\s+(?:and|but|so|she|he|who)\b)")


def roles(utts: list[dict[str, Any]]) -> dict[str, str]:
    """Who is who, as the speakers introduced them: {"Anjali": "diabetes specialist nurse", ...}."""
    found: dict[str, str] = {}
    for u in utts:
        text = u.get("text") or ""
        for m in _ROLE.finditer(text):
            name, role = m.group("n"), m.group("role")
            listed = re.search(r"([A-Z][a-z]+)(?:,| and)\s*$", text[:m.start()])
            if listed and listed.group(1) not in _NOT_NAMES:
                continue  # "Gary, Andrew, Dave, the GP federation": a list, not a role
            if name not in _NOT_NAMES and name not in found and len(role) > 2:
                found[name] = role
    return found


def with_roles(what: str, known: dict[str, str]) -> str:
    """The people an action names, with their role at the first mention ("Email Anjali (diabetes specialist
    nurse)"), so the log still reads right weeks later."""
    for name, role in known.items():
        if role not in what:  # not where the action already says who they are
            what = re.sub(rf"\b{re.escape(name)}\b(?!'s)", f"{name} ({role})", what, count=1)
    return what
