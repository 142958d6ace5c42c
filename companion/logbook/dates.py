"""Spoken deadlines: finding "by Thursday", "the fourteenth of March", "before next Tuesday's
meeting" in a clause, and resolving them to a date relative to the session date.

Why ``dateparser``: it resolves weekdays, month names, ordinals and relative phrases
("next week", "in two weeks") against a base date, which is exactly the job; this module
only finds where a time phrase sits in spoken text (so the action's "what" can be told
from its "by when") and turns spoken ordinals ("fourteenth") into numbers the parser reads.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import dateparser

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
          "eighteenth", "nineteenth"]
#: Spoken ordinals of the days of a month: "fourteenth" -> 14, "twenty-first" -> 21.
ORDINALS: dict[str, int] = {w: n + 1 for n, w in enumerate(_UNITS)} | {w: n + 10 for n, w in enumerate(_TEENS)}
ORDINALS |= {"twentieth": 20, "thirtieth": 30}
ORDINALS |= {f"{tens}{sep}{u}": base + n + 1 for tens, base in (("twenty", 20), ("thirty", 30))
             for n, u in enumerate(_UNITS) for sep in ("-", " ") if base + n + 1 <= 31}

_WD = "|".join(WEEKDAYS)
_MO = "|".join(MONTHS)
_ORDW = "|".join(sorted(ORDINALS, key=len, reverse=True))
_DAYNUM = rf"(?:\d{{1,2}}(?:st|nd|rd|th)|{_ORDW})"
_DAYNUM_M = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDW})"  # beside a month name a bare number is a day
_NUM = r"(?:\d+|a couple of|a few|two|three|four|five|six|seven|eight|nine|ten|a|an|one)"
_PREP = r"(?:(?:by|before|until|till|on|from|starting|at|for|after)\s+)?"
_AFTER_DAY = r"(?=\s*(?:$|[.,;:!?]|\b(?:of|and|to|or|when|after|before|at|for|then|so|if)\b))"

#: Where time phrases sit; most specific first. Resolution is dateparser's job.
_PATTERNS = [re.compile(p, re.I) for p in [
    rf"\b{_PREP}(?:this\s+|next\s+|the\s+)?(?:{_WD})s?(?:\s+(?:morning|afternoon|evening|night|lunchtime))?"
    rf"(?:\s+the\s+{_DAYNUM})?(?:'s\s+(?:\w+\s+)?(?:meeting|session|call|huddle|review|shift))?\b",
    rf"\b{_PREP}(?:the\s+)?{_DAYNUM_M}\s+of\s+(?:{_MO})\b",
    rf"\b{_PREP}(?:the\s+)?{_DAYNUM_M}\s+(?:{_MO})\b",
    rf"\b{_PREP}(?:{_MO})\s+(?:the\s+)?{_DAYNUM_M}\b",
    rf"\b(?:by|before|until|till|on|from)\s+the\s+{_DAYNUM}(?:\s+or\s+(?:the\s+)?{_DAYNUM})?{_AFTER_DAY}",
    rf"\bthe\s+{_DAYNUM}(?:\s+or\s+(?:the\s+)?{_DAYNUM})?{_AFTER_DAY}",
    r"\b(?:(?:by|before|until|till)\s+)?(?:today|tomorrow|tonight)(?:\s+(?:morning|afternoon|evening))?\b",
    rf"\b{_PREP}(?:the\s+)?end\s+of\s+(?:the\s+|this\s+|next\s+)?(?:day|week|month|year|term|{_MO})\b",
    r"\b(?:at|by|before|after)\s+the\s+(?:start|end|beginning)\s+of\s+(?:the\s+|that\s+|this\s+|our\s+|my\s+|"
    r"next\s+)?\w+(?:'s)?(?:\s+(?:meeting|session|call|review))?\b",
    rf"\b(?:within|in)\s+(?:the\s+next\s+)?{_NUM}\s+(?:days?|weeks?|months?)\b",
    r"\b(?:by|before)\s+(?:we|our)\s+(?:next\s+)?(?:meet|session|call|catch[- ]up)\w*",
    r"\b(?:(?:by|before|until|starting|from|for)\s+)?(?:next|this)\s+(?:week|month|year|term|session)\b(?!'s)",
    rf"\b(?:in|by|before|from)\s+(?:early\s+|mid\s+|late\s+)?(?:{_MO})\b",
    r"\b(?:by|before|after|until|till|over|at)\s+(?:the\s+)?(?:easter|christmas|half[- ]term|summer|"
    r"the\s+holidays)(?:\s+(?:holidays?|break))?\b",
    r"\b(?:straight away|right away|immediately|as soon as possible|asap)\b",
    #: said relative to an event whose date was not given ("the week after the meeting"): kept, not resolved
    r"\b(?:the\s+)?(?:day|week|month)\s+(?:after|before)\s+(?:the|our|my|this|next)\s+[a-z]+(?:'s)?\b",
]]
_DEADLINE = re.compile(r"^(?:by|before|until|till)\b", re.I)
_NOT_A_DATE = re.compile(r"^(?:the\s+)?(?:first|second|third)$", re.I)  # "the first" alone: a thing, not a day


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
    for pattern in _PATTERNS:
        for m in pattern.finditer(text or ""):
            a, b = m.span()
            if any(a < e and s < b for s, e in taken) or _NOT_A_DATE.match(m.group(0)):
                continue
            taken.append((a, b))
            found.append(TimePhrase(m.group(0).strip(), a, b, resolve(m.group(0), today)))
    return sorted(found, key=lambda p: p.start)


def when_of(text: str, today: date | None = None) -> TimePhrase | None:
    """The time an action is due: a deadline ("by ...") first, else the first time phrase."""
    phrases = time_phrases(text, today)
    deadlines = [p for p in phrases if _DEADLINE.match(p.text)]
    found = deadlines or phrases
    return found[0] if found else None


def _spoken_to_digits(phrase: str) -> str:
    def day(m: re.Match[str]) -> str:
        return str(ORDINALS[m.group(0).lower().replace(" ", "-")] if " " in m.group(0) else
                   ORDINALS[m.group(0).lower()])
    return re.sub(rf"\b(?:{_ORDW})\b", day, phrase, flags=re.I)


def resolve(phrase: str, today: date | None) -> str | None:
    """The date a spoken time phrase names, as ISO text, relative to ``today``; None if it names none."""
    if today is None:
        return None
    p = phrase.lower().strip()
    p = re.sub(r"^(?:(?:by|before|until|till|on|from|starting|at|for|after|in|within)\s+)+", "", p)
    p = re.sub(r"'s\s+(?:\w+\s+)?(?:meeting|session|call|huddle|review|shift)$", "", p)
    p = re.sub(r"^(?:the\s+next|early|mid|late)\s+", lambda m: "" if m.group(0).strip() != "the next" else "", p)
    p = re.sub(r"\s+(?:morning|afternoon|evening|night|lunchtime)$", "", p)
    p = re.sub(r"\s+or\s+.*$", "", p)  # "the eighteenth or nineteenth": the first
    p = re.sub(r"(day)s$", r"\1", p)
    p = _spoken_to_digits(p)
    p = re.sub(r"\b(a couple of)\b", "2", p)
    p = re.sub(r"\b(a few)\b", "3", p)
    base = datetime(today.year, today.month, today.day, 12)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"}
    end = re.match(r"^(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(next\s+)?(\w+)$", p)
    if end:
        nxt, unit = bool(end.group(1)), end.group(2)
        if unit == "day":
            return today.isoformat()
        if unit == "week":
            return (today + timedelta(days=(4 - today.weekday()) % 7 + 7 * nxt)).isoformat()
        if unit in ("month", "year"):
            y, mo = today.year, today.month
            if unit == "year":
                return date(y + nxt, 12, 31).isoformat()
            y, mo = (y + (mo == 12), mo % 12 + 1) if nxt else (y, mo)
            return date(y, mo, calendar.monthrange(y, mo)[1]).isoformat()
        if unit in MONTHS:
            settings["PREFER_DAY_OF_MONTH"] = "last"
            p = unit
        else:
            return None
    elif p in ("next week", "next session"):
        return (today + timedelta(days=7 - today.weekday())).isoformat()  # its Monday
    elif p in MONTHS:
        settings["PREFER_DAY_OF_MONTH"] = "first"
    elif re.fullmatch(r"(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?", p):
        return _day_of_month(int(re.search(r"\d+", p).group(0)), today)  # type: ignore[union-attr]
    if re.search(r"\b(?:meet|session|call|catch)", p) or p in ("this session",) or \
            re.match(r"(?:the\s+)?(?:day|week|month)\s+(?:after|before)\s", p):
        return None
    found = dateparser.parse(re.sub(r"^the\s+", "", p), languages=["en"], settings=settings)
    return found.date().isoformat() if found else None


def _day_of_month(day: int, today: date) -> str | None:
    """"The 3rd": the next such day, this month or the next."""
    y, mo = today.year, today.month
    for _ in range(3):
        if day <= calendar.monthrange(y, mo)[1] and date(y, mo, day) >= today:
            return date(y, mo, day).isoformat()
        y, mo = y + (mo == 12), mo % 12 + 1
    return None
