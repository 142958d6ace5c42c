"""``companion sessions list|show|delete|export`` and ``companion purge``: what is stored."""

from __future__ import annotations

import argparse
import json

from companion.cli.common import print_report, session_or_fail, store_of
from companion.errors import InputError
from companion.logbook import coach_view
from companion.store import parse_age


def cmd_sessions(args: argparse.Namespace) -> int:
    store = store_of(args)
    if args.action == "list":
        sessions = store.list_sessions()
        if args.format == "json":
            print(json.dumps(sessions, indent=2))
            return 0
        if not sessions:
            print("No stored sessions.")
        for s in sessions:
            who = ", ".join(f"{p['name']} ({p['role']})" if p["role"] else p["name"] for p in s["participants"])
            dur = f"{s['duration_s'] / 60:.0f} min" if s["duration_s"] else "-"
            print(f"{s['id']}  {s['created_at'][:16].replace('T', ' ')}  {s['status']:<9} {dur:>7}  "
                  f"{s['title']}  [{who}]")
        return 0
    if not args.id:
        raise InputError(f"'sessions {args.action}' needs a session id")
    if args.action == "delete":
        if not store.delete_session(args.id):
            raise InputError(f"no session {args.id!r} (see 'companion sessions list')")
        print(f"Deleted session {args.id} and everything recorded for it.")
        return 0
    s = session_or_fail(store, args.id)
    report = store.report(args.id)
    if report is not None:
        # The machine's owner reads a report as the owner key does: no unshared log.
        report = coach_view(store, args.id, report)
    if args.action == "show":
        if report is None:
            print(f"Session {s['id']} ({s['status']}) has no report yet.")
            return 0
        print_report(report, args.format)
        return 0
    # export: everything stored for the session, as JSON (re-importable with analyze).
    export = {
        "session": {k: v for k, v in s.items() if k not in ("report", "participants")},
        "participants": [{"name": p["name"], "role": p["role"]} for p in s["participants"]],
        "utterances": [u.to_dict() for u in store.utterances(args.id)],
        "report": report,
    }
    print(json.dumps(export, indent=2, ensure_ascii=False))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    age = parse_age(args.older_than)
    ids = store_of(args).purge(age)
    print(f"Deleted {len(ids)} session(s) older than {args.older_than}.")
    return 0



def register(sub, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser("sessions", parents=[common], help="list, show, delete or export stored sessions")
    s.add_argument("action", choices=["list", "show", "delete", "export"])
    s.add_argument("id", nargs="?", help="session id (from 'sessions list')")
    s.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    s.set_defaults(func=cmd_sessions)

    g = sub.add_parser("purge", parents=[common], help="delete sessions older than an age")
    g.add_argument("--older-than", required=True, metavar="AGE", help="e.g. 30d, 12h, 2w")
    g.set_defaults(func=cmd_purge)
