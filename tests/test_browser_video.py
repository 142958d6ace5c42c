"""Video mode in two real headless Chromiums (fake camera and microphone), and audio mode offering no video.

Each page is checked with ``getStats()``: inbound video frames from the other
participant are decoded and keep growing, inbound audio arrives, and the
other person's tile shows a playing ``<video>``. In an audio session no video
m-line is sent or received and no video element shows anything.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.browser import wait_for

pytestmark = pytest.mark.browser

NAMES = {"coach": "Ann", "coachee": "Bo"}
OTHER = {"Ann": "Bo", "Bo": "Ann"}

STATS = """async () => {
  const call = window.companionCall, pc = call.pc;
  const out = {video: {decoded: 0, packets: 0, width: 0, mids: []}, audio: {packets: 0, energy: 0, mids: []},
               sentVideo: 0, state: pc ? pc.connectionState : null,
               local: pc && pc.localDescription ? pc.localDescription.sdp : '',
               remote: pc && pc.remoteDescription ? pc.remoteDescription.sdp : '',
               slots: call.slots, videos: []};
  if (!pc) return out;
  const s = await pc.getStats();
  s.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') {
      out.video.decoded += r.framesDecoded || 0; out.video.packets += r.packetsReceived || 0;
      out.video.width = Math.max(out.video.width, r.frameWidth || 0);
      if ((r.framesDecoded || 0) > 0) out.video.mids.push(r.mid);
    } else if (r.type === 'inbound-rtp' && r.kind === 'audio') {
      out.audio.packets += r.packetsReceived || 0; out.audio.energy += r.totalAudioEnergy || 0;
      if ((r.packetsReceived || 0) > 0) out.audio.mids.push(r.mid);
    } else if (r.type === 'outbound-rtp' && r.kind === 'video') {
      out.sentVideo += r.packetsSent || 0;
    }
  });
  document.querySelectorAll('video').forEach((v) => {
    const tile = v.closest('.tile');
    out.videos.push({tile: tile ? tile.dataset.tile : null, width: v.videoWidth, height: v.videoHeight});
  });
  return out;
}"""



def create_session(server, mode: str) -> tuple[str, dict[str, str]]:
    r = httpx.post(f"{server.url}/api/sessions", headers=server.owner_headers(), json={
        "title": f"{mode} call", "mode": mode, "planned_minutes": 30,
        "participants": [{"name": "Ann", "role": "coach"}, {"name": "Bo", "role": "coachee"}]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["mode"] == mode
    return body["id"], {NAMES[p["role"]]: p["link"] for p in body["participants"]}


def join_both(launch_browser, links) -> dict:
    pages = {}
    for name in ("Ann", "Bo"):
        page = launch_browser().new_page()
        page.goto(links[name])
        page.get_by_role("button", name="Join").click()
        page.get_by_test_id("call").wait_for()
        pages[name] = page
    for name, page in pages.items():
        wait_for(lambda page=page: page.evaluate(STATS)["state"] == "connected", what=f"{name} connected")
    return pages


def mid_of(stats, name, kind):
    return next(mid for mid, s in stats["slots"].items() if s["name"] == name and s["kind"] == kind)


def test_video_call_shows_each_person_to_the_other(server, launch_browser):
    sid, links = create_session(server, "video")
    pages = join_both(launch_browser, links)

    first = {}
    for name, page in pages.items():
        other = OTHER[name]
        st = wait_for(lambda page=page: (lambda s: s if s["video"]["decoded"] > 0 and s["audio"]["energy"] > 0
                                         else None)(page.evaluate(STATS)),
                      what=f"{name} decoding video and hearing audio")
        # The video and audio come in on the slots the server labelled with the other person.
        assert st["video"]["mids"] == [mid_of(st, other, "video")], st["video"]
        assert st["audio"]["mids"] == [mid_of(st, other, "audio")], st["audio"]
        assert st["video"]["width"] > 0 and st["sentVideo"] > 0
        assert st["local"].count("m=video") == 2 and st["remote"].count("m=video") == 2
        first[name] = st["video"]["decoded"]

    # Frames keep coming, and the other person's tile shows a playing video.
    for name, page in pages.items():
        other = OTHER[name]
        wait_for(lambda page=page, name=name: page.evaluate(STATS)["video"]["decoded"] > first[name] + 10,
                 what=f"{name} still decoding video")
        videos = wait_for(lambda page=page, other=other: [v for v in page.evaluate(STATS)["videos"]
                                                          if v["tile"] == other and v["width"] > 0],
                          what=f"{name} sees {other}'s video")
        assert videos[0]["height"] > 0
        assert page.get_by_test_id(f"tile-{other}").count() == 1

    room = server.app.state.live.rooms.get(sid)
    assert sorted(room.present()) == ["Ann", "Bo"]
    assert all(set(p.published) == {"audio", "video"} for p in room.peers.values())


def test_audio_call_offers_no_video(server, launch_browser):
    sid, links = create_session(server, "audio")
    pages = join_both(launch_browser, links)
    for name, page in pages.items():
        st = wait_for(lambda page=page: (lambda s: s if s["audio"]["energy"] > 0 else None)(page.evaluate(STATS)),
                      what=f"{name} hearing audio")
        assert st["audio"]["mids"] == [mid_of(st, OTHER[name], "audio")]
        assert "m=video" not in st["local"] and "m=video" not in st["remote"]
        assert all(s["kind"] == "audio" for s in st["slots"].values())
    time.sleep(1.0)
    for page in pages.values():
        st = page.evaluate(STATS)
        assert st["video"]["packets"] == 0 and st["sentVideo"] == 0
        assert not [v for v in st["videos"] if v["width"] > 0]
    room = server.app.state.live.rooms.get(sid)
    assert all(set(p.published) == {"audio"} for p in room.peers.values())
