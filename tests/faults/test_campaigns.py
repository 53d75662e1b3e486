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


def test_a_matrix_cell_reports_a_wrong_state_ledger_start_count_and_a_credential_on_the_blob_host() -> None:
    """The cell check is not a formality: each broken promise shows up as its own sentence."""
    from types import SimpleNamespace

    from veo_desktop.bench.faults.network import _cell_problems, expect
    from veo_desktop.simulator import RequestRecord, SimStats

    stats = SimStats()
    stats.accepted_starts = 2
    stats.record_request(RequestRecord("127.0.0.2", "127.0.0.1", "GET", "/blob/x", True, True, "blob"), "127.0.0.2")
    rig = SimpleNamespace(provider="gemini", sim=SimpleNamespace(stats=stats))
    job = SimpleNamespace(
        status=expect("start", "500", "gemini").status, charged_micros=100, refunded_micros=100, cost_micros=100
    )
    problems = _cell_problems(rig, job, expect("start", "429 bare", "gemini"), False, "unknown_start")  # type: ignore[arg-type]
    assert len(problems) == 4, problems
    assert any("expected completed" in p for p in problems)
    assert any("ledger net 0" in p for p in problems)
    assert any("2 starts accepted, expected 1" in p for p in problems)
    assert any("I8: a credential reached ['blob']" in p for p in problems)
