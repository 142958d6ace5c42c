"""aiortc call clients for tests and the live-load benchmark: loopback only.

A ``CallClient`` joins a session the way the browser page does (one sending
audio m-line, then one receiving m-line per other participant), sends a
``PacedAudio`` track and records what it receives from each other participant.
With ``video=`` a track (e.g. ``PacedVideo``) it joins a video session the same
way: own audio, own video, then one receiving audio and video m-line per other.
"""

from __future__ import annotations

import asyncio
import fractions
import time
from collections import Counter
from dataclasses import dataclass, field

import av
import httpx
import numpy as np
from aiortc import MediaStreamTrack, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from companion.media import ice
from companion.media.ice import IcePolicy

ice.install()  # clients gather loopback candidates through the policy, as the server does

RATE = 48_000
FRAME = 960  # 20 ms


class PacedAudio(MediaStreamTrack):
    """48 kHz mono audio from an int16 array, paced by the clock in 20 ms frames.

    ``loop=False`` plays the samples once, then silence. ``on_frame(i, t)``
    is told the wall time each frame is handed to the sender.
    """

    kind = "audio"

    def __init__(self, samples: np.ndarray | None = None, *, rate: int = RATE, loop: bool = False):
        super().__init__()
        if samples is None:
            samples = np.zeros(FRAME, np.int16)
        if rate != RATE:
            n = int(len(samples) * RATE / rate)
            samples = np.interp(np.arange(n) * rate / RATE, np.arange(len(samples)), samples).astype(np.int16)
        self.samples = np.asarray(samples, np.int16)
        self.loop = loop
        self.index = 0
        self.started: float | None = None
        self.on_frame = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self.started is None:
            self.started = time.monotonic()
        due = self.started + self.index * FRAME / RATE
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        start = self.index * FRAME
        if self.loop:
            start %= max(1, len(self.samples))
        chunk = self.samples[start:start + FRAME]
        if len(chunk) < FRAME:
            chunk = np.concatenate([chunk, np.zeros(FRAME - len(chunk), np.int16)])
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self.index * FRAME
        frame.time_base = fractions.Fraction(1, RATE)
        if self.on_frame is not None:
            self.on_frame(self.index, time.monotonic())
        self.index += 1
        return frame


