"""Human-readable reports (text for the terminal, Markdown for notes).

Both are rendered from the report dict alone, through one list of sections,
so the two formats never disagree and no number is computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from companion.roles import is_coach_side, is_coachee_side

Table = tuple[list[str], list[list[str]]]


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.0f}%"


def _participants(r: dict[str, Any]) -> Table:
    head = ["Name", "Role", "Talk", "Share", "Turns", "Words", "WPM", "Longest monologue"]
    rows = [[p["name"], p["role"] or "-", clock(p["talk_s"]), pct(p["talk_share"]), str(p["turns"]),
             str(p["words"]), "-" if p["words_per_minute"] is None else f"{p['words_per_minute']:.0f}",
             clock(p["longest_monologue_s"])] for p in r["participants"]]
    return head, rows


def _skills(r: dict[str, Any]) -> Table:
    labels = {
        "open_questions": "Open questions", "closed_questions": "Closed questions",
        "stacked_questions": "Stacked questions", "reflections": "Reflections",
        "advice": "Advice given", "affirmations": "Affirmations", "interruptions": "Interruptions",
        "talk_share": "Coach talk share",
        "recent_talk_share": "Coach talk share, last 5 min", "patience_median_s": "Pause before answering (median s)",
        "quick_replies": "Replies within 0.25 s", "replies": "Replies to the coachee",
        "fillers": "Filler words", "words_per_minute": "Words per minute",
        "open_question_ratio": "Open share of questions", "reflection_to_question_ratio": "Reflections per question",
    }
    rows = []
    for key, value in (r.get("coach_skills") or {}).items():
        if isinstance(value, (dict, list)):
            continue
        shown = pct(value) if key.endswith(("share", "ratio")) and key != "reflection_to_question_ratio" \
            else "-" if value is None else str(value)
        rows.append([labels.get(key, key.replace("_", " ").capitalize()), shown])
    return ["Skill", "Value"], rows


def _stages(r: dict[str, Any]) -> Table:
    return ["Stage", "From", "To"], [[s["stage"].capitalize(), clock(s["start"]), clock(s["end"])]
                                     for s in r.get("stages") or []]


def _flags(r: dict[str, Any]) -> Table:
    return ["When", "Flag", "Message", "Try"], [
        [f"{clock(f['start'])}-{clock(f['end'])}", f["kind"], f["message"], f.get("suggestion") or ""]
        for f in r.get("flags") or []]


def _utterances(r: dict[str, Any]) -> Table:
    rows = []
    for u in r.get("utterances") or []:
        tags = ", ".join((u.get("acts") or []) + ([f"{u['focus']} talk"] if u.get("focus") in
                                                    ("problem", "solution") else []))
        if u.get("stage"):
            tags = f"{u['stage']}{'; ' + tags if tags else ''}"
        text = u["text"] if u.get("transcribed", True) else "(not transcribed)"
        rows.append([clock(u["start"]), u["speaker"], tags, text])
    return ["Time", "Speaker", "Marks", "Text"], rows


STAGE_LABELS = {"goal": "Goal", "reality": "Reality", "options": "Options", "will": "Will", None: "No stage"}


def _stage_label(stage: str | None) -> str:
    return STAGE_LABELS.get(stage) or str(stage).capitalize()


def _verdict(within: bool | None, norm: dict[str, Any]) -> str:
    if within is None:
        return "-"
    limit = pct(norm.get("coach_max_share"))
    return f"within (coach at most {limit})" if within else f"coach above {limit}"


def _one_on(r: dict[str, Any], side: Callable[[str | None], bool]) -> dict[str, Any] | None:
    people = [p for p in r.get("participants") or [] if side(p.get("role"))]
    return people[0] if len(people) == 1 else None


def _talk_balance(r: dict[str, Any]) -> Table:
    """Coach and coachee shares, overall and per GROW stage, against the norm (``talk_norm``)."""
    norm = r.get("talk_norm")
    if not norm:
        return [], []
    coach, coachee = _one_on(r, is_coach_side), _one_on(r, is_coachee_side)
    head = ["Part", "Coach share", "Coachee share", f"Norm {norm['name']}"]
    rows = [["Whole session", pct(coach["talk_share"]) if coach else "-",
             pct(coachee["talk_share"]) if coachee else "-", _verdict(norm.get("within"), norm)]]
    by_stage = (r.get("coach_skills") or {}).get("talk_share_by_stage") or {}
    within = norm.get("within_by_stage") or {}
    for stage, share in by_stage.items():
        rows.append([_stage_label(stage), pct(share), "-", _verdict(within.get(stage), norm)])
    return head, rows


def _talk_over_time(r: dict[str, Any]) -> Table:
    """The coach's share of the talk, minute by minute (``talk_timeline``)."""
    rows = [[clock(m["minute"] * 60), pct(m.get("coach_share")), clock(m.get("talk_s"))]
            for m in r.get("talk_timeline") or []]
    return ["Minute from", "Coach share", "Talk in the minute"], rows


