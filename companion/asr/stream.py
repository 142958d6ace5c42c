"""One speaker's audio in, that speaker's ``Utterance``s out: the unit live calls and files share.

A ``SpeakerStream`` owns a ``SpeechSegmenter`` (webrtcvad) for one speaker and
sends each finished stretch of speech to a shared ``Transcriber`` (one worker
thread for the whole server; ``session=`` keeps sessions apart). A file is
pushed through the same streams, faster than real time, so a recording and a
live call are one implementation.

Using it from asyncio (the live call)::

    transcriber = Transcriber(engine)                 # or None: no model, timing only
    queue: asyncio.Queue[Utterance] = asyncio.Queue()
    stream = SpeakerStream("Alice", transcriber, queue.put_nowait,
                           on_activity=lambda speaker, speaking, t: ...)
    # created inside the running loop, so both callbacks run on the loop thread

    async for frame in track:                         # 48 kHz stereo from aiortc
        stream.feed_frame(frame, t=session_time_of(frame))   # cheap, never blocks
    stream.flush()                                    # track ended

- ``feed(pcm, t)`` / ``feed_frame(frame, t)`` run the VAD on the calling
  thread (microseconds per 30 ms frame) and return at once; recognition
  happens on the transcriber's worker thread.
- ``on_utterance(Utterance)`` is called once per stretch of speech, in order
  for this speaker, with text and word timings, or ``transcribed=False`` and
  empty text when there is no model, captions are paused
  (``stream.transcribe = False``) or the backlog policy skipped it.
  Utterance times are the voiced span (first to last voiced frame) in
  session seconds, so talk time is not inflated by padding.
- ``on_activity(speaker, speaking, t)`` fires when the speaker starts and stops
  talking (VAD only, no recognition delay): live talk balance and overlaps.
- Utterances of *different* speakers can arrive out of start order (the
  worker answers in submission order, and a segment is submitted when it
  ends); sort by ``start`` or feed the analyzer when all streams have passed
  a time if strict order matters.
- ``on_interim(Interim)`` (optional): while the speaker talks, about once a
  ``interim_every_s``, the words recognised so far for the open stretch of
  speech. Each stretch has an ``id`` (``Utterance.id``); its interims come
  before its final ``Utterance`` and never after it. Interim text is for
  display only: it is never analysed. Local agreement (as in streaming
  Whisper): ``Interim.committed`` is the prefix two successive decodes agreed
  on, which later interims keep; the rest of ``text`` may still change.
  Interims are skipped when the transcriber has finals waiting.
- Early finals (live streams, i.e. with ``on_interim``): once the speaker has
  been quiet for ``VadOptions.tail_ms`` the stretch's audio is complete, so it
  is recognised while the VAD's hangover still runs (when the worker is
  idle); the final is then ready when the stretch closes. Speech that goes
  on drops that result.
- Without a running loop (files, tests) callbacks run on the worker thread;
  pass ``loop=`` to choose.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.asr.engine import ClipText
from companion.asr.transcriber import Transcriber
from companion.media.audio import SAMPLE_RATE, Resampler
from companion.media.vad import SpeechSegment, SpeechSegmenter, SpeechStarted, VadOptions, VadState
from companion.model import Utterance, Word

OnUtterance = Callable[[Utterance], Any]
OnActivity = Callable[[str, bool, float], Any]


@dataclass(frozen=True, slots=True)
class Interim:
    """The words so far of a stretch of speech that has not ended (display only, never analysed)."""

    speaker: str
    #: The id the final ``Utterance`` of this stretch will carry.
    id: str
    #: Session time the stretch started (first voiced frame).
    start: float
    #: Everything heard so far.
    text: str
    #: The prefix of ``text`` that two decodes agreed on; later interims keep it.
    committed: str = ""


OnInterim = Callable[[Interim], Any]


def _key(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def agreed_prefix(a: list[str], b: list[str]) -> int:
    """How many leading words two hypotheses share (case and punctuation aside)."""
    n = 0
    for x, y in zip(a, b):
        if _key(x) != _key(y):
            break
        n += 1
    return n


class LocalAgreement:
    """Streaming Whisper's local agreement: words two successive decodes agree on are committed."""

    def __init__(self) -> None:
        self.committed: list[str] = []
        self._previous: list[str] | None = None

    def update(self, hypothesis: str) -> tuple[str, str]:
        """(text to show, committed prefix) after a new decode of the audio so far."""
        words = hypothesis.split()
        if self._previous is not None:
            n = agreed_prefix(self._previous, words)
            if n > len(self.committed) and agreed_prefix(self.committed, words) == len(self.committed):
                self.committed = self.committed + words[len(self.committed):n]  # committed words stay as shown
        self._previous = words
        k = len(self.committed)
        tail = words[k:] if agreed_prefix(self.committed, words) == k else words[min(k, len(words)):]
        committed = " ".join(self.committed)
        return " ".join(self.committed + tail), committed


@dataclass
class _Early:
    """An early final decode of the open stretch (see ``SpeakerStream._maybe_early_final``)."""

    uid: str
    audio_start: float
    ready: bool = False
    clip: ClipText | None = None
    segment: SpeechSegment | None = None


