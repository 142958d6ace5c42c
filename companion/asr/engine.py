"""One loaded faster-whisper model, with an encoder window sized to the speech and the guards.

``WhisperEngine(model_dir, device=...)``: int8 on CPU, float16 on CUDA when a
GPU is present. ``transcribe(audio)`` returns guarded ``Recognised`` segments;
``transcribe_clips(clips)`` recognises several short clips in one window and
hands each clip its own words back; ``warm_up()`` runs one short decode so the
first real caption is as quick as the rest.

Why the window is sized to the audio: Whisper pads every input to a 30 s
window, so a 2 s utterance costs the encoder as much as 30 s of speech. The
CTranslate2 encoder accepts shorter inputs, so the engine cuts the padded
features to the audio plus ``window_margin_s`` (whole seconds, at least
``min_window_s``). Measured on tiny.en with espeak-ng speech (docs/benchmarks.md,
``bench/captions.py --windows``), this halves the time of a short utterance's
final and does not change its word errors; ``window_s=30`` restores Whisper's
own padding.

Why a prompt, and why it widens the window: each utterance is recognised alone,
so Whisper does not know what was said just before. ``prompt=`` hands it the
session's last words as context (``initial_prompt``), as streaming Whisper does
with its earlier sentences. With a prompt and a window barely longer than the
speech, tiny.en often repeats the utterance into the padding ("what could you
try first? what could you try first?"): it has not seen enough silence to know
the speech ended. With ``prompt_margin_s`` of silence after the audio it does.
Measured on the 14 GROW dev-set openings spoken by espeak-ng, one final at a
time (``bench/prompts.py``): WER 0.294 without a prompt, 0.256 with the
speaker's own last 200 characters and a 5 s margin (insertions up from 52 to
89), 0.213 with both speakers' last 200 characters and 9 s (insertions 54;
12 sessions better, 2 worse), for about 0.1 s more per final on 2 loaded cores.

Word timings cost one extra alignment pass; ``word_timestamps=None`` computes
them only where they are needed: to split several clips recognised in one
window back into their own words.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from companion.asr.guards import Recognised, collapse_repeats, guard_segments, words_text
from companion.asr.models import REQUIRED_FILES, is_model_dir
from companion.errors import InputError
from companion.media.audio import SAMPLE_RATE, to_float32
from companion.model import Word

# faster-whisper logs every clip it decodes at INFO ("Processing audio with duration ..."): noise
# on a server's console and, for a live call, a record of when each person spoke.
logging.getLogger("faster_whisper").setLevel(logging.WARNING)

#: Mel frames per second of audio (Whisper's 10 ms hop).
_FRAMES_PER_S = 100


@dataclass(frozen=True)
class EngineOptions:
    """Decoding settings and guard thresholds (None turns a guard off)."""

    #: Beam width; 1 is greedy (fastest), 5 is faster-whisper's default.
    beam_size: int = 5
    #: Temperatures tried in turn when a decode fails the compression/log-prob checks.
    temperature: tuple[float, ...] = (0.0, 0.4)
    #: Language code; "en" for ``.en`` models, None lets a multilingual model detect it.
    language: str | None = None
    #: Cap on decoded tokens per second of audio: runaway repetition cannot go on for long.
    max_tokens_per_s: float = 6.0
    #: Drop a segment when Whisper thinks it is not speech this strongly ...
    no_speech_prob: float | None = 0.6
    #: ... and its mean token log-probability is below this.
    no_speech_logprob: float | None = -0.5
    #: Drop a segment whose text compresses this well (repeated phrases).
    compression_ratio: float | None = 2.4
    #: Drop a segment whose mean token log-probability is below this (guessing).
    min_avg_logprob: float | None = -1.2
    #: faster-whisper's own guard: skip silent stretches around likely hallucinations.
    hallucination_silence_s: float | None = 2.0
    #: Collapse a phrase repeated this many times in a row to one occurrence.
    max_repeats: int | None = 3
    #: CPU threads for CTranslate2 (0: as many as there are cores, at most 4).
    cpu_threads: int = 0
    #: Decode Whisper's timestamp tokens. False decodes text only: one segment
    #: per window (word timings still come from the alignment heads).
    timestamps: bool = True
    #: Encoder window in seconds; None sizes it to the audio (see the module docstring).
    window_s: float | None = None
    #: Silence the sized window keeps after the audio (rounded up to whole seconds).
    window_margin_s: float = 1.0
    #: The smallest sized window.
    min_window_s: float = 3.0
    #: Word timings: True always, False never, None only when clips share a window.
    word_timestamps: bool | None = None
    #: Characters of a ``prompt`` (the text said before) kept as Whisper's context; 0 ignores prompts.
    prompt_chars: int = 200
    #: Silence the sized window keeps after the audio when there is a prompt (see the module docstring).
    prompt_margin_s: float = 9.0


@dataclass(slots=True)
class ClipText:
    """What one clip (one utterance's audio) was heard to say; times from the clip start."""

    text: str
    words: list[Word] = field(default_factory=list)
    #: Why text was removed ("no_speech", "repetition", ...); empty when nothing was.
    dropped: list[str] = field(default_factory=list)


def pick_device(device: str) -> tuple[str, str]:
    """(device, compute_type): float16 on a GPU when there is one, int8 on CPU."""
    import ctranslate2

    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    return device, ("float16" if device == "cuda" else "int8")


def window_frames(seconds: float, options: EngineOptions, *, prompted: bool = False) -> int:
    """Mel frames the encoder sees for ``seconds`` of audio (3000 = Whisper's 30 s)."""
    if options.window_s is not None:
        window = options.window_s
    else:
        margin = options.prompt_margin_s if prompted else options.window_margin_s
        window = max(options.min_window_s, math.ceil(seconds + margin))
    return int(min(30.0, max(window, 1.0)) * _FRAMES_PER_S)


def _windowed_model_class():
    from faster_whisper import WhisperModel

    class WindowedWhisperModel(WhisperModel):
        """faster-whisper with the encoder input cut to ``window`` mel frames (padding removed)."""

        window = 3000

        def encode(self, features):
            if features.shape[-1] > self.window:
                features = np.ascontiguousarray(features[..., : self.window])
            return super().encode(features)

    return WindowedWhisperModel


class WhisperEngine:
    """A faster-whisper model loaded from a local folder, with guards. Not thread-safe: one caller."""

    def __init__(self, model_dir: str | Path, *, device: str = "auto", options: EngineOptions | None = None,
                 name: str | None = None):
        model_dir = Path(model_dir)
        if not is_model_dir(model_dir):
            raise InputError(f"{model_dir} is not a complete model folder (needs {', '.join(REQUIRED_FILES)})")
        self.name = name or model_dir.name
        self.device, self.compute_type = pick_device(device)
        self.options = options or EngineOptions()
        threads = self.options.cpu_threads or min(4, os.cpu_count() or 1)
        # A folder path: faster-whisper never contacts a hub for it.
        self.model = _windowed_model_class()(str(model_dir), device=self.device, compute_type=self.compute_type,
                                             cpu_threads=threads, local_files_only=True)
        self.multilingual = self.model.model.is_multilingual

    def transcribe(self, audio: np.ndarray, *, words: bool | None = None, options: EngineOptions | None = None,
                   prompt: str | None = None) -> list[Recognised]:
        """Recognise 16 kHz audio (int16 or float32): guarded segments.

        ``words`` asks for word timings (default: ``options.word_timestamps``,
        with None meaning no); ``options`` overrides the engine's for this call
        (interim captions decode greedily). ``prompt``: text said just before
        this audio, given to Whisper as its previous context (``initial_prompt``);
        only its last ``options.prompt_chars`` characters are used. The caller
        must take it from the same session only.
        """
        samples = to_float32(audio) if audio.dtype == np.int16 else audio.astype(np.float32, copy=False)
        if len(samples) < SAMPLE_RATE // 10:
            return []
        o = options or self.options
        want_words = bool(o.word_timestamps) if words is None else words
        seconds = len(samples) / SAMPLE_RATE
        language = o.language or (None if self.multilingual else "en")
        context = prompt_tail(prompt, o.prompt_chars)
        self.model.window = window_frames(seconds, o, prompted=context is not None)
        segments, _info = self.model.transcribe(
            samples, language=language, beam_size=o.beam_size, best_of=o.beam_size,
            temperature=list(o.temperature), word_timestamps=want_words, condition_on_previous_text=False,
            initial_prompt=context,
            vad_filter=False, without_timestamps=not o.timestamps,
            max_new_tokens=max(8, int(o.max_tokens_per_s * min(seconds, 30.0)) + 8),
            hallucination_silence_threshold=o.hallucination_silence_s if want_words else None,
            compression_ratio_threshold=o.compression_ratio, log_prob_threshold=o.min_avg_logprob,
            no_speech_threshold=o.no_speech_prob,
        )
        # Materialise the lazy generator here, on the calling (worker) thread.
        out = []
        for s in segments:
            # Timestamps past the end of the audio are decoded from the padding:
            # nothing was said there.
            if s.start >= seconds - 0.02:
                continue
            seg_words = [Word(start=round(float(w.start), 3), end=round(min(float(w.end), seconds), 3),
                              text=w.word, probability=round(float(w.probability), 4))
                         for w in (s.words or []) if w.start < seconds - 0.02]
            out.append(Recognised(float(s.start), min(float(s.end), seconds), s.text.strip(), seg_words,
                                  float(s.avg_logprob), float(s.no_speech_prob), float(s.compression_ratio)))
        kept, _ = guard_segments(out, o)
        return kept

    def transcribe_clips(self, clips: list[np.ndarray], gap_s: float = 0.5, *, prompt: str | None = None
                         ) -> list[ClipText]:
        """Recognise several clips in one pass; each gets the words heard inside it.

        ``prompt``: the same session's text said before the first clip (see ``transcribe``).
        """
        if not clips:
            return []
        if len(clips) == 1 and not self.options.word_timestamps:
            # One clip: no splitting, so no word timings needed (the utterance keeps its text only).
            segments = self.transcribe(clips[0], words=False, prompt=prompt)
            untimed = [Word(s.start, s.end, " " + w) for s in segments for w in s.text.split()]
            return [_clip_text(untimed, self.options, timed=False)]
        gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.int16)
        offsets, parts, pos = [], [], 0
        for i, c in enumerate(clips):
            if i:
                parts.append(gap)
                pos += len(gap)
            offsets.append((pos / SAMPLE_RATE, (pos + len(c)) / SAMPLE_RATE))
            parts.append(c.astype(np.int16, copy=False))
            pos += len(c)
        segments = self.transcribe(np.concatenate(parts), words=True, prompt=prompt)
        return split_by_clip(segments, offsets, gap_s, self.options)

    def warm_up(self) -> float:
        """One short decode (a second of quiet tone), so the first caption is not slowed by loading."""
        import time

        t0 = time.perf_counter()
        t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
        self.transcribe((np.sin(2 * np.pi * 220 * t) * 3000).astype(np.int16), words=False)
        return time.perf_counter() - t0


