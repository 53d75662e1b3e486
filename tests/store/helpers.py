"""Shared builders for the store tests: explicit times, seeded ids, no clocks."""

from __future__ import annotations

import random
from collections.abc import Sequence

from veo_desktop.core.ids import new_job_id
from veo_desktop.core.jobs import Job, VideoOutput
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.store.base import NewJob
from veo_desktop.store.sqlite import SqliteStore

MODEL = "veo-3.1-generate-preview"
COST = 3_200_000  # $3.20
T0 = 1_700_000_000_000
DAY = T0 - 3_600_000  # "local midnight" an hour before T0
OPEN = SlotConfig(max_in_flight=100, max_starts_per_minute=0)


def request(prompt: str = "a red fox in the snow", **changes: object) -> GenerationRequest:
    return GenerationRequest(model_id=MODEL, prompt=prompt).with_changes(**changes)


def new_jobs(n: int, *, seed: int = 1, now_ms: int = T0, cost: int = COST) -> list[NewJob]:
    rng = random.Random(seed)
    return [NewJob(new_job_id(now_ms, rng), request(f"prompt {i}"), cost, "vertex") for i in range(n)]


def enqueue(store: SqliteStore, n: int = 1, *, seed: int = 1, now_ms: int = T0, cost: int = COST) -> list[Job]:
    return store.enqueue(new_jobs(n, seed=seed, now_ms=now_ms, cost=cost), now_ms=now_ms, day_start_ms=DAY)


def output(name: str = "a.mp4") -> VideoOutput:
    return VideoOutput(path=f"/library/{name}", size_bytes=1234, sha256="ab" * 32)


def claim(store: SqliteStore, *, now_ms: int = T0, owner: str = "A", lease_ms: int = 60_000) -> Job:
    job = store.claim_next(owner=owner, now_ms=now_ms, lease_ms=lease_ms, config=OPEN)
    assert job is not None
    return job


def drive(store: SqliteStore, status: JobStatus, *, seed: int = 7, now_ms: int = T0) -> Job:
    """A fresh job in `status`, reached through the store's own moves (it is the only waiting job)."""
    for job in store.waiting_jobs():
        store.cancel(job.id, now_ms=now_ms)
    (job,) = enqueue(store, seed=seed, now_ms=now_ms)
    if status is JobStatus.QUEUED:
        return job
    if status is JobStatus.CANCELLED:
        return store.cancel(job.id, now_ms=now_ms)
    job = claim(store, now_ms=now_ms)
    if status is JobStatus.SUBMITTING:
        return job
    if status is JobStatus.UNKNOWN_START:
        return store.mark_unknown(job.id, message="timed out after sending", now_ms=now_ms)
    if status is JobStatus.FAILED:
        return store.fail(job.id, expected=JobStatus.SUBMITTING, kind=FailureKind.INVALID, message="400", now_ms=now_ms)
    job = store.mark_running(job.id, operation_name=f"operations/{job.id}", now_ms=now_ms)
    if status is JobStatus.RUNNING:
        return job
    job = store.begin_download(job.id, now_ms=now_ms)
    if status is JobStatus.DOWNLOADING:
        return job
    assert status is JobStatus.COMPLETED
    return store.complete(job.id, outputs=[output()], now_ms=now_ms)


def ledger_net(store: SqliteStore, job_ids: Sequence[str] | None = None) -> int:
    entries = store.ledger()
    return sum(
        e.amount_micros if e.kind == "charge" else -e.amount_micros
        for e in entries
        if job_ids is None or e.job_id in job_ids
    )
