"""Talk acts on the coach cues of devsets/grow, as written and as a plain recogniser writes them.

Every session goes through the product's ``SessionAnalyzer`` with the labelled coach and
coachee, so what is scored is what a user sees. Scored on coach cues only (the labels give
acts for coach cues only). Per act: precision, recall, F1. "Question" is any question act.
Open vs closed: on cues where gold and prediction both hold a question, the share whose
sets of question kinds are equal (a stacked "open + closed" cue must get both).
"Stripped" removes ``.,?!;:"`` and lower-cases, keeping in-word apostrophes, as a
recogniser without punctuation writes text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import devsets

from companion.analysis.analyzer import SessionAnalyzer
from companion.analysis.plan import SessionPlan
from companion.model import Role, Utterance

ACTS = ("open_question", "closed_question", "reflection", "advice", "affirmation")
QUESTIONS = {"open_question", "closed_question"}
_STRIP = re.compile(r'[.,?!;:"]')


def strip(text: str) -> str:
    """Text as a recogniser without punctuation gives it."""
    return " ".join(_STRIP.sub(" ", text).lower().split())


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: bool, pred: bool) -> None:
        self.tp += gold and pred
        self.fp += pred and not gold
        self.fn += gold and not pred

    def figures(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def predict(session: Any, stripped: bool) -> list[set[str]]:
    """Acts the analyzer marks on each cue of one labelled session."""
    lab = session.labels
    utts: list[Utterance] = [replace(u, text=strip(u.text)) if stripped else u for u in session.utterances]
    roles: dict[str, Role | None] = {lab["coach"]: Role.COACH, lab["coachee"]: Role.COACHEE}
    an = SessionAnalyzer(roles=roles, plan=SessionPlan(planned_minutes=lab.get("planned_minutes")))
    an.feed(utts)
    an.finish()
    return [set(row["acts"]) for row in an.report()["utterances"]]


def run(sessions: list[Any], stripped: bool, errors: list[str] | None = None) -> dict[str, Any]:
    acts = {a: PRF() for a in ACTS}
    question = PRF()
    oc_right = oc_total = 0
    for s in sessions:
        coach = s.labels["coach"]
        for u, lab, pred in zip(s.utterances, s.labels["cues"], predict(s, stripped)):
            if u.speaker != coach:
                continue
            gold = set(lab["acts"])
            for a in ACTS:
                acts[a].add(a in gold, a in pred)
            gq, pq = gold & QUESTIONS, pred & QUESTIONS
            question.add(bool(gq), bool(pq))
            if gq and pq:
                oc_total += 1
                oc_right += gq == pq
            if errors is not None and gold != pred:
                text = strip(u.text) if stripped else u.text
                errors.append(f"{s.name[:2]} #{lab['index']:<3} gold {sorted(gold)} pred {sorted(pred)} | "
                              f"{text[:110]}")
    return {"acts": {a: acts[a].figures() for a in ACTS}, "question": question.figures(),
            "open_closed": (oc_right, oc_total)}


def table(written: dict[str, Any], stripped: dict[str, Any]) -> str:
    def prf(t: tuple[float, float, float]) -> str:
        return " / ".join(f"{x:.2f}" for x in t)

    def agree(pair: tuple[int, int]) -> str:
        r, n = pair
        return f"{r / n:.3f} ({r}/{n})" if n else "-"

    rows = ["| Measure (coach cues) | As written P / R / F1 | Stripped P / R / F1 |", "|---|---|---|",
            f"| Question (any) | {prf(written['question'])} | {prf(stripped['question'])} |",
            f"| Open vs closed agreement | {agree(written['open_closed'])} | {agree(stripped['open_closed'])} |"]
    for a in ACTS:
        rows.append(f"| {a} | {prf(written['acts'][a])} | {prf(stripped['acts'][a])} |")
    return "\n".join(rows)


def score(verbose: bool = False) -> str:
    sessions = devsets.load("grow")
    errs: list[str] | None = [] if verbose else None
    written = run(sessions, stripped=False, errors=errs)
    errs_s: list[str] | None = [] if verbose else None
    stripped = run(sessions, stripped=True, errors=errs_s)
    if verbose:
        print("\n".join(["errors, as written:"] + (errs or []) + ["", "errors, stripped:"] + (errs_s or [])))
    n = sum(1 for s in sessions for u in s.utterances if u.speaker == s.labels["coach"])
    return "\n".join([
        "### Talk acts on devsets/grow",
        "",
        "Command: `.venv/bin/python bench/evaluate.py --only acts` (errors: `--verbose --no-write`). "
        f"{len(sessions)} sessions, {n} coach cues, scored through `SessionAnalyzer` with the labelled roles. "
        "Stripped = `.,?!;:\"` removed and lower-cased (in-word apostrophes kept).",
        "",
        table(written, stripped),
    ])
