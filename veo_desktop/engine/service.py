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
from veo_desktop.core.batch import BatchRefused, LineError
from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.catalogue_sources import suggest_replacement
from veo_desktop.core.clock import Clock
from veo_desktop.core.cost import omni_video_tokens, request_cost_micros
from veo_desktop.core.errors import BudgetExceeded
from veo_desktop.core.ids import new_job_id
from veo_desktop.core.images import image_label
from veo_desktop.core.jobs import Job
from veo_desktop.core.money import format_usd
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.scheduling import SlotConfig, prior_s
from veo_desktop.core.states import JobStatus
from veo_desktop.core.validation import ValidationError, validate_request
from veo_desktop.engine import chains, continuation, records, stills
from veo_desktop.engine.api import BatchQuote, JobRecord, QueueSnapshot, StoreStatus
from veo_desktop.engine.catalogue_live import LiveCatalogue
from veo_desktop.engine.config import Providers
from veo_desktop.engine.snapshot import day_bounds_ms, read_snapshot
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Event, LedgerEntry, NewJob, Store
from veo_desktop.store.frames import FrameStore

log = logging.getLogger(__name__)

NOTIFY_COALESCE_S = 0.05
T = TypeVar("T")


def quote_micros(catalogue: Catalogue, request: GenerationRequest, count: int) -> int:
    """The cost of queuing `count` jobs of `request` (0 if the model or its resolution is unknown)."""
    model = catalogue.get(request.model_id)
    if model is None or request.resolution not in model.price_micros_per_s:
        return 0
    return request_cost_micros(model, request) * max(0, count)


