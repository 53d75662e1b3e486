"""The Store: a narrow, synchronous interface over durable state, proven by one contract suite
(tests/store/test_contract.py) against a file and an in-memory database.

Rules every implementation keeps:
- every status change goes through `core.states.check_transition` and is a conditional
  `UPDATE ... WHERE id = ? AND status = ?`; a lost race raises `StaleTransition` and changes nothing;
- every transition appends an event; every charge/refund is unique per (job, attempt, kind);
- leases name their holder (`Holder`: host, pid, token); every claim and takeover issues a new fencing
  token (`Job.fence`), and an in-flight transition given `fence=` is refused (StaleTransition) when the job
  was taken over since (`fence=None` skips the check: tools and tests that own the store alone);
- slots: `submitting`, `running`, and `unknown_start` until its `slot_hold_until_ms` hold a slot;
- methods are short transactions, safe to call from several processes on one database;
- no method blocks for long: the async side calls them on one worker thread (`AsyncStore`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
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
    "Desktop",
    "Event",
    "Holder",
    "JobNotFound",
    "LedgerEntry",
    "NewJob",
    "Place",
    "PollingJob",
    "QueuePlaces",
    "StaleTransition",
    "Store",
    "StoreCorrupted",
    "StoreDiskFull",
    "StoreError",
    "StoreInfo",
    "StoreLocked",
    "StoreReadOnly",
    "StoreTooNew",
    "StoreUnusable",
]


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a lease: a process (`pid`) on a machine (`host`), and a token unique to that process's run.
    A holder on this host whose process is gone may be taken over at once; one elsewhere only when its lease
    expires. A bare string where a Holder is expected names a holder by token only (never taken over early).
    """

    host: str
    pid: int
    token: str

    @classmethod
    def of(cls, owner: Holder | str) -> Holder:
        return owner if isinstance(owner, Holder) else cls(host="", pid=0, token=owner)

    def __str__(self) -> str:
        return f"{self.token} (pid {self.pid} on {self.host})" if self.host else self.token


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


@dataclass(frozen=True, slots=True)
class Place:
    """A job's place in the queue as every creator of the store may see it: never a prompt or a frame."""

    job_id: str
    creator: str  # the creator's name on a team store; "" on a local one
    model_id: str
    status: JobStatus  # queued, or a status that holds a slot (submitting, running, unknown_start in its hold)
    position: int | None  # 1 = next to start; None for a job holding a slot
    mine: bool  # this store's caller queued it (its full job is in `waiting_jobs()` / `list_jobs()`)
    slot_hold_until_ms: int | None = None


@dataclass(frozen=True, slots=True)
class QueuePlaces:
    """Everyone's places, waiting ones in start order, and the cap that decides them when the store holds one
    (a team's pool row); `slots` None: the caller's own setting applies (a local store)."""

    places: tuple[Place, ...]
    slots: SlotConfig | None = None


@dataclass(frozen=True, slots=True)
class PollingJob:
    """A running job taken over for polling (`adopt_for_polling`): enough to ask Google about its operation,
    never its prompt or frames. `mine`: the caller's creator queued it (the caller may read the whole job and
    download it); otherwise the caller may only hand it to its creator, settle a failure or let it go."""

    id: str
    creator: str  # the creator's name on a team store; "" on a local one
    mine: bool
    provider: str
    model_id: str
    operation_name: str
    fence: int  # the polling lease's fencing token: every move of the poller presents it
    started_at_ms: int | None


# What a desktop that is not the job's creator may settle from a finished operation: Google's own verdict,
# the same whoever asks. A 404, a refused key or a retention deadline may be the asker's (another project,
# a revoked key), so those stay with the creator's desktop.
POLLER_SETTLES = frozenset({FailureKind.FILTERED, FailureKind.OPERATION_ERROR, FailureKind.NO_VIDEO})


