"""Flag precision and recall per kind on devsets/grow, matched by span overlap.

    .venv/bin/python bench/evaluate.py --only flags

A raised flag matches an expected one of the same kind when their spans overlap (each expected flag
is matched at most once). Precision = matched raised / raised; recall = matched expected / expected.
Only the kinds the labels use are scored (interruptions are not labelled).
"""

from __future__ import annotations

from collections import defaultdict

from scoring.pairs import analysed

KINDS = ("venting", "stage_overrun", "stage_loop", "topic_drift", "no_will", "coach_dominance",
         "long_monologue")


def _match(got: list[dict], want: list[dict]) -> tuple[int, list[dict], list[dict]]:
    used: set[int] = set()
    extra = []
    for g in got:
        k = next((j for j, w in enumerate(want) if j not in used and w["kind"] == g["kind"]
                  and g["start"] <= w["end"] and w["start"] <= g["end"]), None)
        if k is None:
            extra.append(g)
        else:
            used.add(k)
    return len(used), extra, [w for j, w in enumerate(want) if j not in used]


def _span(f: dict) -> str:
    return f"{f['kind']} {f['start']:.0f}-{f['end']:.0f}"


def score(verbose: bool = False) -> str:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # matched, raised, expected
    misses = []
    for a in analysed():
        got = [f for f in a.report["flags"] if f["kind"] in KINDS]
        want = a.labels.get("expected_flags") or []
        for kind in KINDS:
            g = [f for f in got if f["kind"] == kind]
            w = [f for f in want if f["kind"] == kind]
            m, _, _ = _match(g, w)
            counts[kind][0] += m
            counts[kind][1] += len(g)
            counts[kind][2] += len(w)
        _, extra, missed = _match(got, want)
        if extra or missed:
            misses.append(f"| {a.name} | {', '.join(map(_span, missed)) or '-'} | "
                          f"{', '.join(map(_span, extra)) or '-'} |")

    def pr(m: int, g: int, w: int) -> str:
        p = f"{m / g:.2f}" if g else "-"
        r = f"{m / w:.2f}" if w else "-"
        return f"{p} | {r} | {g} | {w}"

    total = [sum(counts[k][i] for k in KINDS) for i in range(3)]
    out = ["### Flags (devsets/grow)", "", "`.venv/bin/python bench/evaluate.py --only flags`", "",
           "| Kind | Precision | Recall | Raised | Expected |", "|---|---|---|---|---|",
           f"| **all** | {pr(*total)} |"]
    out += [f"| {k} | {pr(*counts[k])} |" for k in KINDS]
    out += ["", "Per session, what did not match (expected but missed; raised but not expected):", "",
            "| Session | Missed | Not expected |", "|---|---|---|", *(misses or ["| - | - | - |"])]
    return "\n".join(out)
