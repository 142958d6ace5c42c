"""Train the stage model (companion/analysis/stagemodel.py) on devsets/grow and write its weights.

    .venv/bin/python bench/train_stage_model.py

The features come from the product's own embedding (``semantic.embed``) of the
imported transcripts, as the analyzer computes them live. ``bench/evaluate.py
--only stages`` reports the held-out figure (each session scored by a model
trained on the other thirteen) beside the shipped model's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import devsets

from companion.analysis import stagemodel
from companion.analysis.semantic import DIM, embed


def session_xy(s: devsets.LabelledSession) -> tuple[np.ndarray, np.ndarray]:
    vecs = embed([u.text for u in s.utterances])
    coach = s.labels["coach"]
    prev = np.zeros(DIM, dtype=np.float32)
    rows = []
    for k, u in enumerate(s.utterances):
        rows.append(stagemodel.features(vecs[k], prev, u.speaker == coach))
        if u.speaker == coach:
            prev = vecs[k]
    y = np.array([stagemodel.CLASSES.index(c["stage"]) for c in s.labels["cues"]])
    return np.array(rows, dtype=np.float32), y


def train_on(sessions: list[devsets.LabelledSession]) -> np.ndarray:
    xs, ys = zip(*(session_xy(s) for s in sessions))
    return stagemodel.train(np.concatenate(xs), np.concatenate(ys))


def main() -> int:
    w = train_on(devsets.load("grow"))
    np.savez_compressed(stagemodel.PATH, weights=w.astype(np.float16))
    print(f"wrote {stagemodel.PATH} ({stagemodel.PATH.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
