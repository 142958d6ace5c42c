"""The WebSocket hub: who is connected to which session, and who may receive what.

Audience is enforced here, on the server, for every message: a message meant
for the coach side (nudges, flags, talk balance) is never written to a
coachee's socket, whatever the page would do with it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket

from companion.model import Audience
from companion.server.auth import Access

log = logging.getLogger(__name__)

#: Messages queued for one slow socket before it is dropped (it reconnects and resyncs).
MAX_BACKLOG = 500


@dataclass(eq=False)
class Connection:
    ws: WebSocket
    access: Access
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(MAX_BACKLOG))

    @property
    def name(self) -> str | None:
        return self.access.name

    def may_receive(self, audience: Audience) -> bool:
        return audience == Audience.EVERYONE or self.access.coach_side

    def offer(self, message: dict[str, Any]) -> bool:
        try:
            self.queue.put_nowait(message)
            return True
        except asyncio.QueueFull:
            return False


class Hub:
    def __init__(self) -> None:
        self.connections: dict[str, set[Connection]] = {}

    def add(self, sid: str, conn: Connection) -> None:
        self.connections.setdefault(sid, set()).add(conn)

    def remove(self, sid: str, conn: Connection) -> None:
        conns = self.connections.get(sid)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self.connections[sid]

    def online(self, sid: str) -> set[str]:
        """Names of participants with an open socket (the owner has no name)."""
        return {c.name for c in self.connections.get(sid, ()) if c.name}

    def publish(self, sid: str, message: dict[str, Any], audience: Audience) -> None:
        """Queue ``message`` for every connection of ``sid`` that may receive it."""
        for conn in list(self.connections.get(sid, ())):
            if conn.may_receive(audience) and not conn.offer(message):
                log.warning("dropping a slow WebSocket of session %s", sid)
                self.remove(sid, conn)
                asyncio.ensure_future(_close(conn.ws))  # the page reconnects and resyncs

    async def writer(self, conn: Connection) -> None:
        """Send queued messages until the socket closes."""
        while True:
            message = await conn.queue.get()
            if message is None:
                return
            await conn.ws.send_text(json.dumps(message))


async def _close(ws: WebSocket) -> None:
    try:
        await ws.close(code=1013)
    except Exception:  # already closed
        pass
