"""The call itself: one aiortc peer per participant, relayed through the server.

Why a relay (an SFU that decodes and re-encodes) and not peer-to-peer: only
the server needs to be reachable, and the server needs every participant's
audio anyway to transcribe it on this machine.

How media paths stay right when people come and go, without renegotiation:
the browser's offer pre-allocates its transceivers (see ``join``), one
sending slot for its own microphone (and camera) and one receiving slot per
other participant of the session. The server fills each receiving slot with a
``Feed``: a track whose source is switched (``Feed.attach``) when that
participant joins, leaves or rejoins. A late joiner hears the others at once,
and a rejoin (a reloaded tab) just replaces the person's peer.

Privacy: aiortc with no configuration asks a public STUN server for
candidates. ``IcePolicy`` is the one place that decides which ICE servers are
used (none unless the user configures some), which local addresses are
offered and which remote addresses may be talked to. A server listening on
loopback offers only 127.0.0.1 and answers connectivity checks only from this
machine's own addresses, so media never leaves it.

Interfaces:
- ``RoomManager(policy, audio_consumer)``: owns every ``Room``; ``close()`` on shutdown.
- ``Room.join(name, offer_sdp) -> Answer``; ``Room.leave(name)``; ``Room.close()``.
- ``audio_consumer(name, track)``: a coroutine the room runs for each
  participant's incoming audio (the speech pipeline); it must drain ``track``
  until ``MediaStreamError``.
"""

from __future__ import annotations

import asyncio
import contextvars
import fractions
import ipaddress
import logging
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import aioice.ice
import aiortc.rtp
import av
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError

from companion.errors import InputError

log = logging.getLogger(__name__)

AudioConsumer = Callable[[str, MediaStreamTrack], Awaitable[None]]

#: Frames a ``Feed`` keeps when its sender falls behind (audio: 1 s of 20 ms frames).
FEED_QUEUE = {"audio": 50, "video": 2}


# -- ICE: servers, local addresses, allowed remote addresses ------------------------------------

def parse_ice_servers(urls: Iterable[str] | str | None) -> list[RTCIceServer]:
    """``stun:host:port`` or ``turn:user:pass@host:port[?transport=udp]`` URLs to ``RTCIceServer``s.

    A comma-separated string (``COMPANION_ICE_SERVERS``) or a list (``--ice-server``).
    """
    if urls is None:
        return []
    if isinstance(urls, str):
        urls = urls.split(",")
    servers = []
    for raw in urls:
        url = raw.strip()
        if not url:
            continue
        m = re.fullmatch(r"(stuns?|turns?):(?:([^:@/]+):([^@/]+)@)?([^?@/]+)(\?transport=(udp|tcp))?", url)
        if not m:
            raise InputError(f"cannot read ICE server {url!r}; use stun:HOST:PORT or turn:USER:PASS@HOST:PORT")
        scheme, user, password, hostport, query = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5) or ""
        servers.append(RTCIceServer(urls=f"{scheme}:{hostport}{query}", username=user, credential=password))
    return servers


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def machine_addresses() -> set[str]:
    """This machine's own IP addresses (every interface, loopback included)."""
    import ifaddr

    out = {"127.0.0.1", "::1"}
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            out.add(ip.ip if isinstance(ip.ip, str) else ip.ip[0])
    return out


