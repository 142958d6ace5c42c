"""The three transcript formats, each read into cues: (speaker or None, start, end, text).

A cue whose speaker cannot be read is returned with speaker None; the caller
attributes it. Times are checked (finite, in order, within the session bound)
by the caller too, so every format gets the same rules.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import srt
import webvtt
from webvtt.errors import MalformedFileError

from companion.errors import InputError
from companion.importers.limits import (
    MAX_CUE_TEXT,
    check_cue_count,
    check_lines,
    json_constant,
    json_number,
)

#: (speaker or None, start s, end s, text)
Cue = tuple[str | None, float, float, str]

#: The longest speaker name read from a "Name: text" prefix.
MAX_NAME = 60
# Real exports write times loosely: Teams writes "0:0:13.540" (unpadded), others drop the hours
# or write fewer fraction digits, SRT writes a comma. Each time is read by this pattern and
# rewritten padded; hours may be long so that a far-off time gets the session bound's error.
_TIMESTAMP = r"(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})"
_TIMING_LINE = re.compile(rf"^\s*{_TIMESTAMP}\s*-->\s*{_TIMESTAMP}(\s+.*)?$")


def _padded(h: str | None, m: str, s: str, frac: str, sep: str = ".") -> str:
    return f"{int(h or 0):02d}:{int(m):02d}:{int(s):02d}{sep}{frac.ljust(3, '0')}"


def normalise_timing(line: str, n: int, sep: str = ".") -> str:
    """One timing line with both times padded, or an error naming the line."""
    m = _TIMING_LINE.match(line)
    if not m or int(m.group(2)) > 59 or int(m.group(3)) > 59 or int(m.group(6)) > 59 or int(m.group(7)) > 59:
        raise InputError(f"line {n}: broken timestamp {line.strip()[:80]!r}")
    g = m.groups()
    return f"{_padded(g[0], g[1], g[2], g[3], sep)} --> {_padded(g[4], g[5], g[6], g[7], sep)}{g[8] or ''}"


def split_speaker(text: str) -> tuple[str | None, str]:
    """'Anna Smith: text' -> ('Anna Smith', 'text'); (None, text) without a name prefix.

    A name is short, on the cue's first line, and followed by ': '. Read with
    ``partition``, not a backtracking pattern, so odd text costs linear time.
    """
    text = text.strip()
    head, sep, rest = text.partition(":")
    name = head.strip()
    if sep and 0 < len(name) <= MAX_NAME and "\n" not in name and (not rest or rest[0].isspace()):
        return name, rest
    return None, text


def clean(text: str) -> str:
    return " ".join(text.split())


def _normalise_text_format(text: str, sep: str) -> str:
    check_lines(text)
    lines = text.splitlines()
    timings = 0
    for n, line in enumerate(lines, 1):
        if "-->" in line:
            lines[n - 1] = normalise_timing(line, n, sep)
            timings += 1
    check_cue_count(timings)
    return "\n".join(lines)


def parse_vtt(text: str) -> list[Cue]:
    if not text.lstrip().startswith("WEBVTT"):
        raise InputError("not a WebVTT file (it must start with 'WEBVTT')")
    try:
        captions = webvtt.from_string(_normalise_text_format(text, "."))
    except MalformedFileError as e:
        raise InputError(f"malformed WebVTT ({e})") from None
    out: list[Cue] = []
    for c in captions.captions:
        if c.voice:  # Teams: <v Name>text</v>
            speaker, body = c.voice.strip() or None, c.text
        else:  # Zoom: Name: text
            speaker, body = split_speaker(c.text)
        out.append((speaker, c.start_time.in_milliseconds() / 1000.0, c.end_time.in_milliseconds() / 1000.0,
                    clean(body)))
    return out


def parse_srt(text: str) -> list[Cue]:
    try:
        subs = list(srt.parse(_normalise_text_format(text, ",")))
    except srt.SRTParseError as e:
        raise InputError(f"malformed SRT ({str(e).split(' (unmatched')[0]})") from None
    out: list[Cue] = []
    for s in subs:
        speaker, body = split_speaker(s.content)
        out.append((speaker, s.start.total_seconds(), s.end.total_seconds(), clean(body)))
    return out


def _time(item: dict[str, Any], key: str, n: int) -> float:
    if key not in item:
        raise InputError(f"utterance {n} has no {key!r}")
    value = item[key]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"utterance {n} has a {key} that is not a number")
    if isinstance(value, str) and len(value) > 32:
        raise InputError(f"utterance {n} has a {key} that is not a number")
    try:
        t = float(value)
    except ValueError:
        raise InputError(f"utterance {n} has a {key} that is not a number") from None
    if not math.isfinite(t):
        raise InputError(f"utterance {n} has a {key} that is not a finite number ({value!r})")
    return t


def _text(value: Any, n: int, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(f"utterance {n} has a {what} that is not text")
    text = str(value)
    if len(text) > MAX_CUE_TEXT:
        raise InputError(f"utterance {n} has a {what} of {len(text):,} characters; at most {MAX_CUE_TEXT:,}")
    return text


def parse_json(text: str) -> list[Cue]:
    try:
        data = json.loads(text, parse_int=json_number, parse_float=json_number, parse_constant=json_constant)
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except RecursionError:
        # The parser gives up after about a thousand levels, at once; a transcript needs five.
        raise InputError("JSON nested too deeply to be a transcript") from None
    items = data.get("utterances") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError("JSON must be a list of utterances or an object with an 'utterances' list")
    check_cue_count(len(items))
    out: list[Cue] = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise InputError(f"utterance {n} is not an object")
        speaker = _text(item.get("speaker"), n, "speaker")
        start, end = _time(item, "start", n), _time(item, "end", n)
        body = _text(item.get("text"), n, "text") or ""
        out.append((speaker.strip() or None if speaker is not None else None, start, end, clean(body)))
    return out
