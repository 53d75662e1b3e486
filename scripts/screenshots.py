"""Screenshots of Veo Desktop's main states, taken from the real window against the built-in simulator.

    .venv/bin/python scripts/screenshots.py OUTDIR [--states empty,queue,...] [--size 1440x900] [--dark]

It runs `MainWindow` over a real engine (`composition.open_engine(simulate=True)`, a fast clock) in a
temporary VEO_DESKTOP_HOME, drives it like a person would (compose with frames, generate, select, play)
and saves one PNG per state: welcome, empty, compose, queue, failed, settings, portuguese, and the playing
state as main-window.png (composer with frames, queue with positions and the player at once); `batches`
takes batches.png (the queue filtered to one batch), record.png and record-failed.png (a finished and a
failed job's "Sent and returned"), and with `portuguese` their -pt twins; and, on a queue of their own
(scripts/screenshot_requests.py), references, extend, refine and batch, each also in Portuguese
(references-pt, ...).

Without a display it starts its own `Xvfb`. Window shots come from `QScreen.grabWindow(0, ...)`, because a
QVideoWidget draws on its own surface and `QWidget.grab()` shows it blank. Under QT_QPA_PLATFORM=offscreen
(tests) it falls back to `QWidget.grab()`: everything but the video picture.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a source checkout without installing

if TYPE_CHECKING:
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QWidget

    from veo_desktop.composition import RunningEngine
    from veo_desktop.core.clock import ScaledClock
    from veo_desktop.engine.service import EngineService
    from veo_desktop.simulator import Simulator
    from veo_desktop.ui.main_window import MainWindow

from screenshot_requests import STATES as REQUEST_STATES  # noqa: E402 (this folder is on the path when run)
from screenshot_requests import RequestShots  # noqa: E402

MAIN_STATES = ("welcome", "empty", "compose", "queue", "playing", "failed", "batches", "settings", "portuguese")
STATES = MAIN_STATES + REQUEST_STATES
SIM_SPEED = 5.0  # simulator seconds per real second
SIM_LATENCY_S = (200.0, 320.0)  # generations that stay "generating" while we take pictures
QUICK_LATENCY_S = 6.0  # the videos that are already done when the queue shot is taken
SCREEN = (1600, 1000)

DONE_PROMPTS = (
    "Drone shot gliding over turquoise terraced rice fields at sunrise, mist in the valleys, cinematic",
    "A red fox trotting through fresh snow in a birch forest, soft morning light, shallow depth of field",
    "Timelapse of a neon-lit Tokyo street in the rain, reflections on wet asphalt, people with umbrellas",
)
FAILED_PROMPT = "A lighthouse keeper climbing the stairs during a violent storm, lightning, waves crashing"
RUNNING_PROMPTS = (
    "A paper boat drifting across a calm pond at golden hour, macro lens, gentle ripples",
    "Slow dolly-in on a ceramic artist shaping clay on a wheel, warm studio light, dust in the air",
)
WAITING_PROMPTS = (
    "Aerial view of a winding mountain road through autumn forest, a vintage car driving, 35mm film look",
    "Close-up of coffee being poured into a glass cup, swirling crema, slow motion, dark background",
    "A hot-air balloon festival at dawn over Cappadocia, dozens of balloons rising, wide shot",
    "Underwater shot of a sea turtle swimming over a coral reef, sun rays through the water",
)
BATCH_NAME = "coast shots"
BATCH_PROMPTS = (
    "Waves rolling onto a black sand beach at dawn, low angle, spray catching the light",
    "A fishing boat leaving a harbour in the fog, gulls overhead, slow pan",
    "Cliffs at sunset seen from a drone, the sea glittering, a lighthouse in the distance",
)
COMPOSE_PROMPT = (
    "The camera rises slowly from a quiet alpine lake at dawn to reveal snow-capped peaks as the sun "
    "breaks over the ridge; mist drifts across the water, birds cross the frame. Natural sound: wind, "
    "distant birdsong."
)


# --- display -----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def virtual_display(width: int, height: int) -> Iterator[None]:
    """Start `Xvfb :N` and point DISPLAY at it when there is no display (and the platform is not offscreen)."""
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        yield
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("No display and no Xvfb: install xvfb, or set QT_QPA_PLATFORM=offscreen (no video).")
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X{n}-lock").exists())  # noqa: S108
    process = subprocess.Popen(
        [xvfb, f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        socket = Path(f"/tmp/.X11-unix/X{number}")  # noqa: S108
        deadline = time.monotonic() + 10
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Xvfb :{number} did not start.")
            time.sleep(0.05)
        os.environ["DISPLAY"] = f":{number}"
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- pictures ----------------------------------------------------------------------------------------------


def paint_frame(path: Path, *, dusk: bool) -> Path:
    """A 1280×720 landscape (sky gradient, sun, layered mountains, a lake), at dawn or at dusk."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPainterPath, QRadialGradient

    w, h = 1280, 720
    image = QImage(w, h, QImage.Format.Format_RGB32)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    sky = QLinearGradient(0, 0, 0, h * 0.62)
    stops = ("#1b2a5e", "#6d4a8c", "#f08a5d") if dusk else ("#4a90d9", "#9cc9ef", "#ffe0a8")
    for at, colour in zip((0.0, 0.55, 1.0), stops, strict=True):
        sky.setColorAt(at, QColor(colour))
    p.fillRect(0, 0, w, h, sky)
    sun_at = QPointF(w * (0.72 if dusk else 0.3), h * (0.5 if dusk else 0.32))
    glow = QRadialGradient(sun_at, 220)
    glow.setColorAt(0, QColor(255, 236, 190, 230))
    glow.setColorAt(0.25, QColor(255, 200, 120, 120))
    glow.setColorAt(1, QColor(255, 200, 120, 0))
    p.fillRect(0, 0, w, h, glow)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#fff4d6"))
    p.drawEllipse(sun_at, 46, 46)
    ridges = (  # (colour, [(x, y), ...] along the ridge line, as fractions of the picture)
        (
            "#5d6f9e" if dusk else "#8aa6cc",
            ((0, 0.5), (0.14, 0.36), (0.3, 0.47), (0.46, 0.3), (0.63, 0.45), (0.8, 0.33), (1, 0.46)),
        ),
        (
            "#3b4a73" if dusk else "#587aa0",
            ((0, 0.58), (0.2, 0.45), (0.38, 0.56), (0.58, 0.42), (0.78, 0.55), (1, 0.5)),
        ),
        ("#232c48" if dusk else "#34526f", ((0, 0.64), (0.25, 0.56), (0.5, 0.63), (0.72, 0.57), (1, 0.66))),
    )
    for colour, line in ridges:
        ridge = QPainterPath(QPointF(0, h))
        for x, y in line:
            ridge.lineTo(QPointF(x * w, y * h))
        ridge.lineTo(QPointF(w, h))
        p.setBrush(QColor(colour))
        p.drawPath(ridge)
    lake = QLinearGradient(0, h * 0.66, 0, h)
    lake.setColorAt(0, QColor("#f3a46b" if dusk else "#b9dcf2"))
    lake.setColorAt(1, QColor("#1a2340" if dusk else "#2d5a7b"))
    p.fillRect(QRectF(0, h * 0.66, w, h * 0.34), lake)
    p.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):  # PNG, from the name
        raise OSError(f"could not write {path}")
    return path


