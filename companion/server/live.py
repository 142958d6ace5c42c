"""The live call: join page, signalling, the session WebSocket, pause/resume, end.

Endpoints (every one needs the participant's token, or the owner key where said):
- ``GET /join/{sid}``: the join page (harmless without a token; it asks the API).
- ``GET /api/sessions/{sid}/live``: who you are, the session, ICE servers, whether
  transcription is available, whether it is paused.
- ``POST /api/sessions/{sid}/rtc`` ``{"sdp", "type": "offer"}`` -> ``{"sdp", "type":
  "answer", "slots": [{"mid", "kind", "name", "role"}]}``; participants only. A
  second offer from the same person (a reload) replaces their peer.
- ``POST /api/sessions/{sid}/pause`` ``{"paused": bool}``: any participant or the owner.
- WebSocket ``/ws/sessions/{sid}?token=...``: JSON messages with a ``type``; see
  ``hello`` below and ``LiveSession`` for the rest. A client may send
  ``{"type": "pause", "paused": bool}``.

``app.state.on_session_end`` closes the room, lets speech finish and stores
the report before ``POST /api/sessions/{sid}/end`` answers, then tells every
connected page that the session ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from companion.asr import server_transcriber
from companion.asr.transcriber import Transcriber
from companion.config import WEB_DIR
from companion.media import ice
from companion.media.ice import IcePolicy
from companion.media.rooms import Room, RoomManager
from companion.model import Audience
from companion.pipeline import LiveSession, Speech, finalize_session, load_speech
from companion.pipeline.live import caption_message
from companion.server.auth import FORBIDDEN, Access, require, resolve, same_origin
from companion.server.hub import Connection, Hub

log = logging.getLogger(__name__)

#: Captions replayed to a page that (re)connects.
HISTORY = 200
TICK_S = 1.0


class LiveManager:
    """Everything live for one app: rooms, live sessions, sockets, the speech engine."""

    def __init__(self, app):
        self.app = app
        settings = app.state.settings
        ice.install()  # the server starts calls: let its ICE policy choose aioice's host candidates
        self.policy = IcePolicy.for_server(settings.host, settings.ice_servers)
        self.rooms = RoomManager(self.policy)
        self.hub = Hub()
        self.sessions: dict[str, LiveSession] = {}
        self._speech: Speech | None = None
        #: One recognition worker for every session of this server (each stream names its session).
        self._transcriber: Transcriber | None = None
        self._engine_lock = asyncio.Lock()
        self._ticker: asyncio.Task | None = None
        #: The server's event loop (set by the lifespan; other threads hand work to it).
        self.loop: asyncio.AbstractEventLoop | None = None
        #: Where live sessions made from now on read the time (tests script a session's clock here).
        self.clock: Callable[[], float] = time.time

    @property
    def store(self):
        return self.app.state.store

    # -- speech ------------------------------------------------------------------------
    async def speech(self) -> Speech:
        """The speech engine, loaded once (off the event loop), or None with a note why."""
        async with self._engine_lock:
            if self._speech is None:
                settings = self.app.state.settings
                speech = await asyncio.get_running_loop().run_in_executor(
                    None, functools.partial(load_speech, settings, warm_up=True))
                self._use(speech)
        assert self._speech is not None
        return self._speech

    def _use(self, speech: Speech) -> None:
        if self._transcriber is not None:
            self._transcriber.close(wait=False)
        self._speech = speech
        self._transcriber = server_transcriber(speech.engine) if speech.engine is not None else None

    def use_engine(self, engine, note: str | None = None) -> None:
        """Use this speech engine instead of loading the configured model (tests, embedding)."""
        self._use(Speech(engine, note))

    async def session(self, sid: str) -> LiveSession:
        live = self.sessions.get(sid)
        if live is None:
            speech = await self.speech()
            live = self.sessions.get(sid)  # another request may have made it meanwhile
            if live is None:
                live = LiveSession(self.store, sid, transcriber=self._transcriber, transcription_note=speech.note,
                                   publish=functools.partial(self.hub.publish, sid), clock=self.clock)
                self.sessions[sid] = live
        self._ensure_ticker()
        return live

    def _ensure_ticker(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.ensure_future(self._tick())

    async def _tick(self) -> None:
        while self.sessions:
            await asyncio.sleep(TICK_S)
            for live in list(self.sessions.values()):
                try:
                    live.tick()
                except Exception:
                    log.exception("live analysis tick failed for session %s", live.sid)

    async def room(self, sid: str) -> Room:
        live = await self.session(sid)
        s = self.store.get_session(sid)
        roster = [(p["name"], p["role"]) for p in s["participants"]]
        return self.rooms.open(sid, roster, s["mode"] if s["mode"] in ("video", "audio") else "audio",
                               audio_consumer=live.consume, on_presence=lambda room: self.presence(room.sid))

    # -- messages ----------------------------------------------------------------------
    def presence(self, sid: str) -> None:
        self.hub.publish(sid, self.presence_message(sid), Audience.EVERYONE)

    def presence_message(self, sid: str) -> dict[str, Any]:
        s = self.store.get_session(sid)
        online = self.hub.online(sid)
        room = self.rooms.get(sid)
        in_call = set(room.present()) if room else set()
        return {"type": "presence", "participants": [
            {"name": p["name"], "role": p["role"], "online": p["name"] in online, "in_call": p["name"] in in_call}
            for p in s["participants"]]}

    def hello(self, sid: str, access: Access, live: LiveSession) -> dict[str, Any]:
        s = self.store.get_session(sid)
        return {
            "type": "hello",
            "you": {"name": access.name, "role": access.participant["role"] if access.participant else None,
                    "owner": access.owner, "coach_side": access.coach_side},
            "session": {"id": sid, "title": s["title"], "mode": s["mode"], "status": s["status"],
                        "planned_minutes": s["planned_minutes"]},
            "transcription": {"available": live.transcriber is not None, "note": live.transcription_note},
            "paused": live.paused,
        }

    def history(self, live: LiveSession, access: Access) -> list[dict[str, Any]]:
        """What a reconnecting page missed: recent captions, and for the coach side the balance."""
        a = live.analyzer
        n = len(a.ctx.utterances)
        out = []
        for i in range(max(0, n - HISTORY), n):
            out.append(caption_message(a, i))
        if access.coach_side and n:
            talk = next((c for c in a.components if hasattr(c, "balance")), None)
            if talk is not None:
                out.append({"type": "balance", "t": round(a.ctx.now, 2), **talk.balance(a.ctx)})
        if live.stage:
            out.append({"type": "stage", "t": round(live.stage["t"], 2),
                        **{k: v for k, v in live.stage.items() if k != "t"}})
        return out

    # -- end -----------------------------------------------------------------------------
    async def end(self, sid: str) -> None:
        """Close the call, let speech finish, store the report, tell the pages."""
        await self.rooms.close_room(sid)
        live = self.sessions.pop(sid, None)
        if live is not None:
            await live.finish()
        s = self.store.get_session(sid)
        if s is not None and s["status"] != "ended":
            finalize_session(self.store, sid)
        self.hub.publish(sid, {"type": "ended", "review": f"/sessions/{sid}/review", "log": f"/sessions/{sid}/log"},
                         Audience.EVERYONE)

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        await self.rooms.close()
        self.sessions.clear()
        if self._transcriber is not None:
            self._transcriber.close(wait=False)
            self._transcriber = None


def manager(app) -> LiveManager:
    """The app's ``LiveManager`` (made on first use, so apps without a lifespan work too)."""
    m = getattr(app.state, "live", None)
    if m is None:
        m = LiveManager(app)
        app.state.live = m
        app.state.on_session_end = m.end
    return m


