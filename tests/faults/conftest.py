"""Fault campaigns in the suite: reduced variants always; the `--full` variants (marked slow, several minutes
each) only with VEO_FULL_CAMPAIGNS=1, so the README's test command and CI stay well under ten minutes.
The full figures come from `python -m veo_desktop.bench faults --campaign NAME --full`."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("VEO_FULL_CAMPAIGNS") == "1":
        return
    reason = "full campaign: set VEO_FULL_CAMPAIGNS=1 (or use python -m veo_desktop.bench faults)"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "slow" in item.keywords and item.path.parent.name == "faults":
            item.add_marker(skip)
