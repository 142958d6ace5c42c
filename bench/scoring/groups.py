"""Groups: turns, the member in focus, the turn flags and each member's goal, on devsets/groups.

Each session goes through the product as ``companion analyze FILE --facilitator NAME
--turn-minutes N`` would take it (the facilitator and the minutes per turn from the labels).

- Turn boundaries: a labelled turn counts when a turn of the same member starts and ends
  within 30 s of it (start: its first cue's start; end: the latest end of its cues).
- Member in focus: per cue, ``turn_of`` against the label (the focus inside a turn, else none).
- Flags: the kinds this part raises (turn_overrun, dominant_member, silent_member); a flag
  matches an expected one of the same kind and ``who`` whose span it overlaps. Then every flag
  the session raises, of any kind, against every expected flag (the README's group table:
  per-turn no_will and stage_loop, venting and topic_drift with ``who``); a pair-only flag
  raised on a group counts as wrong.
- Goal found: the drafted goal shares at least half of the content-word stems of the shorter
  of it and the labelled goal (the stems the analysis compares talk with a goal by).
"""

from __future__ import annotations

from typing import Any

import devsets

from companion.analysis.plan import SessionPlan
from companion.analysis.turns import group_roles, planned_turn_minutes
from companion.logbook.items import content_words
from companion.pipeline import analyze_utterances

TOLERANCE_S = 30.0
KINDS = ("turn_overrun", "dominant_member", "silent_member")
COMMAND = ".venv/bin/python bench/evaluate.py --only groups"


def goal_found(drafted: str | None, labelled: str) -> bool:
    a, b = content_words(drafted or ""), content_words(labelled)
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.5


def _overlaps(f: dict[str, Any], e: dict[str, Any]) -> bool:
    return f["start"] <= e["end"] and e["start"] <= f["end"]


def score_session(s: Any) -> dict[str, Any]:
    labels, utts = s.labels, s.utterances
    roles = group_roles(utts, labels["facilitator"])
    plan = SessionPlan(turn_minutes=labels["planned_minutes_per_turn"])
    report = analyze_utterances(utts, roles=roles, plan=plan, session={"source": s.path.name}).report
    got = {t["member"]: t for t in report.get("turns") or []}
    out: dict[str, Any] = {"name": s.name, "turns": 0, "bounds_ok": 0, "goals": 0, "goals_found": 0,
                           "cues": len(utts), "focus_ok": 0, "errors": [],
                           "announced_ok": planned_turn_minutes(utts, labels["facilitator"])
                           == labels["planned_minutes_per_turn"]}
    for t in labels["turns"]:
        span = utts[t["first_cue"] - 1:t["last_cue"]]
        start, end = span[0].start, max(u.end for u in span)
        out["turns"] += 1
        g = got.get(t["member"])
        if g and abs(g["start"] - start) <= TOLERANCE_S and abs(g["end"] - end) <= TOLERANCE_S:
            out["bounds_ok"] += 1
        else:
            found = f"{g['start']:.0f}-{g['end']:.0f} s" if g else "none"
            out["errors"].append(f"turn {t['member']}: want {start:.0f}-{end:.0f} s, got {found}")
        out["goals"] += 1
        if g and goal_found(g.get("goal"), t["goal"]):
            out["goals_found"] += 1
        else:
            out["errors"].append(f"goal {t['member']}: want {t['goal']!r}, drafted {g and g.get('goal')!r}")
    for u, c in zip(report["utterances"], labels["cues"]):
        want = c["focus"] if c["segment"] == "turn" else None
        out["focus_ok"] += u.get("turn_of") == want
    def match(f: dict[str, Any], e: dict[str, Any]) -> bool:
        return f["kind"] == e["kind"] and f.get("who") == e["who"] and _overlaps(f, e)

    every, wanted = report["flags"], labels["expected_flags"]
    out["all_flags"], out["all_expected"] = len(every), len(wanted)
    out["all_tp"] = sum(any(match(f, e) for e in wanted) for f in every)
    out["all_found"] = sum(any(match(f, e) for f in every) for e in wanted)
    out["by_kind"] = {}
    for kind in {f["kind"] for f in every} | {e["kind"] for e in wanted}:
        mine, theirs = [f for f in every if f["kind"] == kind], [e for e in wanted if e["kind"] == kind]
        out["by_kind"][kind] = (sum(any(match(f, e) for e in theirs) for f in mine), len(mine),
                                sum(any(match(f, e) for f in mine) for e in theirs), len(theirs))
    for f in every:
        if f["kind"] not in KINDS and not any(match(f, e) for e in wanted):
            out["errors"].append(f"extra flag (any kind) {f['kind']} {f.get('who')} {f['start']:.0f}-{f['end']:.0f} s")
    for e in wanted:
        if e["kind"] not in KINDS and not any(match(f, e) for f in every):
            out["errors"].append(f"missed flag (any kind) {e['kind']} {e['who']} {e['start']:.0f}-{e['end']:.0f} s")
    flags = [f for f in report["flags"] if f["kind"] in KINDS]
    expected = [e for e in labels["expected_flags"] if e["kind"] in KINDS]
    out["flags"], out["expected"] = len(flags), len(expected)
    out["tp"] = sum(any(f["kind"] == e["kind"] and f.get("who") == e["who"] and _overlaps(f, e)
                        for e in expected) for f in flags)
    out["found"] = sum(any(f["kind"] == e["kind"] and f.get("who") == e["who"] and _overlaps(f, e)
                           for f in flags) for e in expected)
    for f in flags:
        if not any(f["kind"] == e["kind"] and f.get("who") == e["who"] and _overlaps(f, e) for e in expected):
            out["errors"].append(f"extra flag {f['kind']} {f.get('who')} {f['start']:.0f}-{f['end']:.0f} s")
    for e in expected:
        if not any(f["kind"] == e["kind"] and f.get("who") == e["who"] and _overlaps(f, e) for f in flags):
            out["errors"].append(f"missed flag {e['kind']} {e['who']} {e['start']:.0f}-{e['end']:.0f} s")
    return out


