"""Transcripts made elsewhere, as ``Utterance`` objects one to one with their cues.

- WebVTT from Zoom (``Name: text`` cue text) and Microsoft Teams
  (``<v Name>text</v>`` voice spans), parsed with webvtt-py;
- SubRip ``.srt`` with ``Name: text`` cues, parsed with srt;
- the project's own JSON: ``{"utterances": [{"speaker", "start", "end", "text"}]}``
  (or a bare list of such objects), which is also what ``sessions export`` writes.

What real tools write is accepted: unpadded and hour-less times, cues that
overlap or start before the one listed before them (kept, one utterance per
cue, in input order: the analysis replays them by start time and its report
lists them as input), and cues without a speaker name (given to the speaker
before them, with a note). Only what cannot be read is refused, with an ``InputError``
naming the file; bounds (``limits.py``) are checked before any expensive work.
The whole file is read before anything is returned, so a bad file never
half-imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from companion.errors import InputError
from companion.importers.formats import Cue, parse_json, parse_srt, parse_vtt
from companion.importers.limits import MAX_BYTES, MAX_SESSION_S
from companion.model import Utterance

TRANSCRIPT_SUFFIXES = {".vtt", ".srt", ".json"}
PARSERS = {".vtt": parse_vtt, ".srt": parse_srt, ".json": parse_json}
#: Exported captions round their times: an overlap shorter than this is not people talking at once.
OVERLAP_TOLERANCE_S = 0.3

__all__ = ["TRANSCRIPT_SUFFIXES", "Transcript", "check_utterances", "load_transcript", "read_text",
           "read_transcript"]


@dataclass
class Transcript:
    """A transcript's utterances, one per cue in input order, and what the reader noticed."""

    utterances: list[Utterance]
    notes: list[str] = field(default_factory=list)

    def in_time_order(self) -> list[Utterance]:
        """The utterances by start time (a stable sort; the same list when already in order)."""
        starts = [u.start for u in self.utterances]
        if all(a <= b for a, b in zip(starts, starts[1:])):
            return self.utterances
        return sorted(self.utterances, key=lambda u: u.start)


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES and path.is_file():
            raise InputError(f"file is {size / 2**20:,.0f} MB; the largest transcript accepted is "
                             f"{MAX_BYTES / 2**20:.0f} MB", source=str(path))
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


def read_transcript(path: str | Path) -> Transcript:
    """Read a transcript file; raises ``InputError`` (one line, naming the file) on any problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TRANSCRIPT_SUFFIXES:
        raise InputError(
            f"unsupported transcript type {suffix or '(none)'}; expected .vtt, .srt or .json",
            source=str(path),
        )
    text = read_text(path)
    try:
        transcript = from_cues(PARSERS[suffix](text))
    except InputError as e:
        raise InputError(str(e), source=str(path)) from None
    check_utterances(transcript.utterances, str(path))
    return transcript


def load_transcript(path: str | Path) -> list[Utterance]:
    """The utterances of a transcript file, one per cue, in input order."""
    return read_transcript(path).utterances


def _cue_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5])
    return shown + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")


def from_cues(cues: list[Cue]) -> Transcript:
    """Utterances from parsed cues: times checked, unnamed cues attributed, overlaps counted."""
    if not cues:
        raise InputError("no cues found")
    first_named = next((c[0] for c in cues if c[0]), None)
    if first_named is None:
        raise InputError("no cue names its speaker (expected 'Name: text', '<v Name>' or a \"speaker\")")
    utterances, unnamed = [], []
    speaker = first_named
    for n, (name, start, end, text) in enumerate(cues, 1):
        if start < 0 or end < start:
            raise InputError(f"cue {n} ends before it starts ({start:.3f} -> {end:.3f})")
        if end > MAX_SESSION_S:
            raise InputError(f"cue {n} ends at {end / 3600:,.1f} h; the longest session accepted is "
                             f"{MAX_SESSION_S / 3600:.0f} h")
        if name:
            speaker = name
        else:
            unnamed.append(n)
        utterances.append(Utterance(speaker, start, end, text))
    notes = []
    if unnamed:
        notes.append(f"{len(unnamed)} cue(s) had no speaker name (cue {_cue_list(unnamed)}); each is "
                     "attributed to the speaker before it.")
    early = [n for n in range(2, len(cues) + 1) if cues[n - 1][1] < cues[n - 2][1]]
    if early:
        notes.append(f"{len(early)} cue(s) start before the cue listed before them (cue {_cue_list(early)}); "
                     "they are listed in input order and analysed in time order.")
    overlapping = _overlapping(utterances)
    if overlapping:
        notes.append(f"{overlapping} cue(s) overlap an earlier one by more than {OVERLAP_TOLERANCE_S:g} s "
                     "(people talking at once); each person's talk time counts overlapping time once.")
    return Transcript(utterances, notes)


def _overlapping(utterances: list[Utterance]) -> int:
    """How many cues start before an earlier cue (in time order) has ended."""
    count, latest_end = 0, float("-inf")
    for u in sorted(utterances, key=lambda u: u.start):
        if u.start < latest_end - OVERLAP_TOLERANCE_S:
            count += 1
        latest_end = max(latest_end, u.end)
    return count


def check_utterances(utterances: list[Utterance], source: str) -> None:
    """Refuse transcripts no analysis can make sense of."""
    if not utterances:
        raise InputError("no cues found", source=source)
    if len({u.speaker for u in utterances}) < 2:
        raise InputError(
            f"only one speaker ({utterances[0].speaker}); a coaching session needs at least two",
            source=source,
        )
