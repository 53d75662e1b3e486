"""The machine a benchmark ran on: CPU model, cores, Python, Qt, SQLite, httpx versions."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["machine"]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _qt_version() -> str | None:
    try:
        from PySide6 import QtCore
    except ImportError:
        return None
    return str(QtCore.qVersion())


def machine() -> dict[str, Any]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": cores,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "qt": _qt_version(),
        "pyside6": _version("PySide6-Essentials") or _version("PySide6"),
        "sqlite": sqlite3.sqlite_version,
        "httpx": _version("httpx"),
    }
