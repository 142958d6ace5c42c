"""The one local SQLite file (sqlite-utils), its migrations and queries.

Dicts in, dicts out. Multi-row changes run inside ``db.atomic()`` transactions,
so a failure never leaves half a session behind. Every write transaction starts
with ``BEGIN IMMEDIATE`` and waits up to ``BUSY_TIMEOUT_S`` for its turn, so
several processes (the server, ``companion analyze`` runs) share one file
without "database is locked" failures; a first use by two processes at once
migrates the file once. ``secure_delete`` makes a
deleted transcript really gone from the file, not just unlinked.

Migrations are numbered and append-only: never edit one that has shipped,
add the next number.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from companion.errors import InputError, StoreUnavailable
from companion.model import Utterance
from companion.store.groups import m005_groups
from companion.store.logs import LogRows

#: How long a write waits for another process's write to finish before giving up.
BUSY_TIMEOUT_S = 60.0


class _Database(sqlite_utils.Database):
    """sqlite-utils with every outermost transaction taken as ``BEGIN IMMEDIATE``.

    A deferred transaction that reads, then writes, fails at once with "database is
    locked" when another process wrote in between (WAL cannot upgrade a stale read);
    an immediate one takes the write lock first and waits ``busy_timeout`` for it.
    sqlite-utils runs its own inserts and updates through ``atomic()``, so this covers them.
    """

    #: The data folder, named in the error when the file cannot be written.
    folder: Path = Path(".")

    @contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.rollback()
                raise
        except sqlite3.OperationalError as e:
            if unavailable(e):
                raise StoreUnavailable(problem(e, self.folder)) from None
            raise


_UNAVAILABLE = ("full", "readonly", "read-only", "locked", "busy", "disk i/o", "unable to open")


def unavailable(exc: BaseException) -> bool:
    """Is this a problem with the data folder (not a bug)?"""
    return isinstance(exc, PermissionError) or (
        isinstance(exc, sqlite3.OperationalError) and any(w in str(exc).lower() for w in _UNAVAILABLE))


def problem(exc: BaseException, folder: Path) -> str:
    """One line naming the data folder and what is wrong with it."""
    text = str(exc).lower()
    if isinstance(exc, PermissionError) or "readonly" in text or "read-only" in text:
        cause = "it is read-only (no permission to write there)"
    elif "full" in text or getattr(exc, "errno", None) == 28:
        cause = "the disk is full"
    elif "locked" in text or "busy" in text:
        cause = f"another process kept the database busy for over {BUSY_TIMEOUT_S:.0f} s"
    elif "unable to open" in text:
        cause = "the database file cannot be opened there (missing folder or no permission)"
    elif "malformed" in text or "not a database" in text:
        cause = "the database file is damaged or not a companion database"
    else:
        cause = str(exc) or type(exc).__name__
    return f"cannot use the data folder {folder}: {cause}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.table("sessions").create({
        "id": str, "title": str, "source": str, "mode": str, "status": str,
        "planned_minutes": float, "created_at": str, "started_at": str, "ended_at": str,
        "duration_s": float, "report": str,
    }, pk="id")
    db.table("participants").create({
        "id": int, "session_id": str, "name": str, "role": str, "token": str, "created_at": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db.table("participants").create_index(["token"], unique=True)
    db.table("participants").create_index(["session_id"])
    db.table("utterances").create({
        "session_id": str, "idx": int, "speaker": str, "start": float, "end": float,
        "text": str, "words": str, "transcribed": int,
    }, pk=("session_id", "idx"), foreign_keys=[("session_id", "sessions", "id")])
    db.table("events").create({
        "id": int, "session_id": str, "t": float, "type": str, "data": str, "created_at": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db.table("events").create_index(["session_id"])


def _m002_logs(db: sqlite_utils.Database) -> None:
    """Learning logs: one row per saved version of one person's log (rows: store/logs.py; rules: logbook/)."""
    db.table("logs").create({
        "id": int, "session_id": str, "participant": str, "version": int, "data": str, "status": str,
        "author": str, "event": str, "created_at": str, "approved_at": str, "shared_at": str,
    }, pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db.table("logs").create_index(["session_id", "participant", "version"], unique=True)


def _m003_stage_plan(db: sqlite_utils.Database) -> None:
    """A session's own GROW stage allocation (JSON {stage: minutes}); NULL means the default."""
    db.table("sessions").add_column("stage_minutes", str)


#: (number, name, function). Append only.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (1, "initial", _m001_initial),
    (2, "learning logs", _m002_logs),
    (3, "stage plan", _m003_stage_plan),
    (5, "groups", m005_groups),
]