class PacedVideo(MediaStreamTrack):
    """A small flat grey picture (luma ``level``) at ``fps``: cheap to encode, easy to recognise."""

    kind = "video"

    def __init__(self, level: int, *, size: tuple[int, int] = (160, 120), fps: int = 15):
        super().__init__()
        w, h = size
        self.picture = np.full((h * 3 // 2, w), 128, np.uint8)
        self.picture[:h] = level
        self.fps = fps
        self.index = 0
        self.started: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self.started is None:
            self.started = time.monotonic()
        delay = self.started + self.index / self.fps - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        frame = av.VideoFrame.from_ndarray(self.picture, format="yuv420p")
        frame.pts = int(self.index * 90000 / self.fps)
        frame.time_base = fractions.Fraction(1, 90000)
        self.index += 1
        return frame


@dataclass
class Received:
    """What one client heard on one receiving slot."""

    name: str
    frames: int = 0
    loud_frames: int = 0
    #: (monotonic time, RMS) of each frame received.
    levels: list[tuple[float, float]] = field(default_factory=list)
    keep_levels: bool = False
    #: Dominant frequency (Hz, to the nearest 50) of each loud frame: tells senders' tones apart.
    tones: Counter = field(default_factory=Counter)
    #: Video frames received on this person's video slot, and the mean luma of the last one.
    video_frames: int = 0
    luma: float | None = None


class CallClient:
    def __init__(self, base_url: str, sid: str, token: str, track: MediaStreamTrack, *,
                 policy: IcePolicy | None = None, mode: str = "audio", video: MediaStreamTrack | None = None):
        self.base_url = base_url
        self.sid = sid
        self.token = token
        self.track = track
        self.policy = policy or IcePolicy.loopback_only()
        self.video = video
        self.mode = "video" if video is not None else mode
        self.pc = None
        self.slots: dict[str, dict] = {}
        self.received: dict[str, Received] = {}
        self.keep_levels = False
        self._tasks: set[asyncio.Task] = set()

    async def join(self, n_others: int, timeout: float = 15.0) -> dict:
        pc = self.policy.new_peer_connection()
        self.pc = pc
        video = self.mode == "video"
        pc.addTransceiver(self.track, direction="sendonly")
        if video:
            pc.addTransceiver(self.video if self.video is not None else "video",
                              direction="sendonly" if self.video is not None else "inactive")
        for _ in range(n_others):
            pc.addTransceiver("audio", direction="recvonly")
            if video:
                pc.addTransceiver("video", direction="recvonly")

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            mid = next((t.mid for t in pc.getTransceivers() if t.receiver.track is track), None)
            task = asyncio.ensure_future(self._consume(mid, track))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        offer = await pc.createOffer()
        await self.policy.set_local_description(pc, offer)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=timeout) as http:
            r = await http.post(f"/api/sessions/{self.sid}/rtc", json={"sdp": pc.localDescription.sdp,
                                                                        "type": "offer"},
                                headers={"Authorization": f"Bearer {self.token}"})
        r.raise_for_status()
        answer = r.json()
        self.slots = {s["mid"]: s for s in answer["slots"]}
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
        deadline = time.monotonic() + timeout
        while pc.connectionState != "connected":
            if time.monotonic() > deadline or pc.connectionState in ("failed", "closed"):
                raise TimeoutError(f"call did not connect ({pc.connectionState})")
            await asyncio.sleep(0.05)
        return answer

    async def _consume(self, mid: str | None, track: MediaStreamTrack) -> None:
        name = self.slots.get(mid, {}).get("name", mid or "?")
        rec = self.received.setdefault(name, Received(name))
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    rec.video_frames += 1
                    rec.luma = float(frame.to_ndarray(format="gray").mean())
                    continue
                rec.frames += 1
                x = frame.to_ndarray().astype(np.float32)
                rms = float(np.sqrt(np.mean(x * x)))
                if rms > 300:
                    rec.loud_frames += 1
                    rec.tones[dominant_frequency(frame)] += 1
                if self.keep_levels:
                    rec.levels.append((time.monotonic(), rms))
        except MediaStreamError:
            return

    def nominated_remote_addresses(self) -> set[str]:
        """Remote addresses of the ICE pairs this client nominated."""
        out = set()
        for t in self.pc.getTransceivers():
            ice = t.sender.transport.transport
            conn = ice._connection
            for pair in conn._nominated.values():
                out.add(pair.remote_candidate.host)
        return out

    async def close(self) -> None:
        if self.pc is not None:
            await self.pc.close()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def dominant_frequency(frame: av.AudioFrame) -> int:
    """The strongest frequency in an audio frame's first channel, rounded to 50 Hz."""
    x = frame.to_ndarray().astype(np.float32)
    channels = len(frame.layout.channels)
    mono = x[0, ::channels] if x.shape[0] == 1 else x[0]  # packed s16 interleaves the channels
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    spectrum[0] = 0.0
    hz = float(np.argmax(spectrum)) * frame.sample_rate / len(mono)
    return int(round(hz / 50.0) * 50)


def tone_bursts(seconds: float, *, every: float = 1.0, burst: float = 0.1, freq: float = 1000.0,
                amplitude: int = 12000, rate: int = RATE) -> np.ndarray:
    """Silence with a tone burst at the start of every ``every`` seconds (latency probes)."""
    n = int(seconds * rate)
    out = np.zeros(n, np.int16)
    b = int(burst * rate)
    tone = (np.sin(2 * np.pi * freq * np.arange(b) / rate) * amplitude).astype(np.int16)
    for start in range(0, n - b, int(every * rate)):
        out[start:start + b] = tone
    return out
