"""What the coach's live panel shows on devsets/grow, replayed as live sessions.

    .venv/bin/python bench/live_panel.py

Each labelled pair session is fed to the analyzer utterance by utterance, as
a live call would be (roles and plan as labelled). Per session and overall:
how often the stage shown on the panel agrees with the label of the utterance
as it arrives; how often the shown stage switches (beside the labelled
changes); flips (a stage shown for under 60 s before the panel goes back);
clock resets (a flip after which the returning stage's clock restarts); and
the lag from a labelled stage change to the panel showing that stage.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

import devsets

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.plan import SessionPlan
from companion.model import Role

FLIP_S = 60.0


def replay(session) -> dict:
    utts, labels = session.utterances, [c["stage"] for c in session.labels["cues"]]
    roles = {session.labels["coach"]: Role.COACH, session.labels["coachee"]: Role.COACHEE}
    an = SessionAnalyzer(roles=roles, plan=SessionPlan(session.labels.get("planned_minutes")))
    shown: str | None = None
    switches: list[tuple[float, str | None, float]] = []  # (when, stage, since)
    shown_at: list[str | None] = []
    for u in utts:
        for e in an.update(u):
            if e.type == "stage" and "revision" not in e.data:
                if e.data["stage"] != shown:
                    switches.append((u.end, e.data["stage"], e.data["since"]))
                shown = e.data["stage"]
        shown_at.append(shown)
    an.finish()
    flips = resets = 0
    for k in range(2, len(switches)):
        if switches[k][1] == switches[k - 2][1] and switches[k][0] - switches[k - 1][0] < FLIP_S:
            flips += 1
            resets += switches[k][2] > switches[k - 2][2]
    lags = []
    for j in range(1, len(labels)):
        if labels[j] != labels[j - 1] and labels[j] != "none":
            k = next((k for k in range(j, len(utts)) if shown_at[k] == labels[j]), None)
            if k is not None:
                lags.append(utts[k].end - utts[j].start)
    return {"cues": len(utts), "right": sum((s or "none") == lab for s, lab in zip(shown_at, labels)),
            "switches": len(switches), "changes": sum(a != b for a, b in zip(labels, labels[1:])),
            "flips": flips, "resets": resets, "lags": lags}


def main() -> None:
    rows = [(s.name, replay(s)) for s in devsets.load("grow")]
    print("| Session | Cues | Shown = label | Switches | Labelled changes | Flips < 60 s | Clock resets |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['cues']} | {r['right'] / r['cues']:.3f} | {r['switches']} | {r['changes']} | "
              f"{r['flips']} | {r['resets']} |")
    tot = {k: sum(r[k] for _, r in rows) for k in ("cues", "right", "switches", "changes", "flips", "resets")}
    lags = sorted(lag for _, r in rows for lag in r["lags"])
    print(f"| **all** | {tot['cues']} | {tot['right'] / tot['cues']:.3f} | {tot['switches']} | {tot['changes']} | "
          f"{tot['flips']} | {tot['resets']} |")
    print(f"\nLag from a labelled stage change to the panel showing it: median {statistics.median(lags):.1f} s, "
          f"90th percentile {lags[int(0.9 * len(lags))]:.1f} s ({len(lags)} changes reached).")


if __name__ == "__main__":
    main()
