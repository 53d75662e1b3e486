"""The GUI composition root: `veo-desktop` and `python -m veo_desktop`.

Builds the QApplication and the qasync loop, opens the engine (`composition.open_engine`), shows the window
(or first the welcome panel when there is no key), and waits until the last window closes; then the engine
is closed in order. Jobs in flight continue at Google and are picked up at the next launch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from veo_desktop import __version__


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="veo-desktop", description="Queue, run and play Google Veo videos.")
    parser.add_argument("--simulate", action="store_true", help="use the built-in simulator (offline, free)")
    parser.add_argument("--store", type=Path, help="the queue database file")
    parser.add_argument("--library", type=Path, help="the folder for finished videos")
    parser.add_argument("--provider", choices=("vertex", "gemini"), help="Vertex AI express or the Gemini API")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--self-test", action="store_true", help="generate and play one video with the simulator")
    parser.add_argument("--sim-speed", type=float, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        print(f"veo-desktop {__version__}")
        return 0
    if args.self_test and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from veo_desktop.ui import qtfix
    from veo_desktop.ui.style import apply_style

    qtfix.install()  # PySide6 6.12.0 loses a reference to True on every Signal.emit()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Veo Desktop")
    app.setOrganizationName("VeoDesktop")
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)  # we end the loop ourselves, after closing the engine
    apply_style(app)  # type: ignore[arg-type]
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(_run(args, app))  # type: ignore[arg-type]


async def _run(args: argparse.Namespace, app: object) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from veo_desktop.composition import EngineOptions, open_engine
    from veo_desktop.paths import AppPaths, default_paths
    from veo_desktop.settings import load_settings, with_overrides
    from veo_desktop.ui.i18n import install_translator
    from veo_desktop.ui.main_window import MainWindow

    assert isinstance(app, QApplication)
    temp = tempfile.TemporaryDirectory(prefix="veo-self-test-") if args.self_test else None
    if temp is not None:
        root = Path(temp.name)
        paths = AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")
    else:
        paths = default_paths()
    settings = with_overrides(
        load_settings(paths.settings_file),
        provider=args.provider,
        store_path=str(args.store) if args.store else None,
        library_dir=str(args.library) if args.library else None,
    )
    translator = install_translator(app, settings.language)  # kept alive until the end of _run
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    app.aboutToQuit.connect(closed.set)
    key_store = _key_store()
    simulate = args.simulate or args.self_test
    if not simulate and not await asyncio.to_thread(key_store.get):
        choice = await _welcome(key_store, closed)
        if choice is None:
            return 0
        simulate = choice == "simulate"
    speed = args.sim_speed or (60.0 if args.self_test else 1.0)
    options = EngineOptions(
        paths=paths, settings=settings, simulate=simulate, sim_speed=speed, api_key=None if simulate else key_store.get
    )
    try:
        running = await open_engine(options)
    except Exception as exc:  # a damaged or locked store, a bad base URL: say so and stop
        print(f"veo-desktop: could not open the queue: {exc}", file=sys.stderr)
        return 2
    state = QSettings(str(paths.config_dir / "window.ini"), QSettings.Format.IniFormat) if temp else QSettings()
    window = MainWindow(
        running.engine, settings=settings, window_state=state, thumbnail_dir=paths.data_dir / "thumbnails"
    )
    if simulate:
        window.statusBar().showMessage(window.tr("Simulator mode: nothing is sent to Google and nothing is charged."))
    window.settingsRequested.connect(lambda: _open_settings(window, settings, key_store, paths))
    closed.clear()
    window.show()
    code = 0
    try:
        if args.self_test:
            from veo_desktop.ui.self_test import run_self_test

            ok, message = await run_self_test(window)
            print(f"self-test {'ok' if ok else 'FAILED'}: {message}")
            code = 0 if ok else 1
            window.confirm_close()
        else:
            await closed.wait()
    finally:
        await running.aclose()
        if temp is not None:
            temp.cleanup()
        del translator
    return code


def _key_store() -> object:
    from veo_desktop.secrets import KeyStore

    return KeyStore()


async def _welcome(key_store: object, closed: asyncio.Event) -> str | None:
    """Show the welcome panel; "key", "simulate", or None when it was closed."""
    from veo_desktop.ui.style import app_icon
    from veo_desktop.ui.welcome import WelcomePanel

    panel = WelcomePanel(key_store, app_icon())  # type: ignore[arg-type]
    choice: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    panel.keyEntered.connect(lambda _key: choice.done() or choice.set_result("key"))
    panel.simulatorChosen.connect(lambda: choice.done() or choice.set_result("simulate"))
    panel.resize(720, 560)
    panel.show()
    waiter = asyncio.ensure_future(closed.wait())
    try:
        await asyncio.wait({choice, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    result = choice.result() if choice.done() else None
    panel.hide()
    panel.deleteLater()
    return result


def _open_settings(window: object, settings: object, key_store: object, paths: object) -> None:
    """The settings dialog, opened with .open(); saved settings apply at the next launch."""
    from veo_desktop.settings import save_settings
    from veo_desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, key_store, parent=window)  # type: ignore[arg-type]

    def saved(new_settings: object) -> None:
        save_settings(paths.settings_file, new_settings)  # type: ignore[attr-defined, arg-type]
        window.statusBar().showMessage(  # type: ignore[attr-defined]
            window.tr("Settings saved. Queue limits and the provider apply at the next launch."),
            8000,  # type: ignore[attr-defined]
        )

    dialog.saved.connect(saved)
    dialog.open()


if __name__ == "__main__":
    raise SystemExit(main())
