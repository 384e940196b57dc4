"""The app's own HTTP routes, mounted next to Streamlit's through `st.App(routes=...)`.

- `POST /session/claim`: exchanges a one-time login ticket (see `sessions.issue_ticket`)
  for the session cookie: `ipo_session`, HttpOnly, SameSite=Lax, Path=/, Secure behind
  HTTPS, Max-Age = what is left of the session's absolute lifetime.
- `POST /session/forget`: deletes the cookie (the session itself was already ended on
  the server by the logout).

Both refuse a request whose Origin is another site (a second guard next to SameSite).
"""

from __future__ import annotations

from functools import partial
from typing import Callable
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ipoverseas.accounts import sessions

CLAIM_PATH = "/session/claim"
FORGET_PATH = "/session/forget"


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _any_host(host: str | None) -> bool:
    return True


def same_origin(request: Request, host_allowed: Callable[[str | None], bool] = _any_host) -> bool:
    """True when the Host is allowed (`host_allowed`: the server's allowedHosts check, handed in by
    the UI layer) and the Origin, if any, is this host."""
    if not host_allowed(request.headers.get("host")):
        return False
    origin = request.headers.get("origin")
    if not origin:
        return True  # same-origin fetches of some browsers, and non-browser clients
    host = (request.headers.get("x-forwarded-host") or request.headers.get("host") or "").split(",")[0].strip().lower()
    origin_parts = urlsplit(origin)
    if origin_parts.netloc.lower() == host:
        return True
    # A proxy may forward the host without the port the browser used.
    return ":" not in host and (origin_parts.hostname or "").lower() == host


def set_session_cookie(response: Response, token: str, max_age: int, *, secure: bool) -> None:
    response.set_cookie(sessions.COOKIE_NAME, token, max_age=max_age, path="/", httponly=True,
                        samesite="lax", secure=secure)


async def claim(request: Request, host_allowed: Callable[[str | None], bool] = _any_host) -> Response:
    if not same_origin(request, host_allowed):
        return JSONResponse({"ok": False}, status_code=403)
    body = (await _read_at_most(request, 200)).decode("utf-8", "replace").strip()
    claimed = await run_in_threadpool(sessions.claim_ticket, body)
    if claimed is None:
        return JSONResponse({"ok": False}, status_code=400)
    token, max_age = claimed
    response = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    set_session_cookie(response, token, max_age, secure=_secure(request))
    return response


async def _read_at_most(request: Request, limit: int) -> bytes:
    """The first `limit` bytes of the body, without buffering a huge one."""
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) >= limit:
            break
    return data[:limit]


async def forget(request: Request, host_allowed: Callable[[str | None], bool] = _any_host) -> Response:
    if not same_origin(request, host_allowed):
        return JSONResponse({"ok": False}, status_code=403)
    response = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


def routes(host_allowed: Callable[[str | None], bool] = _any_host) -> list[Route]:
    """The cookie routes; `host_allowed` checks the Host header (ipoverseas.ui.server hands in Streamlit's)."""
    return [Route(CLAIM_PATH, partial(claim, host_allowed=host_allowed), methods=["POST"]),
            Route(FORGET_PATH, partial(forget, host_allowed=host_allowed), methods=["POST"])]
