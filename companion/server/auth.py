"""Who is asking, and what may they see.

Two kinds of credentials:
- the owner key (printed by ``companion serve``): a Bearer token, or ``?key=``
  on the first page, which sets an HttpOnly, SameSite=Strict cookie;
- a participant token, one per person per session: a Bearer token or
  ``?token=`` (participant links carry it).

A request without a valid credential for *this* session gets 403 with the
same body whether or not the session exists, so it learns nothing.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, WebSocket

from companion.errors import InputError
from companion.model import Role

OWNER_COOKIE = "companion_owner"
FORBIDDEN = "forbidden: this link or key does not give access to that"
OTHER_ORIGIN = "forbidden: this request came from a page of another site or port"
#: The shortest owner key accepted (``COMPANION_KEY``); generated keys are 32 characters.
MIN_KEY_LENGTH = 12
#: Methods that change nothing; every other one must come from this origin (or from no page at all).
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

#: Roles that see what a coach sees (nudges, skills, full report).
COACH_SIDE = {Role.COACH, Role.FACILITATOR}


@dataclass(frozen=True)
class Access:
    """A resolved credential: the owner, or one participant of one session."""

    owner: bool
    participant: dict[str, Any] | None = None

    @property
    def role(self) -> Role | None:
        if self.participant and self.participant.get("role"):
            return Role(self.participant["role"])
        return None

    @property
    def coach_side(self) -> bool:
        """Sees what a coach sees: the owner, the coach, a facilitator."""
        return self.owner or self.role in COACH_SIDE

    @property
    def name(self) -> str | None:
        return self.participant["name"] if self.participant else None


def _bearer(headers) -> str | None:
    h = headers.get("authorization") or ""
    if h.lower().startswith("bearer "):
        return h[7:].strip() or None
    return None


def is_owner_key(request_key: str | None, key: str) -> bool:
    return request_key is not None and request_key != "" and hmac.compare_digest(request_key.encode(), key.encode())


def credentials(conn: Request | WebSocket) -> tuple[str | None, str | None]:
    """(owner key candidate, participant token candidate) from a request or socket."""
    bearer = _bearer(conn.headers)
    q = conn.query_params
    key = bearer or q.get("key") or conn.cookies.get(OWNER_COOKIE)
    token = bearer or q.get("token")
    return key, token


def _origin_of(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        return None
    secure = scheme in ("https", "wss")
    return ("https" if secure else "http", (parts.hostname or "").lower(), port)


def same_origin(conn: Request | WebSocket) -> bool:
    """Did this request come from one of our own pages, or from no page at all?

    Browsers send ``Origin`` with every WebSocket handshake and every cross-origin or
    state-changing request. SameSite cookies do not separate ports of one host, so a page
    on another port would otherwise ride the owner's cookie: its Origin differs from ours.
    Programs (curl, the tests, the CLI) send no Origin and are judged by their credential.
    """
    origin = conn.headers.get("origin")
    if origin is None:
        # An old browser without Origin still says where the request came from.
        return conn.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    if origin == "null":
        return False
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    theirs = _origin_of(parts.scheme, parts.netloc)
    ours = _origin_of(conn.url.scheme, conn.headers.get("host") or conn.url.netloc)
    return theirs is not None and theirs == ours


def check_key(key: str) -> str:
    """An owner key long enough not to be guessed, or a one-line error."""
    if len(key) < MIN_KEY_LENGTH or not key.isprintable() or key.strip() != key:
        raise InputError(f"the owner key (COMPANION_KEY) must be at least {MIN_KEY_LENGTH} printable characters "
                         "without spaces at the ends; leave it unset to have one generated")
    return key


def resolve(conn: Request | WebSocket, session_id: str | None) -> Access | None:
    """The caller's access to ``session_id`` (or owner access when it is None)."""
    app = conn.app
    key, token = credentials(conn)
    if is_owner_key(key, app.state.key):
        return Access(owner=True)
    if session_id and token:
        p = app.state.store.participant_by_token(session_id, token)
        if p is not None:
            return Access(owner=False, participant=p)
    return None


def require(conn: Request | WebSocket, session_id: str | None, *, coach_side: bool = False,
            roles: set[Role] | None = None, owner_only: bool = False) -> Access:
    """Resolve and check access, or raise 403; 404 for the owner asking about a session that does not exist."""
    access = resolve(conn, session_id)
    if access is None:
        raise HTTPException(status_code=403, detail=FORBIDDEN)
    if access.owner and session_id is not None and conn.app.state.store.get_session(session_id) is None:
        raise HTTPException(status_code=404, detail=f"no session {session_id!r}")
    ok = True
    if owner_only:
        ok = access.owner
    if ok and coach_side:
        ok = access.coach_side
    if ok and roles is not None and not access.owner:
        ok = access.role in roles
    if not ok:
        raise HTTPException(status_code=403, detail=FORBIDDEN)
    return access
