"""The ``companion`` command.

Every user mistake ends in one line on stderr and exit status 2; nothing is
stored unless the whole analysis succeeded.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from companion.analysis.plan import parse_stage_minutes
from companion.analysis.report import render_markdown, render_text
from companion.config import Settings
from companion.errors import InputError
from companion.learning_log import coach_view
from companion.store import Store, parse_age

EXIT_INPUT = 2


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.load(data_dir=getattr(args, "data_dir", None), model=getattr(args, "model", None),
                         models_dir=getattr(args, "models_dir", None))


def _store(args: argparse.Namespace) -> Store:
    return Store(_settings(args).db_path)


def _print_report(report: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        print(render_markdown(report), end="")
    else:
        print(render_text(report), end="")


def cmd_analyze(args: argparse.Namespace) -> int:
    from companion.pipeline import analyze_file

    settings = _settings(args)
    stages = parse_stage_minutes(args.stage_minutes, args.planned_minutes) if args.stage_minutes else None
    result = analyze_file(args.path, settings, coach=args.coach, coachee=args.coachee,
                          channels_are_speakers=args.channels_are_speakers,
                          planned_minutes=args.planned_minutes, stage_minutes=stages)
    report = result.report
    if not args.no_store:
        store = Store(settings.db_path)
        store.save_analysis(report, result.utterances, title=args.title or Path(args.path).name,
                            source=str(Path(args.path).name))
    if args.title:
        report["session"]["title"] = args.title
    _print_report(report, args.format)
    return 0


def _session_or_fail(store: Store, sid: str) -> dict[str, Any]:
    s = store.get_session(sid)
    if s is None:
        raise InputError(f"no session {sid!r} (see 'companion sessions list')")
    return s


def cmd_sessions(args: argparse.Namespace) -> int:
    store = _store(args)
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
    s = _session_or_fail(store, args.id)
    report = store.report(args.id)
    if report is not None:
        # The machine's owner reads a report as the owner key does: no unshared log.
        report = coach_view(store, args.id, report)
    if args.action == "show":
        if report is None:
            print(f"Session {s['id']} ({s['status']}) has no report yet.")
            return 0
        _print_report(report, args.format)
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
    ids = _store(args).purge(age)
    print(f"Deleted {len(ids)} session(s) older than {args.older_than}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="where the SQLite file lives (default: the platform's data "
                        "folder; env COMPANION_DATA_DIR)")
    p = argparse.ArgumentParser(prog="companion", description="A privacy-first session companion for peer "
                                "coaching. Everything runs and stays on this machine.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    a = sub.add_parser("analyze", parents=[common], help="analyse a recording or a transcript")
    a.add_argument("path", help="audio (wav, mp3, m4a, ogg, webm, flac) or transcript (.vtt, .srt, .json)")
    a.add_argument("--coach", help="the coach's name as it appears in the transcript")
    a.add_argument("--coachee", help="the coachee's name as it appears in the transcript")
    a.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    a.add_argument("--no-store", action="store_true", help="analyse without storing anything")
    a.add_argument("--title", help="a title for the stored session (default: the file name)")
    a.add_argument("--planned-minutes", type=float, help="the session's planned length in minutes "
                   "(default: the nearest of 30, 45 or 60 at or above the file's length)")
    a.add_argument("--stage-minutes", metavar="PLAN", help="minutes per GROW stage, e.g. "
                   "goal=5,reality=10,options=9,will=6 (default: the usual split of the planned length)")
    a.add_argument("--channels-are-speakers", action="store_true",
                   help="stereo recording with one person per channel (left = first speaker)")
    a.add_argument("--model", help="speech model name (env COMPANION_MODEL; default base.en)")
    a.add_argument("--models-dir", help="where speech models live (env COMPANION_MODELS_DIR)")
    a.set_defaults(func=cmd_analyze)

    s = sub.add_parser("sessions", parents=[common], help="list, show, delete or export stored sessions")
    s.add_argument("action", choices=["list", "show", "delete", "export"])
    s.add_argument("id", nargs="?", help="session id (from 'sessions list')")
    s.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    s.set_defaults(func=cmd_sessions)

    g = sub.add_parser("purge", parents=[common], help="delete sessions older than an age")
    g.add_argument("--older-than", required=True, metavar="AGE", help="e.g. 30d, 12h, 2w")
    g.set_defaults(func=cmd_purge)

    from companion import log_cli
    from companion.asr import cli as models_cli
    from companion.server import cli as serve_cli

    for module in (serve_cli, models_cli, log_cli):
        module.register(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as e:
        print(f"companion: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
