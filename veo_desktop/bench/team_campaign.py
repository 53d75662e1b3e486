"""The multi-desktop campaign (reduced; design §5 T3/T4): several desktops of two creators, one PostgreSQL, one
simulator, SIGKILL and SIGSTOP at random. `python -m veo_desktop.bench team-campaign [--quick] [--url ADMIN_URL]`.

Each desktop is a real `veo-desktop-cli --store postgresql://... run` process with its own home (desktop id,
frames, library); a killed desktop is restarted at once, a frozen one (SIGSTOP past its lease) resumes after
another desktop of its creator took its jobs over, and is fenced out. The simulator counts generations with no
limit of its own, so its peak is the truth about the team's cap. Figures: peak in flight at the simulator
(cap 2), lost jobs, starts Google accepted beyond one per claim that could have sent (double starts), the
ledger per creator against the cost of the jobs that were not refunded, FIFO across desktops (claims in queue
order), takeovers, and the refill latency across desktops.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veo_desktop.bench.faults.invariants import InvariantReport, SimFigures, check_invariants
from veo_desktop.bench.figures import figure, percentile
from veo_desktop.bench.prefill import _new_jobs
from veo_desktop.core.clock import ScaledClock

__all__ = ["CampaignResult", "run_campaign"]

CAP = 2
SPEED = 100.0
PRESENCE_MS = int(30_000 * SPEED)  # 30 s real
DESKTOPS = (("ana", "ana-1"), ("ana", "ana-2"), ("bia", "bia-1"))
KEY = "sim-key-" + "c" * 31  # the desktops' key: the canary of I8 (in no row of the team database)


@dataclass
class CampaignResult:
    jobs: int
    kills: int
    statuses: dict[str, int]
    sim: dict[str, Any]
    sends: int
    accepted_claims: int
    ledger: dict[str, tuple[int, int]]  # creator -> (Σ charges − Σ refunds, Σ cost of jobs kept)
    fifo_errors: int
    seconds: float
    freezes: int = 0
    drops: int = 0
    restarts: int = 0
    takeovers: int = 0
    handovers: int = 0  # done jobs another creator's desktop polled and handed back to their creator
    refill_ms: list[float] = field(default_factory=list)  # gate opened on one desktop → claim on another (real ms)
    log: list[str] = field(default_factory=list)
    invariants: InvariantReport | None = None  # I1–I8 read from the team database, as in the local campaigns


def _simulator() -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, "-m", "veo_desktop.simulator", "--port", "0", "--speed", str(SPEED), "--api-key", KEY]
    proc = subprocess.Popen([*cmd, "--latency", "20", "40", "--slots", "0"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return proc, line.strip().split()[-1]


def _stats(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_sim/stats", timeout=5) as resp:  # noqa: S310 (loopback only)
        return dict(json.loads(resp.read()))


class _Desktop:
    def __init__(self, creator: str, name: str, url: str, api_base: str, root: Path) -> None:
        self.creator, self.name, self.url, self.api_base = creator, name, url, api_base
        self.home = root / name
        self.proc: subprocess.Popen[bytes] | None = None
        self.frozen_until = 0.0  # SIGSTOPped until then (monotonic), past its lease

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VEO_", "PG"))}
        env.update(
            VEO_DESKTOP_HOME=str(self.home),
            GEMINI_API_KEY=KEY,
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        )
        cmd = [sys.executable, "-m", "veo_desktop.cli", "--store", self.url, "--api-base", self.api_base]
        self.proc = subprocess.Popen(
            [*cmd, "--sim-speed", str(SPEED), "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def freeze(self, until: float) -> None:
        if self.running() and not self.frozen_until:
            assert self.proc is not None
            self.proc.send_signal(signal.SIGSTOP)
            self.frozen_until = until

    def thaw(self, now: float) -> None:
        if self.frozen_until and now >= self.frozen_until:
            if self.running():
                assert self.proc is not None
                self.proc.send_signal(signal.SIGCONT)
            self.frozen_until = 0.0

    def kill(self) -> None:
        self.frozen_until = 0.0
        if self.running():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        self.thaw(float("inf"))
        if self.running():
            assert self.proc is not None
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def _setup(admin_url: str, creator_url: Any, jobs_per_creator: int) -> list[str]:
    from veo_desktop.store.postgres import admin
    from veo_desktop.store.postgres.store import PostgresStore

    admin.init(admin_url)
    # The desktops run on a clock 100 times faster (as the simulator): the database takes their (shared,
    # anchored) time instead of its own, which only the owner can allow; presence is 30 s real.
    _count(admin_url, f"UPDATE veo.settings SET test_clock = true; UPDATE veo.pool SET presence_ms = {PRESENCE_MS}")  # noqa: S608
    for name in ("ana", "bia"):
        admin.add_creator(admin_url, name, admin=name == "ana", password=None)
    stores = {name: PostgresStore(creator_url(name), desktop_id=f"{name}-1") for name in ("ana", "bia")}
    try:
        stores["ana"].set_pool_config(max_in_flight=CAP, max_starts_per_minute=0, one_start_on_wire=True)
        rng, now, ids = random.Random(7), ScaledClock(SPEED).wall_ms(), []
        for i in range(0, jobs_per_creator, 3):  # interleaved batches: FIFO runs across both creators
            for k, name in enumerate(("ana", "bia")):
                batch = _new_jobs(min(3, jobs_per_creator - i), rng, now, 1000 * k + i)
                ids += [job.id for job in stores[name].enqueue(batch, now_ms=now, day_start_ms=0)]
    finally:
        for store in stores.values():
            store.close()
    return ids


_DONE = ("completed", "failed", "cancelled", "unknown_start")


def _count(admin_url: str, sql: str) -> list[Any]:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        cur = conn.execute(sql)  # constant SQL
        return cur.fetchall() if cur.description else []


def _finished(admin_url: str) -> bool:
    rows = _count(
        admin_url,
        "SELECT count(*) FROM veo.jobs WHERE status NOT IN ('completed', 'failed', 'cancelled', 'unknown_start')",
    )
    return int(rows[0][0]) == 0


@dataclass
class _Faults:
    kills: int = 0
    freezes: int = 0
    drops: int = 0  # every desktop's database connections terminated (pg_terminate_backend)
    restarts: int = 0  # the database restarted (pg_ctl restart -m immediate)
    events: int = 0


_DROP = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE application_name LIKE 'veo-%' AND application_name <> 'veo-admin' AND pid <> pg_backend_pid()"
)
FREEZE_S = 3 * 60_000 / SPEED / 1000  # three leases of the desktops' (scaled) clock


def _inject(rng: random.Random, desktops: list[_Desktop], now: float, faults: _Faults, admin_url: str,
            restart: Callable[[], None] | None) -> None:  # fmt: skip
    faults.events += 1
    roll = rng.random()
    if restart is not None and faults.events == 3:
        restart()
        faults.restarts += 1
    elif roll < 0.2:
        _count(admin_url, _DROP)
        faults.drops += 1
    elif roll < 0.6:
        rng.choice(desktops).kill()
        faults.kills += 1
    else:  # frozen past its lease: another desktop of its creator takes over, it is fenced out
        rng.choice([d for d in desktops if not d.frozen_until] or desktops).freeze(now + FREEZE_S)
        faults.freezes += 1


def _finished_or_down(admin_url: str) -> bool:
    import psycopg

    try:
        return _finished(admin_url)
    except psycopg.Error:
        return False  # the database is restarting


def run_campaign(
    admin_url: str,
    creator_url: Any,
    *,
    jobs_per_creator: int,
    kill_every_s: float,
    budget_s: float,
    seed: int = 1,
    restart: Callable[[], None] | None = None,
) -> CampaignResult:
    rng = random.Random(seed)
    job_ids = _setup(admin_url, creator_url, jobs_per_creator)
    sim, api_base = _simulator()
    started, faults = time.monotonic(), _Faults()
    with tempfile.TemporaryDirectory(prefix="veo-team-campaign-") as tmp:
        desktops = [_Desktop(c, n, creator_url(c), api_base, Path(tmp)) for c, n in DESKTOPS]
        try:
            for d in desktops:
                d.start()
            next_kill = time.monotonic() + kill_every_s
            while time.monotonic() - started < budget_s and not _finished_or_down(admin_url):
                time.sleep(0.2)
                now = time.monotonic()
                if now >= next_kill:
                    _inject(rng, desktops, now, faults, admin_url, restart)
                    next_kill = now + rng.uniform(0.5, 1.5) * kill_every_s
                for d in desktops:
                    d.thaw(now)
                    if not d.running():
                        d.start()  # killed, or its `run` found its own queue empty while others' was not
            stats = _stats(api_base)
        finally:
            for d in desktops:
                d.stop()
            sim.terminate()
            sim.wait(10)
            if sim.stdout is not None:
                sim.stdout.close()
    result = _collect(admin_url, len(job_ids), faults.kills, stats, time.monotonic() - started)
    result.freezes, result.drops, result.restarts = faults.freezes, faults.drops, faults.restarts
    result.invariants = _check(admin_url, job_ids, stats)
    (result.takeovers,) = _count(admin_url, "SELECT count(*) FROM veo.events WHERE detail LIKE 'Taken over by %'")[0]
    (result.handovers,) = _count(admin_url, "SELECT count(*) FROM veo.events WHERE detail LIKE 'Done at Google;%'")[0]
    return result


def _check(admin_url: str, job_ids: list[str], stats: dict[str, Any]) -> InvariantReport:
    """I1–I8 from the team database (the simulator's own per-prompt log is not served: I2 is the store's
    accepted starts per attempt here, and the campaign's own count of starts beyond the claims)."""
    ((hold_ms,),) = _count(admin_url, "SELECT hold_ms FROM veo.pool WHERE id = 1")
    sim = SimFigures(
        starts_by_prompt={},
        peak_in_flight=int(stats.get("peak_in_flight", 0)),
        key_seen_on_hosts=frozenset(stats.get("key_seen_on_hosts", ())),
    )
    return check_invariants(
        admin_url, None, sim, expected_job_ids=job_ids, max_in_flight=CAP, canary=KEY, default_hold_ms=int(hold_ms)
    )


def _collect(admin_url: str, jobs: int, kills: int, stats: dict[str, Any], seconds: float) -> CampaignResult:
    statuses = {str(s): int(n) for s, n in _count(admin_url, "SELECT status, count(*) FROM veo.jobs GROUP BY status")}
    (sends, accepted), = _count(
        admin_url,
        "SELECT count(*) FILTER (WHERE outcome IN ('accepted', 'unknown', 'failed', 'pending')), "
        "count(*) FILTER (WHERE outcome = 'accepted') FROM veo.starts",
    )  # fmt: skip
    ledger_rows = _count(
        admin_url,
        "SELECT c.name, COALESCE((SELECT sum(CASE l.kind WHEN 'charge' THEN l.amount_micros ELSE -l.amount_micros END) "
        "FROM veo.ledger l WHERE l.creator = c.name), 0), COALESCE((SELECT sum(j.cost_micros) FROM veo.jobs j "
        "WHERE j.creator = c.name AND j.status NOT IN ('failed', 'cancelled')), 0) FROM veo.creators c ORDER BY c.name",
    )
    # FIFO across desktops: each claim took the earliest job still waiting at that moment (by queue order).
    (fifo_errors,) = _count(
        admin_url,
        "SELECT count(*) FROM veo.starts s JOIN veo.jobs j ON j.id = s.job_id WHERE s.claim_no = 1 AND s.attempt = 1 "
        "AND EXISTS (SELECT 1 FROM veo.jobs o JOIN veo.starts os ON os.job_id = o.id AND os.claim_no = 1 "
        "AND os.attempt = 1 WHERE o.queue_order < j.queue_order AND os.at_ms > s.at_ms + 1000)",
    )[0]
    ledger = {str(name): (int(net), int(kept)) for name, net, kept in ledger_rows}
    result = CampaignResult(jobs, kills, statuses, stats, int(sends), int(accepted), ledger, int(fifo_errors), seconds)
    result.refill_ms = _refill_ms(admin_url)
    return result


def _refill_ms(admin_url: str) -> list[float]:
    """For each claim, the time since the event that let it happen (a slot freed, or the start on the wire
    answered), when that event was another process's: the refill latency across desktops, in real ms."""
    events = _count(
        admin_url,
        "SELECT e.job_id, e.at_ms, e.to_status = 'submitting', (SELECT s.owner FROM veo.starts s "
        "WHERE s.job_id = e.job_id AND s.at_ms <= e.at_ms ORDER BY s.id DESC LIMIT 1) FROM veo.events e "
        "WHERE e.to_status = 'submitting' OR e.from_status = 'submitting' "
        "OR (e.from_status = 'running' AND e.to_status <> 'running') ORDER BY e.id",
    )
    latencies, gate = [], None
    for _, at_ms, is_claim, owner in events:
        if not is_claim:
            gate = (int(at_ms), owner)
        elif gate is not None and gate[1] != owner and at_ms >= gate[0]:
            latencies.append((int(at_ms) - gate[0]) / SPEED)
            gate = None  # one claim per opening
    return latencies


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _p99(values: list[float]) -> float | None:
    return round(percentile(values, 99), 1) if values else None


def figures(result: CampaignResult) -> list[dict[str, Any]]:
    lost = result.jobs - sum(result.statuses.get(s, 0) for s in _DONE)
    extra = max(0, int(result.sim.get("accepted_starts", 0)) - result.sends)
    balanced = all(net == kept for net, kept in result.ledger.values())
    return [
        figure("peak in flight at the simulator (cap 2)", result.sim.get("peak_in_flight"), "jobs", target=("<=", CAP)),
        figure("lost or stuck jobs", lost, "jobs", target=("<=", 0)),
        figure("starts accepted beyond one per claim (double starts)", extra, "jobs", target=("<=", 0)),
        figure("creators whose ledger is off", 0 if balanced else sum(n != k for n, k in result.ledger.values()),
               "jobs", target=("<=", 0)),
        figure("claims that passed an earlier waiting job by over 1 s", result.fifo_errors, "claims"),
        figure("refill latency across desktops, median", _median(result.refill_ms), "ms",
               reference=f"p99 {_p99(result.refill_ms)} ms over {len(result.refill_ms)} refills; target < 100 ms"),
        figure("desktops killed (SIGKILL) and restarted", result.kills, "kills"),
        figure("desktops frozen (SIGSTOP) past their lease, then resumed", result.freezes, "freezes"),
        figure("every desktop's database connections dropped", result.drops, "drops"),
        figure("database restarts (immediate)", result.restarts, "restarts"),
        figure("jobs taken over from a killed or frozen desktop (new fence)", result.takeovers, "jobs"),
        figure("done jobs another creator's desktop polled and handed back", result.handovers, "jobs"),
        figure("jobs completed", result.statuses.get("completed", 0), "of " + str(result.jobs)),
        figure("campaign time", round(result.seconds, 1), "s"),
        *invariant_figures(result.invariants),
    ]  # fmt: skip


def invariant_figures(report: InvariantReport | None) -> list[dict[str, Any]]:
    """The columns of the local campaigns' tables (soak, crash sweep), read from the team database."""
    if report is None:
        return []
    balances = ", ".join(f"{c} {m / 1e6:.2f}" for c, m in report.balance_by_creator.items())
    return [
        figure("I1 lost jobs (store)", report.lost, "jobs", target=("<=", 0)),
        figure("I2 double starts (store: accepted starts per attempt)", report.double_starts, "jobs",
               target=("<=", 0)),
        figure("I3 peak in flight in the store (event replay, holds counted)", report.peak_store, "jobs",
               target=("<=", CAP), reference=f"simulator {report.peak_sim}"),
        figure("I4 ledger delta (Σ charges − Σ refunds − kept cost)", abs(report.ledger_delta_micros), "µUSD",
               target=("<=", 0), reference=f"balance per creator (USD): {balances}"),
        figure("I7 integrity checks failed", int(report.integrity != "ok"), "checks", target=("<=", 0),
               reference=report.integrity[:120]),
        figure("I1–I8 violations", len(report.violations), "violations", target=("<=", 0),
               reference="; ".join(report.violations[:3]) or None),
    ]  # fmt: skip


def campaign_section(quick: bool, url: str | None = None, cluster: Any = None) -> dict[str, Any]:
    """The campaign on a scratch database of `cluster`, of the server at `url` (a superuser URL), or of a
    throwaway cluster; the database is restarted once when the cluster is one of ours."""
    from veo_desktop.testing import pg_cluster

    size = (15, 0.7, 120.0) if quick else (60, 1.0, 900.0)

    def on(target: pg_cluster.Cluster) -> dict[str, Any]:
        name = target.new_database()
        try:
            result = run_campaign(
                target.admin_url(name),
                lambda creator: target.creator_url(name, creator),
                jobs_per_creator=size[0],
                kill_every_s=size[1],
                budget_s=size[2],
                restart=None if target.directory is None else lambda: target.server("restart", "-m", "immediate"),
            )
        finally:
            target.drop_database(name)
        violations = result.invariants.violations if result.invariants else []
        return {
            "figures": figures(result),
            "statuses": result.statuses,
            "ledger_micros": result.ledger,
            "violations": violations,
        }

    if cluster is not None:
        return on(cluster)
    if url:
        return on(pg_cluster.Cluster(url=url))
    with pg_cluster.running() as own:
        return on(own)
