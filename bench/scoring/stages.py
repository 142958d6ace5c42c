"""GROW stage accuracy per cue on devsets/grow, beside a position-only baseline.

    .venv/bin/python bench/evaluate.py --only stages

A cue is right when the stage the analysis marks on it (no stage = ``none``) equals its label. Each
session is scored with a stage model trained on the other thirteen (held out); the shipped model's
in-sample figure is shown beside it for reference only. The
baseline cuts each session's span in the default plan's proportions (goal 5, reality 10, options 9,
will 6 of 30) and gives each cue the stage at its midpoint. "Sessions that go wrong" are those with
expected flags.
"""

from __future__ import annotations

from collections import Counter

from scoring.pairs import analysed, baseline_stage


def _accuracy(held_out: bool) -> dict[str, float]:
    tot = {"all": [0, 0], "wrong": [0, 0]}
    for a in analysed(held_out):
        right = sum((row["stage"] or "none") == lab["stage"] for row, lab in zip(a.report["utterances"],
                                                                                   a.labels["cues"]))
        for key in ("all", "wrong") if a.goes_wrong else ("all",):
            tot[key][0] += right
            tot[key][1] += len(a.labels["cues"])
    return {k: r / n for k, (r, n) in tot.items()}


def score(verbose: bool = False) -> str:
    in_sample = _accuracy(held_out=False)
    rows = []
    tot = {"all": [0, 0, 0], "wrong": [0, 0, 0]}  # right, baseline right, cues
    confusion: Counter[tuple[str, str]] = Counter()
    for a in analysed():
        utts, cues = a.utterances, a.labels["cues"]
        start, end = utts[0].start, max(u.end for u in utts)
        right = base = 0
        for u, row, lab in zip(utts, a.report["utterances"], cues):
            got = row["stage"] or "none"
            right += got == lab["stage"]
            base += baseline_stage((u.start + u.end) / 2, start, end) == lab["stage"]
            if got != lab["stage"]:
                confusion[(lab["stage"], got)] += 1
        n = len(cues)
        for key in ("all", "wrong") if a.goes_wrong else ("all",):
            tot[key][0] += right
            tot[key][1] += base
            tot[key][2] += n
        rows.append(f"| {a.name} | {n} | {right / n:.3f} | {base / n:.3f} | {'yes' if a.goes_wrong else ''} |")
    out = ["### GROW stages per cue (devsets/grow)", "",
           "`.venv/bin/python bench/evaluate.py --only stages`", "",
           "| Sessions | Cues | Accuracy (held out) | Position-only baseline | Shipped model, in-sample |",
           "|---|---|---|---|---|"]
    for key, label in (("all", "all 14"), ("wrong", "sessions that go wrong")):
        r, b, n = tot[key]
        out.append(f"| {label} | {n} | **{r / n:.3f}** | {b / n:.3f} | {in_sample[key]:.3f} |")
    out += ["", "| Session | Cues | Accuracy (held out) | Baseline | Goes wrong |", "|---|---|---|---|---|", *rows]
    out += ["", "Most common confusions (label -> marked): " + ", ".join(
        f"{lab}->{got} {k}" for (lab, got), k in confusion.most_common(8))]
    return "\n".join(out)
