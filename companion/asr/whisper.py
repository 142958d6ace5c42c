"""Speech recognition with faster-whisper: local models, a guarded engine, a worker thread.

Three parts, each usable alone:

``ModelStore(models_dir)``
    The models in ``models/`` (``list()``, with sizes), a name such as
    ``base.en`` resolved to its local folder (``resolve``), and ``download``,
    the only code in the project that touches the network, run only by
    ``companion models download NAME``. Loading never falls back to a hub: a
    model that is not on disk is simply missing.

``WhisperEngine(model_dir, device=...)``
    One loaded model: int8 on CPU, float16 on CUDA when a GPU is present, word
    timestamps on. ``transcribe(audio)`` returns ``Recognised`` segments with
    ``Word``s, after the hallucination guards (``guard_segments``) and the
    repetition guard (``collapse_repeats``) ran. ``transcribe_clips(clips)``
    recognises several short clips in one 30 s Whisper window (Whisper pads
    every input to 30 s, so one pass for many clips costs about what one clip
    costs) and hands each clip its own words back.

``Transcriber(engine, max_backlog_s=...)``
    A worker thread serving every speaker of a session. ``submit(audio, done)``
    never blocks; ``done(ClipText | None)`` is called on the worker thread, in
    submission order. faster-whisper's lazy segment generator is consumed
    inside the worker, never on the caller's (event loop's) thread.

Why the backlog stays bounded when recognition is slower than speech:
1. Batching: whatever is waiting when the worker frees up is recognised in
   one window (up to ``max_batch_s`` of audio), so catching up costs one
   encoder pass for many utterances instead of one each.
2. Skipping: if the audio still waiting exceeds ``max_backlog_s``, the oldest
   waiting clips are handed back as ``None`` (the caller marks those
   utterances ``transcribed=False``; they still count for talk time). The
   newest speech is never skipped, so captions stay current.
3. A smaller model (``COMPANION_MODEL=tiny.en``) is the lever when skipping
   happens often; ``Transcriber.stats`` counts skipped clips so the UI can say so.
Files use ``max_backlog_s=None``: no real-time constraint, nothing skipped.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from companion.errors import InputError
from companion.media.audio import SAMPLE_RATE, to_float32
from companion.model import Word

log = logging.getLogger(__name__)

#: Files a faster-whisper (CTranslate2) model folder must have to load offline.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")

#: Model names ``companion models download`` accepts, with their Hugging Face repos
#: (the Systran conversions faster-whisper itself uses).
MODEL_REPOS: dict[str, str] = {
    "tiny.en": "Systran/faster-whisper-tiny.en",
    "tiny": "Systran/faster-whisper-tiny",
    "base.en": "Systran/faster-whisper-base.en",
    "base": "Systran/faster-whisper-base",
    "small.en": "Systran/faster-whisper-small.en",
    "small": "Systran/faster-whisper-small",
    "medium.en": "Systran/faster-whisper-medium.en",
    "medium": "Systran/faster-whisper-medium",
    "large-v1": "Systran/faster-whisper-large-v1",
    "large-v2": "Systran/faster-whisper-large-v2",
    "large-v3": "Systran/faster-whisper-large-v3",
    "distil-small.en": "Systran/faster-distil-whisper-small.en",
    "distil-medium.en": "Systran/faster-distil-whisper-medium.en",
    "distil-large-v2": "Systran/faster-distil-whisper-large-v2",
    "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
}
_DOWNLOAD_PATTERNS = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*"]


# -- models on disk -----------------------------------------------------------
@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    size_bytes: int


class ModelStore:
    """The speech models in one folder (``Settings.models_dir``)."""

    def __init__(self, models_dir: str | Path):
        self.dir = Path(models_dir)

    @staticmethod
    def is_model_dir(path: Path) -> bool:
        return path.is_dir() and all((path / f).is_file() for f in REQUIRED_FILES)

    def list(self) -> list[ModelInfo]:
        """Complete models in the folder, by name."""
        if not self.dir.is_dir():
            return []
        out = []
        for p in sorted(self.dir.iterdir()):
            if not p.name.startswith(".") and self.is_model_dir(p):
                size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file() and ".cache" not in f.parts)
                out.append(ModelInfo(p.name, p, size))
        return out

    def resolve(self, name: str) -> Path | None:
        """The local folder for ``name`` (a model name, or a path to a model folder), or None."""
        candidates = [self.dir / name]
        if os.sep in name or name.startswith((".", "~")):
            candidates.insert(0, Path(name).expanduser())
        return next((p for p in candidates if self.is_model_dir(p)), None)

    def download(self, name: str) -> Path:
        """Fetch ``name`` from the Hugging Face hub into the folder; returns its path.

        Files land in a hidden ``.NAME.partial`` folder first and are moved into
        place only when complete, so an interrupted download is never listed
        or loaded (and resumes when run again).
        """
        repo = MODEL_REPOS.get(name)
        if repo is None:
            raise InputError(f"unknown model {name!r}; choose one of: {', '.join(MODEL_REPOS)}")
        target = self.dir / name
        if self.is_model_dir(target):
            return target
        import huggingface_hub

        partial = self.dir / f".{name}.partial"
        partial.mkdir(parents=True, exist_ok=True)
        try:
            # huggingface_hub draws a progress bar per file on stderr.
            huggingface_hub.snapshot_download(repo, local_dir=partial, allow_patterns=_DOWNLOAD_PATTERNS)
        except Exception as e:  # network, disk, hub errors: all end the same way for the user
            reason = " ".join(str(e).split())[:200] or type(e).__name__
            raise InputError(f"could not download {name} from {repo}: {reason} (is this machine online? "
                             f"a partial download in {partial} resumes next time)") from None
        if not self.is_model_dir(partial):
            raise InputError(f"the download of {name} is incomplete (missing {', '.join(REQUIRED_FILES)})")
        shutil.rmtree(partial / ".cache", ignore_errors=True)
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
        return target


def missing_model_note(name: str, models_dir: Path) -> str:
    """What to tell the user when the configured model is not on disk."""
    fetch = f"companion models download {name}" if name in MODEL_REPOS else "companion models download base.en"
    return (f"No speech model: {name!r} is not in {models_dir}, so nothing was transcribed. "
            f"Run `{fetch}` to fetch it. Talk time, turns, monologues, interruptions and pauses "
            f"were measured without it.")


# -- the engine ----------------------------------------------------------------
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
    #: per 30 s window (word timings still come from the alignment heads).
    timestamps: bool = True


#: Phrases Whisper is known to produce on silence, music and noise (from its
#: subtitle training data). Dropped when the segment is also unsure it heard speech.
HALLUCINATED_PHRASES = {
    "thank you", "thank you.", "thanks for watching", "thanks for watching!", "thank you for watching",
    "thank you for watching.", "please subscribe", "subscribe to my channel", "you", "bye", "bye.",
    "subtitles by the amara.org community", "transcription by castingwords", "so", "okay.",
}
_HALLUCINATION_NO_SPEECH = 0.25


@dataclass(slots=True)
class Recognised:
    """One recognised segment; times in seconds from the start of the audio given."""

    start: float
    end: float
    text: str
    words: list[Word]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float


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


class WhisperEngine:
    """A faster-whisper model loaded from a local folder, with guards. Not thread-safe: one caller."""

    def __init__(self, model_dir: str | Path, *, device: str = "auto", options: EngineOptions | None = None):
        from faster_whisper import WhisperModel

        model_dir = Path(model_dir)
        if not ModelStore.is_model_dir(model_dir):
            raise InputError(f"{model_dir} is not a complete model folder (needs {', '.join(REQUIRED_FILES)})")
        self.name = model_dir.name
        self.device, self.compute_type = pick_device(device)
        self.options = options or EngineOptions()
        threads = self.options.cpu_threads or min(4, os.cpu_count() or 1)
        # A folder path: faster-whisper never contacts a hub for it.
        self.model = WhisperModel(str(model_dir), device=self.device, compute_type=self.compute_type,
                                  cpu_threads=threads, local_files_only=True)
        self.multilingual = self.model.model.is_multilingual

    def transcribe(self, audio: np.ndarray) -> list[Recognised]:
        """Recognise 16 kHz audio (int16 or float32): guarded segments with word timings."""
        samples = to_float32(audio) if audio.dtype == np.int16 else audio.astype(np.float32, copy=False)
        if len(samples) < SAMPLE_RATE // 10:
            return []
        o = self.options
        seconds = len(samples) / SAMPLE_RATE
        language = o.language or (None if self.multilingual else "en")
        segments, _info = self.model.transcribe(
            samples, language=language, beam_size=o.beam_size, best_of=o.beam_size,
            temperature=list(o.temperature), word_timestamps=True, condition_on_previous_text=False,
            vad_filter=False, without_timestamps=not o.timestamps,
            max_new_tokens=max(8, int(o.max_tokens_per_s * min(seconds, 30.0)) + 8),
            hallucination_silence_threshold=o.hallucination_silence_s,
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
            words = [Word(start=round(float(w.start), 3), end=round(min(float(w.end), seconds), 3),
                          text=w.word, probability=round(float(w.probability), 4))
                     for w in (s.words or []) if w.start < seconds - 0.02]
            out.append(Recognised(float(s.start), min(float(s.end), seconds), s.text.strip(), words,
                                  float(s.avg_logprob), float(s.no_speech_prob), float(s.compression_ratio)))
        kept, _ = guard_segments(out, o)
        return kept

    def transcribe_clips(self, clips: list[np.ndarray], gap_s: float = 0.5) -> list[ClipText]:
        """Recognise several clips in one pass; each gets the words heard inside it."""
        if not clips:
            return []
        gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.int16)
        offsets, parts, pos = [], [], 0
        for i, c in enumerate(clips):
            if i:
                parts.append(gap)
                pos += len(gap)
            offsets.append((pos / SAMPLE_RATE, (pos + len(c)) / SAMPLE_RATE))
            parts.append(c.astype(np.int16, copy=False))
            pos += len(c)
        segments = self.transcribe(np.concatenate(parts))
        return split_by_clip(segments, offsets, gap_s, self.options)


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
    out = []
    for words in per_clip:
        dropped: list[str] = []
        if options.max_repeats:
            words, n = collapse_repeats(words, options.max_repeats)
            if n:
                dropped.append("repetition")
        out.append(ClipText(text=words_text(words), words=words, dropped=dropped))
    return out


def words_text(words: list[Word]) -> str:
    return "".join(w.text for w in words).strip()


# -- guards ----------------------------------------------------------------------
def compression_ratio(text: str) -> float:
    """Whisper's repetition measure: text length over its zlib-compressed length."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'.!]", "", text.lower()).split())


