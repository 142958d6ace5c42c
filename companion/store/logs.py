"""The SQL of the learning logs: one row per saved version of one person's log.

Rows are never overwritten except for their approval and sharing stamps; the rules
(who may read which version, when a save starts a new draft) live in
``companion.logbook.book``. Table created by migration 2 in ``db.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlite_utils


class LogRows:
    """The ``logs`` table of one store."""

    def __init__(self, db: sqlite_utils.Database, clock: Callable[[], str]):
        self.db = db
        self.now = clock

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self.db.conn:
            yield

    def all(self, sid: str, participant: str) -> list[dict[str, Any]]:
        return list(self.db["logs"].rows_where("session_id = ? and participant = ?", [sid, participant],
                                               order_by="version"))

    def latest(self, sid: str, participant: str) -> dict[str, Any] | None:
        rows = list(self.db["logs"].rows_where("session_id = ? and participant = ?", [sid, participant],
                                               order_by="version desc", limit=1))
        return rows[0] if rows else None

    def latest_shared(self, sid: str, participant: str) -> dict[str, Any] | None:
        """The newest version the owner shared (later edits may not be shared yet)."""
        rows = list(self.db["logs"].rows_where("session_id = ? and participant = ? and shared_at is not null",
                                               [sid, participant], order_by="version desc", limit=1))
        return rows[0] if rows else None

    def version(self, sid: str, participant: str, n: int) -> dict[str, Any] | None:
        rows = list(self.db["logs"].rows_where("session_id = ? and participant = ? and version = ?",
                                               [sid, participant, n]))
        return rows[0] if rows else None

    def add(self, sid: str, participant: str, version: int, data: dict[str, Any], *, author: str, event: str,
            ignore: bool = False) -> None:
        """A new draft version; ``ignore``: a concurrent first draft already made it (unique index)."""
        self.db.table("logs").insert({
            "session_id": sid, "participant": participant, "version": version, "data": json.dumps(data),
            "status": "draft", "author": author, "event": event, "created_at": self.now(),
            "approved_at": None, "shared_at": None,
        }, ignore=ignore)

    def mark(self, row_id: int, status: str) -> None:
        """Stamp a version ``approved`` or ``shared``."""
        self.db.table("logs").update(row_id, {"status": status, f"{status}_at": self.now()})

    def earlier_sessions(self, sid: str, when: str) -> list[str]:
        """Analysed sessions that started no later than ``when``, newest first (not ``sid``)."""
        rows = self.db.query(
            "select id from sessions where id != ? and report is not null and coalesce(started_at, created_at) "
            "<= ? order by coalesce(started_at, created_at) desc, rowid desc", [sid, when])
        return [r["id"] for r in rows]
