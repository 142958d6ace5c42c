"""Guards against Whisper's failure modes: hallucinated text on silence and noise, and loops.

``guard_segments`` drops whole segments that look invented (Whisper unsure it
heard speech, text that compresses too well, guessing, known subtitle
phrases); ``collapse_repeats`` removes a phrase looped three or more times in
a row. Both are pure functions over plain data, so the engine, tests and
benchmarks share one implementation.
"""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import dataclass
from typing import Protocol

from companion.model import Word

log = logging.getLogger(__name__)


class GuardOptions(Protocol):
    """The thresholds the guards read (``EngineOptions`` has them all; None turns one off)."""

    @property
    def no_speech_prob(self) -> float | None: ...
    @property
    def no_speech_logprob(self) -> float | None: ...
    @property
    def compression_ratio(self) -> float | None: ...
    @property
    def min_avg_logprob(self) -> float | None: ...


@dataclass(slots=True)
class Recognised:
    """One recognised segment; times in seconds from the start of the audio given."""

    start: float
    end: float
    text: str
    words: list[Word]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float


#: Phrases Whisper is known to produce on silence, music and noise (from its
#: subtitle training data). Dropped when the segment is also unsure it heard speech.
HALLUCINATED_PHRASES = {
    "thank you", "thank you.", "thanks for watching", "thanks for watching!", "thank you for watching",
    "thank you for watching.", "please subscribe", "subscribe to my channel", "you", "bye", "bye.",
    "subtitles by the amara.org community", "transcription by castingwords", "so", "okay.",
}
_HALLUCINATION_NO_SPEECH = 0.25



def compression_ratio(text: str) -> float:
    """Whisper's repetition measure: text length over its zlib-compressed length."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'.!]", "", text.lower()).split())


def guard_segments(segments: list[Recognised], options: GuardOptions) -> tuple[list[Recognised], list[str]]:
    """Drop segments that look hallucinated; returns (kept, reasons for each dropped one)."""
    kept, reasons = [], []
    for s in segments:
        reason = None
        if not s.text.strip():
            reason = "empty"
        elif (options.no_speech_prob is not None and s.no_speech_prob > options.no_speech_prob
              and (options.no_speech_logprob is None or s.avg_logprob < options.no_speech_logprob)):
            reason = "no_speech"
        elif options.compression_ratio is not None and max(s.compression_ratio, compression_ratio(s.text)) \
                > options.compression_ratio:
            reason = "repetition"
        elif options.min_avg_logprob is not None and s.avg_logprob < options.min_avg_logprob:
            reason = "low_confidence"
        elif _norm(s.text) in HALLUCINATED_PHRASES and s.no_speech_prob > _HALLUCINATION_NO_SPEECH:
            reason = "known_hallucination"
        if reason:
            reasons.append(reason)
            log.debug("dropped segment %.2f-%.2f (%s): %r", s.start, s.end, reason, s.text)
        else:
            kept.append(s)
    return kept, reasons


def collapse_repeats(words: list[Word], max_repeats: int = 3, max_ngram: int = 8) -> tuple[list[Word], int]:
    """Keep one copy of any 1..max_ngram-word phrase repeated ``max_repeats``+ times in a row.

    Returns (words, number of words removed). Whisper's looping failure mode
    ("I think, I think, I think, I think ...") is removed; an emphatic
    "no, no" (below ``max_repeats``) is kept.
    """
    key = [_norm(w.text) for w in words]
    out: list[int] = []
    i, removed = 0, 0
    while i < len(words):
        best = None
        for n in range(1, max_ngram + 1):
            if i + n * max_repeats > len(words):
                break
            gram = key[i:i + n]
            reps = 1
            while key[i + reps * n:i + (reps + 1) * n] == gram:
                reps += 1
            if reps >= max_repeats and (best is None or reps * n > best[0] * best[1]):
                best = (n, reps)
        if best:
            n, reps = best
            out.extend(range(i, i + n))
            removed += n * (reps - 1)
            i += n * reps
        else:
            out.append(i)
            i += 1
    return [words[j] for j in out], removed


def words_text(words: list[Word]) -> str:
    return "".join(w.text for w in words).strip()
