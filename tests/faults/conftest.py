"""Fault campaigns in the suite: reduced variants by default; the `--full` variants are marked slow and run
only when asked (`-m slow`, or CI's `-m "slow or not slow"`)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow campaign: run with -m slow")
    for item in items:
        if "slow" in item.keywords and item.path.parent.name == "faults":
            item.add_marker(skip)
