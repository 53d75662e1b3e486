"""UI benchmark: the real MainWindow, offscreen, each measurement in a fresh process (`bench.ui_child`).

- Event-loop stalls during a burst of 200 jobs against the simulator (Gemini Omni, 10 s videos delivered by
  URI and padded so two downloads through the blob host's redirect run at once, thumbnails of each finished
  video): how much later than 5 ms a QTimer heartbeat fires; worst and p99 (targets 50 ms and 16 ms — one
  frame at 60 Hz).
- Launch to window shown (and to the first snapshot in it) with an empty history and with 10,000 finished
  jobs, from before the process is spawned, so interpreter start and imports count (target 1.5 s); the
  reference is a bare `QApplication` + `QMainWindow` shown in a fresh process.
- Resident memory with 10,000 jobs (target 250 MB); the reference is the same window with none.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from veo_desktop.bench.figures import figure, percentile
from veo_desktop.bench.loopback import start_simulator
from veo_desktop.bench.prefill import fill_history
from veo_desktop.core.clock import ScaledClock
from veo_desktop.paths import AppPaths, resources_dir
from veo_desktop.simulator import video_size
from veo_desktop.store.sqlite import SqliteStore

__all__ = ["ui_section"]

_BARE_WINDOW = (
    "import time,sys;t0=float(sys.argv[1]);from PySide6.QtWidgets import QApplication,QMainWindow;"
    "a=QApplication([]);w=QMainWindow();w.show();a.processEvents();print(time.time()-t0)"
)


def _missing() -> str | None:
    for module in ("veo_desktop.app", "veo_desktop.ui.main_window", "PySide6.QtMultimedia"):
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} is missing"
        except ImportError as exc:
            return f"{module} cannot be imported ({exc})"
    return None


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}


def _child(args: list[str], timeout_s: float) -> dict[str, Any]:
    argv = [sys.executable, "-m", "veo_desktop.bench.ui_child", *args]
    done = subprocess.run(argv, capture_output=True, text=True, env=_env(), timeout=timeout_s, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ui_child {args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _launch(root: Path) -> dict[str, Any]:
    return _child(["launch", str(root), "--t0", repr(time.time())], 120)


def _bare_window_s() -> float:
    done = subprocess.run(
        [sys.executable, "-c", _BARE_WINDOW, repr(time.time())], capture_output=True, text=True, env=_env(), check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def _history(root: Path, jobs: int) -> None:
    clip = next(iter(sorted((resources_dir() / "clips").glob("*.mp4"))), None)
    paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
    with SqliteStore(paths.database) as store:  # where the child's engine will open it
        if jobs:
            fill_history(store, jobs, completed=min(200, jobs // 10), failed=min(100, jobs // 20), video=clip)


def _launches(work: Path, history: int, runs: int) -> dict[str, Any]:
    empty, full = work / "empty", work / "full"
    _history(empty, 0)
    _history(full, history)
    results: dict[str, list[dict[str, Any]]] = {"empty": [], "full": []}
    bare = []
    for _ in range(runs):  # interleaved
        results["empty"].append(_launch(empty))
        results["full"].append(_launch(full))
        bare.append(_bare_window_s())

    def median(kind: str, key: str) -> float:
        return round(float(statistics.median(r[key] for r in results[kind])), 3)

    return {
        "history_jobs": history,
        "bare_window_s": round(statistics.median(bare), 3),
        **{f"{kind}_{key}": median(kind, key) for kind in results for key in ("shown_s", "populated_s", "rss_mb")},
        "full_rows": results["full"][-1]["rows"],
    }


def _burst(work: Path, jobs: int, until: int) -> dict[str, Any]:
    speed = 20.0
    # Equal generation times: the two jobs of a pair finish together, so their downloads overlap.
    sim = start_simulator(
        clock=ScaledClock(speed), latency_s=(20.0, 20.0), max_in_flight=2, switches={"omni_get_after_uri": "uri"}
    )
    sim.script("start", video_size(40_000_000), match_prompt="ui bench", times=None)
    try:
        root = work / "burst"
        argv = ["burst", str(root), "--base", sim.gemini_url, "--jobs", str(jobs), "--until", str(until)]
        result = _child([*argv, "--speed", str(speed)], 300)
    finally:
        sim.stop()
    stalls = result.pop("stalls_ms") or [0.0]
    result.update(
        heartbeats=len(stalls),
        worst_stall_ms=round(max(stalls), 1),
        p99_stall_ms=round(percentile(stalls, 99), 1),
        median_stall_ms=round(statistics.median(stalls), 2),
        seconds=round(result["seconds"], 1),
    )
    return result


def ui_section(quick: bool) -> dict[str, Any]:
    missing = _missing()
    if missing:
        return {"skipped": missing, "figures": []}
    history, runs, jobs, until = (1_000, 1, 40, 2) if quick else (10_000, 3, 200, 6)
    with tempfile.TemporaryDirectory(prefix="veo-bench-ui-") as tmp:
        work = Path(tmp)
        burst = _burst(work, jobs, until)
        launch = _launches(work, history, runs)
    label = f"{history:,} jobs"
    figures = [
        figure(
            f"event-loop stall p99, {jobs}-job burst",
            burst["p99_stall_ms"],
            "ms",
            target=("<", 16),
            reference=f"median {burst['median_stall_ms']} ms over {burst['heartbeats']} beats of 5 ms",
        ),
        figure(
            f"event-loop stall worst, {jobs}-job burst",
            burst["worst_stall_ms"],
            "ms",
            target=("<", 50),
            reference=f"{burst['completed']} videos downloaded (up to {burst['peak_downloading']} at once)",
        ),
        figure(
            "launch to window shown, empty history",
            launch["empty_shown_s"],
            "s",
            target=("<", 1.5),
            reference=f"bare QMainWindow {launch['bare_window_s']} s; queue filled at {launch['empty_populated_s']} s",
        ),
        figure(
            f"launch to window shown, {label}",
            launch["full_shown_s"],
            "s",
            target=("<", 1.5),
            reference=f"queue filled ({launch['full_rows']:,} rows) at {launch['full_populated_s']} s",
        ),
        figure(
            f"resident memory, {label}",
            launch["full_rss_mb"],
            "MiB",
            target=("<", 250),
            reference=f"empty history {launch['empty_rss_mb']} MiB",
        ),
        figure("failed jobs in the burst", burst["failed"], "jobs", target=("==", 0)),
    ]
    return {"burst": burst, "launch": launch, "figures": figures}
