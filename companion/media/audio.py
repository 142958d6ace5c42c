"""Audio in: decode files and resample live frames to 16 kHz mono 16-bit PCM.

Everything downstream (the webrtcvad segmenter, faster-whisper) wants 16 kHz
mono signed 16-bit samples, so this module is the only place that knows about
containers, codecs, sample formats and channel layouts.

Why PyAV: it is already here for aiortc, it decodes every container a user is
likely to have (wav, mp3, m4a/aac, ogg/opus/vorbis, webm, flac) without an
``ffmpeg`` binary on the PATH, and its resampler is libswresample.

Interfaces others rely on:

- ``AudioFile(path)``: ``chunks()`` yields per-channel int16 arrays at
  ``SAMPLE_RATE`` as the file decodes (bounded memory); ``ended_early`` notes
  a stream cut off without its end marker. ``decode_file(path)`` is the whole
  file at once. Both raise ``InputError`` (one line, naming the file) for an
  empty, truncated, unreadable or non-audio file.
- ``Resampler().resample(frame) -> np.ndarray``: a live ``av.AudioFrame``
  (aiortc gives 48 kHz stereo s16, 960 samples) to 16 kHz mono int16. The
  input frame is never modified: aiortc's ``MediaRelay`` hands the same frame
  object to every consumer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from companion.errors import InputError

#: The rate every consumer (VAD, Whisper) works at.
SAMPLE_RATE = 16_000

#: A decoded stream may end this much earlier than its header says before we
#: call the file truncated (encoders pad and round their declared length).
_TRUNCATION_SLACK_S = 1.0
_TRUNCATION_RATIO = 0.97


#: Seconds of audio per chunk ``AudioFile.chunks`` yields (memory stays at a few of these).
CHUNK_S = 10.0


def decode_file(path: str | Path) -> list[np.ndarray]:
    """Decode the first audio stream of ``path`` to 16 kHz int16, one array per channel.

    Mono files give one array, stereo files two. Files with more channels are
    downmixed to stereo (a call recorder never writes more than two). Holds the
    whole recording in memory; ``AudioFile`` streams it instead.
    """
    with AudioFile(path) as f:
        chunks = list(f.chunks())
    return [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]


class AudioFile:
    """A recording decoded as it is read: ``chunks()`` yields per-channel 16 kHz int16 arrays.

    Memory stays at a few ``CHUNK_S`` chunks whatever the length (a two-hour
    file is never held whole). Opening checks the file (``InputError`` for a
    missing, empty, unreadable or non-audio file); ``chunks()`` raises
    ``InputError`` at the end when the header announces clearly more audio
    than there is. ``ended_early`` is a note when the stream stops without its
    end marker (an Ogg file cut short announces no length to check against).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.source = src = str(self.path)
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            raise InputError("no such file", source=src) from None
        except OSError as e:
            raise InputError(f"cannot read the file ({e.strerror or e})", source=src) from None
        if size == 0:
            raise InputError("the file is empty", source=src)
        try:
            self._container = av.open(src, mode="r")
        except (av.FFmpegError, OSError, ValueError) as e:
            raise InputError(f"not a readable audio file ({_reason(e)})", source=src) from None
        stream = next((s for s in self._container.streams.audio), None)
        if stream is None:
            self._container.close()
            raise InputError("the file has no audio stream", source=src)
        self._stream: av.AudioStream = stream
        self.channels = 1 if (stream.codec_context.layout.nb_channels or 1) == 1 else 2
        #: Samples per channel decoded so far.
        self.samples = 0
        self.ended_early: str | None = None

    def __enter__(self) -> AudioFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    @property
    def duration(self) -> float:
        return self.samples / SAMPLE_RATE

    def chunks(self) -> Iterator[list[np.ndarray]]:
        layout = "mono" if self.channels == 1 else "stereo"
        resampler = av.AudioResampler(format="s16p", layout=layout, rate=SAMPLE_RATE)
        pending: list[np.ndarray] = []
        held = 0
        step = int(CHUNK_S * SAMPLE_RATE)

        def take() -> list[np.ndarray]:
            nonlocal pending, held
            pcm = np.concatenate(pending, axis=1) if len(pending) > 1 else pending[0]
            pending, held = [], 0
            self.samples += pcm.shape[1]
            return [np.ascontiguousarray(pcm[c], dtype=np.int16) for c in range(self.channels)]

        try:
            for frame in self._container.decode(self._stream):
                for out in resampler.resample(frame):
                    pending.append(out.to_ndarray())
                    held += out.samples
                if held >= step:
                    yield take()
            for out in resampler.resample(None):
                pending.append(out.to_ndarray())
                held += out.samples
        except (av.FFmpegError, ValueError) as e:
            done = (self.samples + held) / SAMPLE_RATE
            raise InputError(f"the audio is truncated or corrupt: decoding failed after {done:.1f} s "
                             f"({_reason(e)})", source=self.source) from None
        if held:
            yield take()
        if not self.samples:
            raise InputError("the file contains no audio samples (truncated or not audio)", source=self.source)
        declared = _wav_declared_duration(self.path) or _declared_duration(self._container, self._stream)
        decoded = self.duration
        if declared and decoded < declared * _TRUNCATION_RATIO and declared - decoded > _TRUNCATION_SLACK_S:
            raise InputError(f"the file is truncated: its header announces {declared:.1f} s of audio but only "
                             f"{decoded:.1f} s is there", source=self.source)
        if _ogg_cut_short(self.path):
            self.ended_early = (f"The recording ends early: its last Ogg page is incomplete or has no end-of-stream "
                                f"mark, so it was cut off after {decoded:.1f} s; only that much was analysed.")


