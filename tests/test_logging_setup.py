"""Logging and the crash hook: the key never reaches the log, the dialog is shown once."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from veo_desktop import logging_setup, logsafe
from veo_desktop.logging_setup import configure_logging, install_excepthook, loop_exception_handler

CANARY = "canary-key-logging-7f3a9c"  # registered, not Google-shaped: only registration masks it
GOOGLE_SHAPED = "AIza" + "B" * 35  # masked by shape even when not registered


@pytest.fixture
def logs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Configure logging into a temporary folder; restore the root logger, the hooks and levels after."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", root.level)
    for name in ("httpx", "httpcore"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.getLogger(name).level)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(logging_setup, "_hook", None)
    directory = tmp_path / "logs"
    try:
        yield directory
    finally:
        logging_setup.remove_handlers()


def _log_text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def _raise_with(secret: str) -> BaseException:
    try:
        raise RuntimeError(f"request failed with key={secret}")
    except RuntimeError as exc:
        return exc


def test_configure_creates_rotating_log_and_quiets_httpx(logs_dir: Path) -> None:
    path = configure_logging(logs_dir)
    assert path == logs_dir / "veo-desktop.log"
    assert path.is_file()
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    logging.getLogger("veo_desktop.test").info("hello %s", "world")
    assert "hello world" in _log_text(path)
    rotating = [h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert len(rotating) == 1
    assert rotating[0].maxBytes == 1_000_000 and rotating[0].backupCount == 5


def test_configure_is_idempotent(logs_dir: Path) -> None:
    configure_logging(logs_dir)
    configure_logging(logs_dir, verbose=True)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_veo_desktop_handler", False)]
    assert len(ours) == 2
    assert logging.getLogger().level == logging.DEBUG


def test_log_records_mask_registered_and_google_shaped_keys(logs_dir: Path) -> None:
    logsafe.register_secret(CANARY)
    path = configure_logging(logs_dir)
    logger = logging.getLogger("veo_desktop.test")
    logger.warning("key is %s and %s", CANARY, GOOGLE_SHAPED)
    try:
        raise ValueError(f"bad {CANARY}")
    except ValueError:
        logger.exception("failed")
    text = _log_text(path)
    assert CANARY not in text
    assert GOOGLE_SHAPED not in text
    assert text.count(logsafe.MASK) >= 3


def test_stderr_gets_warnings_only_and_masked(logs_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logsafe.register_secret(CANARY)
    configure_logging(logs_dir)
    logger = logging.getLogger("veo_desktop.test")
    logger.info("quiet info line")
    logger.warning("loud warning %s", CANARY)
    err = capsys.readouterr().err
    assert "quiet info line" not in err
    assert "loud warning ***" in err
    assert CANARY not in err


def test_excepthook_logs_masked_and_shows_dialog_once(logs_dir: Path) -> None:
    logsafe.register_secret(CANARY)
    path = configure_logging(logs_dir)
    shown: list[str] = []
    assert install_excepthook(shown.append) == path
    for _ in range(2):
        exc = _raise_with(CANARY)
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert len(shown) == 1
    assert CANARY not in shown[0]
    assert "key=***" in shown[0]
    assert str(path) in shown[0]
    text = _log_text(path)
    assert CANARY not in text
    assert text.count("key=***") == 2  # both exceptions are logged
    assert "Traceback" in text


def test_thread_exceptions_go_to_the_same_hook(logs_dir: Path) -> None:
    logsafe.register_secret(CANARY)
    path = configure_logging(logs_dir)
    shown: list[str] = []
    install_excepthook(shown.append)

    def worker() -> None:
        raise RuntimeError(f"worker failed with {CANARY}")

    thread = threading.Thread(target=worker, name="worker-1")
    thread.start()
    thread.join()
    assert len(shown) == 1
    text = _log_text(path)
    assert "thread worker-1" in text
    assert CANARY not in text and CANARY not in shown[0]


def test_loop_exception_handler_reports_exceptions(logs_dir: Path) -> None:
    logsafe.register_secret(CANARY)
    path = configure_logging(logs_dir)
    shown: list[str] = []
    install_excepthook(shown.append)
    loop = asyncio.new_event_loop()
    try:
        loop.set_exception_handler(loop_exception_handler)

        loop.call_exception_handler({"message": "Task exception was never retrieved", "exception": _raise_with(CANARY)})
        loop.call_exception_handler({"message": f"Task was destroyed but it is pending {CANARY}"})
    finally:
        loop.close()
    assert len(shown) == 1
    text = _log_text(path)
    assert "Task exception was never retrieved" in text
    assert "Task was destroyed" in text
    assert CANARY not in text


def test_dialog_failure_is_logged_not_raised(logs_dir: Path) -> None:
    path = configure_logging(logs_dir)

    def broken(_: str) -> None:
        raise RuntimeError("no display")

    install_excepthook(broken)
    exc = _raise_with("x")
    sys.excepthook(type(exc), exc, exc.__traceback__)
    assert "crash dialog could not be shown" in _log_text(path)


def test_keyboard_interrupt_goes_to_the_default_hook(logs_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configure_logging(logs_dir)
    shown: list[str] = []
    default: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "__excepthook__", lambda t, v, tb: default.append(t))
    install_excepthook(shown.append)
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert default == [KeyboardInterrupt]
    assert shown == []


def test_hook_without_dialog_or_logging_still_works(logs_dir: Path) -> None:
    assert install_excepthook(None) is None  # logging not configured yet
    exc = _raise_with("x")
    sys.excepthook(type(exc), exc, exc.__traceback__)


def test_log_rotates(logs_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging_setup, "MAX_BYTES", 2_000)
    path = configure_logging(logs_dir)
    logger = logging.getLogger("veo_desktop.test")
    for i in range(200):
        logger.info("line %d %s", i, "x" * 50)
    assert (logs_dir / "veo-desktop.log.1").is_file()
    assert len(list(logs_dir.glob("veo-desktop.log*"))) <= 6
    assert path.stat().st_size <= 2_200
