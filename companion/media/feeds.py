"""Feeds: what one listener receives from one other participant, and the tap on a speaker's audio.

Audio is forwarded, not re-encoded. ``AudioTap`` sits where aiortc's receiver
hands each reassembled Opus frame to its decoder thread; it passes the frame,
as it arrives, to every listener's ``PacketFeed`` (an outgoing track whose
``recv`` returns ``OpusPacket``s, which aiortc's sender packs without
encoding) and, only when someone transcribes this speaker, to one
``SpeechTrack`` that decodes it once, straight to 16 kHz mono s16 (libopus,
``media.opus``), handing the samples on in 60 ms chunks. aiortc's own decoder
thread then has nothing to do. That
receiver queue is an aiortc internal, hence the upper bound on aiortc in
pyproject.toml; ``tests/test_rtc.py`` checks the tap is still installable.

Video still goes through aiortc's ``MediaRelay`` and a frame ``Feed`` (decoded
once, re-encoded per listener): forwarding VP8 would need keyframe requests
forwarded on every join, which aiortc does not expose.

Both feed kinds can switch source while the call runs (``attach``) and keep
their timestamps monotonic across a switch, so the browser's jitter buffer
never sees time go backwards; while no source is attached, ``recv`` waits and
nothing is sent.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import queue
import time
from collections import deque
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCRtpReceiver
from aiortc.jitterbuffer import MAX_MISORDER, JitterBuffer, JitterFrame
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import RtpPacket

from companion.media import opus

log = logging.getLogger(__name__)

#: Frames a feed keeps when its sender falls behind (audio: 1 s of 20 ms packets).
FEED_QUEUE = {"audio": 50, "video": 2}
#: Opus's RTP clock, and the rate speech is decoded at for the VAD and Whisper.
OPUS_RATE = 48_000
SPEECH_RATE = 16_000
#: Samples in one Opus packet when the source gives no other clue (20 ms).
OPUS_PACKET = 960
#: Speech is handed to the consumer (VAD, Whisper) in chunks of about this much audio: three
#: 20 ms packets, one wake-up of the consumer instead of three; 60 ms is two VAD frames and
#: adds at most 40 ms before the VAD hears a packet (its end-of-speech hangover is 450 ms).
BATCH_MS = 60

_TIME_BASES: dict[int, fractions.Fraction] = {}


def _time_base(rate: int) -> fractions.Fraction:
    tb = _TIME_BASES.get(rate)
    if tb is None:
        tb = _TIME_BASES[rate] = fractions.Fraction(1, rate)
    return tb


# -- audio: forwarded Opus packets ----------------------------------------------------------------

class AudioTap(queue.Queue):
    """One speaker's incoming Opus frames, forwarded to listeners and (optionally) decoded once.

    Installed in place of the receiver's decoder queue (``AudioTap.install``);
    aiortc calls ``put((codec, encoded_frame))`` on the event loop for each
    frame and ``put(None)`` when the receiver stops.

    ``install`` also swaps the receiver's audio jitter buffer for ``PassThrough``:
    aiortc's holds four frames before releasing one, 80 ms added to every
    forwarded packet (and a scan of the buffer per packet), where the listener's
    browser already runs its own jitter buffer.
    """

    def __init__(self, original: queue.Queue | None = None):
        super().__init__()
        self._original = original
        self.listeners: set[PacketFeed] = set()
        self._speech: SpeechTrack | None = None
        self.packets = 0
        self.closed = False

    @classmethod
    def install(cls, receiver: RTCRtpReceiver) -> AudioTap:
        attr = "_RTCRtpReceiver__decoder_queue"
        original = getattr(receiver, attr, None)
        if not isinstance(original, queue.Queue):
            raise RuntimeError("this aiortc version has no receiver decoder queue to tap (see pyproject bounds)")
        buffer = "_RTCRtpReceiver__jitter_buffer"
        if not isinstance(getattr(receiver, buffer, None), JitterBuffer):
            raise RuntimeError("this aiortc version has no receiver jitter buffer to replace (see pyproject bounds)")
        tap = cls(original)
        setattr(receiver, attr, tap)
        setattr(receiver, buffer, PassThrough())
        return tap

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:  # the receiver stopped: end the decoder thread (whichever queue it reads) and us
            super().put(None)
            if self._original is not None:
                self._original.put(None)
            self.close()
            return
        _codec, frame = item
        self.packets += 1
        data, ts = frame.data, frame.timestamp
        for feed in self.listeners:
            feed.push(data, ts)
        if self._speech is not None:
            self._speech.push(data, ts)

    def speech(self) -> SpeechTrack:
        """This speaker's audio decoded once at 16 kHz mono (made on first call)."""
        if self._speech is None:
            self._speech = SpeechTrack()
            if self.closed:
                self._speech.end()
        return self._speech

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for feed in list(self.listeners):
            feed.detach()
        if self._speech is not None:
            self._speech.end()


