"""Campaign 1, the crash-point sweep (SQLite's crash-test pattern): for every named fault point and every hit
count N = 1, 2, … until the scenario finishes without reaching the N-th hit, run the engine in a child process
with VEO_FAULT=point:N (SIGKILL there), restart it without the fault, let it finish, and check I1–I8.

The scenario has one job that completes and one the safety filter blocks (so the refund points are reached),
on every provider: Vertex express with the key, Vertex with a project (the simulator's service account, its
tokens from the simulator's `/token`), Gemini Omni (10 s videos by URI: file state, download, redirect).
After the sweep come the cases with an expected outcome (`restart_cases`): a start on the wire whose generation
outlives the lease, a relaunch right after a kill with generations running, both sides of "about to send", and
both outbox points (the answer journaled, `sending` journaled).
"""

from __future__ import annotations

import itertools
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from veo_desktop.bench.faults.engine_rig import PROVIDERS
from veo_desktop.bench.faults.report import Table
from veo_desktop.bench.faults.restart_cases import run_cases
from veo_desktop.bench.faults.scenario import SimScenario
from veo_desktop.faults import POINTS

PROMPTS = ("sweep: a lighthouse at dawn", "sweep: a storm at sea [sim:filter]")
KILLED = -9


@dataclass
class PointResult:
    point: str
    provider: str
    kills: int = 0
    lost: int = 0
    double_starts: int = 0
    ledger_delta_micros: int = 0
    integrity_ok: int = 0
    exhausted: bool = False  # a run finished without reaching the hit count: every hit was covered
    violations: tuple[str, ...] = ()


def run_one(point: str, n: int, provider: str, workdir: Path) -> tuple[bool, list[str], dict[str, int]]:
    """One kill at the n-th hit and a clean restart; (was killed, violations, figures)."""
    root = Path(tempfile.mkdtemp(prefix=f"{point}-{n}-", dir=workdir))
    with SimScenario(root, provider=provider) as sc:
        sc.enqueue(PROMPTS)
        rc = sc.run_child(f"{point}:{n}")
        if rc != KILLED:
            report = sc.check()
            problems = [] if rc == 0 else [f"{point}:{n}: the engine exited with {rc} instead of finishing"]
            return False, problems + report.violations, {}
        rc = sc.run_child()
        report = sc.check()
        tokens = sc.sim.stats.token_grants
    problems = [f"{point}:{n}: {v}" for v in report.violations]
    if provider == "vertex-project" and tokens == 0:
        problems.append(f"{point}:{n}: no token was issued, so the project path was not the one exercised")
    if rc != 0:
        problems.append(f"{point}:{n}: the restarted engine exited with {rc}")
    figures = {
        "lost": report.lost,
        "double_starts": report.double_starts,
        "ledger_delta": report.ledger_delta_micros,
        "integrity_ok": int(report.integrity == "ok"),
    }
    return True, problems, figures


def sweep_point(point: str, provider: str, max_hits: int, workdir: Path) -> PointResult:
    result = PointResult(point, provider)
    problems: list[str] = []
    for n in itertools.count(1):
        if n > max_hits:
            break
        killed, found, figures = run_one(point, n, provider, workdir)
        problems += found
        if not killed:
            result.exhausted = True
            break
        result.kills += 1
        result.lost += figures["lost"]
        result.double_starts += figures["double_starts"]
        result.ledger_delta_micros += figures["ledger_delta"]
        result.integrity_ok += figures["integrity_ok"]
    result.violations = tuple(problems)
    return result


def run(*, full: bool, workdir: Path, workers: int = 2, providers: tuple[str, ...] = PROVIDERS) -> Table:
    """Full: every hit of every point; reduced: the first hit of every point, on every provider."""
    max_hits = 200 if full else 1
    table = Table(
        "crash-point sweep (SIGKILL at the N-th hit, restart, check I1–I8)",
        (
            "point",
            "provider",
            "kills",
            "lost jobs",
            "double starts",
            "ledger delta",
            "integrity ok",
            "all hits",
            "note",
        ),
    )
    tasks = [(p, prov) for prov in providers for p in POINTS]
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda t: sweep_point(t[0], t[1], max_hits, workdir), tasks))
    for r in results:
        table.add(
            point=r.point,
            provider=r.provider,
            kills=r.kills,
            **{
                "lost jobs": r.lost,
                "double starts": r.double_starts,
                "ledger delta": r.ledger_delta_micros,
                "integrity ok": f"{r.integrity_ok}/{r.kills}",
                "all hits": "yes" if r.exhausted else f"capped at {max_hits}",
            },
        )
        table.violations += r.violations
    cases = run_cases(workdir)
    for c in cases:
        table.add(
            point=c.name,
            provider="gemini",
            kills=c.kills,
            **{
                "lost jobs": c.lost,
                "double starts": c.double_starts,
                "ledger delta": c.ledger_delta_micros,
                "integrity ok": f"{c.integrity_ok}/{c.kills}",
                "all hits": "-",
                "note": c.note,
            },
        )
        table.violations += c.violations
    table.totals = {
        "kills": sum(r.kills for r in results) + sum(c.kills for c in cases),
        "peak at Google (cases)": max((c.peak_sim for c in cases), default=0),
        "lost jobs": sum(r.lost for r in results),
        "double starts": sum(r.double_starts for r in results),
        "ledger delta µUSD": sum(r.ledger_delta_micros for r in results),
        "integrity checks ok": f"{sum(r.integrity_ok for r in results)}/{sum(r.kills for r in results)}",
        "lost jobs (cases)": sum(c.lost for c in cases),
        "unknown starts resolved by replay (cases)": sum(c.replayed for c in cases),
        "unknown starts left to the person (cases)": sum(c.unknown for c in cases),
        "points never hit": [r.point for r in results if r.kills == 0],
    }
    return table
