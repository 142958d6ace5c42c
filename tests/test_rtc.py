"""The call relay with real aiortc peers on 127.0.0.1: relay, late joiner, rejoin, ICE confinement."""

from __future__ import annotations

import asyncio
import fractions
import socket

import av
import httpx
import numpy as np
import pytest
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from companion.errors import InputError
from companion.media.feeds import AudioTap, Feed, PacketFeed, PassThrough, SpeechTrack
from companion.media.ice import IcePolicy, parse_ice_servers
from tests.support.rtc_client import CallClient, PacedAudio, PacedVideo, tone_bursts

# -- ICE configuration ------------------------------------------------------------------------------

def test_no_ice_servers_unless_configured():
    policy = IcePolicy.for_server("127.0.0.1", "")
    assert policy.configuration().iceServers == []  # never aiortc's default public STUN server
    assert policy.host_addresses == ["127.0.0.1"]
    lan = IcePolicy.for_server("0.0.0.0", "stun:stun.example.org:3478,turn:ann:secret@turn.example.org:3478")
    urls = [s.urls for s in lan.configuration().iceServers]
    assert urls == ["stun:stun.example.org:3478", "turn:turn.example.org:3478"]
    assert lan.configuration().iceServers[1].username == "ann"
    assert lan.configuration().iceServers[1].credential == "secret"
    with pytest.raises(InputError, match="cannot read ICE server"):
        parse_ice_servers(["http://example.org"])


def test_loopback_policy_drops_other_candidates():
    sdp = ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
           "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n"
           "a=candidate:2 1 udp 2122194687 192.0.2.50 50001 typ host\r\n"
           "a=candidate:3 1 udp 2122194687 abcd.local 50002 typ host\r\n")
    out = IcePolicy.loopback_only().filter_sdp(sdp)
    assert "127.0.0.1 50000" in out
    assert "192.0.2.50" not in out and ".local" not in out


# -- Feed: switching sources ------------------------------------------------------------------------

class Frames(MediaStreamTrack):
    """A source of audio frames whose pts start at ``pts0`` (like a fresh RTP stream)."""

    kind = "audio"

    def __init__(self, n: int, pts0: int, value: int):
        super().__init__()
        self.n, self.pts, self.value, self.made = n, pts0, value, []

    async def recv(self):
        if not self.n:
            raise MediaStreamError
        self.n -= 1
        f = av.AudioFrame.from_ndarray(np.full((1, 1920), self.value, np.int16), format="s16", layout="stereo")
        f.sample_rate, f.pts, f.time_base = 48000, self.pts, fractions.Fraction(1, 48000)
        self.pts += 960
        self.made.append(f)
        return f


async def _take(feed: Feed, n: int) -> list:
    return [await asyncio.wait_for(feed.recv(), 2) for _ in range(n)]


def test_feed_keeps_time_monotonic_across_a_rejoin_and_never_touches_shared_frames():
    async def run():
        feed = Feed("audio", "Ann", "Bo")
        first = Frames(5, pts0=3_000_000, value=100)
        feed.attach(first)
        a = await _take(feed, 5)
        second = Frames(5, pts0=0, value=200)  # the rejoined sender's clock starts over
        feed.attach(second)
        b = await _take(feed, 5)
        feed.stop()
        with pytest.raises(MediaStreamError):
            await feed.recv()
        return first, second, a, b

    first, second, a, b = asyncio.run(run())
    pts = [f.pts for f in a + b]
    assert pts == sorted(pts) and len(set(pts)) == len(pts)
    assert all(f.to_ndarray()[0, 0] == 100 for f in a) and all(f.to_ndarray()[0, 0] == 200 for f in b)
    # The relayed originals keep their own timestamps (other consumers read them).
    assert [f.pts for f in first.made] == [3_000_000 + 960 * i for i in range(5)]
    assert [f.pts for f in second.made] == [960 * i for i in range(5)]


# -- a real call through the server -----------------------------------------------------------------

