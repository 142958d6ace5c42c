"""Page routes. Pages are static HTML from web/ that fetch their data from the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from companion.config import WEB_DIR
from companion.server.auth import OWNER_COOKIE, is_owner_key

router = APIRouter()

KEY_NEEDED = """<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>companion</title>
<link rel="stylesheet" href="/static/style.css">
<main><h1>companion</h1>
<p>This address does not open anything on its own.</p>
<ul><li>If you run companion: open the address that <code>companion serve</code> printed when it started; it
carries your owner key.</li>
<li>If you were invited to a session: open the personal link the coach sent you, or ask them for a new one.</li>
</ul></main></html>"""


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
