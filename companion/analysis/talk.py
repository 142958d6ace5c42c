"""Talk metrics: who spoke how long, turns, pace, monologues, interruptions,
the coach's patience (the pause before answering), filler words, and the talk
balance over a rolling window.

These need only speech timing (fillers aside), so they run for untranscribed
audio too (principle 3: degrade, never fail). Talk time is the union of a
speaker's utterances, so overlapping cues of one speaker are not counted twice.
"""

from __future__ import annotations

import re
import statistics
from collections import deque
from dataclasses import dataclass
from typing import Any

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.results import Flag, FlagKind, minutes
from companion.analysis.turns import is_group_session
from companion.model import Audience, Event, EventType, Utterance
from companion.roles import is_coach_side

#: Overlap (seconds) beyond which starting to speak counts as an interruption.
#: Exported captions round cue times, so a few hundred ms of overlap is noise.
INTERRUPTION_OVERLAP_S = 0.5
#: The rolling window for the live talk balance and the dominance flag.
ROLLING_S = 300.0
#: Coach share of the rolling window above which the coach is dominating
#: (coaching aims for the coachee to do most of the talking), once the window
#: holds at least ``DOMINANCE_MIN_TALK_S`` of talk.
DOMINANCE_SHARE = 0.6
DOMINANCE_MIN_TALK_S = 120.0
#: Coach-side share of the whole session's talk above which the session is coach-dominated.
DOMINANCE_SESSION_SHARE = 0.55
#: Holding the floor longer than this (either side) is a monologue worth flagging.
MONOLOGUE_S = 60.0
#: A backchannel by someone else does not end a run: at most this many words and seconds.
BACKCHANNEL_WORDS = 3
BACKCHANNEL_S = 2.0
_QUESTION_OPENERS = frozenset({"what", "how", "why", "who", "where", "when", "which", "anything", "really"})
#: This many coach interruptions within ``ROLLING_S`` make a flag.
INTERRUPTIONS_FLAG = 3

#: Words that fill a pause rather than carry meaning (on Treebank tokens).
_FILLER = re.compile(r" (?:u+m+|u+h+|e+r+m*|u+h+m+|a+h+|you know|i mean|sort of|kind of)(?= )")

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def added_talk(last_end: float, utt: Utterance) -> float:
    """Seconds an utterance adds to its speaker's talk time, given where their talk so far ended.

    The one definition of talk time: the union of a speaker's utterances, so
    overlapping cues of one speaker count once.
    """
    return max(0.0, utt.end - max(utt.start, last_end))


def talk_seconds(utterances: list[Utterance]) -> dict[str, float]:
    """Each speaker's talk time over a list of utterances in start order (``added_talk`` summed)."""
    last: dict[str, float] = {}
    out: dict[str, float] = {}
    for u in utterances:
        out[u.speaker] = out.get(u.speaker, 0.0) + added_talk(last.get(u.speaker, 0.0), u)
        last[u.speaker] = max(last.get(u.speaker, 0.0), u.end)
    return out


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
    fillers: int = 0


