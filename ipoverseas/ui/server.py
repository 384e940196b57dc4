"""The app's own HTTP routes as the Streamlit server mounts them (`st.App(routes=...)` in app.py)."""

from __future__ import annotations

from starlette.routing import Route
from streamlit.web.server.starlette.starlette_websocket import is_host_allowed

from ipoverseas.accounts import routes as account_routes
from ipoverseas.ops import routes as ops_routes
from ipoverseas.sharing import feed
from . import scripts


def routes() -> list[Route]:
    """The session-cookie routes, refusing a Host that `server.allowedHosts` does not allow, and
    the load balancer's health check, the app's scripts and the Atom feed of risk alerts."""
    return (account_routes.routes(host_allowed=is_host_allowed) + ops_routes.routes()
            + scripts.routes() + feed.routes())