def grab(widget: QWidget, path: Path) -> QImage:
    """The widget as the screen shows it (video included under X11); saved as PNG."""
    from PySide6.QtGui import QGuiApplication

    screen = widget.screen() or QGuiApplication.primaryScreen()
    if QGuiApplication.platformName() == "offscreen":
        image = widget.grab().toImage()
    else:
        top_left = widget.mapToGlobal(widget.rect().topLeft())
        pixmap = screen.grabWindow(0, top_left.x(), top_left.y(), widget.width(), widget.height())
        image = pixmap.toImage()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):  # PNG, from the name
        raise OSError(f"could not write {path}")
    print(f"  {path.name}: {image.width()}×{image.height()}, {path.stat().st_size // 1024} KB", flush=True)
    return image


def demo_clock(speed: float) -> ScaledClock:
    """A fast clock whose dates start now (ScaledClock's are anchored at a fixed instant, years away)."""
    from veo_desktop.core.clock import ScaledClock

    class DemoClock(ScaledClock):
        def __init__(self) -> None:
            super().__init__(speed)
            self._wall0_s = time.time()

        def wall_ms(self) -> int:
            return int((self._wall0_s + (time.time() - self._wall0_s) * self.speed) * 1000)

    return DemoClock()


# --- waiting -----------------------------------------------------------------------------------------------


