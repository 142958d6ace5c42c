"""Speech pipeline benchmark: pipeline cost, transcription speed, caption latency.

Run from the repository root::

    .venv/bin/python bench/speech.py [--seconds 60] [--live-seconds 30] [--runs 5]

It prints:
1. the pipeline's own CPU cost per second of audio with transcription off
   (48 kHz stereo WebRTC frames -> Resampler -> webrtcvad segmenter ->
   utterances), as process CPU time, median of runs, in % of one core;
2. the real-time factor of transcription with the configured model when it is
   in ``models/`` (else any model there, else a base-shaped random-weight
   model built in a temporary folder: speed only, never accuracy);
3. end-of-speech -> utterance-ready latency (median, p95) when two speakers are
   fed in real time through ``SpeakerStream``s sharing one ``Transcriber``.

Speech comes from espeak-ng when installed (two voices), else from a
synthetic vowel-like signal (said so in the output).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av
import numpy as np

from companion.asr.engine import EngineOptions, WhisperEngine
from companion.asr.models import ModelStore
from companion.asr.stream import SpeakerStream
from companion.asr.transcriber import Transcriber
from companion.config import Settings
from companion.media.vad import SpeechSegment, SpeechSegmenter

R = 16_000


def dialogue(seconds: float):
    """(tracks {A, B} at 16 kHz, source label): the test script repeated to ``seconds``."""
    from tests.support.speech import SCRIPT, espeak_missing_reason, synthesise

    if espeak_missing_reason() is None:
        tl = synthesise(SCRIPT * max(1, int(seconds // 20) + 1))
        n = int(seconds * R)
        return {k: v[:n] for k, v in tl.tracks.items()}, "espeak-ng, two voices"
    t = np.arange(int(seconds * R)) / R
    vowel = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 16)) * 3000
    on_a = (t % 8) < 3
    on_b = ((t % 8) > 4) & ((t % 8) < 7)
    return {"A": (vowel * on_a).astype(np.int16), "B": (vowel * on_b).astype(np.int16)}, "synthetic vowels"


def webrtc_frames(track16k: np.ndarray) -> list[av.AudioFrame]:
    """The track as aiortc delivers it: 48 kHz stereo s16 frames of 960 samples."""
    x48 = np.repeat(track16k, 3)  # crude upsampling: the content does not matter for cost
    frames = []
    for i in range(0, len(x48) - 959, 960):
        s = x48[i:i + 960]
        f = av.AudioFrame.from_ndarray(np.stack([s, s], 1).reshape(1, -1), format="s16", layout="stereo")
        f.sample_rate, f.pts, f.time_base = 48_000, i, Fraction(1, 48_000)
        frames.append(f)
    return frames


def pipeline_cost(tracks, runs: int) -> tuple[float, int]:
    """Median CPU seconds per audio second for one participant, transcription off."""
    frames = webrtc_frames(tracks["A"])
    audio_s = len(frames) * 0.02
    costs, n_utt = [], 0
    for _ in range(runs):
        got = []
        stream = SpeakerStream("A", None, got.append)
        t0 = time.process_time()
        for i, f in enumerate(frames):
            stream.feed_frame(f, i * 0.02)
        stream.flush()
        costs.append((time.process_time() - t0) / audio_s)
        n_utt = len(got)
    return statistics.median(costs), n_utt


def pick_engine(settings: Settings, tmp: Path, beam: int) -> tuple[WhisperEngine, str]:
    store = ModelStore(settings.models_dir)
    path = store.resolve(settings.model) or next((m.path for m in store.list()), None)
    if path is not None:
        return (WhisperEngine(path, device=settings.device, options=EngineOptions(beam_size=beam)),
                f"{path.name} (real weights)")
    from tests.support.speech import build_whisper_model

    path = build_whisper_model(tmp / "base-shaped", shape="base")
    # Random weights decode until the cap: cap at ~3 tokens/s, about what real speech
    # yields. Their random timestamps make faster-whisper seek through extra windows
    # (a real model usually ends a window with a closing timestamp: one pass); the
    # encoder passes are counted and reported so the figure can be scaled.
    opts = EngineOptions(beam_size=beam, temperature=(0.0,), max_tokens_per_s=3.0, no_speech_prob=None,
                         compression_ratio=None, min_avg_logprob=None, hallucination_silence_s=None, max_repeats=None)
    return (WhisperEngine(path, device=settings.device, options=opts),
            "base-shaped model, random weights, ~3 tokens/s capped (speed estimate only)")


def segments_of(tracks) -> list[np.ndarray]:
    clips = []
    for track in tracks.values():
        seg = SpeechSegmenter()
        clips += [e.audio for e in seg.push(track, 0.0) + seg.flush() if isinstance(e, SpeechSegment)]
    return clips


class EncoderCounter:
    """Counts Whisper encoder passes (each costs a full 30 s window whatever the audio length)."""

    def __init__(self, engine: WhisperEngine):
        self.passes, self.seconds = 0, 0.0
        real = engine.model.encode

        def encode(features):
            t0 = time.perf_counter()
            try:
                return real(features)
            finally:
                self.passes += 1
                self.seconds += time.perf_counter() - t0

        engine.model.encode = encode


def transcription_rtf(engine: WhisperEngine, clips: list[np.ndarray], counter: EncoderCounter):
    """RTF batched as for a file and one utterance per pass, with encoder passes per call."""
    audio_s = sum(len(c) for c in clips) / R
    engine.transcribe_clips(clips[:1])  # warm up
    t = Transcriber(engine, max_backlog_s=None)
    p0 = counter.passes
    t0 = time.perf_counter()
    for c in clips:
        t.submit(c, lambda r: None)
    t.join()
    batched = (time.perf_counter() - t0) / audio_s
    batched_passes = (counter.passes - p0) / max(1, t.stats.batches)
    t.close()
    some = clips[: min(6, len(clips))]
    p0, e0 = counter.passes, counter.seconds
    t0 = time.perf_counter()
    for c in some:
        engine.transcribe_clips([c])
    single = (time.perf_counter() - t0) / (sum(len(c) for c in some) / R)
    single_passes = (counter.passes - p0) / len(some)
    per_pass = (counter.seconds - e0) / max(1, counter.passes - p0)
    return batched, batched_passes, single, single_passes, per_pass


def live_latency(engine: WhisperEngine, tracks, seconds: float) -> tuple[list[float], Transcriber]:
    """Feed both speakers in real time; latency = utterance delivered - wall time its speech ended."""
    frames = {k: webrtc_frames(v[: int(seconds * R)]) for k, v in tracks.items()}
    transcriber = Transcriber(engine, max_backlog_s=30.0)
    latencies: list[float] = []
    lock = threading.Lock()
    t0 = time.monotonic()

    def ready(u):
        with lock:
            latencies.append(time.monotonic() - (t0 + u.end))

    streams = {k: SpeakerStream(k, transcriber, ready) for k in tracks}
    n = min(len(f) for f in frames.values())
    for i in range(n):
        due = t0 + i * 0.02
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for k, s in streams.items():
            s.feed_frame(frames[k][i], i * 0.02)
    for s in streams.values():
        s.flush()
    transcriber.join()
    transcriber.close()
    return latencies, transcriber


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="audio length for cost and RTF")
    ap.add_argument("--live-seconds", type=float, default=30.0, help="real-time feed length for latency")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--beam", type=int, default=EngineOptions().beam_size, help="beam width (1 = greedy)")
    args = ap.parse_args()
    settings = Settings.load()
    tracks, source = dialogue(args.seconds)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load} "
          f"(other work on the machine slows every figure); speech: {source}")

    cost, n_utt = pipeline_cost(tracks, args.runs)
    print(f"pipeline cost, transcription off: {cost * 1000:.2f} ms CPU per s of audio = {cost * 100:.2f}% of "
          f"one core per participant (median of {args.runs}; resample 48k stereo -> VAD -> {n_utt} utterances)")

    with tempfile.TemporaryDirectory() as tmp:
        engine, label = pick_engine(settings, Path(tmp), args.beam)
        print(f"model: {label}; {engine.device} {engine.compute_type}, beam {engine.options.beam_size}")
        clips = segments_of(tracks)
        counter = EncoderCounter(engine)
        batched, bp, single, sp, per_pass = transcription_rtf(engine, clips, counter)
        print(f"transcription RTF: {batched:.3f} batched as for a file ({bp:.1f} encoder passes per call), "
              f"{single:.3f} one utterance per call ({sp:.1f} encoder passes per call, {per_pass:.2f} s per "
              f"encoder pass); {len(clips)} utterances, {sum(len(c) for c in clips) / R:.0f} s of speech")
        lat, tr = live_latency(engine, tracks, args.live_seconds)
        if lat:
            lat.sort()
            p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
            print(f"end of speech -> utterance ready: median {statistics.median(lat):.2f} s, p95 {p95:.2f} s "
                  f"({len(lat)} utterances, real-time feed of two speakers; includes the 0.45 s VAD hangover; "
                  f"{tr.stats.skipped} skipped by the backlog policy, {tr.stats.batches} passes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