def guard_segments(segments: list[Recognised], options: EngineOptions) -> tuple[list[Recognised], list[str]]:
    """Drop segments that look hallucinated; returns (kept, reasons for each dropped one)."""
    kept, reasons = [], []
    for s in segments:
        reason = None
        if not s.text.strip():
            reason = "empty"
        elif (options.no_speech_prob is not None and s.no_speech_prob > options.no_speech_prob
              and (options.no_speech_logprob is None or s.avg_logprob < options.no_speech_logprob)):
            reason = "no_speech"
        elif options.compression_ratio is not None and max(s.compression_ratio, compression_ratio(s.text)) \
                > options.compression_ratio:
            reason = "repetition"
        elif options.min_avg_logprob is not None and s.avg_logprob < options.min_avg_logprob:
            reason = "low_confidence"
        elif _norm(s.text) in HALLUCINATED_PHRASES and s.no_speech_prob > _HALLUCINATION_NO_SPEECH:
            reason = "known_hallucination"
        if reason:
            reasons.append(reason)
            log.debug("dropped segment %.2f-%.2f (%s): %r", s.start, s.end, reason, s.text)
        else:
            kept.append(s)
    return kept, reasons


def collapse_repeats(words: list[Word], max_repeats: int = 3, max_ngram: int = 8) -> tuple[list[Word], int]:
    """Keep one copy of any 1..max_ngram-word phrase repeated ``max_repeats``+ times in a row.

    Returns (words, number of words removed). Whisper's looping failure mode
    ("I think, I think, I think, I think ...") is removed; an emphatic
    "no, no" (below ``max_repeats``) is kept.
    """
    key = [_norm(w.text) for w in words]
    out: list[int] = []
    i, removed = 0, 0
    while i < len(words):
        best = None
        for n in range(1, max_ngram + 1):
            if i + n * max_repeats > len(words):
                break
            gram = key[i:i + n]
            reps = 1
            while key[i + reps * n:i + (reps + 1) * n] == gram:
                reps += 1
            if reps >= max_repeats and (best is None or reps * n > best[0] * best[1]):
                best = (n, reps)
        if best:
            n, reps = best
            out.extend(range(i, i + n))
            removed += n * (reps - 1)
            i += n * reps
        else:
            out.append(i)
            i += 1
    return [words[j] for j in out], removed