@dataclass
class IcePolicy:
    """Which ICE servers, local addresses and remote addresses a call may use."""

    #: STUN/TURN servers; empty by default so nothing outside is contacted.
    servers: list[RTCIceServer] = field(default_factory=list)
    #: Local addresses offered as host candidates; None = aioice's choice (every
    #: non-loopback interface).
    host_addresses: list[str] | None = None
    #: Remote addresses that may be paired with; None = any.
    remote_addresses: set[str] | None = None

    @classmethod
    def for_server(cls, host: str, ice_servers: Iterable[str] | str | None = None) -> IcePolicy:
        """Loopback server: media stays on this machine. Otherwise: LAN (and the user's servers)."""
        servers = parse_ice_servers(ice_servers)
        if _is_loopback(host):
            return cls(servers, ["127.0.0.1"], machine_addresses())
        return cls(servers, None, None)

    @classmethod
    def loopback_only(cls) -> IcePolicy:
        """Strictly 127.0.0.1 on both sides (tests, the benchmark)."""
        return cls([], ["127.0.0.1"], {"127.0.0.1"})

    def configuration(self) -> RTCConfiguration:
        # max-bundle: every m-line on one transport from the start. With aiortc's default
        # (balanced) the second video m-line is bundled onto the first video m-line's
        # transport, which the offer's BUNDLE group then discards: the server never
        # sent video on a receiving slot (aiortc 1.16).
        return RTCConfiguration(iceServers=list(self.servers), bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)

    def allows(self, host: str) -> bool:
        return self.remote_addresses is None or host in self.remote_addresses

    def filter_sdp(self, sdp: str) -> str:
        """Drop remote candidates we may not talk to (and mDNS names we cannot resolve offline)."""
        if self.remote_addresses is None:
            return sdp
        lines = []
        for line in sdp.splitlines():
            if line.startswith("a=candidate:"):
                parts = line.split()
                if len(parts) < 8 or not self.allows(parts[4]):
                    continue
            lines.append(line)
        return "\r\n".join(lines) + "\r\n"

    def new_peer_connection(self) -> RTCPeerConnection:
        return RTCPeerConnection(self.configuration())

    async def set_local_description(self, pc: RTCPeerConnection, description: RTCSessionDescription) -> None:
        """``pc.setLocalDescription`` gathering only our host addresses, then confine ICE."""
        token = _HOST_ADDRESSES.set(self.host_addresses)
        try:
            await pc.setLocalDescription(description)
        finally:
            _HOST_ADDRESSES.reset(token)
        self.confine(pc)

    def confine(self, pc: RTCPeerConnection) -> None:
        """Ignore connectivity checks from addresses we may not talk to (no peer-reflexive pairs)."""
        if self.remote_addresses is None:
            return
        for conn in _ice_connections(pc):
            if getattr(conn, "_companion_confined", False):
                continue
            original = conn.request_received

            def request_received(message, addr, protocol, _original=original):
                if self.allows(addr[0]):
                    _original(message, addr, protocol)

            conn.request_received = request_received
            conn._companion_confined = True


def _ice_connections(pc: RTCPeerConnection) -> list[aioice.ice.Connection]:
    conns = []
    for t in pc.getTransceivers():
        transport = t.sender.transport
        ice = getattr(transport, "transport", None)
        conn = getattr(getattr(ice, "iceGatherer", None), "_connection", None)
        if conn is not None and conn not in conns:
            conns.append(conn)
    return conns


# aioice gathers host candidates from a module function that leaves out
# 127.0.0.1. This is the one place we change that: while an ``IcePolicy`` sets
# the local description, candidates come from the policy's addresses.
_HOST_ADDRESSES: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "companion_host_addresses", default=None)
_aioice_host_addresses = aioice.ice.get_host_addresses


def _policy_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    chosen = _HOST_ADDRESSES.get()
    if chosen is None:
        return _aioice_host_addresses(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
    return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]


aioice.ice.get_host_addresses = _policy_host_addresses


# aiortc computes the RTP audio-level header (RFC 6465) for every audio frame it
# sends with a pure-Python loop over the samples: a fifth of the relay's CPU when
# profiled. The same formula with numpy, to the same integer, replaces it here.
_aiortc_audio_level = aiortc.rtp.compute_audio_level_dbov


def audio_level_dbov(frame: av.AudioFrame) -> int:
    samples = np.frombuffer(bytes(frame.planes[0]), dtype="<i2").astype(np.float64)
    # As aiortc: every interleaved sample counts, divided by the per-channel count.
    rms = math.sqrt(float(np.dot(samples, samples)) / (frame.samples * 32767.0 * 32767.0))
    if rms <= 0:
        return -127
    return round(min(0.0, max(-127.0, 20 * math.log10(rms))))


aiortc.rtp.compute_audio_level_dbov = audio_level_dbov


# -- Feeds: what one listener receives from one other participant ------------------------------

class Feed(MediaStreamTrack):
    """An outgoing track whose source can be switched while the call runs.

    Frames are copied before their timestamps are rewritten (the relay shares
    frame objects between consumers), and timestamps stay monotonic across a
    source switch, so the browser's jitter buffer never sees time go backwards.
    While no source is attached, ``recv`` waits and nothing is sent.
    """

    def __init__(self, kind: str, listener: str, speaker: str):
        super().__init__()
        self.kind = kind
        self.listener = listener
        self.speaker = speaker
        self._queue: deque = deque(maxlen=FEED_QUEUE[kind])
        self._ready = asyncio.Event()
        self._pump: asyncio.Task | None = None
        self._source: MediaStreamTrack | None = None
        self._t0 = time.monotonic()
        self._next_pts = 0
        self.frames = 0

    @property
    def attached(self) -> bool:
        return self._source is not None

    def attach(self, source: MediaStreamTrack) -> None:
        self.detach()
        rate = 48000 if self.kind == "audio" else 90000
        # After a gap, continue from wall-clock time rather than where we left off.
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


