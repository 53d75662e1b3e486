"""The local outbox of starts (team-mode design §2.6), as values: what a desktop journals around each paid start
call, and what replaying an entry does. Pure: the journal itself is `store/outbox.py`, the replay
`engine/replay.py`.

Per (job, fence), fsynced by the desktop before anything depends on it:
- `sending`: written just before the POST; alone after a crash, the start is a genuine unknown (the request may
  have reached Google), left to the person;
- `answered(op)`: written right after Google's 200, before the store hears of it; replayed as `late_answer`
  (the job runs, its operation name kept), never as a second start;
- `not_sent`: the request provably never left, or Google's answer proves nothing was created; replayed as
  `release_unsent` (back to its place).
An entry is removed once the store recorded the outcome, or when replaying it finds the fence moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Entries a replay can never settle (another store's jobs, a writer that never goes away) are dropped after
# Google's retention: by then no answer in them can be acted on.
ENTRY_RETENTION_MS = 2 * 24 * 3600 * 1000


class StartState(StrEnum):
    SENDING = "sending"
    ANSWERED = "answered"
    NOT_SENT = "not_sent"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One start of one claim (`job_id`, `fence`), written by one process (`host`, `pid`, `token`: its lease
    holder)."""

    job_id: str
    fence: int
    state: StartState
    at_ms: int
    host: str
    pid: int
    token: str
    operation_name: str | None = None

    def __post_init__(self) -> None:
        if (self.state is StartState.ANSWERED) != (self.operation_name is not None):
            raise ValueError("an outbox entry has an operation name exactly when it is answered")


@dataclass
class ReplayFigures:
    """What replays did, summed over a dispatcher's life (for tests, campaigns and the log)."""

    late_answers: int = 0  # unknown (or stuck) starts resolved as running from a kept answer
    released: int = 0  # starts proven unsent, back at their place
    left_to_user: int = 0  # starts sent without a kept answer: a genuine unknown for the person
    stale: int = 0  # entries whose job moved on (taken over, retried, already recorded): dropped

    @property
    def resolved(self) -> int:
        return self.late_answers + self.released
