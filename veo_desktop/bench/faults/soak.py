"""Campaign 2, the random-kill soak: many jobs against the simulator with realistic generation times (30–90 s
on a scaled clock), the engine child SIGKILLed at random moments and restarted each time, then run to the end;
I1–I8 are checked once everything settled, per provider (full: all three). A tenth of the prompts carry
simulator directives (safety filter, 429, 500, a reset download, a malformed poll) so kills also land inside
retries and refunds.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

from veo_desktop.bench.faults.engine_rig import PROVIDERS
from veo_desktop.bench.faults.report import Table
from veo_desktop.bench.faults.scenario import SimScenario

DIRECTIVES = ("[sim:filter]", "[sim:429x1]", "[sim:500x1]", "[sim:reset]", "[sim:badjson]", "[sim:error]")


def prompts(count: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(count):
        extra = f" {rng.choice(DIRECTIVES)}" if rng.random() < 0.1 else ""
        out.append(f"soak {i:04d}: a paper boat on a river{extra}")
    return out


def run(*, full: bool, workdir: Path, seed: int = 5, providers: tuple[str, ...] | None = None) -> Table:
    """Reduced: 24 jobs and 5 kills on Vertex express; full: 200 jobs and 100 kills on every provider."""
    table = Table(
        "random-kill soak (SIGKILL at random moments, restart, check I1–I8)",
        (
            "provider",
            "jobs",
            "kills",
            "completed",
            "failed",
            "unknown start",
            "lost jobs",
            "double starts",
            "peak in flight",
            "ledger delta",
            "integrity",
        ),
    )
    started = time.monotonic()
    for provider in providers or (PROVIDERS if full else ("vertex",)):
        _soak(provider, full, workdir / f"soak-{provider}", seed, table)
    table.totals = {"real seconds": round(time.monotonic() - started, 1)}
    return table


def _soak(provider: str, full: bool, root: Path, seed: int, table: Table) -> None:
    jobs, kills_wanted = (200, 100) if full else (24, 5)
    speed, latency = (50.0, (30.0, 90.0)) if full else (100.0, (30.0, 60.0))
    rng = random.Random(seed)
    kills = 0
    with SimScenario(root, provider=provider, speed=speed, latency_s=latency, seed=seed) as sc:
        sc.enqueue(prompts(jobs, rng))
        while kills < kills_wanted:
            proc = sc.spawn()
            time.sleep(rng.uniform(0.3, 2.0) if full else rng.uniform(0.2, 0.6))
            if proc.poll() is not None:
                break  # it finished everything before the kill came
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        final_rc = sc.run_child(timeout_s=1800)
        report = sc.check()
    table.add(
        provider=provider,
        jobs=report.jobs,
        kills=kills,
        completed=report.statuses["completed"],
        failed=report.statuses["failed"],
        **{
            "unknown start": report.statuses["unknown_start"],
            "lost jobs": report.lost,
            "double starts": report.double_starts,
            "peak in flight": f"sim {report.peak_sim}, store {report.peak_store}",
            "ledger delta": report.ledger_delta_micros,
            "integrity": report.integrity,
        },
    )
    table.violations += [f"{provider}: {v}" for v in report.violations]
    if final_rc != 0:
        table.violations.append(f"{provider}: the last engine run exited with {final_rc}")
    if kills < kills_wanted:
        table.violations.append(
            f"{provider}: only {kills} kills happened ({kills_wanted} wanted): the jobs finished first"
        )