def _create(server, mode="audio", names=("Ann", "Bo")) -> tuple[str, dict[str, str]]:
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": "Relay", "mode": mode, "planned_minutes": 30,
        "participants": [{"name": names[0], "role": "coach"}, {"name": names[1], "role": "coachee"}]})
    assert r.status_code == 201
    body = r.json()
    return body["id"], {p["name"]: p["token"] for p in body["participants"]}


@pytest.fixture
def destinations(monkeypatch):
    """Every address this process sends a datagram to or connects to, server and clients alike."""
    seen: set[str] = set()
    real_sendto, real_connect = socket.socket.sendto, socket.socket.connect
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def sendto(self, data, *args):
        seen.add(args[-1][0])
        return real_sendto(self, data, *args)

    def connect(self, address):
        if isinstance(address, tuple):
            seen.add(address[0])
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kw):
        looked_up.append(str(host))
        return real_getaddrinfo(host, *args, **kw)

    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return seen, looked_up


async def _until(predicate, timeout=10.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            return False
        await asyncio.sleep(0.05)
    return True


def test_late_joiner_hears_the_other_and_a_rejoin_resumes(server, destinations):
    sid, tokens = _create(server)

    async def run():
        ann = CallClient(server.url, sid, tokens["Ann"], PacedAudio(tone_bursts(30, freq=440), loop=True))
        answer = await ann.join(1)
        assert answer["slots"] == [{"mid": answer["slots"][0]["mid"], "kind": "audio", "name": "Bo",
                                    "role": "coachee"}]
        await asyncio.sleep(1.0)  # alone in the room: nothing arrives, nothing piles up
        assert ann.received.get("Bo") is None or ann.received["Bo"].frames == 0

        bo = CallClient(server.url, sid, tokens["Bo"], PacedAudio(tone_bursts(30, freq=880), loop=True))
        await bo.join(1)
        assert await _until(lambda: bo.received.get("Ann") and bo.received["Ann"].loud_frames >= 10)
        assert await _until(lambda: ann.received.get("Bo") and ann.received["Bo"].loud_frames >= 10)
        assert ann.nominated_remote_addresses() == {"127.0.0.1"}
        room = server.app.state.live.rooms.get(sid)
        assert sorted(room.present()) == ["Ann", "Bo"]

        # Bo reloads: a new peer replaces the old one, and Ann hears Bo again.
        await bo.close()
        heard = ann.received["Bo"].loud_frames
        bo2 = CallClient(server.url, sid, tokens["Bo"], PacedAudio(tone_bursts(30, freq=880), loop=True))
        await bo2.join(1)
        assert await _until(lambda: ann.received["Bo"].loud_frames >= heard + 10)
        assert await _until(lambda: bo2.received.get("Ann") and bo2.received["Ann"].loud_frames >= 10)
        assert len(room.peers) == 2
        await ann.close()
        await bo2.close()

    asyncio.run(run())
    seen, looked_up = destinations
    assert seen and seen <= {"127.0.0.1"}, f"traffic left the loopback: {seen}"
    assert not any("google" in h or "stun" in h for h in looked_up)


def test_bad_offers_get_one_line_errors(server):
    sid, tokens = _create(server)
    h = {"Authorization": f"Bearer {tokens['Ann']}"}
    r = httpx.post(f"{server.url}/api/sessions/{sid}/rtc", headers=h, json={"sdp": "hello", "type": "offer"})
    assert r.status_code == 400 and "\n" not in r.json()["error"]
    bad = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    r = httpx.post(f"{server.url}/api/sessions/{sid}/rtc", headers=h, json={"sdp": bad, "type": "offer"})
    assert r.status_code == 400 and r.json()["error"].startswith("cannot use this offer")
    r = httpx.post(f"{server.url}/api/sessions/{sid}/rtc", headers=h, json={"type": "offer"})
    assert r.status_code == 422
    r = httpx.post(f"{server.url}/api/sessions/{sid}/rtc", headers=server.owner_headers(),
                   json={"sdp": bad, "type": "offer"})
    assert r.status_code == 400 and "participant" in r.json()["error"]


# -- a group: three participants, one joining late ------------------------------------------------

GROUP = [("Fay", "facilitator", 500), ("Cy", "coachee", 1000), ("Mo", "member", 1500)]
#: A group is at least four people; the fourth is invited but never joins.
ABSENT = ("Al", "member")


def test_group_of_three_each_hears_both_others_including_a_late_joiner(server):
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": "Group", "mode": "audio", "planned_minutes": 30,
        "participants": [{"name": n, "role": role} for n, role, _ in GROUP] + [dict(zip(("name", "role"), ABSENT))]})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    tokens = {p["name"]: p["token"] for p in r.json()["participants"]}
    tone = {n: hz for n, _, hz in GROUP}
    roles = {n: role for n, role, _ in GROUP}

    def client(name):
        # A distinct tone per sender, in bursts, so each receiver can tell who it hears on which slot.
        return CallClient(server.url, sid, tokens[name],
                          PacedAudio(tone_bursts(30, every=0.5, burst=0.3, freq=tone[name]), loop=True))

    def heard(listener: CallClient, speaker: str, at_least: int) -> bool:
        rec = listener.received.get(speaker)
        return bool(rec) and rec.tones[tone[speaker]] >= at_least

    async def run():
        clients = {}
        for name in ("Fay", "Cy"):
            clients[name] = client(name)
            answer = await clients[name].join(2)
            others = [(n, role) for n, role, _ in GROUP if n != name]
            assert [(s["name"], s["role"]) for s in answer["slots"]] == others
            assert all(s["kind"] == "audio" for s in answer["slots"])
        fay, cy = clients["Fay"], clients["Cy"]
        assert await _until(lambda: heard(fay, "Cy", 10) and heard(cy, "Fay", 10))
        assert not (fay.received.get("Mo") and fay.received["Mo"].frames)  # Mo is not here yet

        clients["Mo"] = mo = client("Mo")  # the late joiner
        await mo.join(2)
        marks = {(a, b): (clients[a].received[b].tones[tone[b]] if b in clients[a].received else 0)
                 for a in clients for b in clients if a != b}
        for (listener, speaker), before in marks.items():
            assert await _until(lambda: heard(clients[listener], speaker, before + 10)), (listener, speaker)
        for listener, c in clients.items():
            for speaker, rec in c.received.items():
                # Each slot carries only its own speaker: no one else's tone leaks in.
                top, _ = rec.tones.most_common(1)[0]
                assert top == tone[speaker], (listener, speaker, rec.tones)
                assert sum(n for hz, n in rec.tones.items() if hz in tone.values() and hz != tone[speaker]) == 0
        room = server.app.state.live.rooms.get(sid)
        assert sorted(room.present()) == ["Cy", "Fay", "Mo"]
        assert {n: p.role for n, p in room.peers.items()} == roles
        for c in clients.values():
            await c.close()

    asyncio.run(run())


