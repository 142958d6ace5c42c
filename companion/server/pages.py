"""Page routes. Pages are static HTML from web/ that fetch their data from the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from companion.config import WEB_DIR
from companion.server.auth import OWNER_COOKIE, is_owner_key

router = APIRouter()

KEY_NEEDED = """<!doctype html><meta charset="utf-8"><title>companion</title>
<main style="font-family:system-ui;max-width:40rem;margin:3rem auto">
<h1>companion</h1><p>Open the address that <code>companion serve</code> printed: it carries the owner key.
Participants join with the personal link the coach sent them.</p></main>"""


def page(name: str) -> FileResponse:
    return FileResponse(WEB_DIR / name, media_type="text/html")


@router.get("/", include_in_schema=False)
def home(request: Request):
    key = request.query_params.get("key")
    if key is not None:
        if not is_owner_key(key, request.app.state.key):
            return HTMLResponse(KEY_NEEDED, status_code=403)
        # Move the key out of the address bar and history into a cookie.
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(OWNER_COOKIE, key, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response
    if not is_owner_key(request.cookies.get(OWNER_COOKIE), request.app.state.key):
        return HTMLResponse(KEY_NEEDED, status_code=403)
    return page("index.html")
