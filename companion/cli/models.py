"""``companion models list | download NAME``: the speech models in ``models/``.

``download`` is the only command that uses the network; nothing else in the
companion ever fetches a model (a missing model is reported with the command
that fetches it).
"""

from __future__ import annotations

import argparse

from companion.errors import InputError


def register(sub, common: argparse.ArgumentParser) -> None:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--models-dir", help="where speech models live (env COMPANION_MODELS_DIR)")
    m = sub.add_parser("models", help="list or download speech models",
                       description="Speech models live in the models folder (env COMPANION_MODELS_DIR). "
                       "Downloading is the only thing the companion does on the network.")
    actions = m.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", parents=[common, where], help="show the models that are here, with their sizes")
    d = actions.add_parser("download", parents=[common, where], help="fetch a faster-whisper model (tiny, base, "
                           "small, medium, their .en forms, distil-*) with a progress bar")
    d.add_argument("name", help="e.g. base.en")
    m.set_defaults(func=cmd_models)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


def cmd_models(args: argparse.Namespace) -> int:
    from companion.asr.whisper import MODEL_REPOS, ModelStore
    from companion.config import Settings

    settings = Settings.load(models_dir=args.models_dir)
    store = ModelStore(settings.models_dir)
    if args.action == "list":
        models = store.list()
        if not models:
            print(f"No speech models in {store.dir}. Fetch one with: companion models download {settings.model}")
            return 0
        print(f"Speech models in {store.dir}:")
        for info in models:
            mark = "  (configured)" if info.name == settings.model else ""
            print(f"  {info.name:<20} {_size(info.size_bytes):>9}{mark}")
        if store.resolve(settings.model) is None:
            print(f"The configured model {settings.model!r} is not here: companion models download {settings.model}")
        return 0
    if args.name not in MODEL_REPOS:
        raise InputError(f"unknown model {args.name!r}; choose one of: {', '.join(MODEL_REPOS)}")
    already = store.resolve(args.name)
    if already is not None:
        print(f"{args.name} is already in {already}.")
        return 0
    print(f"Downloading {args.name} into {store.dir} ...")
    path = store.download(args.name)
    size = next((i.size_bytes for i in store.list() if i.path == path), 0)
    print(f"Done: {args.name} ({_size(size)}) in {path}.")
    return 0
