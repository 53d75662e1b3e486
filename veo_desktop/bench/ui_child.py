"""The real MainWindow in a fresh process (QT_QPA_PLATFORM=offscreen), wired like `veo_desktop.app`:
`python -m veo_desktop.bench.ui_child launch|burst ROOT [options]` prints one JSON line.

- launch: open the engine on ROOT's store (pre-filled by the parent), build and show the window, wait for
  the first snapshot applied to it; times are seconds since `--t0` (the parent's clock before it spawned
  this process, so interpreter start and imports count); then the resident memory.
- burst: against the simulator at `--base` (Gemini Omni, big 10 s videos by URI so downloads take a while),
  submit `--jobs` jobs, and while they queue, run, download two at a time and get thumbnails, measure how
  late a 5 ms QTimer heartbeat fires (the event loop's stalls) until `--until` jobs completed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["main"]

HEARTBEAT_MS = 5


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("launch", "burst"))
    parser.add_argument("root", type=Path)
    parser.add_argument("--t0", type=float, default=None)
    parser.add_argument("--base", default=None)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--until", type=int, default=6)
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    return parser.parse_args(argv)


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


async def _open(args: argparse.Namespace) -> tuple[Any, Any]:
    from PySide6.QtCore import QSettings

    from veo_desktop.composition import EngineOptions, open_engine
    from veo_desktop.core.clock import ScaledClock
    from veo_desktop.paths import AppPaths
    from veo_desktop.settings import Settings
    from veo_desktop.ui.main_window import MainWindow

    root: Path = args.root
    paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
    if args.mode == "launch":  # the built-in simulator, as `veo-desktop --simulate` starts it
        options = EngineOptions(paths=paths, settings=Settings(), simulate=True)
    else:
        settings = Settings(provider="gemini", api_base=args.base, max_starts_per_minute=0)
        options = EngineOptions(
            paths=paths, settings=settings, clock=ScaledClock(args.speed), api_key=lambda: "sim-key"
        )
    running = await open_engine(options)
    state = QSettings(str(paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(
        running.engine, settings=running.settings, window_state=state, thumbnail_dir=paths.data_dir / "thumbnails"
    )
    return running, window


async def _first_snapshot(window: Any) -> None:
    applied: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_applied(_snapshot: object) -> None:
        if not applied.done():
            applied.set_result(None)

    window.snapshotApplied.connect(on_applied)
    await applied


async def _launch(args: argparse.Namespace) -> dict[str, Any]:
    t0 = args.t0 if args.t0 is not None else time.time()
    running, window = await _open(args)
    window.show()
    shown = time.time() - t0
    await _first_snapshot(window)
    populated = time.time() - t0
    rows = window.queue.model.rowCount() if hasattr(window.queue, "model") else None
    await asyncio.sleep(1.0)  # let the first thumbnails and timers settle before reading memory
    result = {
        "shown_s": shown,
        "populated_s": populated,
        "rows": rows if isinstance(rows, int) else None,
        "rss_mb": _status_mb("VmRSS"),
        "rss_high_water_mb": _status_mb("VmHWM"),
    }
    window.confirm_close()
    await running.aclose()
    return result


class _Heartbeat:
    """A QTimer every 5 ms; a stall is how much later than 5 ms the next tick came."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.stalls_ms: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer(interval=HEARTBEAT_MS, timerType=Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.stalls_ms.append(max(0.0, (now - self._last) * 1000 - HEARTBEAT_MS))
        self._last = now


async def _burst(args: argparse.Namespace) -> dict[str, Any]:
    from veo_desktop.core.request import GenerationRequest
    from veo_desktop.core.states import JobStatus

    running, window = await _open(args)
    window.show()
    await _first_snapshot(window)
    engine = running.engine
    model = engine.catalogue.default_model(engine.provider_name).id
    beat = _Heartbeat()
    beat.start()
    started = time.perf_counter()
    for i in range(args.jobs):
        request = GenerationRequest(model_id=model, prompt=f"ui bench {i:03d}: a fox in the snow", duration_s=10)
        await engine.submit(request)  # 10 s: Omni delivers it by URI (the files endpoint, then the blob host)
    completed, peak_downloading = 0, 0
    while completed < args.until and time.perf_counter() - started < args.timeout:
        await asyncio.sleep(0.05)
        counts = await running.store.run(lambda s: s.list_jobs([JobStatus.COMPLETED, JobStatus.DOWNLOADING]))
        completed = sum(j.status is JobStatus.COMPLETED for j in counts)
        peak_downloading = max(peak_downloading, sum(j.status is JobStatus.DOWNLOADING for j in counts))
    await asyncio.sleep(1.0)  # the last thumbnails
    beat.stop()
    failed = len(await running.store.run(lambda s: s.list_jobs([JobStatus.FAILED, JobStatus.UNKNOWN_START])))
    result = {
        "stalls_ms": beat.stalls_ms,
        "seconds": time.perf_counter() - started,
        "completed": completed,
        "failed": failed,
        "peak_downloading": peak_downloading,
        "thumbnails": len(list((args.root / "data" / "thumbnails").glob("*"))),
    }
    window.confirm_close()
    await running.aclose()
    return result


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    import qasync
    from PySide6.QtWidgets import QApplication

    from veo_desktop.ui.support import qtfix
    from veo_desktop.ui.support.style import apply_style

    qtfix.install()
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    apply_style(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    work = _launch(args) if args.mode == "launch" else _burst(args)
    with loop:
        result = loop.run_until_complete(work)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
