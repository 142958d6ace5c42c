"""Rooms: one session's call, relayed through the server; ``RoomManager`` owns them all.

Why a relay (an SFU) and not peer-to-peer: only the server needs to be
reachable, and the server needs every participant's audio anyway to
transcribe it on this machine. Audio is forwarded packet by packet (see
``feeds.AudioTap``); video is decoded once and re-encoded per listener.

How media paths stay right when people come and go, without renegotiation:
the browser's offer pre-allocates its transceivers (see ``join``), one
sending slot for its own microphone (and camera) and one receiving slot per
other participant of the session. The server fills each receiving slot with a
feed whose source is switched (``attach``) when that participant joins,
leaves or rejoins. A late joiner hears the others at once, and a rejoin (a
reloaded tab) just replaces the person's peer.

Interfaces:
- ``RoomManager(policy)``: owns every ``Room``; ``open(...)``, ``close()`` on shutdown.
- ``Room.join(name, offer_sdp) -> Answer``; ``Room.leave(name)``; ``Room.close()``.
- ``audio_consumer(name, track)``: a coroutine the room runs for each
  participant's incoming audio (the speech pipeline); ``track`` yields 16 kHz
  mono s16 frames (``feeds.SpeechTrack``) and must be drained until
  ``MediaStreamError``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError

from companion.errors import InputError
from companion.media.feeds import AudioTap, Feed, PacketFeed
from companion.media.ice import IcePolicy

AudioConsumer = Callable[[str, MediaStreamTrack], Awaitable[None]]


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
    #: This participant's microphone, as forwarded packets.
    audio: AudioTap | None = None
    #: Incoming tracks from this participant, by kind.
    published: dict[str, MediaStreamTrack] = field(default_factory=dict)
    #: What this participant receives: (speaker, kind) -> feed.
    feeds: dict[tuple[str, str], Feed | PacketFeed] = field(default_factory=dict)
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
                elif state in ("failed", "closed") and self.peers.get(name) is peer:
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
        """Put a feed for each other participant on the offer's receiving transceivers."""
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
                feed: Feed | PacketFeed = PacketFeed(peer.name, other) if kind == "audio" else \
                    Feed(kind, peer.name, other)
                t.sender.replaceTrack(feed)
                t.direction = "sendonly"
                peer.feeds[(other, kind)] = feed
                slots.append(Slot(t.mid or "", kind, other, other_role))
                source = self.peers.get(other)
                if source is not None:
                    self._connect(source, feed, kind)
        return slots

    def _connect(self, source: Peer, feed: Feed | PacketFeed, kind: str) -> None:
        if isinstance(feed, PacketFeed):
            if source.audio is not None:
                feed.attach(source.audio)
            return
        if kind in source.published:
            feed.attach(self.relay.subscribe(source.published[kind], buffered=False))

    def _publish(self, peer: Peer, track: MediaStreamTrack) -> None:
        """A participant's microphone or camera arrived: route it to the others (and to transcription)."""
        if track.kind in peer.published or track.kind not in self.kinds():
            self._spawn(peer, _drain(track))
            return
        peer.published[track.kind] = track
        if track.kind == "audio":
            receiver = next(t.receiver for t in peer.pc.getTransceivers() if t.receiver.track is track)
            peer.audio = AudioTap.install(receiver)
            if self.audio_consumer is not None:
                self._spawn(peer, self.audio_consumer(peer.name, peer.audio.speech()))
        else:
            # Nobody may be watching yet; a track nobody reads grows without bound.
            self._spawn(peer, _drain(self.relay.subscribe(track, buffered=False)))
        for other in self.peers.values():
            feed = other.feeds.get((peer.name, track.kind))
            if feed is not None:
                self._connect(peer, feed, track.kind)

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
        if peer.audio is not None:
            peer.audio.close()
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
