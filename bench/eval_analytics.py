"""Measure the coaching analytics against the labelled sessions in bench/eval/.

    .venv/bin/python bench/eval_analytics.py [--set DIR] [--verbose]

Prints precision, recall and F1 per act, question detection with and
without punctuation (the second condition strips punctuation and lower-cases
every file, as a speech recogniser without punctuation would give it),
open-vs-closed agreement, stage accuracy, coachee focus accuracy, flag
accuracy, coach-inference accuracy and the talk-share error.

The set is for measuring, not for tuning: see bench/eval/README.md.
``--set`` measures another directory in the same format (bench/eval by
default); lines whose stage is ``?`` and sessions with ``# flags: ?`` are
left out of the stage and flag figures (see bench/eval_counselling/README.md).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.plan import SessionPlan
from companion.analysis.roles import assign_roles
from companion.model import Role, Utterance

EVAL_DIR = ROOT / "bench" / "eval"
ACT_CODES = {"oq": "open_question", "cq": "closed_question", "ref": "reflection", "adv": "advice",
             "aff": "affirmation"}
ACTS = list(ACT_CODES.values())
FOCUS = {"p": "problem", "s": "solution", "n": "neutral"}
FLAG_KINDS = ("venting", "no_will", "topic_drift", "stage_loop", "stage_overrun", "coach_dominance")
WPM = 150.0
GAP_S = 0.6
OVERLAP_S = 1.5


@dataclass
class Line:
    speaker: str
    stage: str | None  # "?" when not labelled
    acts: set[str]
    focus: str | None
    text: str


@dataclass
class Session:
    name: str
    coach: str
    coachee: str
    planned: float | None
    flags: set[str] | None  # None when not labelled
    lines: list[Line] = field(default_factory=list)


def load(path: Path) -> Session:
    head: dict[str, str] = {}
    lines: list[Line] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#"):
            key, _, value = raw[1:].partition(":")
            head[key.strip()] = value.strip()
            continue
        if not raw.strip():
            continue
        who, stage, acts, focus, text = (p.strip() for p in raw.split("|", 4))
        lines.append(Line(who, None if stage == "-" else stage,
                          {ACT_CODES[a] for a in acts.split("+") if a != "-"},
                          FOCUS.get(focus), text))
    flags: set[str] | None = {f.strip() for f in head.get("flags", "").split(",")
                              if f.strip() and f.strip() != "none"}
    if head.get("flags", "").strip() == "?":
        flags = None
    planned = float(head["planned"]) if head.get("planned") else None
    return Session(path.stem, head["coach"], head["coachee"], planned, flags, lines)


def utterances(s: Session, strip: bool) -> list[Utterance]:
    out: list[Utterance] = []
    t = 2.0
    prev_end = 0.0
    for line in s.lines:
        text = line.text
        if strip:
            text = re.sub(r"[^\w\s']", " ", text).lower()
            text = re.sub(r"\s+", " ", text).strip()
        words = len(line.text.split())
        dur = max(1.2, words / WPM * 60)
        start = prev_end - OVERLAP_S if line.speaker.endswith("<") else t
        name = s.coach if line.speaker.startswith("C") else s.coachee
        out.append(Utterance(name, round(start, 2), round(start + dur, 2), text))
        prev_end = start + dur
        t = prev_end + GAP_S
    return out


def true_coach_share(utts: list[Utterance], coach: str) -> float:
    """Talk share by sampling the timeline every 10 ms: a method independent of TalkTracker."""
    end = max(u.end for u in utts)
    ticks = int(end * 100) + 1
    talking: dict[str, bytearray] = {}
    for u in utts:
        arr = talking.setdefault(u.speaker, bytearray(ticks))
        for k in range(int(round(u.start * 100)), int(round(u.end * 100))):
            arr[k] = 1
    per = {name: sum(arr) for name, arr in talking.items()}
    return per.get(coach, 0) / sum(per.values())


class PRF:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, gold: bool, pred: bool) -> None:
        self.tp += gold and pred
        self.fp += pred and not gold
        self.fn += gold and not pred

    def figures(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def run(sessions: list[Session], strip: bool, verbose: bool, coach_lines: bool = False) -> dict[str, Any]:
    acts = {a: PRF() for a in ACTS}
    question = PRF()
    oc_right = oc_total = 0
    stage_right = stage_total = 0
    focus_right = focus_total = 0
    flag_right = flag_total = 0
    coach_right = 0
    share_err: list[float] = []
    flag_rows = []
    for s in sessions:
        utts = utterances(s, strip)
        inferred, _ = assign_roles(utts)
        coach_right += inferred.get(s.coach) == Role.COACH
        roles: dict[str, Role | None] = {s.coach: Role.COACH, s.coachee: Role.COACHEE}
        an = SessionAnalyzer(roles=roles, plan=SessionPlan(planned_minutes=s.planned))
        an.feed(utts)
        an.finish()
        report = an.report()
        for line, row in zip(s.lines, report["utterances"]):
            pred = set(row["acts"])
            if coach_lines and not line.speaker.startswith("C"):
                pred = set(line.acts)  # acts scored on the coach's lines only
            for a in ACTS:
                acts[a].add(a in line.acts, a in pred)
            gq = bool(line.acts & {"open_question", "closed_question"})
            pq = bool(pred & {"open_question", "closed_question"})
            question.add(gq, pq)
            if gq and pq:
                oc_total += 1
                oc_right += (line.acts & {"open_question", "closed_question"}) == (
                    pred & {"open_question", "closed_question"})
            if line.stage != "?":
                stage_total += 1
                stage_right += line.stage == row["stage"]
            if line.focus:
                focus_total += 1
                focus_right += line.focus == row["focus"]
            if verbose and (set(line.acts) != pred or line.stage not in ("?", row["stage"])):
                print(f"  {s.name} {row['start']:7.1f} gold {sorted(line.acts)} {line.stage} | "
                      f"pred {sorted(pred)} {row['stage']} | {row['text'][:70]}")
        raised = {f["kind"] for f in report["flags"]}
        if s.flags is not None:
            for kind in FLAG_KINDS:
                flag_total += 1
                flag_right += (kind in s.flags) == (kind in raised)
            flag_rows.append((s.name, sorted(s.flags), sorted(raised & set(FLAG_KINDS))))
        share_err.append(abs(report["coach_skills"]["talk_share"] - true_coach_share(utts, s.coach)) * 100)
    return {
        "acts": {a: acts[a].figures() for a in ACTS},
        "question": question.figures(),
        "open_closed": (oc_right, oc_total),
        "stage": (stage_right, stage_total),
        "focus": (focus_right, focus_total),
        "flags": (flag_right, flag_total),
        "flag_rows": flag_rows,
        "coach": (coach_right, len(sessions)),
        "share_err_max": max(share_err),
    }


def pct(pair: tuple[int, int]) -> str:
    right, total = pair
    return f"{right / total * 100:5.1f}%  ({right}/{total})" if total else "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--verbose", action="store_true", help="list every utterance the analytics got wrong")
    ap.add_argument("--coach-lines", action="store_true",
                    help="score acts and questions on the coach's lines only (MITI codes the therapist)")
    ap.add_argument("--set", type=Path, default=EVAL_DIR, metavar="DIR",
                    help="directory of labelled sessions (default: bench/eval)")
    args = ap.parse_args()
    sessions = [load(p) for p in sorted(args.set.glob("*.txt"))]
    if not sessions:
        ap.error(f"no .txt sessions in {args.set}")
    n = sum(len(s.lines) for s in sessions)
    asr = sum(len(s.lines) for s in sessions if "asr" in s.name)
    print(f"{len(sessions)} sessions, {n} utterances ({asr} written unpunctuated lower-case)\n")
    as_written = run(sessions, strip=False, verbose=args.verbose, coach_lines=args.coach_lines)
    stripped = run(sessions, strip=True, verbose=False, coach_lines=args.coach_lines)
    print("Acts, as written            precision  recall     F1")
    for a, (p, r, f) in as_written["acts"].items():
        print(f"  {a:<26}{p:9.2f}{r:9.2f}{f:7.2f}")
    print("\nActs, punctuation stripped  precision  recall     F1")
    for a, (p, r, f) in stripped["acts"].items():
        print(f"  {a:<26}{p:9.2f}{r:9.2f}{f:7.2f}")
    print("\nQuestion detection F1, as written:          {:.2f}".format(as_written["question"][2]))
    print("Question detection F1, punctuation stripped: {:.2f}".format(stripped["question"][2]))
    print("Open vs closed agreement, as written:        " + pct(as_written["open_closed"]))
    print("Open vs closed agreement, stripped:          " + pct(stripped["open_closed"]))
    print("Stage accuracy, as written:                  " + pct(as_written["stage"]))
    print("Stage accuracy, stripped:                    " + pct(stripped["stage"]))
    print("Coachee focus accuracy, as written:          " + pct(as_written["focus"]))
    print("Flag accuracy (session x kind), as written:  " + pct(as_written["flags"]))
    print("Flag accuracy, stripped:                     " + pct(stripped["flags"]))
    print("Coach inferred right, as written:            " + pct(as_written["coach"]))
    print("Coach inferred right, stripped:              " + pct(stripped["coach"]))
    print("Talk-share error, worst session (points):    {:.2f}".format(as_written["share_err_max"]))
    if as_written["flag_rows"]:
        print("\nFlags per session (expected -> raised):")
    for name, gold, got in as_written["flag_rows"]:
        print(f"  {name:<24} {', '.join(gold) or 'none'} -> {', '.join(got) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