@contextlib.asynccontextmanager
async def lifespan(app):
    m = manager(app)
    m.loop = asyncio.get_running_loop()
    warm = asyncio.ensure_future(m.speech())  # load the model now, so the first caption is not late
    try:
        yield
    finally:
        if not warm.done():
            warm.cancel()
        await m.close()


router = APIRouter(lifespan=lifespan)


def _session_or_403(request: Request | WebSocket, sid: str) -> dict[str, Any]:
    s = request.app.state.store.get_session(sid)
    if s is None:  # only reachable with the owner key; a participant token is bound to its session
        raise HTTPException(status_code=404, detail=f"no session {sid}")
    return s


@router.get("/join/{sid}", include_in_schema=False)
def join_page(sid: str) -> FileResponse:
    return FileResponse(WEB_DIR / "join.html", media_type="text/html")


@router.get("/api/sessions/{sid}/live")
async def live_info(sid: str, request: Request) -> dict[str, Any]:
    access = require(request, sid)
    s = _session_or_403(request, sid)
    m = manager(request.app)
    live = m.sessions.get(sid)
    speech = await m.speech()
    return {
        "you": {"name": access.name, "role": access.participant["role"] if access.participant else None,
                "owner": access.owner, "coach_side": access.coach_side},
        "session": {"id": sid, "title": s["title"], "mode": s["mode"], "status": s["status"],
                    "planned_minutes": s["planned_minutes"]},
        "participants": [{"name": p["name"], "role": p["role"]} for p in s["participants"]],
        "transcription": {"available": speech.available, "note": speech.note},
        "paused": live.paused if live else False,
        "ice_servers": [{"urls": srv.urls, **({"username": srv.username, "credential": srv.credential}
                                               if srv.username else {})} for srv in m.policy.servers],
    }


