"""Speech segmentation with webrtcvad: pure, synchronous, one instance per speaker.

``SpeechSegmenter.push(pcm, t)`` takes 16 kHz mono int16 samples (any length)
and returns what happened: ``SpeechStarted`` when someone starts talking and a
``SpeechSegment`` when a stretch of speech is over. Talk time, turns and
overlaps come from these segments alone, so they exist whether or not the
speech is ever transcribed.

The segmenter is an explicit state machine over fixed VAD frames::

    QUIET --voiced--> STARTING --enough voiced--> SPEAKING --unvoiced--> STOPPING
      ^                  |                           ^                     |
      +----unvoiced------+                           +------voiced---------+
      ^                                                                    |
      +------------------- hangover of unvoiced frames --------------------+

Two different spans come out of a segment, on purpose:

- ``start``/``end``: from the first to the last *voiced* frame. This is what
  talk time and captions use, so padding does not inflate anyone's share.
- ``audio`` (from ``audio_start``): the same speech plus ``preroll_ms`` before
  and up to ``tail_ms`` after, so the recogniser hears word onsets and the
  trailing consonants that the VAD calls silence.

Long speech is cut so captions stay timely: after ``split_after_s`` a pause
of ``split_pause_ms`` ends the segment, and ``max_segment_s`` is a hard cut
(Whisper sees 30 s windows; a segment must fit one).

We use the maintained ``webrtcvad-wheels`` distribution; it imports as
``webrtcvad``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import webrtcvad

from companion.media.audio import SAMPLE_RATE

#: How far a caller's timestamp may stray from the sample clock before it counts as a gap.
GAP_TOLERANCE_S = 0.1

#: webrtcvad's internal hangover by aggressiveness (WebRTC vad_core.c, kOverHangMax2*).
_WEBRTC_OVERHANG_S = {0: 0.14, 1: 0.14, 2: 0.09, 3: 0.09}


@dataclass(frozen=True)
class VadOptions:
    """Segmenter settings. Times are in milliseconds unless the name says ``_s``."""

    #: webrtcvad aggressiveness, 0 (keeps most audio) to 3 (drops most non-speech).
    aggressiveness: int = 2
    #: VAD frame length; webrtcvad accepts 10, 20 or 30 ms.
    frame_ms: int = 30
    #: Voiced audio needed before speech counts as started; shorter bursts
    #: (clicks, bumps, a cough's onset) are ignored and never become segments.
    #: webrtcvad stretches every burst by its own hangover, hence well over 90.
    start_ms: int = 150
    #: Unvoiced frames tolerated while starting before we decide it was a click.
    start_gap_frames: int = 1
    #: Audio kept before the first voiced frame and given to the recogniser.
    preroll_ms: int = 300
    #: Unvoiced audio that ends a segment (shorter pauses stay inside it).
    hangover_ms: int = 450
    #: Audio kept after the last voiced frame for the recogniser (at most the hangover).
    tail_ms: int = 250
    #: After this much speech, a shorter pause (``split_pause_ms``) ends the segment.
    split_after_s: float = 12.0
    #: The pause that ends a segment once it is longer than ``split_after_s``.
    split_pause_ms: int = 150
    #: Hard limit: a segment is cut here even without a pause.
    max_segment_s: float = 25.0
    #: webrtcvad keeps answering "speech" for its own built-in hangover after
    #: speech stops (90 ms in modes 2-3, 140 ms in modes 0-1); move segment
    #: ends back by that much so talk time is not inflated.
    correct_vad_hangover: bool = True
    #: webrtcvad calls loud broadband noise (clipping, static, a fan) speech.
    #: A segment whose median spectral flatness (0 = tonal, 1 = white noise;
    #: speech is about 0.01, white noise 0.55) is above this is dropped.
    max_noise_flatness: float | None = 0.3

    def __post_init__(self) -> None:
        if self.frame_ms not in (10, 20, 30):
            raise ValueError("frame_ms must be 10, 20 or 30")
        if not 0 <= self.aggressiveness <= 3:
            raise ValueError("aggressiveness must be 0..3")


class VadState(StrEnum):
    QUIET = "quiet"
    STARTING = "starting"
    SPEAKING = "speaking"
    STOPPING = "stopping"


@dataclass(slots=True)
class SpeechStarted:
    """Speech began at ``t`` (session seconds): the first voiced frame."""

    t: float


@dataclass(slots=True)
class SpeechSegment:
    """A finished stretch of speech."""

    #: First voiced frame, session seconds.
    start: float
    #: End of the last voiced frame, session seconds.
    end: float
    #: 16 kHz int16 audio for the recogniser: pre-roll + speech + tail.
    audio: np.ndarray
    #: Session time of ``audio[0]``.
    audio_start: float
    #: True when the segment was cut for length, not ended by a long pause.
    split: bool = False

    @property
    def duration(self) -> float:
        return self.end - self.start


SegmenterEvent = SpeechStarted | SpeechSegment


class SpeechSegmenter:
    """webrtcvad state machine for one speaker's 16 kHz mono int16 audio."""

    def __init__(self, options: VadOptions | None = None):
        self.options = o = options or VadOptions()
        self._vad = webrtcvad.Vad(o.aggressiveness)
        self.frame_len = SAMPLE_RATE * o.frame_ms // 1000
        self.frame_s = o.frame_ms / 1000
        self._frames_for = lambda ms: max(1, round(ms / o.frame_ms))
        self._start_frames = self._frames_for(o.start_ms)
        self._hangover_frames = self._frames_for(o.hangover_ms)
        self._tail_frames = min(self._hangover_frames, round(o.tail_ms / o.frame_ms))
        self._split_pause_frames = self._frames_for(o.split_pause_ms)
        self._preroll: deque[np.ndarray] = deque(maxlen=round(o.preroll_ms / o.frame_ms))
        self.state = VadState.QUIET
        self._pending = np.zeros(0, dtype=np.int16)
        self._t: float | None = None  # session time of the next frame
        self._reset_segment()

    def _reset_segment(self) -> None:
        self._frames: list[np.ndarray] = []  # the current segment's audio, frame by frame
        self._audio_start = 0.0
        self._speech_start = 0.0
        self._last_voiced_end = 0.0
        self._voiced_count = 0  # voiced frames while STARTING
        self._gap_count = 0  # unvoiced frames while STARTING
        self._silence_count = 0  # unvoiced frames while STOPPING

    @property
    def speaking(self) -> bool:
        """True while a segment is open (speaking or in its hangover)."""
        return self.state in (VadState.SPEAKING, VadState.STOPPING)

    @property
    def time(self) -> float | None:
        """Session time up to which audio has been consumed."""
        return self._t

    def push(self, pcm: np.ndarray, t: float | None = None) -> list[SegmenterEvent]:
        """Consume samples; ``t`` is the session time of ``pcm[0]`` (default: right after the last push).

        A ``t`` more than ``GAP_TOLERANCE_S`` away from where the audio so far
        ends is a gap (a muted or stalled track): any open segment is closed and
        the clock restarts at ``t``. Smaller differences (resampler delay, clock
        jitter) are absorbed, so samples are never dropped or doubled.
        """
        events: list[SegmenterEvent] = []
        if t is not None:
            expected = None if self._t is None else self._t + len(self._pending) / SAMPLE_RATE
            if expected is None or abs(t - expected) > GAP_TOLERANCE_S:
                if expected is not None:
                    events.extend(self.flush())
                self._pending = np.zeros(0, dtype=np.int16)
                self._t = t
        elif self._t is None:
            self._t = 0.0
        if pcm.dtype != np.int16:
            raise TypeError("the segmenter takes int16 samples")
        buf = np.concatenate([self._pending, pcm.reshape(-1)]) if len(self._pending) else pcm.reshape(-1)
        n = len(buf) // self.frame_len
        for i in range(n):
            frame = buf[i * self.frame_len:(i + 1) * self.frame_len]
            events.extend(self._step(frame))
        self._pending = buf[n * self.frame_len:].copy()
        return events

    def flush(self) -> list[SegmenterEvent]:
        """End of audio: close an open segment at its last voiced frame."""
        events: list[SegmenterEvent] = []
        if self.speaking:
            seg = self._close(split=False, after_silence=self.state is VadState.STOPPING)
            if seg is not None:
                events.append(seg)
        self.state = VadState.QUIET
        self._reset_segment()
        self._preroll.clear()
        if self._t is not None:
            self._t += len(self._pending) / SAMPLE_RATE
        self._pending = np.zeros(0, dtype=np.int16)
        return events

    # -- the state machine -------------------------------------------------
    def _step(self, frame: np.ndarray) -> list[SegmenterEvent]:
        t = self._t
        assert t is not None  # set by the first feed
        self._t = t + self.frame_s
        voiced = self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)
        o = self.options
        S = VadState
        if self.state is S.QUIET:
            if voiced:
                self.state = S.STARTING
                self._audio_start = t - len(self._preroll) * self.frame_s
                self._frames = list(self._preroll)
                self._speech_start = t
                self._voiced_count, self._gap_count = 1, 0
                self._frames.append(frame)
                self._last_voiced_end = t + self.frame_s
                if self._voiced_count >= self._start_frames:
                    return self._started()
            else:
                self._preroll.append(frame)
            return []

        self._frames.append(frame)
        if self.state is S.STARTING:
            if voiced:
                self._voiced_count += 1
                self._last_voiced_end = t + self.frame_s
                if self._voiced_count >= self._start_frames:
                    return self._started()
            else:
                self._gap_count += 1
                if self._gap_count > o.start_gap_frames:
                    # A click, not speech: back to quiet, keeping the audio as pre-roll.
                    for f in self._frames[-self._preroll.maxlen:] if self._preroll.maxlen else []:
                        self._preroll.append(f)
                    self.state = S.QUIET
                    self._reset_segment()
            return []

        if voiced:
            self.state = S.SPEAKING
            self._silence_count = 0
            self._last_voiced_end = t + self.frame_s
            if self._last_voiced_end - self._speech_start >= o.max_segment_s:
                return self._cut(split=True, continue_speaking=True)
            return []

        # Unvoiced while speaking or stopping.
        self.state = S.STOPPING
        self._silence_count += 1
        long_enough = self._last_voiced_end - self._speech_start >= o.split_after_s
        if self._silence_count >= self._hangover_frames:
            return self._cut(split=False, continue_speaking=False)
        if long_enough and self._silence_count >= self._split_pause_frames:
            return self._cut(split=True, continue_speaking=False)
        return []

    def _started(self) -> list[SegmenterEvent]:
        self.state = VadState.SPEAKING
        self._silence_count = 0
        return [SpeechStarted(round(self._speech_start, 3))]

    def _cut(self, *, split: bool, continue_speaking: bool) -> list[SegmenterEvent]:
        events: list[SegmenterEvent] = []
        trailing = self._frames[len(self._frames) - self._silence_count:] if self._silence_count else []
        seg = self._close(split=split, after_silence=not continue_speaking)
        if seg is not None:
            events.append(seg)
        self._preroll.clear()
        if continue_speaking:
            # A hard cut inside speech: the next segment starts right here.
            now = self._t
            assert now is not None
            self._reset_segment()
            self._audio_start = self._speech_start = now
            self._last_voiced_end = now
            self.state = VadState.SPEAKING
            events.append(SpeechStarted(round(now, 3)))
        else:
            for f in trailing[-self._preroll.maxlen:] if self._preroll.maxlen else []:
                self._preroll.append(f)
            self.state = VadState.QUIET
            self._reset_segment()
        return events

    def _close(self, *, split: bool, after_silence: bool) -> SpeechSegment | None:
        """The open segment as a ``SpeechSegment`` (None when it holds no speech)."""
        start, end = self._speech_start, self._last_voiced_end
        if end <= start:
            return None
        # Keep audio up to ``tail_ms`` past the last voiced frame.
        voiced_frames = round((end - self._audio_start) / self.frame_s)
        if self.options.max_noise_flatness is not None:
            first = round((start - self._audio_start) / self.frame_s)
            voiced = self._frames[first:voiced_frames]
            if voiced and spectral_flatness(voiced) > self.options.max_noise_flatness:
                return None
        if after_silence and self.options.correct_vad_hangover:
            end = max(start + (end - start) / 2, end - _WEBRTC_OVERHANG_S[self.options.aggressiveness])
        keep = min(len(self._frames), voiced_frames + self._tail_frames)
        audio = np.concatenate(self._frames[:keep]) if keep else np.zeros(0, dtype=np.int16)
        return SpeechSegment(start=round(start, 3), end=round(end, 3), audio=audio,
                             audio_start=round(self._audio_start, 3), split=split)


def spectral_flatness(frames: list[np.ndarray]) -> float:
    """Median Wiener entropy of the frames: near 0 for voices and tones, about 0.55 for white noise."""
    x = np.stack(frames).astype(np.float32) * np.hanning(len(frames[0])).astype(np.float32)
    power = np.abs(np.fft.rfft(x, axis=1)) ** 2 + 1e-3
    flatness = np.exp(np.mean(np.log(power), axis=1)) / np.mean(power, axis=1)
    return float(np.median(flatness))
