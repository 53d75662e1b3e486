"""The team-store benchmark runs (reduced) and prints its figure beside SQLite's; no timing is asserted."""

from __future__ import annotations

from tests.store import pg
from veo_desktop.bench.team import team_store_section


def test_team_store_benchmark_prints_both_rates(pg_cluster: pg.Cluster) -> None:
    section = team_store_section(quick=True, url=pg_cluster.url)
    names = [f["name"] for f in section["figures"]]
    assert (
        names[0].startswith("claim + start per second, PostgreSQL") and "SQLite" in section["figures"][0]["reference"]
    )
    assert all(f["value"] is not None and f["value"] >= 0 for f in section["figures"])
    print("\n" + "\n".join(f"{f['name']}: {f['value']} {f['unit']}" for f in section["figures"]))
