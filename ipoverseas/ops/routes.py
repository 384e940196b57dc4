"""The load balancer's health route, mounted beside the session routes (ipoverseas/ui/server.py).

`GET /_ipoverseas/health`: 200 with {"database": "ok", "migrations": "current"}, or 503 with
what is wrong. No login, no data; a database that does not answer within TIMEOUT_S is unreachable.
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import health

HEALTH_PATH = "/_ipoverseas/health"
TIMEOUT_S = 5.0


_in_flight: asyncio.Future | None = None


async def _check() -> dict[str, str]:
    """One check at a time per process: probes arriving meanwhile share it, so a database that
    hangs never ties up more than one worker thread however often the balancer asks."""
    global _in_flight
    if _in_flight is None or _in_flight.done():
        _in_flight = asyncio.ensure_future(run_in_threadpool(health.check))
    return await asyncio.wait_for(asyncio.shield(_in_flight), TIMEOUT_S)


async def health_route(request: Request) -> Response:
    try:
        result = await _check()
    except asyncio.TimeoutError:
        result = {"database": health.UNREACHABLE, "migrations": health.UNKNOWN}
    return JSONResponse(result, status_code=200 if health.healthy(result) else 503,
                        headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    return [Route(HEALTH_PATH, health_route, methods=["GET", "HEAD"])]
