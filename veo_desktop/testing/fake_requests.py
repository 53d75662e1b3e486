"""The Engine's extend, refine, continue, chain and batch methods for an in-memory fake engine
(`testing.fake_engine`).

A fake inherits `FakeRequestActions` and provides what `FakeHost` names (its jobs, catalogue, provider,
`submit`, `cancel`, `retry`); the requests are built and validated with the engine's own functions
(`engine.chains`, `validate_request`, `BatchRefused`), so a window sees the same refusals as over the real
engine. Jobs here have no MP4 to measure: a parent's length is the one it asked for. A continuation is the
engine's own (`engine.continuation`) and decodes the parent's file for real, so a test completes the parent
with a real clip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from veo_desktop.core.batch import BatchRefused, LineError
from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.errors import BudgetExceeded
from veo_desktop.core.jobs import Job
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.states import JobStatus
from veo_desktop.core.validation import ValidationError, validate_request
from veo_desktop.engine import chains, continuation, stills
from veo_desktop.engine.api import BatchQuote
from veo_desktop.engine.chains import VideoChain


class FakeHost(Protocol):
    catalogue: Catalogue
    provider_name: str
    jobs: dict[str, Job]
    budget_micros: int | None
    last_frame_decoder: stills.LastFrameDecoder

    def quote_micros(self, request: GenerationRequest, count: int) -> int: ...

    async def import_frame_bytes(self, data: bytes, *, field: str) -> FrameRef: ...

    async def submit(self, request: GenerationRequest, count: int = 1) -> list[Job]: ...

    async def cancel(self, job_id: str) -> Job: ...

    async def retry(self, job_id: str) -> Job: ...


def _chain(host: FakeHost, job_id: str) -> VideoChain:
    jobs = [host.jobs[job_id]]
    while (above := chains.parent_id(jobs[-1])) is not None and len(jobs) < chains.MAX_CHAIN_LINKS:
        jobs.append(host.jobs[above])
    jobs.reverse()
    return chains.build_chain(jobs, [None] * len(jobs))


async def _queue_child(host: FakeHost, request: GenerationRequest, parent: Job) -> Job:
    total = _chain(host, parent.id).shot_total_s
    video = chains.parent_video(parent, length_s=None, chain_total=total)
    validate_request(request, host.catalogue, provider=host.provider_name, parent=video)
    [job] = await host.submit(request, 1)
    return job


def _priced(host: FakeHost, requests: Sequence[GenerationRequest], lines: Sequence[int]) -> list[int]:
    costs, errors = [], []
    for i, request in enumerate(requests):
        try:
            checked = validate_request(request, host.catalogue, provider=host.provider_name)
            costs.append(host.quote_micros(checked, 1))
        except (ValidationError, ValueError) as exc:
            errors.append(LineError(lines[i] if i < len(lines) else i + 1, str(exc)))
    if errors or not costs:
        raise BatchRefused(errors or [LineError(1, "the batch has no jobs")])
    return costs


def _left(host: FakeHost) -> int | None:
    if host.budget_micros is None:
        return None
    return host.budget_micros - sum(j.charged_micros - j.refunded_micros for j in host.jobs.values())


def _in_batch(host: FakeHost, name: str) -> list[Job]:
    return sorted((j for j in host.jobs.values() if j.request.batch == name), key=lambda j: j.created_at_ms)


class FakeRequestActions:
    async def extend(self: FakeHost, job_id: str, *, prompt: str | None = None) -> Job:
        parent = self.jobs[job_id]
        chains.usable_parent(parent, action="extend")
        return await _queue_child(self, chains.extension_request(parent, prompt), parent)

    async def refine(self: FakeHost, job_id: str, *, prompt: str, duration_s: int | None = None) -> Job:
        parent = self.jobs[job_id]
        chains.check_refinable(self.catalogue, self.provider_name, parent)
        chains.usable_parent(parent, action="refine")
        return await _queue_child(self, chains.refine_request(parent, prompt, duration_s), parent)

    async def continue_from(
        self: FakeHost, job_id: str, *, prompt: str | None = None, changes: continuation.ShotChanges | None = None
    ) -> Job:
        return await continuation.queue_next_shot(self, self.jobs[job_id], prompt, changes)

    async def last_frame(self: FakeHost, job_id: str) -> FrameRef:
        return await continuation.last_frame(self, self.jobs[job_id])

    async def chain(self: FakeHost, job_id: str) -> VideoChain:
        return _chain(self, job_id)

    async def quote_batch(
        self: FakeHost, requests: Sequence[GenerationRequest], *, lines: Sequence[int] = ()
    ) -> BatchQuote:
        costs = _priced(self, requests, lines)
        return BatchQuote(jobs=len(costs), total_micros=sum(costs), budget_left_micros=_left(self))

    async def submit_batch(
        self: FakeHost, requests: Sequence[GenerationRequest], *, lines: Sequence[int] = ()
    ) -> list[Job]:
        left = _left(self)
        if left is not None and sum(_priced(self, requests, lines)) > left:
            raise BudgetExceeded("Queuing this batch would pass today's budget; raise it or queue fewer lines.")
        _priced(self, requests, lines)
        return [job for request in requests for job in await self.submit(request, 1)]

    async def batch_jobs(self: FakeHost, name: str) -> list[Job]:
        return _in_batch(self, name)

    async def cancel_batch(self: FakeHost, name: str) -> list[Job]:
        return [await self.cancel(j.id) for j in _in_batch(self, name) if j.status is JobStatus.QUEUED]

    async def retry_batch(self: FakeHost, name: str) -> list[Job]:
        failed = [j for j in _in_batch(self, name) if j.status is JobStatus.FAILED]
        left = _left(self)
        if left is not None and sum(j.cost_micros for j in failed) > left:
            raise BudgetExceeded(f"Retrying the failed jobs of batch {name!r} would pass today's budget.")
        return [await self.retry(j.id) for j in failed]