def test_group_video_each_sees_and_hears_both_others(server):
    """Video mode: each receiving video slot carries its own person's picture (aiortc, no browser).

    Regression: with aiortc's default bundle policy the server never started
    sending on the second and later video m-lines, so nobody saw anyone.
    """
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": "Group video", "mode": "video", "planned_minutes": 30,
        "participants": [{"name": n, "role": role} for n, role, _ in GROUP] + [dict(zip(("name", "role"), ABSENT))]})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    tokens = {p["name"]: p["token"] for p in r.json()["participants"]}
    tone = {n: hz for n, _, hz in GROUP}
    luma = {"Fay": 40, "Cy": 120, "Mo": 200}

    async def run():
        clients = {}
        for name in ("Fay", "Cy", "Mo"):
            c = CallClient(server.url, sid, tokens[name],
                           PacedAudio(tone_bursts(30, every=0.5, burst=0.3, freq=tone[name]), loop=True),
                           video=PacedVideo(luma[name]))
            answer = await c.join(2)
            assert [(s["kind"], s["name"]) for s in answer["slots"]] == [
                (k, n) for k in ("audio", "video") for n, _, _ in GROUP if n != name]
            clients[name] = c

        def ok(listener, speaker):
            rec = clients[listener].received.get(speaker)
            return bool(rec) and rec.video_frames >= 10 and rec.tones[tone[speaker]] >= 5

        for listener in clients:
            for speaker in clients:
                if listener != speaker:
                    assert await _until(lambda: ok(listener, speaker), timeout=15), (
                        listener, speaker, clients[listener].received.get(speaker))
                    assert abs(clients[listener].received[speaker].luma - luma[speaker]) < 20
        for c in clients.values():
            await c.close()

    asyncio.run(run())


