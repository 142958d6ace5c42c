"""Transcripts made elsewhere, as ``Utterance`` objects one to one with their cues.

- WebVTT from Zoom (``Name: text`` cue text) and Microsoft Teams
  (``<v Name>text</v>`` voice spans), parsed with webvtt-py;
- SubRip ``.srt`` with ``Name: text`` cues, parsed with srt;
- the project's own JSON: ``{"utterances": [{"speaker", "start", "end", "text"}]}``
  (or a bare list of such objects), which is also what ``sessions export`` writes.

Every problem is an ``InputError`` naming the file, and the whole file is
read before anything is returned, so a bad file never half-imports.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import srt
import webvtt
from webvtt.errors import MalformedFileError

from companion.errors import InputError
from companion.model import Utterance

TRANSCRIPT_SUFFIXES = {".vtt", ".srt", ".json"}

# "Anna Smith: text" -- a name is short and has no sentence punctuation.
_NAME_PREFIX = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s+(.*)$", re.DOTALL)
# Real exports write times loosely: Teams writes "0:0:13.540" (unpadded), others drop the hours
# or write fewer fraction digits. Each timestamp is read by this pattern and rewritten padded.
_TIMESTAMP = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})"
_TIMING_LINE = re.compile(rf"^\s*{_TIMESTAMP}\s+-->\s+{_TIMESTAMP}(\s+.*)?$")


def _padded(h: str | None, m: str, s: str, frac: str) -> str:
    return f"{int(h or 0):02d}:{int(m):02d}:{int(s):02d}.{frac.ljust(3, '0')}"


def _normalise_timing(line: str, n: int) -> str:
    """One timing line with both times padded, or an error naming the line."""
    m = _TIMING_LINE.match(line)
    if not m or int(m.group(2)) > 59 or int(m.group(3)) > 59 or int(m.group(6)) > 59 or int(m.group(7)) > 59:
        raise InputError(f"line {n}: broken timestamp {line.strip()[:80]!r}")
    g = m.groups()
    return f"{_padded(*g[0:4])} --> {_padded(*g[4:8])}{g[8] or ''}"


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=str(path)) from None
    except OSError as e:
        raise InputError(f"cannot read file ({e.strerror})", source=str(path)) from None
    if not data.strip():
        raise InputError("file is empty", source=str(path))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"not valid UTF-8 text (bad byte at offset {e.start})", source=str(path)) from None
    if "\x00" in text:
        raise InputError("binary data, not a transcript", source=str(path))
    return text


def load_transcript(path: str | Path) -> list[Utterance]:
    """Read a transcript file into utterances; raises ``InputError`` on any problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TRANSCRIPT_SUFFIXES:
        raise InputError(
            f"unsupported transcript type {suffix or '(none)'}; expected .vtt, .srt or .json",
            source=str(path),
        )
    text = read_text(path)
    parse = {".vtt": parse_vtt, ".srt": parse_srt, ".json": parse_json}[suffix]
    try:
        utterances = parse(text)
    except InputError as e:
        raise InputError(str(e), source=str(path)) from None
    check_utterances(utterances, str(path))
    return utterances


def _split_speaker(text: str, cue_no: int) -> tuple[str, str]:
    m = _NAME_PREFIX.match(text)
    if not m:
        raise InputError(f"cue {cue_no} has no speaker name (expected 'Name: text' or '<v Name>')")
    return m.group(1).strip(), m.group(2).strip()


def _clean(text: str) -> str:
    return " ".join(text.split())


def parse_vtt(text: str) -> list[Utterance]:
    if not text.lstrip().startswith("WEBVTT"):
        raise InputError("not a WebVTT file (it must start with 'WEBVTT')")
    lines = text.splitlines()
    for n, line in enumerate(lines, 1):
        if "-->" in line:
            lines[n - 1] = _normalise_timing(line, n)
    try:
        captions = webvtt.from_string("\n".join(lines))
    except MalformedFileError as e:
        raise InputError(f"malformed WebVTT ({e})") from None
    out = []
    for n, c in enumerate(captions, 1):
        if c.voice:  # Teams: <v Name>text</v>
            speaker, body = c.voice.strip(), c.text
        else:  # Zoom: Name: text
            speaker, body = _split_speaker(c.text, n)
        out.append(Utterance(speaker, _secs(c.start_time), _secs(c.end_time), _clean(body)))
    return out


def _secs(ts) -> float:
    return ts.in_milliseconds() / 1000.0


def parse_srt(text: str) -> list[Utterance]:
    try:
        subs = list(srt.parse(text))
    except srt.SRTParseError as e:
        raise InputError(f"malformed SRT ({str(e).split(' (unmatched')[0]})") from None
    out = []
    for n, s in enumerate(subs, 1):
        speaker, body = _split_speaker(s.content, n)
        out.append(Utterance(speaker, s.start.total_seconds(), s.end.total_seconds(), _clean(body)))
    return out


def parse_json(text: str) -> list[Utterance]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    items = data.get("utterances") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError("JSON must be a list of utterances or an object with an 'utterances' list")
    out = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise InputError(f"utterance {n} is not an object")
        try:
            out.append(Utterance(
                speaker=str(item["speaker"]).strip(),
                start=float(item["start"]),
                end=float(item["end"]),
                text=_clean(str(item.get("text") or "")),
            ))
        except KeyError as e:
            raise InputError(f"utterance {n} has no {e.args[0]!r}") from None
        except (TypeError, ValueError):
            raise InputError(f"utterance {n} has a start or end that is not a number") from None
    return out


def check_utterances(utterances: list[Utterance], source: str) -> None:
    """Reject transcripts no analysis can make sense of."""
    if not utterances:
        raise InputError("no cues found", source=source)
    prev_start = 0.0
    for n, u in enumerate(utterances, 1):
        if not u.speaker:
            raise InputError(f"cue {n} has an empty speaker name", source=source)
        if u.start < 0 or u.end < u.start:
            raise InputError(f"cue {n} ends before it starts ({u.start:.3f} -> {u.end:.3f})", source=source)
        if u.start < prev_start:
            raise InputError(f"cue {n} is out of order (starts at {u.start:.3f}s, before cue {n - 1})",
                             source=source)
        prev_start = u.start
    if len({u.speaker for u in utterances}) < 2:
        raise InputError(
            f"only one speaker ({utterances[0].speaker}); a coaching session needs at least two",
            source=source,
        )
