"""Campaign 6, two processes on one store under load: the CLI's `run` and a second dispatcher process (the
bench child) share one queue database while the simulator counts what it sees. Never more than 2 in flight
(simulator peak and store replay), starts reaching the simulator in queue order (one start on the wire per
store), no job claimed twice (the store's start claims), and I1–I8 at the end.
Late-starting processes also exercise start-up chores (orphan clean-up) while the other one works.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections import Counter
from pathlib import Path

from veo_desktop.bench.faults.engine_rig import PROVIDERS
from veo_desktop.bench.faults.report import Table
from veo_desktop.bench.faults.scenario import SimScenario

PROCESS_WAIT_S = 600


def claims(store_path: Path) -> tuple[Counter[str], list[str]]:
    """Start claims per owner, and the (job, attempt) pairs claimed more than once without a requeue between."""
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT job_id, attempt, owner, outcome FROM starts ORDER BY id").fetchall()
    finally:
        conn.close()
    per_owner = Counter(owner.split("-")[0] for _j, _a, owner, _o in rows)
    seen: dict[tuple[str, int], list[str]] = {}
    for job_id, attempt, _owner, outcome in rows:
        seen.setdefault((job_id, attempt), []).append(outcome)
    twice = [f"{j}#{a}: {o}" for (j, a), o in seen.items() if len([x for x in o if x != "requeued"]) > 1]
    return per_owner, twice


def run(*, full: bool, workdir: Path, seed: int = 9, providers: tuple[str, ...] | None = None) -> Table:
    """Reduced: Vertex express, 14 jobs; full: every provider, 100 jobs each."""
    jobs = 100 if full else 14
    rng = random.Random(seed)
    table = Table(
        "two processes on one store (the CLI run + a second dispatcher)",
        (
            "provider",
            "jobs",
            "processes",
            "claims per process",
            "peak in flight",
            "claimed twice",
            "double starts",
            "lost jobs",
            "ledger delta",
            "integrity",
        ),
    )
    for provider in providers or (PROVIDERS if full else ("vertex",)):
        with SimScenario(workdir / provider, provider=provider, speed=100.0, latency_s=(5.0, 20.0), seed=seed) as sc:
            prompts = [f"two-proc {provider} {i:03d}: a tram in the rain" for i in range(jobs)]
            sc.enqueue(prompts)
            procs = [sc.spawn(cmd=sc.cli_run_cmd()), sc.spawn()]
            time.sleep(rng.uniform(0.5, 1.5))
            procs.append(sc.spawn())  # a third one arrives while both work: its start-up must not hurt them
            codes = [p.wait(PROCESS_WAIT_S) for p in procs]
            report = sc.check()
            per_owner, twice = claims(sc.store_path)
            with sc.sim.stats.lock:
                order = [start.prompt for start in sc.sim.stats.starts]
        table.add(
            provider=provider,
            jobs=report.jobs,
            processes=len(procs),
            **{
                "claims per process": dict(sorted(per_owner.items())),
                "peak in flight": f"sim {report.peak_sim}, store {report.peak_store}",
                "claimed twice": len(twice),
                "double starts": report.double_starts,
                "lost jobs": report.lost,
                "ledger delta": report.ledger_delta_micros,
                "integrity": report.integrity,
            },
        )
        table.violations += [f"{provider}: {v}" for v in report.violations]
        table.violations += [f"{provider}: claimed twice {t}" for t in twice]
        table.violations += [f"{provider}: a process exited with {c}" for c in codes if c != 0]
        if order != prompts[: len(order)]:  # one start on the wire per store: Google sees queue order
            first = next(i for i, (a, b) in enumerate(zip(order, prompts, strict=False)) if a != b)
            table.violations.append(f"{provider}: starts reached Google out of queue order at start {first + 1}")
        if report.statuses["completed"] != jobs:
            table.violations.append(f"{provider}: {report.statuses['completed']} of {jobs} jobs completed")
    return table
