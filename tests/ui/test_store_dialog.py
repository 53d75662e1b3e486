"""The GUI refuses a store it cannot use with the CLI's sentence in a dialog, exits 4 and leaves the file as it was."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from veo_desktop.app import DesktopApp, parse_args
from veo_desktop.bench.faults.bad_cli_cases import make_store
from veo_desktop.store.base import StoreError
from veo_desktop.store.sqlite import SqliteStore


def _newer(path: Path) -> None:
    make_store(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 9")
    conn.close()


def _damaged(path: Path) -> None:
    path.write_text("not a database\n" * 50)


async def _dialog() -> QMessageBox:
    for _ in range(200):
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        if boxes:
            return boxes[0]
        await asyncio.sleep(0.01)
    raise AssertionError("no dialog was shown")


@pytest.mark.parametrize("build", [_newer, _damaged])
async def test_a_store_that_cannot_be_used_is_explained_in_a_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build: object
) -> None:
    monkeypatch.setenv("VEO_DESKTOP_HOME", str(tmp_path / "home"))
    path = tmp_path / "queue.sqlite3"
    build(path)  # type: ignore[operator]
    with pytest.raises(StoreError) as err:  # the sentence the CLI prints
        SqliteStore(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    desktop = DesktopApp(parse_args(["--store", str(path)]), app)
    opening = asyncio.ensure_future(desktop._open_engine(simulate=True))
    box = await _dialog()
    try:
        assert box.text() == str(err.value)
        assert box.windowTitle() == "Veo Desktop cannot open its queue"
    finally:
        box.reject()
    assert await opening == 4
    assert desktop.running is None
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]


async def test_a_data_folder_that_cannot_be_made_is_explained_in_a_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.write_text("a file where the data folder should be\n")
    monkeypatch.setenv("VEO_DESKTOP_HOME", str(home))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    desktop = DesktopApp(parse_args([]), app)
    running = asyncio.ensure_future(desktop.run())
    box = await _dialog()
    try:
        assert box.text().startswith(f"The data folder {home / 'data' / 'logs'} cannot be written (")
        assert box.text().endswith("); make it writable, or set VEO_DESKTOP_HOME.")
    finally:
        box.reject()
    assert await running == 4
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
