"""The one place that wires the parts: input -> utterances -> analyzer -> report -> store.

A file is a replay of a live session: it is turned into utterances and fed,
one at a time, to the same ``SessionAnalyzer`` a live call uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from companion import logbook
from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.live_turns import turns_from_events
from companion.analysis.plan import SessionPlan, resolve_plan
from companion.analysis.roles import assign_roles
from companion.analysis.turns import group_roles
from companion.config import Settings
from companion.errors import InputError
from companion.importers import TRANSCRIPT_SUFFIXES, read_transcript
from companion.model import Role, Utterance
from companion.store import now_iso

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

    ``end`` is when the session ended (a recording's length), if later than the last utterance.
    """
    notes = list(notes or [])
    if roles is None:
        roles, inferred = assign_roles(utterances, coach=coach, coachee=coachee)
        if inferred:
            who = next((s for s, r in roles.items() if r == Role.COACH), None)
            notes.append(f"Coach inferred as {who} (asked the most questions and reflected back most); "
                         "use --coach NAME to set it.")
    length = max([end or 0.0] + [u.end for u in utterances])
    analyzer = SessionAnalyzer(roles=roles, plan=plan, length_s=length or None)
    analyzer.feed(utterances)
    analyzer.finish(end)
    meta = {"planned_minutes": plan.planned_minutes if plan else None, **(session or {})}
    report = analyzer.report(meta)
    report["session"]["notes"] = notes
    report["log_draft"] = logbook.draft(report)
    for turn in report.get("turns") or []:  # groups: each member's goal and actions, from their own turn
        turn.update(_turn_summary(report, turn["member"]))
    return Analysis(report, utterances, notes)


def _turn_summary(report: dict[str, Any], member: str) -> dict[str, Any]:
    """A member's goal and actions, drafted from their own turn only (other talk is blanked, indexes kept).

    Stage marks are dropped: the session-wide GROW tracker does not restart at each turn, so the
    drafter reads the stages off the questions asked in the turn instead.
    """
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
        utterances = transcript.in_time_order()
        roles = group_roles(utterances, facilitator) if facilitator else None
        return analyze_utterances(utterances, roles=roles, coach=coach, coachee=coachee, plan=plan,
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
) -> Analysis:
    """Decode, segment and transcribe a recording, then analyse it like a live session.

    Each channel (``--channels-are-speakers``: left is "Speaker 1", right
    "Speaker 2"; with ``--coach A --coachee B`` the left channel is A and the
    right B) or the mixed-down recording ("speech") goes through a
    ``SpeakerStream``, the unit a live call uses. Without the configured model
    every timing metric is still computed and a note says how to get it.
    """
    from companion.asr.stream import SpeakerStream, feed_file_track
    from companion.asr.whisper import Transcriber, load_engine
    from companion.media.audio import SAMPLE_RATE, decode_file, downmix

    channels = decode_file(path)
    duration = len(channels[0]) / SAMPLE_RATE
    notes: list[str] = []
    roles: dict[str, Role | None] | None = None
    if channels_are_speakers:
        if len(channels) < 2:
            raise InputError("--channels-are-speakers needs a stereo recording with one person per channel; "
                             "this one is mono", source=str(path))
        names = list(CHANNEL_SPEAKERS)
        if coach and coachee and {coach, coachee}.isdisjoint(names):
            names = [coach, coachee]
            notes.append(f"Left channel taken as the coach ({coach}), right as the coachee ({coachee}); "
                         f"swap --coach and --coachee if it is the other way round.")
        elif (coach and coach not in names) or (coachee and coachee not in names):
            raise InputError("with --channels-are-speakers, name both channels (--coach LEFT --coachee RIGHT) "
                             f"or refer to them as {names[0]!r} (left) and {names[1]!r} (right)")
        tracks = dict(zip(names, channels))
    else:
        tracks = {MIXED_SPEAKER: downmix(channels)}
        roles = {MIXED_SPEAKER: None}
        hint = (" If this stereo recording has one person per channel, use --channels-are-speakers."
                if len(channels) > 1 else "")
        notes.append("Speakers cannot be told apart in this recording (everyone is on one channel), so talk "
                     "time, pauses and monologues are for the speech as a whole; speaker separation is not "
                     f"available yet.{hint}")
        if coach or coachee:
            notes.append("--coach/--coachee were ignored: there is only one mixed speaker.")

    engine, missing = None, None
    try:
        engine, missing = load_engine(settings.models_dir, settings.model, settings.device)
    except Exception as e:  # a damaged model folder: degrade to timing only
        missing = (f"The speech model {settings.model!r} could not be loaded ({' '.join(str(e).split())[:160]}); "
                   f"nothing was transcribed. Run `companion models download {settings.model}` to fetch it again.")
    if missing:
        notes.append(missing)

    utterances: list[Utterance] = []
    transcriber = Transcriber(engine, max_backlog_s=None) if engine is not None else None
    try:
        for name, pcm in tracks.items():
            # list.append is atomic: the worker thread may call it.
            feed_file_track(SpeakerStream(name, transcriber, utterances.append, loop=None), pcm)
        if transcriber is not None:
            transcriber.join()
    finally:
        if transcriber is not None:
            transcriber.close()
    utterances.sort(key=lambda u: (u.start, u.end, u.speaker))

    if not utterances:
        notes.append("No speech was found in the recording.")
        roles = dict.fromkeys(tracks)
    elif roles is None and len({u.speaker for u in utterances}) < 2:
        roles = dict.fromkeys(tracks)
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