def _ogg_cut_short(path: Path) -> bool:
    """True when an Ogg file's last page is incomplete or lacks the end-of-stream flag (RFC 3533)."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"OggS":
                return False
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 65_536))
            tail = f.read()
    except OSError:
        return False
    pos = tail.rfind(b"OggS")
    if pos < 0 or len(tail) - pos < 27:
        return True
    nsegs = tail[pos + 26]
    if len(tail) - pos < 27 + nsegs:
        return True
    body = sum(tail[pos + 27:pos + 27 + nsegs])
    complete = len(tail) - pos >= 27 + nsegs + body
    return not complete or not tail[pos + 5] & 0x04


def _declared_duration(container: av.container.InputContainer, stream: av.AudioStream) -> float | None:
    """The length the file's header announces, when it announces one."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _wav_declared_duration(path: Path) -> float | None:
    """The length a RIFF/WAVE header announces (FFmpeg trusts the file size instead)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, byte_rate = 12, None
    while pos + 8 <= len(head):
        tag, size = head[pos:pos + 4], int.from_bytes(head[pos + 4:pos + 8], "little")
        if tag == b"fmt " and pos + 16 <= len(head):
            byte_rate = int.from_bytes(head[pos + 16:pos + 20], "little")
        if tag == b"data":
            # 0 and 0xFFFFFFFF mean "unknown" (a recorder that never finalised the header).
            if not byte_rate or size in (0, 0xFFFFFFFF):
                return None
            return size / byte_rate
        pos += 8 + size + (size & 1)
    return None


def _reason(e: BaseException) -> str:
    """A short, single-line reason from a PyAV/FFmpeg error."""
    text = getattr(e, "strerror", None) or str(e) or type(e).__name__
    return " ".join(str(text).split())


def to_float32(pcm: np.ndarray) -> np.ndarray:
    """int16 PCM to float32 in [-1, 1], as faster-whisper expects."""
    return pcm.astype(np.float32) / 32768.0


def downmix(channels: list[np.ndarray]) -> np.ndarray:
    """Average channels into one mono int16 track."""
    if len(channels) == 1:
        return channels[0]
    n = min(len(c) for c in channels)
    mixed = np.mean([c[:n].astype(np.int32) for c in channels], axis=0)
    return mixed.astype(np.int16)


class Resampler:
    """Turn live ``av.AudioFrame``s of any rate/layout into 16 kHz mono int16.

    Stateful (libswresample keeps a few samples of filter history between
    frames), so use one per track. The output length of a call may differ by
    a sample or two from ``frame.samples / 3``; callers count samples, not
    frames, to keep time.
    """

    def __init__(self, rate: int = SAMPLE_RATE):
        self.rate = rate
        self._resampler: av.AudioResampler | None = None
        self._key: tuple | None = None
        self._passthrough = False

    def resample(self, frame: av.AudioFrame) -> np.ndarray:
        """Resampled mono int16 samples for ``frame``; ``frame`` itself is left untouched."""
        # Per-frame cost matters (once per 20 ms per participant): while a filter
        # is in use, let it check the frame's format (it raises ValueError on a
        # change) instead of building a key from PyAV's format objects every time.
        out = None
        if self._resampler is not None and not self._passthrough:
            try:
                out = self._resampler.resample(frame)
            except ValueError:
                out = None
        if out is None:
            key = (frame.format.name, frame.layout.name, frame.sample_rate)
            if key == ("s16", "mono", self.rate) or key == ("s16p", "mono", self.rate):
                self._passthrough = True
                return frame.to_ndarray().reshape(-1).copy()
            self._passthrough = False
            if key != self._key:
                # A new format mid-stream (a renegotiated track): start a fresh filter.
                self._resampler = av.AudioResampler(format="s16", layout="mono", rate=self.rate)
                self._key = key
            # libswresample reads the frame through a new reference and leaves
            # its samples and timing fields alone (tests/test_audio.py checks it).
            assert self._resampler is not None
            out = self._resampler.resample(frame)
        if not out:
            return np.zeros(0, dtype=np.int16)
        if len(out) == 1:
            return _samples(out[0])
        return np.concatenate([_samples(f) for f in out])


def _samples(frame: av.AudioFrame) -> np.ndarray:
    """A mono s16 frame's samples as a new int16 array (``to_ndarray`` costs about 5x more)."""
    return np.frombuffer(memoryview(frame.planes[0]), dtype=np.int16, count=frame.samples).copy()