async def until(predicate: Callable[[], object], what: str, timeout_s: float = 60.0) -> None:
    """Poll without a nested Qt event loop (the qasync loop keeps Qt running while we sleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def settle(seconds: float = 0.4) -> None:
    """Let layouts, repaints and thumbnail loads finish before a picture is taken."""
    await asyncio.sleep(seconds)


# --- the scenario ------------------------------------------------------------------------------------------


class DemoKeyStore:
    """An in-memory key store that reports a desktop keyring, as most creators have (Xvfb has none)."""

    session_only = False

    def __init__(self) -> None:
        self._key: str | None = None

    def backend_name(self) -> str:
        return "GNOME Keyring / Secret Service"

    def is_secure(self) -> bool:
        return True

    def get(self) -> str | None:
        return self._key

    def set(self, key: str, *, session_only: bool = False) -> None:
        self._key = key

    def delete(self) -> None:
        self._key = None


class Shooter:
    """Drives one window through the states, taking the pictures asked for."""

    def __init__(
        self, out: Path, states: set[str], size: tuple[int, int], home: Path, speed: float = SIM_SPEED
    ) -> None:
        self.out = out
        self.speed = speed
        self.states = states
        self.size = size
        self.home = home
        self.frames_dir = home / "pictures"
        self.taken: list[Path] = []
        self.running: RunningEngine | None = None
        self.window: MainWindow | None = None
        self._translator: object = None

    async def shot(self, state: str, widget: QWidget | None = None, *, name: str | None = None) -> None:
        from PySide6.QtWidgets import QLabel

        if state not in self.states:
            return
        for toast in self.window.findChildren(QLabel, "toast") if self.window is not None else ():
            toast.hide()  # a notification from an earlier step would hide part of the picture
        await settle()
        path = self.out / f"{name or state}.png"
        grab(widget or self._window(), path)
        self.taken.append(path)

    def _window(self) -> MainWindow:
        assert self.window is not None
        return self.window

    # --- the engine and the window ---
    async def open(self, name: str = "veo") -> None:
        from veo_desktop.composition import EngineOptions, open_engine
        from veo_desktop.paths import AppPaths
        from veo_desktop.settings import Settings

        root = self.home / name  # each scenario its own queue
        paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
        options = EngineOptions(
            paths=paths,
            settings=Settings(max_starts_per_minute=0, daily_budget_usd=25.0),
            simulate=True,
            sim_speed=self.speed,
            sim_latency_s=SIM_LATENCY_S,
            clock=demo_clock(self.speed),
        )
        self.running = await open_engine(options)

    def new_window(self) -> MainWindow:
        from PySide6.QtCore import QSettings

        from veo_desktop.app import tr  # the same words (and translation) as the app's own status line
        from veo_desktop.ui.main_window import MainWindow

        assert self.running is not None
        state = QSettings(str(self.home / "window.ini"), QSettings.Format.IniFormat)
        window = MainWindow(
            self.running.engine,
            settings=self.running.settings,
            window_state=state,
            thumbnail_dir=self.running.paths.data_dir / "thumbnails",
        )
        window.statusBar().showMessage(tr("Simulator mode: nothing is sent to Google and nothing is charged."))
        window.resize(*self.size)
        window.move(0, 0)
        window.show()
        window.raise_()
        window.activateWindow()
        self.window = window
        return window

    async def open_window(self) -> MainWindow:
        """A new window, laid out once shown as a first launch on a screen of `size` lays it out (the columns
        in the default proportions, the composer as wide as its widest row)."""
        from PySide6.QtCore import QRect

        window = self.new_window()
        await settle(0.2)
        window.fit_to(QRect(0, 0, *self.size))
        window.resize(*self.size)  # fit_to leaves room for a frame the offscreen platform reports once shown
        window.move(0, 0)
        return window

    async def close(self) -> None:
        if self.window is not None:
            await self.window.aclose()
            self.window.deleteLater()
            self.window = None
        if self.running is not None:
            await self.running.aclose()
            self.running = None

    # --- states ---
    async def welcome(self) -> None:
        from veo_desktop.ui.dialogs.welcome import WelcomePanel
        from veo_desktop.ui.support.style import app_icon

        panel = WelcomePanel(DemoKeyStore(), app_icon())
        panel.resize(720, 620)
        panel.move(0, 0)
        panel.show()
        await self.shot("welcome", panel)
        panel.hide()
        panel.deleteLater()

    async def seed_done(self) -> None:
        """Three finished videos (one made from a start frame), quick, before the composer is filled."""
        from veo_desktop.core.request import GenerationRequest
        from veo_desktop.simulator import latency

        engine, sim = self._engine_and_simulator()
        start = await engine.import_frame(
            paint_frame(self.frames_dir / "lake-dusk.png", dusk=True), field="start_frame"
        )
        for i, prompt in enumerate(DONE_PROMPTS):
            sim.script("start", latency(QUICK_LATENCY_S), match_prompt=prompt, times=None)
            request = GenerationRequest(
                model_id=self._model_id(),
                prompt=prompt,
                aspect_ratio="9:16" if i == 1 else "16:9",
                duration_s=8,
                start_frame=start if i == 2 else None,
            )
            await engine.submit(request, 1)
        await until(lambda: self._count("completed") >= len(DONE_PROMPTS), "the first videos to finish", 90)

    async def fill_composer(self) -> None:
        compose = self._window().compose
        compose.frames.start_picker.fileChosen.emit(paint_frame(self.frames_dir / "lake-dawn.png", dusk=False))
        await until(lambda: compose.frame("start_frame") is not None, "the start frame")
        compose.frames.end_picker.fileChosen.emit(paint_frame(self.frames_dir / "lake-dusk.png", dusk=True))
        await until(lambda: compose.frame("end_frame") is not None, "the end frame")
        compose.prompt.setPlainText(COMPOSE_PROMPT)
        compose.negative.setPlainText("text, watermark, people")
        compose.count.setValue(2)
        compose.prompt.setFocus()
        compose.prompt.moveCursor(compose.prompt.textCursor().MoveOperation.End)

    async def seed_queue(self) -> None:
        """A failed video, two generating and four waiting."""
        from veo_desktop.core.request import GenerationRequest
        from veo_desktop.simulator import latency, operation_error

        engine, sim = self._engine_and_simulator()
        sim.script("start", latency(QUICK_LATENCY_S), match_prompt=FAILED_PROMPT, times=None)
        sim.script("start", operation_error(), match_prompt=FAILED_PROMPT, times=None)
        await engine.submit(GenerationRequest(model_id=self._model_id(), prompt=FAILED_PROMPT), 1)
        await until(lambda: self._count("failed") >= 1, "the failing video", 60)
        for prompt in RUNNING_PROMPTS + WAITING_PROMPTS:
            await engine.submit(GenerationRequest(model_id=self._model_id(), prompt=prompt), 1)
        await until(lambda: self._count("generating") >= 2 and self._count("waiting") >= 4, "the queue", 60)
        await asyncio.sleep(2.5)  # a few seconds of progress (simulator clock ×5)

    async def seed_batch(self) -> None:
        """Three waiting videos of one batch, with a seed and audio off (the batch filter, the record)."""
        from veo_desktop.core.request import GenerationRequest

        engine, _ = self._engine_and_simulator()
        requests = [
            GenerationRequest(
                model_id=self._model_id(), prompt=p, batch=BATCH_NAME, seed=1000 + i, generate_audio=False
            )
            for i, p in enumerate(BATCH_PROMPTS)
        ]
        await engine.submit_batch(requests)
        await until(lambda: self._window().queue.batches.combo.count() > 1, "the batch in the filter")

    async def batch_shots(self, suffix: str = "") -> None:
        """The queue filtered to the batch with a waiting job's record open, then a finished job's record."""
        queue = self._window().queue
        await until(lambda: queue.batches.choose(BATCH_NAME), "the batch in the filter")
        self._select(BATCH_PROMPTS[0])
        queue.detail.tabs.setCurrentWidget(queue.record)
        await until(lambda: queue.record.record is not None, "the waiting job's record")
        await self.shot("batches", name=f"batches{suffix}")
        queue.batches.choose(None)
        self._select(DONE_PROMPTS[0])
        await until(lambda: queue.record.record is not None and queue.record.record.from_sidecar, "its sidecar")
        await self.shot("batches", name=f"record{suffix}")
        self._select(FAILED_PROMPT)
        await until(lambda: queue.record.record is not None and queue.record.record.sent_yet, "the failed job's record")
        bar = queue.record.verticalScrollBar()
        bar.setValue(bar.maximum())  # what Google returned: under what was sent, in a narrow queue
        await self.shot("batches", name=f"record-failed{suffix}")
        queue.detail.tabs.setCurrentIndex(0)

    def _engine_and_simulator(self) -> tuple[EngineService, Simulator]:
        from veo_desktop.simulator import Simulator

        assert self.running is not None and isinstance(self.running.simulator, Simulator)
        return self.running.engine, self.running.simulator

    def _model_id(self) -> str:
        assert self.running is not None
        engine = self.running.engine
        return engine.catalogue.default_model(engine.provider_name).id

    def _count(self, display: str) -> int:
        return sum(1 for v in self._window().queue.model.rows() if v.display.value == display)

    def _select(self, prompt: str) -> None:
        queue = self._window().queue
        view = next(v for v in queue.model.rows() if v.job.request.prompt == prompt)
        queue.select_job(view.id)

    async def play(self, prompt: str) -> None:
        """Select a finished video and wait until its picture is on screen, a moment into it."""
        from PySide6.QtMultimedia import QMediaPlayer

        self._select(prompt)
        player = self._window().player.player
        await until(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, "playback", 20)
        await until(lambda: player.position() > 1200, "a second of video", 20)
        player.pause()

    async def settings(self) -> None:
        from veo_desktop.ui.dialogs.settings import SettingsDialog

        assert self.running is not None
        store = DemoKeyStore()
        store.set("AIzaSy-demo-key-for-screenshots-0000000")
        models = [m.id for m in self.running.engine.catalogue.models]

        async def test_key(_key: str) -> list[str]:
            return models

        dialog = SettingsDialog(self.running.settings, store, test_key=test_key, parent=self.window)
        dialog.open()
        dialog.move(self._window().geometry().center() - dialog.rect().center())
        await self.shot("settings", dialog)
        dialog.reject()
        dialog.deleteLater()

    async def portuguese(self) -> None:
        from PySide6.QtWidgets import QApplication

        from veo_desktop.ui.support.i18n import install_translator

        if "portuguese" not in self.states:
            return
        self._translator = install_translator(QApplication.instance(), "pt_BR")  # type: ignore[arg-type]
        old = self._window()
        await old.aclose()
        old.deleteLater()
        await self.open_window()
        await until(lambda: self._count("completed") >= len(DONE_PROMPTS), "the new window's queue")
        await self.play(DONE_PROMPTS[0])
        await self.shot("portuguese")

    async def run(self) -> list[Path]:
        if "welcome" in self.states:
            await self.welcome()
        if self.states & set(REQUEST_STATES):  # first: the main scenario's long generations hold both slots
            await RequestShots(self, until).run()
        if not self.states & (set(MAIN_STATES) - {"welcome"}):
            return self.taken
        await self.open()
        try:
            await self._scenario()
        finally:
            await self.close()
        return self.taken

    async def _scenario(self) -> None:
        window = await self.open_window()
        await until(lambda: window._snapshot is not None, "the first snapshot")
        await self.shot("empty")
        await self.seed_done()
        await self.fill_composer()
        await self.shot("compose")
        await self.seed_queue()
        self._select(WAITING_PROMPTS[1])
        await self.shot("queue")
        if self.states & {"playing", "portuguese"}:
            await self.play(DONE_PROMPTS[0])
            await self.shot("playing", name="main-window")  # composer, queue and player at once: the README's
        self._select(FAILED_PROMPT)
        await self.shot("failed")
        if "batches" in self.states:
            await self.seed_batch()
            await self.batch_shots()
        if "settings" in self.states:
            await self.settings()
        await self.portuguese()
        if {"batches", "portuguese"} <= self.states:
            await self.batch_shots("-pt")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--states", default=",".join(STATES), help=f"comma-separated, of: {', '.join(STATES)}")
    parser.add_argument("--size", default="1440x900", help="the window size, WIDTHxHEIGHT")
    parser.add_argument("--dark", action="store_true", help="the dark palette (default: light)")
    parser.add_argument(
        "--speed", type=float, default=SIM_SPEED, help=f"simulator seconds per real second (default {SIM_SPEED:g})"
    )
    args = parser.parse_args(argv)
    args.states = {s.strip() for s in args.states.split(",") if s.strip()}
    unknown = args.states - set(STATES)
    if unknown:
        parser.error(f"unknown states: {', '.join(sorted(unknown))}")
    w, _, h = args.size.partition("x")
    args.size = (int(w), int(h))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="veo-screenshots-") as home, virtual_display(*SCREEN):
        os.environ["VEO_DESKTOP_HOME"] = home
        os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")
        return _run(args, Path(home))


def _run(args: argparse.Namespace, home: Path) -> int:
    import qasync
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    from veo_desktop.ui.support import qtfix
    from veo_desktop.ui.support.style import apply_style

    qtfix.install()
    app = QApplication.instance() or QApplication(["veo-desktop"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Veo Desktop")
    app.setQuitOnLastWindowClosed(False)
    apply_style(app, dark=args.dark)
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))  # dates, numbers
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    shooter = Shooter(args.outdir, args.states, args.size, home, args.speed)
    with loop:
        taken = loop.run_until_complete(shooter.run())
    print(f"{len(taken)} screenshot(s) in {args.outdir}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
