"""One recognition worker for the whole server: finals first, interim captions when there is time.

``Transcriber(engine)`` runs a ``WhisperEngine`` on one thread for every
speaker of every session (the model is not thread-safe, and one worker per
session would only make them compete for the same cores).

- ``submit(audio, done, session=...)`` queues a finished utterance (a
  *final*); ``done(ClipText | None)`` is called on the worker thread, in
  submission order for each session. faster-whisper's lazy segment generator
  is consumed inside the worker, never on the caller's (event loop's) thread.
- ``submit_interim(audio, done, key=...)`` asks for the words so far of an
  utterance still being spoken; ``done(str | None)``. Interims never delay a
  final: they run only when no final is waiting, a newer request for the same
  ``key`` (one speaker) replaces a waiting one, and a request made while
  finals wait is refused (``False``) — interim captions are skipped under load.

Why the backlog stays bounded when recognition is slower than speech:
1. Batching: the finals of one session waiting when the worker frees up are
   recognised in one window (up to ``max_batch_s`` of audio), so catching up
   costs one encoder pass for many utterances. Audio of two sessions never
   shares a window: one session's words cannot land in another's captions.
2. Skipping: if the audio still waiting exceeds ``max_backlog_s``, the oldest
   waiting clips are handed back as ``None`` (the caller marks those
   utterances ``transcribed=False``; they still count for talk time). The
   newest speech is never skipped, so captions stay current; ``stats.skipped``
   counts them so the pages can say so.
Files use ``max_backlog_s=None``: no real-time constraint, nothing skipped.
A server-wide transcriber is made with ``require_session=True``: a final
submitted without a session is refused, so sessions cannot mix by accident.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from companion.asr.engine import ClipText, EngineOptions
from companion.media.audio import SAMPLE_RATE

log = logging.getLogger(__name__)

Done = Callable[["ClipText | None"], Any]
InterimDone = Callable[["str | None"], Any]

#: Decoding for interim captions: greedy, one temperature, no word timings (they are replaced anyway).
INTERIM_DECODING: dict[str, Any] = {"beam_size": 1, "temperature": (0.0,), "word_timestamps": False,
                                    "hallucination_silence_s": None}


#: Final text kept per session as the next decode's context (the engine uses its last ``prompt_chars``) ...
SAID_CHARS = 400
#: ... for this many sessions at most (the least recently transcribed is forgotten first).
SAID_SESSIONS = 64


@dataclass
class _Job:
    audio: np.ndarray | None  # None: pass through untranscribed, in order
    done: Done
    submitted: float
    session: Hashable = ""
    skipped: bool = False

    @property
    def seconds(self) -> float:
        return 0.0 if self.audio is None or self.skipped else len(self.audio) / SAMPLE_RATE


@dataclass
class _Interim:
    audio: np.ndarray
    done: InterimDone
    submitted: float


@dataclass
class TranscriberStats:
    submitted: int = 0
    transcribed: int = 0
    #: Clips handed back untranscribed because the backlog was over its limit.
    skipped: int = 0
    #: The same, per session (a server-wide worker serves several).
    skipped_by_session: dict[Hashable, int] = field(default_factory=dict)
    passed_through: int = 0
    batches: int = 0
    errors: int = 0
    #: Seconds the worker spent recognising finals.
    busy_s: float = 0.0
    interims: int = 0
    #: Interim requests refused or replaced (finals were waiting, or a newer one came).
    interims_skipped: int = 0
    #: Seconds the worker spent on interim captions.
    interim_busy_s: float = 0.0


class Transcriber:
    """One worker thread running a ``WhisperEngine`` for every speaker it is given."""

    def __init__(self, engine: Any, *, max_backlog_s: float | None = 30.0, max_batch_s: float = 24.0,
                 gap_s: float = 0.5, require_session: bool = False):
        self.engine = engine
        self.max_backlog_s = max_backlog_s
        self.max_batch_s = max_batch_s
        self.gap_s = gap_s
        self.require_session = require_session
        options = getattr(engine, "options", None) or EngineOptions()
        self.interim_options = replace(options, **INTERIM_DECODING)
        self.stats = TranscriberStats()
        self._queue: deque[_Job] = deque()
        self._interims: dict[Hashable, _Interim] = {}
        self._cond = threading.Condition()
        self._busy = False
        self._busy_final = False
        self._closed = False
        # Each session's latest final text, Whisper's context for its next final (never another session's).
        # Interims decode without it: a prompt needs a wider window (see engine.py), too dear once a second.
        self._said: dict[Hashable, str] = {}
        self._thread = threading.Thread(target=self._run, name="companion-asr", daemon=True)
        self._thread.start()

    @property
    def backlog_s(self) -> float:
        """Seconds of final audio waiting to be recognised (not counting the batch in progress)."""
        with self._cond:
            return sum(j.seconds for j in self._queue)

    def submit(self, audio: np.ndarray | None, done: Done, *, session: Hashable = "", if_idle: bool = False) -> bool:
        """Queue a finished utterance (16 kHz int16); ``done`` gets its ``ClipText``, or None.

        ``audio=None`` queues a pass-through that is answered with None in
        order with the clips around it. ``if_idle``: only when no final is
        waiting or being recognised (an early final, see ``SpeakerStream``);
        returns False, and ``done`` is never called, when it is not. Never blocks.
        """
        if self.require_session and session in ("", None):
            raise ValueError("this transcriber serves several sessions: submit(..., session=ID)")
        with self._cond:
            if self._closed:
                raise RuntimeError("transcriber is closed")
            if if_idle and (self._queue or self._busy_final):
                return False  # an interim in progress does not count: the early final goes next
            job = _Job(audio, done, time.monotonic(), session)
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
                        by = self.stats.skipped_by_session
                        by[old.session] = by.get(old.session, 0) + 1
            self._queue.append(job)
            self._cond.notify_all()
            return True

    def submit_interim(self, audio: np.ndarray, done: InterimDone, *, key: Hashable) -> bool:
        """Ask for the words so far; False (and ``done`` is never called) when refused under load."""
        with self._cond:
            if self._closed or any(j.seconds for j in self._queue):
                self.stats.interims_skipped += 1
                return False
            old = self._interims.pop(key, None)
            if old is not None:
                self.stats.interims_skipped += 1
                self._answer(old.done, None)
            self._interims[key] = _Interim(audio, done, time.monotonic())
            self._cond.notify_all()
            return True

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every submitted clip (and interim request) has been answered; False on timeout."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._queue or self._interims or self._busy:
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

    # -- the worker ------------------------------------------------------------------------
    def _take_batch(self) -> list[_Job]:
        """The oldest job and the later ones of the same session, in order, up to ``max_batch_s``."""
        first = self._queue.popleft()
        batch, total = [first], first.seconds
        rest: deque[_Job] = deque()
        full = False
        while self._queue:
            j = self._queue.popleft()
            if full or j.session != first.session:
                rest.append(j)
                continue
            add = j.seconds + (self.gap_s if j.seconds and total else 0.0)
            if j.seconds and total and total + add > self.max_batch_s:
                full = True  # later clips of this session wait, so its order holds
                rest.append(j)
                continue
            batch.append(j)
            total += add
        self._queue = rest
        return batch

    def _run(self) -> None:
        while True:
            interim: _Interim | None = None
            batch: list[_Job] = []
            with self._cond:
                while not self._queue and not self._interims and not self._closed:
                    self._cond.wait()
                if self._queue:
                    batch = self._take_batch()
                elif self._interims and not self._closed:
                    key = next(iter(self._interims))
                    interim = self._interims.pop(key)
                elif self._closed:
                    for pending in self._interims.values():
                        self._answer(pending.done, None)
                    self._interims.clear()
                    self._cond.notify_all()
                    return
                self._busy = True
                self._busy_final = interim is None
            try:
                if interim is not None:
                    self._serve_interim(interim)
                else:
                    self._serve(batch)
            finally:
                with self._cond:
                    self._busy = self._busy_final = False
                    self._cond.notify_all()

    def _serve_interim(self, job: _Interim) -> None:
        t0 = time.perf_counter()
        text = None
        try:
            segments = self.engine.transcribe(job.audio, words=False, options=self.interim_options)
            text = " ".join(s.text for s in segments).strip()
            self.stats.interims += 1
        except Exception:
            log.exception("interim recognition failed")
        self.stats.interim_busy_s += time.perf_counter() - t0
        self._answer(job.done, text)

    def _serve(self, batch: list[_Job]) -> None:
        live = [j for j in batch if j.seconds]
        results: dict[int, ClipText | None] = {}
        if live:
            t0 = time.perf_counter()
            try:
                texts = self.engine.transcribe_clips([j.audio for j in live], gap_s=self.gap_s,
                                                     prompt=self._said.get(live[0].session))
                results = {id(j): t for j, t in zip(live, texts)}
                self._remember(live[0].session, [t.text for t in texts])
                self.stats.transcribed += len(live)
            except Exception:  # a bug or a broken model must not stop talk metrics
                log.exception("speech recognition failed; passing %d clip(s) on untranscribed", len(live))
                self.stats.errors += 1
            self.stats.busy_s += time.perf_counter() - t0
            self.stats.batches += 1
        for j in batch:
            if j.audio is None and not j.skipped:
                self.stats.passed_through += 1
            self._answer(j.done, results.get(id(j)))

    def forget(self, session: Hashable) -> None:
        """The session ended: its words are no longer kept as context."""
        self._said.pop(session, None)

    def _remember(self, session: Hashable, texts: list[str]) -> None:
        """Keep the session's last ``SAID_CHARS`` characters of final text; the least recent session goes first."""
        said = " ".join([self._said.pop(session, ""), *texts]).strip()[-SAID_CHARS:]
        if said:
            self._said[session] = said
        while len(self._said) > SAID_SESSIONS:
            del self._said[next(iter(self._said))]

    @staticmethod
    def _answer(done: Callable[[Any], Any], value: Any) -> None:
        try:
            done(value)
        except Exception:
            log.exception("recognition callback failed")
