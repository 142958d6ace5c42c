"""A peer-coaching group's call at full size: 7 people, audio only, through one companion server.

Run: ``.venv/bin/python bench/group_load.py [--people 7] [--seconds 20] [--repeats 3]``

The server runs in its own process (``companion serve`` on a loopback port, an empty models
folder: nothing is transcribed, VAD and the analyzer still run, as on a machine without a
model). Seven aiortc clients join one audio session (a facilitator and six members); each
sends a 100 ms tone burst once a second at its own offset and pitch, and every other client
notes when it arrives. Figures: the server process's CPU (percent of one core, from
``/proc/<pid>/stat``, so the clients' CPU is not counted) for the whole call and per
participant, relay latency median and p95 over every directed pair, and the share of bursts
heard (a burst arriving more than 0.5 s after it was sent counts as not heard). Each figure
is the median over ``--repeats`` runs. The same helpers as
``bench/live_load.py`` (pairs) measure it, so the two tables compare.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import httpx
import numpy as np
from live_load import EVERY_S, KEY, burst_sender, cpu_seconds, idle_cpu_pct, latencies, relay_server

from tests.support.rtc_client import CallClient, Received


async def run_call(url: str, people: int, seconds: float, server_pid: int, per_pair: bool = False) -> dict:
    names = [f"P{i}" for i in range(people)]
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        r = await http.post("/api/sessions", headers={"Authorization": f"Bearer {KEY}"}, json={
            "title": "group load", "mode": "audio", "planned_minutes": 90,
            "participants": [{"name": n, "role": "facilitator" if i == 0 else "member"} for i, n in enumerate(names)]})
        r.raise_for_status()
        s = r.json()
    tokens = {p["name"]: p["token"] for p in s["participants"]}
    clients, sent = {}, {}
    for i, n in enumerate(names):
        track, sent[n] = burst_sender(i * EVERY_S / people, 500 + 150 * i)
        clients[n] = CallClient(url, s["id"], tokens[n], track)
        clients[n].keep_levels = True
    await asyncio.gather(*(c.join(people - 1, timeout=90) for c in clients.values()))
    await asyncio.sleep(3.0)  # settle
    t0, c0 = time.monotonic(), cpu_seconds(server_pid)
    await asyncio.sleep(seconds)
    t1, c1 = time.monotonic(), cpu_seconds(server_pid)
    lat: list[float] = []
    heard_by_pair = {}
    for listener, c in clients.items():
        for speaker in names:
            if speaker != listener:
                got = latencies(sent[speaker], c.received.get(speaker, Received(speaker)), t0)
                heard_by_pair[(listener, speaker)] = len(got)
                lat += got
    if per_pair:
        print("bursts heard per (listener, speaker):", heard_by_pair)
    await asyncio.gather(*(c.close() for c in clients.values()), return_exceptions=True)
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        await http.post(f"/api/sessions/{s['id']}/end", headers={"Authorization": f"Bearer {KEY}"})
    expected = people * (people - 1) * seconds / EVERY_S
    server = 100 * (c1 - c0) / (t1 - t0)
    return {"server_cpu_pct": server, "cpu_per_participant_pct": server / people,
            "median_ms": statistics.median(lat) if lat else float("inf"),
            "p95_ms": float(np.percentile(lat, 95)) if lat else float("inf"),
            "heard": len(lat) / expected if expected else 0.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=7)
    ap.add_argument("--seconds", type=float, default=20.0, help="measured seconds per run")
    ap.add_argument("--repeats", type=int, default=3, help="runs; figures are medians")
    ap.add_argument("--per-pair", action="store_true", help="print the bursts heard for every directed pair")
    args = ap.parse_args()
    with relay_server() as (url, proc):
        idle = idle_cpu_pct(proc.pid)
        print(f"server idle CPU {idle:.1f}% of one core; load average {os.getloadavg()[0]:.2f}; "
              f"{os.cpu_count()} cores; {args.people} people, {args.seconds:g} s measured, "
              f"{args.repeats} run(s), medians shown")
        runs = [asyncio.run(run_call(url, args.people, args.seconds, proc.pid, args.per_pair))
                for _ in range(args.repeats)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        lo, hi = min(r["server_cpu_pct"] for r in runs), max(r["server_cpu_pct"] for r in runs)
        print(f"server CPU {med['server_cpu_pct']:.0f}% of one core (runs {lo:.0f}-{hi:.0f}%), "
              f"{med['cpu_per_participant_pct']:.1f}% per participant; relay latency median "
              f"{med['median_ms']:.0f} ms, p95 {med['p95_ms']:.0f} ms; bursts heard {med['heard']:.0%}; "
              f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
