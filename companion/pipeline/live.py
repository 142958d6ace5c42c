"""A live call's speech and analysis: the same analyzer a file replay uses, fed as people talk.

Captions: while someone speaks, ``caption`` messages with ``"final": false``
carry the words so far (when the speech stream offers interim results); the
``"final": true`` caption with the same ``id`` replaces them once the
utterance is recognised, stored and analysed. Only final text is analysed or
stored.

Speech that recognition could not keep up with is never dropped silently: it
is stored and counted for talk time as untranscribed, and every page is told
(a ``transcription`` message) how much was skipped; the report says so too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiortc.mediastreams import MediaStreamError

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.plan import resolve_plan
from companion.asr.stream import SpeakerStream
from companion.asr.transcriber import Transcriber
from companion.media.audio import SAMPLE_RATE
from companion.model import Audience, Event, EventType, Role, Utterance
from companion.pipeline.finalize import SKIPPED, SPEECH_NOTE, session_plan

Publish = Callable[[dict[str, Any], Audience], Any]


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
      (``sessions.started_at``), so it survives reconnects and restarts;
      ``clock`` (default ``time.time``) is where "now" comes from, so a test
      can script a long session in seconds (``add_utterance`` and ``tick``).
    - ``publish(message, audience)`` receives the messages for the browsers;
      the hub enforces the audience.
    """

    def __init__(self, store, sid: str, *, transcriber: Transcriber | None = None, publish: Publish | None = None,
                 clock: Callable[[], float] | None = None, transcription_note: str | None = None):
        self.store = store
        self.sid = sid
        self.transcriber = transcriber
        self.transcription_note = transcription_note
        self.publish = publish or (lambda message, audience: None)
        self.clock = clock or time.time
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
        self.streams: dict[str, SpeakerStream] = {}
        #: Clips recognition skipped so far (it fell behind); announced once per increase.
        self.skipped = sum(1 for e in store.events(sid) if e["type"] == SKIPPED)
        self._speaking_since: dict[str, float] = {}
        self._held: list[tuple[Utterance, float]] = []
        #: Ids of utterances whose recognition finished (bounded, oldest dropped first).
        self._closed_ids: dict[str, None] = {}
        self.ended = False

    # -- time ---------------------------------------------------------------------------
    def start(self) -> None:
        """The call begins (first join); later joins keep the first start time."""
        if self.t0 is None:
            self.t0 = self.clock()
            started = datetime.fromtimestamp(self.t0, UTC).isoformat(timespec="milliseconds")
            self.store.update_session(self.sid, started_at=started, status="live")
            if self.transcription_note:  # the report says why there is no transcript, in the speech part's words
                self.store.add_event(self.sid, 0.0, SPEECH_NOTE, {"note": self.transcription_note,
                                                                   "audience": "coach"})

    def now(self) -> float:
        return 0.0 if self.t0 is None else max(0.0, self.clock() - self.t0)

    # -- audio in -----------------------------------------------------------------------
    def stream(self, speaker: str) -> SpeakerStream:
        s = self.streams.get(speaker)
        if s is None:
            s = SpeakerStream(speaker, self.transcriber, self.add_utterance, on_activity=self._on_activity,
                              on_interim=self._on_interim, session=self.sid)
            s.transcribe = not self.paused
            self.streams[speaker] = s
        return s

    async def consume(self, speaker: str, track) -> None:
        """Drain one participant's call audio into their speech stream until the track ends.

        A ``media.feeds.SpeechTrack`` hands over 16 kHz mono samples in chunks
        (``read_pcm``), fed to the VAD as they are; any other track's frames go
        through the stream's resampler.
        """
        self.start()
        stream = self.stream(speaker)
        try:
            if hasattr(track, "read_pcm"):
                await self._consume_pcm(stream, track)
            else:
                await self._consume_frames(stream, track)
        except MediaStreamError:
            pass
        finally:
            stream.flush()

    async def _consume_pcm(self, stream: SpeakerStream, track) -> None:
        pcm, pts = await track.read_pcm()
        # RTP time keeps gaps (a stalled or muted sender) visible to the VAD.
        pts0, t0 = pts, self.now()
        while True:
            stream.feed(pcm, t0 + (pts - pts0) / SAMPLE_RATE)
            pcm, pts = await track.read_pcm()

    async def _consume_frames(self, stream: SpeakerStream, track) -> None:
        first: tuple[int, float] | None = None
        time_base, seconds_per_tick = None, 0.0  # float(time_base), cached: Fraction math per frame adds up
        while True:
            frame = await track.recv()
            t = None
            pts, tb = frame.pts, frame.time_base
            if pts is not None and tb is not None:
                if first is None:
                    first = (pts, self.now())
                if tb is not time_base and tb != time_base:
                    time_base, seconds_per_tick = tb, float(tb)
                t = first[1] + (pts - first[0]) * seconds_per_tick
            stream.feed_frame(frame, t)

    def _on_activity(self, speaker: str, speaking: bool, t: float) -> None:
        if speaking:
            self._speaking_since[speaker] = t
        else:
            self._speaking_since.pop(speaker, None)
            self._release()

    # -- utterances in order ------------------------------------------------------------
    def add_utterance(self, utt: Utterance) -> None:
        """A finished utterance, with session times: from a speech stream, or fed by a test or an embedding.

        It is held until no other speaker may still finish earlier speech, then stored,
        analysed and published like any other; with ``clock`` (see ``__init__``) and ``tick``
        this drives a whole live session without audio.
        """
        if self.ended:
            return
        uid = getattr(utt, "id", "")  # set by speech streams that give interim captions
        if uid:
            self._closed_ids[uid] = None
            while len(self._closed_ids) > 1000:
                del self._closed_ids[next(iter(self._closed_ids))]
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
    def _track_stage(self, ev: Event) -> None:
        if ev.type == EventType.STAGE:
            self.stage = {"t": ev.t, **ev.data}

    def _on_interim(self, interim: Any) -> None:
        """Words recognised so far in an utterance still being spoken: shown, never analysed or stored."""
        if self.ended or self.paused or interim.id in self._closed_ids:
            return  # an interim never follows its utterance's final caption
        role = self.roles.get(interim.speaker)
        self.publish({"type": "caption", "id": interim.id, "final": False, "speaker": interim.speaker,
                      "role": str(role) if role else None, "start": round(interim.start, 2),
                      "end": None, "text": interim.text, "transcribed": True}, Audience.EVERYONE)

    def _emit(self, events: list[Event]) -> None:
        for ev in events:
            self._track_stage(ev)
            if ev.type == EventType.UTTERANCE:
                row = self.analyzer.utterance_row(ev.data["index"])
                base = {k: row[k] for k in ("index", "speaker", "role", "start", "end", "text", "transcribed")}
                self.publish(caption_message(self.analyzer, row["index"]), ev.audience)
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
        self._announce_skipped(now)
        self.publish(self.clock_message(), Audience.EVERYONE)

    def _announce_skipped(self, now: float) -> None:
        """Recognition fell behind and skipped speech: store it and tell every page (never silent)."""
        total = self.transcriber.stats.skipped_by_session.get(self.sid, 0) if self.transcriber is not None else 0
        if total <= self.skipped:
            return
        new, self.skipped = total - self.skipped, total
        for _ in range(new):
            self.store.add_event(self.sid, now, SKIPPED, {"audience": "everyone"})
        self.publish({"type": "transcription", "t": round(now, 2), "skipped": total,
                      "message": f"Transcription fell behind: {total} stretch(es) of speech were not transcribed. "
                                 "They still count for talk time."}, Audience.EVERYONE)

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
        self.publish(message, Audience.EVERYONE)
        return message

    async def finish(self, timeout: float = 30.0) -> None:
        """The call ended (its audio tracks are closed): wait for recognition, analyse the rest."""
        for s in self.streams.values():
            s.flush()
        if self.transcriber is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.transcriber.join, timeout)
            self.transcriber.forget(self.sid)
        # Recognition results are delivered to the loop with call_soon_threadsafe; let them land.
        for _ in range(3):
            await asyncio.sleep(0)
        self._release(force=True)
        self.ended = True
        self._announce_skipped(self.now())
        self._emit(self.analyzer.finish(self.now()))


def caption_message(analyzer: SessionAnalyzer, index: int) -> dict[str, Any]:
    """The final caption of analysed utterance ``index`` (live, and replayed to a page that reconnects)."""
    row = analyzer.utterance_row(index)
    utt = analyzer.ctx.utterances[index]
    return {"type": "caption", "id": getattr(utt, "id", "") or f"u{index}", "final": True,
            **{k: row[k] for k in ("index", "speaker", "role", "start", "end", "text", "transcribed")}}
