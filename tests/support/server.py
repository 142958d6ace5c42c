"""A real companion server on 127.0.0.1 in a background thread, for browser and live tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from companion.config import Settings
from companion.server.app import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningServer:
    url: str
    key: str
    app: object
    server: uvicorn.Server
    thread: threading.Thread
    loop: asyncio.AbstractEventLoop

    @property
    def store(self):
        return self.app.state.store

    def owner_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def call_soon(self, fn, *args) -> None:
        """Run ``fn(*args)`` on the server's event loop (where live sessions live)."""
        self.loop.call_soon_threadsafe(fn, *args)

    def call(self, fn, *args, timeout: float = 10.0):
        """Run ``fn(*args)`` on the server's event loop, wait for it and return its result (or raise its error)."""
        return asyncio.run_coroutine_threadsafe(_call(fn, *args), self.loop).result(timeout)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


async def _call(fn, *args):
    out = fn(*args)
    return await out if asyncio.iscoroutine(out) else out


#: The owner key every test server and test app uses.
OWNER_KEY = "test-owner-key"


def start_server(settings: Settings | None = None, key: str = OWNER_KEY) -> RunningServer:
    settings = settings or Settings.load()
    settings.key = key
    settings.host = "127.0.0.1"
    settings.port = free_port()
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.serve())

    thread = threading.Thread(target=run, name="companion-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    return RunningServer(f"http://127.0.0.1:{settings.port}", key, app, server, thread, loop)
