"""Printing for the CLI: human lines or one JSON document per result (stable keys for scripts)."""

from __future__ import annotations

import json
import sys
from typing import Any

from veo_desktop.core.jobs import Job
from veo_desktop.core.money import format_usd
from veo_desktop.engine.api import DisplayState, JobView
from veo_desktop.engine.specs import sent_fields
from veo_desktop.engine.texts import slot_hold_text


def describe(view: JobView, now_ms: int | None = None) -> str:
    """One human status phrase, the same words the GUI uses (`now_ms`: the snapshot's time)."""
    job, d = view.job, view.display
    if d is DisplayState.WAITING:
        eta = f", starts in ~{_duration(view.eta_start_s)}" if view.eta_start_s is not None else ""
        note = f" ({job.note})" if job.note else ""
        return f"in the queue, position {view.position}{eta}{note}"
    if d is DisplayState.WAITING_QUOTA:
        return f"waiting for Google's quota, retrying in {_duration(view.retry_in_s)} (position {view.position})"
    if d is DisplayState.PAUSED:
        return f"paused, position {view.position}"
    if d is DisplayState.GENERATING:
        return f"generating, {_duration(view.elapsed_s)} elapsed"
    if d is DisplayState.FAILED or d is DisplayState.FILTERED:
        return f"{d.value}: {job.error_message or ''}".rstrip(": ")
    if d is DisplayState.COMPLETED and job.note:
        return f"completed ({job.note})"  # e.g. "3 of 4 delivered, 1 blocked by Google's safety filter (...)"
    if d is DisplayState.UNKNOWN_START:
        hold = slot_hold_text(job, now_ms) if now_ms is not None else None
        held = f"; {hold}" if hold else ""
        return f"start outcome unknown: `retry` (may be billed twice) or `give-up` (refund){held}"
    return d.value


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = max(0, round(seconds))
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def job_json(view_or_job: JobView | Job) -> dict[str, Any]:
    view = view_or_job if isinstance(view_or_job, JobView) else None
    job = view.job if view else view_or_job
    assert isinstance(job, Job)
    data: dict[str, Any] = {
        "id": job.id,
        "status": job.status.value,
        **sent_fields(job),  # every field of the start request, as the sidecar records it
        "variations": job.request.sample_count,  # the older name of `sample_count`, kept for scripts
        "attempt": job.attempt,
        "cost_usd": job.cost_micros / 1e6,
        "charged_usd": job.charged_micros / 1e6,
        "refunded_usd": job.refunded_micros / 1e6,
        "operation_name": job.operation_name,
        "error_kind": job.error_kind.value if job.error_kind else None,
        "error_message": job.error_message,
        "filter_reasons": list(job.filter_reasons),
        "note": job.note,
        "outputs": [{"path": o.path, "size_bytes": o.size_bytes, "sha256": o.sha256} for o in job.outputs],
        "created_at_ms": job.created_at_ms,
        "started_at_ms": job.started_at_ms,
        "finished_at_ms": job.finished_at_ms,
    }
    if view is not None:
        data.update(
            display=view.display.value,
            position=view.position,
            eta_start_s=view.eta_start_s,
            eta_done_s=view.eta_done_s,
            elapsed_s=view.elapsed_s,
            retry_in_s=view.retry_in_s,
        )
    return data


class Output:
    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode

    def emit(self, data: Any, human: str) -> None:
        if self.json_mode:
            print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            print(human, flush=True)

    def line(self, human: str, data: Any | None = None) -> None:
        """A progress line: text for people; with --json, a JSON object per line when `data` is given."""
        if self.json_mode:
            if data is not None:
                print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            print(human, flush=True)

    def error(self, message: str, **extra: Any) -> None:
        if self.json_mode:
            print(json.dumps({"error": message, **extra}, ensure_ascii=False), flush=True)
        else:
            print(f"error: {message}", file=sys.stderr, flush=True)

    @staticmethod
    def money(micros: int) -> str:
        return format_usd(micros)
