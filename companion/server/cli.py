"""``companion serve``: start the local server and print the owner's address."""

from __future__ import annotations

import argparse


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from companion.config import Settings
    from companion.server.app import create_app

    settings = Settings.load(data_dir=args.data_dir, host=args.host, port=args.port)
    app = create_app(settings)
    scheme = "http"
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    url = f"{scheme}://{shown_host}:{settings.port}/?key={app.state.key}"
    print("companion is running. Everything stays on this machine.", flush=True)
    print(f"Open this address (it carries your owner key; keep it private):\n    {url}", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0


def register(sub, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser("serve", parents=[common], help="start the local server for live sessions")
    s.add_argument("--host", help="address to listen on (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, help="port (default 8765)")
    s.set_defaults(func=cmd_serve)
