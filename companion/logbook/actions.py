"""The action plan: one action per commitment made in the Will, with its owner, its
"by when" as said and resolved, and who can help as named.

The commitments themselves are the analysis's (``utterances[i].commitment``); this
module only places them: which are the plan (said in the Will, or after it began),
what "do that" refers to, when the action is due, and who the helper is, as opposed
to the person the action is about ("ask Tom", "talk to Tom" makes Tom the subject
of the action, "Priya can help me prepare" makes Priya the helper).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from companion.logbook.dates import WEEKDAYS, MONTHS, when_of
from companion.logbook.items import content_words, overlap, tidy

_PRO_FORM = re.compile(r"^(?:do|try|send|bring|book|write|sort|give)\s+(?:it|that|this|them|one)(?:\s+(?:then|first|"
                       r"too|as well|now|a go|out))*$", re.I)
_NAME = re.compile(r"\b((?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})?)\b")
_NOT_NAMES = {w.capitalize() for w in WEEKDAYS + MONTHS} | {
    "I", "I'm", "I'll", "I've", "I'd", "Yes", "No", "Maybe", "Thanks", "Thank", "Okay", "Honestly", "Yeah", "And",
    "But", "So", "Then", "Just", "The", "That", "This", "What", "When", "Who", "Easter", "Christmas", "Which",
    "Well", "Right", "Also", "Um", "Oh", "Or", "If", "Our", "My", "We", "It", "She", "He", "They", "You"}
#: "<Name> can help", "with Priya's help", "ask Priya to help": the helper.
_HELPER = [re.compile(p) for p in [
    r"\b(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})\s+(?:can|could|will|would|'ll|might|has offered to|offered to|"
    r"said (?:she|he|they)'d)\s+(?:\w+\s+)?(?:help|support|cover|show|go through|look over|check)",
    r"\bwith\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})(?:'s)?\s+(?:help|support)",
    r"\b(?:help|support)\s+(?:from|of)\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})",
    r"\bask\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})\s+(?:to help|for help|to support|to show)",
    r"(?<!talk )(?<!speak )(?<!meet )(?<!check )(?<!chat )\bwith\s+(?P<n>(?:Mr|Mrs|Ms|Dr)\s[A-Z][a-z]+|[A-Z][a-z]{2,})\b"
    r"(?!\s+(?:about|on|over|regarding))",
]]
_ASKED_WHO = re.compile(r"who (?:could|can|might|would|else could) (?:help|support)|who can you ask|"
                        r"anyone who (?:could|can|might) help", re.I)


def helpers(text: str) -> list[str]:
    """The people named as help in ``text`` (not the people the action is about)."""
    out = []
    for pattern in _HELPER:
        for m in pattern.finditer(text):
            name = m.group("n")
            if name not in _NOT_NAMES and name.split()[0] not in _NOT_NAMES:
                out.append(name)
    return list(dict.fromkeys(out))


def names(text: str) -> list[str]:
    return [n for n in dict.fromkeys(_NAME.findall(text)) if n not in _NOT_NAMES and n.split()[0] not in _NOT_NAMES]


def plan_span(utts: list[dict[str, Any]]) -> range:
    """Where the plan is made: from the first Will utterance to the end (or all, when no Will was marked)."""
    first = next((i for i, u in enumerate(utts) if u.get("stage") == "will"), None)
    return range(first if first is not None else len(utts), len(utts))


def draft_actions(utts: list[dict[str, Any]], owner: str, today: date | None,
                  options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Actions as ``{"what", "when", "due", "who", "owner", "source": [indexes]}``."""
    actions: list[dict[str, Any]] = []
    for i in plan_span(utts):
        u = utts[i]
        if u.get("stage") in ("goal", "reality"):
            continue
        for c in u.get("commitment") or []:
            sources = [i] + ([c["confirmed_by"]] if c.get("confirmed_by") is not None else [])
            clause = c["text"]
            when = when_of(clause, today)
            what = clause if when is None else clause[:when.start] + " " + clause[when.end:]
            what = tidy(re.sub(r"\s*,\s*(?=,|$)", "", what))
            if _PRO_FORM.match(what) or len(content_words(what)) == 0:
                target = _referent(actions, options, i)
                if target is None:
                    continue
                if target.get("source") is not None and "what" not in target:  # an option taken up
                    what, sources = target["text"], sources + list(target["source"])
                else:
                    if when and not target["when"]:
                        target["when"], target["due"] = when.text, when.due
                    continue
            item = {"what": what, "when": when.text if when else None, "due": when.due if when else None,
                    "who": None, "owner": c["owner"], "source": sources}
            _merge(actions, item)
        _attach_helpers(utts, owner, i, actions)
    return actions


def _referent(actions: list[dict[str, Any]], options: list[dict[str, Any]], i: int) -> dict[str, Any] | None:
    """What "I'll do that" refers to: an option raised just before, else the last action."""
    recent = [o for o in options if o["source"] and max(o["source"]) in range(i - 4, i + 1)]
    if recent:
        return recent[-1]
    return actions[-1] if actions else None


def _merge(actions: list[dict[str, Any]], item: dict[str, Any]) -> None:
    """No duplicates: an action said twice keeps the first wording and gains what the second adds."""
    for old in actions:
        if old["owner"] == item["owner"] and overlap(old["what"], item["what"]) >= 0.6:
            for k in ("when", "due", "who"):
                old[k] = old[k] or item[k]
            old["source"] = sorted(set(old["source"]) | set(item["source"]))
            if len(item["what"]) > len(old["what"]) and overlap(old["what"], item["what"]) >= 0.99:
                old["what"] = item["what"]
            return
    actions.append(item)


def _attach_helpers(utts: list[dict[str, Any]], owner: str, i: int, actions: list[dict[str, Any]]) -> None:
    """Who can help: named as help in the plan, or in answer to "who could help?"."""
    u = utts[i]
    if u["speaker"] != owner or not actions:
        return
    text = u.get("text") or ""
    found = helpers(text)
    asked = i > 0 and _ASKED_WHO.search(utts[i - 1].get("text") or "")
    if not found and asked:
        found = [n for n in names(text) if n not in helpers_excluded(text)]
    if found:
        target = actions[-1]
        target["who"] = ", ".join(dict.fromkeys(([target["who"]] if target["who"] else []) + found))
        target["source"] = sorted(set(target["source"]) | {i})


def helpers_excluded(text: str) -> set[str]:
    """People the action is about ("talk to Tom", "ask Tom whether"), not helpers."""
    return set(re.findall(r"\b(?:to|ask|tell|email|call|message|ring|phone|meet)\s+([A-Z][a-z]{2,})\b", text))
