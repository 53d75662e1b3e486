"""A job's record of its exchange with Google: every field of the start request, and what came back.

A finished job's record comes from its video's sidecar (`store.videos.write_sidecar`: `sent`, and `returned`
from `engine.settle`), which keeps what was true when the video arrived. A job without a readable sidecar
(waiting, running, failed, or its file moved away) gets the request as it stands (`specs.sent_fields`) and
what its row knows of Google's answers: the operation name, filter reasons and the error.

`read_job_record` reads files (blocking): the engine calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from veo_desktop.core.jobs import Job
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.api import JobRecord
from veo_desktop.engine.specs import sent_fields
from veo_desktop.store.videos import read_sidecar


def read_job_record(job: Job) -> JobRecord:
    """The record of `job`, from the first of its videos whose sidecar can be read (blocking I/O)."""
    for output in job.outputs:
        sidecar = read_sidecar(Path(output.path))
        if sidecar is not None and sidecar.get("job_id") in (None, job.id):
            return job_record(job, sidecar)
    return job_record(job, None)


def job_record(job: Job, sidecar: Mapping[str, Any] | None) -> JobRecord:
    """The record of `job` from its sidecar's contents (None: from the job's row alone). Pure."""
    sent = sidecar.get("sent") if sidecar is not None else None
    returned = sidecar.get("returned") if sidecar is not None else None
    if not isinstance(sent, Mapping):
        sent = sent_fields(job)
    if sidecar is not None and isinstance(returned, Mapping):
        answer = {"operation_name": sidecar.get("operation_name") or job.operation_name, **returned}
        return JobRecord(job.id, dict(sent), answer, sent_yet=True, from_sidecar=True)
    return JobRecord(job.id, dict(sent), row_answer(job), sent_yet=_sent_yet(job), from_sidecar=False)


def row_answer(job: Job) -> dict[str, Any]:
    """What the job's row keeps of Google's answers (a job without a sidecar)."""
    return {
        "operation_name": job.operation_name,
        "filter_reasons": list(job.filter_reasons),
        "error_kind": job.error_kind.value if job.error_kind is not None else None,
        "error_message": job.error_message,
        "note": job.note,
    }


def _sent_yet(job: Job) -> bool:
    """Whether a start request for this job has left (at least once): a job never started was never sent."""
    started = (job.operation_name, job.sending_at_ms, job.started_at_ms)
    return any(value is not None for value in started) or job.attempt > 1 or job.status is JobStatus.COMPLETED
