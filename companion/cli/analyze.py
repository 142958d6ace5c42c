"""``companion analyze PATH``: a recording or a transcript, analysed like a live session."""

from __future__ import annotations

import argparse
from pathlib import Path

from companion.analysis.plan import parse_stage_minutes
from companion.cli.common import print_report, settings_of
from companion.store import Store


def cmd_analyze(args: argparse.Namespace) -> int:
    from companion.pipeline import analyze_file

    settings = settings_of(args)
    stages = parse_stage_minutes(args.stage_minutes, args.planned_minutes) if args.stage_minutes else None
    # Open the store first: a read-only or full data folder is said before the analysis runs.
    store = None if args.no_store else Store(settings.db_path)
    result = analyze_file(args.path, settings, coach=args.coach, coachee=args.coachee,
                          channels_are_speakers=args.channels_are_speakers,
                          planned_minutes=args.planned_minutes, stage_minutes=stages,
                          facilitator=args.facilitator, turn_minutes=args.turn_minutes)
    report = result.report
    if store is not None:
        store.save_analysis(report, result.utterances, title=args.title or Path(args.path).name,
                            source=str(Path(args.path).name))
    if args.title:
        report["session"]["title"] = args.title
    print_report(report, args.format)
    return 0


def _positive_minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not 0 < value < 24 * 60:
        raise argparse.ArgumentTypeError(f"minutes must be more than 0 and less than a day: {text!r}")
    return value


def register(sub, common: argparse.ArgumentParser) -> None:
    a = sub.add_parser("analyze", parents=[common], help="analyse a recording or a transcript")
    a.add_argument("path", help="audio (wav, mp3, m4a, ogg, webm, flac) or transcript (.vtt, .srt, .json)")
    a.add_argument("--coach", help="the coach's name as it appears in the transcript")
    a.add_argument("--coachee", help="the coachee's name as it appears in the transcript")
    a.add_argument("--facilitator", help="a group session: the facilitator's name as it appears in the "
                   "transcript (everyone else is a member; turns are inferred)")
    a.add_argument("--turn-minutes", type=_positive_minutes, metavar="N",
                   help="a group session: planned minutes per member's turn (default: as announced in the "
                   "opening, else 30)")
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
