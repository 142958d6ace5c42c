"""Coaching acts of one utterance: questions (open/closed), reflections, advice.

Foundation version: question detection only, used to infer who the coach
is. The coaching-analytics work replaces this module's internals; the
functions below are its public interface.
"""

from __future__ import annotations

import re

_QUESTION_START = re.compile(
    r"^(what|how|why|when|where|who|which|do|does|did|is|are|was|were|can|could|"
    r"would|will|should|have|has|had|shall|may|might)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """True when any sentence of the text asks a question."""
    t = text.strip()
    if not t:
        return False
    if "?" in t:
        return True
    return any(_QUESTION_START.match(s.strip()) for s in re.split(r"[.!;]\s+", t))