class SpeakerStream:
    """VAD + recognition for one speaker; see the module docstring for the contract."""

    def __init__(self, speaker: str, transcriber: Transcriber | None, on_utterance: OnUtterance, *,
                 on_activity: OnActivity | None = None, on_interim: OnInterim | None = None,
                 session: str = "", vad: VadOptions | None = None, interim_every_s: float = 1.0,
                 loop: asyncio.AbstractEventLoop | None = None):
        self.speaker = speaker
        self.transcriber = transcriber
        self.on_utterance = on_utterance
        self.on_activity = on_activity
        self.on_interim = on_interim
        self.session = session
        self.interim_every_s = interim_every_s
        self.segmenter = SpeechSegmenter(vad)
        self.resampler = Resampler()
        #: Set False to pause captions: speech still counts, nothing is recognised.
        self.transcribe = True
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
        self.loop = loop
        self._speaking = False
        #: Utterances submitted for recognition and not yet delivered.
        self.pending = 0
        #: Called with (segment, monotonic time) when a stretch of speech closes (latency benchmarks).
        self.on_segment_closed: Callable[[SpeechSegment, float], Any] | None = None
        self._count = 0
        self._current: tuple[str, float] | None = None  # (id, start) of the open stretch
        # Recent audio, for interim decodes of the open stretch.
        self._buf: list[np.ndarray] = []
        self._buf_t0 = 0.0
        self._buf_n = 0
        self._agreement = LocalAgreement()
        self._interim_in_flight = False
        self._next_interim_t = 0.0
        self._preroll_s = self.segmenter.options.preroll_ms / 1000
        self._tail_s = min(self.segmenter.options.tail_ms, self.segmenter.options.hangover_ms) / 1000
        # Early final: decoded once the speaker has been quiet for the tail, before the hangover ends.
        self._quiet_since: float | None = None
        self._early: _Early | None = None

    # -- input ---------------------------------------------------------------------
    def feed(self, pcm: np.ndarray, t: float | None = None) -> None:
        """16 kHz mono int16 samples; ``t`` is the session time of ``pcm[0]`` (default: contiguous)."""
        if self.on_interim is not None:
            self._remember(pcm, t)
        self._handle(self.segmenter.push(pcm, t))
        if self.on_interim is not None and self._current is not None:
            self._maybe_early_final()
            self._maybe_interim()

    def feed_frame(self, frame: Any, t: float | None = None) -> None:
        """An ``av.AudioFrame`` of any rate/layout (not modified); ``t`` as in ``feed``."""
        self.feed(self.resampler.resample(frame), t)

    def flush(self) -> None:
        """End of this speaker's audio: close any open stretch of speech."""
        self._handle(self.segmenter.flush())

    # -- interim captions ------------------------------------------------------------------
    def _remember(self, pcm: np.ndarray, t: float | None) -> None:
        end = self._buf_t0 + self._buf_n / SAMPLE_RATE
        if t is not None and abs(t - end) > 0.1:  # a gap: start over at t
            self._buf, self._buf_n, self._buf_t0 = [], 0, t
        self._buf.append(pcm.reshape(-1))
        self._buf_n += pcm.size
        # Keep what an open stretch can need (it is cut at max_segment_s), else the last second.
        keep_s = self.segmenter.options.max_segment_s + 2 if self._current is not None else 1.0
        while self._buf and self._buf_n - len(self._buf[0]) >= keep_s * SAMPLE_RATE:
            first = self._buf.pop(0)
            self._buf_n -= len(first)
            self._buf_t0 += len(first) / SAMPLE_RATE

    def _maybe_interim(self) -> None:
        now = self._buf_t0 + self._buf_n / SAMPLE_RATE
        if (self.transcriber is None or self._current is None or not self.transcribe
                or self._interim_in_flight or now < self._next_interim_t or self._quiet_since is not None):
            return
        uid, start = self._current
        if now - start < self.interim_every_s:
            return
        first = max(0, int((start - self._preroll_s - self._buf_t0) * SAMPLE_RATE))
        audio = np.concatenate(self._buf)[first:]
        self._next_interim_t = now + self.interim_every_s

        def done(text: str | None, uid=uid, start=start) -> None:
            self._deliver(self._interim_done, uid, start, text)

        self._interim_in_flight = self.transcriber.submit_interim(audio, done, key=(self.session, self.speaker))

    def _maybe_early_final(self) -> None:
        """Recognise the stretch as soon as the speaker has been quiet for ``tail_ms``, if the worker is idle.

        The segment closes only after ``hangover_ms`` of quiet (a shorter
        pause stays inside it), but its audio ends ``tail_ms`` after the last
        voiced frame: once that much quiet has passed, the audio the final
        needs is all here. Decoding it then, while the hangover runs, makes
        the final caption that much sooner; if the speaker goes on, the
        result is dropped (only idle time was spent on it).
        """
        now = self._buf_t0 + self._buf_n / SAMPLE_RATE
        if self.segmenter.state is not VadState.STOPPING:
            self._quiet_since = None
            if self._early is not None and self._current is not None and self._early.uid == self._current[0]:
                self._early = None  # the speaker went on: that decode is stale
            return
        if self._quiet_since is None:
            self._quiet_since = now
        if (self._early is not None or self.transcriber is None or not self.transcribe or self._current is None
                or now - self._quiet_since < self._tail_s):
            return
        uid, start = self._current
        first = max(0, int((start - self._preroll_s - self._buf_t0) * SAMPLE_RATE))
        last = int((self._quiet_since + self._tail_s - self._buf_t0) * SAMPLE_RATE)
        audio = np.concatenate(self._buf)[first:last]
        early = _Early(uid, self._buf_t0 + first / SAMPLE_RATE)

        def done(clip: ClipText | None, early=early) -> None:
            self._deliver(self._early_done, early, clip)

        if self.transcriber.submit(audio, done, session=self.session, if_idle=True):
            self._early = early

    def _early_done(self, early: _Early, clip: ClipText | None) -> None:
        early.clip, early.ready = clip, True
        if early.segment is not None:
            self._finish(early.segment, self._shift(clip, early, early.segment), early.uid)

    @staticmethod
    def _shift(clip: ClipText | None, early: _Early, seg: SpeechSegment) -> ClipText | None:
        """Word times from the early clip's start to the segment audio's start."""
        if clip is None or not clip.words:
            return clip
        d = early.audio_start - seg.audio_start
        return ClipText(clip.text, [Word(w.start + d, w.end + d, w.text, w.probability) for w in clip.words],
                        clip.dropped)

    def _interim_done(self, uid: str, start: float, text: str | None) -> None:
        self._interim_in_flight = False
        if text is None or self._current is None or self._current[0] != uid or self.on_interim is None:
            return  # skipped, or the stretch has ended: its final is on the way
        shown, committed = self._agreement.update(text)
        if shown:
            self.on_interim(Interim(self.speaker, uid, start, shown, committed))

    # -- output --------------------------------------------------------------------
    def _handle(self, events: list) -> None:
        for ev in events:
            if isinstance(ev, SpeechSegment):
                self._segment(ev)
            elif isinstance(ev, SpeechStarted):
                self._open(ev.t)
        speaking = self.segmenter.speaking
        if speaking != self._speaking:
            self._speaking = speaking
            t = self.segmenter.time or 0.0
            if self.on_activity is not None:
                self._deliver(self.on_activity, self.speaker, speaking, t)

    def _open(self, t: float) -> str:
        self._count += 1
        self._current = (f"{self.speaker}#{self._count}", t)
        self._agreement = LocalAgreement()
        self._next_interim_t = 0.0
        return self._current[0]

    def _segment(self, seg: SpeechSegment) -> None:
        uid = self._current[0] if self._current is not None else self._open(seg.start)
        self._current = None
        self._quiet_since = None
        early, self._early = self._early, None
        if self.on_segment_closed is not None:
            self.on_segment_closed(seg, time.monotonic())
        if self.transcriber is None:
            self._deliver(self.on_utterance, self._utterance(seg, None, uid))
            return
        self.pending += 1
        if early is not None and early.uid == uid and not seg.split and self.transcribe:
            if early.ready:  # through the loop like every final, so they stay in order
                self._deliver(self._finish, seg, self._shift(early.clip, early, seg), uid)
            else:
                early.segment = seg  # its final is delivered when the early decode answers
            return

        def done(clip: ClipText | None, seg=seg, uid=uid) -> None:
            self._deliver(self._finish, seg, clip, uid)

        self.transcriber.submit(seg.audio if self.transcribe else None, done, session=self.session)

    def _finish(self, seg: SpeechSegment, clip: ClipText | None, uid: str) -> None:
        self.pending -= 1
        self.on_utterance(self._utterance(seg, clip, uid))

    def _utterance(self, seg: SpeechSegment, clip: ClipText | None, uid: str) -> Utterance:
        if clip is None or not clip.text:
            # Not transcribed, or nothing trustworthy was heard (noise, or a guard removed it all).
            return Utterance(self.speaker, seg.start, seg.end, transcribed=False, id=uid)
        words = []
        for w in clip.words:
            # Clip times -> session times, kept inside the voiced span.
            start = min(max(seg.audio_start + w.start, seg.start), seg.end)
            end = min(max(seg.audio_start + w.end, start), seg.end)
            words.append(Word(round(start, 3), round(end, 3), w.text, w.probability))
        return Utterance(self.speaker, seg.start, seg.end, text=clip.text, words=words, id=uid)

    def _deliver(self, fn: Callable, *args: Any) -> None:
        if self.loop is None or self.loop.is_closed():
            fn(*args)
        else:
            self.loop.call_soon_threadsafe(fn, *args)


def feed_file_track(stream: SpeakerStream, pcm: np.ndarray, chunk_s: float = 30.0) -> None:
    """Push a whole decoded track through ``stream`` (as fast as it goes) and flush it."""
    step = int(chunk_s * SAMPLE_RATE)
    stream.feed(pcm[:step], 0.0)
    for i in range(step, len(pcm), step):
        stream.feed(pcm[i:i + step])
    stream.flush()