def session_plan(s: dict[str, Any], events: list[dict[str, Any]] | None = None) -> SessionPlan:
    """A stored session's plan: its length, its own stage allocation, and the turns a facilitator gave."""
    stages = json.loads(s["stage_minutes"]) if s.get("stage_minutes") else None
    return SessionPlan(planned_minutes=s["planned_minutes"], stage_minutes=stages,
                       turns=turns_from_events(events or []) or None)


def finalize_session(store, sid: str) -> dict[str, Any]:
    """Analyse a stored session's utterances with its participants' roles; store report and log draft.

    Used when a live session ends; safe to run again (the report is rebuilt).
    """
    s = store.get_session(sid)
    roles = {p["name"]: Role(p["role"]) if p["role"] else None for p in s["participants"]}
    utterances = store.utterances(sid)
    analysis = analyze_utterances(
        utterances,
        roles=roles,
        plan=session_plan(s, store.events(sid)),
        session={"id": sid, "title": s["title"], "source": s["source"], "started_at": s["started_at"]
                 or s["created_at"], "mode": s["mode"]},
    )
    store.save_report(sid, analysis.report)
    store.update_session(sid, status="ended", ended_at=s.get("ended_at") or now_iso())
    return analysis.report


# -- the live call --------------------------------------------------------------------------------

#: How long an utterance may wait for another speaker's earlier speech before it is analysed anyway.
MAX_HOLD_S = 8.0
#: Slack on the other speakers' speech onsets when deciding an utterance may go ahead.
ORDER_SLACK_S = 0.5