def parse_age(text: str) -> timedelta:
    """'30d', '12h', '2w', '45m' -> timedelta."""
    m = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text or "")
    if not m:
        raise InputError(f"cannot read age {text!r}; use a number and a unit, like 30d, 12h, 2w or 45m")
    n, unit = int(m.group(1)), m.group(2)
    return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self._open(path)
        except (sqlite3.Error, OSError) as e:
            if isinstance(e, sqlite3.Error) and not unavailable(e) and "database" not in str(e):
                raise
            raise StoreUnavailable(problem(e, self.path.parent)) from None

    def _open(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # The server creates the store before its event loop runs; all access then
            # happens on the loop's thread (endpoints are async), one call at a time.
            # isolation_level=None: no implicit deferred transactions; ``atomic()`` opens them.
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=BUSY_TIMEOUT_S,
                                   isolation_level=None)
            self.db = _Database(conn)
            self.db.folder = self.path.parent
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.db.execute("PRAGMA journal_mode = WAL")
        else:
            self.db = _Database(memory=True)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA secure_delete = ON")
        self.migrate()
        self.logs = LogRows(self.db, now_iso)

    @property
    def folder(self) -> Path:
        return self.path.parent

    # -- schema ---------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply migrations not yet applied; returns their numbers.

        Each migration checks, under the write lock, that no other process applied it
        meanwhile, so two processes opening a new file at once migrate it once.
        """
        if "_migrations" not in self.db.table_names():
            with self.db.atomic():
                self.db.execute("CREATE TABLE IF NOT EXISTS [_migrations] "
                                "([id] INTEGER PRIMARY KEY, [name] TEXT, [applied_at] TEXT)")
        applied = []
        for number, name, fn in MIGRATIONS:
            if self._applied(number):
                continue
            with self.db.atomic():
                if self._applied(number):  # another process got there first
                    continue
                fn(self.db)
                self.db.table("_migrations").insert({"id": number, "name": name, "applied_at": now_iso()})
            applied.append(number)
        return applied

    def _applied(self, number: int) -> bool:
        return self.db.execute("SELECT 1 FROM _migrations WHERE id = ?", [number]).fetchone() is not None

    @property
    def schema_version(self) -> int:
        return max((r["id"] for r in self.db["_migrations"].rows), default=0)

    def close(self) -> None:
        self.db.close()

    # -- sessions -------------------------------------------------------------------
    def create_session(
        self,
        *,
        title: str,
        participants: Iterable[dict[str, str]],
        source: str = "live",
        mode: str = "video",
        status: str = "scheduled",
        planned_minutes: float | None = None,
        stage_minutes: dict[str, float] | None = None,
        started_at: str | None = None,
    ) -> dict[str, Any]:
        """Create a session and its participants, each with an unguessable token."""
        sid = secrets.token_hex(6)
        created = now_iso()
        with self.db.atomic():
            self.db.table("sessions").insert({
                "id": sid, "title": title, "source": source, "mode": mode, "status": status,
                "planned_minutes": planned_minutes, "created_at": created,
                "stage_minutes": json.dumps(stage_minutes) if stage_minutes else None,
                "started_at": started_at, "ended_at": None, "duration_s": None, "report": None,
            })
            for p in participants:
                self.db.table("participants").insert({
                    "session_id": sid, "name": p["name"], "role": p.get("role"),
                    "token": secrets.token_urlsafe(24), "created_at": created,
                })
        created_session = self.get_session(sid)
        assert created_session is not None
        return created_session

    def get_session(self, sid: str) -> dict[str, Any] | None:
        rows = list(self.db["sessions"].rows_where("id = ?", [sid]))
        if not rows:
            return None
        s = rows[0]
        s["participants"] = self.participants(sid)
        return s

    def update_session(self, sid: str, **values: Any) -> None:
        self.db.table("sessions").update(sid, values)

    def list_sessions(self) -> list[dict[str, Any]]:
        """Newest first, without the report body."""
        out = []
        for s in self.db["sessions"].rows_where(order_by="created_at desc, rowid desc"):
            s.pop("report", None)
            s["participants"] = [{"name": p["name"], "role": p["role"]} for p in self.participants(s["id"])]
            out.append(s)
        return out

    def participants(self, sid: str) -> list[dict[str, Any]]:
        return list(self.db["participants"].rows_where("session_id = ?", [sid], order_by="id"))

    def participant_by_token(self, sid: str, token: str) -> dict[str, Any] | None:
        if not token:
            return None
        rows = list(self.db["participants"].rows_where("session_id = ? and token = ?", [sid, token]))
        return rows[0] if rows else None

    def renew_token(self, sid: str, name: str) -> dict[str, Any] | None:
        """Give participant ``name`` of ``sid`` a new token (their old link stops working); None if no such person."""
        rows = list(self.db["participants"].rows_where("session_id = ? and name = ?", [sid, name]))
        if not rows:
            return None
        table = self.db.table("participants")
        table.update(rows[0]["id"], {"token": secrets.token_urlsafe(24)})
        return table.get(rows[0]["id"])

    # -- analysis results ------------------------------------------------------------
    def add_utterance(self, sid: str, idx: int, u: Utterance) -> None:
        self.db.table("utterances").insert(_utterance_row(sid, idx, u), replace=True)

    def utterances(self, sid: str) -> list[Utterance]:
        rows = self.db["utterances"].rows_where("session_id = ?", [sid], order_by="idx")
        return [Utterance.from_dict({**r, "words": json.loads(r["words"] or "[]"),
                                     "transcribed": bool(r["transcribed"])}) for r in rows]

    def add_event(self, sid: str, t: float, type_: str, data: dict[str, Any]) -> None:
        self.db.table("events").insert({"session_id": sid, "t": t, "type": type_,
                                  "data": json.dumps(data), "created_at": now_iso()})

    def events(self, sid: str) -> list[dict[str, Any]]:
        return [{**r, "data": json.loads(r["data"])}
                for r in self.db["events"].rows_where("session_id = ?", [sid], order_by="id")]

    def save_report(self, sid: str, report: dict[str, Any], utterances: list[Utterance] | None = None) -> None:
        """Store a session's report (and, when given, replace its utterances) atomically."""
        with self.db.atomic():
            if utterances is not None:
                self.db.execute("DELETE FROM utterances WHERE session_id = ?", [sid])
                self.db.table("utterances").insert_all(_utterance_row(sid, i, u) for i, u in enumerate(utterances))
            self.db.table("sessions").update(sid, {
                "report": json.dumps(report),
                "duration_s": report["session"].get("duration_s"),
            })

    def report(self, sid: str) -> dict[str, Any] | None:
        s = list(self.db["sessions"].rows_where("id = ?", [sid], select="report"))
        return json.loads(s[0]["report"]) if s and s[0]["report"] else None

    def save_analysis(self, report: dict[str, Any], utterances: list[Utterance], *, title: str,
                      source: str) -> str:
        """Store a file's analysis as a new session, all or nothing; returns its id."""
        sid = secrets.token_hex(6)
        created = now_iso()
        report["session"]["id"] = sid
        with self.db.atomic():
            self.db.table("sessions").insert({
                "id": sid, "title": title, "source": source, "mode": "file", "status": "ended",
                "planned_minutes": report["session"].get("planned_minutes"), "created_at": created,
                "started_at": report["session"].get("started_at") or created, "ended_at": created,
                "duration_s": report["session"].get("duration_s"), "report": json.dumps(report),
            })
            for p in report["participants"]:
                self.db.table("participants").insert({
                    "session_id": sid, "name": p["name"], "role": p["role"],
                    "token": secrets.token_urlsafe(24), "created_at": created,
                })
            self.db.table("utterances").insert_all(_utterance_row(sid, i, u) for i, u in enumerate(utterances))
        return sid

    # -- deletion ---------------------------------------------------------------------
    def delete_session(self, sid: str) -> bool:
        """Delete a session and everything recorded for it; False if there was none."""
        if self.get_session(sid) is None:
            return False
        with self.db.atomic():
            for table in self.session_tables():
                self.db.execute(f"DELETE FROM [{table}] WHERE session_id = ?", [sid])
            self.db.execute("DELETE FROM sessions WHERE id = ?", [sid])
        return True

    def session_tables(self) -> list[str]:
        """Every table with a session_id column (later migrations add more)."""
        return [t.name for t in self.db.tables if "session_id" in t.columns_dict]

    def purge(self, older_than: timedelta) -> list[str]:
        cutoff = (datetime.now(UTC) - older_than).isoformat(timespec="seconds")
        ids = [r["id"] for r in self.db["sessions"].rows_where("created_at < ?", [cutoff], select="id")]
        for sid in ids:
            self.delete_session(sid)
        return ids


def _utterance_row(sid: str, idx: int, u: Utterance) -> dict[str, Any]:
    return {"session_id": sid, "idx": idx, "speaker": u.speaker, "start": u.start, "end": u.end,
            "text": u.text,
            "words": json.dumps([{"start": w.start, "end": w.end, "text": w.text,
                                  "probability": w.probability} for w in u.words]),
            "transcribed": int(u.transcribed)}
