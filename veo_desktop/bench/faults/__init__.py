"""Fault campaigns that prove the reliability promises (docs/reliability.md), each printing a table of
figures: `python -m veo_desktop.bench faults --campaign NAME [--full]`.

    sweep     crash-point sweep: SIGKILL at every named fault point × every hit count, restart, check I1–I8
    soak      random-kill soak: many jobs, the engine killed at random moments, restarted each time
    network   network matrix: {start, poll, download} × server faults through the real client
    machine   Hypothesis state machine over the store and the dispatcher on a virtual clock
    inputs    bad-input catalogue through the validation the GUI and the CLI share
    twoproc   two engine processes (the CLI `run` and a second dispatcher) on one store under load
    canary    a fake Google-shaped key through a full scenario; it must appear nowhere it should not

The reduced variants run inside the test suite (tests/faults/); `--full` gives the figures for the README.
Each campaign module has `run(*, full: bool, workdir: Path) -> Table`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from veo_desktop.bench.faults.report import Table

CAMPAIGNS: dict[str, str] = {
    "sweep": "veo_desktop.bench.faults.crash_sweep",
    "soak": "veo_desktop.bench.faults.soak",
    "network": "veo_desktop.bench.faults.network",
    "machine": "veo_desktop.bench.faults.machine",
    "inputs": "veo_desktop.bench.faults.bad_input",
    "twoproc": "veo_desktop.bench.faults.two_process",
    "canary": "veo_desktop.bench.faults.canary",
}

__all__ = ["CAMPAIGNS", "add_faults_command", "faults_section", "register", "run_campaign"]


def run_campaign(name: str, *, full: bool, workdir: Path | None = None) -> Table:
    module = importlib.import_module(CAMPAIGNS[name])
    if workdir is not None:
        return module.run(full=full, workdir=workdir)  # type: ignore[no-any-return]
    with tempfile.TemporaryDirectory(prefix=f"veo-faults-{name}-") as tmp:
        return module.run(full=full, workdir=Path(tmp))  # type: ignore[no-any-return]


def add_faults_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `faults` subcommand of `python -m veo_desktop.bench` (picked up through `register`)."""
    p = subparsers.add_parser("faults", help="fault campaigns: crash sweep, soak, network matrix, ...")
    p.add_argument("--campaign", required=True, choices=[*CAMPAIGNS, "all"])
    p.add_argument("--full", action="store_true", help="the long variant (figures for the README)")
    p.add_argument("--workdir", type=Path, default=None, help="keep the scenarios' folders here")
    p.set_defaults(run=faults_section)


register = add_faults_command


def faults_section(args: argparse.Namespace) -> dict[str, Any]:
    """Run the campaign(s); print each table (stderr, so stdout stays one JSON document) and return the
    section: every table's rows, totals and violations, and one pass/fail figure per campaign."""
    from veo_desktop.bench.figures import figure

    names = list(CAMPAIGNS) if args.campaign == "all" else [args.campaign]
    section: dict[str, Any] = {"campaigns": {}, "figures": []}
    for name in names:
        started = time.monotonic()
        table = run_campaign(name, full=args.full, workdir=args.workdir)
        table.totals["seconds"] = round(time.monotonic() - started, 1)
        print(table.render() + "\n", file=sys.stderr, flush=True)
        section["campaigns"][name] = table.as_dict()
        section["figures"].append(figure(f"{name}: invariant violations", len(table.violations), "", target=("==", 0)))
    return section
