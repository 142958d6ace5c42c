"""Talk metrics: who spoke how long, turns, pace, monologues, interruptions.

These need only speech timing, so they run for untranscribed audio too
(principle 3: degrade, never fail). Talk time is the union of a speaker's
utterances, so overlapping cues of one speaker are not counted twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from companion.analysis.analyzer import AnalysisContext, Component
from companion.model import Audience, Event, EventType, Role, Utterance

#: Overlap (seconds) beyond which starting to speak counts as an interruption.
#: Exported captions round cue times, so a few hundred ms of overlap is noise.
INTERRUPTION_OVERLAP_S = 0.5

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def count_words(utt: Utterance) -> int:
    """Spoken words in an utterance (recogniser word timings when present)."""
    if utt.words:
        return sum(1 for w in utt.words if _WORD.search(w.text))
    return len(_WORD.findall(utt.text))


@dataclass
class SpeakerTalk:
    talk_s: float = 0.0
    transcribed_s: float = 0.0
    words: int = 0
    turns: int = 0
    longest_monologue_s: float = 0.0
    interruptions: int = 0
    last_end: float = 0.0
    turn_start: float = 0.0


class TalkTracker(Component):
    def __init__(self) -> None:
        self.speakers: dict[str, SpeakerTalk] = {}
        self.current_speaker: str | None = None
        self.total_talk_s = 0.0

    def _stats(self, speaker: str) -> SpeakerTalk:
        return self.speakers.setdefault(speaker, SpeakerTalk())

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        s = self._stats(u.speaker)
        added = max(0.0, u.end - max(u.start, s.last_end))
        s.talk_s += added
        self.total_talk_s += added
        if u.transcribed:
            s.transcribed_s += added
            s.words += count_words(u)
        # Someone else was still talking when this speaker started.
        for other, o in self.speakers.items():
            if other != u.speaker and o.last_end - u.start > INTERRUPTION_OVERLAP_S:
                s.interruptions += 1
                break
        if u.speaker != self.current_speaker:
            s.turns += 1
            s.turn_start = u.start
            self.current_speaker = u.speaker
        s.last_end = max(s.last_end, u.end)
        s.longest_monologue_s = max(s.longest_monologue_s, s.last_end - s.turn_start)
        return [Event(EventType.BALANCE, u.end, self.balance(ctx), Audience.COACH)]

    def share(self, speaker: str) -> float:
        s = self.speakers.get(speaker)
        return s.talk_s / self.total_talk_s if s and self.total_talk_s > 0 else 0.0

    def balance(self, ctx: AnalysisContext) -> dict[str, Any]:
        return {
            "participants": [
                {"name": name, "role": _role(ctx, name), "talk_s": round(s.talk_s, 1),
                 "talk_share": round(self.share(name), 3)}
                for name, s in self.speakers.items()
            ]
        }

    def contribute(self, ctx: AnalysisContext, report: dict[str, Any]) -> None:
        names = list(self.speakers)
        # Speakers known by role but silent still appear, with zeros.
        names += [n for n in ctx.roles if n not in self.speakers]
        rows = []
        for name in names:
            s = self.speakers.get(name, SpeakerTalk())
            wpm = s.words / (s.transcribed_s / 60) if s.transcribed_s > 0 and s.words else None
            rows.append({
                "name": name,
                "role": _role(ctx, name),
                "talk_s": round(s.talk_s, 2),
                "talk_share": round(self.share(name), 4),
                "turns": s.turns,
                "words": s.words,
                "words_per_minute": round(wpm, 1) if wpm is not None else None,
                "longest_monologue_s": round(s.longest_monologue_s, 2),
                "interruptions": s.interruptions,
            })
        report["participants"] = rows
        coaches = ctx.speakers_with(Role.COACH)
        skills = report["coach_skills"]
        skills["talk_share"] = round(sum(self.share(c) for c in coaches), 4) if coaches else None
        skills["interruptions"] = sum(self.speakers[c].interruptions for c in coaches if c in self.speakers)


def _role(ctx: AnalysisContext, name: str) -> str | None:
    r = ctx.role_of(name)
    return str(r) if r else None
