"""Speech test material: a random-weight Whisper model and espeak-ng speech on a known timeline.

``build_whisper_model(dir)`` writes a real CTranslate2 Whisper model (random
numpy weights, ``WhisperSpec``) plus a byte-level ``tokenizers`` tokenizer, so
the real faster-whisper loading and decoding path runs without downloading
anything. Its text is meaningless: assert on structure, never on words. With
``shape="base"`` it has base.en's shapes (for speed estimates in bench/).

``synthesise(script)`` speaks a script with espeak-ng in two voices and lays
the clips on a timeline; the result knows the true speech spans (``truth``),
measured from the synthesised samples themselves.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from companion.asr.engine import EngineOptions, WhisperEngine

RATE = 16_000

# -- the random-weight model --------------------------------------------------------
SPECIALS = ["<|endoftext|>", "<|startoftranscript|>", "<|translate|>", "<|transcribe|>",
            "<|startoflm|>", "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>"]
SHAPES = {
    # d_model, encoder/decoder layers, heads, ffn width, text tokens
    "tiny-test": {"d": 64, "layers": 2, "heads": 2, "ffn": 128, "text_tokens": 256},
    "base": {"d": 512, "layers": 6, "heads": 8, "ffn": 2048, "text_tokens": 50256},
}


def _byte_level_tokens() -> list[str]:
    """The 256 byte-level symbols GPT-2/Whisper tokenizers use for raw bytes."""
    from tokenizers import pre_tokenizers

    return sorted(pre_tokenizers.ByteLevel.alphabet())


def build_whisper_model(out_dir: str | Path, *, shape: str = "tiny-test", seed: int = 0) -> Path:
    """Write a random-weight Whisper model that faster-whisper loads from ``out_dir``."""
    from ctranslate2.specs import whisper_spec
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    cfg = SHAPES[shape]
    d, n_layers, heads, ffn = cfg["d"], cfg["layers"], cfg["heads"], cfg["ffn"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    text = _byte_level_tokens()
    text += [f"<|filler{i}|>" for i in range(cfg["text_tokens"] - len(text))]
    timestamps = [f"<|{i * 0.02:.2f}|>" for i in range(1501)]
    vocab = text + SPECIALS + timestamps
    n_vocab = len(vocab)

    def w(*shape: int, scale: float = 0.02) -> np.ndarray:
        return (rng.standard_normal(shape, dtype=np.float32) * scale).astype(np.float32)

    def ln(spec) -> None:
        spec.gamma = np.ones(d, np.float32)
        spec.beta = np.zeros(d, np.float32)

    def linear(spec, n_out: int, n_in: int) -> None:
        spec.weight = w(n_out, n_in)
        spec.bias = np.zeros(n_out, np.float32)

    def ffn_(spec) -> None:
        ln(spec.layer_norm)
        linear(spec.linear_0, ffn, d)
        linear(spec.linear_1, d, ffn)

    spec = whisper_spec.WhisperSpec(n_layers, heads, n_layers, heads)
    enc = spec.encoder
    enc.conv1.weight, enc.conv1.bias = w(d, 80, 3), np.zeros(d, np.float32)
    enc.conv2.weight, enc.conv2.bias = w(d, d, 3), np.zeros(d, np.float32)
    enc.position_encodings.encodings = w(1500, d)
    ln(enc.layer_norm)
    for layer in enc.layer:
        ln(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        ffn_(layer.ffn)
    dec = spec.decoder
    dec.embeddings.weight = w(n_vocab, d)
    dec.position_encodings.encodings = w(448, d)
    ln(dec.layer_norm)
    dec.projection.weight = dec.embeddings.weight
    # Random weights alone mostly decode "end of text" at once. A bias towards
    # letters and spaces makes the model say something (meaningless) for any
    # input, so the word-timing and segment paths run.
    bias = np.zeros(n_vocab, np.float32)
    speakable = [i for i, t in enumerate(text) if t.isalpha() and t.isascii() or t == "Ġ"]
    bias[speakable] = cfg.get("text_bias", 3.0)
    dec.projection.bias = bias
    for layer in dec.layer:
        ln(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        ln(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d, d)
        linear(layer.attention.linear[1], 2 * d, d)
        linear(layer.attention.linear[2], d, d)
        ffn_(layer.ffn)

    spec.config.suppress_ids = []
    spec.config.suppress_ids_begin = [len(text)]  # <|endoftext|>, as in real models
    spec.config.lang_ids = []
    spec.config.alignment_heads = list(itertools.product(range(n_layers // 2, n_layers), range(heads)))
    spec.register_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=None)
    spec.save(str(out))

    # A byte-level BPE tokenizer without merges: every byte is a token.
    ids = {tok: i for i, tok in enumerate(vocab)}
    tok = Tokenizer(models.BPE(vocab={t: i for t, i in ids.items() if i < len(text)}, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(SPECIALS + timestamps)
    assert tok.token_to_id("<|endoftext|>") == len(text), "special tokens must follow the text tokens"
    tok.save(str(out / "tokenizer.json"))
    (out / "preprocessor_config.json").write_text(json.dumps({"feature_size": 80, "sampling_rate": RATE}))
    return out


# -- speech with espeak-ng ----------------------------------------------------------
VOICES = {"A": "en-us", "B": "en-us+f3"}


def espeak_missing_reason() -> str | None:
    """None when espeak-ng is usable; otherwise why not."""
    if shutil.which("espeak-ng") is None:
        return "espeak-ng is not installed (apt-get install espeak-ng)"
    return None


def require_espeak() -> None:
    """Skip the test without espeak-ng, except under CI, where a missing espeak-ng fails."""
    reason = espeak_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}; CI must have it", pytrace=False)
    pytest.skip(reason)


def speak(text: str, voice: str, *, wpm: int = 170) -> np.ndarray:
    """espeak-ng speech as 16 kHz int16, trimmed to the audible part."""
    proc = subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "--stdout", text],
                          check=True, capture_output=True)
    import io

    with wave.open(io.BytesIO(proc.stdout)) as wf:
        rate = wf.getframerate()
        x = np.frombuffer(wf.readframes(wf.getnframes()), dtype=np.int16).astype(np.float32)
    n_out = int(len(x) * RATE / rate)
    y = np.interp(np.arange(n_out) * rate / RATE, np.arange(len(x)), x)
    return trim(y.astype(np.int16))


def trim(x: np.ndarray, window: int = 160) -> np.ndarray:
    """Cut leading and trailing near-silence (10 ms windows below 2% of the peak)."""
    n = len(x) // window
    env = np.abs(x[: n * window].astype(np.int32)).reshape(n, window).max(axis=1)
    loud = np.nonzero(env > 0.02 * env.max())[0]
    return x[loud[0] * window:(loud[-1] + 1) * window]


@dataclass
class Timeline:
    """Speech laid out in time: per-speaker tracks and the true spans."""

    duration: float
    tracks: dict[str, np.ndarray]
    #: (speaker, start, end, text) for every clip, as placed.
    truth: list[tuple[str, float, float, str]] = field(default_factory=list)

    def talk_time(self, speaker: str | None = None) -> float:
        spans = sorted((s, e) for who, s, e, _ in self.truth if speaker in (None, who))
        total, cur_s, cur_e = 0.0, None, None
        for s, e in spans:  # union, so overlaps count once
            if cur_e is None or s > cur_e:
                total += 0 if cur_e is None else cur_e - cur_s
                cur_s, cur_e = s, e
            else:
                cur_e = max(cur_e, e)
        return total + (0 if cur_e is None else cur_e - cur_s)

    def stereo(self) -> np.ndarray:
        return np.stack([self.tracks["A"], self.tracks["B"]], axis=1)

    def mono(self) -> np.ndarray:
        mixed = self.tracks["A"].astype(np.int32) + self.tracks["B"].astype(np.int32)
        return np.clip(mixed, -32768, 32767).astype(np.int16)


#: (speaker, pause before in seconds, text). Sentences without inner full stops,
#: so each clip is one utterance.
SCRIPT = [
    ("A", 0.8, "What would you like to get out of our session today"),
    ("B", 1.0, "I want to find a way to stop working every evening"),
    ("A", 1.1, "What does a good week look like for you"),
    ("B", 0.9, "I leave at six and I do not open my laptop at home"),
    ("A", 1.2, "What could you try first"),
    ("B", 1.0, "I could tell my team that I am offline after six"),
]


def synthesise(script=SCRIPT, *, lead: float = 0.0, tail: float = 1.0) -> Timeline:
    clips = [(who, pause, text, speak(text, VOICES[who])) for who, pause, text in script]
    t = lead
    placed = []
    for who, pause, text, audio in clips:
        t += pause
        placed.append((who, t, audio, text))
        t += len(audio) / RATE
    duration = t + tail
    n = int(duration * RATE) + 1
    tracks = {"A": np.zeros(n, np.int16), "B": np.zeros(n, np.int16)}
    truth = []
    for who, start, audio, text in placed:
        i = int(round(start * RATE))
        tracks[who][i:i + len(audio)] = audio
        truth.append((who, i / RATE, (i + len(audio)) / RATE, text))
    return Timeline(duration=n / RATE, tracks=tracks, truth=truth)


def write_wav(path: str | Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """Write int16 samples, shape (n,) or (n, channels), as a WAV file."""
    samples = np.asarray(samples, dtype=np.int16)
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(channels)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(samples.tobytes())
    return Path(path)


def encode(path: str | Path, samples: np.ndarray, codec: str, rate: int = RATE) -> Path:
    """Encode int16 samples with PyAV into any container (flac, ogg/opus, mp3, m4a/aac, webm)."""
    import av

    samples = np.asarray(samples, dtype=np.int16)
    layout = "mono" if samples.ndim == 1 else "stereo"
    interleaved = samples.reshape(1, -1)
    with av.open(str(path), "w") as out:
        st = out.add_stream(codec, rate=48_000 if codec == "libopus" else rate, layout=layout)
        fmt = st.codec_context.codec.audio_formats[0].name
        resampler = av.AudioResampler(format=fmt, layout=layout, rate=st.codec_context.sample_rate)
        frame = av.AudioFrame.from_ndarray(interleaved, format="s16", layout=layout)
        frame.sample_rate = rate
        frame.pts = 0
        for f in resampler.resample(frame) + resampler.resample(None):
            for p in st.encode(f):
                out.mux(p)
        for p in st.encode(None):
            out.mux(p)
    return Path(path)


# -- fixtures (import them into a test module to use them) ---------------------------
_CACHE: dict[str, object] = {}


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A random-weight Whisper model folder, built once per test run (well under a second)."""
    if "model" not in _CACHE:
        _CACHE["model"] = build_whisper_model(tmp_path_factory.mktemp("whisper") / "tiny-test")
    return _CACHE["model"]