def _pct(a: int, b: int) -> str:
    return f"{a / b:.0%} ({a}/{b})" if b else "-"


def score(verbose: bool = False) -> str:
    rows = [score_session(s) for s in devsets.load("groups")]
    tot = {k: sum(r[k] for r in rows) for k in ("turns", "bounds_ok", "goals", "goals_found", "cues",
                                                "focus_ok", "flags", "expected", "tp", "found",
                                                "all_flags", "all_expected", "all_tp", "all_found")}
    lines = ["## Groups: turns, member in focus, turn flags, goals", "",
             f"`{COMMAND}` on devsets/groups ({len(rows)} sessions); each session analysed as "
             "`companion analyze FILE --facilitator NAME --turn-minutes N` would.", "",
             "| measure | result | target |", "|---|---|---|",
             f"| turn boundaries within {TOLERANCE_S:.0f} s | {_pct(tot['bounds_ok'], tot['turns'])} | >= 90% |",
             f"| member in focus right, per cue | {_pct(tot['focus_ok'], tot['cues'])} | >= 90% |",
             f"| turn flags precision | {_pct(tot['tp'], tot['flags'])} | >= 0.7 |",
             f"| turn flags recall | {_pct(tot['found'], tot['expected'])} | >= 0.8 |",
             f"| all group flags precision (every kind raised) | {_pct(tot['all_tp'], tot['all_flags'])} | |",
             f"| all group flags recall (README table) | {_pct(tot['all_found'], tot['all_expected'])} | |",
             f"| drafted goal found | {_pct(tot['goals_found'], tot['goals'])} | >= 70% |",
             f"| minutes per turn read from the opening | {sum(r['announced_ok'] for r in rows)}/{len(rows)} "
             "| |", "",
             "| session | turns | focus | flags (found/expected, right/raised) | goals |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['bounds_ok']}/{r['turns']} | {_pct(r['focus_ok'], r['cues'])} | "
                     f"{r['found']}/{r['expected']}, {r['tp']}/{r['flags']} | {r['goals_found']}/{r['goals']} |")
    kinds: dict[str, list[int]] = {}
    for r in rows:
        for kind, counts in r["by_kind"].items():
            kinds[kind] = [a + b for a, b in zip(kinds.get(kind, [0, 0, 0, 0]), counts)]
    lines += ["", "All group flags by kind (right/raised, found/expected):", "",
              "| kind | precision | recall |", "|---|---|---|"]
    lines += [f"| {k} | {_pct(v[0], v[1])} | {_pct(v[2], v[3])} |" for k, v in sorted(kinds.items())]
    if verbose:
        lines += ["", "Errors:", ""] + [f"- {r['name']}: {e}" for r in rows for e in r["errors"]]
    return "\n".join(lines) + "\n"
