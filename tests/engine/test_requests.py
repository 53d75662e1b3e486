"""The enqueue side of issue 12: extensions and refines of finished jobs (priced, validated against the parent's
clip, linked into a chain), batches validated as a whole before one transaction, and the batch group's
cancel and retry. Against the real store and dispatcher with a fake provider on a virtual clock."""

from __future__ import annotations

import asyncio
import io
import shutil
from dataclasses import replace

import pytest

from veo_desktop.composition import load_catalogue
from veo_desktop.core.batch import BatchRefused
from veo_desktop.core.cost import request_cost_micros
from veo_desktop.core.errors import BudgetExceeded
from veo_desktop.core.jobs import Job, VideoOutput
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.states import JobStatus
from veo_desktop.core.validation import ValidationError, validate_request
from veo_desktop.engine import chains
from veo_desktop.paths import resources_dir
from veo_desktop.testing.fake_requests import FakeRequestActions
from veo_desktop.testing.rig import MODEL, Rig, request

FAST_SILENT_720P_MICROS = 80_000  # Veo 3.1 Fast, 720p, no audio, per second


async def _completed(rig: Rig, **changes: object) -> Job:
    [job] = await rig.engine.submit(request("a lighthouse at dawn", **changes))

    async def done() -> bool:
        return (await rig.engine.get(job.id)).status is JobStatus.COMPLETED

    await rig.settle(done)
    return await rig.engine.get(job.id)


async def _counts(rig: Rig) -> tuple[int, int]:
    jobs = await rig.store.run(lambda s: s.list_jobs())
    return len(jobs), len(await rig.engine.ledger())


def _clip_length_s() -> float:
    path = resources_dir() / "clips" / "sample_16x9.mp4"
    with path.open("rb") as fh:
        length = chains.mp4_length_s(fh, path.stat().st_size)
    assert length is not None
    return length


async def test_an_extension_continues_a_finished_video_priced_as_its_step(rig: Rig) -> None:
    parent = await _completed(rig, generate_audio=False, negative_prompt="text")
    child = await rig.engine.extend(parent.id, prompt="then the fog lifts")
    asked = child.request
    assert (asked.extends_job_id, asked.duration_s, asked.prompt) == (parent.id, 7, "then the fog lifts")
    assert (asked.generate_audio, asked.negative_prompt, asked.start_frame) == (False, "text", None)
    assert child.cost_micros == 7 * FAST_SILENT_720P_MICROS
    assert [e.kind for e in await rig.engine.ledger(child.id)] == ["charge"]
    chain = await rig.engine.chain(child.id)
    assert [(link.job_id, link.kind) for link in chain.links] == [(parent.id, "original"), (child.id, "extension")]
    assert chain.links[0].length_s == pytest.approx(_clip_length_s())
    assert chain.parent_id == parent.id
    defaulted = await rig.engine.extend(parent.id)
    assert defaulted.request.prompt == parent.request.prompt


async def test_only_a_finished_veo_video_can_be_extended(rig: Rig) -> None:
    [waiting] = await rig.engine.submit(request("still waiting"))
    await rig.engine.pause()
    before = await _counts(rig)
    with pytest.raises(ValidationError, match=r"has no finished video to extend \(queued\); choose a completed job"):
        await rig.engine.extend(waiting.id)
    assert await _counts(rig) == before


async def test_refine_is_refused_where_the_provider_does_not_offer_it(rig: Rig) -> None:
    parent = await _completed(rig)
    before = await _counts(rig)
    with pytest.raises(ValidationError) as refused:
        await rig.engine.refine(parent.id, prompt="make it blue")
    assert refused.value.field == "refines_job_id"
    assert str(refused.value) == (
        "The vertex provider does not offer refining a video; refine works on Gemini Omni Flash videos "
        "(--provider gemini)."
    )
    assert await _counts(rig) == before


def test_the_mp4_length_is_read_from_mvhd() -> None:
    def box(kind: bytes, payload: bytes) -> bytes:
        return (8 + len(payload)).to_bytes(4, "big") + kind + payload

    v0 = bytes(4) + bytes(8) + (1000).to_bytes(4, "big") + (31_500).to_bytes(4, "big") + bytes(80)
    data = box(b"ftyp", b"isom" + bytes(4)) + box(b"moov", box(b"mvhd", v0))
    assert chains.mp4_length_s(io.BytesIO(data), len(data)) == 31.5
    v1 = b"\x01" + bytes(3) + bytes(16) + (600).to_bytes(4, "big") + (4_200).to_bytes(8, "big") + bytes(80)
    data = box(b"ftyp", b"isom") + box(b"moov", box(b"mvhd", v1))
    assert chains.mp4_length_s(io.BytesIO(data), len(data)) == 7.0
    assert chains.mp4_length_s(io.BytesIO(b"not a video"), 11) is None


