"""What a saved log may hold: each field checked, sources rebuilt from the transcript.

A client sends the whole log back on every save; nothing it says about where an
item came from is trusted (sources are rebuilt from utterance indexes), and bad
input gets one line naming the field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from companion.errors import InputError
from companion.logbook.dates import resolve
from companion.logbook.drafter import KEY_QUESTIONS
from companion.logbook.goal import SMART_KEYS
from companion.logbook.items import source_of

MAX_TEXT = 20_000
MAX_ITEMS = 100


def _text(value: Any, where: str, *, limit: int = MAX_TEXT, optional: bool = False) -> str | None:
    if value is None:
        if optional:
            return None
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where} must be text")
    if len(value) > limit:
        raise InputError(f"{where} is too long ({len(value)} characters; at most {limit})")
    value = value.strip()
    return value if value or not optional else None


def _source(report: dict[str, Any], value: Any, where: str) -> dict[str, Any] | None:
    if value in (None, {}):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("utterances"), list) \
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in value["utterances"]):
        raise InputError(f"{where}.source must be {{\"utterances\": [index, ...]}} or null")
    try:
        return source_of(report, value["utterances"])
    except InputError as e:
        raise InputError(f"{where}.source: {e}") from None


def _items(report: dict[str, Any], value: Any, where: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where} must be a list")
    if len(value) > MAX_ITEMS:
        raise InputError(f"{where} has {len(value)} items; at most {MAX_ITEMS}")
    out = []
    for n, item in enumerate(value):
        at = f"{where}[{n}]"
        if not isinstance(item, dict):
            raise InputError(f"{at} must be an object")
        clean: dict[str, Any] = {f: _text(item.get(f), f"{at}.{f}", limit=2000, optional=True) for f in fields}
        if not any(clean.values()):
            continue  # an emptied item is a removed item
        clean["source"] = _source(report, item.get("source"), at)
        out.append(clean)
    return out


def _session_date(report: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(((report.get("session") or {}).get("started_at") or "")[:10])
    except ValueError:
        return None


def clean_log(report: dict[str, Any], data: Any) -> dict[str, Any]:
    """A log as the coachee saved it, checked field by field; raises ``InputError`` (one line).

    Sources are rebuilt from the utterance indexes, so quotes always match the transcript.
    Read-only fields (version, status, participant, ...) are ignored.
    """
    if not isinstance(data, dict):
        raise InputError("the log must be a JSON object")
    members = data.get("members_present") or []
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise InputError("members_present must be a list of names")
    log: dict[str, Any] = {
        "date": _text(data.get("date"), "date", limit=40, optional=True),
        "members_present": [m.strip() for m in members if m.strip()][:MAX_ITEMS],
        "facilitator": _text(data.get("facilitator"), "facilitator", limit=200, optional=True),
        "content": _text(data.get("content"), "content"),
        "content_source": _source(report, data.get("content_source"), "content"),
        "evaluation": _text(data.get("evaluation"), "evaluation"),
        "evaluation_source": _source(report, data.get("evaluation_source"), "evaluation"),
        "goal": None,
        "reality": _items(report, data.get("reality"), "reality", ("text",)),
        "options": [o for o in _items(report, data.get("options"), "options", ("text", "idea_of")) if o["text"]],
        "actions": [],
        "key_questions": [],
    }
    goal = data.get("goal")
    if goal is not None:
        if not isinstance(goal, dict):
            raise InputError("goal must be an object or null")
        text = _text(goal.get("text"), "goal.text", optional=True)
        smart_in = goal.get("smart") or {}
        if not isinstance(smart_in, dict):
            raise InputError("goal.smart must be an object")
        smart: dict[str, Any] = {k: bool(smart_in.get(k)) for k in SMART_KEYS}
        smart["missing"] = [k for k in SMART_KEYS if not smart[k]]
        if text:
            log["goal"] = {"text": text, "smart": smart, "source": _source(report, goal.get("source"), "goal")}
    today = _session_date(report)
    for action in _items(report, data.get("actions"), "actions", ("what", "when", "who", "due", "owner")):
        resolved = resolve(action["when"], today) if action["when"] else None
        if resolved:  # a corrected "by when" moves the date with it: never a stale date
            action["due"] = resolved
        elif action["due"]:
            try:
                action["due"] = date.fromisoformat(action["due"]).isoformat()
            except ValueError:
                raise InputError(f"actions: due {action['due']!r} is not a date like 2025-03-14") from None
        log["actions"].append({k: action[k] for k in ("what", "when", "due", "who", "owner", "source")})
    known = dict(KEY_QUESTIONS)
    for q in _items(report, data.get("key_questions"), "key_questions", ("key", "answer")):
        if q["key"] not in known:
            raise InputError(f"key_questions: unknown question {q['key']!r}")
        log["key_questions"].append({"key": q["key"], "question": known[q["key"]], "answer": q["answer"] or "",
                                     "source": q["source"]})
    return log