class PassThrough:
    """An audio "jitter buffer" that releases each packet as it arrives (one Opus frame per RTP packet).

    A packet older than the last one released (reordered or duplicated) is
    dropped, so what follows still sees time only move forward (aiortc reads a
    smaller RTP timestamp as a wrap); the listener's browser conceals it, as it
    conceals a lost one. One far behind (``MAX_MISORDER``) is a restarted stream,
    as in aiortc's own buffer.
    """

    capacity = 16  # what aiortc's audio buffer reports; nothing is held here

    def __init__(self) -> None:
        self._last: int | None = None
        self.dropped = 0

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        seq = packet.sequence_number
        if self._last is not None and 0 <= (self._last - seq) & 0xFFFF < MAX_MISORDER:
            self.dropped += 1
            return False, None
        self._last = seq
        return False, JitterFrame(data=packet._data, timestamp=packet.timestamp)  # type: ignore[attr-defined]


class _QueuedTrack(MediaStreamTrack):
    """An outgoing track that hands out what was queued for it, waiting when nothing is.

    The queue is bounded (``FEED_QUEUE``): a listener that falls behind loses the oldest items,
    never the newest. Subclasses ``_put`` items and say how to ``detach``. The waiting sender
    holds one future (an ``asyncio.Event`` would look up the running loop on every packet).
    """

    def __init__(self, kind: str) -> None:
        super().__init__()
        self._queue: deque = deque(maxlen=FEED_QUEUE[kind])
        self._waiter: asyncio.Future | None = None
        self.frames = 0

    def detach(self) -> None:
        raise NotImplementedError

    def _put(self, item: Any) -> None:
        self._queue.append(item)
        self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def recv(self):
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            if self._queue:
                self.frames += 1
                return self._queue.popleft()
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter

    def stop(self) -> None:
        self.detach()
        super().stop()
        self._wake()


class OpusPacket(bytes):
    """One forwarded Opus packet: its bytes, ``pts`` and ``time_base``, all aiortc's sender reads.

    aiortc packs anything that is not a decoded frame by ``bytes(packet)``,
    ``packet.pts`` and ``packet.time_base`` (``codecs.opus.OpusEncoder.pack``);
    this is that, without building an ``av.Packet`` and converting its time base
    to and from FFmpeg's rational per packet.
    """

    time_base = fractions.Fraction(1, OPUS_RATE)
    pts: int

    def __new__(cls, data: bytes, pts: int) -> OpusPacket:
        packet = super().__new__(cls, data)
        packet.pts = pts
        return packet


