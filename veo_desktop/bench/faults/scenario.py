"""A sandboxed scenario shared by the subprocess campaigns: an in-process simulator on a scaled clock, a home
folder (VEO_DESKTOP_HOME layout), jobs queued straight into the store, and engine child processes.

The simulator runs without its own in-flight quota (`max_in_flight=0`), so its `peak_in_flight` is the true
number of generations the engine had running at once (I3), not a number its 429s capped.

Providers: `vertex` (the key), `vertex-project` (a service-account key file the simulator trusts, in
`credentials/` beside the app's folders, given to the child as `--credentials`), `gemini` (Omni: jobs of
10 s, delivered by URI, so the file state, the download and its redirect are part of every job's life).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from veo_desktop.bench.faults.invariants import InvariantReport, SimFigures, check_invariants
from veo_desktop.composition import load_catalogue
from veo_desktop.core.clock import ScaledClock
from veo_desktop.core.cost import request_cost_micros
from veo_desktop.core.ids import new_job_id
from veo_desktop.core.request import GenerationRequest
from veo_desktop.paths import AppPaths
from veo_desktop.simulator import Simulator
from veo_desktop.store.base import NewJob
from veo_desktop.store.sqlite import SqliteStore

SIM_KEY = "sim-key"
OMNI_DURATION_S = 10  # delivered by URI: the files endpoint and the blob host's redirect


@dataclass
class SimScenario:
    root: Path
    provider: str = "vertex"
    speed: float = 200.0
    latency_s: tuple[float, float] = (4.0, 8.0)
    key: str = SIM_KEY
    download_host: str | None = None
    seed: int = 0
    sim: Simulator = field(init=False)
    job_ids: list[str] = field(default_factory=list)
    service_account: dict[str, Any] | None = None  # vertex-project's key, once the simulator runs

    def __post_init__(self) -> None:
        self.clock = ScaledClock(self.speed)
        self.sim = Simulator(
            api_key=self.key,
            clock=self.clock,
            latency_s=self.latency_s,
            seed=self.seed,
            max_in_flight=0,
            download_host=self.download_host,
            switches={"omni_get_after_uri": "uri"},
        )
        self.paths = AppPaths(
            data_dir=self.root / "data", config_dir=self.root / "config", library_dir=self.root / "library"
        )
        self._rng = random.Random(self.seed)

    def __enter__(self) -> SimScenario:
        self.sim.start()
        if self.provider == "vertex-project":
            self.credentials_path.parent.mkdir(parents=True, exist_ok=True)
            self.service_account = self.sim.write_service_account(self.credentials_path)
        return self

    @property
    def credentials_path(self) -> Path:
        return self.root / "credentials" / "service-account.json"

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.sim.stop()

    @property
    def store_path(self) -> Path:
        return self.paths.database

    def enqueue(self, prompts: Sequence[str]) -> list[str]:
        """Queue one job per prompt (prompts must be unique: the simulator's starts are matched by prompt)."""
        catalogue = load_catalogue()
        model = catalogue.default_model(self.provider)
        now_ms = self.clock.wall_ms()
        jobs = []
        for prompt in prompts:
            duration_s = OMNI_DURATION_S if self.provider == "gemini" else 4
            request = GenerationRequest(model_id=model.id, prompt=prompt, duration_s=duration_s)
            job_id = new_job_id(now_ms, self._rng)
            jobs.append(NewJob(job_id, request, request_cost_micros(model, request), self.provider))
        with SqliteStore(self.store_path) as store:
            store.enqueue(jobs, now_ms=now_ms, day_start_ms=0)
        self.job_ids += [j.id for j in jobs]
        return [j.id for j in jobs]

    def env(self, fault: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VEO_") and k != "GEMINI_API_KEY"}
        env.update(VEO_DESKTOP_HOME=str(self.root), GEMINI_API_KEY=self.key, PYTHONUNBUFFERED="1")
        if fault:
            env["VEO_FAULT"] = fault
        return env

    def provider_args(self) -> list[str]:
        """The command-line options naming the provider and its credentials (the key travels in the env)."""
        args = ["--api-base", self.sim.base_url_for(self.provider), "--provider", self.provider]
        if self.provider == "vertex-project":
            args += ["--project", self.sim.project, "--credentials", str(self.credentials_path)]
        return args

    def child_cmd(self) -> list[str]:
        prior = sum(self.latency_s) / 2
        return [
            sys.executable,
            "-m",
            "veo_desktop.bench.faults.child",
            *self.provider_args(),
            "--speed",
            str(self.speed),
            "--prior-s",
            str(prior),
        ]

    def cli_run_cmd(self) -> list[str]:
        """The CLI's `run`, as a person would start it (used by the two-process campaign)."""
        return [
            sys.executable,
            "-m",
            "veo_desktop.cli",
            *self.provider_args(),
            "--sim-speed",
            str(self.speed),
            "--starts-per-minute",
            "0",
            "--json",
            "run",
        ]

    def spawn(self, fault: str | None = None, cmd: list[str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.root / "child-output.log").open("ab")
        try:
            return subprocess.Popen(cmd or self.child_cmd(), env=self.env(fault), stdout=log, stderr=log)
        finally:
            log.close()

    def run_child(self, fault: str | None = None, timeout_s: float = 120.0) -> int:
        """Run the engine to the end (or to its fault); returns the exit code (-9 after SIGKILL)."""
        proc = self.spawn(fault)
        try:
            return proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return -999

    def figures(self) -> SimFigures:
        return SimFigures.of(self.sim.stats)

    def check(self, **kwargs: object) -> InvariantReport:
        return check_invariants(
            self.store_path,
            self.paths.library_dir,
            self.figures(),
            staging_dir=self.paths.staging_dir,
            expected_job_ids=self.job_ids,
            **kwargs,  # type: ignore[arg-type]
        )


def wait_until(predicate: object, timeout_s: float, step_s: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(step_s)
    return False
