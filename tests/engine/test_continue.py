"""Continue: the next shot of a finished video from its last frame, decoded with PyAV. Against the loopback
simulator (its MP4s are real H.264 cut from the shipped masters) through the real engine and store, on a
scaled clock; the refusals leave nothing stored, nothing charged."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops

from tests.engine.test_dispatcher_simulator import SPEED, open_on
from veo_desktop.composition import RunningEngine
from veo_desktop.core.clock import ScaledClock
from veo_desktop.core.jobs import Job
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.states import JobStatus
from veo_desktop.core.validation import ValidationError
from veo_desktop.engine import continuation, stills
from veo_desktop.engine.continuation import ShotChanges
from veo_desktop.paths import resources_dir
from veo_desktop.simulator import Simulator
from veo_desktop.store.rows import request_from_json, request_to_json

MODEL = "veo-3.1-fast-generate-001"
SAMPLE = resources_dir() / "clips" / "sample_16x9.mp4"


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningEngine]:
    clock = ScaledClock(SPEED)
    with Simulator(clock=clock, latency_s=(20.0, 30.0), seed=3) as sim:
        engine = await open_on(sim, clock, tmp_path)
        try:
            yield engine
        finally:
            await engine.aclose()


async def finished(running: RunningEngine, job_id: str) -> Job:
    while not (job := await running.engine.get(job_id)).status.is_terminal:
        await asyncio.sleep(0.02)
    return job


async def completed(running: RunningEngine, prompt: str, **changes: object) -> Job:
    asked = GenerationRequest(model_id=MODEL, prompt=prompt, duration_s=4, **changes)  # type: ignore[arg-type]
    [job] = await running.engine.submit(asked)
    done = await finished(running, job.id)
    assert done.status is JobStatus.COMPLETED, done.error_message
    return done


def first_frame(path: Path) -> Image.Image:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return frame.to_image()


def video_size(path: Path) -> tuple[int, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height


async def stored_counts(running: RunningEngine) -> tuple[int, int, list[str]]:
    jobs = await running.store.run(lambda s: s.list_jobs())
    frames = sorted(p.name for p in running.paths.frames_dir.iterdir()) if running.paths.frames_dir.is_dir() else []
    return len(jobs), len(await running.engine.ledger()), frames


def test_the_last_frame_of_a_shipped_clip_is_a_png_of_its_size_unlike_its_first() -> None:
    png = stills.last_frame_png(SAMPLE)
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (320, 180))
    with av.open(str(SAMPLE)) as container:
        pictures = [f.to_image() for f in container.decode(video=0)]
    assert len(pictures) == 30  # decoded from the start here; the still seeks to the last key frame
    assert ImageChops.difference(image.convert("RGB"), pictures[-1].convert("RGB")).getbbox() is None
    assert ImageChops.difference(image.convert("RGB"), pictures[0].convert("RGB")).getbbox() is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, r"The video is missing \(.*gone\.mp4\); put the file back or choose another video\."),
        (b"", r"The video cannot be decoded \(gone\.mp4: .*\); choose another video\."),
        (b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 8, r"cannot be decoded \(gone\.mp4: "),
    ],
    ids=["missing", "empty", "garbage"],
)
def test_a_missing_or_undecodable_file_is_one_sentence(tmp_path: Path, data: bytes | None, message: str) -> None:
    path = tmp_path / "gone.mp4"
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(ValidationError, match=message) as refused:
        stills.last_frame_png(path)
    assert refused.value.field == "continues_job_id"
    assert str(refused.value).count(". ") == 0  # one sentence


async def test_continue_queues_the_next_shot_from_the_last_frame(running: RunningEngine) -> None:
    parent = await completed(running, "a lighthouse at dawn", generate_audio=False, seed=77, negative_prompt="text")
    video = Path(parent.outputs[0].path)
    child = await running.engine.continue_from(parent.id, prompt="the beam sweeps the sea")
    asked = child.request
    assert (asked.continues_job_id, asked.prompt, asked.model_id, asked.duration_s) == (
        parent.id,
        "the beam sweeps the sea",
        MODEL,
        4,
    )
    assert (asked.generate_audio, asked.seed, asked.negative_prompt, asked.end_frame) == (False, 77, "text", None)
    frame = asked.start_frame
    assert frame is not None
    path = running.engine.frame_path(frame)
    data = path.read_bytes()
    assert frame.sha256 == hashlib.sha256(data).hexdigest() == path.stem  # kept once, by content hash
    assert (frame.mime_type, (frame.width, frame.height)) == ("image/png", video_size(video))
    still = Image.open(io.BytesIO(data))
    assert ImageChops.difference(still.convert("RGB"), first_frame(video).convert("RGB")).getbbox() is not None
    assert child.cost_micros == running.engine.quote_micros(asked, 1)  # priced like any submit
    assert [e.kind for e in await running.engine.ledger(child.id)] == ["charge"]
    assert request_from_json(request_to_json(asked)) == asked  # the link survives the store's JSON
    assert (await running.engine.get(child.id)).request.continues_job_id == parent.id
    done = await finished(running, child.id)
    assert done.status is JobStatus.COMPLETED, done.error_message
    chain = await running.engine.chain(child.id)
    assert [(link.job_id, link.kind) for link in chain.links] == [(parent.id, "original"), (child.id, "continuation")]
    assert chain.total_s == pytest.approx(8.0)  # two 4 s shots, one after the other
    assert chain.shot_total_s == pytest.approx(4.0)  # what an extension of the second shot would build on


async def test_changes_override_the_parents_fields(running: RunningEngine) -> None:
    parent = await completed(running, "a kite over dunes")
    changes = ShotChanges(duration_s=6, generate_audio=False, seed=5, negative_prompt="birds")
    child = await running.engine.continue_from(parent.id, changes=changes)
    asked = child.request
    assert (asked.prompt, asked.duration_s, asked.generate_audio, asked.seed, asked.negative_prompt) == (
        "a kite over dunes",
        6,
        False,
        5,
        "birds",
    )


async def test_refusals_store_and_charge_nothing(running: RunningEngine) -> None:
    parent = await completed(running, "a fox in snow")
    await running.engine.pause()
    [waiting] = await running.engine.submit(GenerationRequest(model_id=MODEL, prompt="still waiting", duration_s=4))
    before = await stored_counts(running)
    with pytest.raises(ValidationError, match=r"has no finished video to continue \(queued\); choose a completed"):
        await running.engine.continue_from(waiting.id)
    catalogue = running.engine.catalogue
    no_frames = tuple(replace(m, start_frame=False) if m.id == MODEL else m for m in catalogue.models)
    running.engine.catalogue = replace(catalogue, models=no_frames)
    with pytest.raises(ValidationError, match=r"takes no start frame, so it cannot continue a video; choose a model"):
        await running.engine.continue_from(parent.id)
    running.engine.catalogue = catalogue
    await asyncio.to_thread(Path(parent.outputs[0].path).unlink)
    with pytest.raises(ValidationError, match=rf"The video of job {parent.id} is missing \(.*\); put the file back"):
        await running.engine.continue_from(parent.id)
    assert await stored_counts(running) == before


def test_what_a_continuation_leaves_behind_is_said() -> None:
    ref = FrameRef("a" * 64, "image/png", 640, 360, 100)
    asked = GenerationRequest(model_id=MODEL, prompt="p", reference_images=(ref, ref), sample_count=3, batch="b")
    parent = Job(
        id="j1", request=asked, status=JobStatus.COMPLETED, queue_order=1.0, attempt=1, cost_micros=1, created_at_ms=1
    )
    shot = continuation.next_shot(parent, None)
    assert (shot.reference_images, shot.sample_count, shot.batch, shot.start_frame) == ((), 1, "", None)
    assert continuation.left_behind(parent) == (
        "The shot after j1 starts from its last frame without its 2 reference images: "
        "reference images cannot be combined with a start frame."
    )
    framed = replace(parent, request=replace(asked, reference_images=(), start_frame=ref, end_frame=ref))
    assert continuation.left_behind(framed) == (
        "The shot after j1 starts from its last frame without its end frame: "
        "the end frame is about where the next shot already starts."
    )
    assert continuation.left_behind(replace(parent, request=replace(asked, reference_images=()))) is None
