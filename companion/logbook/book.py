"""The stored learning logs: versions, approval, sharing, and who may read which version.

Every save is a new version; none is overwritten. Status lives on each version:
``draft`` until the coachee approves it, ``approved``, then ``shared`` once the
coachee shares it with the coach. An edit after sharing starts a new draft and the
coachee is asked whether to share it again; meanwhile the coach keeps reading the
last version that was shared, and never one that was not.

The rows come from the store (``store.logs``, SQL in ``companion/store/logs.py``);
this module holds the rules on top, so the server and the CLI stay thin.
"""

from __future__ import annotations

import json
from typing import Any

from companion.errors import InputError
from companion.logbook.drafter import draft_for
from companion.logbook.followup import report_back
from companion.logbook.items import COACHEE_ROLES, log_owners
from companion.logbook.validation import clean_log

COACH_ROLES = ("coach", "facilitator")


class LogNotFound(InputError):
    """No log can exist (yet): unknown session, session not ended, or nobody whose log it is."""


class LogConflict(Exception):
    """A save or approval based on a version that is no longer the latest."""

    def __init__(self, message: str, current: dict[str, Any]):
        super().__init__(message)
        self.current = current


class LogStateError(InputError):
    """An action the log's status does not allow (sharing a draft)."""


def _row_to_log(row: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(row["data"])
    return {**data, "session_id": row["session_id"], "participant": row["participant"],
            "version": row["version"], "status": row["status"], "updated_at": row["created_at"],
            "approved_at": row["approved_at"], "shared_at": row["shared_at"]}


class LogBook:
    """The learning logs of one store (anything with ``get_session``, ``report``,
    ``participants`` and ``logs``, a ``companion.store.logs.LogRows``)."""

    def __init__(self, store: Any):
        self.store = store
        self.rows = store.logs

    # -- reading -------------------------------------------------------------------
    def owner_name(self, sid: str, participant: str | None) -> str:
        """The exact name of the person whose log is asked for (default: the coachee)."""
        s = self.store.get_session(sid)
        if s is None:
            raise LogNotFound(f"no session {sid!r}")
        owners = [p["name"] for p in s["participants"] if p["role"] in COACHEE_ROLES]
        if participant is None:
            coachee = [p["name"] for p in s["participants"] if p["role"] == "coachee"]
            if coachee or owners:
                return (coachee or owners)[0]
            raise LogNotFound(f"session {sid} has no coachee, so it has no learning log")
        for name in owners:
            if name.casefold() == participant.casefold():
                return name
        raise LogNotFound(f"session {sid} has no learning log for {participant!r}")

    def peek(self, sid: str, participant: str) -> dict[str, Any] | None:
        """The latest stored version, or None; never creates one."""
        row = self.rows.latest(sid, participant)
        return self._with_shared(_row_to_log(row)) if row else None

    def _with_shared(self, log: dict[str, Any]) -> dict[str, Any]:
        """The owner's view adds which version the coach can read (``shared_version``, or None)."""
        shared = self.rows.latest_shared(log["session_id"], log["participant"])
        return {**log, "shared_version": shared["version"] if shared else None}

    def current(self, sid: str, participant: str) -> dict[str, Any]:
        """The latest version; version 1 is drafted from the report the first time it is asked for."""
        row = self.rows.latest(sid, participant)
        if row is None:
            report = self.store.report(sid)
            if report is None:
                raise LogNotFound("this session has not ended yet: the learning log is drafted as soon as the "
                                  "coach ends it")
            drafted = report.get("log_draft")
            if not drafted or drafted.get("participant") != participant:
                drafted = draft_for(report, participant)
            data = {k: v for k, v in drafted.items() if k not in ("status", "participant")}
            with self.rows.atomic():
                self.rows.add(sid, participant, 1, data, author="companion", event="drafted", ignore=True)
            row = self.rows.latest(sid, participant)
        return self._with_shared(_row_to_log(row))

    def versions(self, sid: str, participant: str) -> list[dict[str, Any]]:
        self.current(sid, participant)
        return [{"version": r["version"], "status": r["status"], "event": r["event"], "author": r["author"],
                 "created_at": r["created_at"], "approved_at": r["approved_at"], "shared_at": r["shared_at"]}
                for r in self.rows.all(sid, participant)]

    def version(self, sid: str, participant: str, n: int) -> dict[str, Any]:
        self.current(sid, participant)
        row = self.rows.version(sid, participant, n)
        if row is None:
            raise LogNotFound(f"the log has no version {n}")
        return _row_to_log(row)

    # -- changing ------------------------------------------------------------------
    def _check_base(self, latest: dict[str, Any], base_version: Any, doing: str) -> None:
        if base_version is None:
            return
        if not isinstance(base_version, int) or isinstance(base_version, bool):
            raise InputError("version must be the whole number of the version you started from")
        if base_version != latest["version"]:
            raise LogConflict(
                f"not {doing}: the log was changed elsewhere (now version {latest['version']}, you started "
                f"from version {base_version}); your text is kept: compare, then save again",
                _row_to_log(latest))

    def save(self, sid: str, participant: str, data: Any, base_version: Any, *,
             author: str | None = None) -> dict[str, Any]:
        """Save an edit as a new draft version; ``base_version`` must be the latest one.

        After sharing, the coach keeps the shared version until this one is approved and shared.
        """
        if base_version is None:
            raise InputError("version is required: the version your edit started from")
        self.current(sid, participant)
        report = self.store.report(sid) or {}
        clean = clean_log(report, data)
        with self.rows.atomic():
            latest = self.rows.latest(sid, participant)
            self._check_base(latest, base_version, "saved")
            self.rows.add(sid, participant, latest["version"] + 1, clean, author=author or participant,
                          event="saved")
        return self.current(sid, participant)

    def approve(self, sid: str, participant: str, base_version: Any = None) -> dict[str, Any]:
        """The coachee approves the latest version (the one they saw, when ``base_version`` is given)."""
        self.current(sid, participant)
        with self.rows.atomic():
            latest = self.rows.latest(sid, participant)
            self._check_base(latest, base_version, "approved")
            if latest["status"] == "draft":
                self.rows.mark(latest["id"], "approved")
        return self.current(sid, participant)

    def share(self, sid: str, participant: str, base_version: Any = None) -> dict[str, Any]:
        """The coachee shares the approved latest version with the coach."""
        self.current(sid, participant)
        with self.rows.atomic():
            latest = self.rows.latest(sid, participant)
            self._check_base(latest, base_version, "shared")
            if latest["status"] == "draft":
                raise LogStateError("approve the log before sharing it: only an approved log can be shared")
            if latest["status"] == "approved":
                self.rows.mark(latest["id"], "shared")
        return self.current(sid, participant)

    def shared(self, sid: str, participant: str) -> dict[str, Any] | None:
        """What the coach may read: the last version the owner shared, else None."""
        row = self.rows.latest_shared(sid, participant)
        return _row_to_log(row) if row else None

    # -- the next session between the same people ------------------------------------
    def previous_actions(self, sid: str, participant: str, *, shared_only: bool) -> dict[str, Any] | None:
        """The action plan from the last session between the same coach and ``participant``,
        each action with the report-back drafted from what ``participant`` says about it now.

        The same people are recognised by name, ignoring case: a coach (or facilitator) of
        this session and ``participant`` as coachee or member of the earlier one.
        """
        s = self.store.get_session(sid)
        if s is None:
            raise LogNotFound(f"no session {sid!r}")
        coaches = {p["name"].casefold() for p in s["participants"] if p["role"] in COACH_ROLES}
        me = participant.casefold()
        if not coaches:
            return None
        for earlier in self.rows.earlier_sessions(sid, s.get("started_at") or s["created_at"]):
            people = self.store.participants(earlier)
            if not any(p["role"] in COACH_ROLES and p["name"].casefold() in coaches for p in people):
                continue
            mine = next((p["name"] for p in people if p["role"] in COACHEE_ROLES and p["name"].casefold() == me),
                        None)
            if mine is None:
                continue
            log = self.shared(earlier, mine) if shared_only else self.current(earlier, mine)
            if log is None:
                return None
            prev = self.store.get_session(earlier)
            report = self.store.report(sid) or {}
            return {"session": {"id": prev["id"], "title": prev["title"], "date": log.get("date")},
                    "participant": mine, "status": log["status"], "version": log["version"],
                    "actions": report_back(log["actions"], report, participant)}
        return None


def coach_view(store: Any, sid: str, report: dict[str, Any]) -> dict[str, Any]:
    """A stored report as the coach side (coach, facilitator, owner) may read it.

    ``log_draft`` becomes the coachee's last shared log, and ``None`` before they
    share one: the coach never sees a draft, by any route.
    """
    owners = log_owners(report)
    shared = LogBook(store).shared(sid, owners[0]) if owners else None
    return {**report, "log_draft": shared}
