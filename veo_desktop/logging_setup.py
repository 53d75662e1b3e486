"""Logging and crash handling, with the API key masked everywhere.

`configure_logging(logs_dir)` sends records to a rotating file in the data folder (1 MB x 5) and warnings to
stderr, both through `logsafe.KeyMaskingFilter`; httpx and httpcore are held at WARNING because their debug
lines describe requests. `install_excepthook(show_dialog)` routes every unexpected exception — the main
thread's (`sys.excepthook`, which PySide6 also calls for exceptions raised in slots), other threads'
(`threading.excepthook`) and the asyncio loop's (`loop_exception_handler`) — to one place that writes it,
masked, to that log, and shows one dialog per process with the masked text.
"""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from veo_desktop import logsafe

__all__ = [
    "LOG_FILE_NAME",
    "configure_logging",
    "install_excepthook",
    "loop_exception_handler",
    "remove_handlers",
    "unwritable_message",
]

LOG_FILE_NAME: Final = "veo-desktop.log"
MAX_BYTES: Final = 1_000_000
BACKUP_COUNT: Final = 5
_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_QUIET_LOGGERS: Final = ("httpx", "httpcore", "hpack", "asyncio")
_OURS: Final = "_veo_desktop_handler"  # marks the handlers this module installed

log = logging.getLogger("veo_desktop.crash")

ShowDialog = Callable[[str], None]


def _current_log_path() -> Path | None:
    for handler in logging.getLogger().handlers:
        if getattr(handler, _OURS, False) and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def remove_handlers() -> None:
    """Remove and close the handlers `configure_logging` installed (tests, and before reconfiguring)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
            handler.close()


def unwritable_message(exc: OSError, data_dir: Path) -> str:
    """The sentence both front ends show when `configure_logging` cannot create or open the log."""
    where, why = exc.filename or data_dir, (exc.strerror or str(exc)).lower()
    return f"The data folder {where} cannot be written ({why}); make it writable, or set VEO_DESKTOP_HOME."


def configure_logging(logs_dir: Path, *, verbose: bool = False) -> Path:
    """Log to `logs_dir/veo-desktop.log` (rotating) and warnings to stderr, masking the key; idempotent.
    Returns the log file's path."""
    remove_handlers()
    logs_dir.mkdir(parents=True, exist_ok=True)
    log_path = logs_dir / LOG_FILE_NAME
    masking = logsafe.KeyMaskingFilter()
    formatter = logging.Formatter(_FORMAT)

    file_handler = logging.handlers.RotatingFileHandler(
        log_path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    stderr_handler = logging.StreamHandler(sys.stderr)
    stderr_handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root = logging.getLogger()
    for handler in (file_handler, stderr_handler):
        handler.addFilter(masking)
        handler.setFormatter(formatter)
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return log_path


class _CrashHook:
    """The one place unexpected exceptions go: logged (masked), and a dialog shown once per process."""

    def __init__(self, show_dialog: ShowDialog | None) -> None:
        self._show_dialog = show_dialog
        self._shown = False
        self._lock = threading.Lock()

    def report(self, summary: str, exc: BaseException | None, tb: TracebackType | None = None) -> None:
        if exc is not None:
            text = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
        else:
            text = summary
        masked = logsafe.mask(text)
        # Pass the masked text as the message (no exc_info): the log holds exactly what the dialog shows.
        log.critical("%s\n%s", logsafe.mask(summary), masked.rstrip())
        with self._lock:
            if self._shown or self._show_dialog is None:
                return
            self._shown = True
        log_path = _current_log_path()
        where = f"\n\nThe details were saved to {log_path}." if log_path else ""
        try:
            self._show_dialog(masked.rstrip() + where)
        except Exception:  # a broken dialog must not hide the original error, nor loop back here
            log.exception("The crash dialog could not be shown.")

    def sys_hook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report("Unexpected error", exc, tb)

    def thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "unknown"
        self.report(f"Unexpected error in thread {name}", args.exc_value, args.exc_traceback)

    def loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message") or "Unexpected error in the event loop")
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.report(message, exc)
        else:  # e.g. "Task was destroyed but it is pending!": worth a log line, not a dialog
            log.error("%s", logsafe.mask(f"{message} {context!r}"))


_hook: _CrashHook | None = None


def install_excepthook(show_dialog: ShowDialog | None) -> Path | None:
    """Route unexpected exceptions to the log (masked) and `show_dialog(masked_text)`, once per process.

    `show_dialog` may be called from any thread (a worker's exception arrives on that thread): the GUI's
    callback must hand the work to the GUI thread and must not block (a non-modal QMessageBox).
    Installs `sys.excepthook` and `threading.excepthook`; pass `loop_exception_handler` to
    `loop.set_exception_handler`. Returns the log file's path (None if logging is not configured).
    """
    global _hook
    _hook = _CrashHook(show_dialog)
    sys.excepthook = _hook.sys_hook
    threading.excepthook = _hook.thread_hook
    return _current_log_path()


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """An asyncio exception handler for `loop.set_exception_handler`, reporting like `sys.excepthook`."""
    hook = _hook or _CrashHook(None)
    hook.loop_handler(loop, context)
