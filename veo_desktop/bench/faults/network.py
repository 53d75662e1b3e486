"""Campaign 3, the network matrix: {start, poll, download} × server faults, through the real client, the
dispatcher and the simulator's scripted faults (each fault fires once). Every cell has an expected job state,
ledger change and number of starts the server accepted, written out below; the key must never reach the
redirect host (127.0.0.2).

Download faults use the Gemini dialect (Vertex express has no download request: its videos come inline in the
poll answer, which the poll column covers).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from veo_desktop.bench.faults.engine_rig import open_rig
from veo_desktop.bench.faults.invariants import check_invariants
from veo_desktop.bench.faults.report import Table
from veo_desktop.core.states import JobStatus
from veo_desktop.simulator import (
    html_page,
    http_error,
    malformed_json,
    redirect,
    reset,
    slow_body,
)
from veo_desktop.simulator.actions import Action

KEY = "matrix-key-0123456789"
C, F, U, Q = JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.UNKNOWN_START, JobStatus.QUEUED

FAULTS: dict[str, Action] = {
    "429 RetryInfo": http_error(429, retry_after_s=3),
    "429 bare": http_error(429),
    "500": http_error(500),
    "503": http_error(503),
    "400": http_error(400),
    "403": http_error(403),
    "404": http_error(404),
    "HTML 200": html_page(200),
    "bad JSON 200": malformed_json(),
    "slow body": slow_body(20),
    "reset": reset(),
    "redirect": redirect(),  # to the simulator's second host, 127.0.0.2
}


@dataclass(frozen=True)
class Expect:
    status: JobStatus
    charged: bool  # the job's cost stays charged (False: refunded)
    accepted: int  # starts the server accepted
    paused: bool = False


_OK = Expect(C, True, 1)
# start: answers that replace the server's (429, 5xx, 4xx, HTML, redirect) were not accepted; spoiled answers
# (bad JSON, reset) were accepted, so the outcome is unknown and the person decides (never resent).
EXPECTED: dict[tuple[str, str], Expect] = {
    ("start", "429 RetryInfo"): _OK,
    ("start", "429 bare"): _OK,
    ("start", "500"): _OK,
    ("start", "503"): _OK,
    ("start", "400"): Expect(F, False, 0),
    ("start", "403"): Expect(Q, True, 0, paused=True),
    ("start", "404"): Expect(F, False, 0),
    ("start", "HTML 200"): Expect(U, True, 0),
    ("start", "bad JSON 200"): Expect(U, True, 1),
    ("start", "slow body"): _OK,
    ("start", "reset"): Expect(U, True, 1),
    ("start", "redirect"): Expect(U, True, 0),
    # poll: idempotent, retried with backoff; 404 means the operation expired (refund), 403 pauses the queue.
    **{("poll", f): _OK for f in FAULTS},
    ("poll", "403"): Expect(C, True, 1, paused=True),
    ("poll", "404"): Expect(F, False, 1),
    # download: idempotent too; a redirect is followed without the key.
    **{("download", f): _OK for f in FAULTS},
    ("download", "403"): Expect(C, True, 1, paused=True),
    ("download", "404"): Expect(F, False, 1),
}


async def run_cell(phase: str, fault: str, provider: str, workdir: Path) -> tuple[str, list[str]]:
    """Returns (the state seen, the violations)."""
    root = workdir / f"{phase}-{fault.replace(' ', '_')}-{provider}"
    rig = await open_rig(root, provider=provider, key=KEY)
    try:
        rig.sim.script(phase, FAULTS[fault])  # type: ignore[arg-type]
        job = await rig.submit(f"matrix {phase} {fault}")
        (job,) = await rig.wait_settled([job.id])
        paused = (await rig.running.store.run(lambda s: s.queue_state())).paused
    finally:
        await rig.close()
    expect = EXPECTED[(phase, fault)]
    seen = f"{job.status.value}{' +paused' if paused else ''}"
    problems = []
    net = job.charged_micros - job.refunded_micros
    if job.status is not expect.status or paused != expect.paused:
        problems.append(f"expected {expect.status.value}{' +paused' if expect.paused else ''}, got {seen}")
    if net != (job.cost_micros if expect.charged else 0):
        problems.append(f"ledger net {net} µUSD, expected {job.cost_micros if expect.charged else 0}")
    if rig.sim.stats.accepted_starts != expect.accepted:
        problems.append(f"{rig.sim.stats.accepted_starts} starts accepted, expected {expect.accepted}")
    report = check_invariants(
        rig.paths.database,
        rig.paths.library_dir,
        rig.sim.stats,
        staging_dir=rig.paths.staging_dir,
        settled=not expect.paused or expect.status is not Q,
        canary=KEY,
        scan_paths=[rig.paths.data_dir],
    )
    problems += report.violations
    return seen, [f"{phase} × {fault} ({provider}): {p}" for p in problems]


def cells(full: bool) -> list[tuple[str, str, str]]:
    out = []
    for phase in ("start", "poll", "download"):
        providers = ("gemini",) if phase == "download" else (("vertex", "gemini") if full else ("vertex",))
        out += [(phase, fault, provider) for provider in providers for fault in FAULTS]
    return out


async def run_all(full: bool, workdir: Path, concurrency: int = 6) -> Table:
    table = Table(
        "network matrix (one scripted fault per cell, real client + dispatcher + simulator)",
        ("phase", "fault", "provider", "expected", "seen", "passed"),
    )
    gate = asyncio.Semaphore(concurrency)

    async def one(cell: tuple[str, str, str]) -> tuple[str, list[str]]:
        async with gate:
            return await run_cell(*cell, workdir)

    todo = cells(full)
    results = await asyncio.gather(*(one(c) for c in todo))
    for (phase, fault, provider), (seen, problems) in zip(todo, results, strict=True):
        e = EXPECTED[(phase, fault)]
        expected = f"{e.status.value}{' +paused' if e.paused else ''}, {'charged' if e.charged else 'refunded'}"
        table.add(phase=phase, fault=fault, provider=provider, expected=expected, seen=seen, passed=not problems)
        table.violations += problems
    passed = sum(1 for r in table.rows if r["passed"])
    table.totals = {"cells": len(todo), "cells passed": passed}
    return table


def run(*, full: bool, workdir: Path) -> Table:
    return asyncio.run(run_all(full, workdir))