class _Frame:
    def __init__(self, data: bytes, timestamp: int):
        self.data, self.timestamp = data, timestamp


def _opus_packets(n: int, value: int) -> list[bytes]:
    enc = av.CodecContext.create("libopus", "w")
    enc.sample_rate, enc.layout, enc.format = 48000, "stereo", "s16"
    enc.time_base = fractions.Fraction(1, 48000)
    out = []
    t = np.arange(960 * n) / 48000
    tone = (np.sin(2 * np.pi * 440 * t) * value).astype(np.int16)
    for i in range(n):
        f = av.AudioFrame.from_ndarray(np.repeat(tone[i * 960:(i + 1) * 960], 2)[None, :], format="s16",
                                       layout="stereo")
        f.sample_rate, f.pts = 48000, i * 960
        out += [bytes(p) for p in enc.encode(f)]
    return out


def test_packet_feed_forwards_opus_unchanged_with_monotonic_time_across_a_rejoin():
    async def run():
        feed = PacketFeed("Ann", "Bo")
        first, second = AudioTap(), AudioTap()
        feed.attach(first)
        payloads = _opus_packets(6, 8000)
        for i, p in enumerate(payloads[:3]):
            first.put((None, _Frame(p, 3_000_000 + 960 * i)))
        first.put((None, _Frame(payloads[0], 3_000_000)))  # a late duplicate is not sent again
        a = [await asyncio.wait_for(feed.recv(), 2) for _ in range(3)]
        feed.attach(second)  # Bo rejoined: their RTP clock starts over
        for i, p in enumerate(payloads[3:]):
            second.put((None, _Frame(p, 960 * i)))
        b = [await asyncio.wait_for(feed.recv(), 2) for _ in range(3)]
        assert first.listeners == set()  # the old source no longer feeds this listener
        second.put(None)  # Bo's receiver stopped
        assert not feed.attached
        return payloads, a + b

    payloads, got = asyncio.run(run())
    assert [bytes(p) for p in got] == payloads  # forwarded as they came: no decode, no re-encode
    pts = [p.pts for p in got]
    assert pts == sorted(pts) and len(set(pts)) == 6 and pts[1] - pts[0] == 960
    assert all(p.time_base == fractions.Fraction(1, 48000) for p in got)


def test_speech_track_decodes_once_to_16khz_mono_and_ends_with_the_receiver():
    async def run():
        tap = AudioTap()
        speech = tap.speech()
        for i, p in enumerate(_opus_packets(25, 8000)):
            tap.put((None, _Frame(p, 960 * i)))
        tap.put(None)
        frames = []
        with pytest.raises(MediaStreamError):
            while True:
                frames.append(await asyncio.wait_for(speech.recv(), 2))
        return speech, frames

    speech, frames = asyncio.run(run())
    assert isinstance(speech, SpeechTrack) and frames
    assert {(f.sample_rate, f.format.name, f.layout.name) for f in frames} == {(16000, "s16", "mono")}
    total = sum(f.samples for f in frames)
    assert total == 25 * 320  # 0.5 s at 16 kHz, every packet's samples
    loud = np.concatenate([f.to_ndarray().reshape(-1) for f in frames])[3200:]
    assert np.sqrt(np.mean(loud.astype(np.float64) ** 2)) > 2000  # the tone came through
    # Handed on in 60 ms chunks (three packets), each stamped with its first sample's RTP time.
    assert [f.pts for f in frames[:3]] == [0, 960, 1920] and frames[0].samples == 960