def _copy_audio(frame: av.AudioFrame) -> av.AudioFrame:
    """A new frame holding a copy of ``frame``'s samples (plane to plane, no numpy round trip).

    About 4x cheaper than ``from_ndarray(frame.to_ndarray())``, which this
    runs once per relayed frame per listener. ``frame`` is not modified.
    """
    out = av.AudioFrame(format=frame.format.name, layout=frame.layout.name, samples=frame.samples)
    for dst, src in zip(out.planes, frame.planes):
        view = memoryview(src).cast("B")
        if len(view) < dst.buffer_size:  # not expected; the generic copy handles any layout
            return av.AudioFrame.from_ndarray(frame.to_ndarray(), format=frame.format.name,
                                              layout=frame.layout.name)
        dst.update(view[:dst.buffer_size])
    return out


_TIME_BASES: dict[int, fractions.Fraction] = {}


def _time_base(rate: int) -> fractions.Fraction:
    tb = _TIME_BASES.get(rate)
    if tb is None:
        tb = _TIME_BASES[rate] = fractions.Fraction(1, rate)
    return tb


# -- Rooms ----------------------------------------------------------------------------------------

@dataclass
class Slot:
    """A receiving transceiver of one participant, carrying another participant's media."""

    mid: str
    kind: str
    name: str
    role: str | None

    def to_dict(self) -> dict:
        return {"mid": self.mid, "kind": self.kind, "name": self.name, "role": self.role}


@dataclass
class Answer:
    sdp: str
    type: str
    slots: list[Slot]

    def to_dict(self) -> dict:
        return {"sdp": self.sdp, "type": self.type, "slots": [s.to_dict() for s in self.slots]}


@dataclass
class Peer:
    name: str
    role: str | None
    pc: RTCPeerConnection
    #: Incoming tracks from this participant, by kind.
    published: dict[str, MediaStreamTrack] = field(default_factory=dict)
    #: What this participant receives: (speaker, kind) -> Feed.
    feeds: dict[tuple[str, str], Feed] = field(default_factory=dict)
    tasks: set[asyncio.Task] = field(default_factory=set)
    connected: bool = False