def _epoch(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return None


class LiveSession:
    """One live call's speech and analysis: the same analyzer a file replay uses, fed as people talk.

    - One ``SpeakerStream`` per participant (VAD + recognition), fed from
      their call audio; a rejoin continues the same stream.
    - Every utterance is stored as soon as it is analysed, so a reload or a
      crash loses nothing; a server restart rebuilds the analyzer from the
      stored utterances.
    - Utterances of different speakers finish out of start order (a segment
      is submitted when it ends); they are held briefly and analysed in start
      order, as the analyzer expects.
    - Session time is wall-clock seconds since the call started
      (``sessions.started_at``), so it survives reconnects and restarts.
    - ``publish(message, audience)`` receives the messages for the browsers;
      the hub enforces the audience.
    """

    def __init__(self, store, sid: str, *, transcriber=None, publish=None, clock=None,
                 transcription_note: str | None = None):
        import time

        from companion.model import Audience

        self.store = store
        self.sid = sid
        self.transcriber = transcriber
        self.transcription_note = transcription_note
        self.publish = publish or (lambda message, audience: None)
        self.clock = clock or time.time
        self._everyone = Audience.EVERYONE
        s = store.get_session(sid)
        self.planned_minutes = s["planned_minutes"]
        self.roles = {p["name"]: Role(p["role"]) if p["role"] else None for p in s["participants"]}
        self.analyzer = SessionAnalyzer(roles=self.roles, plan=session_plan(s, store.events(sid)))
        stored = store.utterances(sid)
        self.stage: dict[str, Any] | None = None
        for ev in self.analyzer.feed(stored):  # a restart continues where the stored call left off
            self._track_stage(ev)
        self.next_index = len(stored)
        self.t0 = _epoch(s["started_at"])
        self.paused = False
        self.streams: dict[str, Any] = {}
        self._speaking_since: dict[str, float] = {}
        self._held: list[tuple[Utterance, float]] = []
        self.ended = False

    # -- time ---------------------------------------------------------------------------
    def start(self) -> None:
        """The call begins (first join); later joins keep the first start time."""
        if self.t0 is None:
            self.t0 = self.clock()
            started = datetime.fromtimestamp(self.t0, UTC).isoformat(timespec="milliseconds")
            self.store.update_session(self.sid, started_at=started, status="live")

    def now(self) -> float:
        return 0.0 if self.t0 is None else max(0.0, self.clock() - self.t0)

    # -- audio in -----------------------------------------------------------------------
    def stream(self, speaker: str):
        from companion.asr.stream import SpeakerStream

        s = self.streams.get(speaker)
        if s is None:
            s = SpeakerStream(speaker, self.transcriber, self._on_utterance, on_activity=self._on_activity)
            s.transcribe = not self.paused
            self.streams[speaker] = s
        return s

    async def consume(self, speaker: str, track) -> None:
        """Drain one participant's call audio into their speech stream until the track ends."""
        from aiortc.mediastreams import MediaStreamError

        self.start()
        stream = self.stream(speaker)
        first: tuple[int, float] | None = None
        time_base, seconds_per_tick = None, 0.0  # float(time_base), cached: Fraction math per frame adds up
        try:
            while True:
                frame = await track.recv()
                t = None
                pts, tb = frame.pts, frame.time_base
                if pts is not None and tb is not None:
                    # RTP time keeps gaps (a stalled or muted sender) visible to the VAD.
                    if first is None:
                        first = (pts, self.now())
                    if tb is not time_base and tb != time_base:
                        time_base, seconds_per_tick = tb, float(tb)
                    t = first[1] + (pts - first[0]) * seconds_per_tick
                stream.feed_frame(frame, t)
        except MediaStreamError:
            pass
        finally:
            stream.flush()

    def _on_activity(self, speaker: str, speaking: bool, t: float) -> None:
        if speaking:
            self._speaking_since[speaker] = t
        else:
            self._speaking_since.pop(speaker, None)
            self._release()

    # -- utterances in order ------------------------------------------------------------
    def _on_utterance(self, utt: Utterance) -> None:
        if self.ended:
            return
        self._held.append((utt, self.clock()))
        self._held.sort(key=lambda h: h[0].start)
        self._release()

    def _blocked(self, utt: Utterance, held_since: float) -> bool:
        if self.clock() - held_since > MAX_HOLD_S:
            return False
        for name, s in self.streams.items():
            if name == utt.speaker:
                continue
            since = self._speaking_since.get(name)
            if s.pending > 0 or (since is not None and since - ORDER_SLACK_S < utt.start):
                return True
        return False

    def _release(self, force: bool = False) -> None:
        while self._held and (force or not self._blocked(*self._held[0])):
            utt, _ = self._held.pop(0)
            self._analyse(utt)

    def _analyse(self, utt: Utterance) -> None:
        idx = self.next_index
        self.next_index += 1
        self.store.add_utterance(self.sid, idx, utt)
        self._emit(self.analyzer.update(utt))

    # -- events out -----------------------------------------------------------------------
    def _track_stage(self, ev) -> None:
        from companion.model import EventType

        if ev.type == EventType.STAGE:
            self.stage = {"t": ev.t, **ev.data}

    def _emit(self, events) -> None:
        from companion.model import Audience, EventType

        for ev in events:
            self._track_stage(ev)
            if ev.type == EventType.UTTERANCE:
                row = self.analyzer.utterance_row(ev.data["index"])
                base = {k: row[k] for k in ("index", "speaker", "role", "start", "end", "text", "transcribed")}
                self.publish({"type": "caption", **base}, ev.audience)
                marks = {k: v for k, v in row.items() if k not in base}
                self.publish({"type": "marks", "index": row["index"], **marks}, Audience.COACH)
                continue
            message = {"t": round(ev.t, 2), **ev.data, "type": str(ev.type)}
            if ev.type in (EventType.FLAG, EventType.NUDGE, EventType.STAGE):
                self.store.add_event(self.sid, ev.t, str(ev.type), {"audience": str(ev.audience), **ev.data})
            self.publish(message, ev.audience)

    def tick(self) -> None:
        """Called about once a second: time-based analysis, the held queue, the clock."""
        if self.ended or self.t0 is None:
            return
        now = self.now()
        self._release()
        self._emit(self.analyzer.tick(now))
        self.publish(self.clock_message(), self._everyone)

    def clock_message(self) -> dict[str, Any]:
        """What everyone may see: elapsed time against the plan and the current stage."""
        now = self.now()
        stage = self.stage or {}
        planned_stage = stage.get("planned_s")
        if planned_stage is None and stage.get("stage") and self.planned_minutes:
            plan = resolve_plan(self.analyzer.ctx.plan, None)
            planned_stage = plan.stage_s.get(stage["stage"]) if plan else None
        return {
            "type": "clock",
            "elapsed_s": round(now, 1),
            "planned_s": self.planned_minutes * 60 if self.planned_minutes else None,
            "stage": stage.get("stage"),
            "stage_elapsed_s": round(now - stage.get("since", stage["t"]), 1) if "t" in stage else None,
            "stage_planned_s": planned_stage,
            "paused": self.paused,
        }

    # -- controls -------------------------------------------------------------------------
    def set_paused(self, paused: bool, by: str | None) -> dict[str, Any]:
        """Pause or resume transcription for everyone; speech still counts for talk time."""
        self.paused = paused
        for s in self.streams.values():
            s.transcribe = not paused
        t = self.now()
        self.store.add_event(self.sid, t, "paused" if paused else "resumed", {"by": by, "audience": "everyone"})
        message = {"type": "paused", "paused": paused, "by": by, "t": round(t, 2)}
        self.publish(message, self._everyone)
        return message

    async def finish(self, timeout: float = 30.0) -> None:
        """The call ended (its audio tracks are closed): wait for recognition, analyse the rest."""
        import asyncio

        for s in self.streams.values():
            s.flush()
        if self.transcriber is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.transcriber.join, timeout)
        # Recognition results are delivered to the loop with call_soon_threadsafe; let them land.
        for _ in range(3):
            await asyncio.sleep(0)
        self._release(force=True)
        self.ended = True
        self._emit(self.analyzer.finish(self.now()))
