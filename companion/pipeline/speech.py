"""The one place the speech model is loaded, or its absence turned into timing-only analysis.

Files, the live server and benchmarks all call ``load_speech``. It never
raises: a missing model gives ``engine=None`` and asr's own note (which model,
where it was looked for, the command that fetches it); a damaged one gives
``engine=None`` and one line saying so. Either way talk time, turns,
monologues, interruptions and pauses are still measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.asr import WhisperEngine, load_engine_for
from companion.config import Settings


@dataclass(frozen=True)
class Speech:
    """The speech engine to transcribe with, or None and a note saying why and how to get one."""

    engine: WhisperEngine | None
    note: str | None = None

    @property
    def available(self) -> bool:
        return self.engine is not None


def load_speech(settings: Settings, *, warm_up: bool = False) -> Speech:
    """Load the configured model; degrade to timing-only (with asr's note) when it is missing or broken.

    ``warm_up`` runs one short decode after loading (the server, at start) so the first caption
    of a session is as quick as the rest. Blocking: call it off the event loop.
    """
    engine, note = load_engine_for(settings, warm_up=warm_up)
    return Speech(engine, note)
