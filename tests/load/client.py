"""A Streamlit client that speaks the app's own protocol, as a browser tab does (no browser).

One `StreamlitTab` is one browser tab: an HTTP session (cookies: Streamlit's XSRF cookie, the
app's `ipo_session`, the balancer's routing cookie if it gives one) and the WebSocket `/_stcore/stream`, over which
it sends `BackMsg.rerun_script` (page, query string, widget states) and reads `ForwardMsg`s until
`script_finished`. The messages are the protobufs of the installed Streamlit package.

- `run(page, query, widgets)` -> a `PageRun`: the time from the rerun request to the last
  `script_finished` (a `st.rerun()` inside the script continues the same page time), the elements
  shown, and the errors (an exception element, an `st.error` whose text is one of `failures`, a
  compile error, a `page_not_found`).
- `login(username, password)`: fills the login form, then claims the HttpOnly cookie from the app's
  cookie route (`POST /session/claim` with the one-time ticket the page hands to its browser).
- `upload(widget, name, data)`: the browser's upload: `file_urls_request` for an upload URL,
  `PUT /_stcore/upload_file/<session>/<file>` (multipart, with the XSRF header), then a rerun with
  the widget's `FileUploaderState`.

Errors raise `LoadError` (a WebSocket failure, an HTTP status >= 400, a timeout, an exception on
the page); `PageRun.errors` lists what the page showed.
"""

from __future__ import annotations

import html
import itertools
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

XSRF_COOKIE = "_streamlit_xsrf"
CLAIM_PATH = "/session/claim"     # ipoverseas.accounts.routes.CLAIM_PATH (kept literal: no app import here)
# The page hands the ticket to its served script (ipoverseas/ui/scripts.py) as escaped data-* attributes.
_TICKET = re.compile(r'browser-call\.js"[^>]*?data-path="([^"]*)"[^>]*?data-body="([^"]*)"')
_request_ids = itertools.count(1)


class LoadError(Exception):
    """What a user would see as a failure: a broken connection, an HTTP error, an error on the page.
    `broken`: the tab is unusable (connection, HTTP, timeout) and must be opened again."""

    def __init__(self, message: str, broken: bool = False):
        super().__init__(message)
        self.broken = broken


@dataclass
class Widget:
    kind: str            # the Element field: "text_input", "button", "selectbox", ...
    id: str
    label: str
    form_id: str
    proto: object


@dataclass
class PageRun:
    page: str
    seconds: float
    texts: list[str] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)

    def widget(self, kind: str, label: str) -> Widget:
        """The first widget of this kind whose label starts with `label` (a "*" for required is allowed)."""
        for w in self.widgets:
            if w.kind == kind and w.label.startswith(label):
                return w
        raise LoadError(f"{self.page}: no {kind} labelled {label!r} among "
                        f"{[(w.kind, w.label) for w in self.widgets][:40]}")

    def shows(self, text: str) -> bool:
        return any(text in t for t in self.texts)


def _text_of(kind: str, element) -> str | None:
    if kind in ("markdown", "heading", "text", "alert", "code"):
        inner = getattr(element, kind)
        return getattr(inner, "body", None) or getattr(inner, "text_value", None) or str(inner)
    if kind == "metric":
        return f"{element.metric.label} {element.metric.body}"
    return None


