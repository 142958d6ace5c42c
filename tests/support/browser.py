"""Debian's Chromium, driven by Playwright, kept off the network.

Locally, browser tests skip with a clear message when Chromium is missing;
under CI (``CI`` set) a missing browser fails the test instead.
See ../shared/notes/webrtc-testing.md for why each flag is here.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")

BASE_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

MEDIA_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str | None:
    for p in CHROMIUM_CANDIDATES:
        if Path(p).exists():
            return p
    return shutil.which("chromium")


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def launch(playwright, *, fake_audio: str | Path | None = None, extra_args: list[str] | None = None):
    """A headless Chromium; with ``fake_audio`` its microphone plays that WAV file."""
    args = BASE_ARGS + MEDIA_ARGS + list(extra_args or [])
    if fake_audio is not None:
        args.append(f"--use-file-for-fake-audio-capture={Path(fake_audio).resolve()}")
    return playwright.chromium.launch(executable_path=require_chromium(), headless=True, args=args)


@pytest.fixture(scope="module")
def playwright_instance():
    """One Playwright driver per test module, stopped when the module is done.

    The sync driver keeps an event loop running in this thread while it lives,
    so it must not outlive the browser tests (other tests use ``asyncio.run``).
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser(playwright_instance):
    b = launch(playwright_instance)
    yield b
    b.close()


@pytest.fixture
def launch_browser(playwright_instance):
    """``launch_browser(**kw)`` starts one more headless Chromium (see ``launch``); all are closed after the test."""
    launched = []

    def _launch(**kw):
        b = launch(playwright_instance, **kw)
        launched.append(b)
        return b

    yield _launch
    for b in launched:
        try:
            b.close()
        except Exception:  # already gone; closing the others matters more
            pass


def wait_for(fn, timeout=30.0, step=0.25, what="condition"):
    """Poll ``fn`` until it returns something truthy (returned), or fail naming ``what``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = fn()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")