@pytest.fixture(scope="session")
def dialogue() -> Timeline:
    """The two-voice SCRIPT spoken by espeak-ng, with its true timings."""
    require_espeak()
    if "dialogue" not in _CACHE:
        _CACHE["dialogue"] = synthesise()
    return _CACHE["dialogue"]


@pytest.fixture
def models_dir_with_tiny(settings, tiny_model_dir) -> Path:
    """The configured model (tiny.en) in the test's models folder as the random model; it wins over the bundled one."""
    target = settings.models_dir / settings.model
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(tiny_model_dir, target)
    return target


#: Sample rate of the speech pipeline (16 kHz mono).
R = 16_000
#: Guards off: the random-weight model's output would (rightly) be dropped as low-confidence guessing.
NO_GUARDS = EngineOptions(beam_size=1, temperature=(0.0,), no_speech_prob=None, compression_ratio=None,
                          min_avg_logprob=None, hallucination_silence_s=None, max_repeats=None)


def voice(seconds: float, f0: float = 140.0) -> np.ndarray:
    """A voiced, modulated harmonic tone that webrtcvad takes for speech (int16, 16 kHz)."""
    t = np.arange(int(seconds * R)) / R
    x = sum(np.sin(2 * np.pi * f0 * k * t + k) / k for k in range(1, 16)) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return (x * 2500).astype(np.int16)


@pytest.fixture(scope="module")
def engine(tiny_model_dir):
    """The tiny random-weight model as an engine, guards off (the speech tests' shared engine)."""
    return WhisperEngine(tiny_model_dir, device="cpu", options=NO_GUARDS)
