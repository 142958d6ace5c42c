"""One speaker's audio in, that speaker's ``Utterance``s out: the unit live calls and files share.

A ``SpeakerStream`` owns a ``SpeechSegmenter`` (webrtcvad) for one speaker and
sends each finished stretch of speech to a shared ``Transcriber`` (one worker
thread per session). A file is pushed through the same streams, faster than
real time, so a recording and a live call are one implementation.

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
- Without a running loop (files, tests) callbacks run on the worker thread;
  pass ``loop=`` to choose.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from companion.asr.whisper import ClipText, Transcriber
from companion.media.audio import SAMPLE_RATE, Resampler
from companion.media.vad import SpeechSegment, SpeechSegmenter, VadOptions
from companion.model import Utterance, Word

OnUtterance = Callable[[Utterance], Any]
OnActivity = Callable[[str, bool, float], Any]


class SpeakerStream:
    """VAD + recognition for one speaker; see the module docstring for the contract."""

    def __init__(self, speaker: str, transcriber: Transcriber | None, on_utterance: OnUtterance, *,
                 on_activity: OnActivity | None = None, vad: VadOptions | None = None,
                 loop: asyncio.AbstractEventLoop | None = None):
        self.speaker = speaker
        self.transcriber = transcriber
        self.on_utterance = on_utterance
        self.on_activity = on_activity
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

    # -- input ---------------------------------------------------------------------
    def feed(self, pcm: np.ndarray, t: float | None = None) -> None:
        """16 kHz mono int16 samples; ``t`` is the session time of ``pcm[0]`` (default: contiguous)."""
        self._handle(self.segmenter.push(pcm, t))

    def feed_frame(self, frame: Any, t: float | None = None) -> None:
        """An ``av.AudioFrame`` of any rate/layout (not modified); ``t`` as in ``feed``."""
        self.feed(self.resampler.resample(frame), t)

    def flush(self) -> None:
        """End of this speaker's audio: close any open stretch of speech."""
        self._handle(self.segmenter.flush())

    # -- output --------------------------------------------------------------------
    def _handle(self, events: list) -> None:
        for ev in events:
            if isinstance(ev, SpeechSegment):
                self._segment(ev)
        speaking = self.segmenter.speaking
        if speaking != self._speaking:
            self._speaking = speaking
            t = self.segmenter.time or 0.0
            if self.on_activity is not None:
                self._deliver(self.on_activity, self.speaker, speaking, t)

    def _segment(self, seg: SpeechSegment) -> None:
        if self.on_segment_closed is not None:
            self.on_segment_closed(seg, time.monotonic())
        if self.transcriber is None:
            self._deliver(self.on_utterance, self._utterance(seg, None))
            return
        self.pending += 1

        def done(clip: ClipText | None, seg=seg) -> None:
            self._deliver(self._finish, seg, clip)

        self.transcriber.submit(seg.audio if self.transcribe else None, done)

    def _finish(self, seg: SpeechSegment, clip: ClipText | None) -> None:
        self.pending -= 1
        self.on_utterance(self._utterance(seg, clip))

    def _utterance(self, seg: SpeechSegment, clip: ClipText | None) -> Utterance:
        if clip is None:
            return Utterance(self.speaker, seg.start, seg.end, transcribed=False)
        words = []
        for w in clip.words:
            # Clip times -> session times, kept inside the voiced span.
            start = min(max(seg.audio_start + w.start, seg.start), seg.end)
            end = min(max(seg.audio_start + w.end, start), seg.end)
            words.append(Word(round(start, 3), round(end, 3), w.text, w.probability))
        if not clip.text:
            # Nothing trustworthy was heard (noise, or a guard removed it all).
            return Utterance(self.speaker, seg.start, seg.end, transcribed=False)
        return Utterance(self.speaker, seg.start, seg.end, text=clip.text, words=words)

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
