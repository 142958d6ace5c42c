"""The ``companion`` command: a thin shell over the pipeline, the store and the server.

Every user mistake ends in one line on stderr and exit status 2; nothing is
stored unless the whole analysis succeeded.
"""

from __future__ import annotations

import argparse
import sys

from companion.cli import analyze, log, models, serve, sessions
from companion.cli.common import EXIT_INPUT
from companion.errors import InputError, StoreUnavailable


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="where the SQLite file lives (default: the platform's data "
                        "folder; env COMPANION_DATA_DIR)")
    p = argparse.ArgumentParser(prog="companion", description="A privacy-first session companion for peer "
                                "coaching. Everything runs and stays on this machine.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (analyze, sessions, serve, models, log):
        module.register(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (InputError, StoreUnavailable) as e:
        print(f"companion: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