class PacketFeed(_QueuedTrack):
    """An outgoing audio track that forwards a speaker's Opus packets, restamped onto its own clock."""

    kind = "audio"

    def __init__(self, listener: str, speaker: str):
        super().__init__("audio")
        self.listener = listener
        self.speaker = speaker
        self._source: AudioTap | None = None
        self._offset: int | None = None
        self._t0 = time.monotonic()
        self._next_pts = 0
        self._last_in: int | None = None

    @property
    def attached(self) -> bool:
        return self._source is not None

    def attach(self, tap: AudioTap) -> None:
        self.detach()
        # After a gap, continue from wall-clock time rather than where we left off.
        self._next_pts = max(self._next_pts, int((time.monotonic() - self._t0) * OPUS_RATE))
        self._offset = None
        self._last_in = None
        self._source = tap
        tap.listeners.add(self)

    def detach(self) -> None:
        if self._source is not None:
            self._source.listeners.discard(self)
            self._source = None

    def push(self, data: bytes, ts: int) -> None:
        if self._offset is None:
            self._offset = self._next_pts - ts
        elif self._last_in is not None and ts <= self._last_in:
            return  # a late duplicate or reordered packet: the browser's jitter buffer conceals it
        pts = ts + self._offset
        step = OPUS_PACKET if self._last_in is None else min(ts - self._last_in, OPUS_PACKET)
        self._last_in = ts
        self._next_pts = pts + step
        self._put(OpusPacket(data, pts))



class SpeechTrack(MediaStreamTrack):
    """A speaker's audio for transcription: each Opus packet decoded once, to 16 kHz mono s16.

    Decoding happens as packets arrive (``push``, on the event loop), with
    libopus asked for 16 kHz mono (``media.opus``; PyAV's 48 kHz decoder and
    libswresample when libopus cannot be loaded). Samples are handed on in
    chunks of about ``BATCH_MS`` (three packets), so the consumer wakes once per
    chunk rather than once per packet; a chunk never spans a gap in the
    sender's RTP clock. ``read_pcm`` gives ``(samples, pts)``; ``recv`` gives the
    same as ``av.AudioFrame``s for any other consumer. ``pts`` are in 1/16000 s
    on the sender's RTP clock, so gaps (a muted or stalled sender) stay visible.
    Ends (``MediaStreamError``) when the speaker's receiver stops.
    """

    kind = "audio"

    def __init__(self, batch_ms: int | None = None) -> None:
        super().__init__()
        self._decode = _LibopusSpeech() if opus.available() else _PyAvSpeech()
        self._batch = SPEECH_RATE * (BATCH_MS if batch_ms is None else batch_ms) // 1000
        self._chunks: deque[tuple[np.ndarray, int]] = deque()
        self._parts: list[np.ndarray] = []
        self._parts_n = 0
        self._parts_pts = 0
        self._next_ts: int | None = None
        self._waiter: asyncio.Future | None = None
        self._ended = False
        self.decode_errors = 0

    def push(self, data: bytes, ts: int) -> None:
        if self._ended or (self._next_ts is not None and ts < self._next_ts):
            return  # late (reordered or duplicated): its time has already been handed on
        try:
            pcm, duration = self._decode(data)
        except (opus.OpusError, av.FFmpegError) as e:
            self.decode_errors += 1
            log.debug("cannot decode an Opus packet: %s", e)
            return
        if self._parts and ts != self._next_ts:
            self._hand_on()  # a lost or restarted packet: a chunk ends where the audio stops being contiguous
        if not self._parts:
            self._parts_pts = ts * SPEECH_RATE // OPUS_RATE
        self._next_ts = ts + duration
        if len(pcm):
            self._parts.append(pcm)
            self._parts_n += len(pcm)
            if self._parts_n >= self._batch:
                self._hand_on()

    def end(self) -> None:
        self._hand_on()
        self._ended = True
        self._wake()

    def _hand_on(self) -> None:
        if not self._parts:
            return
        pcm = self._parts[0] if len(self._parts) == 1 else np.concatenate(self._parts)
        self._chunks.append((pcm, self._parts_pts))
        self._parts, self._parts_n = [], 0
        self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def read_pcm(self) -> tuple[np.ndarray, int]:
        """The next chunk: 16 kHz mono int16 samples and the pts of the first, in 1/16000 s."""
        while not self._chunks:
            if self._ended or self.readyState != "live":
                self.stop()
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        return self._chunks.popleft()

    async def recv(self) -> av.AudioFrame:
        pcm, pts = await self.read_pcm()
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = SPEECH_RATE, pts, _time_base(SPEECH_RATE)
        return frame

    def stop(self) -> None:
        super().stop()
        self._wake()


