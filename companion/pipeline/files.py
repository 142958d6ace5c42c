"""Files: a transcript or a recording -> utterances -> the analyzer -> the report.

A file is a replay of a live session: it is turned into utterances and fed,
one at a time, to the same ``SessionAnalyzer`` a live call uses. A recording
is decoded as it is read (``media.audio.AudioFile``) and pushed through the
same ``SpeakerStream``s a call uses, so memory does not grow with its length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from companion import logbook
from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.order import present_in_order, replay_order
from companion.analysis.plan import SessionPlan
from companion.analysis.roles import assign_roles
from companion.analysis.turns import group_roles
from companion.asr.stream import SpeakerStream
from companion.asr.transcriber import Transcriber
from companion.config import Settings
from companion.errors import InputError
from companion.importers import TRANSCRIPT_SUFFIXES, read_transcript
from companion.media.audio import AudioFile, downmix
from companion.model import Role, Utterance
from companion.pipeline.speech import Speech, load_speech

AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".ogg", ".webm", ".flac", ".opus", ".aac", ".mp4"}


@dataclass
class Analysis:
    report: dict[str, Any]
    utterances: list[Utterance]
    notes: list[str] = field(default_factory=list)


def analyze_utterances(
    utterances: list[Utterance],
    *,
    roles: dict[str, Role | None] | None = None,
    coach: str | None = None,
    coachee: str | None = None,
    plan: SessionPlan | None = None,
    session: dict[str, Any] | None = None,
    notes: list[str] | None = None,
    end: float | None = None,
) -> Analysis:
    """Replay utterances through the analyzer and build the full report.

    The analyzer hears them by start time (``replay_order``); the report lists
    them as given, one to one (a transcript's input order), every index in it
    pointing into that list (``present_in_order``), and ``Analysis.utterances``
    is the given list, what is stored. ``end`` is when the session ended (a
    recording's length), if later than the last utterance.
    """
    notes = list(notes or [])
    order = replay_order(utterances)
    replayed = [utterances[i] for i in order]
    if roles is None:
        roles, inferred = assign_roles(replayed, coach=coach, coachee=coachee)
        if inferred:
            who = next((s for s, r in roles.items() if r == Role.COACH), None)
            notes.append(f"Coach inferred as {who} (asked the most questions and reflected back most); "
                         "use --coach NAME to set it.")
    length = max([end or 0.0] + [u.end for u in utterances])
    analyzer = SessionAnalyzer(roles=roles, plan=plan, length_s=length or None)
    analyzer.prepare(replayed)
    analyzer.feed(replayed)
    analyzer.finish(end)
    meta = {"planned_minutes": plan.planned_minutes if plan else None, **(session or {})}
    report = analyzer.report(meta)
    report["session"]["notes"] = notes
    report["log_draft"] = logbook.draft(report)
    for turn in report.get("turns") or []:  # groups: each member's goal and actions, from their own turn
        turn.update(_turn_summary(report, turn["member"]))
    return Analysis(present_in_order(report, order), utterances, notes)


def _turn_summary(report: dict[str, Any], member: str) -> dict[str, Any]:
    """A member's goal and actions, drafted from their own turn (the drafter reads ``turn_of``)."""
    log = logbook.draft_for(report, member)
    return {"goal": (log.get("goal") or {}).get("text"), "actions": log.get("actions") or []}


def analyze_file(
    path: str | Path,
    settings: Settings,
    *,
    coach: str | None = None,
    coachee: str | None = None,
    channels_are_speakers: bool = False,
    planned_minutes: float | None = None,
    stage_minutes: dict[str, float] | None = None,
    facilitator: str | None = None,
    turn_minutes: float | None = None,
) -> Analysis:
    """Analyse a transcript or an audio file; raises ``InputError`` for bad input.

    ``stage_minutes`` (minutes per GROW stage) without ``planned_minutes`` plans their sum.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    session = {"source": path.name, "started_at": _file_time(path)}
    if stage_minutes and not planned_minutes:
        planned_minutes = sum(stage_minutes.values())
    plan = SessionPlan(planned_minutes=planned_minutes, stage_minutes=stage_minutes, turn_minutes=turn_minutes)
    if suffix in TRANSCRIPT_SUFFIXES:
        transcript = read_transcript(path)
        # In input order: analyze_utterances replays them by start time and lists them as given.
        roles = group_roles(transcript.in_time_order(), facilitator) if facilitator else None
        return analyze_utterances(transcript.utterances, roles=roles, coach=coach, coachee=coachee, plan=plan,
                                  session=session, notes=transcript.notes)
    if suffix in AUDIO_SUFFIXES:
        return analyze_audio_file(path, settings, coach=coach, coachee=coachee,
                                  channels_are_speakers=channels_are_speakers, plan=plan, session=session)
    if not path.exists():
        raise InputError("no such file", source=str(path))
    known = ", ".join(sorted(TRANSCRIPT_SUFFIXES | AUDIO_SUFFIXES))
    raise InputError(f"unsupported file type {suffix or '(none)'}; expected one of {known}", source=str(path))


#: Speaker names for ``--channels-are-speakers``: left channel, right channel.
CHANNEL_SPEAKERS = ("Speaker 1", "Speaker 2")
#: The one speaker of a recording whose speakers cannot be told apart.
MIXED_SPEAKER = "speech"


def analyze_audio_file(
    path: Path,
    settings: Settings,
    *,
    coach: str | None = None,
    coachee: str | None = None,
    channels_are_speakers: bool = False,
    plan: SessionPlan | None = None,
    session: dict[str, Any] | None = None,
    speech: Speech | None = None,
) -> Analysis:
    """Decode, segment and transcribe a recording, then analyse it like a live session.

    Each channel (``--channels-are-speakers``: left is "Speaker 1", right
    "Speaker 2"; with ``--coach A --coachee B`` the left channel is A and the
    right B) or the mixed-down recording ("speech") goes through a
    ``SpeakerStream``, the unit a live call uses. Without the configured model
    every timing metric is still computed and a note says how to get it.
    """
    audio = AudioFile(path)
    with audio:
        return _analyze_recording(audio, speech or load_speech(settings), coach=coach, coachee=coachee,
                                  channels_are_speakers=channels_are_speakers, plan=plan, session=session)


def _analyze_recording(audio: AudioFile, speech: Speech, *, coach: str | None, coachee: str | None,
                       channels_are_speakers: bool, plan: SessionPlan | None,
                       session: dict[str, Any] | None) -> Analysis:
    notes: list[str] = []
    roles: dict[str, Role | None] | None = None
    if channels_are_speakers:
        if audio.channels < 2:
            raise InputError("--channels-are-speakers needs a stereo recording with one person per channel; "
                             "this one is mono", source=audio.source)
        names = list(CHANNEL_SPEAKERS)
        if coach and coachee and {coach, coachee}.isdisjoint(names):
            names = [coach, coachee]
            notes.append(f"Left channel taken as the coach ({coach}), right as the coachee ({coachee}); "
                         f"swap --coach and --coachee if it is the other way round.")
        elif (coach and coach not in names) or (coachee and coachee not in names):
            raise InputError("with --channels-are-speakers, name both channels (--coach LEFT --coachee RIGHT) "
                             f"or refer to them as {names[0]!r} (left) and {names[1]!r} (right)")
    else:
        names = [MIXED_SPEAKER]
        roles = {MIXED_SPEAKER: None}
        hint = (" If this stereo recording has one person per channel, use --channels-are-speakers."
                if audio.channels > 1 else "")
        notes.append("Speakers cannot be told apart in this recording (everyone is on one channel), so talk "
                     "time, pauses and monologues are for the speech as a whole; speaker separation is not "
                     f"available yet.{hint}")
        if coach or coachee:
            notes.append("--coach/--coachee were ignored: there is only one mixed speaker.")
    if speech.note:
        notes.append(speech.note)

    utterances: list[Utterance] = []
    transcriber = Transcriber(speech.engine, max_backlog_s=None) if speech.engine is not None else None
    try:
        # list.append is atomic: the worker thread may call it.
        streams = [SpeakerStream(name, transcriber, utterances.append, loop=None) for name in names]
        first = True
        for chunk in audio.chunks():
            tracks = chunk if channels_are_speakers else [downmix(chunk)]
            for stream, pcm in zip(streams, tracks):
                stream.feed(pcm, 0.0 if first else None)
            first = False
        for stream in streams:
            stream.flush()
        if transcriber is not None:
            transcriber.join()
    finally:
        if transcriber is not None:
            transcriber.close()
    duration = audio.duration
    if audio.ended_early:
        notes.append(audio.ended_early)
    utterances.sort(key=lambda u: (u.start, u.end, u.speaker))

    if not utterances:
        notes.append("No speech was found in the recording.")
        roles = dict.fromkeys(names)
    elif roles is None and len({u.speaker for u in utterances}) < 2:
        roles = dict.fromkeys(names)
        notes.append("Only one channel has speech, so roles were not assigned.")
    elif roles is None and coach is None and not any(u.transcribed for u in utterances):
        # Without text no questions can be counted: the coach is the one who talks less.
        roles, _ = assign_roles(utterances, coachee=coachee)
        who = next(s for s, r in roles.items() if r == Role.COACH)
        notes.append(f"Coach guessed as {who} (talks less; without a transcript questions cannot be "
                     f"counted); use --coach NAME to set it.")
    result = analyze_utterances(utterances, roles=roles, coach=coach if roles is None else None,
                                coachee=coachee if roles is None else None, plan=plan,
                                session=session, notes=notes, end=duration)
    return result


def _file_time(path: Path) -> str | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    except OSError:
        return None


