"""The Store: a narrow, synchronous interface over durable state, proven by one contract suite
(tests/store/test_contract.py) against a file and an in-memory database.

Rules every implementation keeps:
- every status change goes through `core.states.check_transition` and is a conditional
  `UPDATE ... WHERE id = ? AND status = ?`; a lost race raises `StaleTransition` and changes nothing;
- every transition appends an event; every charge/refund is unique per (job, attempt, kind);
- methods are short transactions, safe to call from several processes on one database;
- no method blocks for long: the async side calls them on one worker thread (`AsyncStore`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from veo_desktop.core.errors import (
    BudgetExceeded,
    JobNotFound,
    StaleTransition,
    StoreCorrupted,
    StoreDiskFull,
    StoreError,
    StoreLocked,
    StoreReadOnly,
    StoreTooNew,
    StoreUnusable,
)
from veo_desktop.core.jobs import Event, Job, LedgerSummary, QueueState, VideoOutput
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind, JobStatus

# The error classes and `Event` live in the core (one application error tree); they are re-exported here
# because every store implementation raises or returns them.
__all__ = [
    "BudgetExceeded",
    "Event",
    "JobNotFound",
    "LedgerEntry",
    "NewJob",
    "StaleTransition",
    "Store",
    "StoreCorrupted",
    "StoreDiskFull",
    "StoreError",
    "StoreLocked",
    "StoreReadOnly",
    "StoreTooNew",
    "StoreUnusable",
]


@dataclass(frozen=True, slots=True)
class NewJob:
    id: str
    request: GenerationRequest
    cost_micros: int
    provider: str


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    job_id: str
    attempt: int
    kind: str  # "charge" | "refund"
    amount_micros: int
    at_ms: int


class Store(Protocol):
    # --- queue a batch -------------------------------------------------------------------------------
    def enqueue(self, jobs: Sequence[NewJob], *, now_ms: int, day_start_ms: int) -> list[Job]:
        """Insert queued jobs at the end of the queue and charge each one, in one transaction.
        Raises BudgetExceeded (nothing stored) when today's net spend plus these would pass the budget.
        `day_start_ms` is local midnight, computed by the caller."""
        ...

    # --- reads ---------------------------------------------------------------------------------------
    def get(self, job_id: str) -> Job: ...  # raises JobNotFound

    def list_jobs(self, statuses: Sequence[JobStatus] | None = None, *, limit: int | None = None) -> list[Job]:
        """Jobs newest first (created_at desc), filtered by status when given."""
        ...

    def waiting_jobs(self) -> list[Job]:
        """Queued jobs in FIFO order (queue_order, created_at)."""
        ...

    def recent_durations_s(self, model_id: str, *, limit: int = 20) -> list[float]:
        """Start→finish seconds of the latest completed jobs of a model (for ETAs and polling)."""
        ...

    def recent_start_times_ms(self, *, since_ms: int) -> list[int]:
        """Wall times of start claims since `since_ms`, across processes (the starts-per-minute window)."""
        ...

    def events(self, job_id: str | None = None, *, limit: int = 200) -> list[Event]:
        """The latest `limit` events (of one job, or all), oldest first."""
        ...

    def ledger(self, job_id: str | None = None) -> list[LedgerEntry]: ...

    def ledger_summary(self, *, day_start_ms: int, month_start_ms: int) -> LedgerSummary: ...

    def queue_state(self) -> QueueState: ...

    def data_version(self) -> int:
        """Changes whenever another connection commits (PRAGMA data_version + own writes)."""
        ...

    # --- the dispatcher's moves ---------------------------------------------------------------------
    def claim_next(self, *, owner: str, now_ms: int, lease_ms: int, config: SlotConfig) -> Job | None:
        """Atomically move the first runnable queued job to `submitting` (commit the intent before the
        paid call), when the queue is not paused, no cooldown is active, fewer than max_in_flight jobs
        are submitting/running and the start-rate window allows. A job whose retry_at_ms is in the future
        blocks the queue (strict FIFO). Records the start claim and takes a lease for `owner`."""
        ...

    def mark_running(self, job_id: str, *, operation_name: str, now_ms: int) -> Job:
        """submitting → running, recording the operation name the server returned."""
        ...

    def requeue(
        self,
        job_id: str,
        *,
        retry_at_ms: int | None,
        note: str,
        count_start_retry: bool = False,
        now_ms: int | None = None,
    ) -> Job:
        """submitting → queued at its old place (429, auth, not sent). No ledger change.
        `now_ms` dates the event (pass it; without it the event carries the claim time)."""
        ...

    def mark_unknown(self, job_id: str, *, message: str, now_ms: int) -> Job:
        """submitting → unknown_start: waits for the user."""
        ...

    def begin_download(self, job_id: str, *, now_ms: int) -> Job:
        """running → downloading."""
        ...

    def complete(self, job_id: str, *, outputs: Sequence[VideoOutput], now_ms: int) -> Job:
        """downloading → completed with the verified files."""
        ...

    def fail(
        self,
        job_id: str,
        *,
        expected: JobStatus,
        kind: FailureKind,
        message: str,
        now_ms: int,
        filter_reasons: Sequence[str] = (),
        refund: bool = True,
    ) -> Job:
        """expected → failed, refunding the current attempt's charge (at most once)."""
        ...

    def set_note(self, job_id: str, note: str | None) -> None:
        """A human note on the current state (e.g. "download retrying in 8 s"); not a transition."""
        ...

    # --- leases (several processes on one store) -----------------------------------------------------
    def adopt_active(self, *, owner: str, now_ms: int, lease_ms: int) -> list[Job]:
        """Take over submitting/running/downloading jobs whose lease expired (their process died) or that
        `owner` already holds. Adopted `submitting` jobs become unknown_start (never resent); the rest are
        returned for polling or downloading (the unknown_start ones are not returned)."""
        ...

    def renew_leases(self, *, owner: str, now_ms: int, lease_ms: int) -> None: ...

    def release_leases(self, *, owner: str) -> None: ...

    # --- the user's moves ---------------------------------------------------------------------------
    def cancel(self, job_id: str, *, now_ms: int) -> Job:
        """queued → cancelled, refunding the charge."""
        ...

    def cancel_all_waiting(self, *, now_ms: int) -> list[Job]: ...

    def retry(
        self, job_id: str, *, now_ms: int, cost_micros: int | None = None, day_start_ms: int | None = None
    ) -> Job:
        """failed or unknown_start → queued at the end of the queue, as a new attempt with a new charge.
        (A retried unknown start keeps its earlier charge: Google may have billed it.)
        With `day_start_ms`, the new charge must fit today's budget (BudgetExceeded otherwise)."""
        ...

    def give_up(self, job_id: str, *, now_ms: int) -> Job:
        """unknown_start → failed (gave_up) with a refund."""
        ...

    def edit(
        self,
        job_id: str,
        *,
        request: GenerationRequest,
        cost_micros: int,
        now_ms: int,
        day_start_ms: int | None = None,
    ) -> Job:
        """Replace a waiting job's request; refunds the old charge and charges the new cost."""
        ...

    def move_to_top(self, job_id: str) -> Job: ...

    def reorder(self, job_ids: Sequence[str]) -> None:
        """Give these waiting jobs consecutive places in this order, where the first of them stood."""
        ...

    def set_paused(self, paused: bool, *, reason: str | None = None) -> QueueState: ...

    def set_cooldown(self, until_ms: int | None) -> QueueState: ...

    def set_daily_budget(self, budget_micros: int | None) -> None: ...

    # --- upkeep --------------------------------------------------------------------------------------
    def integrity_check(self) -> str: ...

    def close(self) -> None: ...
