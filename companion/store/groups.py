"""Peer-coaching groups as lasting things: members, their sessions in order, who facilitated each.

A group meets many times. The seeds' rule: a facilitator is with the group for
its first three sessions; at the review after the third the group decides who
facilitates next; after that the role rotates among the members. So each of a
group's sessions knows its number and its facilitator, and a review may record
who facilitates the session after it.

Dicts in, dicts out, on the same SQLite file as the sessions (``Store.db``).
A group session row carries ``session_id``, so deleting a session deletes its
place in the group too.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from companion.errors import InputError

#: A peer-coaching group is 4 to 7 people (shared/seeds 001), the facilitator included.
GROUP_MIN, GROUP_MAX = 4, 7
#: Sessions a group's first facilitator runs before the role passes to the members.
FACILITATED_SESSIONS = 3


def m005_groups(db: sqlite_utils.Database) -> None:
    """Groups, and their sessions by number with the facilitator of each."""
    db.table("groups").create({"id": str, "name": str, "facilitator": str, "members": str, "created_at": str},
                        pk="id")
    db.table("group_sessions").create({
        "group_id": str, "number": int, "session_id": str, "facilitator": str, "next_facilitator": str,
        "created_at": str,
    }, pk=("group_id", "number"), foreign_keys=[("group_id", "groups", "id"), ("session_id", "sessions", "id")])
    db.table("group_sessions").create_index(["session_id"], unique=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_group(facilitator: str | None, members: list[str]) -> tuple[str | None, list[str]]:
    """Names tidied; 4 to 7 people in all, no one twice; raises ``InputError`` with a sentence otherwise."""
    people = [" ".join(m.split()) for m in members if m and m.strip()]
    fac = " ".join(facilitator.split()) if facilitator and facilitator.strip() else None
    everyone = people + ([fac] if fac and fac not in people else [])
    if len({p.casefold() for p in people}) != len(people):
        raise InputError("each member of a group must have a different name")
    if not GROUP_MIN <= len(everyone) <= GROUP_MAX:
        raise InputError(f"a peer-coaching group has {GROUP_MIN} to {GROUP_MAX} people, the facilitator "
                         f"included; this one has {len(everyone)}")
    return fac, people


class Groups:
    """Queries on the groups tables of one store (``Groups(store.db)``)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def create(self, name: str, members: list[str], facilitator: str | None = None) -> dict[str, Any]:
        """A new group; ``facilitator`` runs its first three sessions (None: the members from the start)."""
        name = " ".join((name or "").split())
        if not name:
            raise InputError("a group needs a name")
        fac, people = check_group(facilitator, members)
        gid = secrets.token_hex(6)
        self.db.table("groups").insert({"id": gid, "name": name, "facilitator": fac, "members": json.dumps(people),
                                  "created_at": _now()})
        return self.get(gid)  # type: ignore[return-value]

    def get(self, gid: str) -> dict[str, Any] | None:
        rows = list(self.db.table("groups").rows_where("id = ?", [gid]))
        if not rows:
            return None
        g = rows[0]
        g["members"] = json.loads(g["members"])
        return g

    def all(self) -> list[dict[str, Any]]:
        rows = self.db.table("groups").rows_where(order_by="created_at desc, rowid desc")
        return [g for g in (self.get(r["id"]) for r in rows) if g is not None]

    def sessions(self, gid: str) -> list[dict[str, Any]]:
        """The group's sessions in order: number, session id, facilitator, who facilitates next, and the session."""
        out = []
        for r in self.db.table("group_sessions").rows_where("group_id = ?", [gid], order_by="number"):
            s = next(iter(self.db.table("sessions").rows_where("id = ?", [r["session_id"]],
                                                         select="title, status, created_at, ended_at")), {})
            out.append({**r, **{k: s.get(k) for k in ("title", "status", "ended_at")}})
        return out

    def of_session(self, sid: str) -> dict[str, Any] | None:
        rows = list(self.db.table("group_sessions").rows_where("session_id = ?", [sid]))
        return rows[0] if rows else None

    def facilitator_for(self, gid: str, number: int) -> str:
        """Who facilitates session ``number``: the group's facilitator for the first three, then the
        member the previous session's review chose, else the next member after the last facilitator."""
        g = self._group(gid)
        if number <= FACILITATED_SESSIONS and g["facilitator"]:
            return g["facilitator"]
        previous = {r["number"]: r for r in self.sessions(gid)}.get(number - 1)
        if previous and previous["next_facilitator"]:
            return previous["next_facilitator"]
        members = g["members"]
        last = previous["facilitator"] if previous else None
        if last in members:
            return members[(members.index(last) + 1) % len(members)]
        return members[(max(number - FACILITATED_SESSIONS, 1) - 1) % len(members)]

    def add_session(self, gid: str, sid: str) -> dict[str, Any]:
        """Place a created session as the group's next one; returns its row (number, facilitator)."""
        number = len(self.sessions(gid)) + 1
        row = {"group_id": gid, "number": number, "session_id": sid,
               "facilitator": self.facilitator_for(gid, number), "next_facilitator": None, "created_at": _now()}
        self.db.table("group_sessions").insert(row)
        return row

    def participants_for(self, gid: str, number: int) -> list[dict[str, str]]:
        """The people of session ``number`` with their roles: its facilitator, then the members."""
        g = self._group(gid)
        fac = self.facilitator_for(gid, number)
        return [{"name": fac, "role": "facilitator"}] + [{"name": m, "role": "member"}
                                                          for m in g["members"] if m != fac]

    def set_next_facilitator(self, gid: str, number: int, name: str) -> dict[str, Any]:
        """The review of session ``number`` chose who facilitates the next one."""
        g = self._group(gid)
        name = " ".join((name or "").split())
        if name not in g["members"]:
            raise InputError(f"{name!r} is not a member of this group (members: {', '.join(g['members'])})")
        if not list(self.db.table("group_sessions").rows_where("group_id = ? and number = ?", [gid, number])):
            raise InputError(f"this group has no session {number}")
        self.db.table("group_sessions").update((gid, number), {"next_facilitator": name})
        return next(r for r in self.sessions(gid) if r["number"] == number)

    def previous_actions(self, gid: str, number: int) -> dict[str, list[dict[str, Any]]]:
        """Each member's actions from session ``number - 1``, for the report-back.

        The actions drafted from each member's turn (said aloud in the group), or, where the
        member has shared their log, the actions in their latest shared version. An unshared
        log stays private to its owner.
        """
        previous = {r["number"]: r for r in self.sessions(gid)}.get(number - 1)
        if not previous:
            return {}
        sid = previous["session_id"]
        out: dict[str, list[dict[str, Any]]] = {}
        report_rows = list(self.db.table("sessions").rows_where("id = ?", [sid], select="report"))
        report = json.loads(report_rows[0]["report"]) if report_rows and report_rows[0]["report"] else {}
        for turn in report.get("turns") or []:
            out[turn["member"]] = list(turn.get("actions") or [])
        if "logs" in self.db.table_names():
            for row in self.db.query("SELECT participant, data FROM logs l WHERE session_id = ? AND version = "
                                     "(SELECT max(version) FROM logs WHERE session_id = l.session_id AND "
                                     "participant = l.participant AND shared_at IS NOT NULL)", [sid]):
                actions = (json.loads(row["data"] or "{}") or {}).get("actions")
                if actions:
                    out[row["participant"]] = actions
        return out

    def _group(self, gid: str) -> dict[str, Any]:
        g = self.get(gid)
        if g is None:
            raise InputError("no such group")
        return g
