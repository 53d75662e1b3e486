"""T2: eight processes race `PostgresStore.claim_next` against a cap of 2, watched in one snapshot at a time:
held slots never exceed the cap and no job is ever claimed twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

from tests.store import pg
from tests.store.helpers import new_jobs
from veo_desktop.store.postgres.store import PostgresStore

PROCESSES = 8
SECONDS = 10.0 if os.environ.get("VEO_FULL_CAMPAIGNS") == "1" else 4.0  # the design's 10 s, opt-in
CAP = 2
ROOT = Path(__file__).resolve().parents[2]


def _watch(url: str, procs: list[subprocess.Popen[str]]) -> tuple[int, int]:
    """Peak of in-flight jobs and of held slots, each counted in one snapshot, until the racers end."""
    peak_jobs = peak_slots = samples = 0
    with psycopg.connect(url, autocommit=True) as conn:
        while any(p.poll() is None for p in procs) or samples == 0:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE status IN ('submitting', 'running')), count(slot) FROM veo.jobs"
                ).fetchone()
            assert row is not None
            peak_jobs, peak_slots = max(peak_jobs, int(row[0])), max(peak_slots, int(row[1]))
            samples += 1
    return peak_jobs, peak_slots


def test_eight_processes_never_pass_the_cap_or_claim_twice(pg_cluster: pg.Cluster, pg_db: str) -> None:
    ana_url, bia_url = pg_cluster.creator_url(pg_db, "ana"), pg_cluster.creator_url(pg_db, "bia")
    with PostgresStore(ana_url, desktop_id="setup-a") as ana, PostgresStore(bia_url, desktop_id="setup-b") as bia:
        raw = pg.Raw(pg_cluster.admin_url(pg_db))
        raw("UPDATE veo.settings SET test_clock = false")  # the database clock dates every claim
        raw.close()
        ana.set_pool_config(max_in_flight=CAP, max_starts_per_minute=0, one_start_on_wire=False)
        for i in range(20):  # interleaved creators, so both sides' desktops take part in the race
            (ana if i % 2 == 0 else bia).enqueue(new_jobs(25, seed=100 + i), now_ms=0, day_start_ms=0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.team.claimer",
                ana_url if i % 2 == 0 else bia_url,
                f"racer-{i}",
                str(SECONDS),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for i in range(PROCESSES)
    ]
    try:
        peak_jobs, peak_slots = _watch(pg_cluster.admin_url(pg_db), procs)
        results = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert all(p.returncode == 0 for p in procs)
    raw = pg.Raw(pg_cluster.admin_url(pg_db))
    try:
        double = raw(
            "SELECT count(*) FROM (SELECT job_id FROM veo.starts GROUP BY job_id, attempt HAVING count(*) > 1) d"
        )
        (claimed,) = raw("SELECT count(*) FROM veo.starts")[0]
        # The peak also from the history, in database time: claims whose submit→download spans overlap.
        (history_peak,) = raw(
            "WITH spans AS (SELECT s.job_id, s.at_ms AS t0, (SELECT min(e.at_ms) FROM veo.events e "
            "WHERE e.job_id = s.job_id AND e.to_status = 'downloading') AS t1 FROM veo.starts s) "
            "SELECT COALESCE(max((SELECT count(*) FROM spans b WHERE b.t0 <= a.t0 AND b.t1 > a.t0)), 0) FROM spans a"
        )[0]
    finally:
        raw.close()
    claims = sum(r["claims"] for r in results)
    print(
        f"\nT2: {PROCESSES} processes, {SECONDS:.0f} s, cap {CAP}: {claims} claims ({claims / SECONDS:.0f}/s), "
        f"peak in flight {peak_jobs} (held slots {peak_slots}, history {history_peak}), double claims {double[0][0]}, "
        f"retries {sum(r['retries'] for r in results)}, claims given up as busy (nothing claimed) "
        f"{sum(r['locked'] for r in results)}"
    )
    assert claims == claimed > 0
    assert double == [(0,)]
    assert peak_jobs <= CAP and peak_slots <= CAP and history_peak <= CAP
    assert {r["claims"] > 0 for r in results[:2]} == {True}  # both creators' desktops won claims
