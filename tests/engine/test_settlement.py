"""What a finished job books and records: the filtered share of variations refunded, Omni reconciled from its
usage tokens, every request field sent (parents included) and what came back in the sidecar."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from veo_desktop.client.base import OperationStatus, VideoRef
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.cost import reconcile_omni
from veo_desktop.core.money import format_usd
from veo_desktop.core.request import FrameRef
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.store.base import NewJob
from veo_desktop.testing.fixtures import RigFactory
from veo_desktop.testing.provider import FakeProvider
from veo_desktop.testing.rig import CATALOGUE, Rig, request

OMNI = "gemini-omni-1.1-flash"


class Shaped(FakeProvider):
    """Answers a done poll with `delivered` videos of the request's variations and the given usage."""

    delivered: int | None = None
    usage: tuple[int, int, int] | None = None

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        status = await super().poll(operation_name, staging_dir=staging_dir)
        if not status.done:
            return status
        videos = status.videos[: self.delivered] if self.delivered is not None else status.videos
        filtered = len(status.videos) - len(videos)
        tokens = self.usage or (None, None, None)
        return OperationStatus(
            name=operation_name,
            done=True,
            videos=tuple(videos) or (VideoRef(file_id="f0"),),
            filtered_count=filtered,
            filter_reasons=("Contains a public figure.",) if filtered else (),
            rewritten_prompt="A rewritten prompt.",
            input_tokens=tokens[0],
            video_tokens=tokens[1],
            other_output_tokens=tokens[2],
            response_summary='{"status": "completed"}',
        )


async def finished(rig: Rig) -> bool:
    jobs = await rig.store.run(lambda s: s.list_jobs())
    return bool(jobs) and all(j.status.is_terminal for j in jobs) and not rig.dispatcher.tracked_jobs


async def test_three_of_four_delivered_refunds_a_quarter_with_a_note(make_rig: RigFactory, tmp_path: Path) -> None:
    rig_clock = ManualClock()
    provider = Shaped(clock=rig_clock)
    provider.delivered = 3
    rig = await make_rig(tmp_path, provider=provider, clock=rig_clock)
    [job] = await rig.engine.submit(request("four variations", sample_count=4, seed=7, generate_audio=False))
    await rig.settle(lambda: finished(rig))
    job = await rig.engine.get(job.id)
    assert job.status is JobStatus.COMPLETED and len(job.outputs) == 3
    refund = job.cost_micros // 4
    assert job.refunded_micros == refund > 0
    assert job.note == f"3 of 4 delivered, 1 blocked by Google's safety filter (refunded {format_usd(refund)})"
    entries = await rig.engine.ledger(job.id)
    assert [(e.kind, e.amount_micros) for e in entries] == [("charge", job.cost_micros), ("refund", refund)]
    events = await rig.engine.events(job.id)
    assert job.note in events[-1].detail
    sidecar = json.loads(Path(job.outputs[0].path).with_suffix(".json").read_text())
    assert sidecar["sent"]["seed"] == 7 and sidecar["sent"]["generate_audio"] is False
    assert sidecar["sent"]["sample_count"] == 4
    assert sidecar["returned"]["videos_delivered"] == 3 and sidecar["returned"]["filtered_count"] == 1
    assert sidecar["returned"]["filter_reasons"] == ["Contains a public figure."]
    assert sidecar["returned"]["rewritten_prompt"] == "A rewritten prompt."
    assert sidecar["refunded_usd"] == refund / 1e6


async def omni_rig(make_rig: RigFactory, tmp_path: Path, usage: tuple[int, int, int]) -> tuple[Rig, Shaped]:
    clock = ManualClock()
    provider = Shaped(clock=clock)
    provider.usage = usage
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    rig.dispatcher.reconfigure(provider=("gemini", provider))
    return rig, provider


