"""``companion log show|export SESSION``: the learning log from the command line.

The command runs as the person whose machine it is, which is usually the
coach (the owner). So it follows the server's rule for the owner key: it
shows a log only once its owner (the coachee) has approved and shared it.
--as-coachee says you are the log's owner (a coachee who analysed their
own session on their own machine); it then shows the latest version, shared
or not. The command only reads; edits happen in the browser editor.
"""

from __future__ import annotations

import argparse
import json

from companion.cli.common import session_or_fail, store_of
from companion.errors import InputError
from companion.logbook import LogBook, to_markdown

HELP = ("show or export a session's learning log; shown only once the coachee has approved and shared it, "
        "unless you are the coachee (--as-coachee)")


def _load(args: argparse.Namespace) -> dict:
    store = store_of(args)
    session_or_fail(store, args.id)
    book = LogBook(store)
    name = book.owner_name(args.id, args.participant)
    if args.as_coachee:
        return book.current(args.id, name)
    log = book.shared(args.id, name)
    if log is None:
        raise InputError(f"the learning log of {name} in session {args.id} has not been approved and shared "
                         f"by {name}; if you are {name}, add --as-coachee")
    return log


def cmd_log(args: argparse.Namespace) -> int:
    log = _load(args)
    fmt = args.format or ("markdown" if args.action == "show" else "json")
    if fmt == "json":
        print(json.dumps(log, indent=2, ensure_ascii=False))
    else:
        print(to_markdown(log), end="")
    return 0


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("log", parents=[common], help=HELP, description=HELP + ". " + __doc__.split("\n\n")[1]
                       .replace("\n", " "))
    p.add_argument("action", choices=["show", "export"], help="show: Markdown on the terminal; export: JSON "
                   "(or --format markdown) to save or re-use")
    p.add_argument("id", metavar="SESSION", help="session id (from 'companion sessions list')")
    p.add_argument("--format", choices=["markdown", "json"], help="default: markdown for show, json for export")
    p.add_argument("--participant", metavar="NAME", help="whose log, in a group (default: the coachee)")
    p.add_argument("--as-coachee", action="store_true", help="you are the log's owner: show it even if not "
                   "shared yet")
    p.set_defaults(func=cmd_log)
