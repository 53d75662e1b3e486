"""A small in-memory Engine for widget tests (implements veo_desktop.engine.api.Engine).

Jobs only move when a test says so (`start`, `complete`, `fail`), so tests read like scripts.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from veo_desktop.core.catalogue import Catalogue, parse_catalogue
from veo_desktop.core.cost import request_cost_micros
from veo_desktop.core.jobs import Job, LedgerSummary, QueueState, VideoOutput
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.core.validation import sniff_image, validate_request
from veo_desktop.engine.api import DisplayState, JobView, QueueSnapshot
from veo_desktop.paths import resources_dir
from veo_desktop.store.base import BudgetExceeded, Event


def load_catalogue() -> Catalogue:
    return parse_catalogue((resources_dir() / "models.json").read_text(encoding="utf-8"))


class FakeEngine:
    def __init__(self, frames_dir: Path, *, provider: str = "vertex", budget_micros: int | None = None) -> None:
        self.catalogue = load_catalogue()
        self.provider_name = provider
        self.frames_dir = frames_dir
        frames_dir.mkdir(parents=True, exist_ok=True)
        self.jobs: dict[str, Job] = {}
        self.paused = False
        self.budget_micros = budget_micros
        self.calls: list[tuple[str, object]] = []
        self.submit_delay_s = 0.0
        self._events: list[Event] = []
        self._subscribers: list[Callable[[], None]] = []
        self._seq = 0
        self.now_ms = 1_767_225_600_000

    # --- frames --------------------------------------------------------------------------------------
    def quote_micros(self, request: GenerationRequest, count: int) -> int:
        model = self.catalogue.get(request.model_id)
        if model is None or request.resolution not in model.price_micros_per_s:
            return 0
        return request_cost_micros(model, request) * max(0, count)

    async def import_frame(self, path: Path, *, field: str) -> FrameRef:
        data = await asyncio.to_thread(Path(path).read_bytes)
        return await self.import_frame_bytes(data, field=field)

    async def import_frame_bytes(self, data: bytes, *, field: str) -> FrameRef:
        header = sniff_image(data, field=field)
        digest = hashlib.sha256(data).hexdigest()
        ref = FrameRef(digest, header.mime_type, header.width, header.height, len(data))
        await asyncio.to_thread((self.frames_dir / ref.file_name).write_bytes, data)
        return ref

    def frame_path(self, frame: FrameRef) -> Path:
        return self.frames_dir / frame.file_name

    # --- queue ---------------------------------------------------------------------------------------
    async def submit(self, request: GenerationRequest, count: int = 1) -> list[Job]:
        request = validate_request(request, self.catalogue, provider=self.provider_name, count=count)
        if self.submit_delay_s:
            await asyncio.sleep(self.submit_delay_s)
        cost = self.quote_micros(request, 1)
        if self.budget_micros is not None and self._spent() + cost * count > self.budget_micros:
            raise BudgetExceeded("Queuing these videos would pass today's budget; raise it or queue fewer.")
        created = []
        for _ in range(count):
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
            created.append(job)
            self._event(job.id, None, "queued", "queued")
        self.calls.append(("submit", count))
        self._notify()
        return created

    def add_jobs(self, jobs: Sequence[Job]) -> None:
        for job in jobs:
            self.jobs[job.id] = job
        self._notify()

    def _spent(self) -> int:
        return sum(j.charged_micros - j.refunded_micros for j in self.jobs.values())

    async def snapshot(self) -> QueueSnapshot:
        await asyncio.sleep(0)
        waiting = sorted((j for j in self.jobs.values() if j.is_waiting), key=lambda j: j.queue_order)
        flying = [j for j in self.jobs.values() if j.status in (JobStatus.SUBMITTING, JobStatus.RUNNING)]
        rest = sorted(
            (j for j in self.jobs.values() if not j.is_waiting and j not in flying),
            key=lambda j: -j.created_at_ms,
        )
        views = [
            JobView(
                job=j,
                display=DisplayState.PAUSED if self.paused else DisplayState.WAITING,
                position=i,
                eta_start_s=60.0 * (i - 1),
                eta_done_s=60.0 * i,
                elapsed_s=None,
                retry_in_s=None,
            )
            for i, j in enumerate(waiting, start=1)
        ]
        views += [JobView(j, _display(j), None, None, 30.0, 12.0, None) for j in flying]
        views += [JobView(j, _display(j), None, None, None, None, None) for j in rest]
        counts: dict[str, int] = {}
        for v in views:
            counts[v.display.value] = counts.get(v.display.value, 0) + 1
        return QueueSnapshot(
            jobs=tuple(views),
            queue=QueueState(self.paused, "user" if self.paused else None, None),
            ledger=LedgerSummary(self._spent(), self._spent(), self._spent(), self.budget_micros),
            counts=counts,
            taken_at_ms=self.now_ms,
            max_in_flight=2,
        )

    async def events(self, job_id: str | None = None, *, limit: int = 200) -> Sequence[Event]:
        return [e for e in self._events if job_id is None or e.job_id == job_id][-limit:]

    async def cancel(self, job_id: str) -> Job:
        job = self.jobs[job_id]
        return self._set(job, status=JobStatus.CANCELLED, refunded_micros=job.charged_micros)

    async def cancel_all_waiting(self) -> int:
        waiting = [j for j in self.jobs.values() if j.is_waiting]
        for job in waiting:
            await self.cancel(job.id)
        return len(waiting)

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

    async def edit(self, job_id: str, request: GenerationRequest) -> Job:
        request = validate_request(request, self.catalogue, provider=self.provider_name)
        self.calls.append(("edit", job_id))
        return self._set(self.jobs[job_id], request=request, cost_micros=self.quote_micros(request, 1))

    async def retry(self, job_id: str) -> Job:
        self.calls.append(("retry", job_id))
        job = self.jobs[job_id]
        self._seq += 1
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
        return self._set(job, status=JobStatus.FAILED, error_kind=FailureKind.GAVE_UP, refunded_micros=job.cost_micros)

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    # --- test helpers: move jobs ---------------------------------------------------------------------
    def start(self, job_id: str) -> Job:
        return self._set(self.jobs[job_id], status=JobStatus.RUNNING, started_at_ms=self.now_ms)

    def complete(self, job_id: str, video: Path) -> Job:
        out = VideoOutput(str(video), video.stat().st_size if video.exists() else 0, "0" * 64)
        return self._set(
            self.jobs[job_id], status=JobStatus.COMPLETED, outputs=(out,), finished_at_ms=self.now_ms + 42_000
        )

    def fail(self, job_id: str, message: str, kind: FailureKind = FailureKind.OPERATION_ERROR) -> Job:
        job = self.jobs[job_id]
        return self._set(
            job, status=JobStatus.FAILED, error_kind=kind, error_message=message, refunded_micros=job.charged_micros
        )

    def unknown(self, job_id: str) -> Job:
        return self._set(self.jobs[job_id], status=JobStatus.UNKNOWN_START)

    def _set(self, job: Job, **changes: object) -> Job:
        new = replace(job, **changes)  # type: ignore[arg-type]
        self.jobs[job.id] = new
        if new.status is not job.status:
            self._event(job.id, job.status.value, new.status.value, new.status.value)
        self._notify()
        return new

    def _event(self, job_id: str, src: str | None, dst: str | None, detail: str) -> None:
        self._events.append(Event(len(self._events) + 1, job_id, self.now_ms, src, dst, detail))

    def _notify(self) -> None:
        for cb in list(self._subscribers):
            asyncio.get_running_loop().call_soon(cb)


def _display(job: Job) -> DisplayState:
    return {
        JobStatus.SUBMITTING: DisplayState.STARTING,
        JobStatus.RUNNING: DisplayState.GENERATING,
        JobStatus.DOWNLOADING: DisplayState.DOWNLOADING,
        JobStatus.COMPLETED: DisplayState.COMPLETED,
        JobStatus.CANCELLED: DisplayState.CANCELLED,
        JobStatus.UNKNOWN_START: DisplayState.UNKNOWN_START,
        JobStatus.FAILED: DisplayState.FILTERED if job.error_kind is FailureKind.FILTERED else DisplayState.FAILED,
    }.get(job.status, DisplayState.WAITING)


def make_views(n: int, *, waiting: int = 0, prefix: str = "j") -> tuple[JobView, ...]:
    """`n` JobViews, the first `waiting` queued, the rest completed: for model tests."""
    req = GenerationRequest(model_id="veo-3.1-fast-generate-001", prompt="a cat on a skateboard")
    views = []
    for i in range(n):
        status = JobStatus.QUEUED if i < waiting else JobStatus.COMPLETED
        job = Job(
            id=f"{prefix}{i:06d}",
            request=req,
            status=status,
            queue_order=float(i),
            attempt=1,
            cost_micros=800_000,
            created_at_ms=1_000 + i,
            charged_micros=800_000,
        )
        display = DisplayState.WAITING if i < waiting else DisplayState.COMPLETED
        pos = i + 1 if i < waiting else None
        views.append(JobView(job, display, pos, 60.0 * i if pos else None, None, None, None))
    return tuple(views)
