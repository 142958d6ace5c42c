"""What every drafted item is made of: its words, tidied, and the utterances it came from."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from companion.analysis.commitments import strip_lead_ins
from companion.analysis.text import parse
from companion.errors import InputError

#: The roles that own a learning log (as their string form in the report).
COACHEE_ROLES = ("coachee", "member")


def content_words(text: str) -> set[str]:
    """Content-word stems: the same words the analysis compares talk with the goal by."""
    return set(parse(text or "").stems)


def overlap(a: str, b: str) -> float:
    """Shared content words, as a share of the shorter text's."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def tidy(text: str) -> str:
    """A clause as a log item: turn-opening words and trailing joiners off, first letter up."""
    t = strip_lead_ins(text.strip())
    t = re.sub(r"^(?:and|then|also|so|first|just|probably|definitely|really|maybe|perhaps|try to)\b[\s,]*", "",
               t, flags=re.I)
    t = re.sub(r"[\s,;:]*(?:\b(?:and|then|or|but|so|too|as well|first|anyway)\b[\s,]*)*[.?!,;:\s—-]*$", "", t,
               flags=re.I)
    t = re.sub(r"\s{2,}", " ", t).strip(" ,;:-—")
    return t[:1].upper() + t[1:] if t else t


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


#: A coach's "you" read back in the coachee's voice; object forms first ("it's you", "to you").
_SECOND_PERSON = [
    (r"(?<=\bit's )you\b", "me"), (r"(?<=\bto )you\b", "me"), (r"(?<=\bfor )you\b", "me"),
    (r"(?<=\bwith )you\b", "me"), (r"\byou're\b", "I'm"), (r"\byou are\b", "I am"), (r"\byou've\b", "I've"),
    (r"\byou'll\b", "I'll"), (r"\byou'd\b", "I'd"), (r"\byourself\b", "myself"), (r"\byours\b", "mine"),
    (r"\byour\b", "my"), (r"\byou\b", "I"),
]


def in_first_person(text: str) -> str:
    """A coach's summary ("you make the call yourself") in the coachee's voice."""
    for pattern, repl in _SECOND_PERSON:
        def keep_case(m: re.Match[str], r: str = repl) -> str:
            return r if m.group(0)[0].islower() or r == "I" else r.capitalize()
        text = re.sub(pattern, keep_case, text, flags=re.I)
    return text
