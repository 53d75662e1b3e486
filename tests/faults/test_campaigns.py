"""Every fault campaign, reduced, inside the suite (the same code `python -m veo_desktop.bench faults` runs).
A violation fails the test with the campaign's table, which names the invariant and the job."""

from __future__ import annotations

from pathlib import Path

import pytest

from veo_desktop.bench.faults import run_campaign

FAST = ("soak", "network", "inputs", "twoproc")


@pytest.mark.timeout(150)
@pytest.mark.parametrize("name", FAST)
def test_campaign_reduced(name: str, tmp_path: Path) -> None:
    table = run_campaign(name, full=False, workdir=tmp_path)
    assert table.rows, table.render()
    assert table.ok, table.render()


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("name", ["sweep", *FAST, "machine", "canary"])
def test_campaign_full(name: str, tmp_path: Path) -> None:
    table = run_campaign(name, full=True, workdir=tmp_path)
    assert table.ok, table.render()


@pytest.mark.timeout(150)
def test_crash_sweep_reduced_covers_every_point(tmp_path: Path) -> None:
    """A kill at the first hit of every named point, restart, I1–I8; every point is reachable in the sweep's
    scenario (a point never hit would prove nothing)."""
    table = run_campaign("sweep", full=False, workdir=tmp_path)
    assert table.ok, table.render()
    assert table.totals["points never hit"] == [], table.render()
    assert table.totals["kills"] == len(table.rows)


def test_network_matrix_expectations_are_complete() -> None:
    """Every cell of the full matrix has the contract's expectation; every provider has start and poll
    columns over every fault, Omni its file and download columns, project mode its token column."""
    from veo_desktop.bench.faults.network import FAULTS, PROVIDERS, TOKEN_FAULTS, cells, expect

    full = cells(full=True)
    assert {c for c in full if c[0] in ("start", "poll")} == {
        (phase, f, p) for phase in ("start", "poll") for p in PROVIDERS for f in FAULTS
    }
    assert {(c[0], c[2]) for c in full if c[0] not in ("start", "poll")} == {
        ("file", "gemini"),
        ("download", "gemini"),
        ("token", "vertex-project"),
    }
    assert {c[1] for c in full if c[0] == "token"} == set(TOKEN_FAULTS)
    assert set(cells(full=False)) < set(full)
    for cell in full:
        expect(*cell)  # raises KeyError for a cell without an expectation
