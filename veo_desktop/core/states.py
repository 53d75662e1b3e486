"""Job lifecycle: one enum, one transition table. Nothing else moves a job.

  queued ──► submitting ──► running ──► downloading ──► completed
    │  ▲          │             │             │
    │  └──────────┤ (429, 401/403, connect error: back to its place)
    │             ├──► unknown_start ──► queued (user: retry, new attempt; or the outbox: never sent)
    │             │          ├─────────► failed (user: give up, refund)
    │             │          └─────────► running (the outbox: Google's answer came after all, `late_answer`)
    ▼             ▼             ▼             ▼
cancelled      failed        failed        failed ──► queued (user: retry, new attempt)
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    SUBMITTING = "submitting"
    RUNNING = "running"
    DOWNLOADING = "downloading"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN_START = "unknown_start"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
IN_FLIGHT = frozenset({JobStatus.SUBMITTING, JobStatus.RUNNING})
# States where an operation may exist at Google and the engine owns the next action.
ACTIVE = frozenset({JobStatus.SUBMITTING, JobStatus.RUNNING, JobStatus.DOWNLOADING})

TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.SUBMITTING, JobStatus.CANCELLED}),
    JobStatus.SUBMITTING: frozenset({JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.FAILED, JobStatus.UNKNOWN_START}),
    JobStatus.RUNNING: frozenset({JobStatus.DOWNLOADING, JobStatus.FAILED}),
    JobStatus.DOWNLOADING: frozenset({JobStatus.COMPLETED, JobStatus.FAILED}),
    # unknown_start → running only through `Store.late_answer`: this desktop's outbox holds Google's answer.
    JobStatus.UNKNOWN_START: frozenset({JobStatus.QUEUED, JobStatus.FAILED, JobStatus.RUNNING}),
    JobStatus.FAILED: frozenset({JobStatus.QUEUED}),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}


class IllegalTransition(ValueError):
    """A move the transition table does not allow (a bug, or a lost race with another process)."""


def check_transition(current: JobStatus, target: JobStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(f"A job cannot move from {current.value} to {target.value}.")


class FailureKind(StrEnum):
    """Why a job failed; drives the plain-words message and whether Try again makes sense."""

    INVALID = "invalid"  # 400: the server refused the request
    NOT_FOUND = "not_found"  # 404: the model is unknown or retired
    SERVER = "server"  # 500/503 on start after retries
    FILTERED = "filtered"  # safety filter: no video, not billed
    OPERATION_ERROR = "operation_error"  # done with an error
    NO_VIDEO = "no_video"  # done without a video
    EXPIRED = "expired"  # the video expired at Google before we could download it
    PROTOCOL = "protocol"  # the server answered something we cannot understand
    GAVE_UP = "gave_up"  # the user gave up on a start whose outcome is unknown
    LOCAL = "local"  # a local problem (disk full, unreadable frame)
