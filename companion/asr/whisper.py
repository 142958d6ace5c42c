"""Old import path, kept so code written against it still imports while branches merge.

Each name lives in one module now: ``models`` (finding, listing, downloading),
``engine`` (the faster-whisper engine), ``guards`` (hallucination and repeat
guards), ``transcriber`` (the recognition worker). Import from those, or from
``companion.asr``; nothing is defined here.
"""

from companion.asr import load_engine
from companion.asr.engine import ClipText, EngineOptions, WhisperEngine, pick_device, split_by_clip
from companion.asr.guards import HALLUCINATED_PHRASES, Recognised, collapse_repeats, compression_ratio, guard_segments
from companion.asr.models import MODEL_REPOS, REQUIRED_FILES, ModelInfo, ModelStore, missing_model_note
from companion.asr.transcriber import Transcriber, TranscriberStats

__all__ = [
    "HALLUCINATED_PHRASES", "MODEL_REPOS", "REQUIRED_FILES", "ClipText", "EngineOptions", "ModelInfo", "ModelStore",
    "Recognised", "Transcriber", "TranscriberStats", "WhisperEngine", "collapse_repeats", "compression_ratio",
    "guard_segments", "load_engine", "missing_model_note", "pick_device", "split_by_clip",
]
