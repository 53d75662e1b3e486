"""UI tests run offscreen on a qasync loop (see ../shared/qt-notes.md): Qt timers and signals fire while a
test awaits. Never use qtbot.wait/waitUntil in an async test; poll with `await asyncio.sleep()`."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from tests.ui.fakes import FakeEngine
from veo_desktop.ui.support import qtfix

qtfix.install()  # PySide6 6.12.0 loses a reference to True on every Signal.emit(): see qtfix.py


def _qt_loop() -> qasync.QEventLoop:
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # closing a window under test must not stop the loop
    return qasync.QEventLoop(app)


def pytest_asyncio_loop_factories(config, item):  # type: ignore[no-untyped-def]
    return {"qasync": _qt_loop}


@pytest.fixture
def fake_engine(tmp_path: Path) -> FakeEngine:
    return FakeEngine(tmp_path / "frames")


@pytest.fixture
def window_state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
