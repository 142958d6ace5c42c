"""One settings object: CLI flags, then ``COMPANION_*`` environment variables, then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs

from companion.errors import InputError

#: The static pages (HTML, JS, CSS), shipped inside the package.
WEB_DIR = Path(__file__).resolve().parent / "web"

#: The repository's own ``models/`` folder, where ``companion models download`` puts models.
REPO_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("companion", appauthor=False))


def _default_models_dir() -> Path:
    in_checkout = REPO_MODELS_DIR.parent.joinpath("pyproject.toml").exists()
    return REPO_MODELS_DIR if in_checkout else _default_data_dir() / "models"


@dataclass
class Settings:
    #: Where the SQLite file lives (``COMPANION_DATA_DIR``).
    data_dir: Path = field(default_factory=_default_data_dir)
    #: Where speech models are looked for and downloaded to (``COMPANION_MODELS_DIR``).
    models_dir: Path = field(default_factory=_default_models_dir)
    #: The faster-whisper model name to use (``COMPANION_MODEL``); tiny.en ships with ``companion[model]``.
    model: str = "tiny.en"
    #: ``cpu``, ``cuda`` or ``auto`` (``COMPANION_DEVICE``).
    device: str = "auto"
    #: HTTP server address; loopback only unless asked (``COMPANION_HOST``/``COMPANION_PORT``).
    host: str = "127.0.0.1"
    port: int = 8765
    #: The owner key; generated at start when empty (``COMPANION_KEY``).
    key: str = ""
    #: Comma-separated STUN/TURN URLs for calls across networks; none by default,
    #: so a call never contacts a public server (``COMPANION_ICE_SERVERS``).
    ice_servers: str = ""

    @property
    def db_path(self) -> Path:
        return self.data_dir / "companion.db"

    @classmethod
    def load(cls, **overrides) -> Settings:
        """Defaults, overridden by the environment, overridden by explicit (CLI) values."""
        s = cls()
        for f in fields(cls):
            env = os.environ.get(f"COMPANION_{f.name.upper()}")
            value = overrides.get(f.name)
            if value is None and env not in (None, ""):
                value = env
            if value is None:
                continue
            default = getattr(s, f.name)
            if isinstance(default, Path):
                value = Path(value).expanduser()
            elif isinstance(default, int):
                try:
                    value = int(value)
                except ValueError:
                    raise InputError(f"{f.name} must be a whole number, not {str(value)[:40]!r} "
                                     f"(COMPANION_{f.name.upper()})") from None
            setattr(s, f.name, value)
        return s
