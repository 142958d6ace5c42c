"""What a transcript may be, checked before any expensive work.

Each limit is far beyond any real session and far below what would hang or
exhaust the machine; each has its own one-line error naming what was too big.
"""

from __future__ import annotations

import re

from companion.errors import InputError

#: The largest file read (a two-hour JSON transcript with word timings is a few MB).
MAX_BYTES = 64 * 1024 * 1024
#: The longest line of a WebVTT or SRT file (a long cue is a few thousand characters).
MAX_LINE = 20_000
#: The longest text of one cue, in any format.
MAX_CUE_TEXT = MAX_LINE
#: The most cues in one transcript (a two-hour session has a few thousand).
MAX_CUES = 50_000
#: The longest session accepted, in seconds: no cue may end later.
MAX_SESSION_S = 12 * 3600.0
#: The longest run of digits anywhere in a WebVTT or SRT file. Real text has no 31-digit
#: numbers; the srt library's pattern takes cubic time on a long line of digits.
MAX_DIGITS = 30
#: The most characters in one JSON number (a time is a handful).
MAX_NUMBER_CHARS = 32

_LONG_DIGITS = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


def check_lines(text: str) -> None:
    """Line length and digit runs of a text format (WebVTT, SRT)."""
    for n, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            raise InputError(f"line {n} is {len(line):,} characters long; the longest accepted is {MAX_LINE:,}")
    m = _LONG_DIGITS.search(text)
    if m:
        line_no = text.count("\n", 0, m.start()) + 1
        raise InputError(f"line {line_no} has a number of {len(m.group()):,} digits; at most {MAX_DIGITS} are accepted")


def check_cue_count(count: int) -> None:
    if count > MAX_CUES:
        raise InputError(f"{count:,} cues; the most accepted in one transcript is {MAX_CUES:,}")


def json_number(text: str) -> float | int:
    """A JSON number token, refused when absurdly long (400- or 5,000-digit numbers)."""
    if len(text) > MAX_NUMBER_CHARS:
        raise InputError(f"invalid JSON: a number of {len(text):,} characters (at most {MAX_NUMBER_CHARS})")
    return float(text) if any(c in text for c in ".eE") else int(text)


def json_constant(name: str) -> float:
    raise InputError(f"invalid JSON: {name} is not a number JSON allows")
