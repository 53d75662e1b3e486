"""An in-memory `Engine` for the window's tests: the window driven without a store, a provider or a clock.

Jobs only move when the caller says so (`start`, `complete`, `fail`, `unknown`), so a test reads like a
script. It is the real `engine.api.Engine` protocol (mypy checks `as_engine`), and it prices and labels jobs
with the engine's own functions (`engine.service.quote_micros`, `engine.snapshot.display_state`), so the
window shows what it would show over the real engine. Validation is the core's (`validate_request`,
`sniff_image`).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from veo_desktop.client.base import RemoteModel
from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.catalogue_sources import suggest_replacement
from veo_desktop.core.errors import BudgetExceeded, JobNotFound
from veo_desktop.core.jobs import Event, Job, LedgerSummary, QueueState, VideoOutput
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.core.validation import sniff_image, validate_request
from veo_desktop.engine.api import DisplayState, Engine, JobRecord, JobView, QueueSnapshot
from veo_desktop.engine.records import read_job_record
from veo_desktop.engine.service import quote_micros
from veo_desktop.engine.snapshot import display_state
from veo_desktop.engine.specs import sent_fields
from veo_desktop.engine.stills import LastFrameDecoder, last_frame_of
from veo_desktop.store.base import LedgerEntry
from veo_desktop.store.videos import write_sidecar
from veo_desktop.testing.fake_requests import FakeRequestActions
from veo_desktop.testing.store_status import FakeStoreStatus

FAKE_NOW_MS = 1_767_225_600_000  # 2026-01-01 00:00 UTC
FAKE_ETA_S = 60.0  # each waiting job is expected to take a minute
IN_FLIGHT = (JobStatus.SUBMITTING, JobStatus.RUNNING, JobStatus.DOWNLOADING)


def _default_catalogue() -> Catalogue:
    from veo_desktop.composition import load_catalogue  # the app's own catalogue, read once per engine

    return load_catalogue()


class FakeEngine(FakeStoreStatus, FakeRequestActions):
    def __init__(
        self,
        frames_dir: Path,
        *,
        provider: str = "vertex",
        budget_micros: int | None = None,
        catalogue: Catalogue | None = None,
        max_in_flight: int = 2,
    ) -> None:
        self.catalogue = catalogue or _default_catalogue()
        self.provider_name = provider
        self.frames_dir = frames_dir
        frames_dir.mkdir(parents=True, exist_ok=True)
        self.jobs: dict[str, Job] = {}
        self.paused = False
        self.budget_micros = budget_micros
        self.max_in_flight = max_in_flight
        self.calls: list[tuple[str, object]] = []  # what the window asked for, in order
        self.submit_delay_s = 0.0  # a slow submit, for double-click tests
        self.now_ms = FAKE_NOW_MS
        self.offered: Sequence[RemoteModel] | None = None  # what `remote_models` answers (None: the catalogue's)
        self.last_frame_decoder: LastFrameDecoder = last_frame_of  # the window's tests may pass Qt's
        self._events: list[Event] = []
        self._ledger: list[LedgerEntry] = []
        self._subscribers: list[Callable[[], None]] = []
        self._seq = 0

    # --- pricing and frames ----------------------------------------------------------------------------
    def quote_micros(self, request: GenerationRequest, count: int) -> int:
        return quote_micros(self.catalogue, request, count)

    async def import_frame(self, path: Path, *, field: str) -> FrameRef:
        data = await asyncio.to_thread(Path(path).read_bytes)
        return await self.import_frame_bytes(data, field=field)

    async def import_frame_bytes(self, data: bytes, *, field: str) -> FrameRef:
        header = sniff_image(data, field=field)
        ref = FrameRef(hashlib.sha256(data).hexdigest(), header.mime_type, header.width, header.height, len(data))
        await asyncio.to_thread((self.frames_dir / ref.file_name).write_bytes, data)
        return ref

    def frame_path(self, frame: FrameRef) -> Path:
        return self.frames_dir / frame.file_name

    # --- queueing ----------------------------------------------------------------------------------------
    async def submit(self, request: GenerationRequest, count: int = 1) -> list[Job]:
        self.refuse_if_lost()
        request = validate_request(request, self.catalogue, provider=self.provider_name, count=count)
        if self.submit_delay_s:
            await asyncio.sleep(self.submit_delay_s)
        cost = self.quote_micros(request, 1)
        if self.budget_micros is not None and self._spent() + cost * count > self.budget_micros:
            raise BudgetExceeded("Queuing these videos would pass today's budget; raise it or queue fewer.")
        created = [self._new_job(request, cost) for _ in range(count)]
        self.calls.append(("submit", count))
        self._notify()
        return created

    def _new_job(self, request: GenerationRequest, cost: int) -> Job:
        self._seq += 1
        job = Job(
            id=f"j{self._seq:05d}",
            request=request,
            status=JobStatus.QUEUED,
            queue_order=float(self._seq),
            attempt=1,
            cost_micros=cost,
            created_at_ms=self.now_ms + self._seq,
            charged_micros=cost,
        )
        self.jobs[job.id] = job
        self._event(job.id, None, JobStatus.QUEUED.value, "queued")
        self._book(job, "charge", cost)
        return job

    def add_jobs(self, jobs: Sequence[Job]) -> None:
        """Put ready-made jobs in the queue (any status), as if the store had them."""
        for job in jobs:
            self.jobs[job.id] = job
        self._notify()

    async def edit(self, job_id: str, request: GenerationRequest) -> Job:
        request = validate_request(request, self.catalogue, provider=self.provider_name)
        self.calls.append(("edit", job_id))
        return self._set(self.jobs[job_id], request=request, cost_micros=self.quote_micros(request, 1))

    # --- reads -------------------------------------------------------------------------------------------
    async def snapshot(self) -> QueueSnapshot:
        await asyncio.sleep(0)  # an await, as the real one reads the store on its thread
        queue = QueueState(self.paused, "user" if self.paused else None, None)
        waiting = sorted((j for j in self.jobs.values() if j.is_waiting), key=lambda j: j.queue_order)
        flying = [j for j in self.jobs.values() if j.status in IN_FLIGHT]
        rest = sorted(
            (j for j in self.jobs.values() if not j.is_waiting and j.status not in IN_FLIGHT),
            key=lambda j: -j.created_at_ms,
        )
        views = [self._waiting_view(j, queue, i) for i, j in enumerate(waiting, start=1)]
        views += [JobView(j, display_state(j, queue, self.now_ms), None, None, 30.0, 12.0, None) for j in flying]
        views += [JobView(j, display_state(j, queue, self.now_ms), None, None, None, None, None) for j in rest]
        spent = self._spent()
        return QueueSnapshot(
            jobs=tuple(views),
            queue=queue,
            ledger=LedgerSummary(spent, spent, spent, self.budget_micros),
            counts=dict(Counter(v.display.value for v in views)),
            taken_at_ms=self.now_ms,
            max_in_flight=self.max_in_flight,
        )

    def _waiting_view(self, job: Job, queue: QueueState, position: int) -> JobView:
        display = display_state(job, queue, self.now_ms)
        eta = FAKE_ETA_S * (position - 1)
        return JobView(job, display, position, eta, eta + FAKE_ETA_S, None, None)

    async def events(self, job_id: str | None = None, *, limit: int = 200) -> Sequence[Event]:
        return [e for e in self._events if job_id is None or e.job_id == job_id][-limit:]

    async def job_record(self, job_id: str) -> JobRecord:
        """The engine's own reading (`engine.records`): the sidecar `complete(..., returned=...)` wrote, or
        the job's row."""
        self.calls.append(("job_record", job_id))
        if job_id not in self.jobs:
            raise JobNotFound(f"Job {job_id} is not in the queue database; refresh the list.")
        return await asyncio.to_thread(read_job_record, self.jobs[job_id])

    async def ledger(self, job_id: str | None = None) -> Sequence[LedgerEntry]:
        return [e for e in self._ledger if job_id is None or e.job_id == job_id]

    async def remote_models(self) -> Sequence[RemoteModel]:
        if self.offered is not None:
            return list(self.offered)
        live = self.catalogue.for_provider(self.provider_name, include_retired=False)
        return [RemoteModel(m.id, m.display_name) for m in live]

    def _spent(self) -> int:
        return sum(j.charged_micros - j.refunded_micros for j in self.jobs.values())

    # --- queue control -----------------------------------------------------------------------------------
    async def cancel(self, job_id: str) -> Job:
        job = self.jobs[job_id]
        self._book(job, "refund", job.charged_micros - job.refunded_micros)
        return self._set(job, status=JobStatus.CANCELLED, refunded_micros=job.charged_micros)

    async def cancel_all_waiting(self) -> int:
        waiting = [j for j in self.jobs.values() if j.is_waiting]
        for job in waiting:
            await self.cancel(job.id)
        return len(waiting)

    async def held_jobs(self) -> list[Job]:
        """Waiting jobs on a model the catalogue marks retired, in queue order (as the engine holds them)."""
        waiting = sorted((j for j in self.jobs.values() if j.is_waiting), key=lambda j: j.queue_order)
        return [j for j in waiting if (m := self.catalogue.get(j.request.model_id)) is None or m.retired]

    async def move_retired(self, to_model: str | None = None, *, cancel: bool = False) -> list[Job]:
        """Move every held job to `to_model` (else the closest current model), re-priced, or cancel them."""
        held = await self.held_jobs()
        self.calls.append(("move_retired", to_model or ("cancel" if cancel else "")))
        if cancel:
            return [await self.cancel(j.id) for j in held]
        moved = []
        for job in held:
            target = to_model or _replacement(self.catalogue, job.request.model_id, self.provider_name)
            request = validate_request(
                job.request.with_changes(model_id=target), self.catalogue, provider=self.provider_name
            )
            moved.append(self._set(job, request=request, cost_micros=self.quote_micros(request, 1)))
        return moved

    async def pause(self) -> None:
        self.paused = True
        self._notify()

    async def resume(self) -> None:
        self.paused = False
        self._notify()

    async def move_to_top(self, job_id: str) -> None:
        first = min((j.queue_order for j in self.jobs.values() if j.is_waiting), default=0.0)
        self._set(self.jobs[job_id], queue_order=first - 1)

    async def reorder(self, job_ids: Sequence[str]) -> None:
        self.calls.append(("reorder", list(job_ids)))
        orders = sorted(self.jobs[i].queue_order for i in job_ids)
        for job_id, order in zip(job_ids, orders, strict=True):
            self.jobs[job_id] = replace(self.jobs[job_id], queue_order=order)
        self._notify()

    async def retry(self, job_id: str) -> Job:
        """A new attempt with a new charge, at the end of the queue."""
        self.calls.append(("retry", job_id))
        job = self.jobs[job_id]
        self._seq += 1
        self._book(replace(job, attempt=job.attempt + 1), "charge", job.cost_micros)
        return self._set(
            job,
            status=JobStatus.QUEUED,
            attempt=job.attempt + 1,
            queue_order=float(self._seq),
            error_kind=None,
            error_message=None,
            charged_micros=job.charged_micros + job.cost_micros,
        )

    async def give_up(self, job_id: str) -> Job:
        self.calls.append(("give_up", job_id))
        job = self.jobs[job_id]
        self._book(job, "refund", job.cost_micros)
        return self._set(job, status=JobStatus.FAILED, error_kind=FailureKind.GAVE_UP, refunded_micros=job.cost_micros)

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    # --- moving jobs (the script of a test) ----------------------------------------------------------------
    def start(self, job_id: str) -> Job:
        return self._set(self.jobs[job_id], status=JobStatus.RUNNING, started_at_ms=self.now_ms)

    def complete(self, job_id: str, video: Path, *, returned: Mapping[str, Any] | None = None) -> Job:
        """Finish the job with `video`; with `returned`, write its sidecar as the downloader does (what was
        sent, and `returned` as what came back)."""
        size = video.stat().st_size if video.exists() else 0
        output = VideoOutput(str(video), size, "0" * 64)
        job = self._set(
            self.jobs[job_id], status=JobStatus.COMPLETED, outputs=(output,), finished_at_ms=self.now_ms + 42_000
        )
        if returned is not None:
            write_sidecar(job, output, {"sent": sent_fields(job), "returned": dict(returned)})
        return job

    def fail(self, job_id: str, message: str, kind: FailureKind = FailureKind.OPERATION_ERROR) -> Job:
        job = self.jobs[job_id]
        self._book(job, "refund", job.charged_micros - job.refunded_micros)
        return self._set(
            job, status=JobStatus.FAILED, error_kind=kind, error_message=message, refunded_micros=job.charged_micros
        )

    def unknown(self, job_id: str) -> Job:
        return self._set(self.jobs[job_id], status=JobStatus.UNKNOWN_START)

    def display_of(self, job_id: str) -> DisplayState:
        queue = QueueState(self.paused, None, None)
        return display_state(self.jobs[job_id], queue, self.now_ms)

    def _set(self, job: Job, **changes: Any) -> Job:
        new = replace(job, **changes)
        self.jobs[job.id] = new
        if new.status is not job.status:
            self._event(job.id, job.status.value, new.status.value, new.status.value)
        self._notify()
        return new

    def _book(self, job: Job, kind: str, amount_micros: int) -> None:
        if amount_micros:
            entry = LedgerEntry(len(self._ledger) + 1, job.id, job.attempt, kind, amount_micros, self.now_ms)
            self._ledger.append(entry)

    def _event(self, job_id: str, src: str | None, dst: str | None, detail: str) -> None:
        self._events.append(Event(len(self._events) + 1, job_id, self.now_ms, src, dst, detail))

    def _notify(self) -> None:
        """Subscribers are called on the loop, after the change, as the real engine does."""
        loop = asyncio.get_running_loop()
        for callback in list(self._subscribers):
            loop.call_soon(callback)


def as_engine(engine: FakeEngine) -> Engine:
    """The fake seen through the protocol: mypy (strict on this package) checks that it is an Engine."""
    return engine


def _replacement(catalogue: Catalogue, model_id: str, provider: str) -> str:
    model = suggest_replacement(catalogue, model_id, provider)
    if model is None:
        raise LookupError(f"The catalogue has no current model for the {provider} provider.")
    return model.id
