"""Live-call load: N concurrent two-person audio sessions of aiortc clients, all on 127.0.0.1.

Run: ``.venv/bin/python bench/live_load.py [--max-sessions 16] [--seconds 10] [--repeats 3] [--profile OUT]``

The server runs in its own process (``companion serve`` on a free loopback
port, naming a model that is not installed, so nothing is transcribed; the
decode to 16 kHz, the VAD and the analyzer still run). The clients run here.
Each participant sends a 100 ms tone burst once a second; the other
participant's client notes when the burst arrives. Latency = arrival - send,
through the server (Opus packets forwarded as they come). The same
measurement between two clients connected directly gives the baseline; the
difference is the relay's added latency.

Figures: server CPU per session and per participant (percent of one core,
read from ``/proc/<server pid>/stat``, so the clients' own CPU is not
counted), relay latency median and p95, added latency, and the largest N
whose p95 added latency stays under 150 ms. Each level is run ``--repeats``
times with fresh sessions and every figure is the median over those runs
(the spread of server CPU is printed too). N doubles from 1 until that fails
or ``--max-sessions``; everything stops by itself.

What "per participant" means: all of the server's CPU over the measured
window (``--seconds``, after the calls have settled for 2 s), divided by the
participants. The server's own idle cost is inside it, not subtracted: it is
what running the server costs, and it is printed first (``server idle CPU``,
measured with no call; about 0-0.3% of a core, so it changes nothing). What
makes one pair cost more per participant than four is not a fixed cost but
the event loop's cost per wake-up: with few packets each arrival wakes the
loop on its own, with many one wake-up serves several (``wakes/pkt``: the
event-loop thread's voluntary context switches per packet in or out). The machine's load
average is printed with every row; a starved server also does less work per
packet, so figures from a busy machine are lower bounds on its own cost.

``--profile OUT`` runs the server under cProfile (the event-loop thread, where
the relay, VAD and analysis run) and prints its top self-time entries at the
end; CPU figures from such a run are inflated by the profiler, shares are not.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx
import numpy as np
from aiortc import RTCSessionDescription

from companion.media import ice
from companion.media.ice import IcePolicy
from tests.support.rtc_client import CallClient, PacedAudio, Received, tone_bursts
from tests.support.server import free_port

LIMIT_MS = 150.0
KEY = "bench-owner-key"  # 12+ characters, as the server requires
EVERY_S = 1.0
LOUD = 2000.0


def burst_sender(offset_s: float, freq: float) -> tuple[PacedAudio, list[float]]:
    """A track sending a burst every second (starting ``offset_s`` in), and the wall times of each burst."""
    samples = np.roll(tone_bursts(60, every=EVERY_S, burst=0.1, freq=freq), int(offset_s * 48000))
    track = PacedAudio(samples, loop=True)
    sent: list[float] = []
    period = int(EVERY_S * 48000 / 960)
    first = int(offset_s * 48000 / 960)

    def on_frame(i: int, t: float) -> None:
        if i % period == first % period:
            sent.append(t)

    track.on_frame = on_frame
    return track, sent


def onsets(levels: list[tuple[float, float]]) -> list[float]:
    out, loud = [], False
    for t, rms in levels:
        if rms > LOUD and not loud:
            out.append(t)
        loud = rms > LOUD
    return out


def latencies(sent: list[float], rec: Received, since: float) -> list[float]:
    out = []
    for t in onsets(rec.levels):
        if t < since:
            continue
        before = [s for s in sent if s <= t]
        if before and t - before[-1] < EVERY_S / 2:
            out.append((t - before[-1]) * 1000)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def direct_baseline(seconds: float) -> list[float]:
    """Two aiortc peers connected directly (no server): the latency the relay is compared to."""
    ice.install()
    policy = IcePolicy.loopback_only()
    a, b = policy.new_peer_connection(), policy.new_peer_connection()
    track, sent = burst_sender(0.0, 1000)
    a.addTransceiver(track, direction="sendonly")
    rec = Received("direct")
    tasks = []

    @b.on("track")
    def on_track(t):
        async def consume():
            try:
                while True:
                    f = await t.recv()
                    x = f.to_ndarray().astype(np.float32)
                    rec.levels.append((time.monotonic(), float(np.sqrt(np.mean(x * x)))))
            except Exception:
                return
        tasks.append(asyncio.ensure_future(consume()))

    await policy.set_local_description(a, await a.createOffer())
    await b.setRemoteDescription(RTCSessionDescription(a.localDescription.sdp, "offer"))
    await policy.set_local_description(b, await b.createAnswer())
    await a.setRemoteDescription(RTCSessionDescription(b.localDescription.sdp, "answer"))
    start = time.monotonic()
    await asyncio.sleep(seconds)
    await a.close()
    await b.close()
    for t in tasks:
        t.cancel()
    return latencies(sent, rec, start + 2)


async def run_level(url: str, n: int, seconds: float, server_pid: int) -> dict:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        sessions = []
        for i in range(n):
            r = await http.post("/api/sessions", headers={"Authorization": f"Bearer {KEY}"}, json={
                "title": f"load {i}", "mode": "audio", "planned_minutes": 30,
                "participants": [{"name": "A", "role": "coach"}, {"name": "B", "role": "coachee"}]})
            r.raise_for_status()
            sessions.append(r.json())
    clients = []
    for s in sessions:
        tok = {p["name"]: p["token"] for p in s["participants"]}
        ta, sent_a = burst_sender(0.0, 700)
        tb, sent_b = burst_sender(0.5, 1100)
        a = CallClient(url, s["id"], tok["A"], ta)
        b = CallClient(url, s["id"], tok["B"], tb)
        a.keep_levels = b.keep_levels = True
        clients.append((a, sent_a, b, sent_b))
    await asyncio.gather(*(c.join(1, timeout=60) for a, _, b, _ in clients for c in (a, b)))
    await asyncio.sleep(2.0)  # settle
    t0, c0, own0, w0 = time.monotonic(), cpu_seconds(server_pid), _own_cpu(), loop_waits(server_pid)
    await asyncio.sleep(seconds)
    t1, c1, own1, w1 = time.monotonic(), cpu_seconds(server_pid), _own_cpu(), loop_waits(server_pid)
    lat = []
    for a, sent_a, b, sent_b in clients:
        lat += latencies(sent_a, b.received.get("A", Received("A")), t0)
        lat += latencies(sent_b, a.received.get("B", Received("B")), t0)
    await asyncio.gather(*(c.close() for a, _, b, _ in clients for c in (a, b)), return_exceptions=True)
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        for s in sessions:
            await http.post(f"/api/sessions/{s['id']}/end", headers={"Authorization": f"Bearer {KEY}"})
    expected = 2 * n * seconds / EVERY_S
    server = 100 * (c1 - c0) / (t1 - t0)
    return {"n": n, "cpu_per_session_pct": server / n, "cpu_per_participant_pct": server / (2 * n),
            "server_cpu_pct": server, "client_cpu_pct": 100 * (own1 - own0) / (t1 - t0),
            # Each participant sends 50 packets a second, each forwarded once: 100 packets in or out.
            "wakes_per_packet": (w1 - w0) / (t1 - t0) / (2 * n * 100),
            "median_ms": statistics.median(lat) if lat else float("inf"),
            "p95_ms": float(np.percentile(lat, 95)) if lat else float("inf"),
            "bursts_heard": len(lat) / expected if expected else 0.0}


def loop_waits(pid: int) -> int:
    """Times the server's main thread (its event loop) went to sleep and was woken again."""
    for line in Path(f"/proc/{pid}/task/{pid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    return 0


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def idle_cpu_pct(pid: int, seconds: float = 3.0) -> float:
    """The server's CPU with no call running (its own background work)."""
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def median_of(runs: list[dict]) -> dict:
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out["cpu_range"] = (min(r["cpu_per_session_pct"] for r in runs), max(r["cpu_per_session_pct"] for r in runs))
    return out



@contextlib.contextmanager
def relay_server(profile: str | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """A companion server in its own process, for measuring the relay alone; stopped on exit.

    It names a model that is not installed, so nothing is transcribed (the bundled tiny.en would
    otherwise load, warm up and recognise the bursts). ``profile``: cProfile output path.
    """
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "COMPANION_DATA_DIR": f"{tmp}/data", "COMPANION_MODELS_DIR": f"{tmp}/models",
               "COMPANION_KEY": KEY, "COMPANION_MODEL": "relay-only"}
        # The server's output goes to a file: an unread pipe would fill up and stall the server.
        log = open(f"{tmp}/server.log", "wb")  # noqa: SIM115 (closed after the server exits)
        profiler = ["-m", "cProfile", "-o", str(Path(profile).resolve())] if profile else []
        proc = subprocess.Popen([sys.executable, *profiler, "-m", "companion", "serve", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    httpx.get(url + "/api/sessions", headers={"Authorization": f"Bearer {KEY}"})
                    break
                except httpx.TransportError:
                    if proc.poll() is not None:
                        break
                    time.sleep(0.1)
            else:
                raise SystemExit("the server did not start in 30 s")
            if proc.poll() is not None:
                raise SystemExit("the server exited:\n" + Path(f"{tmp}/server.log").read_text()[-2000:])
            yield url, proc
        finally:
            # SIGINT lets a profiled server unwind and write its profile; uvicorn stops on either.
            proc.send_signal(signal.SIGINT if profile else signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-sessions", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    ap.add_argument("--repeats", type=int, default=3, help="runs per level; figures are medians")
    ap.add_argument("--levels", help="comma-separated N to run, all of them, instead of doubling until it fails")
    ap.add_argument("--profile", metavar="OUT", help="profile the server with cProfile into OUT")
    args = ap.parse_args()
    with relay_server(args.profile) as (url, proc):
        idle = idle_cpu_pct(proc.pid)
        print(f"server idle CPU {idle:.1f}% of one core; load average {os.getloadavg()[0]:.2f}; "
              f"{os.cpu_count()} cores; {args.repeats} run(s) per level, medians shown")
        base = []
        for _ in range(args.repeats):
            base += asyncio.run(direct_baseline(args.seconds))
        base_med = statistics.median(base)
        print(f"direct aiortc-to-aiortc baseline: median {base_med:.0f} ms, "
              f"p95 {np.percentile(base, 95):.0f} ms ({len(base)} bursts)")
        print(f"{'N':>3} {'CPU/session':>12} {'(min-max)':>12} {'CPU/particip.':>13} {'server':>7} "
              f"{'clients':>8} {'median':>7} {'p95':>7} {'added p50':>10} {'added p95':>10} {'heard':>6} "
              f"{'wakes/pkt':>9}")
        best, failed = 0, False
        levels = [int(x) for x in args.levels.split(",")] if args.levels else None
        n = levels.pop(0) if levels else 1
        while n <= args.max_sessions:
            r = median_of([asyncio.run(run_level(url, n, args.seconds, proc.pid))
                           for _ in range(args.repeats)])
            added50, added95 = r["median_ms"] - base_med, r["p95_ms"] - base_med
            lo, hi = r["cpu_range"]
            print(f"{n:>3} {r['cpu_per_session_pct']:>11.1f}% {f'({lo:.1f}-{hi:.1f})':>12} "
                  f"{r['cpu_per_participant_pct']:>12.1f}% {r['server_cpu_pct']:>6.0f}% "
                  f"{r['client_cpu_pct']:>7.0f}% {r['median_ms']:>5.0f}ms {r['p95_ms']:>5.0f}ms "
                  f"{added50:>8.0f}ms {added95:>8.0f}ms {r['bursts_heard']:>6.0%} {r['wakes_per_packet']:>9.2f}  "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
            ok = added95 < LIMIT_MS and r["bursts_heard"] >= 0.9
            if ok and not failed:
                best = n
            failed = failed or not ok
            if levels is not None:
                if not levels:
                    break
                n = levels.pop(0)
                continue
            if not ok:
                break
            n *= 2
        print(f"largest N with p95 added relay latency under {LIMIT_MS:.0f} ms: {best}"
              f"{' (the cap; try --max-sessions)' if best == args.max_sessions else ''}")
    if args.profile:
        print_profile(args.profile)
    return 0


def print_profile(path: str, top: int = 25) -> None:
    """The server's largest self-time entries, as shares of the profiled time."""
    import pstats

    stats = pstats.Stats(path)
    total = sum(v[2] for v in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
    print(f"\nserver self time by function (cProfile, {total:.1f} s profiled):")
    for (file, line, name), (_cc, _nc, tt, _ct, _callers) in rows:
        where = file.split("site-packages/")[-1] if "site-packages/" in file else file.split("/work/")[-1]
        print(f"{100 * tt / total:5.1f}%  {name}  ({where}:{line})")


if __name__ == "__main__":
    sys.exit(main())
