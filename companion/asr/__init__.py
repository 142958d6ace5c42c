"""Speech recognition: which model, the engine, the recognition worker, per-speaker streams.

Modules (each concept has one home):

- ``models``: where models come from (the bundled tiny.en, the models folder,
  ``companion models download``) and which one will transcribe.
- ``engine``: ``WhisperEngine``, one loaded faster-whisper model with an
  encoder window sized to the speech.
- ``guards``: hallucination and repetition guards.
- ``transcriber``: ``Transcriber``, one worker for the whole server (finals
  first, interim captions when there is time).
- ``stream``: ``SpeakerStream``, one speaker's audio in, ``Utterance``s and
  ``Interim`` captions out.

For the server (what the wiring calls, in this order)::

    print(speech_model(settings).line)        # "Speech model: tiny.en (bundled)" or how to get one
    transcriber, note = load_transcriber(settings)   # off the event loop, once per server: loads the
                                                     # model, warms it (one short decode, so the first
                                                     # caption is as quick as the rest); None + note
    SpeakerStream(name, transcriber, on_utterance, on_interim=..., session=sid)
    # on_interim gets Interim(speaker, id, start, text, committed); the final Utterance has .id == id

(``load_engine_for`` + ``server_transcriber`` are the two halves, for tests that bring an engine.)

For a file: ``Transcriber(engine, max_backlog_s=None)`` (nothing skipped).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from companion.asr.engine import EngineOptions, WhisperEngine
from companion.asr.models import SpeechModel, fetch_hint, find_model, missing_model_note
from companion.asr.stream import Interim, SpeakerStream
from companion.asr.transcriber import Transcriber


def speech_model(settings: Any) -> SpeechModel:
    """Which model ``settings`` (a ``Settings``) will transcribe with; ``.line`` is for the startup message."""
    return find_model(settings.models_dir, settings.model)


def load_engine(models_dir: str | Path, model: str, device: str = "auto",
                options: EngineOptions | None = None) -> tuple[WhisperEngine | None, str | None]:
    """The configured engine, or (None, a note saying exactly how to get the model)."""
    found = find_model(models_dir, model)
    if found.path is None:
        return None, missing_model_note(model, Path(models_dir))
    return WhisperEngine(found.path, device=device, options=options, name=found.name), None


def load_engine_for(settings: Any, options: EngineOptions | None = None, *, warm_up: bool = False
                    ) -> tuple[WhisperEngine | None, str | None]:
    """``load_engine`` for a ``Settings``; a model that fails to load gives (None, a one-line note).

    ``warm_up=True`` runs one short decode after loading (the server, at start), so the first
    caption of a session is as quick as the rest. Blocking: call it off the event loop.
    """
    try:
        engine, note = load_engine(settings.models_dir, settings.model, settings.device, options)
        if engine is not None and warm_up:
            engine.warm_up()
        return engine, note
    except Exception as e:  # a damaged model folder: degrade to timing only
        reason = " ".join(str(e).split())[:160]
        return None, (f"The speech model {settings.model!r} could not be loaded ({reason}); nothing is transcribed. "
                      f"Run `{fetch_hint(settings.model)}` to get it again.")


def server_transcriber(engine: WhisperEngine, *, max_backlog_s: float = 30.0) -> Transcriber:
    """The one recognition worker a server shares between all its sessions (each stream passes ``session=``)."""
    return Transcriber(engine, max_backlog_s=max_backlog_s, require_session=True)


def load_transcriber(settings: Any, *, warm_up: bool = True) -> tuple[Transcriber | None, str | None]:
    """The server's one recognition worker, warmed up, or (None, the note saying how to get a model).

    Blocking (loads and warms the model): call it off the event loop, once per server.
    """
    engine, note = load_engine_for(settings, warm_up=warm_up)
    return (server_transcriber(engine) if engine is not None else None), note


__all__ = ["EngineOptions", "Interim", "SpeakerStream", "SpeechModel", "Transcriber", "WhisperEngine", "load_engine",
           "load_engine_for", "load_transcriber", "server_transcriber", "speech_model"]
