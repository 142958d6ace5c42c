"""The one package that wires the parts: media + asr + analysis + store + logbook.

- ``speech``: the one place the speech model is loaded (or its absence degraded to timing only).
- ``files``: a transcript or a recording -> utterances -> the analyzer -> the report.
- ``live``: a live call's speech and analysis, fed as people talk (``LiveSession``).
- ``finalize``: a stored session's final report when its call ends.
"""

from companion.pipeline.files import (
    AUDIO_SUFFIXES,
    CHANNEL_SPEAKERS,
    MIXED_SPEAKER,
    Analysis,
    analyze_audio_file,
    analyze_file,
    analyze_utterances,
)
from companion.pipeline.finalize import finalize_session, sent_nudges, session_plan
from companion.pipeline.live import LiveSession
from companion.pipeline.speech import Speech, load_speech

__all__ = ["AUDIO_SUFFIXES", "CHANNEL_SPEAKERS", "MIXED_SPEAKER", "Analysis", "LiveSession", "Speech",
           "analyze_audio_file", "analyze_file", "analyze_utterances", "finalize_session", "load_speech",
           "sent_nudges", "session_plan"]
