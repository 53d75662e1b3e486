"""Build the QueueSnapshot the front ends show: positions, ETAs, elapsed times, display states, counts.

`read_snapshot` runs on the store's worker thread (one call, several short reads); the ETA math is the pure
`core.scheduling.estimate_starts`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence

from veo_desktop.core.jobs import Job, QueueState
from veo_desktop.core.scheduling import RATE_WINDOW_MS, SlotConfig, estimate_starts, expected_duration_s
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.api import DisplayState, JobView, PlaceView, QueueSnapshot
from veo_desktop.store.base import Place, Store

_FIXED: dict[JobStatus, DisplayState] = {
    JobStatus.SUBMITTING: DisplayState.STARTING,
    JobStatus.RUNNING: DisplayState.GENERATING,
    JobStatus.DOWNLOADING: DisplayState.DOWNLOADING,
    JobStatus.COMPLETED: DisplayState.COMPLETED,
    JobStatus.CANCELLED: DisplayState.CANCELLED,
    JobStatus.UNKNOWN_START: DisplayState.UNKNOWN_START,
}


_SETTLED = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.UNKNOWN_START)


def day_bounds_ms(now_ms: int) -> tuple[int, int]:
    """Local midnight today and the first of this month, in wall ms (for "spent today/this month")."""
    now = dt.datetime.fromtimestamp(now_ms / 1000).astimezone()
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    return int(day.timestamp() * 1000), int(month.timestamp() * 1000)


def display_state(job: Job, queue: QueueState, now_ms: int) -> DisplayState:
    if job.status is JobStatus.QUEUED:
        if queue.paused:
            return DisplayState.PAUSED
        quota_until = max(job.retry_at_ms or 0, queue.cooldown_until_ms or 0)
        if quota_until > now_ms:
            return DisplayState.WAITING_QUOTA
        return DisplayState.WAITING
    if job.status is JobStatus.FAILED:
        return DisplayState.FILTERED if job.error_kind is FailureKind.FILTERED else DisplayState.FAILED
    return _FIXED[job.status]


def read_snapshot(
    store: Store, *, now_ms: int, slots: SlotConfig, prior_s: Callable[[str], float], limit: int | None = None
) -> QueueSnapshot:
    queue = store.queue_state()
    team = store.queue_places()  # everyone's places (a local store: its own), and a team's cap
    slots = team.slots or slots
    waiting = store.waiting_jobs()
    in_flight = store.list_jobs([JobStatus.SUBMITTING, JobStatus.RUNNING, JobStatus.DOWNLOADING])
    others = store.list_jobs(_SETTLED, limit=limit)
    # Unknown starts still holding a slot keep it until their hold ends: the waiting jobs' ETAs count that.
    held_s = [
        (j.slot_hold_until_ms - now_ms) / 1000
        for j in store.list_jobs([JobStatus.UNKNOWN_START])
        if j.slot_hold_until_ms is not None and j.slot_hold_until_ms > now_ms
    ]
    models = {j.request.model_id for j in (*waiting, *in_flight)} | {p.model_id for p in team.places}
    expected = {m: expected_duration_s(store.recent_durations_s(m), prior_s(m)) for m in models}
    recent = store.recent_start_times_ms(since_ms=now_ms - RATE_WINDOW_MS)
    day_ms, month_ms = day_bounds_ms(now_ms)
    ledger = store.ledger_summary(day_start_ms=day_ms, month_start_ms=month_ms)
    order = _team_order(waiting, team.places)
    held_s = [*held_s, *_others_holding_s(team.places, now_ms, expected)]
    views, places = _views(order, in_flight, others, queue, now_ms, slots, expected, recent, held_s)
    counts = Counter(v.display.value for v in views)
    return QueueSnapshot(
        jobs=tuple(views),
        queue=queue,
        ledger=ledger,
        counts=dict(counts),
        taken_at_ms=now_ms,
        max_in_flight=slots.max_in_flight,
        others=tuple(places),
    )


def _team_order(waiting: Sequence[Job], places: Sequence[Place]) -> list[Job | Place]:
    """Every waiting job in start order: this caller's as full jobs, the others' as places. Own jobs the
    places missed (read a moment apart) follow, in their own order."""
    own = {j.id: j for j in waiting}
    order: list[Job | Place] = []
    for place in places:
        if place.position is None:
            continue
        if place.mine:
            job = own.pop(place.job_id, None)
            if job is not None:
                order.append(job)
        else:
            order.append(place)
    return [*order, *(j for j in waiting if j.id in own)]


def _others_holding_s(places: Sequence[Place], now_ms: int, expected: dict[str, float]) -> list[float]:
    """Seconds until the other creators' slots free: an unknown start at its hold's end, a running one in
    half its model's expected time (their start times stay private, like their prompts)."""
    held: list[float] = []
    for p in places:
        if p.mine or p.position is not None:
            continue
        if p.status is JobStatus.UNKNOWN_START:
            if p.slot_hold_until_ms is not None and p.slot_hold_until_ms > now_ms:
                held.append((p.slot_hold_until_ms - now_ms) / 1000)
        else:
            held.append(expected[p.model_id] / 2)
    return held


