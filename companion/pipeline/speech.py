"""The one place the speech model is loaded, or its absence turned into timing-only analysis.

Files, the live server and benchmarks all call ``load_speech``. It never
raises: a missing model gives ``engine=None`` and asr's own note (which model,
where it was looked for, the command that fetches it); a damaged one gives
``engine=None`` and one line saying so. Either way talk time, turns,
monologues, interruptions and pauses are still measured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from companion.asr.whisper import WhisperEngine, load_engine
from companion.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Speech:
    """The speech engine to transcribe with, or None and a note saying why and how to get one."""

    engine: WhisperEngine | None
    note: str | None = None

    @property
    def available(self) -> bool:
        return self.engine is not None


def load_speech(settings: Settings) -> Speech:
    """Load the configured model; degrade to timing-only (with a note) when it is missing or broken."""
    try:
        engine, note = load_engine(settings.models_dir, settings.model, settings.device)
    except Exception as e:  # a damaged model folder must not stop an analysis or a call
        log.warning("speech model %r failed to load: %s", settings.model, e)
        reason = " ".join(str(e).split())[:160] or type(e).__name__
        return Speech(None, f"The speech model {settings.model!r} could not be loaded ({reason}); nothing was "
                            f"transcribed. Run `companion models download {settings.model}` to fetch it again.")
    return Speech(engine, note)
