"""The GUI composition root: `veo-desktop` and `python -m veo_desktop`.

Builds the QApplication and the qasync loop, opens the engine (`composition.open_engine`), shows the window
(or first the welcome panel when there is no key: paste a key, or press Enter to try the simulator), and
waits until the last window closes; then the engine is closed in order. Jobs in flight continue at Google
and are picked up at the next launch.

`--version` and `--self-test` work without a display (the self-test runs offscreen).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veo_desktop import __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from veo_desktop.composition import RunningEngine
    from veo_desktop.paths import AppPaths
    from veo_desktop.secrets import KeyStore
    from veo_desktop.settings import Settings
    from veo_desktop.ui.main_window import MainWindow


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="veo-desktop", description="Queue, run and play Google Veo videos.")
    parser.add_argument("--simulate", action="store_true", help="use the built-in simulator (offline, free)")
    parser.add_argument("--store", type=Path, help="the queue database file")
    parser.add_argument("--library", type=Path, help="the folder for finished videos")
    from veo_desktop.settings import PROVIDERS

    parser.add_argument("--provider", choices=PROVIDERS, help="which Google service makes the videos")
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

    from veo_desktop.ui.support import qtfix
    from veo_desktop.ui.support.style import apply_style

    qtfix.install()  # a no-op on the pinned PySide6; guards against builds that leak None/True/False
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Veo Desktop")
    app.setOrganizationName("VeoDesktop")
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)  # we end the loop ourselves, after closing the engine
    apply_style(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return int(loop.run_until_complete(DesktopApp(args, app).run()))


def tr(text: str) -> str:
    """This module's visible strings. lupdate files a module-level `tr("...")` under the empty context, so
    they are looked up there (`window.tr(...)` would be filed under "window" and never found)."""
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("", text)


class DesktopApp:
    """Owns the running engine and the window for one launch; every GUI-side service is built here."""

    def __init__(self, args: argparse.Namespace, app: QApplication) -> None:
        self.args = args
        self.app = app
        self.temp = tempfile.TemporaryDirectory(prefix="veo-self-test-") if args.self_test else None
        self.paths = self._paths()
        self.settings = self._settings()
        self.key_store = self._key_store()
        self.running: RunningEngine | None = None
        self.window: MainWindow | None = None
        self.closed = asyncio.Event()

    def _paths(self) -> AppPaths:
        from veo_desktop.paths import AppPaths, default_paths

        if self.temp is None:
            return default_paths()
        root = Path(self.temp.name)
        return AppPaths(data_dir=root / "data", config_dir=root / "config", library_dir=root / "library")

    def _settings(self) -> Settings:
        from veo_desktop.settings import load_settings, with_overrides

        args = self.args
        return with_overrides(
            load_settings(self.paths.settings_file),
            provider=args.provider,
            store_path=str(args.store) if args.store else None,
            library_dir=str(args.library) if args.library else None,
        )

    @staticmethod
    def _key_store() -> KeyStore:
        from veo_desktop.secrets import KeyStore

        return KeyStore()

    async def run(self) -> int:
        from veo_desktop.logging_setup import (
            configure_logging,
            install_excepthook,
            loop_exception_handler,
            unwritable_message,
        )
        from veo_desktop.ui.support.i18n import install_translator

        try:
            configure_logging(self.paths.logs_dir)
        except OSError as exc:  # the data folder cannot be written: the CLI's sentence and exit code
            await self._explain_and_stop(unwritable_message(exc, self.paths.data_dir))
            return 4
        install_excepthook(self._show_crash)
        asyncio.get_running_loop().set_exception_handler(loop_exception_handler)
        from veo_desktop.composition import on_stop_signals

        remove_stop_signals = on_stop_signals(self._stop_by_signal)  # SIGTERM/SIGHUP close like the window
        translator = install_translator(self.app, self.settings.language)  # kept alive until the end
        self.app.lastWindowClosed.connect(self.closed.set)
        self.app.aboutToQuit.connect(self.closed.set)
        try:
            simulate = self.args.simulate or self.args.self_test
            needs_key = self.settings.provider != "vertex-project"  # a project signs in without an API key
            if not simulate and needs_key and not await asyncio.to_thread(self.key_store.get):
                choice = await self._welcome()
                if choice is None:
                    return 0
                simulate = choice == "simulate"
            failed = await self._open_engine(simulate)
            if failed is not None:
                return failed
            return await self._show_window(simulate)
        finally:
            if self.running is not None:
                await self.running.aclose()
            remove_stop_signals()
            if self.temp is not None:
                self.temp.cleanup()
            del translator

    def _stop_by_signal(self, signum: int) -> None:
        """A graceful stop: the window closes without asking, then the engine stops as on a normal quit."""
        if self.window is not None:
            self.window.confirm_close()
        self.closed.set()

    async def _open_engine(self, simulate: bool) -> int | None:
        """Open the engine; on failure explain it in a dialog and return the exit code (the CLI's: 4 when the
        store cannot be used, 2 for a bad setting)."""
        from veo_desktop.composition import EngineOptions, open_engine
        from veo_desktop.core.errors import StoreError
        from veo_desktop.ui.media.frames import last_frame_png

        speed = self.args.sim_speed or (60.0 if self.args.self_test else 1.0)
        options = EngineOptions(
            paths=self.paths,
            settings=self.settings,
            simulate=simulate,
            sim_speed=speed,
            api_key=None if simulate else self.key_store.get,
            last_frame_decoder=last_frame_png,  # Qt's FFmpeg: the bundle carries no second one
        )
        try:
            self.running = await open_engine(options)
        except Exception as exc:  # the store cannot be used (it is left as it was), a bad base URL: explain, stop
            await self._explain_and_stop(str(exc))
            return 4 if isinstance(exc, StoreError) else 2
        return None

    async def _show_window(self, simulate: bool) -> int:
        from PySide6.QtCore import QSettings

        from veo_desktop.ui.main_window import MainWindow

        assert self.running is not None
        if self.temp is not None:
            state = QSettings(str(self.paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        else:
            state = QSettings()
        window = MainWindow(
            self.running.engine,
            settings=self.settings,
            window_state=state,
            thumbnail_dir=self.paths.data_dir / "thumbnails",
        )
        self.window = window
        if simulate:
            window.statusBar().showMessage(tr("Simulator mode: nothing is sent to Google and nothing is charged."))
        window.settingsRequested.connect(self.open_settings)
        self.closed.clear()
        window.show()
        if not self.args.self_test:
            await self.closed.wait()
            return 0
        from veo_desktop.ui.self_test import run_self_test

        ok, message = await run_self_test(window)
        print(f"self-test {'ok' if ok else 'FAILED'}: {message}", flush=True)
        await window.aclose()
        return 0 if ok else 1

    async def _welcome(self) -> str | None:
        """Show the welcome panel; "key", "project", "simulate", or None when it was closed."""
        from veo_desktop.secrets import ServiceAccountStore
        from veo_desktop.ui.dialogs.welcome import WelcomePanel
        from veo_desktop.ui.support.style import app_icon

        accounts = ServiceAccountStore()
        panel = WelcomePanel(self.key_store, app_icon(), provider=self.settings.provider, service_accounts=accounts)
        choice: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def choose(value: str) -> None:
            if not choice.done():
                choice.set_result(value)

        panel.keyEntered.connect(lambda _key: choose("key"))
        panel.projectChosen.connect(lambda: choose("project"))
        panel.simulatorChosen.connect(lambda: choose("simulate"))
        panel.resize(720, 620)
        panel.show()
        waiter: asyncio.Future[bool] = asyncio.ensure_future(self.closed.wait())
        pending: set[asyncio.Future[Any]] = {choice, waiter}  # Future is invariant: Any joins str and bool
        try:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        panel.hide()
        panel.deleteLater()
        result = choice.result() if choice.done() else None
        if result == "key" and panel.provider() != self.settings.provider:
            await self._keep_provider(panel.provider())
        elif result == "project":
            project, region, email = panel.project_values()
            chosen = {"project": project, "region": region, "service_account_email": email}
            await self._keep_provider("vertex-project", chosen)
        return result

    async def _keep_provider(self, provider: str, project: dict[str, Any] | None = None) -> None:
        """What was said on the welcome panel (the kind of key; for a project, its id, region and service
        account) becomes the settings, in the settings file too."""
        from dataclasses import replace

        from veo_desktop.settings import save_settings

        self.settings = replace(self.settings, provider=provider, **(project or {})).validated()  # checked by the panel
        try:
            await asyncio.to_thread(save_settings, self.paths.settings_file, self.settings)
        except OSError as exc:  # used for this launch anyway; the file can be fixed later in Settings
            print(f"veo-desktop: could not save the settings: {exc}", file=sys.stderr, flush=True)

    # --- settings ----------------------------------------------------------------------------------------
    def open_settings(self) -> None:
        """The settings dialog (opened with .open()); saved settings apply to the running engine at once."""
        from veo_desktop.secrets import ServiceAccountStore
        from veo_desktop.ui.dialogs.settings import SettingsDialog

        assert self.window is not None
        dialog = SettingsDialog(
            self.settings,
            self.key_store,
            test_key=self.test_key,
            parent=self.window,
            service_accounts=ServiceAccountStore(),
        )
        dialog.saved.connect(self._on_settings_saved)
        dialog.open()

    async def test_key(self, key: str, candidate: Settings) -> list[str]:
        """List the models Google offers with the settings in the dialog (the kind of key, the project, the
        service account) and `key` (the dialog's "Test key"); raises VeoError on failure. In simulator mode
        the simulator answers: nothing leaves the computer."""
        assert self.running is not None  # the dialog opens from the window, after the engine
        provider = self.running.provider_for(candidate, lambda: key)
        return [m.id for m in await provider.list_models()]

    def _on_settings_saved(self, new: Settings) -> None:
        from veo_desktop.ui.support.tasks import TaskKeeper

        keeper = getattr(self, "_tasks", None) or TaskKeeper()
        self._tasks = keeper
        keeper.start("apply-settings", self._apply_settings(new), replace=True)

    async def _apply_settings(self, new: Settings) -> None:
        from veo_desktop.settings import save_settings

        assert self.window is not None and self.running is not None
        window = self.window
        try:
            await asyncio.to_thread(save_settings, self.paths.settings_file, new)
            later = await self.running.apply_settings(new)
        except (OSError, ValueError) as exc:
            window.statusBar().showMessage(tr("Settings could not be saved: %1").replace("%1", str(exc)))
            return
        self.settings = new
        window.apply_settings(new)
        if later:
            window.statusBar().showMessage(
                tr("Settings saved. The store location and the language apply at the next launch."), 8000
            )
        else:
            window.statusBar().showMessage(tr("Settings saved and applied."), 6000)

    # --- errors ------------------------------------------------------------------------------------------
    async def _explain_and_stop(self, message: str) -> None:
        """A problem that stops the launch (a store that cannot be used, a bad setting): a dialog with the same
        sentence the CLI prints, which says what to do."""
        from PySide6.QtWidgets import QMessageBox

        print(f"veo-desktop: could not open the queue: {message}", file=sys.stderr, flush=True)
        if self.args.self_test:
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Veo Desktop", message)
        box.setWindowTitle(tr("Veo Desktop cannot open its queue"))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def finished(_result: int) -> None:
            if not done.done():
                done.set_result(None)

        box.finished.connect(finished)
        box.open()
        try:
            await done
        finally:
            box.deleteLater()

    def _show_crash(self, text: str) -> None:
        """Called once, from any thread, after an unexpected error was logged (key masked)."""
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self.app, lambda: self._crash_dialog(text))

    def _crash_dialog(self, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        parent: QWidget | None = self.window
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("Something went wrong"))
        box.setText(
            tr("Veo Desktop hit an unexpected error. Your queue is safe; the details are in the log at %1.").replace(
                "%1", str(self.paths.logs_dir)
            )
        )
        box.setDetailedText(text[-4000:])
        box.open()


if __name__ == "__main__":
    raise SystemExit(main())