class TalkTracker(Component):
    def __init__(self) -> None:
        self.speakers: dict[str, SpeakerTalk] = {}
        self.current_speaker: str | None = None
        self.total_talk_s = 0.0
        #: (end, speaker, seconds added) within the rolling window, and its sums.
        self.recent: deque[tuple[float, str, float]] = deque()
        self.recent_s: dict[str, float] = {}
        #: Coach pauses before answering the coachee (negative: started over them).
        self.patience: list[float] = []
        self.last_utt: tuple[str, float] | None = None  # (speaker, end) of the latest utterance
        self.coach_interruptions: deque[float] = deque()
        self.dominance_flag: Flag | None = None
        self.dominance_raised = False
        #: Who holds the floor, since when, until when, and the utterances of the run.
        self.floor: tuple[str, float, float] | None = None
        self.floor_utts: list[int] = []
        self.monologue_flag: Flag | None = None
        self.interruption_flag_until = -1.0
        #: Talk seconds per minute of the session: {minute: [coach_s, all_s]}.
        self.minutes: dict[int, list[float]] = {}

    def _stats(self, speaker: str) -> SpeakerTalk:
        return self.speakers.setdefault(speaker, SpeakerTalk())

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        s = self._stats(u.speaker)
        added = added_talk(s.last_end, u)
        # What this utterance adds to its speaker's talk time (the union, so overlapping
        # cues of one speaker count once); per-stage figures sum this, not raw durations.
        ctx.marks[i]["talk_s"] = round(added, 3)
        s.talk_s += added
        self.total_talk_s += added
        if u.transcribed:
            s.transcribed_s += added
            s.words += count_words(u)
            if i < len(ctx.parsed):
                s.fillers += len(_FILLER.findall(ctx.parsed[i].joined))
        is_coach = ctx.is_coach_side(u.speaker)
        # Someone else was still talking when this speaker started.
        interrupted = False
        for other, o in self.speakers.items():
            if other != u.speaker and o.last_end - u.start > INTERRUPTION_OVERLAP_S:
                s.interruptions += 1
                interrupted = True
                break
        if is_coach and self.last_utt and self.last_utt[0] != u.speaker \
                and ctx.is_coachee_side(self.last_utt[0]):
            self.patience.append(u.start - self.last_utt[1])
        if u.speaker != self.current_speaker:
            s.turns += 1
            s.turn_start = u.start
            self.current_speaker = u.speaker
        s.last_end = max(s.last_end, u.end)
        s.longest_monologue_s = max(s.longest_monologue_s, s.last_end - s.turn_start)
        if self.last_utt is None or u.end >= self.last_utt[1]:
            self.last_utt = (u.speaker, u.end)
        self._add_recent(u.end, u.speaker, added)
        self._add_minutes(u, added, is_coach)
        events = [Event(EventType.BALANCE, u.end, self.balance(ctx), Audience.COACH)]
        events += self._floor(ctx, i)
        if is_coach and not _is_group(ctx):
            events += self._coach_flags(ctx, u, s, interrupted)
        return events

    def _is_backchannel(self, ctx: AnalysisContext, i: int) -> bool:
        """A short "mm", "yeah" by someone else that does not take the floor (and answers no question)."""
        u = ctx.utterances[i]
        if u.duration > BACKCHANNEL_S:
            return False
        if not u.transcribed:
            return True
        p = ctx.parsed[i] if i < len(ctx.parsed) else None
        words = [t for t in (p.tokens if p else u.text.lower().split()) if t[:1].isalnum()]
        if not words or len(words) > BACKCHANNEL_WORDS or words[0] in _QUESTION_OPENERS:
            return False
        if p and any(x.asked for x in p.sentences):
            return False
        # An answer to a question the floor-holder just asked takes the floor.
        last = self.floor_utts[-1] if self.floor_utts else None
        if last is not None and last < len(ctx.parsed):
            lp = ctx.parsed[last]
            if lp.sentences and lp.sentences[-1].asked:
                return False
        return True

    def _floor(self, ctx: AnalysisContext, i: int) -> list[Event]:
        """Follow who holds the floor and flag a run over ``MONOLOGUE_S`` (either side)."""
        u = ctx.utterances[i]
        if self.floor and self.floor[0] == u.speaker:
            who, start, end = self.floor
            self.floor = (who, start, max(end, u.end))
            self.floor_utts.append(i)
        elif self.floor and self._is_backchannel(ctx, i):
            return []
        else:
            self.floor, self.floor_utts, self.monologue_flag = (u.speaker, u.start, u.end), [i], None
        who, start, end = self.floor
        run = end - start
        if run <= MONOLOGUE_S or (is_group_session(ctx) and ctx.marks[i].get("turn_of") in (None, who)):
            # In a group, the member in focus talking at length in their own turn is the point, and
            # outside turns the floor is the part's by design (the facilitator's opening, a report-back),
            # live before the first turn is opened as well.
            return []
        coach = is_coach_side(ctx.role_of(who))
        message = (f"You have held the floor for {minutes(run)}." if coach
                   else f"{who} has talked for {minutes(run)} without a break.")
        if self.monologue_flag is not None:
            self.monologue_flag = ctx.grow_flag(self.monologue_flag, end=end, message=message,
                                                utterances=tuple(self.floor_utts))
            return []
        suggestion = ("What are you taking from this?" if coach
                      else "Can I check what I have heard so far? What matters most in that for you?")
        self.monologue_flag, ev = ctx.raise_flag(
            FlagKind.LONG_MONOLOGUE, start, end, message, suggestion,
            utterances=tuple(self.floor_utts), who=who)
        return [ev]

    def _add_recent(self, end: float, speaker: str, added: float) -> None:
        self.recent.append((end, speaker, added))
        self.recent_s[speaker] = self.recent_s.get(speaker, 0.0) + added
        while self.recent and self.recent[0][0] < end - ROLLING_S:
            _, who, secs = self.recent.popleft()
            self.recent_s[who] -= secs

    def _add_minutes(self, u: Utterance, added: float, is_coach: bool) -> None:
        # Spread the new talk over the minutes it falls in (a long turn spans several).
        t, left = max(u.start, u.end - added), added
        while left > 1e-9:
            m = int(t // 60)
            part = min(left, (m + 1) * 60 - t)
            bucket = self.minutes.setdefault(m, [0.0, 0.0])
            bucket[1] += part
            if is_coach:
                bucket[0] += part
            t, left = t + part, left - part

    def recent_share(self, ctx: AnalysisContext) -> float | None:
        """The coach side's share of talk in the rolling window."""
        total = sum(self.recent_s.values())
        if total <= 0:
            return None
        return sum(v for k, v in self.recent_s.items() if ctx.is_coach_side(k)) / total

    def _coach_flags(self, ctx: AnalysisContext, u: Utterance, s: SpeakerTalk, interrupted: bool) -> list[Event]:
        events: list[Event] = []
        total = sum(self.recent_s.values())
        share = self.recent_share(ctx)
        if share is not None and total >= DOMINANCE_MIN_TALK_S and share > DOMINANCE_SHARE:
            if self.dominance_flag is None:
                self.dominance_raised = True
                self.dominance_flag, ev = ctx.raise_flag(
                    FlagKind.COACH_DOMINANCE, max(0.0, u.end - ROLLING_S), u.end,
                    f"You have done {share * 100:.0f}% of the talking in the last "
                    f"{ROLLING_S / 60:.0f} min.",
                    "What do you make of that?", who=u.speaker)
                events.append(ev)
            else:
                self.dominance_flag = ctx.grow_flag(self.dominance_flag, end=u.end)
        elif share is not None and share < DOMINANCE_SHARE - 0.1:
            self.dominance_flag = None  # balance restored: a later stretch is a new flag
        if interrupted:
            self.coach_interruptions.append(u.start)
            while self.coach_interruptions[0] < u.start - ROLLING_S:
                self.coach_interruptions.popleft()
            if len(self.coach_interruptions) >= INTERRUPTIONS_FLAG and u.start > self.interruption_flag_until:
                self.interruption_flag_until = u.start + ROLLING_S
                _, ev = ctx.raise_flag(
                    FlagKind.INTERRUPTIONS, self.coach_interruptions[0], u.end,
                    f"You started speaking over the coachee {len(self.coach_interruptions)} times "
                    f"in {ROLLING_S / 60:.0f} min.",
                    "Let the pause run a little longer; what else comes to mind for you?", who=u.speaker)
                events.append(ev)
        return events

    def finish(self, ctx: AnalysisContext, end: float) -> list[Event]:
        """A session whose coach side talked over ``DOMINANCE_SESSION_SHARE`` of it all is coach-dominated."""
        coaches = ctx.coach_side()
        share = sum(self.share(c) for c in coaches)
        if self.dominance_raised or not coaches or share <= DOMINANCE_SESSION_SHARE or _is_group(ctx):
            return []
        start = min((u.start for u in ctx.utterances), default=0.0)
        _, ev = ctx.raise_flag(
            FlagKind.COACH_DOMINANCE, start, end,
            f"You did {share * 100:.0f}% of the talking in this session.",
            "What would help the coachee do more of the talking next time?",
            who=coaches[0] if len(coaches) == 1 else None)
        return [ev]

    def share(self, speaker: str) -> float:
        s = self.speakers.get(speaker)
        return s.talk_s / self.total_talk_s if s and self.total_talk_s > 0 else 0.0

    def balance(self, ctx: AnalysisContext) -> dict[str, Any]:
        total = sum(self.recent_s.values())
        return {
            "participants": [
                {"name": name, "role": _role(ctx, name), "talk_s": round(s.talk_s, 1),
                 "talk_share": round(self.share(name), 3),
                 "recent_share": round(self.recent_s.get(name, 0.0) / total, 3) if total > 0 else None}
                for name, s in self.speakers.items()
            ],
            "window_s": ROLLING_S,
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
                "fillers": s.fillers,
                "fillers_per_minute": round(s.fillers / (s.transcribed_s / 60), 2) if s.transcribed_s > 0 else None,
            })
        report["participants"] = rows
        coaches = ctx.coach_side()
        skills = report["coach_skills"]
        skills["talk_share"] = round(sum(self.share(c) for c in coaches), 4) if coaches else None
        skills["interruptions"] = sum(self.speakers[c].interruptions for c in coaches if c in self.speakers)
        recent = self.recent_share(ctx)
        skills["recent_talk_share"] = round(recent, 4) if recent is not None else None
        skills["patience_median_s"] = round(statistics.median(self.patience), 2) if self.patience else None
        # Answering within a quarter second (or over the coachee) leaves no room to think.
        skills["quick_replies"] = sum(1 for p in self.patience if p < 0.25)
        skills["replies"] = len(self.patience)
        skills["fillers"] = sum(self.speakers[c].fillers for c in coaches if c in self.speakers)
        coach_words = sum(self.speakers[c].words for c in coaches if c in self.speakers)
        coach_t = sum(self.speakers[c].transcribed_s for c in coaches if c in self.speakers)
        skills["words_per_minute"] = round(coach_words / (coach_t / 60), 1) if coach_t > 0 and coach_words else None
        report["talk_timeline"] = [
            {"minute": m, "coach_share": round(c / a, 3) if a > 0 else None, "talk_s": round(a, 1)}
            for m, (c, a) in sorted(self.minutes.items())]


def _is_group(ctx: AnalysisContext) -> bool:
    """The coach-side talk rules (70/30, interrupting "the coachee") are a pair's: in a group whose turns
    are known, talk is judged per turn instead (``group_flags``: a dominant member, the facilitator too).
    A group without known turns keeps them: a facilitator who does nearly all the talking is still told."""
    return bool(ctx.turn_spans)


def _role(ctx: AnalysisContext, name: str) -> str | None:
    r = ctx.role_of(name)
    return str(r) if r else None