class OfferIn(BaseModel):
    model_config = ConfigDict(strict=True)

    sdp: str = Field(min_length=1, max_length=200_000)
    type: Literal["offer"]


@router.post("/api/sessions/{sid}/rtc")
async def rtc_offer(sid: str, body: OfferIn, request: Request) -> dict[str, Any]:
    access = require(request, sid)
    if access.participant is None or access.name is None:
        raise HTTPException(status_code=400, detail="only a participant's link joins the call; the owner key does not")
    s = _session_or_403(request, sid)
    if s["status"] == "ended":
        raise HTTPException(status_code=409, detail="this session has ended")
    m = manager(request.app)
    room = await m.room(sid)
    answer = await room.join(access.name, body.sdp)
    return answer.to_dict()


class PauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Strict: ``0``, ``1`` or ``"true"`` are refused, not taken as booleans.
    paused: StrictBool


@router.post("/api/sessions/{sid}/pause")
async def pause(sid: str, body: PauseIn, request: Request) -> dict[str, Any]:
    access = require(request, sid)
    s = _session_or_403(request, sid)
    if s["status"] == "ended":
        raise HTTPException(status_code=409, detail="this session has ended")
    live = await manager(request.app).session(sid)
    return live.set_paused(body.paused, access.name or "owner")


@router.websocket("/ws/sessions/{sid}")
async def session_socket(ws: WebSocket, sid: str) -> None:
    access = resolve(ws, sid) if same_origin(ws) else None  # a page on another port may hold the cookie
    s = ws.app.state.store.get_session(sid) if access is not None else None
    if access is None or s is None:
        # Closing before accepting answers the handshake with HTTP 403: nothing is learnt.
        await ws.close(code=1008, reason=FORBIDDEN[:100])
        return
    m = manager(ws.app)
    await ws.accept()
    if s["status"] == "ended":
        await ws.send_json({"type": "ended", "review": f"/sessions/{sid}/review", "log": f"/sessions/{sid}/log"})
        await ws.close()
        return
    live = await m.session(sid)
    conn = Connection(ws, access)
    conn.offer(m.hello(sid, access, live))
    for message in m.history(live, access):
        conn.offer(message)
    conn.offer(live.clock_message())
    m.hub.add(sid, conn)
    m.presence(sid)
    writer = asyncio.ensure_future(m.hub.writer(conn))
    try:
        while True:
            try:
                message = await ws.receive_json()
            except (ValueError, KeyError):
                conn.offer({"type": "error", "error": "messages must be JSON objects with a type"})
                continue
            if not isinstance(message, dict):
                continue
            if message.get("type") == "pause" and isinstance(message.get("paused"), bool):
                if sid in m.sessions:
                    m.sessions[sid].set_paused(message["paused"], access.name or "owner")
            elif message.get("type") == "ping":
                conn.offer({"type": "pong"})
    except WebSocketDisconnect:
        pass
    finally:
        m.hub.remove(sid, conn)
        writer.cancel()
        m.presence(sid)
