"""What the front ends (CLI and GUI) see of the engine: immutable views and the Engine's methods.

The GUI is a view over `Engine.snapshot()`; it re-reads the snapshot when `Engine.subscribe` calls back
(coalesced; at most a few times a second) and never reads the store itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from veo_desktop.client.base import RemoteModel
from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.jobs import Event, Job, LedgerSummary, QueueState
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.engine.chains import VideoChain
from veo_desktop.engine.continuation import ShotChanges
from veo_desktop.store.base import Desktop, LedgerEntry


class DisplayState(StrEnum):
    """What a person sees; derived from the job status plus its retry/quota note."""

    WAITING = "waiting"  # "In the queue — position N"
    WAITING_QUOTA = "waiting_quota"  # "Waiting for Google's quota, retrying in 30 s"
    PAUSED = "paused"  # waiting, but the queue is paused
    STARTING = "starting"  # submitting
    GENERATING = "generating"  # running at Google
    DOWNLOADING = "downloading"
    COMPLETED = "completed"
    FAILED = "failed"
    FILTERED = "filtered"
    CANCELLED = "cancelled"
    UNKNOWN_START = "unknown_start"  # "start outcome unknown": waits for the user


@dataclass(frozen=True, slots=True)
class JobView:
    job: Job
    display: DisplayState
    position: int | None  # 1 = next to start; None unless waiting
    eta_start_s: float | None  # seconds until it is expected to start (waiting jobs)
    eta_done_s: float | None  # seconds until it is expected to be finished (waiting and running jobs)
    elapsed_s: float | None  # running/downloading: seconds since the start call
    retry_in_s: float | None  # waiting for quota: seconds until the next try

    @property
    def id(self) -> str:
        return self.job.id


@dataclass(frozen=True, slots=True)
class PlaceView:
    """Another creator's waiting job on a team store: who, which model and where, never the prompt."""

    creator: str
    model_id: str
    position: int  # across every creator: 1 = next to start
    eta_start_s: float | None

    @property
    def label(self) -> str:
        return f"{self.creator} · {self.model_id} · {self.position}"


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    jobs: tuple[JobView, ...]  # waiting jobs first in queue order, then the rest newest first
    queue: QueueState
    ledger: LedgerSummary
    counts: Mapping[str, int]  # DisplayState value -> number of jobs
    taken_at_ms: int
    max_in_flight: int  # the team's cap on a team store
    others: tuple[PlaceView, ...] = ()  # the other creators' waiting jobs, in queue order (team stores)

    def by_id(self) -> dict[str, JobView]:
        return {v.id: v for v in self.jobs}


@dataclass(frozen=True, slots=True)
class BatchQuote:
    """A validated batch before it is queued: how many jobs, what they cost, what today's budget leaves."""

    jobs: int
    total_micros: int
    budget_left_micros: int | None  # None: no daily budget

    @property
    def fits_budget(self) -> bool:
        return self.budget_left_micros is None or self.total_micros <= self.budget_left_micros


@dataclass(frozen=True, slots=True)
class JobRecord:
    """What was sent to Google for a job and what came back (`engine.records`): `sent` has the keys of
    `engine.specs.sent_fields` (images by content hash, parents by job id); `returned` is the sidecar's
    `returned` (rewritten prompt, seed, filter reasons, usage tokens...) with the operation name, or, for a
    job without a sidecar, what its row knows (operation name, filter reasons, error kind and message, note)."""

    job_id: str
    sent: Mapping[str, Any]
    returned: Mapping[str, Any]
    sent_yet: bool = True  # False: the job has never been started, `sent` is what will be sent
    from_sidecar: bool = False  # `returned` was read from the video's sidecar

    def as_json(self) -> dict[str, Any]:
        """A plain JSON document of the record (for "Copy as JSON" and scripts)."""
        return {"job_id": self.job_id, "sent": dict(self.sent), "returned": dict(self.returned)}


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """Which store the engine is on and whether it answers, for the window's status line."""

    kind: str  # "local" (a SQLite file on this computer) or "team" (the studio's PostgreSQL)
    name: str  # the file's path, or postgresql://user@host:port/db: never a password
    reachable: bool
    message: str | None = None  # while unreachable: the sentence to show (queueing is refused meanwhile)
    desktops: tuple[Desktop, ...] = ()  # a team store's desktops, `present` when heard from lately

    @property
    def others_online(self) -> tuple[str, ...]:
        """The creators of the other desktops present now (team stores), sorted, once each."""
        return tuple(sorted({d.creator for d in self.desktops if d.present}))


