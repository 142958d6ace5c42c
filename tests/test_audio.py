"""Decoding files and resampling live frames (companion/media/audio.py)."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from companion.errors import InputError
from companion.media.audio import SAMPLE_RATE, Resampler, decode_file, downmix
from tests.support.speech import encode, write_wav


def tone(seconds: float, hz: float, rate: int = SAMPLE_RATE, amp: int = 8000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * hz * t) * amp).astype(np.int16)


def dominant_hz(x: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(x.astype(np.float32)))
    return float(np.argmax(spectrum) * rate / len(x))


@pytest.mark.parametrize("suffix,codec", [("wav", "pcm_s16le"), ("flac", "flac"), ("mp3", "mp3"),
                                          ("m4a", "aac"), ("ogg", "libopus"), ("webm", "libopus")])
def test_decodes_every_container_to_16k_per_channel(tmp_path, suffix, codec):
    left, right = tone(2.0, 440, 44_100), tone(2.0, 1000, 44_100)
    path = encode(tmp_path / f"two.{suffix}", np.stack([left, right], axis=1), codec, rate=44_100)
    channels = decode_file(path)
    assert len(channels) == 2
    for ch, hz in zip(channels, (440, 1000)):
        assert ch.dtype == np.int16
        assert abs(len(ch) / SAMPLE_RATE - 2.0) < 0.1  # encoder padding only
        assert abs(dominant_hz(ch) - hz) < 5  # the channels are kept apart, not mixed


def test_mono_file_gives_one_channel_and_downmix_averages(tmp_path):
    path = write_wav(tmp_path / "mono.wav", tone(1.0, 300, 48_000), rate=48_000)
    (ch,) = decode_file(path)
    assert len(ch) == SAMPLE_RATE
    assert abs(dominant_hz(ch) - 300) < 2
    a, b = np.full(10, 1000, np.int16), np.full(10, -3000, np.int16)
    assert downmix([a, b]).tolist() == [-1000] * 10


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.wav: the file is empty"):
        decode_file(path)


def test_non_audio_file_renamed_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("These are my session notes, not a recording.\n" * 50)
    with pytest.raises(InputError) as e:
        decode_file(path)
    assert "notes.wav" in str(e.value) and "\n" not in str(e.value)


def test_truncated_file(tmp_path):
    full = write_wav(tmp_path / "full.wav", tone(10.0, 440))
    data = full.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 3])  # the header still announces 10 s
    with pytest.raises(InputError, match=r"cut\.wav: the file is truncated"):
        decode_file(cut)
    header_only = tmp_path / "header.wav"
    header_only.write_bytes(data[:44])
    with pytest.raises(InputError, match="header.wav"):
        decode_file(header_only)


def test_truncated_compressed_file(tmp_path):
    full = encode(tmp_path / "full.m4a", tone(5.0, 440), "aac")
    data = full.read_bytes()
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut.m4a"):
        decode_file(cut)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        decode_file(tmp_path / "nope.wav")


def webrtc_frame(samples: np.ndarray, pts: int) -> av.AudioFrame:
    """A frame as aiortc delivers it: 48 kHz, stereo, packed s16, 960 samples."""
    stereo = np.stack([samples, samples], axis=1).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
    frame.sample_rate = 48_000
    frame.pts = pts
    frame.time_base = Fraction(1, 48_000)
    return frame


def test_resampler_turns_webrtc_frames_into_16k_mono_without_touching_them():
    signal = tone(1.0, 440, 48_000)
    r = Resampler()
    out = []
    for i in range(0, len(signal), 960):
        frame = webrtc_frame(signal[i:i + 960], pts=i)
        before = (bytes(frame.planes[0]), frame.pts, frame.time_base, frame.sample_rate, frame.format.name,
                  frame.layout.name, frame.samples)
        out.append(r.resample(frame))
        after = (bytes(frame.planes[0]), frame.pts, frame.time_base, frame.sample_rate, frame.format.name,
                 frame.layout.name, frame.samples)
        assert after == before  # the relay shares this frame with other consumers
    pcm = np.concatenate(out)
    assert pcm.dtype == np.int16
    assert abs(len(pcm) - SAMPLE_RATE) <= 64  # a little filter delay at most
    assert abs(dominant_hz(pcm[200:]) - 440) < 3


def test_resampler_passes_16k_mono_through_as_a_copy():
    samples = tone(0.02, 440)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = SAMPLE_RATE
    out = Resampler().resample(frame)
    assert out.tolist() == samples.tolist()
    out[:] = 0
    assert frame.to_ndarray().reshape(-1).tolist() == samples.tolist()