def _views(
    order: Sequence[Job | Place],
    in_flight: Sequence[Job],
    others: Sequence[Job],
    queue: QueueState,
    now_ms: int,
    slots: SlotConfig,
    expected: dict[str, float],
    recent_starts_ms: Sequence[int],
    held_s: Sequence[float] = (),
) -> tuple[list[JobView], list[PlaceView]]:
    running_remaining: list[float] = list(held_s)
    views: list[JobView] = []
    for job in in_flight:
        elapsed = (now_ms - job.started_at_ms) / 1000 if job.started_at_ms else None
        remaining = max(1.0, expected[job.request.model_id] - (elapsed or 0.0))
        if job.status is not JobStatus.DOWNLOADING:
            running_remaining.append(remaining)
        done_in = remaining if job.status is not JobStatus.DOWNLOADING else None
        views.append(_view(job, queue, now_ms, None, None, done_in, elapsed))
    cooldown_s = max(0.0, ((queue.cooldown_until_ms or 0) - now_ms) / 1000)
    head = order[0] if order else None
    if isinstance(head, Job) and head.retry_at_ms:
        cooldown_s = max(cooldown_s, (head.retry_at_ms - now_ms) / 1000)
    etas = estimate_starts(
        running_remaining_s=running_remaining,
        waiting_expected_s=[expected[_model(e)] for e in order],
        config=slots,
        recent_start_offsets_s=[(t - now_ms) / 1000 for t in recent_starts_ms],
        cooldown_s=cooldown_s,
    )
    # `order` is every creator's waiting jobs in start order, so its index is the position (core.scheduling
    # .positions states the same rule). Built inline: this loop runs once per waiting job on every refresh.
    waiting_views: list[JobView] = []
    places: list[PlaceView] = []
    for position, (entry, eta) in enumerate(zip(order, etas, strict=True), start=1):
        if isinstance(entry, Place):
            places.append(PlaceView(entry.creator, entry.model_id, position, eta))
            continue
        job = entry
        display = display_state(job, queue, now_ms)
        retry_in = None
        if display is DisplayState.WAITING_QUOTA:
            retry_in = max(0.0, (max(job.retry_at_ms or 0, queue.cooldown_until_ms or 0) - now_ms) / 1000)
        done = eta + expected[job.request.model_id]
        waiting_views.append(JobView(job, display, position, eta, done, None, retry_in))
    finished = [_view(job, queue, now_ms, None, None, None, None) for job in others]
    return [*waiting_views, *views, *finished], places


def _model(entry: Job | Place) -> str:
    return entry.model_id if isinstance(entry, Place) else entry.request.model_id


def _view(
    job: Job,
    queue: QueueState,
    now_ms: int,
    position: int | None,
    eta_start: float | None,
    eta_done: float | None,
    elapsed: float | None,
) -> JobView:
    display = display_state(job, queue, now_ms)
    retry_in = None
    if display is DisplayState.WAITING_QUOTA:
        until = max(job.retry_at_ms or 0, queue.cooldown_until_ms or 0)
        retry_in = max(0.0, (until - now_ms) / 1000)
    return JobView(
        job=job,
        display=display,
        position=position,
        eta_start_s=eta_start,
        eta_done_s=eta_done,
        elapsed_s=elapsed,
        retry_in_s=retry_in,
    )
