"""HTTP plumbing: the threading server (which can close its keep-alive connections on stop), request
routing, key checks, the request log, and writing replies with scripted faults (late, slow, cut, reset).

On the download host only file downloads are served, without a key (like a signed storage URL), and no
scripted faults fire there: it is where a redirect lands."""

from __future__ import annotations

import contextlib
import json
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
from veo_desktop.simulator.replies import (
    Reply,
    error_reply,
    html_reply,
    json_reply,
    malformed,
    redirect_reply,
)
from veo_desktop.simulator.routes import SimApi
from veo_desktop.simulator.script import ScriptBook
from veo_desktop.simulator.state import OperationBook, RequestRecord, SimStats

_VERTEX_START = re.compile(r"^/(?:v1|v1beta1)/publishers/google/models/([^/:]+):predictLongRunning$")
_VERTEX_POLL = re.compile(
    r"^/(?:v1|v1beta1)/(projects/[^/]+/locations/[^/]+/publishers/google/models/[^/:]+):fetchPredictOperation$"
)
_GEMINI_START = re.compile(r"^/v1beta/models/([^/:]+):predictLongRunning$")
_GEMINI_POLL = re.compile(r"^/v1beta/models/([^/:]+)/operations/([^/:]+)$")
_DOWNLOAD = re.compile(r"^/v1beta/files/([a-z0-9]+):download$")
_LIST = "/v1beta/models"
_MAX_BODY_BYTES = 100 * 1024 * 1024


log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HandlerContext:
    api: SimApi
    book: OperationBook
    scripts: ScriptBook
    stats: SimStats
    clock: Clock
    api_key: str | None  # None: any non-empty key is accepted
    stopping: threading.Event
    redirect_base: Callable[[str | None], str]  # host (None: download host) -> "http://host:port"


@dataclass(frozen=True, slots=True)
class Route:
    phase: a.Phase
    prompt: str | None
    run: Callable[[], Reply]


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a second simulator must never share a live port

    def __init__(self, address: tuple[str, int], context: HandlerContext, *, download_only: bool) -> None:
        self.context = context
        self.download_only = download_only
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
        # Access lines go to the debug log, not stderr (http.server's default), where they would bury
        # real failures; tests read stats.requests.
        log.debug("simulator: " + format, *args)

    def _handle(self, method: str) -> None:
        ctx = self.server.context
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        raw_body = self._read_body()
        if url.path == "/_sim/stats" and method == "GET":
            self._write(json_reply(ctx.stats.snapshot(ctx.book.in_flight())), None)
            return
        key_ok = self._record(method, url.path, query)
        action: a.TransportAction | None = None
        try:
            if not self.server.download_only:
                key_ok()  # Google checks the key before it looks at the path
            route = self._route(method, url.path, query, raw_body)
            if not self.server.download_only:
                action = ctx.scripts.take_transport(route.phase, route.prompt)
            reply = self._replacing(action) or route.run()
        except errors.ApiError as exc:
            reply = error_reply(exc)
        self._write(reply, action)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY_BYTES:
            self.close_connection = True
            return b""
        return self.rfile.read(length) if length > 0 else b""

    def _record(self, method: str, path: str, query: dict[str, list[str]]) -> Callable[[], None]:
        """Log the request (never the key's value) and return the check that raises on a bad key."""
        ctx = self.server.context
        key = self.headers.get("x-goog-api-key") or (query.get("key") or [""])[0]
        valid = bool(key) and (ctx.api_key is None or key == ctx.api_key)
        if "key" in query:
            query = {**query, "key": ["REDACTED"]}
        shown = path + ("?" + urlencode(query, doseq=True) if query else "")
        record = RequestRecord(self.headers.get("Host", ""), self.client_address[0], method, shown, bool(key), valid)
        ctx.stats.record_request(record, str(self.server.server_address[0]))

        def check() -> None:
            if not key:
                raise errors.missing_key()
            if not valid:
                raise errors.invalid_key()

        return check

    def _route(self, method: str, path: str, query: dict[str, list[str]], raw_body: bytes) -> Route:
        api = self.server.context.api
        if method == "GET" and (m := _DOWNLOAD.match(path)):
            file_id, range_header = m[1], self.headers.get("Range")
            return Route("download", self._file_prompt(file_id), lambda: api.download(file_id, query, range_header))
        if self.server.download_only:
            raise errors.not_found()
        if method == "POST" and (m := _VERTEX_START.match(path)):
            model_id = m[1]
            return Route("start", _body_prompt(raw_body), lambda: api.start("vertex", model_id, raw_body))
        if method == "POST" and (m := _GEMINI_START.match(path)):
            model_id = m[1]
            return Route("start", _body_prompt(raw_body), lambda: api.start("gemini", model_id, raw_body))
        if method == "POST" and (m := _VERTEX_POLL.match(path)):
            resource, name = m[1], _body_field(raw_body, "operationName")
            return Route("poll", self._op_prompt(name), lambda: api.vertex_poll(resource, raw_body))
        if method == "GET" and (m := _GEMINI_POLL.match(path)):
            model_id, op_id = m[1], m[2]
            name = f"models/{model_id}/operations/{op_id}"
            return Route("poll", self._op_prompt(name), lambda: api.gemini_poll(model_id, op_id))
        if method == "GET" and path == _LIST:
            return Route("list", None, lambda: api.list_models(query))
        raise errors.not_found(f"The requested URL {path} was not found on this server.")

    def _op_prompt(self, name: str | None) -> str | None:
        op = self.server.context.book.lookup(name) if name else None
        return op.prompt if op else None

    def _file_prompt(self, file_id: str) -> str | None:
        entry = self.server.context.book.lookup_file(file_id)
        return entry[0].prompt if entry else None

    def _replacing(self, action: a.TransportAction | None) -> Reply | None:
        """Answers given instead of the real server's (so a start answered this way was not accepted)."""
        if isinstance(action, a.HttpError):
            return error_reply(errors.stock_error(action.status, action.retry_after_s))
        if isinstance(action, a.HtmlPage):
            return html_reply(action.status)
        if isinstance(action, a.Redirect):
            return redirect_reply(self.server.context.redirect_base(action.host) + self.path)
        return None

    # --- writing ---
    def _write(self, reply: Reply, action: a.TransportAction | None) -> None:
        ctx = self.server.context
        if isinstance(action, a.Delay) and ctx.stopping.wait(ctx.clock.real_seconds(action.seconds)):
            self.close_connection = True  # stopping: no answer at all, like a server that went away
            return
        if isinstance(action, a.MalformedJson):
            reply = malformed(reply)
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

    def _send_half_then_reset(self, reply: Reply) -> None:
        remaining = reply.body.length // 2
        for chunk in reply.body.chunks():
            if remaining <= 0:
                break
            self.wfile.write(chunk[:remaining])
            remaining -= len(chunk)
        # SO_LINGER 0 makes close() send RST instead of FIN: the client sees a reset mid-body.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

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


def _body_field(raw_body: bytes, name: str) -> Any:
    try:
        body = json.loads(raw_body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body.get(name) if isinstance(body, dict) else None


def _body_prompt(raw_body: bytes) -> str | None:
    instances = _body_field(raw_body, "instances")
    if isinstance(instances, list) and instances and isinstance(instances[0], dict):
        prompt = instances[0].get("prompt")
        return prompt if isinstance(prompt, str) else None
    return None
