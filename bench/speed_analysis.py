"""Time a full analysis of a synthetic two-hour coaching transcript.

    .venv/bin/python bench/speed_analysis.py [--runs 5]

The transcript alternates a coach and a coachee through the four GROW
stages, with the text varied (punctuated and unpunctuated) so that caches
do not flatter the figure. Prints the median wall time of a full replay
(parse, acts, stages, venting, drift, nudges, report) over several runs, and
the import time of the analysis package, which a fresh process pays once.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

t0 = time.perf_counter()
from companion.analysis.analyzer import (
    SessionAnalyzer,
    default_components,
)
from companion.analysis.plan import SessionPlan
from companion.model import Role, Utterance

default_components()  # import every component module now, not inside the timed runs
IMPORT_S = time.perf_counter() - t0

COACH = [
    "What would you like to get out of our time today?", "so what would you like to work on",
    "Tell me more about what happens in those meetings.", "what have you tried so far",
    "It sounds like you feel stuck between the two teams.", "so you feel you're the one who gets blamed",
    "What else could you do?", "what options do you have and which one feels right",
    "You should talk to your manager first.", "have you tried asking the team",
    "What will you do first, and by when?", "who could help you with that",
    "That's a really creative idea.", "On a scale of one to ten, how committed are you?",
]
COACHEE = [
    "I want to get my weekly meeting to finish on time, starting next month.",
    "honestly it's a mess nobody prepares and it never finishes on time and i get blamed",
    "Last week the director joined and we didn't even get to the budget item. It was embarrassing.",
    "i could send the agenda three days ahead or ask someone else to keep time",
    "I'll send the agenda by Friday and ask Priya for her template on Wednesday.",
    "yeah i think so", "Maybe, but that feels a bit drastic for us.",
    "we went to the coast at the weekend and the kids loved the rock pools",
]


def transcript(hours: float = 2.0, seed: int = 7) -> list[Utterance]:
    rng = random.Random(seed)
    out, t, k = [], 0.0, 0
    while t < hours * 3600:
        coach = k % 2 == 0
        text = rng.choice(COACH if coach else COACHEE) + ("" if rng.random() < 0.5 else f" {rng.randint(1, 999)}")
        dur = len(text.split()) / 2.5
        out.append(Utterance("Coach" if coach else "Coachee", t, t + dur, text))
        t += dur + rng.uniform(0.2, 1.5)
        k += 1
    return out


def once(utts: list[Utterance]) -> float:
    t = time.perf_counter()
    an = SessionAnalyzer(roles={"Coach": Role.COACH, "Coachee": Role.COACHEE}, plan=SessionPlan(60))
    an.feed(utts)
    an.finish()
    an.report()
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    utts = transcript()
    times = [once(utts) for _ in range(args.runs)]
    per_utt = statistics.median(times) / len(utts) * 1e6
    print(f"two-hour transcript: {len(utts)} utterances")
    print(f"full analysis, median of {args.runs}: {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}); {per_utt:.0f} us per utterance")
    print(f"import of the analysis package (once per process): {IMPORT_S:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
