"""`python -m veo_desktop.bench all --quick` once, in a subprocess: the document's structure and its
correctness figures (no failed jobs, no double starts, every figure present). Never a timed assertion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

SECTIONS = ("dispatch", "economy", "store", "download", "ui")


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    table = tmp_path_factory.mktemp("bench") / "table.md"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    argv = [sys.executable, "-m", "veo_desktop.bench", "all", "--quick", "--markdown", str(table)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout), table.read_text(encoding="utf-8")


def test_machine_is_described(document: tuple[dict[str, Any], str]) -> None:
    machine = document[0]["machine"]
    assert {"cpu", "cores", "python", "qt", "sqlite"} <= set(machine)
    assert machine["cores"] >= 1


def test_every_section_has_figures_with_targets(document: tuple[dict[str, Any], str]) -> None:
    doc, table = document
    for name in SECTIONS:
        section = doc[name]
        if section.get("skipped"):
            assert name == "ui", f"only the UI may be skipped: {section['skipped']}"
            continue
        assert section["figures"], name
        for fig in section["figures"]:
            assert {"name", "value", "unit", "pass"} <= set(fig)
            assert fig["value"] is not None, fig
            assert ("target" in fig) == (fig["pass"] is not None), fig
            assert fig["name"] in table


def test_dispatch_is_correct(document: tuple[dict[str, Any], str]) -> None:
    dispatch = document[0]["dispatch"]
    for workload in ("burst", "poisson"):
        run = dispatch[workload]
        assert run["failed"] == 0 and run["double_starts"] == 0
        assert run["completed"] == run["jobs"]
        assert run["simulator_peak_in_flight"] <= 2
        assert run["makespan_ratio"] > 0 and run["ideal_makespan_s"] > 0
        model = run["poll_driven_model"]
        assert model["completed"] + model["lost_to_429"] == run["jobs"]


def test_economy_compares_the_same_workloads(document: tuple[dict[str, Any], str]) -> None:
    economy = document[0]["economy"]
    for workload in ("burst", "poisson", "narrow"):
        runs = economy[workload]
        for policy in ("learned", "old_adaptive", "fixed_10s"):
            assert runs[policy]["failed"] == 0
            assert runs[policy]["completed"] == runs["jobs"]
            assert runs[policy]["polls_per_job"] > 0
        assert runs["floor"]["polls_per_job_at_1s"] > 1


def test_refill_gaps_are_reported_for_both_workloads(document: tuple[dict[str, Any], str]) -> None:
    dispatch = document[0]["dispatch"]
    burst = dispatch["burst"]
    assert burst["refills"] == burst["jobs"] - 2  # every job after the first two refills a freed slot
    assert burst["mean_refill_gap_ms"] is not None
    assert dispatch["poisson"]["mean_idle_slot_claim_ms"] is not None


def test_store_and_download_figures(document: tuple[dict[str, Any], str]) -> None:
    doc = document[0]
    assert doc["store"]["lifecycle_tx_per_s"] > 0 and doc["store"]["waiting"] > 0
    download = doc["download"]
    assert download["throughput"]["app_mb_s"] > 0 and download["throughput"]["reference_mb_s"] > 0
    assert download["throughput"]["reference_then_fsync_mb_s"] > 0
    assert download["gemini_memory"]["tracemalloc_peak_mb"] is not None


def test_ui_burst_completes_without_failures(document: tuple[dict[str, Any], str]) -> None:
    ui = document[0]["ui"]
    if ui.get("skipped"):
        pytest.skip(ui["skipped"])
    assert ui["burst"]["failed"] == 0 and ui["burst"]["completed"] >= 1
    assert ui["burst"]["heartbeats"] > 0


def test_markdown_table_has_a_row_per_figure(document: tuple[dict[str, Any], str]) -> None:
    doc, table = document
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    figures = sum(len(doc[name]["figures"]) for name in SECTIONS)
    assert len(rows) - 1 >= figures  # the header row, then one per figure