@pytest.mark.parametrize(
    "lengths,asked,total",
    [
        ([8.0], [8], 8.0),
        ([8.0, 15.0], [8, 7], 15.0),  # the extension came back as the whole video
        ([8.0, 7.0], [8, 7], 15.0),  # ... or as the continuation only
        ([8.0, None], [8, 7], 15.0),  # not finished: what it asked for
        ([None], [6], 6.0),
    ],
)
def test_a_chains_length(lengths: list[float | None], asked: list[int], total: float) -> None:
    assert chains.chain_total_s(lengths, asked) == total


async def test_a_batch_with_a_bad_line_stores_and_charges_nothing(rig: Rig) -> None:
    requests = [request("one"), request("two", duration_s=5), request("three"), request("   ")]
    before = await _counts(rig)
    with pytest.raises(BatchRefused) as refused:
        await rig.engine.submit_batch(requests, lines=[2, 3, 5, 9])
    assert [e.line for e in refused.value.errors] == [3, 9]
    assert "line 3: Veo 3.1 Fast cannot make 5 s videos" in str(refused.value)
    with pytest.raises(BatchRefused):
        await rig.engine.quote_batch(requests)
    assert await _counts(rig) == before


async def test_fifty_lines_make_fifty_jobs_in_order_with_one_charge_each(rig: Rig) -> None:
    await rig.engine.pause()
    requests = [request(f"shot {i}", batch="monday", generate_audio=False) for i in range(50)]
    quote = await rig.engine.quote_batch(requests)
    assert (quote.jobs, quote.total_micros, quote.fits_budget) == (50, 50 * 4 * FAST_SILENT_720P_MICROS, True)
    jobs = await rig.engine.submit_batch(requests)
    waiting = await rig.store.run(lambda s: s.waiting_jobs())
    assert [j.request.prompt for j in waiting] == [f"shot {i}" for i in range(50)]
    assert [j.id for j in waiting] == [j.id for j in jobs]
    entries = await rig.engine.ledger()
    assert sorted(e.job_id for e in entries if e.kind == "charge") == sorted(j.id for j in jobs)
    assert len(entries) == 50
    assert [j.id for j in await rig.engine.batch_jobs("monday")] == [j.id for j in jobs]


async def test_a_batch_over_the_budget_is_refused_whole(rig: Rig) -> None:
    await rig.engine.set_daily_budget(1_000_000)
    requests = [request(f"shot {i}") for i in range(4)]  # 4 × $0.40
    quote = await rig.engine.quote_batch(requests)
    assert (quote.total_micros, quote.budget_left_micros, quote.fits_budget) == (1_600_000, 1_000_000, False)
    with pytest.raises(BudgetExceeded):
        await rig.engine.submit_batch(requests)
    assert await _counts(rig) == (0, 0)


async def test_cancel_batch_cancels_only_the_waiting_rest_of_that_batch(rig: Rig) -> None:
    await rig.engine.pause()
    ours = await rig.engine.submit_batch([request(f"a{i}", batch="a") for i in range(3)])
    theirs = await rig.engine.submit_batch([request("b0", batch="b")])
    cancelled = await rig.engine.cancel_batch("a")
    assert sorted(j.id for j in cancelled) == sorted(j.id for j in ours)
    assert {j.status for j in await rig.engine.batch_jobs("a")} == {JobStatus.CANCELLED}
    assert (await rig.engine.get(theirs[0].id)).status is JobStatus.QUEUED
    assert [e.kind for e in await rig.engine.ledger(ours[0].id)] == ["charge", "refund"]


