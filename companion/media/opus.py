"""Opus packets straight to 16 kHz mono with libopus's own decoder (no 48 kHz decode, no resampler).

FFmpeg's libopus wrapper, which PyAV exposes, always decodes at 48 kHz, so the
speech path used to decode every 20 ms packet to 960 samples and then resample
them to 320 in libswresample: the two largest entries of our own code in a
profile of the relay. libopus itself decodes to 8, 12, 16, 24 or 48 kHz and to
mono, whatever the sender encoded (RFC 6716, section 2), so asking it for 16 kHz
mono gives the VAD and Whisper their input in one C call per packet.

This is a ctypes binding of four libopus functions. The library is the copy
inside PyAV's wheel (always there, already loaded by PyAV) or, failing that,
the system's (``libopus0`` on Debian). ``available()`` says whether one was
found; without it ``feeds.SpeechTrack`` keeps PyAV's decode and resampler.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os

import av
import numpy as np

#: Rates libopus can decode to.
RATES = (8000, 12000, 16000, 24000, 48000)
#: The longest Opus packet is 120 ms.
MAX_PACKET_S = 0.12

_lib: ctypes.CDLL | None = None
_tried = False


def _candidates() -> list[str]:
    # PyAV's wheel keeps its libraries beside the package (Linux: av.libs, macOS: av/.dylibs).
    here = os.path.dirname(av.__file__)
    found: list[str] = []
    for pattern in ("../av.libs/libopus*.so*", ".dylibs/libopus*.dylib"):
        found += sorted(glob.glob(os.path.join(here, pattern)))
    system = ctypes.util.find_library("opus")
    if system:
        found.append(system)
    return found


def _load() -> ctypes.CDLL | None:
    global _lib, _tried
    if _tried:
        return _lib
    _tried = True
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            lib.opus_decoder_create.restype = ctypes.c_void_p
            lib.opus_decoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
            lib.opus_decode.restype = ctypes.c_int
            lib.opus_decode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_void_p,
                                        ctypes.c_int, ctypes.c_int]
            lib.opus_decoder_destroy.restype = None
            lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
            lib.opus_strerror.restype = ctypes.c_char_p
            lib.opus_strerror.argtypes = [ctypes.c_int]
        except (OSError, AttributeError):
            continue
        _lib = lib
        break
    return _lib


def available() -> bool:
    """True when a libopus with the decoder API could be loaded."""
    return _load() is not None


class OpusError(ValueError):
    """A packet libopus could not decode (corrupt or not Opus)."""


class Decoder:
    """One Opus stream's decoder at ``rate`` Hz and ``channels`` channels (libopus keeps state between packets)."""

    def __init__(self, rate: int = 16_000, channels: int = 1):
        lib = _load()
        if lib is None:
            raise RuntimeError("libopus is not available")
        if rate not in RATES or channels not in (1, 2):
            raise ValueError(f"libopus decodes at {RATES} Hz to 1 or 2 channels, not {rate} Hz x {channels}")
        err = ctypes.c_int(0)
        state = lib.opus_decoder_create(rate, channels, ctypes.byref(err))
        if not state or err.value != 0:
            raise RuntimeError(f"opus_decoder_create failed: {lib.opus_strerror(err.value).decode()}")
        self._lib = lib
        self._state: int | None = state
        self.rate = rate
        self.channels = channels
        self._max = int(rate * MAX_PACKET_S)
        self._out = np.zeros(self._max * channels, dtype=np.int16)
        self._out_ptr = self._out.ctypes.data

    def decode(self, packet: bytes) -> np.ndarray:
        """One packet's samples (interleaved when stereo), as a new int16 array; ``OpusError`` when corrupt."""
        if self._state is None:
            raise RuntimeError("decoder closed")
        n = self._lib.opus_decode(self._state, packet, len(packet), self._out_ptr, self._max, 0)
        if n < 0:
            raise OpusError(self._lib.opus_strerror(n).decode())
        return self._out[:n * self.channels].copy()

    def close(self) -> None:
        if self._state is not None:
            self._lib.opus_decoder_destroy(self._state)
            self._state = None

    def __del__(self) -> None:
        self.close()
