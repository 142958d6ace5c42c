"""Feeds: what one listener receives from one other participant, and the tap on a speaker's audio.

Audio is forwarded, not re-encoded. ``AudioTap`` sits where aiortc's receiver
hands each reassembled Opus frame to its decoder thread; it passes the frame,
as it arrives, to every listener's ``PacketFeed`` (an outgoing track whose
``recv`` returns ``av.Packet``s, which aiortc's sender packs without
encoding) and, only when someone transcribes this speaker, to one
``SpeechTrack`` that decodes it once, to mono, and resamples it to 16 kHz s16
in libswresample (PyAV's ``AudioResampler``; FFmpeg's libopus wrapper always
decodes at 48 kHz). aiortc's own decoder thread then has nothing to do. That
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
from aiortc import MediaStreamTrack, RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError

log = logging.getLogger(__name__)

#: Frames a feed keeps when its sender falls behind (audio: 1 s of 20 ms packets).
FEED_QUEUE = {"audio": 50, "video": 2}
#: Opus's RTP clock, and the rate speech is decoded at for the VAD and Whisper.
OPUS_RATE = 48_000
SPEECH_RATE = 16_000
#: Samples in one Opus packet when the source gives no other clue (20 ms).
OPUS_PACKET = 960

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
        tap = cls(original)
        setattr(receiver, attr, tap)
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


class _QueuedTrack(MediaStreamTrack):
    """An outgoing track that hands out what was queued for it, waiting when nothing is.

    The queue is bounded (``FEED_QUEUE``): a listener that falls behind loses the oldest items,
    never the newest. Subclasses fill ``_queue``, set ``_ready``, and say how to ``detach``.
    """

    def __init__(self, kind: str) -> None:
        super().__init__()
        self._queue: deque = deque(maxlen=FEED_QUEUE[kind])
        self._ready = asyncio.Event()
        self.frames = 0

    def detach(self) -> None:
        raise NotImplementedError

    async def recv(self):
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            if self._queue:
                self.frames += 1
                return self._queue.popleft()
            self._ready.clear()
            await self._ready.wait()

    def stop(self) -> None:
        self.detach()
        super().stop()
        self._ready.set()


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
        packet = av.Packet(data)
        packet.pts = pts
        packet.time_base = _time_base(OPUS_RATE)
        self._queue.append(packet)
        self._ready.set()



class SpeechTrack(MediaStreamTrack):
    """A speaker's audio for transcription: Opus decoded once to mono, resampled to 16 kHz s16 frames.

    Frame ``pts`` are in 1/16000 s on the sender's RTP clock, so gaps (a muted
    or stalled sender) stay visible. Ends (``MediaStreamError``) when the
    speaker's receiver stops.
    """

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._packets: asyncio.Queue[tuple[bytes, int] | None] = asyncio.Queue()
        self._frames: deque[av.AudioFrame] = deque()
        self._decoder = av.CodecContext.create("libopus", "r")
        self._decoder.sample_rate = OPUS_RATE
        self._decoder.layout = "mono"
        self._decoder.format = "s16"
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)
        self.decode_errors = 0

    def push(self, data: bytes, ts: int) -> None:
        self._packets.put_nowait((data, ts))

    def end(self) -> None:
        self._packets.put_nowait(None)

    async def recv(self) -> av.AudioFrame:
        while not self._frames:
            if self.readyState != "live":
                raise MediaStreamError
            item = await self._packets.get()
            if item is None:
                self.stop()
                raise MediaStreamError
            data, ts = item
            try:
                frames = []
                for decoded in self._decoder.decode(av.Packet(data)):
                    decoded.pts = None  # timing comes from RTP below; without pts the resampler does less
                    frames += self._resampler.resample(decoded)
            except av.FFmpegError as e:
                self.decode_errors += 1
                log.debug("cannot decode an Opus packet: %s", e)
                continue
            pts = ts * SPEECH_RATE // OPUS_RATE
            for f in frames:
                f.pts, f.time_base, f.sample_rate = pts, _time_base(SPEECH_RATE), SPEECH_RATE
                pts += f.samples
                self._frames.append(f)
        return self._frames.popleft()


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
                self._queue.append(self._restamp(frame))
                self._ready.set()
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
