"""The app's few scripts, served from its own origin (`/_ipoverseas/js/NAME.js`, files in
ipoverseas/ui/js/) and placed in a page with `st.html(tag(...))`.

Never inline: the Content-Security-Policy of deploy/nginx.conf allows scripts of the app's origin
only (docs/deploy.md, "Content-Security-Policy"). A script reads its inputs from its element's
`data-*` attributes (`document.currentScript.dataset`), so nothing is written into its code.
"""

from __future__ import annotations

import html
from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FOLDER = Path(__file__).resolve().parent / "js"
PREFIX = "/_ipoverseas/js/"
SCRIPTS = {path.name: path.read_text(encoding="utf-8") for path in FOLDER.glob("*.js")}


def tag(name: str, **data: str) -> str:
    """A `<script src>` element for js/NAME with data-KEY="value" attributes (escaped)."""
    assert name in SCRIPTS, name
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    src = ("/" + base if base else "") + PREFIX + name
    attributes = "".join(f' data-{key}="{html.escape(value)}"' for key, value in data.items())
    return f'<script src="{html.escape(src)}"{attributes}></script>'


def show(name: str, **data: str) -> None:
    """Run js/NAME in the browser now (an invisible element)."""
    st.html(tag(name, **data), unsafe_allow_javascript=True, width="content")


async def _serve(request: Request) -> Response:
    body = SCRIPTS.get(request.path_params["name"])
    if body is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


def routes() -> list[Route]:
    return [Route(PREFIX + "{name}", _serve, methods=["GET"])]
