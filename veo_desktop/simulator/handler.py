"""HTTP plumbing: the threading server (one per Google host, each on its own loopback port), request parsing,
the request log, routing to the host's API, and writing replies with scripted faults (late, slow, cut, reset).

Host kinds: `vertex` (aiplatform.googleapis.com) and `vertex_regional` ({region}-aiplatform…) serve the
Vertex routes; `gemini` (generativelanguage…) the Interactions API, files and models; `oauth`
(oauth2.googleapis.com) `POST /token`; `blob` the download redirects' target. No scripted faults fire on the
blob host. `GET /_sim/stats` (no key) on any host answers the counters as JSON."""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from veo_desktop.core.clock import Clock
from veo_desktop.simulator import actions as a
from veo_desktop.simulator import errors
from veo_desktop.simulator.files import FileApi
from veo_desktop.simulator.oauth import OAuthError, TokenAuthority
from veo_desktop.simulator.omni import OmniApi
from veo_desktop.simulator.replies import Reply, html_reply, json_reply, malformed, redirect_reply
from veo_desktop.simulator.request import Req, Route
from veo_desktop.simulator.script import ScriptBook
from veo_desktop.simulator.state import OperationBook, RequestRecord, SimStats
from veo_desktop.simulator.switches import Switches
from veo_desktop.simulator.vertex import VertexApi

_MAX_BODY_BYTES = 100 * 1024 * 1024
_KEY_IN_QUERY = re.compile(r"([?&]key=)[^&\s]*")
HOST_KINDS = ("vertex", "vertex_regional", "gemini", "oauth", "blob")

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HandlerContext:
    vertex: VertexApi
    omni: OmniApi
    files: FileApi
    tokens: TokenAuthority
    book: OperationBook
    scripts: ScriptBook
    stats: SimStats
    switches: Switches
    clock: Clock
    api_key: frozenset[str] | None  # the project's keys; None: any non-empty key is accepted
    stopping: threading.Event
    redirect_base: Callable[[str | None], str]  # host (None: blob host) -> "http://host:port"


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a second simulator must never share a live port

    def __init__(self, address: tuple[str, int], context: HandlerContext, *, kind: str) -> None:
        self.context = context
        self.kind = kind
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SimHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake handler threads blocked on idle keep-alive connections, so server_close() can join them."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def _token_route(ctx: HandlerContext, req: Req) -> Route:
    if req.method != "POST" or req.path != "/token":
        raise errors.not_found(f"The requested URL {req.path} was not found on this server.")
    return Route("token", None, lambda: _grant(ctx, req))


def _grant(ctx: HandlerContext, req: Req) -> Reply:
    reply = ctx.tokens.grant(req.body)
    if reply.status == 200:
        ctx.stats.count("token_grants")
    return reply


def _blob_route(ctx: HandlerContext, req: Req) -> Route:
    parts = req.path.strip("/").split("/")
    if req.method == "GET" and len(parts) == 2 and parts[0] == "blob":
        return Route("download", None, lambda: ctx.files.blob(req, parts[1]))
    if req.method == "GET" and req.path.endswith(":download") and "/files/" in req.path:  # a scripted redirect
        file_id = req.path.rsplit("/", 1)[-1].removesuffix(":download")
        return Route("download", None, lambda: ctx.files.blob(req, file_id))
    raise errors.not_found(f"The requested URL {req.path} was not found on this server.")


class SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    timeout = 60  # seconds a connection may sit idle or stall a write
    # Without TCP_NODELAY every small loopback answer waits ~40 ms for a delayed ACK, which a scaled
    # clock multiplies into seconds of simulated time.
    disable_nagle_algorithm = True
    server: SimServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        # Access lines go to the debug log, not stderr (http.server's default); tests read stats.requests.
        # A key sent as `?key=` is in the request line: it never reaches the log.
        log.debug("simulator: " + format, *(_KEY_IN_QUERY.sub(r"\1REDACTED", str(arg)) for arg in args))

    def _handle(self, method: str) -> None:
        ctx, kind = self.server.context, self.server.kind
        url = urlsplit(self.path)
        if url.path == "/_sim/stats" and method == "GET":
            self._write(json_reply(ctx.stats.snapshot(ctx.book.in_flight())), None)
            return
        if kind != "blob" and self._reset_before_body(url.path):
            return
        req = self._request(method, url.path, parse_qs(url.query))
        action: a.TransportAction | None = None
        prompt: str | None = None
        try:
            route = self._route(req)
            prompt = route.prompt
            if kind != "blob":
                action = ctx.scripts.take_transport(route.phase, route.prompt)
            reply = self._replacing(action, kind, prompt) or route.run()
        except errors.ApiError as exc:
            reply = self._error(exc, prompt)
        except OAuthError as exc:
            reply = exc.reply()
        self._write(reply, action)

    def _reset_before_body(self, path: str) -> bool:
        phase: a.Phase = "token" if path == "/token" else _phase_guess(path)
        if not self.server.context.scripts.take_pre_body(phase):
            return False
        self._reset()
        return True

    def _request(self, method: str, path: str, query: dict[str, list[str]]) -> Req:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY_BYTES:
            self.close_connection = True
            body = b""
        else:
            body = self.rfile.read(length) if length > 0 else b""
        key = self.headers.get("x-goog-api-key") or (query.get("key") or [""])[0]
        auth = self.headers.get("Authorization") or ""
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        self._record(method, path, query, key, bool(auth))
        return Req(method, path, query, self.headers, body, key, bearer, self.server.kind)

    def _record(self, method: str, path: str, query: dict[str, list[str]], key_value: str, auth: bool) -> None:
        """Log the request, never the key's or token's value."""
        ctx = self.server.context
        if "key" in query:
            query = {**query, "key": ["REDACTED"]}
        shown = path + ("?" + urlencode(query, doseq=True) if query else "")
        valid = bool(key_value) and (ctx.api_key is None or key_value in ctx.api_key)
        record = RequestRecord(
            self.headers.get("Host", ""),
            self.client_address[0],
            method,
            shown,
            bool(key_value),
            valid,
            self.server.kind,
            auth,
        )
        ctx.stats.record_request(record, str(self.server.server_address[0]))

    def _route(self, req: Req) -> Route:
        ctx, kind = self.server.context, self.server.kind
        if kind in ("vertex", "vertex_regional"):
            return ctx.vertex.route(req)
        if kind == "gemini":
            return ctx.omni.route(req)
        if kind == "oauth":
            return _token_route(ctx, req)
        return _blob_route(ctx, req)

    def _error(self, exc: errors.ApiError, prompt: str | None) -> Reply:
        style = self.server.context.omni.error_style(prompt) if self.server.kind == "gemini" else "google"
        reply = json_reply(exc.envelope(style), exc.http_status)
        reply.headers.update(exc.headers)
        return reply

    def _replacing(self, action: a.TransportAction | None, kind: str, prompt: str | None) -> Reply | None:
        """Answers given instead of the real server's (so a start answered this way was not accepted)."""
        ctx = self.server.context
        if isinstance(action, a.HttpError):
            if kind == "oauth":
                return OAuthError(action.status, "internal_failure" if action.status >= 500 else "invalid_request",
                                  "The token endpoint failed.").reply()  # fmt: skip
            dialect = "gemini" if kind == "gemini" else "vertex"
            retry_on = ctx.switches.get("vertex_429_retryinfo", prompt) == "on"
            exc = errors.stock_error(action.status, action.retry_after_s, dialect=dialect, retry_info_on=retry_on)
            return self._error(exc, prompt)
        if isinstance(action, a.InvalidGrant):
            return OAuthError(400, "invalid_grant", action.description).reply()
        if isinstance(action, a.HtmlPage):
            return html_reply(action.status)
        if isinstance(action, a.Redirect):
            return redirect_reply(ctx.redirect_base(action.host) + self.path)
        return None

    # --- writing ---
    def _write(self, reply: Reply, action: a.TransportAction | None) -> None:
        ctx = self.server.context
        if isinstance(action, a.Delay) and ctx.stopping.wait(ctx.clock.real_seconds(action.seconds)):
            self.close_connection = True  # stopping: no answer at all, like a server that went away
            return
        if isinstance(action, a.MalformedJson):
            reply = malformed(reply)
        elif isinstance(action, a.MissingName) and reply.status == 200:
            reply = json_reply({})
        try:
            self._send_head(reply)
            if isinstance(action, a.Reset):
                self._send_half_then_reset(reply)
            elif isinstance(action, a.SlowBody):
                self._send_slowly(reply, ctx.clock.real_seconds(action.seconds))
            else:
                for chunk in reply.body.chunks():
                    self.wfile.write(chunk)
        except OSError:
            self.close_connection = True  # the client went away (timeout, reset): nothing more to say

    def _send_head(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.body.content_type)
        self.send_header("Content-Length", str(reply.body.length))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _send_half_then_reset(self, reply: Reply) -> None:
        remaining = reply.body.length // 2
        for chunk in reply.body.chunks():
            if remaining <= 0:
                break
            self.wfile.write(chunk[:remaining])
            remaining -= len(chunk)
        self.wfile.flush()
        self._reset()

    def _send_slowly(self, reply: Reply, duration_real_s: float) -> None:
        total = max(1, reply.body.length)
        piece_bytes = max(1, total // 20)
        started = time.monotonic()
        sent = 0
        for chunk in reply.body.chunks():
            for offset in range(0, len(chunk), piece_bytes):
                piece = chunk[offset : offset + piece_bytes]
                self.wfile.write(piece)
                sent += len(piece)
                wait_s = started + duration_real_s * sent / total - time.monotonic()
                if wait_s > 0 and self.server.context.stopping.wait(wait_s):
                    raise ConnectionAbortedError("simulator stopping")


def _phase_guess(path: str) -> a.Phase:
    """The phase of a request from its path alone (before its body is read)."""
    if path.endswith((":predictLongRunning", "/interactions")):
        return "start"
    if path.endswith(":download"):
        return "download"
    if ":fetchPredictOperation" in path or "/interactions/" in path:
        return "cancel" if path.endswith("/cancel") else "poll"
    if "/files/" in path:
        return "file"
    return "list"
