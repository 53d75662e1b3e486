"""Plain-words texts the front ends show beside a job or at the end of a run, as pure functions of state
and time (the GUI wraps them for translation; the CLI prints them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from veo_desktop.core.jobs import Job, QueueState
from veo_desktop.core.states import JobStatus


def clock_time(at_ms: int) -> str:
    """HH:MM in local time."""
    return dt.datetime.fromtimestamp(at_ms / 1000).strftime("%H:%M")


def slot_hold_text(job: Job, now_ms: int) -> str | None:
    """For an unknown start that still keeps its slot: "holding a slot until 12:07 in case Google started it"."""
    hold = job.slot_hold_until_ms
    if job.status is not JobStatus.UNKNOWN_START or hold is None or hold <= now_ms:
        return None
    return f"holding a slot until {clock_time(hold)} in case Google started it"


def needs_provider_note(provider: str, available: Collection[str]) -> str:
    """The note on a waiting job that this process cannot start (it has none of the job's provider)."""
    have = ", ".join(sorted(available)) or "none"
    return f"Waits for a process with the {provider} provider (this one has {have}); it keeps its place."


def nothing_runnable_line(jobs: Sequence[Job], queue: QueueState, available: Collection[str]) -> str | None:
    """One line for `run` when what is left needs the person: unknown starts to decide, jobs for a provider
    this process lacks, or a paused queue. None when nothing is left at all."""
    unknown = [j.id for j in jobs if j.status is JobStatus.UNKNOWN_START]
    waiting = [j for j in jobs if j.status is JobStatus.QUEUED]
    foreign = [j for j in waiting if j.provider not in available]
    parts = []
    if unknown:
        verb = "needs" if len(unknown) == 1 else "need"
        parts.append(f"{_count(unknown, 'job')} {verb} your decision ({', '.join(unknown)}: `retry` or `give-up`)")
    if foreign:
        names = sorted({j.provider for j in foreign})
        ids = ", ".join(j.id for j in foreign)
        verb = "waits" if len(foreign) == 1 else "wait"
        parts.append(f"{_count(foreign, 'job')} {verb} for the {' or '.join(names)} provider ({ids})")
    if queue.paused and len(foreign) < len(waiting):
        verb = "waits" if len(waiting) == 1 else "wait"
        parts.append(f"{_count(waiting, 'job')} {verb} while the queue is paused (`resume`)")
    if not parts:
        return None
    return "nothing more can run here: " + "; ".join(parts) + "."


def _count(items: Sequence[object], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
