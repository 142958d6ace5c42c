"""The webrtcvad segmenter (companion/media/vad.py): a pure state machine fed samples."""

from __future__ import annotations

import numpy as np
import pytest

from companion.media.vad import SpeechSegment, SpeechSegmenter, SpeechStarted, VadOptions, VadState

R = 16_000


def voice(seconds: float, f0: float = 140.0, seed: int = 0) -> np.ndarray:
    """A vowel-like harmonic signal that webrtcvad hears as speech."""
    t = np.arange(int(seconds * R)) / R
    x = sum(np.sin(2 * np.pi * f0 * k * t + k) / k for k in range(1, 16))
    return (x * 3000).astype(np.int16)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * R), np.int16)


def timeline(*parts: tuple[str, float]) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """("v", 1.2), ("s", 0.5), ... -> samples and the true voiced spans."""
    out, spans, t = [], [], 0.0
    for kind, secs in parts:
        out.append(voice(secs) if kind == "v" else silence(secs))
        if kind == "v":
            spans.append((t, t + secs))
        t += secs
    return np.concatenate(out), spans


def segments(events) -> list[SpeechSegment]:
    return [e for e in events if isinstance(e, SpeechSegment)]


def run(pcm: np.ndarray, options: VadOptions | None = None, chunk: int | None = None, t0: float = 0.0):
    seg = SpeechSegmenter(options)
    events = []
    if chunk is None:
        events += seg.push(pcm, t0)
    else:
        events += seg.push(pcm[:chunk], t0)
        for i in range(chunk, len(pcm), chunk):
            events += seg.push(pcm[i:i + chunk])
    events += seg.flush()
    return events


def test_segments_match_the_voiced_spans():
    pcm, truth = timeline(("s", 1.0), ("v", 1.5), ("s", 1.0), ("v", 0.8), ("s", 1.0))
    got = segments(run(pcm))
    assert len(got) == 2
    for seg, (start, end) in zip(got, truth):
        assert abs(seg.start - start) <= 0.06
        assert abs(seg.end - end) <= 0.1


@pytest.mark.parametrize("frame_ms", [10, 20, 30])
@pytest.mark.parametrize("chunk", [None, 320, 960, 4001])
def test_result_does_not_depend_on_how_audio_is_chunked(frame_ms, chunk):
    pcm, _ = timeline(("s", 0.5), ("v", 1.0), ("s", 0.8), ("v", 0.6), ("s", 0.6))
    options = VadOptions(frame_ms=frame_ms)
    whole = [(s.start, s.end, len(s.audio)) for s in segments(run(pcm, options))]
    chunked = [(s.start, s.end, len(s.audio)) for s in segments(run(pcm, options, chunk=chunk))]
    assert whole == chunked and len(whole) == 2


def test_state_machine_walks_quiet_starting_speaking_stopping():
    o = VadOptions(frame_ms=30, start_ms=90, hangover_ms=300)
    seg = SpeechSegmenter(o)
    frame = seg.frame_len
    states = []
    # webrtcvad itself keeps saying "speech" for ~90 ms after speech stops.
    for chunk in (silence(0.3), voice(0.03), voice(0.06), voice(0.3), silence(0.15), silence(0.3)):
        for i in range(0, len(chunk), frame):
            seg.push(chunk[i:i + frame])
        states.append(seg.state)
    assert states == [VadState.QUIET, VadState.STARTING, VadState.SPEAKING, VadState.SPEAKING,
                      VadState.STOPPING, VadState.QUIET]


def test_a_click_shorter_than_start_ms_is_not_speech():
    pcm, _ = timeline(("s", 0.5), ("v", 0.2), ("s", 0.5))
    assert run(pcm, VadOptions(start_ms=450)) == []  # never even started
    assert len(segments(run(pcm, VadOptions(start_ms=150)))) == 1
    pcm, _ = timeline(("s", 0.5), ("v", 0.04), ("s", 0.5))
    assert segments(run(pcm)) == []


def test_pauses_shorter_than_the_hangover_stay_inside_one_segment():
    pcm, truth = timeline(("s", 0.3), ("v", 1.0), ("s", 0.3), ("v", 1.0), ("s", 1.0))
    (seg,) = segments(run(pcm, VadOptions(hangover_ms=450)))
    assert abs(seg.start - truth[0][0]) < 0.06 and abs(seg.end - truth[1][1]) < 0.1


