"""Meaning of an utterance as a vector, offline: WordLlama's small static embedding.

Why WordLlama: its wheel ships a 16 MB token-embedding table (no model hub,
no GPU), an utterance embeds in well under a millisecond, and the vectors are
good enough to tell "what could you try?" from "what happened?" and gossip
about the area manager from a goal about delegation. The default loader looks
for its tokenizer in a misnamed folder and would try the network, so it is
loaded from the package folder with downloads disabled.

``Semantics`` runs right after the text parser and puts one unit vector per
utterance in ``ctx.vectors`` (zeros for untranscribed or empty speech), for
the stage tracker and the drift check alike.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import numpy as np
import wordllama
from wordllama import WordLlama

from companion.analysis.base import AnalysisContext, Component
from companion.model import Event

DIM = 256


@lru_cache(maxsize=1)
def model() -> Any:
    """The embedding model, loaded once per process from the installed package (never the network)."""
    return WordLlama.load(cache_dir=os.path.dirname(wordllama.__file__), disable_download=True, dim=DIM)


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors, one row per text (zeros for an empty text)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vecs = np.asarray(model().embed([t or " " for t in texts], norm=False), dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    out = np.divide(vecs, norms, out=np.zeros_like(vecs), where=norms > 1e-9)
    out[[not t.strip() for t in texts]] = 0.0
    return out


class Semantics(Component):
    """One unit vector per utterance in ``ctx.vectors``."""

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        text = u.text if u.transcribed else ""
        ctx.vectors.append(embed([text])[0])
        return []
