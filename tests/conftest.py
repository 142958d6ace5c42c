"""Fixtures every test may use. Area-specific helpers live in tests/support/."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.config import Settings
from companion.server.app import create_app
from companion.store import Store
from tests.support.server import OWNER_KEY, start_server

#: Browser (playwright_instance, browser) and speech (tiny_model_dir, dialogue, ...) fixtures.
pytest_plugins = ["tests.support.browser", "tests.support.speech"]

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


@pytest.fixture
def app(settings, store):
    """The server application on the test store, with the test owner key."""
    settings.key = OWNER_KEY
    return create_app(settings, store)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def server():
    """A real server on 127.0.0.1 in a background thread."""
    s = start_server()
    yield s
    s.stop()
