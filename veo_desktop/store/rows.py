"""Rows to immutable values: the column lists the store selects and the functions that read them.

Reading is the hot path (the GUI lists thousands of jobs a few times a second), so rows are plain tuples
read by position, enums are looked up in dicts and empty JSON arrays are not parsed.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from veo_desktop.core.jobs import Job, VideoOutput
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.store.base import Event, LedgerEntry

JOB_COLUMNS = (
    "id, request_json, status, queue_order, attempt, cost_micros, created_at_ms, started_at_ms, "
    "finished_at_ms, operation_name, provider, error_kind, error_message, filter_reasons_json, "
    "outputs_json, retry_at_ms, note, start_retries, charged_micros, refunded_micros, labels_json, "
    "fence, sending_at_ms, slot_hold_until_ms"
)
EVENT_COLUMNS = "id, job_id, at_ms, from_status, to_status, detail"
LEDGER_COLUMNS = "id, job_id, attempt, kind, amount_micros, at_ms"

_STATUS = {s.value: s for s in JobStatus}
_KIND = {k.value: k for k in FailureKind}


@lru_cache(maxsize=4096)
def request_from_json(text: str) -> GenerationRequest:
    """Requests are immutable, so one parsed value can serve every read of the same text."""
    return GenerationRequest.from_json(json.loads(text))


def request_to_json(request: GenerationRequest) -> str:
    return json.dumps(request.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def strings_to_json(values: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def outputs_to_json(outputs: tuple[VideoOutput, ...] | list[VideoOutput]) -> str:
    return json.dumps(
        [{"path": o.path, "size_bytes": o.size_bytes, "sha256": o.sha256} for o in outputs],
        ensure_ascii=False,
    )


def _strings(text: str) -> tuple[str, ...]:
    if text == "[]":
        return ()
    return tuple(str(v) for v in json.loads(text))


def _outputs(text: str) -> tuple[VideoOutput, ...]:
    if text == "[]":
        return ()
    return tuple(
        VideoOutput(path=str(o["path"]), size_bytes=int(o["size_bytes"]), sha256=str(o["sha256"]))
        for o in json.loads(text)
    )


def job_from_row(row: tuple[Any, ...]) -> Job:
    (
        job_id,
        request_json,
        status,
        queue_order,
        attempt,
        cost_micros,
        created_at_ms,
        started_at_ms,
        finished_at_ms,
        operation_name,
        provider,
        error_kind,
        error_message,
        filter_reasons_json,
        outputs_json,
        retry_at_ms,
        note,
        start_retries,
        charged_micros,
        refunded_micros,
        _labels_json,  # an unused column kept by the schema
        fence,
        sending_at_ms,
        slot_hold_until_ms,
    ) = row
    return Job(
        id=job_id,
        request=request_from_json(request_json),
        status=_STATUS[status],
        queue_order=queue_order,
        attempt=attempt,
        cost_micros=cost_micros,
        created_at_ms=created_at_ms,
        started_at_ms=started_at_ms,
        finished_at_ms=finished_at_ms,
        operation_name=operation_name,
        provider=provider,
        error_kind=None if error_kind is None else _KIND[error_kind],
        error_message=error_message,
        filter_reasons=_strings(filter_reasons_json),
        outputs=_outputs(outputs_json),
        retry_at_ms=retry_at_ms,
        note=note,
        start_retries=start_retries,
        charged_micros=charged_micros,
        refunded_micros=refunded_micros,
        fence=fence,
        sending_at_ms=sending_at_ms,
        slot_hold_until_ms=slot_hold_until_ms,
    )


def event_from_row(row: tuple[Any, ...]) -> Event:
    return Event(id=row[0], job_id=row[1], at_ms=row[2], from_status=row[3], to_status=row[4], detail=row[5])


def ledger_from_row(row: tuple[Any, ...]) -> LedgerEntry:
    return LedgerEntry(id=row[0], job_id=row[1], attempt=row[2], kind=row[3], amount_micros=row[4], at_ms=row[5])