async def test_omni_refunds_the_unused_estimate_from_usage_tokens(make_rig: RigFactory, tmp_path: Path) -> None:
    usage = (120, 5792 * 4, 300)  # a 4 s clip at 720p, well under the 10 s estimate
    rig, _ = await omni_rig(make_rig, tmp_path, usage)
    [job] = await rig.engine.submit(request("omni", model_id=OMNI, duration_s=4, generate_audio=True))
    await rig.settle(lambda: finished(rig))
    job = await rig.engine.get(job.id)
    model = CATALOGUE.get(OMNI)
    assert model is not None
    rec = reconcile_omni(model, job.cost_micros, input_tokens=120, video_tokens=5792 * 4, other_output_tokens=300)
    assert job.status is JobStatus.COMPLETED and job.provider == "gemini"
    assert job.refunded_micros == rec.refund_micros > 0
    assert job.charged_micros - job.refunded_micros == rec.actual_micros
    assert f"(refunded {format_usd(rec.refund_micros)})" in (job.note or "")
    events = await rig.engine.events(job.id)
    assert "refunded" in events[-1].detail
    sidecar = json.loads(Path(job.outputs[0].path).with_suffix(".json").read_text())
    assert sidecar["returned"]["usage"] == {"input_tokens": 120, "video_tokens": 5792 * 4, "other_output_tokens": 300}
    assert sidecar["returned"]["actual_cost_usd"] == rec.actual_micros / 1e6


async def test_omni_above_the_estimate_keeps_the_charge_and_warns(
    make_rig: RigFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rig, _ = await omni_rig(make_rig, tmp_path, (5_000, 5792 * 30, 0))  # more than the longest clip
    caplog.set_level(logging.WARNING)
    [job] = await rig.engine.submit(request("omni long", model_id=OMNI, duration_s=4))
    await rig.settle(lambda: finished(rig))
    job = await rig.engine.get(job.id)
    assert job.status is JobStatus.COMPLETED and job.refunded_micros == 0
    assert "above the" in (job.note or "") and "charge was kept" in (job.note or "")
    assert any("catalogue drift" in r.getMessage() for r in caplog.records)
    assert [e.kind for e in await rig.engine.ledger(job.id)] == ["charge"]


async def test_every_field_and_the_parents_reach_the_provider(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=20)
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [parent] = await rig.engine.submit(request("the parent"))
    await rig.settle(lambda: finished(rig))
    parent = await rig.engine.get(parent.id)
    ref = FrameRef(sha256="ab" * 32, mime_type="image/png", width=64, height=64, size_bytes=100)
    child = request(
        "the child",
        generate_audio=False,
        enhance_prompt=False,
        seed=42,
        person_generation="allow_adult",
        resize_mode="crop",
        compression_quality="lossless",
        reference_images=(ref,),
        extends_job_id=parent.id,
    )
    refine = request("the refine", refines_job_id=parent.id)
    orphan = request("the orphan", extends_job_id="j-gone")
    new = [
        NewJob(id=f"j-{n}", request=r, cost_micros=1000, provider="vertex")
        for n, r in enumerate((child, refine, orphan))
    ]
    await rig.store.run(lambda s: s.enqueue(new, now_ms=clock.wall_ms(), day_start_ms=0))
    rig.dispatcher.wake()
    await rig.settle(lambda: finished(rig))
    specs = {op.spec.prompt: op.spec for op in provider.ops.values()}
    spec = specs["the child"]
    assert (spec.generate_audio, spec.enhance_prompt, spec.seed) == (False, False, 42)
    assert (spec.person_generation, spec.resize_mode, spec.compression_quality) == ("allow_adult", "crop", "lossless")
    assert spec.reference_images[0].path == rig.folders.frames_dir / ref.file_name
    assert spec.input_video == Path(parent.outputs[0].path)
    assert specs["the refine"].previous_operation == parent.operation_name
    orphaned = await rig.engine.get("j-2")
    assert orphaned.status is JobStatus.FAILED and orphaned.error_kind is FailureKind.LOCAL
    assert orphaned.refunded_micros == 1000 and "the orphan" not in specs
    sidecar = json.loads(Path((await rig.engine.get("j-0")).outputs[0].path).with_suffix(".json").read_text())
    assert sidecar["sent"]["extends_job_id"] == parent.id
    assert sidecar["sent"]["reference_images_sha256"] == [ref.sha256]
