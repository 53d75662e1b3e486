"""The `Simulator`: builds the state, serves each Google host on its own 127.0.0.x port from daemon threads
(Vertex global and regional, Gemini, OAuth, blob), and exposes the counters, the switches, the script book
and the test credentials to tests."""

from __future__ import annotations

import ipaddress
import json
import os
import threading
from collections.abc import Collection, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from veo_desktop.core.clock import Clock, SystemClock
from veo_desktop.simulator import actions as a
from veo_desktop.simulator.files import FileApi
from veo_desktop.simulator.handler import HOST_KINDS, HandlerContext, SimServer
from veo_desktop.simulator.oauth import TokenAuthority, new_authorized_user, new_service_account
from veo_desktop.simulator.omni import OmniApi
from veo_desktop.simulator.script import ScriptBook
from veo_desktop.simulator.state import OperationBook, Quota, SimOperation, SimStats
from veo_desktop.simulator.switches import Switches
from veo_desktop.simulator.vertex import VertexApi, VertexConfig


def _require_loopback(host: str) -> None:
    try:
        loopback = ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"The simulator only listens on 127.0.0.0/8 addresses, not {host!r}.")


class Simulator:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = "sim-key",
        more_keys: Collection[str] = (),
        clock: Clock | None = None,
        latency_s: tuple[float, float] = (30.0, 90.0),
        seed: int = 0,
        max_in_flight: int = 2,
        max_starts_per_minute: int = 0,
        download_host: str | None = None,
        video_size_bytes: int | None = None,
        retention_s: float = 172_800.0,
        project: str = "sim-project",
        project_number: str = "123456789012",
        location: str = "global",
        switches: Mapping[str, str] | None = None,
        token_lifetime_s: float = 3599.0,
        file_processing_s: float = 2.0,
        cancel_delay_s: float = 1.0,
    ) -> None:
        _require_loopback(host)
        if download_host is not None:
            _require_loopback(download_host)
        if api_key is not None and not api_key:
            raise ValueError("api_key must be non-empty, or None to accept any key.")
        # Every key of the project reads every operation of the project, whichever key started it (a studio
        # gives each creator their own key; another creator's desktop polls with its own).
        keys = None if api_key is None else frozenset((api_key, *more_keys))
        self._host, self._port, self._download_host = host, port, download_host or host
        self._clock: Clock = clock or SystemClock()
        self._stopping = threading.Event()
        self.stats = SimStats()
        self.project, self.project_number = project, project_number
        self.switches = Switches(switches)
        self._scripts = ScriptBook()
        self._book = OperationBook(
            clock=self._clock,
            seed=seed,
            latency_s=latency_s,
            quota=Quota(max_in_flight, max_starts_per_minute),
            retention_s=retention_s,
            stats=self.stats,
        )
        self.tokens = TokenAuthority(self._clock.monotonic, token_lifetime_s)
        self.files = FileApi(
            book=self._book, stats=self.stats, switches=self.switches, clock=self._clock,
            processing_s=file_processing_s, retention_s=retention_s, blob_base=lambda: self.blob_url,
        )  # fmt: skip
        vertex = VertexApi(
            config=VertexConfig(project, project_number, location, video_size_bytes), book=self._book,
            scripts=self._scripts, stats=self.stats, switches=self.switches, tokens=self.tokens, api_key=keys,
        )  # fmt: skip
        omni = OmniApi(
            book=self._book, scripts=self._scripts, stats=self.stats, switches=self.switches, files=self.files,
            clock=self._clock, api_key=keys, cancel_delay_s=cancel_delay_s, stopping=self._stopping,
        )  # fmt: skip
        self._context = HandlerContext(
            vertex, omni, self.files, self.tokens, self._book, self._scripts, self.stats, self.switches,
            self._clock, keys, self._stopping, self._redirect_base,
        )  # fmt: skip
        self._servers: dict[str, SimServer] = {}
        self._threads: list[threading.Thread] = []

    # --- lifecycle ---
    def start(self) -> Simulator:
        if self._servers:
            raise RuntimeError("The simulator is already running.")
        self._stopping.clear()
        try:
            for kind in HOST_KINDS:
                host = self._download_host if kind == "blob" else self._host
                port = self._port if kind == "vertex" else 0
                self._servers[kind] = SimServer((host, port), self._context, kind=kind)
        except OSError:
            self.stop()
            raise
        for kind, server in self._servers.items():
            # A short poll interval keeps stop() quick (shutdown waits for the loop's next turn).
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.02}, name=f"veo-simulator-{kind}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop serving, end open connections and sleeping handlers, close every socket. Idempotent."""
        self._stopping.set()
        servers = list(self._servers.values())
        for server, thread in zip(servers, self._threads, strict=False):
            server.shutdown()
            thread.join()
        for server in servers:
            server.close_connections()
            server.server_close()  # joins the handler threads, which the lines above have woken
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- addresses ---
    def _url(self, kind: str) -> str:
        server = self._servers.get(kind)
        if server is None:
            raise RuntimeError("The simulator is not running: call start() first.")
        host, port = server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def port(self) -> int:
        """The Vertex (global) host's port."""
        return int(self._url("vertex").rsplit(":", 1)[1])

    @property
    def vertex_url(self) -> str:
        """aiplatform.googleapis.com: express (projectless) and project paths, v1 and v1beta1."""
        return self._url("vertex")

    base_url = vertex_url  # the default provider's host

    @property
    def vertex_regional_url(self) -> str:
        """{region}-aiplatform.googleapis.com (one listener serves every region)."""
        return self._url("vertex_regional")

    @property
    def gemini_url(self) -> str:
        """generativelanguage.googleapis.com: Interactions API, files, models (v1 and v1beta)."""
        return self._url("gemini")

    @property
    def oauth_url(self) -> str:
        return self._url("oauth")

    @property
    def token_uri(self) -> str:
        """The loopback OAuth token endpoint, for a key file's `token_uri`."""
        return self.oauth_url + "/token"

    @property
    def blob_url(self) -> str:
        """Where file downloads redirect to (the `download_host` address, or the main one, on its own port)."""
        return self._url("blob")

    @property
    def download_base_url(self) -> str:
        return self.blob_url

    def base_url_for(self, provider: str) -> str:
        """The host a provider's base URL setting points at: `gemini` (and the retired `gemini-veo`) → Gemini;
        `vertex-project` → the regional host; anything else → Vertex global."""
        if provider.startswith("gemini"):
            return self.gemini_url
        return self.vertex_regional_url if provider == "vertex-project" else self.vertex_url

    @property
    def hosts(self) -> dict[str, str]:
        return {kind: self._url(kind) for kind in HOST_KINDS}

    def _redirect_base(self, host: str | None) -> str:
        if host is None or host == self._download_host:
            return self.blob_url
        _require_loopback(host)
        return f"http://{host}:{self._servers['blob'].server_address[1]}"

    # --- tests' handles ---
    def in_flight(self) -> int:
        return self._book.in_flight()

    def operations(self) -> list[SimOperation]:
        """Every operation and interaction accepted, oldest first, with its generation time (`latency_s`)."""
        return self._book.operations()

    def script(
        self, phase: a.Phase, action: a.Action, *, match_prompt: str | None = None, times: int | None = 1
    ) -> None:
        """Make the next `times` requests of `phase` (whose prompt contains `match_prompt`, if given) meet
        `action`; times=None: every one. Outcome actions use phase "start" and shape the generation of the
        next accepted start(s)."""
        self._scripts.add(phase, action, match_prompt=match_prompt, times=times)

    def clear_scripts(self) -> None:
        self._scripts.clear()

    def set_switch(self, name: str, value: str) -> None:
        """Set an UNCONFIRMED behaviour for every later call (a prompt's `[sw:name=value]` still wins)."""
        self.switches.set(name, value)

    def expire(self, operation_name: str | None = None) -> int:
        """Expire one operation or interaction (or all): its polls and files answer 404 from now on."""
        return self._book.expire(operation_name)

    # --- credentials ---
    def service_account_info(self, name: str = "veo-sim") -> dict[str, Any]:
        """A fresh service-account key (RSA 2048) this simulator trusts, whose `token_uri` is its own."""
        info, public_key = new_service_account(self.token_uri, self.project, name=name)
        self.tokens.trust_service_account(info["client_email"], public_key)
        return info

    def authorized_user_info(self) -> dict[str, Any]:
        """A fresh ADC `authorized_user` credential this simulator trusts (refresh_token grant)."""
        info = new_authorized_user(self.token_uri, self.project)
        self.tokens.trust_user(info)
        return info

    def write_service_account(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        return _write_secret_json(Path(path), self.service_account_info())

    def write_authorized_user(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        return _write_secret_json(Path(path), self.authorized_user_info())

    def expire_tokens(self) -> int:
        """Every access token issued so far answers 401 ACCESS_TOKEN_EXPIRED from now on."""
        return self.tokens.expire_all()


def _write_secret_json(path: Path, info: dict[str, Any]) -> dict[str, Any]:
    """Write a key file readable by its owner only (it holds a private key or a refresh token)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(info, handle, indent=2)
    return info
