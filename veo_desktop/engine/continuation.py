"""Continue: the next shot of a finished video, starting from its last frame.

A continuation is a new generation (priced, budget-checked and refunded like any job) whose start frame is
the last picture of the parent's (first) video, decoded by the host's `last_frame_decoder` (PyAV's
`engine.stills` by default, Qt's in the window), kept once in the frames folder by content hash, and whose
`continues_job_id` links it to the parent so the chain shows it ("this clip continues j00001").

What is carried over from the parent: the model, aspect ratio, resolution, duration, audio, prompt rewriting,
people, quality, negative prompt and seed (a fixed seed stays fixed, so a sequence can be queued again with
the same result; None lets Google choose, as before), and the prompt unless another is given. What is not:
the end frame and the reference images (a start frame excludes references, and the parent's end frame is
the picture this shot starts near), the variations (one video continues into one next shot), the resize
mode (the last frame already has the video's shape), the batch, and the extension or refine link.

`queue_next_shot` and `last_frame` run over a `ShotHost` (the engine service, or the window's fake engine), so
both check, decode and queue the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from veo_desktop.core.catalogue import Catalogue
from veo_desktop.core.jobs import Job
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.validation import ValidationError, validate_request
from veo_desktop.engine import chains, stills

FIELD = "continues_job_id"


@dataclass(frozen=True, slots=True)
class ShotChanges:
    """What the next shot changes from its parent's request (None: the parent's value)."""

    model_id: str | None = None
    duration_s: int | None = None
    resolution: str | None = None
    generate_audio: bool | None = None
    seed: int | None = None
    negative_prompt: str | None = None


def next_shot(parent: Job, prompt: str | None, changes: ShotChanges | None = None) -> GenerationRequest:
    """The request of the shot after `parent`, without its start frame yet (see the module's note)."""
    asked, c = parent.request, changes or ShotChanges()
    return GenerationRequest(
        model_id=c.model_id or asked.model_id,
        prompt=asked.prompt if prompt is None else prompt,
        aspect_ratio=asked.aspect_ratio,
        duration_s=asked.duration_s if c.duration_s is None else c.duration_s,
        resolution=c.resolution or asked.resolution,
        negative_prompt=asked.negative_prompt if c.negative_prompt is None else c.negative_prompt,
        generate_audio=asked.generate_audio if c.generate_audio is None else c.generate_audio,
        enhance_prompt=asked.enhance_prompt,
        seed=asked.seed if c.seed is None else c.seed,
        person_generation=asked.person_generation,
        compression_quality=asked.compression_quality,
        continues_job_id=parent.id,
    )


def check_continuable(catalogue: Catalogue, parent: Job, request: GenerationRequest) -> None:
    """Refuse a parent without a finished video, or a model that takes no start frame (one sentence each)."""
    chains.usable_parent(parent, action="continue")
    model = catalogue.get(request.model_id)
    if model is not None and not model.start_frame:
        raise ValidationError(
            FIELD,
            f"{model.display_name} takes no start frame, so it cannot continue a video; "
            "choose a model that does (--model).",
        )


def left_behind(parent: Job) -> str | None:
    """The sentence saying which of the parent's images the next shot does not take, or None."""
    asked = parent.request
    parts, reasons = [], []
    if asked.reference_images:
        count = len(asked.reference_images)
        parts.append(f"its {count} reference image{'s' if count > 1 else ''}")
        reasons.append("reference images cannot be combined with a start frame")
    if asked.end_frame is not None:
        parts.append("its end frame")
        reasons.append("the end frame is about where the next shot already starts")
    if not parts:
        return None
    return f"The shot after {parent.id} starts from its last frame without {' and '.join(parts)}: {'; '.join(reasons)}."


def video_label(parent: Job) -> str:
    return f"The video of job {parent.id}"


class ShotHost(Protocol):
    """What queuing a continuation needs of an engine."""

    @property
    def catalogue(self) -> Catalogue: ...

    @property
    def provider_name(self) -> str: ...

    @property
    def last_frame_decoder(self) -> stills.LastFrameDecoder: ...

    async def import_frame_bytes(self, data: bytes, *, field: str) -> FrameRef: ...

    async def submit(self, request: GenerationRequest, count: int = 1) -> list[Job]: ...


async def last_frame(host: ShotHost, parent: Job) -> FrameRef:
    """`parent`'s last frame, decoded on a worker thread and kept once in the frames folder by content hash."""
    chains.usable_parent(parent, action="continue")
    png = await host.last_frame_decoder(Path(parent.outputs[0].path), label=video_label(parent))
    return await host.import_frame_bytes(png, field="start_frame")


async def queue_next_shot(host: ShotHost, parent: Job, prompt: str | None, changes: ShotChanges | None) -> Job:
    """Check, then decode and keep the last frame, then submit (priced and budget-checked like any job)."""
    request = next_shot(parent, prompt, changes)
    check_continuable(host.catalogue, parent, request)
    validate_request(request, host.catalogue, provider=host.provider_name)  # refused before anything is decoded
    frame = await last_frame(host, parent)
    [job] = await host.submit(request.with_changes(start_frame=frame))
    return job
