"""The labelled development sets in ../shared/devsets, read into utterances and labels.

    grow/   14 pair sessions: a VTT (Zoom or Teams) and a JSON of labels per file
    groups/  5 group sessions, the same way

The transcripts go through the product's own importer, so what is scored is
what a user importing the file would get. Labels are one entry per cue, in
file order, so ``labels["cues"][i]`` belongs to ``utterances[i]``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: ``COMPANION_DEVSETS`` points elsewhere (e.g. a held-out set in the same format).
DEVSETS = Path(os.environ.get("COMPANION_DEVSETS", ROOT.parent / "shared" / "devsets"))


@dataclass
class LabelledSession:
    name: str
    path: Path
    utterances: list[Any]  # companion.model.Utterance
    labels: dict[str, Any]


def load(kind: str, directory: Path | None = None) -> list[LabelledSession]:
    """Every labelled session of one kind (``grow`` or ``groups``), sorted by file name."""
    from companion.importers import load_transcript

    folder = directory or DEVSETS / kind
    out = []
    for vtt in sorted(folder.glob("*.vtt")):
        labels = json.loads(vtt.with_suffix(".json").read_text(encoding="utf-8"))
        utterances = load_transcript(vtt)
        if len(labels["cues"]) != len(utterances):
            raise SystemExit(f"{vtt.name}: {len(utterances)} cues but {len(labels['cues'])} labels")
        out.append(LabelledSession(vtt.stem, vtt, utterances, labels))
    if not out:
        raise SystemExit(f"no labelled sessions in {folder}")
    return out
