"""A small learned model of which GROW stage an utterance belongs to, from what it means.

Softmax regression over the utterance's embedding, the embedding of the coach
side's latest utterance (the question that sets the stage), and whether the
speaker is on the coach side. Classes: none, goal, reality, options, will.
Trained by ``bench/train_stage_model.py`` on the labelled pair sessions in
devsets/grow and shipped as ``stage_model.npz`` beside this file (about 10 kB
of weights); the stage tracker adds its log-probabilities to the cue evidence
of its hidden-Markov decoder. Without the file, the tracker uses cues alone.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

CLASSES = ("none", "goal", "reality", "options", "will")
PATH = Path(__file__).with_name("stage_model.npz")


def features(vec: np.ndarray, prev_coach: np.ndarray, coach: bool) -> np.ndarray:
    return np.concatenate([vec, prev_coach, np.array([1.0 if coach else 0.0, 1.0], dtype=np.float32)])


def log_probs(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    z = x @ weights
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def train(x: np.ndarray, y: np.ndarray, l2: float = 1e-4, steps: int = 400, rate: float = 2.0) -> np.ndarray:
    """Full-batch gradient descent on the cross-entropy (small data: seconds)."""
    w = np.zeros((x.shape[1], len(CLASSES)), dtype=np.float32)
    target = np.eye(len(CLASSES), dtype=np.float32)[y]
    for _ in range(steps):
        p = np.exp(log_probs(w, x))
        w -= rate * (x.T @ (p - target) / len(x) + l2 * w)
    return w


@lru_cache(maxsize=1)
def shipped() -> np.ndarray | None:
    """The shipped weights, or None when the file is missing."""
    if not PATH.exists():
        return None
    with np.load(PATH) as f:
        return np.asarray(f["weights"], dtype=np.float32)