class EngineService:
    def __init__(
        self,
        *,
        store: AsyncStore,
        frames: FrameStore,
        catalogue: Catalogue | LiveCatalogue,
        providers: Providers,
        clock: Clock,
        slots: SlotConfig,
        wake: Callable[[], None],
        priors_s: Mapping[str, float],
        rng: random.Random | None = None,
        last_frame_decoder: stills.LastFrameDecoder = stills.last_frame_of,
    ) -> None:
        self.store = store
        self.last_frame_decoder = last_frame_decoder
        self.frames = frames
        self.live = catalogue if isinstance(catalogue, LiveCatalogue) else LiveCatalogue(catalogue)
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
    def catalogue(self) -> Catalogue:
        """The running catalogue (the account's new models merged in, models Google retired marked)."""
        return self.live.current

    @catalogue.setter
    def catalogue(self, catalogue: Catalogue) -> None:
        self.live.current = catalogue

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
        return quote_micros(self.catalogue, request, count)

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
        await self._check_images(request)
        return await self._enqueue([(request, cost)] * count)

    async def _check_images(self, request: GenerationRequest) -> None:
        """Every image the request names must still be in the frames folder."""
        images = [("start_frame", request.start_frame), ("end_frame", request.end_frame)]
        images += [("reference_images", ref) for ref in request.reference_images]
        for field, frame in images:
            if frame is not None and not await asyncio.to_thread(self.frames.path(frame).is_file):
                label = image_label(field)
                raise ValidationError(field, f"{label} is missing from the frames folder; choose the image again.")

    async def _enqueue(self, priced: Sequence[tuple[GenerationRequest, int]]) -> list[Job]:
        """Store and charge these jobs at the end of the queue, in this order, in one transaction."""
        async with self._submit_lock:
            now_ms = self.clock.wall_ms()
            jobs = [
                NewJob(id=new_job_id(now_ms, self._rng), request=request, cost_micros=cost, provider=self.provider_name)
                for request, cost in priced
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

    async def held_jobs(self) -> list[Job]:
        """Waiting jobs held because their model is retired (old Gemini Veo jobs too), in queue order."""
        waiting = await self.store.run(lambda s: s.waiting_jobs())
        return [j for j in waiting if self.live.is_held(j)]

    async def move_retired(self, to_model: str | None = None, *, cancel: bool = False) -> list[Job]:
        """Move every held job to a current model (`to_model`, else the closest current one of its provider,
        `suggest_replacement`; old Gemini Veo jobs move to the current provider), re-priced, or cancel them all
        with a refund. Every move is validated first: a refusal (ValidationError) changes nothing."""
        held = await self.held_jobs()
        now_ms = self.clock.wall_ms()
        if cancel:
            ids = [j.id for j in held]
            return await self._write(lambda s: [s.cancel(job_id, now_ms=now_ms) for job_id in ids])
        moves = [self._moved(job, to_model) for job in held]
        day_ms, _ = day_bounds_ms(now_ms)

        def write(s: Store) -> list[Job]:
            return [
                s.edit(job.id, request=r, cost_micros=cost, now_ms=now_ms, day_start_ms=day_ms, provider=provider)
                for job, r, cost, provider in moves
            ]

        return await self._write(write)

    def _moved(self, job: Job, to_model: str | None) -> tuple[Job, GenerationRequest, int, str]:
        provider = self.live.provider_of(job)
        if provider not in self._providers.startable():  # e.g. an old Gemini Veo job: to the current provider
            provider = self.provider_name
        target = (
            self.catalogue.get(to_model)
            if to_model
            else suggest_replacement(self.catalogue, job.request.model_id, provider)
        )
        if target is None or target.retired:
            name = to_model or job.request.model_id
            raise ValidationError("model_id", f"No current model to move {job.id} to from {name}; name one with --to.")
        request = validate_request(job.request.with_changes(model_id=target.id), self.catalogue, provider=provider)
        return job, request, request_cost_micros(target, request, provider=provider), provider

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

    async def job_record(self, job_id: str) -> JobRecord:
        """What was sent to Google for the job and what came back (`engine.records`; files read off the loop)."""
        job = await self.get(job_id)
        return await asyncio.to_thread(records.read_job_record, job)

    async def ledger(self, job_id: str | None = None) -> Sequence[LedgerEntry]:
        """Every charge and refund (of one job, or all), oldest first."""
        return await self.store.run(lambda s: s.ledger(job_id))

    async def remote_models(self) -> Sequence[RemoteModel]:
        """The models the account offers, asked of the current provider, merged into the running catalogue
        (`merge_remote`): new ids appear (constraints of their closest sibling, price unverified) for the model
        menu, validation and the dispatcher's slot hold."""
        remote = await self._providers.current().list_models()
        names = {m.id: m.display_name for m in remote}
        self.live.merge(names, self.clock.wall_ms(), provider=self.provider_name)
        self.notify()
        return remote

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

    # --- extend, refine, batches ---------------------------------------------------------------------------
    async def extend(self, job_id: str, *, prompt: str | None = None) -> Job:
        """Queue a Veo extension of a completed job's video (priced and refunded like any job)."""
        parent = await self.get(job_id)
        chains.usable_parent(parent, action="extend")
        request = chains.extension_request(parent, prompt)
        return await self._queue_child(request, parent)

    async def refine(self, job_id: str, *, prompt: str, duration_s: int | None = None) -> Job:
        """Queue an Omni edit of a completed Omni job (`previous_interaction_id`), where the provider offers it."""
        parent = await self.get(job_id)
        chains.check_refinable(self.catalogue, self.provider_name, parent)
        chains.usable_parent(parent, action="refine")
        request = chains.refine_request(parent, prompt, duration_s)
        return await self._queue_child(request, parent)

    async def continue_from(
        self, job_id: str, *, prompt: str | None = None, changes: continuation.ShotChanges | None = None
    ) -> Job:
        """Queue the next shot of a completed video, its last frame as the start frame (`engine.continuation`)."""
        return await continuation.queue_next_shot(self, await self.get(job_id), prompt, changes)

    async def last_frame(self, job_id: str) -> FrameRef:
        """A completed job's last frame, decoded on a worker thread and kept in the frames folder."""
        return await continuation.last_frame(self, await self.get(job_id))

    async def _queue_child(self, request: GenerationRequest, parent: Job) -> Job:
        length = await asyncio.to_thread(chains.clip_length_s, parent)
        total = (await self.chain(parent.id)).shot_total_s
        video = chains.parent_video(parent, length_s=length, chain_total=total)
        request = validate_request(request, self.catalogue, provider=self.provider_name, parent=video)
        model = self.catalogue.get(request.model_id)
        assert model is not None
        tokens = 0
        if request.refines_job_id is not None and model.tokens is not None:
            tokens = omni_video_tokens(model, video.resolution, video.duration_s)
        cost = request_cost_micros(model, request, provider=self.provider_name, parent_video_tokens=tokens)
        [job] = await self._enqueue([(request, cost)])
        return job

    async def chain(self, job_id: str) -> chains.VideoChain:
        """The job and the videos it builds on, oldest first, with the chain's length so far."""
        jobs = [await self.get(job_id)]
        while (above := chains.parent_id(jobs[-1])) is not None and len(jobs) < chains.MAX_CHAIN_LINKS:
            jobs.append(await self.get(above))
        jobs.reverse()
        return chains.build_chain(jobs, [await asyncio.to_thread(chains.clip_length_s, j) for j in jobs])

    async def quote_batch(self, requests: Sequence[GenerationRequest], *, lines: Sequence[int] = ()) -> BatchQuote:
        """Validate and price a whole batch (BatchRefused lists every bad line); nothing is stored."""
        priced = await self._price_batch(requests, lines)
        now_ms = self.clock.wall_ms()
        day_ms, month_ms = day_bounds_ms(now_ms)
        summary = await self.store.run(lambda s: s.ledger_summary(day_start_ms=day_ms, month_start_ms=month_ms))
        budget = summary.daily_budget_micros
        left = None if budget is None else budget - summary.spent_today_micros
        return BatchQuote(jobs=len(priced), total_micros=sum(c for _, c in priced), budget_left_micros=left)

    async def submit_batch(self, requests: Sequence[GenerationRequest], *, lines: Sequence[int] = ()) -> list[Job]:
        """Validate the whole batch, then charge and queue it in one transaction, in order: all or nothing."""
        return await self._enqueue(await self._price_batch(requests, lines))

    async def _price_batch(
        self, requests: Sequence[GenerationRequest], lines: Sequence[int]
    ) -> list[tuple[GenerationRequest, int]]:
        priced, errors = [], []
        for i, request in enumerate(requests):
            line = lines[i] if i < len(lines) else i + 1
            try:
                checked = validate_request(request, self.catalogue, provider=self.provider_name)
                await self._check_images(checked)
                model = self.catalogue.get(checked.model_id)
                assert model is not None
                priced.append((checked, request_cost_micros(model, checked)))
            except (ValidationError, ValueError) as exc:
                errors.append(LineError(line, str(exc)))
        if errors or not priced:
            raise BatchRefused(errors or [LineError(1, "the batch has no jobs")])
        return priced

    async def batch_jobs(self, name: str) -> list[Job]:
        """The jobs queued with batch `name`, in the order they were queued."""
        jobs = await self.store.run(lambda s: s.list_jobs())
        return sorted((j for j in jobs if j.request.batch == name), key=lambda j: (j.created_at_ms, j.queue_order))

    async def cancel_batch(self, name: str) -> list[Job]:
        """Cancel the waiting rest of a batch (refunded); running and finished jobs are left as they are."""
        now_ms = self.clock.wall_ms()

        def cancel(s: Store) -> list[Job]:
            return [s.cancel(j.id, now_ms=now_ms) for j in s.waiting_jobs() if j.request.batch == name]

        return await self._write(cancel)

    async def retry_batch(self, name: str) -> list[Job]:
        """Queue every failed job of a batch again (a new attempt and charge each), if all fit today's budget."""
        now_ms = self.clock.wall_ms()
        day_ms, month_ms = day_bounds_ms(now_ms)

        def retry(s: Store) -> list[Job]:
            failed = [j for j in s.list_jobs([JobStatus.FAILED]) if j.request.batch == name]
            failed.sort(key=lambda j: (j.created_at_ms, j.queue_order))
            summary = s.ledger_summary(day_start_ms=day_ms, month_start_ms=month_ms)
            needed = sum(j.cost_micros for j in failed)
            budget = summary.daily_budget_micros
            if budget is not None and summary.spent_today_micros + needed > budget:
                raise BudgetExceeded(
                    f"Retrying the {len(failed)} failed jobs of batch {name!r} ({format_usd(needed)}) would pass "
                    f"today's budget of {format_usd(budget)}; raise the budget in Settings or retry fewer jobs."
                )
            return [s.retry(j.id, now_ms=now_ms, day_start_ms=day_ms) for j in failed]

        return await self._write(retry)

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
