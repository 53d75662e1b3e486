"""Store benchmark: the durable queue's transaction rate, and reading a long queue.

- Lifecycle transactions per second on a file (WAL, synchronous=FULL, as the app opens it): each job is
  enqueued, claimed, marked running, moved to downloading and completed (five transactions). Reference: bare
  one-row INSERT commits per second on a database opened the same way, in the same folder — the disk's
  fsync rate, which bounds any durable store.
- With 10,000 waiting jobs: loading them and computing every position; the whole QueueSnapshot
  (`engine.snapshot.read_snapshot`: positions, ETAs, counts, ledger), cold (first read) and warm.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from veo_desktop.bench.figures import figure
from veo_desktop.bench.prefill import T0_MS, enqueue_many, run_one_job
from veo_desktop.core.scheduling import SlotConfig, positions
from veo_desktop.engine.snapshot import read_snapshot
from veo_desktop.store.sqlite import SqliteStore

__all__ = ["store_section"]

_TRANSACTIONS_PER_JOB = 5  # enqueue, claim, running, downloading, completed


def _bare_commits_per_s(path: Path, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        started = time.perf_counter()
        for i in range(n):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}",))
            conn.execute("COMMIT")
        return n / (time.perf_counter() - started)
    finally:
        conn.close()


def _lifecycle_per_s(path: Path, n: int) -> float:
    with SqliteStore(path) as store:
        started = time.perf_counter()
        for i in range(n):
            enqueue_many(store, 1, seed=i, now_ms=T0_MS + i)
            run_one_job(store, now_ms=T0_MS + i * 100_000)
        elapsed = time.perf_counter() - started
    return n * _TRANSACTIONS_PER_JOB / elapsed


def _best_ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(first call, median of the following `repeats`) in ms."""
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:])


def _long_queue(path: Path, waiting: int) -> dict[str, float]:
    with SqliteStore(path) as store:
        enqueue_many(store, waiting)
    slots = SlotConfig(2, 2)
    now_ms = T0_MS + 1_000_000
    with SqliteStore(path) as store:  # a fresh connection: nothing parsed or cached yet

        def snapshot() -> object:
            return read_snapshot(store, now_ms=now_ms, slots=slots, prior_s=lambda _m: 60.0)

        snapshot_cold, snapshot_warm = _best_ms(snapshot, 5)
        _, positions_warm = _best_ms(lambda: positions(store.waiting_jobs()), 5)
        waiting_jobs = store.waiting_jobs()
        _, positions_pure = _best_ms(lambda: positions(waiting_jobs), 5)
    return {
        "snapshot_cold_ms": round(snapshot_cold, 1),
        "snapshot_warm_ms": round(snapshot_warm, 1),
        "load_and_positions_ms": round(positions_warm, 1),
        "positions_only_ms": round(positions_pure, 2),
    }


def store_section(quick: bool) -> dict[str, Any]:
    cycles, bare, waiting = (50, 100, 1_000) if quick else (300, 1_000, 10_000)
    with tempfile.TemporaryDirectory(prefix="veo-bench-store-") as tmp:
        root = Path(tmp)
        bare_per_s = _bare_commits_per_s(root / "bare.sqlite3", bare)
        store_per_s = _lifecycle_per_s(root / "lifecycle.sqlite3", cycles)
        queue = _long_queue(root / "queue.sqlite3", waiting)
    label = f"{waiting:,} waiting"
    figures = [
        figure(
            "lifecycle transactions per second (file, WAL, synchronous=FULL)",
            round(store_per_s),
            "tx/s",
            target=(">=", 100),
            reference=f"bare INSERT commits: {bare_per_s:,.0f}/s ({store_per_s / bare_per_s:.0%} of them)",
        ),
        figure(
            f"every position, {label} (load + compute)",
            queue["load_and_positions_ms"],
            "ms",
            target=("<=", 100),
            reference=f"positions() alone {queue['positions_only_ms']} ms",
        ),
        figure(
            f"QueueSnapshot, {label} (warm)",
            queue["snapshot_warm_ms"],
            "ms",
            target=("<=", 100),
            reference=f"cold (fresh connection): {queue['snapshot_cold_ms']} ms",
        ),
    ]
    return {
        "lifecycle_jobs": cycles,
        "lifecycle_tx_per_s": round(store_per_s, 1),
        "bare_commits_per_s": round(bare_per_s, 1),
        "waiting": waiting,
        **queue,
        "figures": figures,
    }