class _LibopusSpeech:
    """Packet -> (16 kHz mono samples, duration in 48 kHz RTP ticks), in libopus."""

    def __init__(self) -> None:
        self._decoder = opus.Decoder(SPEECH_RATE, 1)

    def __call__(self, data: bytes) -> tuple[np.ndarray, int]:
        pcm = self._decoder.decode(data)
        return pcm, len(pcm) * (OPUS_RATE // SPEECH_RATE)


class _PyAvSpeech:
    """The same with PyAV: FFmpeg decodes at 48 kHz, libswresample takes it to 16 kHz mono."""

    def __init__(self) -> None:
        self._decoder = av.CodecContext.create("libopus", "r")
        self._decoder.sample_rate = OPUS_RATE
        self._decoder.layout = "mono"
        self._decoder.format = "s16"
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)

    def __call__(self, data: bytes) -> tuple[np.ndarray, int]:
        out, duration = [], 0
        for decoded in self._decoder.decode(av.Packet(data)):
            duration += decoded.samples
            decoded.pts = None  # timing comes from RTP; without pts the resampler does less
            out += [np.frombuffer(memoryview(f.planes[0]), np.int16, f.samples).copy()
                    for f in self._resampler.resample(decoded)]
        pcm = out[0] if len(out) == 1 else np.concatenate(out) if out else np.zeros(0, np.int16)
        return pcm, duration


# -- video (and any decoded source): frames copied and restamped ----------------------------------

class Feed(_QueuedTrack):
    """An outgoing track of decoded frames whose source can be switched while the call runs.

    Frames are copied before their timestamps are rewritten (the relay shares
    frame objects between consumers).
    """

    def __init__(self, kind: str, listener: str, speaker: str):
        super().__init__(kind)
        self.kind = kind
        self.listener = listener
        self.speaker = speaker
        self._pump: asyncio.Task | None = None
        self._source: MediaStreamTrack | None = None
        self._t0 = time.monotonic()
        self._next_pts = 0

    @property
    def attached(self) -> bool:
        return self._source is not None

    def attach(self, source: MediaStreamTrack) -> None:
        self.detach()
        rate = OPUS_RATE if self.kind == "audio" else 90000
        self._next_pts = max(self._next_pts, int((time.monotonic() - self._t0) * rate))
        self._source = source
        self._pump = asyncio.ensure_future(self._run(source))

    def detach(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        if self._source is not None:
            self._source.stop()
            self._source = None

    async def _run(self, source: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await source.recv()
                self._put(self._restamp(frame))
        except MediaStreamError:
            pass
        finally:
            if self._source is source:
                self._source = None
                self._pump = None

    def _restamp(self, frame):
        if self.kind == "audio":
            out = _copy_audio(frame)
            out.sample_rate = frame.sample_rate
            out.time_base = _time_base(frame.sample_rate)
            out.pts = self._next_pts
            self._next_pts += frame.samples
            return out
        out = av.VideoFrame.from_ndarray(frame.to_ndarray(format="yuv420p"), format="yuv420p")
        out.time_base = _time_base(90000)
        out.pts = max(self._next_pts, int((time.monotonic() - self._t0) * 90000))
        self._next_pts = out.pts + 1
        return out



def _copy_audio(frame: av.AudioFrame) -> av.AudioFrame:
    """A new frame holding a copy of ``frame``'s samples; ``frame`` is not modified."""
    out = av.AudioFrame(format=frame.format.name, layout=frame.layout.name, samples=frame.samples)
    for dst, src in zip(out.planes, frame.planes):
        view = memoryview(src).cast("B")
        if len(view) < dst.buffer_size:  # not expected; the generic copy handles any layout
            return av.AudioFrame.from_ndarray(frame.to_ndarray(), format=frame.format.name,
                                              layout=frame.layout.name)
        dst.update(view[:dst.buffer_size])  # type: ignore[arg-type]  # any buffer works
    return out