class Engine(Protocol):
    catalogue: Catalogue

    @property
    def provider_name(self) -> str:
        """The provider new jobs are queued with."""
        ...

    def quote_micros(self, request: GenerationRequest, count: int) -> int:
        """The cost of queuing `count` jobs of this request (0 if the model/resolution is unknown)."""
        ...

    async def import_frame(self, path: Path, *, field: str) -> FrameRef:
        """Validate an image by content and keep it once in the frames folder (runs in a worker thread).
        Raises ValidationError with a message for the person."""
        ...

    async def import_frame_bytes(self, data: bytes, *, field: str) -> FrameRef: ...

    def frame_path(self, frame: FrameRef) -> Path: ...

    async def submit(self, request: GenerationRequest, count: int = 1) -> list[Job]:
        """Validate, charge and queue `count` jobs; returns at once. Raises ValidationError or
        BudgetExceeded (nothing stored, nothing charged)."""
        ...

    async def extend(self, job_id: str, *, prompt: str | None = None) -> Job:
        """Queue a Veo extension of a completed job's video (`extends_job_id`; the parent's prompt unless one
        is given). Raises ValidationError (nothing stored, nothing charged) or BudgetExceeded."""
        ...

    async def refine(self, job_id: str, *, prompt: str, duration_s: int | None = None) -> Job:
        """Queue an Omni edit of a completed Omni job (`refines_job_id`). Raises ValidationError saying the
        provider does not offer it elsewhere."""
        ...

    async def continue_from(self, job_id: str, *, prompt: str | None = None, changes: ShotChanges | None = None) -> Job:
        """Queue the next shot of a completed job: its last frame (decoded off the loop, kept by content hash) as
        the start frame, its request otherwise (`engine.continuation`), linked by `continues_job_id`. Raises
        ValidationError (nothing stored, nothing charged) or BudgetExceeded."""
        ...

    async def last_frame(self, job_id: str) -> FrameRef:
        """A completed job's last frame as a start frame in the frames folder (decoded on a worker thread).
        Raises ValidationError for a job without a finished video or a file that is missing or undecodable."""
        ...

    async def chain(self, job_id: str) -> VideoChain:
        """The job and the videos it extends, refines or continues, oldest first, with the total length."""
        ...

    async def quote_batch(self, requests: Sequence[GenerationRequest], *, lines: Sequence[int] = ()) -> BatchQuote:
        """Validate and price a batch without storing it; raises BatchRefused naming every bad line
        (`lines[i]` is request i's line in its file; default i + 1)."""
        ...

    async def submit_batch(self, requests: Sequence[GenerationRequest], *, lines: Sequence[int] = ()) -> list[Job]:
        """Validate the whole batch, then charge and queue it in order in one transaction: all or nothing.
        Raises BatchRefused or BudgetExceeded."""
        ...

    async def batch_jobs(self, name: str) -> list[Job]:
        """The jobs queued with `request.batch == name`, in the order they were queued."""
        ...

    async def cancel_batch(self, name: str) -> list[Job]:
        """Cancel (and refund) the waiting jobs of a batch; returns them."""
        ...

    async def retry_batch(self, name: str) -> list[Job]:
        """Queue the failed jobs of a batch again (BudgetExceeded, none retried, if they do not all fit)."""
        ...

    async def snapshot(self) -> QueueSnapshot: ...

    async def store_status(self) -> StoreStatus:
        """Which store this is, its desktops (team), and whether it can be reached; never raises for an
        unreachable team database (`reachable` False, `message` says so). `submit` raises StoreUnavailable
        meanwhile (nothing stored); the store reconnects by itself."""
        ...

    async def events(self, job_id: str | None = None, *, limit: int = 200) -> Sequence[Event]: ...

    async def job_record(self, job_id: str) -> JobRecord:
        """Every field sent to Google for the job and what came back (its sidecar, read in a worker thread,
        or its row while it has none). Raises JobNotFound."""
        ...

    async def ledger(self, job_id: str | None = None) -> Sequence[LedgerEntry]:
        """Every charge and refund (of one job, or all), oldest first."""
        ...

    async def remote_models(self) -> Sequence[RemoteModel]:
        """The models the account offers (asks the current provider; raises VeoError)."""
        ...

    async def held_jobs(self) -> Sequence[Job]:
        """Waiting jobs held because their model is retired (old Gemini Veo jobs too), in queue order."""
        ...

    async def move_retired(self, to_model: str | None = None, *, cancel: bool = False) -> Sequence[Job]:
        """Move every held job to a current model (or `to_model`), re-priced, or cancel them all (refunds)."""
        ...

    async def cancel(self, job_id: str) -> Job: ...

    async def cancel_all_waiting(self) -> int: ...

    async def pause(self) -> None: ...

    async def resume(self) -> None: ...

    async def move_to_top(self, job_id: str) -> None: ...

    async def reorder(self, job_ids: Sequence[str]) -> None: ...

    async def edit(self, job_id: str, request: GenerationRequest) -> Job: ...

    async def retry(self, job_id: str) -> Job: ...

    async def give_up(self, job_id: str) -> Job: ...

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` (on the event loop) after state changes; returns an unsubscribe function."""
        ...
