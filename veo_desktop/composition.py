"""The composition root shared by the CLI and the GUI: builds and wires store, client, dispatcher, engine.

`wire_engine` is the one function that joins an engine service and its dispatcher; `open_engine` (the GUI,
the CLI, the benchmarks' children) and the test rig (`veo_desktop.testing.rig`, also the state machine's
restart) all call it, so there is one wiring to get right.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import socket
import sys
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from veo_desktop import faults
from veo_desktop.client.base import VeoProvider
from veo_desktop.client.from_settings import build_provider
from veo_desktop.client.http import check_base_url, make_http_client
from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.catalogue_sources import apply_user_catalogue
from veo_desktop.core.clock import Clock, ScaledClock, SystemClock
from veo_desktop.core.money import usd_to_micros
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.engine.catalogue_live import LiveCatalogue
from veo_desktop.engine.config import DispatchConfig, DispatcherDeps, Folders, Providers
from veo_desktop.engine.dispatcher import Dispatcher
from veo_desktop.engine.leases import pid_alive
from veo_desktop.engine.service import EngineService
from veo_desktop.engine.stills import LastFrameDecoder, last_frame_of
from veo_desktop.logsafe import register_secret
from veo_desktop.paths import AppPaths, resources_dir
from veo_desktop.settings import Settings
from veo_desktop.store import connection
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Holder, Store
from veo_desktop.store.frames import FrameStore
from veo_desktop.store.postgres.urls import team_url
from veo_desktop.store.sqlite import SqliteStore

log = logging.getLogger(__name__)

SIMULATOR_KEY = "sim-key"
LEGACY_PROVIDER = "gemini-veo"  # old Gemini Veo jobs: polled and downloaded, never started


def load_catalogue(paths: AppPaths | None = None) -> Catalogue:
    """The shipped catalogue with the user's `models.json` (config folder) applied; a bad or unreadable user
    file is ignored and `Catalogue.warnings` says why (never stops the start)."""
    shipped = (resources_dir() / "models.json").read_text(encoding="utf-8")
    user_file = paths.user_catalogue_file if paths is not None else None
    user_text: str | None = None
    read_error: str | None = None
    if user_file is not None and user_file.exists():
        try:
            user_text = user_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            read_error = getattr(exc, "strerror", None) or "it is not UTF-8 text"
    catalogue = apply_user_catalogue(shipped, user_text, user_source=str(user_file or ""), read_error=read_error)
    for warning in catalogue.warnings:
        log.warning("%s", warning)
    return catalogue


@dataclass(frozen=True, slots=True)
class EngineParts:
    engine: EngineService
    dispatcher: Dispatcher


def wire_engine(
    *,
    store: AsyncStore,
    providers: Providers,
    clock: Clock,
    folders: Folders,
    catalogue: Catalogue | LiveCatalogue,
    config: DispatchConfig,
    owner: Holder,
    rng: random.Random,
    priors_s: Mapping[str, float] | None = None,
    alive: Callable[[int], bool] = pid_alive,
    last_frame_decoder: LastFrameDecoder = last_frame_of,
) -> EngineParts:
    """Join an engine service and its dispatcher: the service wakes the dispatcher after every write, the
    dispatcher tells the service's subscribers when something changed. `priors_s` defaults to the
    catalogue's typical generation times; an unknown start's slot hold is the running catalogue's maximum
    generation time of its model (`max_generation_s`, models the account added later included). The service,
    the dispatcher and the providers' legacy mapping share one `LiveCatalogue`.
    Starts nothing: call `dispatcher.start()`."""
    live = catalogue if isinstance(catalogue, LiveCatalogue) else LiveCatalogue(catalogue)
    priors = dict(priors_s) if priors_s is not None else {m.id: m.typical_duration_s for m in live.current.models}
    providers.resolve = live.provider_of
    parts: list[Dispatcher] = []
    engine = EngineService(
        store=store,
        frames=FrameStore(folders.frames_dir),
        catalogue=live,
        providers=providers,
        clock=clock,
        slots=config.slots,
        wake=lambda: parts[0].wake(),
        priors_s=priors,
        rng=rng,
        last_frame_decoder=last_frame_decoder,
    )
    deps = DispatcherDeps(
        store=store,
        providers=providers,
        clock=clock,
        folders=folders,
        holder=owner,
        rng=rng,
        priors_s=priors,
        on_change=engine.notify,
        alive=alive,
        catalogue=live,
    )
    parts.append(Dispatcher(deps, config))
    return EngineParts(engine, parts[0])


@dataclass
class EngineOptions:
    paths: AppPaths
    settings: Settings = field(default_factory=Settings)
    simulate: bool = False  # run the built-in simulator on 127.0.0.1 and talk to it
    sim_speed: float = 1.0  # the clock speed of the engine and the built-in simulator
    sim_latency_s: tuple[float, float] = (8.0, 20.0)  # simulated generation time (clock seconds)
    api_key: Callable[[], str | None] | None = None  # default: the keyring (KeyStore)
    credentials_file: Path | None = None  # vertex-project: a service-account JSON key file (CLI --credentials)
    clock: Clock | None = None
    run_dispatcher: bool = True
    dispatch: DispatchConfig | None = None
    priors_s: Mapping[str, float] | None = None  # expected generation seconds per model (default: catalogue)
    last_frame_decoder: LastFrameDecoder = last_frame_of  # Continue's decoder: PyAV; the window passes Qt's


@dataclass
class RunningEngine:
    engine: EngineService
    dispatcher: Dispatcher
    http: httpx.AsyncClient
    store: AsyncStore
    simulator: object | None  # veo_desktop.simulator.Simulator when simulating
    settings: Settings
    paths: AppPaths
    api_key: Callable[[], str | None] = lambda: None
    api_base: str = ""
    credentials_file: Path | None = None  # vertex-project's key file given at launch (the CLI's, the simulator's)
    team_listener: object | None = None  # team mode: the LISTEN/NOTIFY wake-ups (store/postgres/listener.py)
    temp_files: list[Path] = field(default_factory=list)  # removed at close (the simulator's key file)

    async def apply_settings(self, new: Settings) -> list[str]:
        """Apply changed settings to the running engine, live. Returns the names of settings that only
        take effect at the next launch (the store location and the language)."""
        new = new.validated()
        if self.simulator is not None:
            new = _on_simulator(new, self.simulator)
        old, self.settings = self.settings, new
        slots = SlotConfig(new.max_in_flight, new.max_starts_per_minute)
        library = None
        if new.library_dir != old.library_dir:
            library = Path(new.library_dir) if new.library_dir else self.paths.library_dir
            await asyncio.to_thread(library.mkdir, parents=True, exist_ok=True)
        provider = None
        base = self._base_for(new)
        if base != self.api_base or _provider_fields(new) != _provider_fields(old):
            provider = (new.provider, self.provider_for(new, self.api_key))
            self.api_base = base
        self.dispatcher.reconfigure(slots=slots, library_dir=library, provider=provider)
        self.engine.reconfigure(slots=slots)
        on_team = team_url(old.store_path, old.team_url) is not None  # a team's budgets are its admin's
        if new.daily_budget_usd != old.daily_budget_usd and not on_team:
            budget = new.daily_budget_usd
            await self.engine.set_daily_budget(None if budget is None else usd_to_micros(budget))
        return [name for name in ("store_path", "team_url", "language") if getattr(new, name) != getattr(old, name)]

    def provider_for(self, settings: Settings, api_key: Callable[[], str | None]) -> VeoProvider:
        """A provider built the way the running one was (the simulator's hosts and key file when simulating),
        for `settings`: the live switch, and Settings' "Test key" with a key not saved yet."""
        if self.simulator is not None:
            settings = _on_simulator(settings, self.simulator)
        base = self._base_for(settings)
        check_base_url(base)
        return build_provider(
            settings, self.http, base_url=base, api_key=api_key, credentials_file=self.credentials_file
        )

    def _base_for(self, settings: Settings) -> str:
        sim = self.simulator
        return sim.base_url_for(settings.provider) if sim is not None else settings.effective_api_base()  # type: ignore[attr-defined]

    async def idle(self) -> bool:
        """True when this process's dispatcher has nothing left to do (see `Dispatcher.idle`)."""
        return await self.dispatcher.idle()

    async def aclose(self) -> None:
        if self.team_listener is not None:
            await asyncio.to_thread(self.team_listener.stop)  # type: ignore[attr-defined]
        await self.dispatcher.stop()
        await self.http.aclose()
        await self.store.aclose()
        if self.simulator is not None:
            await asyncio.to_thread(self.simulator.stop)  # type: ignore[attr-defined]
        for path in self.temp_files:
            path.unlink(missing_ok=True)


def _provider_fields(settings: Settings) -> tuple[object, ...]:
    """The settings a provider is built from besides its base URL: a change to any rebuilds it, live."""
    return (
        settings.provider,
        settings.api_version(),
        settings.project,
        settings.region,
        settings.effective_global_base(),
        settings.service_account_email,
    )


STOP_SIGNALS = ("SIGTERM", "SIGHUP")


def on_stop_signals(stop: Callable[[int], None]) -> Callable[[], None]:
    """Call `stop(signum)` on SIGTERM or SIGHUP (`timeout`, `kill`, a service manager, a closed terminal, a
    logout), so they stop the app gracefully, as Ctrl-C does: start answers on the wire are waited for. Call
    it on the running loop (the qasync loop too); returns a function that removes the handlers. Where the
    loop has no signal handlers (Windows), nothing is installed."""
    loop = asyncio.get_running_loop()
    installed: list[int] = []
    for name in STOP_SIGNALS:
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            loop.add_signal_handler(signum, stop, int(signum))
        except (NotImplementedError, RuntimeError, ValueError):
            continue
        installed.append(signum)

    def remove() -> None:
        for signum in installed:
            loop.remove_signal_handler(signum)

    return remove


def this_process() -> Holder:
    """The lease holder of this process: its host, its pid and a token unique to this run."""
    return Holder(host=socket.gethostname(), pid=os.getpid(), token=f"{os.getpid()}-{uuid.uuid4().hex[:8]}")


def _store_path(options: EngineOptions) -> Path:
    return Path(options.settings.store_path) if options.settings.store_path else options.paths.database


def _library_dir(options: EngineOptions) -> Path:
    return Path(options.settings.library_dir) if options.settings.library_dir else options.paths.library_dir


def _default_key_source() -> Callable[[], str | None]:
    from veo_desktop.secrets import KeyStore

    store = KeyStore()
    return store.get


def _team_store(url: str, data_dir: Path) -> Callable[[], Store]:
    from veo_desktop.store.postgres.team import store_factory  # psycopg only in team mode

    return store_factory(url, data_dir)


async def _team_listener(url: str, data_dir: Path, now_ms: Callable[[], int], *wakes: Callable[[], None]) -> object:
    """LISTEN/NOTIFY wakes the dispatcher and the views when another desktop frees a slot or queues a job."""
    from veo_desktop.store.postgres.team import start_listener

    loop = asyncio.get_running_loop()

    def wake() -> None:
        for fn in wakes:
            loop.call_soon_threadsafe(fn)

    return await asyncio.to_thread(start_listener, url, data_dir, wake, now_ms)


async def open_engine(options: EngineOptions) -> RunningEngine:
    """Open the store (refusing a damaged one), start the simulator if asked, and start the dispatcher."""
    faults.arm_from_env()
    settings = options.settings.validated()
    paths = options.paths
    connection.make_folders(paths.data_dir, paths.frames_dir, paths.staging_dir, _library_dir(options))
    clock = options.clock or (ScaledClock(options.sim_speed) if options.sim_speed != 1.0 else SystemClock())
    store_path = _store_path(options)  # its folder is made (or refused with a sentence) by the store
    team = team_url(settings.store_path, settings.team_url)
    store = AsyncStore(_team_store(team, paths.data_dir) if team else lambda: SqliteStore(store_path))
    try:
        await store.run(lambda s: s.queue_state())  # opens, migrates and checks the database
    except BaseException:
        await store.aclose()
        raise

    simulator = None
    api_base = settings.effective_api_base()
    key_source = options.api_key
    credentials_file = options.credentials_file
    sim_files: list[Path] = []
    if options.simulate:
        simulator, settings, credentials_file = await _start_simulator(options, settings, clock, sim_files)
        api_base = simulator.base_url_for(settings.provider)
        key_source = lambda: SIMULATOR_KEY  # noqa: E731
    check_base_url(api_base)
    if key_source is None:
        key_source = _default_key_source()
    register_secret(key_source())

    catalogue = LiveCatalogue(load_catalogue(paths), user_file=paths.user_catalogue_file)
    http = make_http_client()
    provider = build_provider(settings, http, base_url=api_base, api_key=key_source, credentials_file=credentials_file)
    providers = Providers.single(settings.provider, provider)
    legacy_base = simulator.gemini_url if simulator is not None else settings.gemini_base_url
    legacy = build_provider(settings, http, base_url=legacy_base, api_key=key_source, provider=LEGACY_PROVIDER)
    providers.add(LEGACY_PROVIDER, legacy, history_only=True)
    slots = SlotConfig(settings.max_in_flight, settings.max_starts_per_minute)
    priors = options.priors_s
    if priors is None and options.simulate:
        priors = {m.id: sum(options.sim_latency_s) / 2 for m in catalogue.current.models}
    parts = wire_engine(
        store=store,
        providers=providers,
        clock=clock,
        folders=Folders(paths.frames_dir, paths.staging_dir, _library_dir(options)),
        catalogue=catalogue,
        config=options.dispatch or DispatchConfig(slots=slots),
        owner=this_process(),
        rng=random.Random(),
        priors_s=priors,
        last_frame_decoder=options.last_frame_decoder,
    )
    engine, dispatcher = parts.engine, parts.dispatcher
    budget = settings.daily_budget_usd
    if team is None:  # a team's budgets live on its server, set by its admin
        await engine.set_daily_budget(None if budget is None else usd_to_micros(budget))
    listener = None
    if options.run_dispatcher:
        if team is not None:
            try:
                listener = await _team_listener(team, paths.data_dir, clock.wall_ms, dispatcher.wake, engine.notify)
            except BaseException:  # e.g. a transaction-mode pooler: refused, nothing started
                await http.aclose()
                await store.aclose()
                raise
        dispatcher.start()
    return RunningEngine(
        engine=engine,
        dispatcher=dispatcher,
        http=http,
        store=store,
        simulator=simulator,
        settings=settings,
        paths=paths,
        api_key=key_source,
        api_base=api_base,
        credentials_file=credentials_file,
        team_listener=listener,
        temp_files=sim_files,
    )


async def _start_simulator(
    options: EngineOptions, settings: Settings, clock: Clock, files: list[Path]
) -> tuple[Any, Settings, Path | None]:
    """Start the built-in simulator and point the provider at it: Gemini at its Gemini host; vertex-project at
    its regional and global hosts with a service-account key it trusts, written to a private temporary file
    and read through the same path as a real key file (`files` collects it for removal at close)."""
    from veo_desktop.simulator import Simulator

    # A second loopback host lets `[sim:redirect]` show the key being dropped on a cross-host redirect;
    # only Linux routes all of 127.0.0.0/8 to loopback by default.
    download_host = "127.0.0.2" if sys.platform.startswith("linux") else None
    simulator = Simulator(
        api_key=SIMULATOR_KEY, clock=clock, latency_s=options.sim_latency_s, download_host=download_host
    )
    await asyncio.to_thread(simulator.start)
    credentials_file = options.credentials_file
    if credentials_file is None:  # written even for another provider: a live switch to vertex-project uses it
        fd, name = tempfile.mkstemp(prefix="veo-sim-sa-", suffix=".json")
        os.close(fd)
        credentials_file = Path(name)
        files.append(credentials_file)
        await asyncio.to_thread(simulator.write_service_account, credentials_file)
    return simulator, _on_simulator(settings, simulator), credentials_file


def _on_simulator(settings: Settings, simulator: Any) -> Settings:
    """vertex-project's global host and project pointed at the simulator (the other providers need nothing)."""
    if settings.provider != "vertex-project":
        return settings
    return replace(settings, vertex_project_global_base_url=simulator.vertex_url, project=simulator.project)