def test_speech_track_chunks_never_span_a_gap_and_corrupt_packets_are_counted():
    async def run():
        speech = SpeechTrack()
        packets = _opus_packets(6, 8000)
        for i, p in enumerate(packets[:2]):
            speech.push(p, 960 * i)
        speech.push(b"\xff\xff\xff", 960 * 2)  # not Opus: skipped and counted
        for i, p in enumerate(packets[2:], start=10):  # the sender stalled for 160 ms
            speech.push(p, 960 * i)
        speech.end()
        chunks = []
        with pytest.raises(MediaStreamError):
            while True:
                chunks.append(await asyncio.wait_for(speech.read_pcm(), 2))
        return speech, chunks

    speech, chunks = asyncio.run(run())
    assert [(len(pcm), pts) for pcm, pts in chunks] == [(640, 0), (960, 3200), (320, 4160)]
    assert speech.decode_errors == 1


def test_libopus_decodes_what_pyav_decodes_at_16khz():
    """The direct 16 kHz decoder and PyAV's 48 kHz decode + resampler hear the same audio."""
    from companion.media import opus
    from companion.media.feeds import _LibopusSpeech, _PyAvSpeech

    assert opus.available()  # PyAV's wheel carries libopus; without it the speech path is slower
    packets = _opus_packets(50, 8000)
    direct, pyav = _LibopusSpeech(), _PyAvSpeech()
    a = np.concatenate([direct(p)[0] for p in packets]).astype(np.float64)
    b = np.concatenate([pyav(p)[0] for p in packets]).astype(np.float64)
    assert all(direct(p)[1] == 960 for p in packets[:3])  # durations in 48 kHz RTP ticks
    n = min(len(a), len(b))
    lag = int(np.argmax(np.correlate(a[4000:4800], b[3960:4840], mode="valid")))  # resampler delay
    x, y = a[4000:n - 100], b[3960 + lag:3960 + lag + n - 4100]
    assert abs(np.sqrt(np.mean(x ** 2)) / np.sqrt(np.mean(y ** 2)) - 1) < 0.1
    assert np.corrcoef(x, y)[0, 1] > 0.95


def test_the_tap_sits_where_this_aiortc_hands_frames_to_its_decoder():
    """The receiver internal the relay relies on (bounded in pyproject.toml) is still there."""
    from aiortc import RTCRtpReceiver

    class Transport:
        state = "new"

        def _register_rtp_receiver(self, *args):
            pass

    receiver = RTCRtpReceiver("audio", Transport())
    tap = AudioTap.install(receiver)
    assert receiver._RTCRtpReceiver__decoder_queue is tap
    assert isinstance(receiver._RTCRtpReceiver__jitter_buffer, PassThrough)


def test_audio_packets_pass_at_once_and_late_ones_are_dropped():
    """aiortc's audio buffer held four frames (80 ms) before releasing one; the relay's releases each at once."""
    from aiortc.rtp import RtpPacket

    def packet(seq: int) -> RtpPacket:
        p = RtpPacket(sequence_number=seq % 65536, timestamp=960 * seq)
        p._data = bytes([seq % 256])
        return p

    buffer = PassThrough()
    out = [buffer.add(packet(s))[1] for s in (65534, 65535, 0, 2, 1, 2, 3, 40000)]
    released = [f.data[0] if f is not None else None for f in out]
    # 1 came after 2 (late) and 2 twice (duplicate): dropped; 40000 is far behind, a restarted stream.
    assert released == [254, 255, 0, 2, None, None, 3, 40000 % 256]
    assert buffer.dropped == 2
