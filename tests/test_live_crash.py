"""A server killed with SIGKILL mid-call keeps every utterance it had captioned (process level)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from websockets.sync.client import connect

from companion.store import Store
from tests.support.rtc_client import CallClient, PacedAudio
from tests.support.server import free_port
from tests.support.speech import RATE

ROOT = Path(__file__).resolve().parent.parent
KEY = "crash-test-owner-key"


def _serve(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "COMPANION_DATA_DIR": str(tmp_path / "data"),
           "COMPANION_MODELS_DIR": str(tmp_path / "no-models"), "COMPANION_KEY": KEY}
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 (the server owns it until it dies)
    proc = subprocess.Popen([sys.executable, "-m", "companion", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/api/sessions", headers={"Authorization": f"Bearer {KEY}"})
            return proc, url
        except httpx.TransportError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start:\n" + (tmp_path / "server.log").read_text()[-2000:])


def test_kill_9_mid_call_loses_no_captioned_utterance(tmp_path, dialogue):
    proc, url = _serve(tmp_path)
    try:
        r = httpx.post(url + "/api/sessions", headers={"Authorization": f"Bearer {KEY}"}, json={
            "title": "Crash", "mode": "audio", "planned_minutes": 30,
            "participants": [{"name": "Ann", "role": "coach"}, {"name": "Bo", "role": "coachee"}]})
        body = r.json()
        sid, tokens = body["id"], {p["name"]: p["token"] for p in body["participants"]}
        captions: list[dict] = []
        stop = threading.Event()
        ws_url = url.replace("http", "ws") + f"/ws/sessions/{sid}?token={tokens['Ann']}"

        def collect() -> None:
            with connect(ws_url, open_timeout=5) as ws:
                while not stop.is_set():
                    try:
                        m = json.loads(ws.recv(timeout=0.2))
                    except TimeoutError:
                        continue
                    except Exception:
                        return
                    if m["type"] == "caption" and m.get("final"):
                        captions.append(m)

        reader = threading.Thread(target=collect)
        reader.start()

        async def call() -> None:
            ann = CallClient(url, sid, tokens["Ann"], PacedAudio(dialogue.tracks["A"], rate=RATE))
            bo = CallClient(url, sid, tokens["Bo"], PacedAudio(dialogue.tracks["B"], rate=RATE))
            await asyncio.gather(ann.join(1), bo.join(1))
            deadline = time.monotonic() + 40
            while len(captions) < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            proc.send_signal(signal.SIGKILL)  # mid-call, the moment the third caption was seen
            proc.wait(10)
            await asyncio.gather(ann.close(), bo.close(), return_exceptions=True)

        asyncio.run(call())
        stop.set()
        reader.join(5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(captions) >= 3, (tmp_path / "server.log").read_text()[-2000:]
    stored = Store(tmp_path / "data" / "companion.db").utterances(sid)
    kept = {(u.speaker, round(u.start, 2), round(u.end, 2)) for u in stored}
    for c in captions:
        assert (c["speaker"], c["start"], c["end"]) in kept, (c, kept)
