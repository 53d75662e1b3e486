"""Team-store benchmark: claim + start transactions per second with 10,000 waiting jobs, PostgreSQL beside SQLite.

`python -m veo_desktop.bench team-store [--quick] [--url ADMIN_URL]`. Each round is what the dispatcher does for
one start: `claim_next` (the pool-row lock, the gates, the head, the slot) and `mark_sending` + `mark_running`,
then `begin_download` frees the slot for the next round (not counted). SQLite runs on a file as the app opens
it (WAL, synchronous=FULL); PostgreSQL on a throwaway cluster with fsync on (as durable), or on the server at
`--url` (a superuser URL; a scratch database is created and dropped). A team needs a few starts a minute.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from veo_desktop.bench.figures import figure
from veo_desktop.bench.prefill import T0_MS, enqueue_many
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.store.base import Holder, Store
from veo_desktop.store.sqlite import SqliteStore

__all__ = ["register", "team_store_section"]

_CAP = SlotConfig(max_in_flight=2, max_starts_per_minute=0)
_HOLDER = Holder(host="bench", pid=1, token="bench")  # noqa: S106 (a lease token, not a secret)


def _claims_per_s(store: Store, rounds: int) -> float:
    started = time.perf_counter()
    for i in range(rounds):
        now = T0_MS + 10_000_000 + i
        job = store.claim_next(owner=_HOLDER, now_ms=now, lease_ms=60_000, config=_CAP)
        assert job is not None, "the benchmark queue ran dry"
        store.mark_sending(job.id, fence=job.fence, now_ms=now, hold_until_ms=now + 600_000)
        store.mark_running(job.id, operation_name=f"operations/{job.id}", now_ms=now, fence=job.fence)
        store.begin_download(job.id, now_ms=now, fence=job.fence)
    return rounds / (time.perf_counter() - started)


def _sqlite(waiting: int, rounds: int) -> float:
    with tempfile.TemporaryDirectory(prefix="veo-bench-") as tmp, SqliteStore(Path(tmp) / "q.sqlite3") as store:
        enqueue_many(store, waiting + rounds)
        return _claims_per_s(store, rounds)


def _postgres(waiting: int, rounds: int, url: str | None) -> tuple[float, int]:
    from veo_desktop.store.postgres import admin
    from veo_desktop.store.postgres.store import PostgresStore
    from veo_desktop.testing import pg_cluster

    def measure(cluster: pg_cluster.Cluster) -> tuple[float, int]:
        name = cluster.new_database()
        try:
            admin.init(cluster.admin_url(name))
            admin.add_creator(cluster.admin_url(name), "bench", admin=True, password=None)
            with PostgresStore(cluster.creator_url(name, "bench"), desktop_id="bench-desk") as store:
                store.set_pool_config(max_in_flight=2, max_starts_per_minute=0, one_start_on_wire=True)
                enqueue_many(store, waiting + rounds)  # type: ignore[arg-type]  # any Store enqueues
                admin.analyze(cluster.admin_url(name))  # the statistics autovacuum keeps on a live database
                return _claims_per_s(store, rounds), store.retries
        finally:
            cluster.drop_database(name)

    if url:
        return measure(pg_cluster.Cluster(url=url))
    with pg_cluster.running(durable=True) as cluster:
        return measure(cluster)


def team_store_section(quick: bool, url: str | None = None) -> dict[str, Any]:
    waiting, rounds = (2_000, 100) if quick else (10_000, 500)
    sqlite_per_s = _sqlite(waiting, rounds)
    pg_per_s, retries = _postgres(waiting, rounds, url)
    where = f"{waiting:,} waiting"
    return {
        "figures": [
            figure(
                f"claim + start per second, PostgreSQL, {where}",
                round(pg_per_s, 1),
                "/s",
                reference=f"SQLite (WAL, synchronous=FULL) {sqlite_per_s:.1f}/s",
            ),
            figure(f"claim + start per second, SQLite, {where}", round(sqlite_per_s, 1), "/s"),
            figure("serialisation retries in the PostgreSQL run (one process)", retries, "retries"),
        ],
        "notes": (
            "One round = claim_next, mark_sending, mark_running (begin_download frees the slot, uncounted); "
            "a team needs a few starts a minute."
        ),
    }


def register(sub: Any) -> None:
    parser = sub.add_parser("team-store", help="claim + start per second with 10,000 waiting: PostgreSQL vs SQLite")
    parser.add_argument("--url", default=None, help="a PostgreSQL superuser URL (default: a throwaway cluster)")

    def run(args: argparse.Namespace) -> dict[str, Any]:
        return team_store_section(args.quick, args.url)

    parser.set_defaults(run=run)
    campaign = sub.add_parser("team-campaign", help="3 desktops of 2 creators on one PostgreSQL, SIGKILLs at random")
    campaign.add_argument("--url", default=None, help="a PostgreSQL superuser URL (default: a throwaway cluster)")

    def run_campaign(args: argparse.Namespace) -> dict[str, Any]:
        from veo_desktop.bench.team_campaign import campaign_section

        return campaign_section(args.quick, args.url)

    campaign.set_defaults(run=run_campaign)
    for p in (parser, campaign):
        p.add_argument("--quick", action="store_true", help="smaller sizes (seconds, for tests)")
        p.add_argument("--markdown", type=Path, default=None, help="also write the figures as a markdown table")
