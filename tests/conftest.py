"""Fixtures every test may use. Area-specific helpers live in tests/support/."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.config import Settings
from companion.store import Store

#: Browser fixtures (playwright_instance, browser) for every test module.
pytest_plugins = ["tests.support.browser"]

SAMPLE_VTT = Path(__file__).resolve().parent.parent / "companion" / "samples" / "sample_session.vtt"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    """No test touches the user's real data folder or models."""
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMPANION_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("COMPANION_KEY", raising=False)
    monkeypatch.delenv("COMPANION_MODEL", raising=False)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.load()


@pytest.fixture
def store(settings) -> Store:
    s = Store(settings.db_path)
    yield s
    s.close()


@pytest.fixture
def sample_vtt() -> Path:
    return SAMPLE_VTT