async def test_retry_batch_queues_its_failed_jobs_again(rig: Rig) -> None:
    rig.provider.outcomes["doomed"] = "error"
    jobs = await rig.engine.submit_batch(
        [request("doomed 1", batch="x"), request("fine", batch="x"), request("doomed 2", batch="x")]
    )

    async def settled() -> bool:
        return all(j.status.is_terminal for j in await rig.engine.batch_jobs("x"))

    await rig.settle(settled)
    assert [j.status for j in await rig.engine.batch_jobs("x")] == [
        JobStatus.FAILED,
        JobStatus.COMPLETED,
        JobStatus.FAILED,
    ]
    await rig.engine.pause()
    spent = 400_000  # the completed job; the failed ones were refunded
    await rig.engine.set_daily_budget(spent + 2 * 400_000 - 1)
    with pytest.raises(BudgetExceeded, match="Retrying the 2 failed jobs of batch 'x'"):
        await rig.engine.retry_batch("x")
    assert [j.status for j in await rig.engine.batch_jobs("x")][::2] == [JobStatus.FAILED] * 2
    await rig.engine.set_daily_budget(spent + 2 * 400_000)
    retried = await rig.engine.retry_batch("x")
    assert [j.id for j in retried] == [jobs[0].id, jobs[2].id]
    assert all(j.status is JobStatus.QUEUED and j.attempt == 2 for j in retried)


def test_the_fake_model_is_the_fast_one() -> None:
    assert MODEL == "veo-3.1-fast-generate-001"


async def test_an_extension_is_checked_against_the_parents_clip_as_delivered(rig: Rig) -> None:
    parent = await _completed(rig)
    long_clip = resources_dir() / "clips" / "sim_16x9_40s.mp4"
    await asyncio.to_thread(shutil.copyfile, long_clip, parent.outputs[0].path)  # the file now says 40 s
    before = await _counts(rig)
    with pytest.raises(ValidationError, match=r"^The video to extend is 40 s long; Veo extends clips of 1 to 30 s\.$"):
        await rig.engine.extend(parent.id)
    assert await _counts(rig) == before


class _Host(FakeRequestActions):
    """The least a fake engine needs to carry the Engine's request methods."""

    def __init__(self) -> None:
        self.catalogue = load_catalogue()
        self.provider_name = "vertex"
        self.jobs: dict[str, Job] = {}
        self.budget_micros: int | None = None

    def quote_micros(self, request: GenerationRequest, count: int) -> int:
        model = self.catalogue.get(request.model_id)
        assert model is not None
        return request_cost_micros(model, request) * count

    async def submit(self, request: GenerationRequest, count: int = 1) -> list[Job]:
        request = validate_request(request, self.catalogue, provider=self.provider_name, count=count)
        made = []
        for _ in range(count):
            n = len(self.jobs) + 1
            cost = self.quote_micros(request, 1)
            job = Job(f"j{n}", request, JobStatus.QUEUED, float(n), 1, cost, n, charged_micros=cost)
            self.jobs[job.id] = job
            made.append(job)
        return made

    async def cancel(self, job_id: str) -> Job:
        job = replace(self.jobs[job_id], status=JobStatus.CANCELLED, refunded_micros=self.jobs[job_id].charged_micros)
        self.jobs[job_id] = job
        return job

    async def retry(self, job_id: str) -> Job:
        job = replace(self.jobs[job_id], status=JobStatus.QUEUED, attempt=self.jobs[job_id].attempt + 1)
        self.jobs[job_id] = job
        return job


async def test_the_fake_engines_request_methods_refuse_and_queue_like_the_engine() -> None:
    host = _Host()
    with pytest.raises(BatchRefused, match=r"fix line 7: Veo 3\.1 Fast cannot make 5 s videos"):
        await host.submit_batch([request("a"), request("b", duration_s=5)], lines=[4, 7])
    assert host.jobs == {}
    first, second = await host.submit_batch([request("a", batch="x"), request("b", batch="x")])
    host.jobs[first.id] = replace(first, status=JobStatus.COMPLETED, outputs=(VideoOutput("/none.mp4", 1, "0"),))
    child = await host.extend(first.id, prompt="on")
    assert (child.request.extends_job_id, child.request.duration_s) == (first.id, 7)
    assert (await host.chain(child.id)).total_s == 4 + 7
    with pytest.raises(ValidationError, match="The vertex provider does not offer refining"):
        await host.refine(first.id, prompt="blue")
    assert [j.id for j in await host.cancel_batch("x")] == [second.id]
    host.jobs[second.id] = replace(host.jobs[second.id], status=JobStatus.FAILED)
    assert [j.attempt for j in await host.retry_batch("x")] == [2]
    host.budget_micros = 0
    assert not (await host.quote_batch([request("c")])).fits_budget
    with pytest.raises(BudgetExceeded):
        await host.submit_batch([request("c")])
