"""Human-readable reports (text for the terminal, Markdown for notes).

Both are rendered from the report dict alone, through one list of sections,
so the two formats never disagree and no number is computed here.
"""

from __future__ import annotations

from typing import Any, Callable

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
    }
    rows = []
    for key, value in r["coach_skills"].items():
        if isinstance(value, (dict, list)):
            continue
        shown = pct(value) if key.endswith("share") else "-" if value is None else str(value)
        rows.append([labels.get(key, key.replace("_", " ").capitalize()), shown])
    return ["Skill", "Value"], rows


def _stages(r: dict[str, Any]) -> Table:
    return ["Stage", "From", "To"], [[s["stage"].capitalize(), clock(s["start"]), clock(s["end"])]
                                     for s in r["stages"]]


def _flags(r: dict[str, Any]) -> Table:
    return ["When", "Flag", "Message", "Try"], [
        [f"{clock(f['start'])}-{clock(f['end'])}", f["kind"], f["message"], f.get("suggestion") or ""]
        for f in r["flags"]]


def _utterances(r: dict[str, Any]) -> Table:
    rows = []
    for u in r["utterances"]:
        tags = ", ".join(u.get("acts") or [])
        if u.get("stage"):
            tags = f"{u['stage']}{'; ' + tags if tags else ''}"
        text = u["text"] if u.get("transcribed", True) else "(not transcribed)"
        rows.append([clock(u["start"]), u["speaker"], tags, text])
    return ["Time", "Speaker", "Marks", "Text"], rows


SECTIONS: list[tuple[str, Callable[[dict[str, Any]], Table]]] = [
    ("Talk", _participants),
    ("Coach skills", _skills),
    ("GROW stages", _stages),
    ("Flags", _flags),
    ("Transcript", _utterances),
]


def _header(r: dict[str, Any]) -> list[str]:
    s = r["session"]
    lines = [f"Source: {s.get('source') or '-'}", f"Duration: {clock(s.get('duration_s'))}"]
    if s.get("id"):
        lines.append(f"Session: {s['id']}")
    return lines + [f"Note: {n}" for n in s.get("notes") or []]


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
