"""EngineService: the one object the CLI and the GUI talk to (implements `engine.api.Engine`).

It validates and prices requests, writes through the async store, wakes the dispatcher, and tells
subscribers when something changed (coalesced, so a burst of 200 changes is a handful of callbacks).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from veo_desktop.client.base import RemoteModel
from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.clock import Clock
from veo_desktop.core.cost import request_cost_micros
from veo_desktop.core.ids import new_job_id
from veo_desktop.core.jobs import Job
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.scheduling import SlotConfig, prior_s
from veo_desktop.core.validation import ValidationError, validate_request
from veo_desktop.engine.api import QueueSnapshot, StoreStatus
from veo_desktop.engine.config import Providers
from veo_desktop.engine.snapshot import day_bounds_ms, read_snapshot
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Event, LedgerEntry, NewJob, Store
from veo_desktop.store.frames import FrameStore

log = logging.getLogger(__name__)

NOTIFY_COALESCE_S = 0.05
T = TypeVar("T")


class EngineService:
    def __init__(
        self,
        *,
        store: AsyncStore,
        frames: FrameStore,
        catalogue: Catalogue,
        providers: Providers,
        clock: Clock,
        slots: SlotConfig,
        wake: Callable[[], None],
        priors_s: Mapping[str, float],
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.frames = frames
        self.catalogue = catalogue
        self._providers = providers
        self.clock = clock
        self.slots = slots
        self._wake = wake
        self._priors_s = priors_s
        self._rng = rng or random.Random()
        self._subscribers: list[Callable[[], None]] = []
        self._notify_handle: asyncio.TimerHandle | None = None
        self._submit_lock = asyncio.Lock()

    @property
    def provider_name(self) -> str:
        """The provider new jobs are queued with."""
        return self._providers.default

    def available_providers(self) -> frozenset[str]:
        """The providers this process can start, poll and download with."""
        return self._providers.names()

    def reconfigure(self, *, slots: SlotConfig) -> None:
        """Live settings the views use (the dispatcher gets its own through `Dispatcher.reconfigure`)."""
        self.slots = slots
        self.notify()

    # --- pricing and frames ------------------------------------------------------------------------------
    def quote_micros(self, request: GenerationRequest, count: int) -> int:
        model = self.catalogue.get(request.model_id)
        if model is None or request.resolution not in model.price_micros_per_s:
            return 0
        return request_cost_micros(model, request) * max(0, count)

    async def import_frame(self, path: Path, *, field: str) -> FrameRef:
        return await asyncio.to_thread(self.frames.put_file, Path(path), field=field)

    async def import_frame_bytes(self, data: bytes, *, field: str) -> FrameRef:
        return await asyncio.to_thread(self.frames.put_bytes, data, field=field)

    def frame_path(self, frame: FrameRef) -> Path:
        return self.frames.path(frame)

    # --- queueing ----------------------------------------------------------------------------------------
    async def submit(self, request: GenerationRequest, count: int = 1) -> list[Job]:
        request = validate_request(request, self.catalogue, provider=self.provider_name, count=count)
        model = self.catalogue.get(request.model_id)
        assert model is not None  # validate_request checked it
        cost = request_cost_micros(model, request)
        for field, frame in (("start_frame", request.start_frame), ("end_frame", request.end_frame)):
            if frame is not None and not await asyncio.to_thread(self.frames.path(frame).is_file):
                label = "Start frame" if field == "start_frame" else "End frame"
                raise ValidationError(field, f"{label} is missing from the frames folder; choose the image again.")
        async with self._submit_lock:
            now_ms = self.clock.wall_ms()
            jobs = [
                NewJob(
                    id=new_job_id(now_ms, self._rng),
                    request=request,
                    cost_micros=cost,
                    provider=self.provider_name,
                )
                for _ in range(count)
            ]
            day_ms, _ = day_bounds_ms(now_ms)
            created = await self.store.run(lambda s: s.enqueue(jobs, now_ms=now_ms, day_start_ms=day_ms))
        self._after_write()
        return created

    async def edit(self, job_id: str, request: GenerationRequest) -> Job:
        request = validate_request(request, self.catalogue, provider=self.provider_name)
        model = self.catalogue.get(request.model_id)
        assert model is not None
        cost = request_cost_micros(model, request)
        now_ms = self.clock.wall_ms()
        day_ms, _ = day_bounds_ms(now_ms)
        job = await self.store.run(
            lambda s: s.edit(job_id, request=request, cost_micros=cost, now_ms=now_ms, day_start_ms=day_ms)
        )
        self._after_write()
        return job

    # --- reads -------------------------------------------------------------------------------------------
    async def snapshot(self, *, limit: int | None = None) -> QueueSnapshot:
        now_ms = self.clock.wall_ms()
        slots, priors = self.slots, self._priors_s

        def prior(model_id: str) -> float:
            return prior_s(priors, model_id)

        return await self.store.run(lambda s: read_snapshot(s, now_ms=now_ms, slots=slots, prior_s=prior, limit=limit))

    async def store_status(self) -> StoreStatus:
        """Which store this is and whether it answers (see `engine.api.Engine.store_status`)."""
        info = await self.store.run(lambda s: s.store_info())
        return StoreStatus(
            kind=info.kind,
            name=info.name,
            reachable=info.problem is None,
            message=info.problem,
            desktops=info.desktops,
        )

    async def get(self, job_id: str) -> Job:
        return await self.store.run(lambda s: s.get(job_id))

    async def events(self, job_id: str | None = None, *, limit: int = 200) -> Sequence[Event]:
        return await self.store.run(lambda s: s.events(job_id, limit=limit))

    async def ledger(self, job_id: str | None = None) -> Sequence[LedgerEntry]:
        """Every charge and refund (of one job, or all), oldest first."""
        return await self.store.run(lambda s: s.ledger(job_id))

    async def remote_models(self) -> Sequence[RemoteModel]:
        """The models the account offers, asked of the current provider."""
        return await self._providers.current().list_models()

    # --- queue control -----------------------------------------------------------------------------------
    async def cancel(self, job_id: str) -> Job:
        now_ms = self.clock.wall_ms()
        return await self._write(lambda s: s.cancel(job_id, now_ms=now_ms))

    async def cancel_all_waiting(self) -> int:
        now_ms = self.clock.wall_ms()
        return len(await self._write(lambda s: s.cancel_all_waiting(now_ms=now_ms)))

    async def pause(self) -> None:
        await self._write(lambda s: s.set_paused(True, reason="user"))

    async def resume(self) -> None:
        await self._write(lambda s: (s.set_cooldown(None), s.set_paused(False))[1])

    async def move_to_top(self, job_id: str) -> None:
        await self._write(lambda s: s.move_to_top(job_id))

    async def reorder(self, job_ids: Sequence[str]) -> None:
        ids = list(job_ids)
        await self._write(lambda s: s.reorder(ids))

    async def retry(self, job_id: str) -> Job:
        """A new attempt with a new charge, within today's budget."""
        now_ms = self.clock.wall_ms()
        day_ms, _ = day_bounds_ms(now_ms)
        return await self._write(lambda s: s.retry(job_id, now_ms=now_ms, day_start_ms=day_ms))

    async def give_up(self, job_id: str) -> Job:
        now_ms = self.clock.wall_ms()
        return await self._write(lambda s: s.give_up(job_id, now_ms=now_ms))

    async def set_daily_budget(self, budget_micros: int | None) -> None:
        await self._write(lambda s: s.set_daily_budget(budget_micros))

    async def _write(self, fn: Callable[[Store], T]) -> T:
        result = await self.store.run(fn)
        self._after_write()
        return result

    # --- change notification -----------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def notify(self) -> None:
        """Schedule one callback round soon; many calls within the window collapse into one."""
        if self._notify_handle is not None:
            return
        loop = asyncio.get_running_loop()
        self._notify_handle = loop.call_later(NOTIFY_COALESCE_S, self._deliver)

    def _deliver(self) -> None:
        self._notify_handle = None
        for callback in list(self._subscribers):
            try:
                callback()
            except Exception:
                log.exception("a change subscriber failed")

    def _after_write(self) -> None:
        self._wake()
        self.notify()
