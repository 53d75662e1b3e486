"""Places in the queue as everyone may see them (`Store.queue_places`): the local store's own waiting list,
and the rows a team database's `veo_api.queue` view returns (no prompt ever leaves its creator)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from veo_desktop.core.jobs import Job
from veo_desktop.core.states import JobStatus
from veo_desktop.store.base import Place, QueuePlaces

SLOT_HOLDERS = (JobStatus.SUBMITTING, JobStatus.RUNNING, JobStatus.UNKNOWN_START)


def local_places(waiting: Sequence[Job], holders: Iterable[Job]) -> QueuePlaces:
    """One creator's store: the waiting jobs in FIFO order, then the jobs that hold (or may hold) a slot."""
    queued = [
        Place(j.id, "", j.request.model_id, JobStatus.QUEUED, position, True)
        for position, j in enumerate(waiting, start=1)
    ]
    held = [
        Place(j.id, "", j.request.model_id, j.status, None, True, j.slot_hold_until_ms)
        for j in holders
        if j.status is not JobStatus.UNKNOWN_START or j.slot_hold_until_ms is not None
    ]
    return QueuePlaces(places=(*queued, *held))


def team_places(rows: Iterable[Sequence[object]], *, me: str) -> tuple[Place, ...]:
    """Rows of (id, creator, model, status, position, slot_hold_until_ms), waiting ones first in order."""
    places = [
        Place(
            job_id=str(r[0]),
            creator=str(r[1]),
            model_id=str(r[2]),
            status=JobStatus(str(r[3])),
            position=None if r[4] is None else int(str(r[4])),
            mine=str(r[1]) == me,
            slot_hold_until_ms=None if r[5] is None else int(str(r[5])),
        )
        for r in rows
    ]
    waiting = sorted((p for p in places if p.position is not None), key=lambda p: p.position or 0)
    return (*waiting, *(p for p in places if p.position is None))
