"""What every subcommand shares: settings from flags, the store, the report printer."""

from __future__ import annotations

import argparse
import json
from typing import Any

from companion.analysis.report import render_markdown, render_text
from companion.config import Settings
from companion.errors import InputError
from companion.store import Store

EXIT_INPUT = 2


def settings_of(args: argparse.Namespace) -> Settings:
    return Settings.load(data_dir=getattr(args, "data_dir", None), model=getattr(args, "model", None),
                         models_dir=getattr(args, "models_dir", None))


def store_of(args: argparse.Namespace) -> Store:
    return Store(settings_of(args).db_path)


def print_report(report: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        print(render_markdown(report), end="")
    else:
        print(render_text(report), end="")


def session_or_fail(store: Store, sid: str) -> dict[str, Any]:
    s = store.get_session(sid)
    if s is None:
        raise InputError(f"no session {sid!r} (see 'companion sessions list')")
    return s
