"""Export: Markdown and a printable page, from one list of sections in the order of the
peer-coaching log form (content, evaluation, goal, reality, options, action plan)."""

from __future__ import annotations

import html
from typing import Any

from companion.analysis.report import clock
from companion.logbook.goal import SMART_KEYS


def _at(item: dict[str, Any] | None) -> str:
    src = (item or {}).get("source") if isinstance(item, dict) else None
    return f" ({clock(src['start'])})" if src else ""


SMART_LABELS = {"specific": "specific", "measurable": "measurable", "achievable": "achievable",
                "relevant": "relevant", "time_bound": "time-bound"}


def _sections(log: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(title, lines or table rows, kind) in the order of the peer-coaching log form."""
    goal = log.get("goal")
    out: list[tuple[str, Any, str]] = [
        ("Content", [log.get("content") or "-"], "text"),
        ("Evaluation", [log.get("evaluation") or "-"], "text"),
    ]
    if goal:
        smart = goal.get("smart") or {}
        checks = ", ".join(f"{SMART_LABELS[k]} {'yes' if smart.get(k) else 'not yet'}" for k in SMART_KEYS)
        out.append(("Goal", [goal["text"] + _at(goal), f"SMART check: {checks}."], "text"))
    else:
        out.append(("Goal", ["-"], "text"))
    out.append(("Reality", [p["text"] + _at(p) for p in log.get("reality") or []] or ["-"], "list"))
    out.append(("Options", [o["text"] + (" (the coach's idea)" if o.get("idea_of") else "") + _at(o)
                            for o in log.get("options") or []] or ["-"], "list"))
    out.append(("Action plan", [[a.get("what") or "", _when(a), a.get("owner") or "-", a.get("who") or "-",
                                 clock(a["source"]["start"]) if a.get("source") else "-"]
                                for a in log.get("actions") or []], "table"))
    if log.get("key_questions"):
        out.append(("Key questions", [f"{q['question']} {q.get('answer') or '-'}" for q in log["key_questions"]],
                    "list"))
    return out


ACTION_HEAD = ["What", "By when", "Whose", "Who can help", "Said at"]


def _when(action: dict[str, Any]) -> str:
    when, due = action.get("when"), action.get("due")
    if when and due:
        return f"{when} ({due})"
    return when or due or "-"


def _header(log: dict[str, Any]) -> list[tuple[str, str]]:
    return [("Date", log.get("date") or "-"),
            ("Members present", ", ".join(log.get("members_present") or []) or "-"),
            ("Facilitator", log.get("facilitator") or "-"),
            ("Status", f"{log.get('status', 'draft')} (version {log.get('version', 1)})")]


def to_markdown(log: dict[str, Any]) -> str:
    out = [f"# Learning log: {log.get('participant') or 'coachee'}", ""]
    out += [f"- **{k}:** {v}" for k, v in _header(log)]
    for title, body, kind in _sections(log):
        out += ["", f"## {title}", ""]
        if kind == "table":
            if not body:
                out.append("-")
                continue
            out += ["| " + " | ".join(ACTION_HEAD) + " |", "|" + "---|" * len(ACTION_HEAD)]
            out += ["| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in body]
        elif kind == "list":
            out += [f"- {line}" if line != "-" else "-" for line in body]
        else:
            out += body
    return "\n".join(out) + "\n"


def to_html(log: dict[str, Any]) -> str:
    """A printable page: no scripts, every value escaped."""
    e = html.escape
    parts = ["<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
             f"<title>Learning log: {e(log.get('participant') or '')}</title>",
             "<link rel=\"stylesheet\" href=\"/static/style.css\"><link rel=\"stylesheet\" href=\"/static/log.css\">"
             "</head><body class=\"print\"><main>",
             f"<h1>Learning log: {e(log.get('participant') or 'coachee')}</h1><dl class=\"log-header\">"]
    parts += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in _header(log)]
    parts.append("</dl>")
    for title, body, kind in _sections(log):
        parts.append(f"<h2>{e(title)}</h2>")
        if kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in body)
            head = "".join(f"<th>{e(h)}</th>" for h in ACTION_HEAD)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>" if body else "<p>-</p>")
        elif kind == "list":
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in body) + "</ul>")
        else:
            parts += [f"<p>{e(x)}</p>" for x in body]
    parts.append("</main></body></html>")
    return "".join(parts)