def _plan(r: dict[str, Any]) -> Table:
    """Each stage's planned time against the time it took (``report["plan"]["stages"]``)."""
    plan = r.get("plan") or {}
    rows = [[_stage_label(st["stage"]), clock(st.get("planned_s")), clock(st.get("actual_s")),
             clock(st.get("over_s")) if st.get("over_s") else "-"] for st in plan.get("stages") or []]
    return ["Stage", "Planned", "Took", "Over by"], rows


def _nudges(r: dict[str, Any]) -> Table:
    rows = []
    for n in r.get("nudges") or []:
        rows.append([clock(n.get("t")), n.get("title") or n.get("kind") or "", n.get("message") or "",
                     n.get("suggestion") or ""])
    return ["When", "Nudge", "Message", "Try"], rows


def _turns(r: dict[str, Any]) -> Table:
    """A group's turns: the member in focus, when, against the plan, their goal and actions."""
    rows = [[t["member"], f"{clock(t['start'])}-{clock(t['end'])}", f"{clock(t['end'] - t['start'])} of "
             f"{clock(t['planned_s'])}", t.get("goal") or "-",
             "; ".join(a.get("what") or "" for a in t.get("actions") or []) or "-"] for t in r.get("turns") or []]
    return ["Member", "When", "Took", "Goal", "Actions"], rows


SECTIONS: list[tuple[str, Callable[[dict[str, Any]], Table]]] = [
    ("Talk", _participants),
    ("Turns", _turns),
    ("Talk balance against the norm", _talk_balance),
    ("Talk balance over time", _talk_over_time),
    ("GROW stages", _stages),
    ("GROW stages against the plan", _plan),
    ("Coach skills", _skills),
    ("Flags", _flags),
    ("Nudges", _nudges),
    ("Transcript", _utterances),
]


def _header(r: dict[str, Any]) -> list[str]:
    s = r["session"]
    lines = [f"Source: {s.get('source') or '-'}", f"Duration: {clock(s.get('duration_s'))}"]
    if s.get("id"):
        lines.append(f"Session: {s['id']}")
    norm = r.get("talk_norm")
    if norm:
        lines.append(f"Talk norm ({norm['name']}): {norm['description']}")
    notes = list(s.get("notes") or [])
    if (r.get("transcript") or {}).get("note"):
        notes.append(r["transcript"]["note"])
    return lines + [f"Note: {n}" for n in notes]


def render_text(r: dict[str, Any]) -> str:
    out = [f"companion report: {r['session'].get('title') or r['session'].get('source') or 'session'}"]
    out += _header(r)
    for title, fn in SECTIONS:
        head, rows = fn(r)
        if not rows:
            continue
        out += ["", title, "-" * len(title)]
        widths = [max(len(x) for x in col) for col in zip(head, *rows)]
        widths[-1] = 0  # the last column runs free
        out.append("  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip())
        out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(out) + "\n"


def _md_cell(x: str) -> str:
    return x.replace("|", "\\|").replace("\n", " ")


def render_markdown(r: dict[str, Any]) -> str:
    out = [f"# Coaching session: {r['session'].get('title') or r['session'].get('source') or 'session'}", ""]
    out += [f"- {line}" for line in _header(r)]
    for title, fn in SECTIONS:
        head, rows = fn(r)
        if not rows:
            continue
        out += ["", f"## {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"