def prompt_tail(text: str | None, chars: int) -> str | None:
    """The last ``chars`` characters of ``text``, starting at a word; None when nothing is left."""
    if not text or chars <= 0:
        return None
    text = " ".join(text.split())
    if len(text) > chars:
        cut = text[-chars:]
        space = cut.find(" ")
        text = cut[space + 1:] if 0 <= space < len(cut) - 1 else cut
    return text or None


def _clip_text(words: list[Word], options: EngineOptions, *, timed: bool = True) -> ClipText:
    """A clip's text after the repetition guard; ``timed=False``: words carry no timings, keep the text only."""
    dropped: list[str] = []
    if options.max_repeats:
        words, n = collapse_repeats(words, options.max_repeats)
        if n:
            dropped.append("repetition")
    return ClipText(text=words_text(words), words=words if timed else [], dropped=dropped)


def split_by_clip(segments: list[Recognised], offsets: list[tuple[float, float]], gap_s: float,
                  options: EngineOptions) -> list[ClipText]:
    """Hand each clip the words whose middle falls inside it (plus half the gap either side)."""
    per_clip: list[list[Word]] = [[] for _ in offsets]
    starts = [a for a, _ in offsets]
    for seg in segments:
        words = seg.words or [Word(seg.start, seg.end, " " + seg.text)]
        for w in words:
            mid = (w.start + w.end) / 2
            i = max(0, int(np.searchsorted(starts, mid + gap_s / 2, side="right")) - 1)
            a, b = offsets[i]
            if mid > b + gap_s / 2:
                continue  # in a gap, heard between clips: belongs to nobody
            per_clip[i].append(Word(round(max(0.0, w.start - a), 3), round(max(0.0, min(w.end, b) - a), 3),
                                    w.text, w.probability))
    return [_clip_text(words, options) for words in per_clip]