class Room:
    """One session's call. Participants are fixed by the session; peers come and go."""

    def __init__(self, sid: str, roster: list[tuple[str, str | None]], mode: str, policy: IcePolicy,
                 audio_consumer: AudioConsumer | None = None,
                 on_presence: Callable[[Room], None] | None = None):
        self.sid = sid
        self.roster = roster
        self.mode = mode
        self.policy = policy
        self.audio_consumer = audio_consumer
        self.on_presence = on_presence
        self.relay = MediaRelay()
        self.peers: dict[str, Peer] = {}
        self.closed = False
        self._lock = asyncio.Lock()

    def kinds(self) -> list[str]:
        return ["audio", "video"] if self.mode == "video" else ["audio"]

    def others(self, name: str) -> list[tuple[str, str | None]]:
        return [(n, r) for n, r in self.roster if n != name]

    def present(self) -> list[str]:
        return [n for n, p in self.peers.items() if p.connected]

    async def join(self, name: str, offer_sdp: str) -> Answer:
        """Answer a participant's offer; a second offer from the same person replaces their peer.

        The offer's m-lines, in order: the participant's own audio (sendonly
        or sendrecv), in video mode their own video, then for each other
        participant in roster order one receiving audio (and video) m-line.
        """
        if self.closed:
            raise InputError("this session's call has ended")
        role = dict(self.roster).get(name)
        if "m=audio" not in offer_sdp or "v=0" not in offer_sdp:
            raise InputError("the offer is not an SDP offer with audio")
        async with self._lock:
            old = self.peers.pop(name, None)
            if old is not None:
                await self._drop(old)
            pc = self.policy.new_peer_connection()
            peer = Peer(name, role, pc)
            self.peers[name] = peer

            @pc.on("track")
            def on_track(track: MediaStreamTrack) -> None:
                self._publish(peer, track)

            @pc.on("connectionstatechange")
            async def on_state() -> None:
                state = pc.connectionState
                if state == "connected":
                    peer.connected = True
                    self._presence()
                elif state in ("failed", "closed"):
                    if self.peers.get(name) is peer:
                        await self.leave(name)

            try:
                await pc.setRemoteDescription(
                    RTCSessionDescription(sdp=self.policy.filter_sdp(offer_sdp), type="offer"))
                slots = self._fill_slots(peer)
                answer = await pc.createAnswer()
                await self.policy.set_local_description(pc, answer)
            except InputError:
                self.peers.pop(name, None)
                await self._drop(peer)
                raise
            except Exception as e:  # aiortc raises ValueError/InvalidStateError/... on bad SDP
                self.peers.pop(name, None)
                await self._drop(peer)
                reason = " ".join(str(e).split()) or type(e).__name__
                raise InputError(f"cannot use this offer: {reason}") from None
            return Answer(pc.localDescription.sdp, pc.localDescription.type, slots)

    def _fill_slots(self, peer: Peer) -> list[Slot]:
        """Put a ``Feed`` for each other participant on the offer's receiving transceivers."""
        transceivers = peer.pc.getTransceivers()
        by_kind = {k: [t for t in transceivers if t.kind == k] for k in ("audio", "video")}
        slots = []
        for kind in self.kinds():
            ts = by_kind[kind]
            if not ts:
                if kind == "audio":
                    raise InputError("the offer has no audio")
                continue
            receiving = ts[1:]  # the first of each kind is the participant's own
            for t, (other, other_role) in zip(receiving, self.others(peer.name)):
                feed = Feed(kind, peer.name, other)
                t.sender.replaceTrack(feed)
                t.direction = "sendonly"
                peer.feeds[(other, kind)] = feed
                slots.append(Slot(t.mid, kind, other, other_role))
                source = self.peers.get(other)
                if source is not None and kind in source.published:
                    feed.attach(self.relay.subscribe(source.published[kind], buffered=kind == "audio"))
        return slots

    def _publish(self, peer: Peer, track: MediaStreamTrack) -> None:
        """A participant's microphone or camera arrived: route it to the others and drain it."""
        if track.kind in peer.published or track.kind not in self.kinds():
            self._spawn(peer, _drain(track))
            return
        peer.published[track.kind] = track
        for other in self.peers.values():
            feed = other.feeds.get((peer.name, track.kind))
            if feed is not None:
                feed.attach(self.relay.subscribe(track, buffered=track.kind == "audio"))
        if track.kind == "audio" and self.audio_consumer is not None:
            self._spawn(peer, self.audio_consumer(peer.name, self.relay.subscribe(track)))
        else:
            # Nobody may be listening yet; a track nobody reads grows without bound.
            self._spawn(peer, _drain(self.relay.subscribe(track, buffered=False)))

    def _spawn(self, peer: Peer, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        peer.tasks.add(task)
        task.add_done_callback(peer.tasks.discard)

    async def leave(self, name: str) -> None:
        peer = self.peers.pop(name, None)
        if peer is not None:
            await self._drop(peer)
            self._presence()

    async def _drop(self, peer: Peer) -> None:
        for feed in peer.feeds.values():
            feed.stop()
        for track in peer.published.values():
            track.stop()
        await peer.pc.close()
        # The consumers end on MediaStreamError once the tracks stop; give them a moment
        # to flush (the speech pipeline closes the last utterance), then cancel.
        if peer.tasks:
            _, pending = await asyncio.wait(list(peer.tasks), timeout=2.0)
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    def _presence(self) -> None:
        if self.on_presence is not None and not self.closed:
            self.on_presence(self)

    async def close(self) -> None:
        self.closed = True
        async with self._lock:
            peers = list(self.peers.values())
            self.peers.clear()
            await asyncio.gather(*(self._drop(p) for p in peers), return_exceptions=True)


async def _drain(track: MediaStreamTrack) -> None:
    try:
        while True:
            await track.recv()
    except MediaStreamError:
        return


class RoomManager:
    """Owns every room of the running server; ``close()`` ends them all on shutdown."""

    def __init__(self, policy: IcePolicy):
        self.policy = policy
        self.rooms: dict[str, Room] = {}

    def get(self, sid: str) -> Room | None:
        return self.rooms.get(sid)

    def open(self, sid: str, roster: list[tuple[str, str | None]], mode: str,
             audio_consumer: AudioConsumer | None = None,
             on_presence: Callable[[Room], None] | None = None) -> Room:
        room = self.rooms.get(sid)
        if room is None or room.closed:
            room = Room(sid, roster, mode, self.policy, audio_consumer, on_presence)
            self.rooms[sid] = room
        return room

    async def close_room(self, sid: str) -> None:
        room = self.rooms.pop(sid, None)
        if room is not None:
            await room.close()

    async def close(self) -> None:
        rooms = list(self.rooms)
        await asyncio.gather(*(self.close_room(sid) for sid in rooms), return_exceptions=True)
