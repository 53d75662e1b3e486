"""Immutable job rows, as the store returns them and the views show them."""

from __future__ import annotations

from dataclasses import dataclass

from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.states import FailureKind, JobStatus


@dataclass(frozen=True, slots=True)
class VideoOutput:
    path: str  # absolute path of the MP4 in the library
    size_bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Job:
    id: str  # short, sortable, file-name safe (e.g. "j01HX...")
    request: GenerationRequest
    status: JobStatus
    queue_order: float  # FIFO key among waiting jobs; smaller starts first
    attempt: int  # 1 for the first try; each user retry adds one (and one charge)
    cost_micros: int  # estimated cost of one attempt
    created_at_ms: int
    started_at_ms: int | None = None  # when the current attempt's start call was made
    finished_at_ms: int | None = None
    operation_name: str | None = None
    provider: str = "vertex"
    error_kind: FailureKind | None = None
    error_message: str | None = None
    filter_reasons: tuple[str, ...] = ()
    outputs: tuple[VideoOutput, ...] = ()
    retry_at_ms: int | None = None  # waiting for Google's quota until then (a queued job)
    note: str | None = None  # a short human note for the current state ("waiting for quota", ...)
    start_retries: int = 0  # 500/503 on start, for the current attempt
    charged_micros: int = 0  # Σ charges for this job (all attempts)
    refunded_micros: int = 0  # Σ refunds for this job
    fence: int = 0  # the lease's fencing token: in-flight transitions must present it (reliability.md I9)
    sending_at_ms: int | None = None  # the start request was about to be sent then (None: it never left)
    slot_hold_until_ms: int | None = None  # an unknown start keeps its slot until then (Google may run it)

    @property
    def is_waiting(self) -> bool:
        return self.status is JobStatus.QUEUED

    @property
    def duration_ms(self) -> int | None:
        if self.started_at_ms is None or self.finished_at_ms is None:
            return None
        return self.finished_at_ms - self.started_at_ms


@dataclass(frozen=True, slots=True)
class LedgerSummary:
    balance_micros: int  # Σ charges − Σ refunds, all time
    spent_today_micros: int
    spent_month_micros: int
    daily_budget_micros: int | None


@dataclass(frozen=True, slots=True)
class QueueState:
    paused: bool
    pause_reason: str | None  # "user", "auth"
    cooldown_until_ms: int | None  # the whole queue slows down after a 429


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    job_id: str | None
    at_ms: int
    from_status: str | None
    to_status: str | None
    detail: str