class StreamlitTab:
    """One browser tab on the app at `base_url` (http://host:port, through nginx or direct)."""

    def __init__(self, base_url: str, timeout: float = 60.0, failures: frozenset[str] = frozenset()):
        """`failures`: the texts of `st.error` messages that mean the page failed (the app's own)."""
        self.base = base_url.rstrip("/")
        self.failures = failures
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "ipoverseas-load/1"
        self.ws = None
        self.session_id: str | None = None
        self.page: str = ""
        self.query: str = ""       # the address bar's query string (the app may change it, as in a browser)
        self._values: dict[str, WidgetState] = {}

    # --- HTTP -------------------------------------------------------------------------

    def _http(self, method: str, url: str, what: str, **kwargs) -> requests.Response:
        try:
            response = self.http.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise LoadError(f"{what}: HTTP {exc!r}", broken=True) from exc
        if response.status_code >= 400:
            raise LoadError(f"{what}: HTTP {response.status_code} {response.text[:200]}", broken=True)
        return response

    def _xsrf(self) -> str:
        value = self.http.cookies.get(XSRF_COOKIE)
        if not value:
            raise LoadError("no XSRF cookie")
        return value

    # --- the WebSocket ----------------------------------------------------------------

    def open(self) -> None:
        """Load the page shell (the XSRF cookie comes with the health check the page makes) and connect."""
        self._http("GET", self.base + "/", "GET /")
        self._http("GET", self.base + "/_stcore/health", "health")
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        url = "ws" + self.base[len("http"):] + "/_stcore/stream"
        try:
            self._connection = connect(url, subprotocols=["streamlit", self._xsrf()], open_timeout=self.timeout,
                                       additional_headers={"Cookie": cookie, "Origin": self.base},
                                       max_size=64 * 1024 * 1024, user_agent_header="ipoverseas-load/1")
            self.ws = self._connection.__enter__()
        except (OSError, WebSocketException) as exc:
            raise LoadError(f"websocket: {exc!r}", broken=True) from exc

    def close(self) -> None:
        if self.ws is not None:
            try:
                self._connection.__exit__(None, None, None)
            except Exception:
                pass
            self.ws = None

    def _send(self, msg: BackMsg) -> None:
        try:
            self.ws.send(msg.SerializeToString())
        except (OSError, WebSocketException) as exc:
            raise LoadError(f"websocket send: {exc!r}", broken=True) from exc

    def _receive(self, deadline: float) -> ForwardMsg:
        try:
            data = self.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        except TimeoutError as exc:
            raise LoadError(f"{self.page}: no script_finished within {self.timeout:.0f} s", broken=True) from exc
        except (OSError, WebSocketException) as exc:
            raise LoadError(f"websocket receive: {exc!r}", broken=True) from exc
        msg = ForwardMsg()
        msg.ParseFromString(data)
        return msg

    # --- a page run -------------------------------------------------------------------

    def run(self, page: str | None = None, query: dict | str | None = None, widgets: list[WidgetState] = (),
            *, keep_widgets: bool = True) -> PageRun:
        """Rerun the script on `page` (its url path; None: the page open now) and read until it finishes.

        `query`: the new address's query (None: the page open now keeps its own). A new page starts
        with no widget values; on the same page the values set before are sent again (a browser sends
        every widget's value), triggers only once."""
        if self.ws is None:
            self.open()
        if page is not None and page != self.page:
            self._values = {}
            self.page = page
        if not keep_widgets:
            self._values = {}
        for w in widgets:
            if w.WhichOneof("value") not in ("trigger_value", "string_trigger_value", "json_trigger_value"):
                self._values[w.id] = w
        sent = {**self._values, **{w.id: w for w in widgets}}
        msg = BackMsg()
        state = msg.rerun_script
        if query is not None or page is not None:
            self.query = query if isinstance(query, str) else urlencode(query or {})
        state.query_string = self.query
        state.page_name = self.page
        state.widget_states.widgets.extend(sent.values())
        started = time.monotonic()
        deadline = started + self.timeout
        result = PageRun(page=self.page or "(main)", seconds=0.0)
        self._send(msg)
        while True:
            fwd = self._receive(deadline)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element, result)
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "page_not_found":
                result.errors.append(f"page not found: {fwd.page_not_found.page_name}")
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    result.texts.clear()
                    result.widgets.clear()
                    result.html.clear()
                    continue          # st.rerun(): the same page goes on
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    result.errors.append("script compile error")
                break
        result.seconds = time.monotonic() - started
        return result

    def _element(self, element, result: PageRun) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            exc = element.exception
            result.errors.append(f"{exc.type}: {exc.message}"[:500])
            return
        if kind == "alert" and element.alert.format == Alert.ERROR and element.alert.body in self.failures:
            # The app shows its failures itself: its shell turns an uncaught exception into an
            # `st.error` ("sorry, the page failed"), and a busy database into "retry later".
            result.errors.append(f"st.error: {element.alert.body}"[:500])
        if kind == "html":
            result.html.append(element.html.body)
            return
        text = _text_of(kind, element)
        if text is not None:
            result.texts.append(text)
        inner = getattr(element, kind)
        widget_id = getattr(inner, "id", "")
        if widget_id:
            result.widgets.append(Widget(kind, widget_id, getattr(inner, "label", ""), getattr(inner, "form_id", ""),
                                         inner))

    # --- what users do ----------------------------------------------------------------

    def login(self, username: str, password: str) -> PageRun:
        """The login form, then the cookie route with the page's one-time ticket. Returns the page after it."""
        form = self.run("")
        if form.errors:
            raise LoadError(f"login page: {form.errors}")
        inputs = [w for w in form.widgets if w.kind == "text_input"]
        submit = [w for w in form.widgets if w.kind == "button" and w.proto.is_form_submitter]
        if len(inputs) < 2 or not submit:
            raise LoadError(f"no login form: {[(w.kind, w.label) for w in form.widgets]}")
        after = self.run(None, widgets=[text(inputs[0].id, username), text(inputs[1].id, password),
                                        trigger(submit[0].id)])
        tickets = [m for body in after.html for m in _TICKET.findall(body) if html.unescape(m[0]).endswith(CLAIM_PATH)]
        if not tickets:
            raise LoadError(f"login of {username} failed: {after.texts[:5]} {after.errors}")
        path, ticket = (html.unescape(x) for x in tickets[0])
        self._http("POST", self.base + path, "claim", data=ticket.encode(),
                   headers={"Content-Type": "text/plain", "Origin": self.base})
        if not self.http.cookies.get("ipo_session"):
            raise LoadError("the cookie route set no session cookie")
        self._values = {}
        return after

    def upload(self, widget: Widget, name: str, data: bytes, mime: str) -> PageRun:
        """Upload `data` into the file uploader `widget` of the page open now, as the browser does."""
        request_id = f"load-{next(_request_ids)}"
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(name)
        msg.file_urls_request.session_id = self.session_id or ""
        self._send(msg)
        deadline = time.monotonic() + self.timeout
        while True:
            fwd = self._receive(deadline)
            if fwd.WhichOneof("type") == "file_urls_response" and fwd.file_urls_response.response_id == request_id:
                break
        response = fwd.file_urls_response
        if response.error_msg or not response.file_urls:
            raise LoadError(f"no upload URL: {response.error_msg}")
        urls = response.file_urls[0]
        upload_url = urls.upload_url if urls.upload_url.startswith("http") else self.base + urls.upload_url
        self._http("PUT", upload_url, "upload", files={"file": (name, data, mime)},
                   headers={"X-Xsrftoken": self._xsrf(), "Origin": self.base})
        state = WidgetState(id=widget.id)
        info = FileUploaderState()
        uploaded = info.uploaded_file_info.add()
        uploaded.name, uploaded.size, uploaded.file_id = name, len(data), urls.file_id
        uploaded.file_urls.CopyFrom(urls)
        state.file_uploader_state_value.CopyFrom(info)
        return self.run(None, widgets=[state])


def text(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)


def trigger(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)
