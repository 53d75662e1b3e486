"""The dispatcher's configuration and collaborators, in their own module so imports point one way:
`dispatcher` → `starter` / `outcomes` / `downloader` → `config`, and nothing here imports them back.

- `DispatchConfig`: numbers (slots, lease, retry limits, poll policy), immutable; replaced as a whole by
  `Dispatcher.reconfigure`.
- `Folders`: where frames are read, inline videos staged and finished videos written.
- `Providers`: the providers this process can use, by name. A job is started, polled and downloaded only by
  the provider it was queued for; a job whose provider is missing waits (it is never sent elsewhere).
- `Notify`: the callback a helper calls after it changed something (`freed_slot=True` when a slot freed).
- `StartJournal`: the desktop's outbox of starts (team-mode design §2.6; `store.outbox.AsyncOutbox`).
- `DispatcherDeps`: what the composition root hands the dispatcher (store, providers, clock, folders,
  the lease holder, the outbox, randomness, priors, maximum generation times and the front end's change
  callback).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from veo_desktop.client.base import VeoProvider
from veo_desktop.core.clock import Clock
from veo_desktop.core.jobs import Job
from veo_desktop.core.outbox import OutboxEntry
from veo_desktop.core.scheduling import PollPolicy, SlotConfig
from veo_desktop.engine.catalogue_live import LiveCatalogue
from veo_desktop.engine.leases import pid_alive
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Holder

RETENTION_S = 2 * 24 * 3600
DEFAULT_MAX_GENERATION_S = 600.0  # a start's slot hold when the catalogue gives no maximum for its model


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    slots: SlotConfig = field(default_factory=SlotConfig)
    lease_ms: int = 60_000
    start_retry_limit: int = 3  # 500/503 answers to a start before the job fails
    retention_s: float = RETENTION_S
    poll: PollPolicy = field(default_factory=PollPolicy)
    idle_check_s: float = 1.0  # look for other processes' changes this often (clock seconds)
    adopt_every_s: float = 15.0  # take over jobs of processes that died
    stop_grace_s: float = 10.0  # real seconds a graceful stop waits for start calls on the wire


@dataclass(frozen=True, slots=True)
class Folders:
    frames_dir: Path
    staging_dir: Path
    library_dir: Path


class Providers:
    """The providers of this process by name, and the one new jobs are queued with (`default`).
    One instance is shared by the dispatcher's parts and the engine service, which only read it."""

    def __init__(self, providers: Mapping[str, VeoProvider], *, default: str) -> None:
        if default not in providers:
            raise ValueError(f"the default provider {default!r} is not among {sorted(providers)}")
        self._by_name = dict(providers)
        self.default = default
        self._history_only: set[str] = set()
        self.resolve: Callable[[Job], str] = lambda job: job.provider  # wire_engine maps legacy rows

    def of(self, job: Job) -> VeoProvider:
        """The provider that polls, downloads (and starts) this job: its own, where an old `gemini` row with a
        Veo model is a `gemini-veo` job (history only), falling back to the stored name."""
        name = self.resolve(job)
        provider = self._by_name.get(name)
        return provider if provider is not None else self.for_job(job.provider)

    @classmethod
    def single(cls, name: str, provider: VeoProvider) -> Providers:
        return cls({name: provider}, default=name)

    def get(self, name: str) -> VeoProvider | None:
        return self._by_name.get(name)

    def for_job(self, name: str) -> VeoProvider:
        """The provider a job was queued with. The dispatcher claims and adopts only jobs of providers it has
        (`names()`), so a missing one here is a bug, never a reason to send the job to another provider."""
        provider = self._by_name.get(name)
        if provider is None:
            raise LookupError(f"this process has no {name!r} provider; the job waits for one that has")
        return provider

    def current(self) -> VeoProvider:
        return self._by_name[self.default]

    def names(self) -> frozenset[str]:
        return frozenset(self._by_name)

    def add(self, name: str, provider: VeoProvider, *, history_only: bool = False) -> None:
        """Make `name` available without changing the default; `history_only` (the retired `gemini-veo`):
        it polls and downloads the jobs it already started, and no job is ever claimed to start with it."""
        self._by_name[name] = provider
        if history_only:
            self._history_only.add(name)
        else:
            self._history_only.discard(name)

    def startable(self) -> frozenset[str]:
        """The providers jobs may be claimed for (all but the history-only ones)."""
        return frozenset(self._by_name) - self._history_only

    def use(self, name: str, provider: VeoProvider) -> None:
        """Make `name` the default (added or replaced). The others stay, so operations started with an
        earlier provider are still polled and downloaded through it. Only `Dispatcher.reconfigure` calls it."""
        self._by_name[name] = provider
        self.default = name

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)


class Notify(Protocol):
    def __call__(self, freed_slot: bool = False) -> None: ...


class StartJournal(Protocol):
    """The outbox of starts: an entry per (job, fence), on disk when `record` returns; calls never block the
    event loop."""

    async def record(self, entry: OutboxEntry) -> None: ...

    async def forget(self, job_id: str, fence: int) -> None: ...

    def forget_soon(self, job_id: str, fence: int) -> None:
        """Queue the removal behind the journal's earlier calls, without waiting (a failure is logged)."""
        ...

    async def entries(self) -> list[OutboxEntry]: ...

    async def aclose(self) -> None: ...


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class DispatcherDeps:
    store: AsyncStore
    providers: Providers
    clock: Clock
    folders: Folders
    holder: Holder  # this process, as its leases name it
    outbox: StartJournal  # the desktop's journal of starts, replayed at start-up and after a store outage
    rng: random.Random = field(default_factory=random.Random)
    priors_s: Mapping[str, float] = field(default_factory=dict)  # expected generation seconds per model
    max_generation_s: Mapping[str, float] = field(default_factory=dict)  # Google's longest, per model
    on_change: Callable[[], None] = _nothing
    alive: Callable[[int], bool] = pid_alive  # whether a process of this host still exists
    catalogue: LiveCatalogue | None = None  # the running catalogue (holds, settlement, slot holds)

    def hold_s(self, model_id: str) -> float:
        """How long an unknown start of this model keeps its slot (Google may be generating it): the running
        catalogue's `max_generation_s` (models the account added later too), else the fixed map."""
        fallback = self.max_generation_s.get(model_id, DEFAULT_MAX_GENERATION_S)
        if self.catalogue is None:
            return fallback
        return self.catalogue.max_generation_s(model_id, fallback)