def test_audio_carries_preroll_and_tail_but_times_do_not():
    o = VadOptions(preroll_ms=300, tail_ms=240, hangover_ms=450)
    pcm, (truth,) = timeline(("s", 1.0), ("v", 1.0), ("s", 1.0))
    (seg,) = segments(run(pcm, o))
    assert seg.audio_start == pytest.approx(seg.start - 0.3, abs=1e-6)
    audio_end = seg.audio_start + len(seg.audio) / R
    assert 0.2 <= audio_end - truth[1] <= 0.45  # tail (plus webrtcvad's own hangover)
    # The audio is the timeline's own samples at the right place.
    i = int(round(seg.audio_start * R))
    assert np.array_equal(seg.audio, pcm[i:i + len(seg.audio)])


def test_long_speech_is_split_at_a_pause_once_past_split_after():
    parts = [("s", 0.5)]
    for _ in range(6):
        parts += [("v", 2.0), ("s", 0.3)]  # pauses too short for the hangover
    pcm, _ = timeline(*parts, ("s", 1.0))
    o = VadOptions(split_after_s=5.0, split_pause_ms=150, hangover_ms=450)
    got = segments(run(pcm, o))
    assert len(got) >= 2
    assert all(s.duration <= 5.0 + 2.5 for s in got)
    assert any(s.split for s in got)
    # Nothing is lost and nothing counted twice: pauses inside a piece count, pauses between do not.
    assert all(a.end <= b.start for a, b in zip(got, got[1:]))
    assert 6 * 2.0 - 0.1 <= sum(s.duration for s in got) <= 6 * 2.0 + 5 * 0.3


def test_speech_without_pauses_is_cut_at_max_segment():
    pcm, _ = timeline(("s", 0.3), ("v", 9.0), ("s", 1.0))
    got = segments(run(pcm, VadOptions(max_segment_s=4.0, split_after_s=3.0)))
    assert [round(s.duration) for s in got] == [4, 4, 1]
    assert got[0].split and got[1].split
    assert got[0].end == pytest.approx(got[1].start, abs=0.031)  # contiguous


def test_events_start_then_segment_in_session_time():
    pcm, (truth,) = timeline(("s", 0.4), ("v", 1.0), ("s", 1.0))
    events = run(pcm, t0=100.0)
    assert isinstance(events[0], SpeechStarted) and events[0].t == pytest.approx(100.4, abs=0.06)
    assert isinstance(events[1], SpeechSegment) and events[1].start == events[0].t


def test_a_jump_in_time_closes_the_open_segment():
    seg = SpeechSegmenter()
    events = seg.push(voice(1.0), 0.0)
    assert seg.speaking
    events += seg.push(voice(1.0), 10.0)  # the track stalled for 9 s
    events += seg.flush()
    got = segments(events)
    assert len(got) == 2 and got[0].end <= 1.01 and got[1].start >= 10.0


def test_silence_and_noise_make_no_segments():
    rng = np.random.default_rng(1)
    clipping = np.clip(rng.standard_normal(4 * R) * 30000, -32768, 32767).astype(np.int16)
    assert segments(run(silence(5.0))) == []
    assert segments(run(clipping)) == []
    # With the noise gate off, webrtcvad alone takes clipping for speech.
    assert segments(run(clipping, VadOptions(max_noise_flatness=None)))


def test_options_are_validated():
    with pytest.raises(ValueError):
        VadOptions(frame_ms=25)
    with pytest.raises(ValueError):
        VadOptions(aggressiveness=4)


@pytest.mark.speech
def test_espeak_dialogue_talk_time_and_boundaries(dialogue):
    for who in ("A", "B"):
        got = segments(run(dialogue.tracks[who]))
        truth = [(s, e) for w, s, e, _ in dialogue.truth if w == who]
        assert len(got) == len(truth)
        for seg, (start, end) in zip(got, truth):
            assert abs(seg.start - start) <= 0.3 and abs(seg.end - end) <= 0.3
        talk = sum(s.duration for s in got)
        assert talk == pytest.approx(dialogue.talk_time(who), rel=0.05)


def test_small_timestamp_jitter_is_absorbed():
    pcm, truth = timeline(("s", 0.5), ("v", 1.5), ("s", 1.0))
    seg = SpeechSegmenter()
    rng = np.random.default_rng(0)
    events = []
    for i in range(0, len(pcm), 320):  # 20 ms frames stamped with +-40 ms of jitter
        events += seg.push(pcm[i:i + 320], i / R + rng.uniform(-0.04, 0.04))
    events += seg.flush()
    (got,) = segments(events)
    assert abs(got.start - truth[0][0]) < 0.1 and abs(got.end - truth[0][1]) < 0.12
