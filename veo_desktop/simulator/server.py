"""The `Simulator`: builds the state, serves it on 127.0.0.1 (and optionally a second loopback download
host) from daemon threads, and exposes the counters and the script book to tests."""

from __future__ import annotations

import ipaddress
import threading
from types import TracebackType

from veo_desktop.core.catalogue import Catalogue, parse_catalogue
from veo_desktop.core.clock import Clock, SystemClock
from veo_desktop.paths import resources_dir
from veo_desktop.simulator import actions as a
from veo_desktop.simulator.handler import HandlerContext, SimServer
from veo_desktop.simulator.routes import ApiConfig, SimApi
from veo_desktop.simulator.script import ScriptBook
from veo_desktop.simulator.state import OperationBook, Quota, SimOperation, SimStats


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
        clock: Clock | None = None,
        latency_s: tuple[float, float] = (30.0, 90.0),
        seed: int = 0,
        max_in_flight: int = 2,
        max_starts_per_minute: int = 0,
        download_host: str | None = None,
        video_size_bytes: int | None = None,
        retention_s: float = 172_800.0,
        project: str = "123",
        location: str = "global",
        catalogue: Catalogue | None = None,
    ) -> None:
        _require_loopback(host)
        if download_host is not None:
            _require_loopback(download_host)
        if api_key is not None and not api_key:
            raise ValueError("api_key must be non-empty, or None to accept any key.")
        self._host, self._port, self._download_host = host, port, download_host
        self._clock: Clock = clock or SystemClock()
        self._stopping = threading.Event()
        self.stats = SimStats()
        self._scripts = ScriptBook()
        self._book = OperationBook(
            clock=self._clock,
            seed=seed,
            latency_s=latency_s,
            quota=Quota(max_in_flight, max_starts_per_minute),
            retention_s=retention_s,
            stats=self.stats,
            name_prefix={
                "vertex": f"projects/{project}/locations/{location}/publishers/google/",
                "gemini": "",
            },
        )
        catalogue = catalogue or parse_catalogue((resources_dir() / "models.json").read_text(encoding="utf-8"))
        api = SimApi(
            catalogue=catalogue,
            book=self._book,
            scripts=self._scripts,
            stats=self.stats,
            config=ApiConfig(project, location, video_size_bytes),
        )
        self._context = HandlerContext(
            api,
            self._book,
            self._scripts,
            self.stats,
            self._clock,
            api_key,
            self._stopping,
            self._redirect_base,
        )
        self._servers: list[SimServer] = []
        self._threads: list[threading.Thread] = []

    # --- lifecycle ---
    def start(self) -> Simulator:
        if self._servers:
            raise RuntimeError("The simulator is already running.")
        self._stopping.clear()
        main = SimServer((self._host, self._port), self._context, download_only=False)
        self._servers.append(main)
        if self._download_host is not None:
            try:
                self._servers.append(self._bind_download_host(main.server_address[1]))
            except OSError:
                self.stop()
                raise
        for server in self._servers:
            # A short poll interval keeps stop() quick (shutdown waits for the loop's next turn).
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="veo-simulator", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def _bind_download_host(self, port: int) -> SimServer:
        assert self._download_host is not None
        try:
            return SimServer((self._download_host, port), self._context, download_only=True)
        except OSError:
            return SimServer((self._download_host, 0), self._context, download_only=True)  # port taken there

    def stop(self) -> None:
        """Stop serving, end open connections and sleeping handlers, close every socket. Idempotent."""
        self._stopping.set()
        for server, thread in zip(self._servers, self._threads, strict=False):
            server.shutdown()
            thread.join()
        for server in self._servers:
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
    @property
    def port(self) -> int:
        if not self._servers:
            raise RuntimeError("The simulator is not running: call start() first.")
        return int(self._servers[0].server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def download_base_url(self) -> str | None:
        """Where scripted redirects send downloads: the second loopback host, if one was configured."""
        if len(self._servers) < 2:
            return None
        return f"http://{self._download_host}:{self._servers[1].server_address[1]}"

    def _redirect_base(self, host: str | None) -> str:
        if host is None or host == self._download_host:
            return self.download_base_url or self.base_url  # without a download host: a same-host redirect
        _require_loopback(host)
        return f"http://{host}:{self.port}"

    # --- tests' handles ---
    def in_flight(self) -> int:
        return self._book.in_flight()

    def operations(self) -> list[SimOperation]:
        """Every operation the simulator accepted, oldest first, with its generation time (`latency_s`)."""
        return self._book.operations()

    def script(
        self, phase: a.Phase, action: a.Action, *, match_prompt: str | None = None, times: int | None = 1
    ) -> None:
        """Make the next `times` requests of `phase` (whose prompt contains `match_prompt`, if given) meet
        `action`; times=None: every one. Outcome actions (filter, operation_error, no_video, latency, expire)
        use phase "start" and shape the generation of the next accepted start(s)."""
        self._scripts.add(phase, action, match_prompt=match_prompt, times=times)

    def clear_scripts(self) -> None:
        self._scripts.clear()

    def expire(self, operation_name: str | None = None) -> int:
        """Expire one operation (or all): its polls and files answer 404 from now on."""
        return self._book.expire(operation_name)
