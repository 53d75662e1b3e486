"""Fixtures for the whole suite.

- `qapp`: one QApplication for the whole session (picard's test/conftest.py: a QApplication made and
  destroyed per test, or a second one, crashes depending on test order). Made lazily, so the core, store,
  client and engine tests never import Qt.
- `memory_keyring`: an in-memory keyring as keyring's default, trusted by `KeyStore` as "Test keyring".
- The event loop of async tests: the UI tests (tests/ui) run on a qasync loop over `qapp`, so Qt timers and
  signals fire while a test awaits (never start a nested Qt loop in one: see tests/ui/conftest.py); the
  others run on asyncio's own loop. The qasync loop records what it would only have logged (an exception
  in a callback, a task's error nobody retrieved) and the test that caused it fails, as qasync's own test
  fixture does.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keyring
import keyring.backend
import keyring.errors
import pytest

from veo_desktop import secrets

if TYPE_CHECKING:
    import qasync
    from PySide6.QtWidgets import QApplication

UI_TESTS = Path(__file__).parent / "ui"
LOOP_ERRORS: list[dict[str, Any]] = []  # what the qasync loop's exception handler was given


# --- Qt ------------------------------------------------------------------------------------------------------
def qt_application() -> QApplication:
    """The session's QApplication, made once (offscreen unless a platform was chosen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from veo_desktop.ui.support import qtfix

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qtfix.install()  # a guard against PySide6 builds that lose references to None/True/False
    app = QApplication(["veo-desktop-tests"])
    app.setQuitOnLastWindowClosed(False)  # closing a window under test must not stop the loop
    return app


@pytest.fixture(scope="session")
def qapp() -> QApplication:
    """pytest-qt's `qapp`, made by `qt_application` (the loop factory below may have made it first)."""
    return qt_application()


def _record_loop_error(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    LOOP_ERRORS.append(context)


def qt_loop() -> qasync.QEventLoop:
    import qasync

    loop = qasync.QEventLoop(qt_application())
    loop.set_exception_handler(_record_loop_error)
    return loop


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    if item.path.is_relative_to(UI_TESTS):
        return {"qasync": qt_loop}
    return {"asyncio": asyncio.new_event_loop}


@pytest.fixture(autouse=True)
def _loop_errors_fail_the_test() -> Iterator[None]:
    LOOP_ERRORS.clear()
    yield
    if LOOP_ERRORS:
        found = [f"{c.get('message')}: {c.get('exception')!r}" for c in LOOP_ERRORS]
        LOOP_ERRORS.clear()
        pytest.fail("the event loop reported errors:\n" + "\n".join(found), pytrace=False)


# --- keyring -------------------------------------------------------------------------------------------------
class MemoryKeyring(keyring.backend.KeyringBackend):
    """In memory. Negative priority: every KeyringBackend subclass registers itself, and a positive one
    would silently become the default keyring for the whole test session."""

    priority = -10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """An in-memory keyring installed as keyring's default and trusted by KeyStore as "Test keyring"; the
    environment's key is hidden so it cannot leak into a test."""
    monkeypatch.setitem(secrets.RECOMMENDED_BACKENDS, __name__, "Test keyring")
    monkeypatch.delenv(secrets.ENV_VAR, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
