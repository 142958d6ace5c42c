"""The report-back at the next session: what the coachee says about each earlier action.

Each action of the previous plan is matched to the coachee's utterances that share its
content words (the report-back usually sits early, in reality); the status is read
from how they talk about it: done, partly, not yet, or dropped. Nothing is invented:
an action nobody mentioned gets no report-back.
"""

from __future__ import annotations

import re
from typing import Any

from companion.analysis.text import split_sentences
from companion.logbook.items import content_words, source_of

MATCH_SHARE = 0.34
STATUSES = ("done", "partly", "not yet", "dropped")
_STATUS = [(s, re.compile(p, re.I)) for s, p in [
    ("dropped", r"\b(?:dropped|decided not to|gave up on|no longer|not doing that|parked|scrapped|"
                r"let (?:it|that) go)\b"),
    ("not yet", r"\b(?:haven'?t|didn'?t|not yet|never got|kept putting (?:it )?off|still not|not booked|"
                r"not done|no time to|didn'?t get (?:round|around) to)\b"),
    ("partly", r"\b(?:partly|half|some of|most of|\w+ of (?:the )?(?:\w+ )?(?:six|five|four|three|ten)|"
               r"only|started|kept \w+ but|sort of|mostly|one of them|not all)\b"),
    ("done", r"\b(?:done|did (?:it|that)|sent|booked|emailed|agreed|went well|managed|finished|completed|"
             r"sorted|kept|spoke to|talked to|asked)\b"),
]]


def report_back(actions: list[dict[str, Any]], report: dict[str, Any], owner: str) -> list[dict[str, Any]]:
    """``actions`` (the earlier plan), each with ``report_back``: ``{"status", "text", "source"}`` or None."""
    utts = report.get("utterances") or []
    said = [(i, s) for i, u in enumerate(utts) if u["speaker"] == owner and u.get("text")
            for s in split_sentences(u["text"])]
    out = []
    for action in actions:
        want = content_words(action.get("what") or "")
        best: tuple[float, int, str] | None = None
        for i, s in said:
            if not want:
                break
            share = len(want & content_words(s)) / len(want)
            if share >= MATCH_SHARE and (best is None or share > best[0]):
                best = (share, i, s)
        back = None
        if best is not None:
            _, i, s = best
            window = " ".join(x for j, x in said if i <= j <= i + 1)
            status = next((st for st, p in _STATUS if p.search(s)), None) or \
                next((st for st, p in _STATUS if p.search(window)), None)
            back = {"status": status, "text": s, "source": source_of(report, [i])}
        out.append({**action, "report_back": back})
    return out