# -- the worker ----------------------------------------------------------------------
Done = Callable[["ClipText | None"], None]


@dataclass
class _Job:
    audio: np.ndarray | None  # None: pass through untranscribed, in order
    done: Done
    submitted: float
    skipped: bool = False

    @property
    def seconds(self) -> float:
        return 0.0 if self.audio is None or self.skipped else len(self.audio) / SAMPLE_RATE


@dataclass
class TranscriberStats:
    submitted: int = 0
    transcribed: int = 0
    #: Clips handed back untranscribed because the backlog was over its limit.
    skipped: int = 0
    passed_through: int = 0
    batches: int = 0
    errors: int = 0
    #: Seconds the worker spent recognising.
    busy_s: float = 0.0


class Transcriber:
    """One worker thread running a ``WhisperEngine`` for every speaker of a session."""

    def __init__(self, engine: WhisperEngine, *, max_backlog_s: float | None = 30.0, max_batch_s: float = 24.0,
                 gap_s: float = 0.5):
        self.engine = engine
        self.max_backlog_s = max_backlog_s
        self.max_batch_s = max_batch_s
        self.gap_s = gap_s
        self.stats = TranscriberStats()
        self._queue: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="companion-asr", daemon=True)
        self._thread.start()

    @property
    def backlog_s(self) -> float:
        """Seconds of audio waiting to be recognised (not counting the batch in progress)."""
        with self._cond:
            return sum(j.seconds for j in self._queue)

    def submit(self, audio: np.ndarray | None, done: Done) -> None:
        """Queue a clip (16 kHz int16); ``done`` gets its ``ClipText``, or None if not transcribed.

        ``audio=None`` queues a pass-through that is answered with None in
        order with the clips around it. Never blocks.
        """
        with self._cond:
            if self._closed:
                raise RuntimeError("transcriber is closed")
            job = _Job(audio, done, time.monotonic())
            self.stats.submitted += 1
            if self.max_backlog_s is not None and audio is not None:
                waiting = sum(j.seconds for j in self._queue) + job.seconds
                for old in self._queue:  # oldest first
                    if waiting <= self.max_backlog_s:
                        break
                    if old.seconds:
                        waiting -= old.seconds
                        old.skipped = True
                        self.stats.skipped += 1
            self._queue.append(job)
            self._cond.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every submitted clip has been answered; False on timeout."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self, wait: bool = True) -> None:
        """Stop the worker; queued clips are answered with None first."""
        with self._cond:
            self._closed = True
            for j in self._queue:
                j.skipped = True
            self._cond.notify_all()
        if wait and self._thread is not threading.current_thread():
            self._thread.join()

    def _take_batch(self) -> list[_Job]:
        batch, total = [], 0.0
        while self._queue:
            j = self._queue[0]
            add = j.seconds + (self.gap_s if j.seconds and total else 0.0)
            if j.seconds and total and total + add > self.max_batch_s:
                break
            batch.append(self._queue.popleft())
            total += add
        return batch

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue and self._closed:
                    return
                batch = self._take_batch()
                self._busy = True
            try:
                self._serve(batch)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _serve(self, batch: list[_Job]) -> None:
        live = [j for j in batch if j.seconds]
        results: dict[int, ClipText | None] = {}
        if live:
            t0 = time.perf_counter()
            try:
                texts = self.engine.transcribe_clips([j.audio for j in live], gap_s=self.gap_s)
                results = {id(j): t for j, t in zip(live, texts)}
                self.stats.transcribed += len(live)
            except Exception:  # a bug or a broken model must not stop talk metrics
                log.exception("speech recognition failed; passing %d clip(s) on untranscribed", len(live))
                self.stats.errors += 1
            self.stats.busy_s += time.perf_counter() - t0
            self.stats.batches += 1
        for j in batch:
            if j.skipped:
                pass
            elif j.audio is None:
                self.stats.passed_through += 1
            try:
                j.done(results.get(id(j)))
            except Exception:
                log.exception("utterance callback failed")


def load_engine(models_dir: str | Path, model: str, device: str = "auto",
                options: EngineOptions | None = None) -> tuple[WhisperEngine | None, str | None]:
    """The configured engine, or (None, a note saying exactly how to get the model)."""
    path = ModelStore(models_dir).resolve(model)
    if path is None:
        return None, missing_model_note(model, Path(models_dir))
    return WhisperEngine(path, device=device, options=options), None
