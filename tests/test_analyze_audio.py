"""``companion analyze RECORDING``: espeak-ng speech with known timings, end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest

from companion.asr.engine import WhisperEngine
from companion.cli import main
from companion.store import Store
from tests.support.speech import encode, write_wav

R = 16_000


def analyze(capsys, *args: str) -> dict:
    assert main(["analyze", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def by_name(report: dict) -> dict:
    return {p["name"]: p for p in report["participants"]}


def assert_matches_truth(report, dialogue, names):
    rows = by_name(report)
    for who, name in names.items():
        assert rows[name]["talk_s"] == pytest.approx(dialogue.talk_time(who), rel=0.05)
        truth = [(s, e) for w, s, e, _ in dialogue.truth if w == who]
        got = [(u["start"], u["end"]) for u in report["utterances"] if u["speaker"] == name]
        assert len(got) == len(truth)
        for (gs, ge), (ts, te) in zip(got, truth):
            assert abs(gs - ts) <= 0.3 and abs(ge - te) <= 0.3


@pytest.mark.speech
def test_stereo_call_recording_without_a_model(tmp_path, capsys, dialogue, monkeypatch):
    monkeypatch.setenv("COMPANION_MODEL", "base.en")  # not downloaded (tiny.en would be the bundled one)
    path = write_wav(tmp_path / "call.wav", dialogue.stereo())
    report = analyze(capsys, str(path), "--channels-are-speakers")
    assert_matches_truth(report, dialogue, {"A": "Speaker 1", "B": "Speaker 2"})
    assert all(u["transcribed"] is False and u["text"] == "" for u in report["utterances"])
    notes = " ".join(report["session"]["notes"])
    assert "`companion models download base.en`" in notes
    assert report["session"]["duration_s"] == pytest.approx(dialogue.duration, abs=0.05)
    rows = by_name(report)
    assert rows["Speaker 1"]["turns"] == 3 and rows["Speaker 2"]["turns"] == 3
    assert {r["role"] for r in rows.values()} == {"coach", "coachee"}
    # Stored like any other session.
    sessions = Store(tmp_path / "data" / "companion.db").list_sessions()
    assert len(sessions) == 1


@pytest.mark.speech
def test_stereo_with_the_model_and_named_channels(tmp_path, capsys, dialogue, models_dir_with_tiny,
                                                  monkeypatch):
    calls = []
    real = WhisperEngine.transcribe_clips

    def counting(self, clips, gap_s=0.5, **kw):
        calls.append(len(clips))
        return real(self, clips, gap_s=gap_s, **kw)

    monkeypatch.setattr(WhisperEngine, "transcribe_clips", counting)
    path = encode(tmp_path / "call.flac", dialogue.stereo(), "flac")
    report = analyze(capsys, str(path), "--channels-are-speakers", "--coach", "Maya", "--coachee", "Jon",
                     "--no-store")
    assert_matches_truth(report, dialogue, {"A": "Maya", "B": "Jon"})
    assert {p["name"]: p["role"] for p in report["participants"]} == {"Maya": "coach", "Jon": "coachee"}
    notes = " ".join(report["session"]["notes"])
    assert "No speech model" not in notes and "Left channel taken as the coach (Maya)" in notes
    # Every utterance went to the model, batched (six utterances, far fewer passes).
    assert sum(calls) == 6 and len(calls) <= 2


@pytest.mark.speech
@pytest.mark.parametrize("suffix,codec", [("wav", None), ("ogg", "libopus"), ("mp3", "mp3")])
def test_mono_recording_is_speech_as_a_whole(tmp_path, capsys, dialogue, suffix, codec):
    path = tmp_path / f"room.{suffix}"
    if codec is None:
        write_wav(path, dialogue.mono())
    else:
        encode(path, dialogue.mono(), codec)
    report = analyze(capsys, str(path), "--no-store")
    (row,) = report["participants"]
    assert row["name"] == "speech" and row["role"] is None
    assert row["talk_s"] == pytest.approx(dialogue.talk_time(), rel=0.05)
    assert len(report["utterances"]) == len(dialogue.truth)
    for u, (_, s, e, _) in zip(report["utterances"], dialogue.truth):
        assert abs(u["start"] - s) <= 0.3 and abs(u["end"] - e) <= 0.3
    assert any("cannot be told apart" in n for n in report["session"]["notes"])


@pytest.mark.speech
def test_stereo_without_the_flag_is_mixed_and_says_how_to_split(tmp_path, capsys, dialogue):
    path = write_wav(tmp_path / "call.wav", dialogue.stereo())
    report = analyze(capsys, str(path), "--no-store")
    assert [p["name"] for p in report["participants"]] == ["speech"]
    assert any("--channels-are-speakers" in n for n in report["session"]["notes"])


def bad(capsys, tmp_path, path, *extra) -> str:
    assert main(["analyze", str(path), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert not (tmp_path / "data" / "companion.db").exists() or not Store(
        tmp_path / "data" / "companion.db").list_sessions()
    return err[0]


def test_bad_audio_files_fail_with_one_line_and_store_nothing(tmp_path, capsys):
    empty = tmp_path / "empty.m4a"
    empty.write_bytes(b"")
    assert "empty.m4a: the file is empty" in bad(capsys, tmp_path, empty)
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all\n" * 100)
    assert "notes.wav" in bad(capsys, tmp_path, text)
    full = write_wav(tmp_path / "full.wav", (np.sin(np.arange(10 * R) / 5) * 5000).astype(np.int16))
    cut = tmp_path / "cut.wav"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 4])
    assert "cut.wav: the file is truncated" in bad(capsys, tmp_path, cut)
    mono = write_wav(tmp_path / "mono.wav", np.zeros(R, np.int16))
    assert "needs a stereo recording" in bad(capsys, tmp_path, mono, "--channels-are-speakers")


def test_half_a_second_of_silence(tmp_path, capsys):
    path = write_wav(tmp_path / "short.wav", np.zeros(R // 2, np.int16))
    report = analyze(capsys, str(path), "--no-store")
    assert report["utterances"] == []
    assert report["session"]["duration_s"] == pytest.approx(0.5, abs=0.01)
    assert any("No speech was found" in n for n in report["session"]["notes"])


def test_an_hour_of_silence_never_reaches_the_model(tmp_path, capsys, models_dir_with_tiny, monkeypatch):
    calls = []
    monkeypatch.setattr(WhisperEngine, "transcribe_clips", lambda self, clips, gap_s=0.5, **kw: calls.append(clips))
    path = write_wav(tmp_path / "hour.wav", np.zeros(3600 * R, np.int16))
    report = analyze(capsys, str(path), "--no-store")
    assert calls == [] and report["utterances"] == []
    assert report["session"]["duration_s"] == pytest.approx(3600, abs=0.1)
    assert not any("No speech model" in n for n in report["session"]["notes"])


def test_clipping_noise_is_not_speech(tmp_path, capsys, models_dir_with_tiny):
    rng = np.random.default_rng(7)
    noise = np.clip(rng.standard_normal(8 * R) * 30000, -32768, 32767).astype(np.int16)
    path = write_wav(tmp_path / "noise.wav", np.concatenate([np.zeros(R, np.int16), noise]))
    report = analyze(capsys, str(path), "--no-store")
    assert report["utterances"] == []
    assert all(p["words"] == 0 for p in report["participants"])


def test_a_long_recording_is_decoded_in_bounded_memory(tmp_path):
    """Twenty minutes (38 MB once decoded to 16 kHz) are analysed holding a few seconds at a time."""
    import tracemalloc

    from companion.config import Settings
    from companion.pipeline import analyze_file

    path = write_wav(tmp_path / "long.wav", np.zeros(20 * 60 * 8000, np.int16), rate=8000)
    settings = Settings.load(data_dir=tmp_path / "data", models_dir=tmp_path / "no-models")
    tracemalloc.start()
    try:
        analysis = analyze_file(path, settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert analysis.report["session"]["duration_s"] == pytest.approx(1200, abs=0.1)
    assert peak < 12_000_000, f"peak {peak / 1e6:.0f} MB"


def test_a_recording_cut_short_says_so(tmp_path, capsys, dialogue):
    """An Ogg file announces no length, so a cut one used to be analysed as if it were whole."""
    full = encode(tmp_path / "full.ogg", dialogue.mono(), "libopus")
    cut = tmp_path / "cut.ogg"
    data = full.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    report = analyze(capsys, str(cut), "--no-store")
    assert any("ends early" in n for n in report["session"]["notes"])
    whole = analyze(capsys, str(full), "--no-store")
    assert not any("ends early" in n for n in whole["session"]["notes"])
    assert report["session"]["duration_s"] < whole["session"]["duration_s"]