@dataclass(frozen=True, slots=True)
class Desktop:
    """A desktop connected to a team store: its id, its creator, when the database last heard from it."""

    desktop_id: str
    creator: str
    seen_at_ms: int
    present: bool  # heard from within the team's presence window


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """Which store this is, for the front ends: never a password."""

    kind: str  # "local" (a SQLite file) or "team" (a PostgreSQL database)
    name: str  # the file's path, or postgresql://user@host:port/db
    desktops: tuple[Desktop, ...] = ()  # a team store's desktops
    problem: str | None = None  # the sentence to show when the database cannot be reached now


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

    def queue_places(self) -> QueuePlaces:
        """Every waiting job's place across the store's creators (and the jobs holding slots), in FIFO
        order. A local store has one creator: its own waiting list. The views show the others' as
        "creator · model · position" only."""
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
    def claim_next(
        self,
        *,
        owner: Holder | str,
        now_ms: int,
        lease_ms: int,
        config: SlotConfig,
        one_on_wire: bool = False,
        providers: Collection[str] | None = None,
        skip_models: Collection[str] = (),
    ) -> Job | None:
        """Atomically move the first runnable queued job to `submitting` (commit the intent before the
        paid call), when the queue is not paused, no cooldown is active, fewer than max_in_flight slots
        are held (submitting, running, unknown starts within their hold) and the start-rate window allows.
        A job whose retry_at_ms is in the future blocks the queue (strict FIFO). With `one_on_wire`, nothing
        is claimed while any job of the store is `submitting` within its lease (one start on the wire per
        store, so starts reach Google in queue order across processes; a start whose process died or was cut
        off holds the wire one lease at most, and its slot until it is adopted). With `providers`, only jobs
        queued for one of them are considered (the others keep their place for a process that has their
        provider). Jobs of a model in
        `skip_models` (retired: held) keep their places and neither start nor block the queue. Records the
        start claim, takes a lease for `owner` and issues a new fencing token (`Job.fence`)."""
        ...

    def mark_sending(self, job_id: str, *, fence: int | None, now_ms: int, hold_until_ms: int) -> Job:
        """The start request is about to be sent (committed just before the HTTP call). From here on a crash
        makes the start unknown, holding its slot until `hold_until_ms`; before it, the job provably never
        left and goes back to its place."""
        ...

    def mark_running(self, job_id: str, *, operation_name: str, now_ms: int, fence: int | None = None) -> Job:
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
        fence: int | None = None,
    ) -> Job:
        """submitting → queued at its old place (429, auth, not sent). No ledger change.
        `now_ms` dates the event (pass it; without it the event carries the claim time)."""
        ...

    def mark_unknown(
        self, job_id: str, *, message: str, now_ms: int, fence: int | None = None, hold_until_ms: int | None = None
    ) -> Job:
        """submitting → unknown_start: waits for the user, holding its slot until `hold_until_ms` (or the hold
        `mark_sending` recorded) in case Google started it."""
        ...

    def late_answer(self, job_id: str, *, fence: int | None, operation_name: str, now_ms: int) -> Job:
        """Google's answer to a start, recovered from the desktop's outbox after it never reached the store:
        submitting or unknown_start → running with that operation name (the only move out of unknown_start
        to running). The job keeps (or takes back) a slot, its lease is cleared so the caller's next adopt
        tracks it, and the ledger does not change. StaleTransition when the fence moved (the job was taken
        over, or retried as a new attempt) or the job is elsewhere now."""
        ...

    def release_unsent(self, job_id: str, *, fence: int | None, now_ms: int, note: str) -> Job:
        """A start proven never sent (submitting, or an unknown_start whose request never left): back to its
        old place in the queue, slot and hold freed, lease cleared, no ledger change (the charge of enqueue
        stays, as for any waiting job). StaleTransition when the fence moved or the job is elsewhere now."""
        ...

    def begin_download(self, job_id: str, *, now_ms: int, fence: int | None = None) -> Job:
        """running → downloading."""
        ...

    def complete(
        self,
        job_id: str,
        *,
        outputs: Sequence[VideoOutput],
        now_ms: int,
        fence: int | None = None,
        refund_micros: int = 0,
        note: str | None = None,
    ) -> Job:
        """downloading → completed with the verified files. `refund_micros` > 0 refunds that part of the current
        attempt's charge in the same transaction (filtered variations, an Omni estimate above Google's usage):
        the attempt's one refund, never more than its charge. `note` stays on the row and goes in the event."""
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
        fence: int | None = None,
    ) -> Job:
        """expected → failed, refunding the current attempt's charge (at most once)."""
        ...

    def set_note(self, job_id: str, note: str | None) -> None:
        """A human note on the current state (e.g. "download retrying in 8 s"); not a transition."""
        ...

    # --- leases (several processes on one store) -----------------------------------------------------
    def adopt_active(
        self,
        *,
        owner: Holder | str,
        now_ms: int,
        lease_ms: int,
        gone: Collection[str] = (),
        providers: Collection[str] | None = None,
    ) -> list[Job]:
        """Take over submitting/running/downloading jobs whose lease expired, that `owner` already holds, or
        whose holder's token is in `gone` (a process the caller proved dead); with `providers`, only jobs
        queued for one of them. An adopted `submitting` job whose request was never about to be sent goes
        back to its place; one that was becomes unknown_start (never resent) and keeps its slot hold.
        Running and downloading jobs are returned with a new lease, and with a new fencing token when they
        were someone else's (jobs `owner` already holds keep theirs)."""
        ...

    # --- poll by anyone, download by the creator only (team-mode design §2.5) -------------------------
    def adopt_for_polling(
        self, *, owner: Holder | str, now_ms: int, lease_ms: int, providers: Collection[str] | None = None
    ) -> list[PollingJob]:
        """Take over `running` jobs of any creator whose lease expired (or that nobody holds), with a new lease
        for `owner` and a new fencing token; an event on each names who took it over. With `providers`, only
        jobs of those providers. Returns prompt-free views: a team store never shows another creator's request."""
        ...

    def hand_over_download(self, job_id: str, *, fence: int, now_ms: int) -> None:
        """running → downloading with no lease and a note ("waiting for ana's desktop to download it"): the
        poller saw the operation done with videos, the slot frees, and the creator's desktop downloads it
        (`adopt_downloads`). Fenced: StaleTransition when the job was taken over since."""
        ...

    def fail_polled(
        self,
        job_id: str,
        *,
        fence: int,
        kind: FailureKind,
        message: str,
        now_ms: int,
        filter_reasons: Sequence[str] = (),
    ) -> None:
        """running → failed with the refund, for a verdict of Google's a poller may settle (`POLLER_SETTLES`:
        filtered, an operation error, no video; ValueError for another kind). Fenced like `hand_over_download`."""
        ...

    def release_polled(self, job_id: str, *, fence: int) -> None:
        """Give a polling lease up (the job stays running, for its creator's desktop or another poller)."""
        ...

    def settle_silent_starts(self, *, owner: Holder | str, now_ms: int) -> int:
        """Settle other creators' starts whose desktop went quiet for good (a team store): past its lease, a
        start that never left goes back to its place, and one whose hold ended becomes an unknown start
        without a slot (its fence kept, so its desktop's outbox can still report Google's answer). Returns
        how many. A local store has one creator, whose own starts `adopt_active` settles: 0."""
        ...

    def adopt_downloads(
        self, *, owner: Holder | str, now_ms: int, lease_ms: int, providers: Collection[str] | None = None
    ) -> list[Job]:
        """Take the caller's own creator's `downloading` jobs that nobody holds (handed over by a poller), whose
        lease expired or that `owner` already holds, with a lease and a new fencing token when they were not
        `owner`'s; the caller polls the operation again (its name is stored) to get the videos."""
        ...

    def lease_holders(self) -> list[Holder]:
        """The distinct holders of leases on submitting/running/downloading jobs."""
        ...

    def renew_leases(self, *, owner: Holder | str, now_ms: int, lease_ms: int) -> None:
        """Every lease `owner` holds, polling leases on other creators' jobs included."""
        ...

    def release_leases(self, *, owner: Holder | str) -> None:
        """Every lease `owner` holds, polling leases on other creators' jobs included."""
        ...

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
        provider: str | None = None,
    ) -> Job:
        """Replace a waiting job's request; refunds the old charge and charges the new cost. With `provider`,
        the job moves to that provider too (a job of a retired model moved to a current one); the note clears."""
        ...

    def move_to_top(self, job_id: str) -> Job: ...

    def reorder(self, job_ids: Sequence[str]) -> None:
        """Give these waiting jobs consecutive places in this order, where the first of them stood."""
        ...

    def set_paused(self, paused: bool, *, reason: str | None = None) -> QueueState: ...

    def set_cooldown(self, until_ms: int | None) -> QueueState: ...

    def set_daily_budget(self, budget_micros: int | None) -> None: ...

    # --- upkeep --------------------------------------------------------------------------------------
    def store_info(self) -> StoreInfo:
        """Which store this is and, for a team's, its desktops; a team store out of reach answers with
        `problem` set instead of raising."""
        ...

    def integrity_check(self) -> str: ...

    def close(self) -> None: ...
