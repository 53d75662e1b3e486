"""What is sent to Google for a job, and what the sidecar records of it.

`build_spec` turns a stored request into the provider's `StartSpec`: frames and reference images from the
frames folder, an extension's input video from its parent job's file, a refine's previous operation from its
parent job's operation name. `sent_fields` is the same request as the sidecar keeps it (hashes, never paths).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from veo_desktop.client.base import FrameData, StartSpec
from veo_desktop.core.errors import JobNotFound
from veo_desktop.core.jobs import Job
from veo_desktop.core.request import FrameRef
from veo_desktop.core.states import JobStatus
from veo_desktop.store.async_store import AsyncStore


class ParentMissing(Exception):
    """The job an extension or a refine builds on is gone or has no video: nothing can be sent."""


def _frame(frames_dir: Path, ref: FrameRef | None) -> FrameData | None:
    if ref is None:
        return None
    return FrameData(path=frames_dir / ref.file_name, mime_type=ref.mime_type)


async def _parent(store: AsyncStore, job_id: str, what: str) -> Job:
    try:
        parent = await store.run(lambda s: s.get(job_id))
    except JobNotFound:
        raise ParentMissing(f"The job this one {what} ({job_id}) is no longer in the queue database.") from None
    if parent.status is not JobStatus.COMPLETED:
        raise ParentMissing(f"The job this one {what} ({job_id}) has no finished video ({parent.status.value}).")
    return parent


async def build_spec(job: Job, *, store: AsyncStore, frames_dir: Path) -> StartSpec:
    """The start request for `job`; ParentMissing when the job it extends or refines cannot be used."""
    r = job.request
    input_video: Path | None = None
    previous: str | None = None
    if r.extends_job_id:
        parent = await _parent(store, r.extends_job_id, "extends")
        if not parent.outputs:
            raise ParentMissing(f"The job this one extends ({parent.id}) has no video file.")
        input_video = Path(parent.outputs[0].path)
    if r.refines_job_id:
        parent = await _parent(store, r.refines_job_id, "refines")
        previous = parent.operation_name
    return StartSpec(
        model_id=r.model_id,
        prompt=r.prompt,
        aspect_ratio=r.aspect_ratio,
        duration_s=r.duration_s,
        resolution=r.resolution,
        negative_prompt=r.negative_prompt,
        start_frame=_frame(frames_dir, r.start_frame),
        end_frame=_frame(frames_dir, r.end_frame),
        sample_count=r.sample_count,
        generate_audio=r.generate_audio,
        enhance_prompt=r.enhance_prompt,
        seed=r.seed,
        person_generation=r.person_generation,
        resize_mode=r.resize_mode,
        compression_quality=r.compression_quality,
        reference_images=tuple(f for f in (_frame(frames_dir, ref) for ref in r.reference_images) if f is not None),
        input_video=input_video,
        previous_operation=previous,
    )


def sent_fields(job: Job) -> dict[str, Any]:
    """Every field of the start request as the sidecar records it: images by content hash, parents by job id."""
    r = job.request
    return {
        "model": r.model_id,
        "prompt": r.prompt,
        "negative_prompt": r.negative_prompt,
        "aspect_ratio": r.aspect_ratio,
        "duration_s": r.duration_s,
        "resolution": r.resolution,
        "sample_count": r.sample_count,
        "generate_audio": r.generate_audio,
        "enhance_prompt": r.enhance_prompt,
        "seed": r.seed,
        "person_generation": r.person_generation,
        "resize_mode": r.resize_mode,
        "compression_quality": r.compression_quality,
        "start_frame_sha256": r.start_frame.sha256 if r.start_frame else None,
        "end_frame_sha256": r.end_frame.sha256 if r.end_frame else None,
        "reference_images_sha256": [ref.sha256 for ref in r.reference_images],
        "extends_job_id": r.extends_job_id,
        "refines_job_id": r.refines_job_id,
        "continues_job_id": r.continues_job_id,
        "batch": r.batch or None,
    }
