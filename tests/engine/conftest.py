"""The self-closing rig fixtures (`make_rig`, `rig`) of the shipped test kit, and a clock/provider pair."""

import pytest

from veo_desktop.core.clock import ManualClock
from veo_desktop.testing.fixtures import make_rig, rig
from veo_desktop.testing.provider import FakeProvider

__all__ = ["make_rig", "rig", "rig_clock_provider"]


@pytest.fixture
def rig_clock_provider() -> tuple[ManualClock, FakeProvider]:
    clock = ManualClock()
    return clock, FakeProvider(clock=clock)
