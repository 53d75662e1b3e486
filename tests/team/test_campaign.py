"""T3-T7 reduced: three desktops of two creators on one PostgreSQL and one simulator, SIGKILLed at random and
restarted, or frozen past their lease and resumed, their connections dropped and the database restarted: the
simulator never sees more than the team's cap, nothing is lost or started twice, every creator's ledger
balances."""

from __future__ import annotations

import os

from tests.store import pg
from veo_desktop.bench.team_campaign import campaign_section


def test_desktops_killed_at_random_keep_the_team_invariants(pg_cluster: pg.Cluster) -> None:
    full = os.environ.get("VEO_FULL_CAMPAIGNS") == "1"  # 120 jobs instead of 30
    section = campaign_section(quick=not full, cluster=pg_cluster)  # the session's cluster: restarted once
    print("\n" + "\n".join(f"{f['name']}: {f['value']} {f['unit']}" for f in section["figures"]))
    failed = [f for f in section["figures"] if f["pass"] is False]
    assert failed == []
    by_name = {f["name"]: f["value"] for f in section["figures"]}
    assert by_name["desktops killed (SIGKILL) and restarted"] > 0
    assert by_name["desktops frozen (SIGSTOP) past their lease, then resumed"] > 0
    assert by_name["database restarts (immediate)"] == 1
    assert by_name["I1–I8 violations"] == 0 and section["violations"] == []  # read from the team database
    assert sum(section["statuses"].values()) == (120 if full else 30)
