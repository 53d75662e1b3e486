"""UI tests: real widgets offscreen, on the session's QApplication and a qasync loop (tests/conftest.py).

Never use qtbot.wait/waitUntil or a dialog's exec() in an async test: a nested Qt loop inside a qasync task
hangs pytest at teardown. Poll with `await asyncio.sleep()` (`helpers.until`).

Every Qt object dies in its own test: after each test, on the GUI thread, the deferred deletes are run and
the garbage is collected; a top-level widget or a QMediaPlayer still alive then fails that test (and is
deleted, so the next test starts clean), instead of being freed later on some other thread.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QApplication, QWidget

from veo_desktop.testing.fake_engine import FakeEngine

QT_OWN_WINDOWS = frozenset({"QTipLabel"})  # Qt's tooltip window, made once and kept by Qt


def flush_deletes() -> None:
    """Run the deferred deletes (deleteLater) now; a deletion may post more, so a few rounds."""
    for _ in range(4):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


def left_alive() -> list[QObject]:
    """Top-level widgets without a parent, and media players, that are still alive."""
    widgets = [
        w
        for w in QApplication.topLevelWidgets()
        if w.parent() is None and w.metaObject().className() not in QT_OWN_WINDOWS
    ]
    players = [o for o in gc.get_objects() if isinstance(o, QMediaPlayer) and shiboken6.isValid(o)]
    return [*widgets, *players]


def _describe(obj: QObject) -> str:
    name = obj.objectName()
    return f"{obj.metaObject().className()}{f' {name!r}' if name else ''}"


@pytest.fixture(autouse=True)
def _every_qt_object_dies_in_its_test(qapp: QApplication) -> Iterator[None]:
    yield
    flush_deletes()
    gc.collect()
    flush_deletes()
    leaked = left_alive()
    if not leaked:
        return
    names = sorted({_describe(o) for o in leaked})
    for obj in leaked:
        if shiboken6.isValid(obj):
            if isinstance(obj, QWidget):
                obj.close()
            obj.deleteLater()
    flush_deletes()
    pytest.fail("left alive after the test: " + ", ".join(names), pytrace=False)


@pytest.fixture
def fake_engine(tmp_path: Path) -> FakeEngine:
    return FakeEngine(tmp_path / "frames")


@pytest.fixture
def window_state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
